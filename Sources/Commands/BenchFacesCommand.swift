import FaceEngine
import Foundation
import Imaging

/// `frs bench faces IMAGE...`: the face engine's speed per stage, for `scripts/bench-faces.py`.
public struct BenchFacesCommand: Subcommand {
    public static let words = ["bench", "faces"]
    public static let abstract = "face engine benchmark: decode, detection and description times per image"
    public static let usage = "bench faces [--repeat N] [--upsample N] IMAGE..."
    public static let help = """
          --repeat N      runs per image; the best time of each stage is reported (default 1)
          --upsample N    detector upsampling (default 1, as face_recognition)

        One JSON line per image: {"image", "width", "height", "faces", "decode_seconds",
        "detect_seconds", "describe_seconds"} (describe = landmarks, chips and descriptors of every
        face); then a summary line. Images run one after another, each stage using every core.
        """

    public var images: [String]
    public var repeatCount: Int
    public var upsample: Int

    public init(arguments: inout ArgumentList) throws(UsageError) {
        repeatCount = try arguments.int("--repeat", in: 1...100) ?? 1
        upsample = try arguments.int("--upsample", in: 0...2) ?? 1
        images = try arguments.positionals()
        guard !images.isEmpty else { throw UsageError("no image given") }
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let loadStart = DispatchTime.now()
        let analyzer = try FaceAnalyzer(modelsDirectory: context.models)
        let loadSeconds = Self.seconds(since: loadStart)
        var totals = (decode: 0.0, detect: 0.0, describe: 0.0, faces: 0)
        for path in images {
            let bytes = try FacesOutput.read(path)
            var best = (decode: Double.infinity, detect: Double.infinity, describe: Double.infinity)
            var faceCount = 0, width = 0, height = 0
            for _ in 0..<repeatCount {
                var t = DispatchTime.now()
                let image = try analyzer.decoder.decode(bytes, path: path)
                best.decode = min(best.decode, Self.seconds(since: t))
                t = DispatchTime.now()
                let detections = analyzer.detector.detect(image, upsample: upsample)
                best.detect = min(best.detect, Self.seconds(since: t))
                t = DispatchTime.now()
                let faces = analyzer.faces(in: image, detections: detections, describe: true)
                best.describe = min(best.describe, Self.seconds(since: t))
                faceCount = faces.count
                width = image.width
                height = image.height
            }
            totals.decode += best.decode
            totals.detect += best.detect
            totals.describe += best.describe
            totals.faces += faceCount
            context.out(JSONText.object([
                ("image", JSONText.string(path)), ("width", String(width)), ("height", String(height)),
                ("faces", String(faceCount)), ("decode_seconds", JSONText.number(best.decode)),
                ("detect_seconds", JSONText.number(best.detect)), ("describe_seconds", JSONText.number(best.describe)),
            ]))
        }
        context.out(JSONText.object([
            ("images", String(images.count)), ("faces", String(totals.faces)),
            ("model_load_seconds", JSONText.number(loadSeconds)),
            ("decode_seconds", JSONText.number(totals.decode)), ("detect_seconds", JSONText.number(totals.detect)),
            ("describe_seconds", JSONText.number(totals.describe)),
            ("describe_seconds_per_face", JSONText.number(totals.faces > 0 ? totals.describe / Double(totals.faces) : 0)),
        ]))
        return 0
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
