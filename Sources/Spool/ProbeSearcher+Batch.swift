import Dispatch
import Foundation

extension ProbeSearcher {
    /// Searches many probe images (a bulk job's next batch).
    ///
    /// The default runs ``search(imageBytes:maxCandidates:threshold:)`` on the images in parallel,
    /// `workers` at a time. A searcher that can do better (the face search matches all faces of a
    /// batch with one blocked kernel) implements ``searchBatch(_:maxCandidates:threshold:workers:)``
    /// itself.
    /// - Returns: one result per image, in order: the faces, or the error that image gave.
    public func searchBatch(_ images: [[UInt8]], maxCandidates: Int, threshold: Double, workers: Int)
        -> [Result<[FaceResult], any Error>]
    {
        let slots = ResultSlots<[FaceResult]>(count: images.count)
        let next = WorkCounter()
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, images.count))) { _ in
            while let i = next.take(below: images.count) {
                slots.set(i, Result { try self.search(imageBytes: images[i], maxCandidates: maxCandidates, threshold: threshold) })
            }
        }
        return slots.values
    }
}

/// Results filled in by parallel workers, guarded by a lock.
final class ResultSlots<T>: @unchecked Sendable {
    // All access goes through `lock`.
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: Result<T, any Error>) {
        lock.withLock { slots[i] = value }
    }

    var values: [Result<T, any Error>] {
        lock.withLock { slots.map { $0 ?? .failure(CancellationError()) } }
    }
}
