import Dispatch
import Foundation

/// Runs the programs the tests start and wait for: the built `frs` (``FRSBinary``), the test child
/// (``TestChild``), system tools, and `setpriv` for a command run as another account.
public enum Program {
    /// How a program ended and what it wrote.
    public struct Run: Sendable {
        public var status: Int32
        public var output: String
        public var error: String
        public init(status: Int32, output: String, error: String) {
            self.status = status
            self.output = output
            self.error = error
        }
    }

    /// Runs `executable` with `arguments` to its end, reading its standard output and error.
    /// - Parameters:
    ///   - directory: its working directory (this process's when `nil`).
    ///   - environment: its whole environment (this process's when `nil`).
    /// - Throws: when it cannot be started.
    public static func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
                           environment: [String: String]? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Standard error is read on another thread, so a program that fills one pipe while the
        // other is being read cannot stall.
        let errorReader = ErrorReader()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errorReader.data = err.fileHandleForReading.readDataToEndOfFile() }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   error: String(decoding: errorReader.data, as: UTF8.self))
    }

    /// Starts `executable` with `arguments` and returns at once, its output and error discarded; the caller
    /// waits for it (`waitUntilExit`) or signals it.
    /// - Parameter environment: its whole environment (this process's when `nil`).
    /// - Throws: when it cannot be started.
    public static func start(_ executable: String, _ arguments: [String],
                             environment: [String: String]? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts this test bundle again, running only the tests `filter` names (a child of a multi-process
    /// test), with `environment` (which tells the child what to do).
    public static func startTestBundle(filter: String, environment: [String: String]) throws -> Process {
        try start(CommandLine.arguments[0], ["--testing-library", "swift-testing", "--filter", filter],
                  environment: environment)
    }

    /// Holds standard error's bytes until the reading thread is done (the group's wait orders the accesses).
    private final class ErrorReader: @unchecked Sendable {
        var data = Data()
    }

    /// The path of the program `name` built beside the test bundle (`frs`, `frs-test-child`).
    public static func built(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
