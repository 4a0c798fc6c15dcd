import Foundation
import Synchronization

/// A small leveled logger for the daemon's operators (not the audit log, which is data).
///
/// Lines go to a ``LogSink``: standard error in the daemon, memory in tests.
public struct Logger: Sendable {
    /// Severity, lowest first.
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        /// Step-by-step detail.
        case debug
        /// Normal events: a job finished.
        case info
        /// Something odd that was handled: a job left behind, a retry.
        case warning
        /// Something failed: a job quarantined, an I/O error.
        case error

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    /// The lowest level written.
    public var level: Level
    /// Where lines go.
    public let sink: any LogSink
    /// Metadata added to every line (e.g. `worker=2`).
    public var metadata: [String: String]

    public init(level: Level = .info, sink: any LogSink = StandardErrorSink(), metadata: [String: String] = [:]) {
        self.level = level
        self.sink = sink
        self.metadata = metadata
    }

    /// A logger with more metadata.
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.metadata[key] = value
        return copy
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        guard level >= self.level else { return }
        let fields = metadata.merging(extra) { _, new in new }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: " ")
        let time = Date().formatted(.iso8601)
        sink.write("\(time) \(level) \(message())" + (fields.isEmpty ? "" : " " + fields))
    }

    public func debug(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.debug, message(), extra) }
    public func info(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.info, message(), extra) }
    public func warning(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.warning, message(), extra) }
    public func error(_ message: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.error, message(), extra) }
}

/// Where log lines go.
public protocol LogSink: Sendable {
    func write(_ line: String)
}

/// Writes each line to standard error.
public struct StandardErrorSink: LogSink {
    public init() {}
    public func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Keeps lines in memory (for tests).
public final class MemorySink: LogSink {
    /// The lines written so far; guarded by the mutex because workers log concurrently.
    private let storage = Mutex<[String]>([])

    public init() {}
    public func write(_ line: String) { storage.withLock { $0.append(line) } }
    /// A copy of the lines written so far.
    public var lines: [String] { storage.withLock { $0 } }
}
