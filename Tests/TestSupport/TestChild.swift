import Foundation

/// The child-process program the spool's tests start and kill (`frs-test-child`), built beside the test bundle.
public enum TestChild {
    public static var path: String { Program.built("frs-test-child") }

    /// Starts `frs-test-child` with `arguments` (its output discarded).
    public static func start(_ arguments: [String]) throws -> Process {
        try Program.start(path, arguments)
    }

    /// Runs `frs-test-child` with `arguments` until it exits or is killed; returns the finished process.
    public static func run(_ arguments: [String]) throws -> Process {
        let child = try start(arguments)
        child.waitUntilExit()
        return child
    }
}
