import Dispatch
import Foundation

/// Runs independent pieces of work on a few threads and keeps their results in input order.
public enum ParallelWork {
    /// `body(i)` for every `i` in `0..<count`, `workers` at a time; workers take the next index as they
    /// finish, so slow items do not hold up the others.
    /// - Parameters:
    ///   - finished: called after each item with how many are done (from worker threads).
    /// - Returns: the results, in index order.
    public static func map<T>(count: Int, workers: Int, finished: (@Sendable (Int) -> Void)? = nil,
                              _ body: @Sendable (Int) -> T) -> [T] {
        let state = State<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
            while let i = state.take() {
                let done = state.set(i, body(i))
                finished?(done)
            }
        }
        return state.values
    }

    /// The next index to hand out and the results so far.
    private final class State<T>: @unchecked Sendable {
        // All access goes through `lock`.
        private let lock = NSLock()
        private var next = 0
        private var done = 0
        private var slots: [T?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func take() -> Int? {
            lock.withLock {
                guard next < slots.count else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func set(_ i: Int, _ value: T) -> Int {
            lock.withLock {
                slots[i] = value
                done += 1
                return done
            }
        }

        /// Every slot is set once `concurrentPerform` has returned.
        var values: [T] { lock.withLock { slots.map { $0! } } }
    }
}
