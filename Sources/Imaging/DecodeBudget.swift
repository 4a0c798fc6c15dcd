import CJPEGGuard
import Foundation

/// A budget of processor time for one piece of work (one probe), measured on the thread that does
/// it (`CLOCK_THREAD_CPUTIME_ID`), so that other workers' load never counts against it.
///
/// The budget is set for the duration of a closure (``run(_:)``) and read by the code under it —
/// ``JPEGDecoder`` passes it to libjpeg's progress monitor, which stops a decode at the next row once
/// the time is spent — without threading a parameter through the face engine. Work the closure hands
/// to helper threads (the face engine's parallel stages, bounded by the detection size) is not
/// counted; the decode, whose cost a file's contents decide, runs on the calling thread.
public struct ProcessorBudget: Sendable, Equatable {
    /// The processor seconds allowed.
    public var seconds: Double
    /// The thread's processor time when the budget started.
    public var start: Double

    /// A budget of `seconds` starting now on this thread.
    public init(seconds: Double) {
        self.seconds = seconds
        self.start = Self.threadSeconds()
    }

    /// The calling thread's processor time, in seconds.
    public static func threadSeconds() -> Double { frs_thread_cpu_seconds() }

    /// The budget in force on this thread (set by ``run(_:)``), if any.
    @TaskLocal public static var current: ProcessorBudget?

    /// The thread processor time at which the budget is spent.
    public var deadline: Double { start + seconds }
    /// The processor seconds used so far.
    public var used: Double { Self.threadSeconds() - start }

    /// Runs `body` with this budget in force on the calling thread.
    public func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let result: Result<T, E> = Self.$current.withValue(self) {
            do throws(E) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Throws when the budget is spent.
    /// - Throws: ``ImageError`` `overBudget`, naming the time used and the limit.
    public func check(path: String? = nil) throws(ImageError) {
        let used = self.used
        guard used <= seconds else {
            throw ImageError(code: .overBudget, message: Self.overBudgetMessage(used: used, limit: seconds), path: path)
        }
    }

    static func overBudgetMessage(used: Double?, limit: Double) -> String {
        let took = used.map { String(format: "took %.1f s of processor time", $0) } ?? "ran out of its processor time"
        return "the probe \(took), more than the policy's max_probe_cpu_seconds (\(String(format: "%g", limit)) s); "
            + "send a smaller or baseline (non-progressive) JPEG of the face"
    }
}

/// Memory shared by every decode in the process: each decode reserves its share (libjpeg's
/// working memory and the decoded pixels) before allocating, and waits while the others hold too
/// much, so N workers decoding huge probes at once need at most the budget, not N times the largest
/// decode.
///
/// A decode needing more than the whole budget waits until it is alone and then runs (its need is
/// bounded by the decoder's pixel limit); peak memory is max(budget, largest decode).
public final class DecodeMemoryBudget: @unchecked Sendable {
    /// The process's budget: a quarter of physical memory, between 512 MiB and 4 GiB.
    public static let shared = DecodeMemoryBudget(
        bytes: min(max(Int(ProcessInfo.processInfo.physicalMemory / 4), 512 << 20), 4 << 30))

    /// The bytes all decodes together may hold.
    public let capacity: Int
    // `inUse` and `peak` are read and written only with `condition` locked; the condition wakes
    // waiters when a reservation is released. That lock is what makes the class Sendable.
    private let condition = NSCondition()
    private var inUse = 0
    private var highWater = 0

    public init(bytes: Int) {
        capacity = max(bytes, 1)
    }

    /// A share of the budget; released by ``release()`` (once; later calls do nothing).
    public final class Reservation: @unchecked Sendable {
        /// The bytes reserved.
        public let bytes: Int
        private let budget: DecodeMemoryBudget
        // Read and written with the budget's condition locked.
        private var released = false

        fileprivate init(bytes: Int, budget: DecodeMemoryBudget) {
            self.bytes = bytes
            self.budget = budget
        }

        public func release() {
            budget.condition.lock()
            defer { budget.condition.unlock() }
            guard !released else { return }
            released = true
            budget.inUse -= bytes
            budget.condition.broadcast()
        }

        deinit { release() }
    }

    /// Reserves `bytes` (at most the capacity), waiting until they are free.
    public func acquire(_ bytes: Int) -> Reservation {
        let share = min(max(bytes, 0), capacity)
        condition.lock()
        defer { condition.unlock() }
        while inUse + share > capacity { condition.wait() }
        return grant(share)
    }

    /// Reserves `bytes` if they are free now; `nil` otherwise.
    public func tryAcquire(_ bytes: Int) -> Reservation? {
        let share = min(max(bytes, 0), capacity)
        condition.lock()
        defer { condition.unlock() }
        return inUse + share > capacity ? nil : grant(share)
    }

    /// Must be called with `condition` locked.
    private func grant(_ share: Int) -> Reservation {
        inUse += share
        highWater = max(highWater, inUse)
        return Reservation(bytes: share, budget: self)
    }

    /// The bytes reserved now.
    public var reserved: Int {
        condition.lock()
        defer { condition.unlock() }
        return inUse
    }

    /// The most bytes ever reserved at once.
    public var peak: Int {
        condition.lock()
        defer { condition.unlock() }
        return highWater
    }
}
