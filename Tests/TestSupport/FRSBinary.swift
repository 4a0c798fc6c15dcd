import Foundation

/// The `frs` executable built beside the test bundle, for the tests that run the command line end to end.
public enum FRSBinary {
    /// Its path.
    public static var path: String { Program.built("frs") }

    /// Whether it was built (a test that runs it is enabled only then).
    public static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs `frs` with `arguments` to its end.
    /// - Parameters:
    ///   - directory: its working directory (this process's when `nil`).
    ///   - environment: its whole environment (this process's when `nil`).
    public static func run(_ arguments: [String], in directory: String? = nil,
                           environment: [String: String]? = nil) throws -> Program.Run {
        try Program.run(path, arguments, in: directory, environment: environment)
    }
}
