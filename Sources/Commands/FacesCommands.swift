import Foundation

/// `frs faces detect IMAGE...`
public struct FacesDetectCommand: Subcommand {
    public static let words = ["faces", "detect"]
    public static let abstract = "find faces: one JSON line per image (box, confidence, landmarks)"
    public static let usage = "faces detect [--upsample N] IMAGE..."
    public static let help = "  --upsample N    upsample the image N times before detection (default 1, as face_recognition)"

    public var images: [String]
    public var upsample: Int

    public init(arguments: inout ArgumentList) throws(UsageError) {
        upsample = try arguments.int("--upsample", in: 0...3) ?? 1
        images = try arguments.positionals()
        guard !images.isEmpty else { throw UsageError("no image given") }
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        context.err("frs: face detection is not available yet; use 'frs faces embed --box L,T,R,B IMAGE'")
        return 1
    }
}

/// `frs faces embed [--box L,T,R,B] IMAGE...`
public struct FacesEmbedCommand: Subcommand {
    public static let words = ["faces", "embed"]
    public static let abstract = "find faces and their 128-d descriptors: one JSON line per image"
    public static let usage = "faces embed [--box L,T,R,B] [--upsample N] IMAGE..."
    public static let help = """
          --box L,T,R,B   describe only this face (dlib rectangle, inclusive pixel corners)
          --upsample N    upsample the image N times before detection (default 1)
        """

    public var images: [String]
    public var box: (left: Int, top: Int, right: Int, bottom: Int)?
    public var upsample: Int

    public init(arguments: inout ArgumentList) throws(UsageError) {
        if let text = try arguments.option("--box") {
            let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, let l = parts[0], let t = parts[1], let r = parts[2], let b = parts[3],
                  r > l, b > t
            else { throw UsageError("--box must be L,T,R,B with R > L and B > T, not \"\(text)\"") }
            box = (l, t, r, b)
        }
        upsample = try arguments.int("--upsample", in: 0...3) ?? 1
        images = try arguments.positionals()
        guard !images.isEmpty else { throw UsageError("no image given") }
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        context.err("frs: not implemented in this build")
        return 1
    }
}

/// `frs compare IMAGE_A IMAGE_B`
public struct CompareCommand: Subcommand {
    public static let words = ["compare"]
    public static let abstract = "descriptor distance between the best face in each of two images"
    public static let usage = "compare IMAGE_A IMAGE_B"

    public var first: String
    public var second: String

    public init(arguments: inout ArgumentList) throws(UsageError) {
        let images = try arguments.positionals()
        guard images.count == 2 else { throw UsageError("compare needs exactly two images") }
        first = images[0]
        second = images[1]
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        context.err("frs: face detection is not available yet")
        return 1
    }
}
