import Basics
import Dispatch
import FaceEngine
import Foundation
import Imaging
import Spool

/// `frs faces detect IMAGE...`
struct FacesDetectCommand: Subcommand {
    static let words = ["faces", "detect"]
    static let abstract = "find faces: one JSON line per image (box, confidence, landmarks)"
    static let usage = "faces detect [--upsample N] IMAGE..."
    static let help = "  --upsample N    upsample the image N times before detection (0-2, default 1, as face_recognition)"

    var images: [String]
    var upsample: Int

    init(arguments: inout ArgumentList) throws(UsageError) {
        upsample = try arguments.int("--upsample", in: 0...2) ?? 1
        images = try arguments.positionals()
        guard !images.isEmpty else { throw UsageError("no image given") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let analyzer = try FaceAnalyzer(modelsDirectory: context.models)
        return FacesOutput.run(images: images, context: context) { path in
            try analyzer.analyze(jpeg: try ImageFile.read(path), path: path, upsample: upsample, describe: false)
        }
    }
}

/// `frs faces embed [--box L,T,R,B] IMAGE...`
struct FacesEmbedCommand: Subcommand {
    static let words = ["faces", "embed"]
    static let abstract = "find faces and their 128-d descriptors: one JSON line per image"
    static let usage = "faces embed [--box L,T,R,B] [--upsample N] IMAGE..."
    static let help = """
          --box L,T,R,B   describe only this face (dlib rectangle, inclusive pixel corners), e.g. a face
                          picked by hand in a crowd; no detection runs
          --upsample N    upsample the image N times before detection (0-2, default 1)
        """

    var images: [String]
    var box: FaceBox?
    var upsample: Int

    init(arguments: inout ArgumentList) throws(UsageError) {
        if let text = try arguments.option("--box") {
            let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, let l = parts[0], let t = parts[1], let r = parts[2], let b = parts[3],
                  r > l, b > t
            else { throw UsageError("--box must be L,T,R,B with R > L and B > T, not \"\(text)\"") }
            box = FaceBox(left: l, top: t, right: r, bottom: b)
        }
        upsample = try arguments.int("--upsample", in: 0...2) ?? 1
        images = try arguments.positionals()
        guard !images.isEmpty else { throw UsageError("no image given") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let analyzer = try FaceAnalyzer(modelsDirectory: context.models)
        return FacesOutput.run(images: images, context: context) { path in
            let bytes = try ImageFile.read(path)
            guard let box else { return try analyzer.analyze(jpeg: bytes, path: path, upsample: upsample) }
            let image = try analyzer.decoder.decode(bytes, path: path)
            return ImageFaces(width: image.width, height: image.height, detectionScale: 1,
                              faces: [analyzer.describe(image, box: box)])
        }
    }
}

/// `frs compare IMAGE_A IMAGE_B`
struct CompareCommand: Subcommand {
    static let words = ["compare"]
    static let abstract = "descriptor distance between the best face in each of two images"
    static let usage = "compare [--upsample N] IMAGE_A IMAGE_B"
    static let help = """
          --upsample N    detector upsampling (0-2, default 1)

        Prints one JSON line: the two images, the chosen face boxes (the most confident face in each),
        the Euclidean distance and whether it is under dlib's same-person threshold 0.6. Exit 1 when an
        image cannot be read or has no face.
        """

    var first: String
    var second: String
    var upsample: Int

    init(arguments: inout ArgumentList) throws(UsageError) {
        upsample = try arguments.int("--upsample", in: 0...2) ?? 1
        let images = try arguments.positionals()
        guard images.count == 2 else { throw UsageError("compare needs exactly two images") }
        first = images[0]
        second = images[1]
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let analyzer = try FaceAnalyzer(modelsDirectory: context.models)
        var best: [FaceDescription] = []
        for path in [first, second] {
            let faces: ImageFaces
            do {
                faces = try analyzer.analyze(jpeg: try ImageFile.read(path), path: path, upsample: upsample)
            } catch {
                context.out(JSONText.object([("image", JSONText.string(path)), ("error", JSONText.string("\(error)"))]))
                return 1
            }
            guard let face = faces.faces.max(by: { ($0.confidence ?? 0) < ($1.confidence ?? 0) }) else {
                context.out(JSONText.object([("image", JSONText.string(path)), ("error", JSONText.string("no face found"))]))
                return 1
            }
            best.append(face)
        }
        let a = best[0].descriptor ?? [], b = best[1].descriptor ?? []
        var sum = 0.0
        for i in a.indices { let d = Double(a[i]) - Double(b[i]); sum += d * d }
        let distance = sum.squareRoot()
        context.out(JSONText.object([
            ("a", JSONText.string(first)), ("a_box", FacesOutput.box(best[0].box)),
            ("b", JSONText.string(second)), ("b_box", FacesOutput.box(best[1].box)),
            ("distance", JSONText.number(distance)), ("threshold", "0.6"),
            ("same_person", distance < 0.6 ? "true" : "false"),
        ]))
        return 0
    }
}

/// Shared output of the `faces` commands: one JSON line per image, in the order given, images
/// processed in parallel.
enum FacesOutput {
    /// Runs `work` on every image, two at a time (each detection itself uses every core), and prints
    /// the lines in input order. Returns 1 when any image failed.
    static func run(images: [String], context: CommandContext,
                    work: @escaping @Sendable (String) throws -> ImageFaces) -> Int32 {
        let lines = ParallelWork.map(count: images.count, workers: 2) { i -> (line: String, failed: Bool) in
            let path = images[i]
            do {
                return (line(path: path, faces: try work(path)), false)
            } catch {
                var fields = [("image", JSONText.string(path)), ("error", JSONText.string(message(error)))]
                if let e = error as? ImageError { fields.append(("code", JSONText.string(e.code.rawValue))) }
                return (JSONText.object(fields), true)
            }
        }
        for l in lines { context.out(l.line) }
        return lines.contains { $0.failed } ? 1 : 0
    }

    static func message(_ error: any Error) -> String {
        if let e = error as? ImageError { return e.message }
        return "\(error)"
    }

    static func box(_ b: FaceBox) -> String {
        JSONText.array([b.left, b.top, b.right, b.bottom].map(String.init))
    }

    static func line(path: String, faces: ImageFaces) -> String {
        let items = faces.faces.map { f -> String in
            var fields = [("box", box(f.box))]
            if let c = f.confidence { fields.append(("confidence", JSONText.number(c))) }
            fields.append(("landmarks", JSONText.array(f.landmarks.map { JSONText.array([String($0.x), String($0.y)]) })))
            fields.append(("quality", JSONText.object([
                ("ok", f.quality.ok ? "true" : "false"),
                ("reasons", JSONText.array(f.quality.reasons.map { JSONText.string($0.rawValue) })),
            ])))
            if let d = f.descriptor { fields.append(("descriptor", JSONText.array(d.map(JSONText.number)))) }
            return JSONText.object(fields)
        }
        return JSONText.object([
            ("image", JSONText.string(path)), ("width", String(faces.width)), ("height", String(faces.height)),
            ("faces", JSONText.array(items)),
        ])
    }
}
