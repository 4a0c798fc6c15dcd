import Dispatch
import Foundation
import Synchronization

/// Runs independent pieces of work on a few threads and keeps their results in input order.
public enum ParallelWork {
    /// `body(i)` for every `i` in `0..<count`, `workers` at a time; workers take the next index as they
    /// finish, so slow items do not hold up the others.
    /// - Parameters:
    ///   - finished: called after each item with how many are done (from worker threads).
    /// - Returns: the results, in index order.
    public static func map<T: Sendable>(count: Int, workers: Int, finished: (@Sendable (Int) -> Void)? = nil,
                                        _ body: @Sendable (Int) -> T) -> [T] {
        let state = Mutex(State<T>(count: count))
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
            while let i = state.withLock({ $0.take() }) {
                let value = body(i)
                let done = state.withLock { $0.set(i, value) }
                finished?(done)
            }
        }
        return state.withLock { $0.slots.map { $0! } }  // every slot is set once concurrentPerform returns
    }

    /// The next index to hand out and the results so far (inside the mutex).
    private struct State<T: Sendable>: Sendable {
        var next = 0
        var done = 0
        var slots: [T?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        mutating func take() -> Int? {
            guard next < slots.count else { return nil }
            defer { next += 1 }
            return next
        }

        mutating func set(_ i: Int, _ value: T) -> Int {
            slots[i] = value
            done += 1
            return done
        }
    }
}
