import Dispatch
import Foundation

/// Where a benchmark writes while it runs: result lines (the JSON lines scripts read, on standard
/// output) and progress notes (for the person watching, on standard error).
///
/// The benchmarks print as they go, so a long run shows its progress and a script reading the
/// result lines sees each one when it is measured. `frs bench …` passes its command context's
/// streams; a test may collect the lines.
public struct BenchmarkOutput: Sendable {
    /// Writes one result line.
    public var result: @Sendable (String) -> Void
    /// Writes one progress note.
    public var note: @Sendable (String) -> Void

    public init(result: @escaping @Sendable (String) -> Void, note: @escaping @Sendable (String) -> Void) {
        self.result = result
        self.note = note
    }
}

/// Whether a benchmark's own checks passed (a search found what it had to, a verification matched).
/// `frs bench …` exits 0 or 1 accordingly.
public enum BenchmarkVerdict: Sendable, Equatable {
    /// Every check passed (or the benchmark makes none).
    case passed
    /// A check failed; the notes say which.
    case failed
}

/// The clocks and counters the benchmarks read.
enum BenchmarkClock {
    /// Monotonic time in seconds.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Seconds from `start` to now.
    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// User + system CPU time of this process, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// A memory figure of this process from /proc/self/status (`VmRSS`, `VmHWM`), in KiB (0 if
    /// unavailable).
    static func memory(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
