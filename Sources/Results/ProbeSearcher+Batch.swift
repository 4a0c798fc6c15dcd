import Basics

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
        ParallelWork.map(count: images.count, workers: workers) { i in
            Result { try self.search(imageBytes: images[i], maxCandidates: maxCandidates, threshold: threshold) }
        }
    }
}
