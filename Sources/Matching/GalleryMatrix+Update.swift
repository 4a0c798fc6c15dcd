import Dispatch

extension GalleryMatrix {
    /// The largest face id among the rows whose subject is not in `removedSubjects` (0 when none
    /// is left): what ``GalleryStore``'s change query needs to find the faces added since.
    /// - Complexity: O(count).
    public func lastFaceID(keepingAllBut removedSubjects: Set<Int64>) -> Int64 {
        var last: Int64 = 0
        for r in 0..<count where faceIDs[r] > last && !removedSubjects.contains(subjectIDs[r]) { last = faceIDs[r] }
        return last
    }

    /// A new matrix for `update.galleryVersion`: this one's rows without those of the removed
    /// subjects (order kept), then the added rows. Equal, row for row, to a matrix built from
    /// scratch from the same rows, so results (ties broken by row) do not depend on the history.
    ///
    /// The panels up to the first removed row are copied as blocks; later blocks are gathered
    /// lane by lane from the kept rows; both on all processors.
    /// A matrix that scans a compact copy gets a new copy; its float32 rows are then held in memory (no longer
    /// mapped from a cache file) until it is next loaded from one.
    ///
    /// - Throws: ``MatchingError`` for added rows of the wrong size, non-finite or out of range.
    /// - Complexity: O(count x dimension) memory traffic (a copy).
    public func applying(_ update: GalleryUpdate) throws(MatchingError) -> GalleryMatrix {
        let dim = dimension
        let lanes = MatchKernel.lanes
        let added = update.faceIDs.count
        guard update.subjectIDs.count == added else {
            throw .countMismatch(expected: added, actual: update.subjectIDs.count)
        }
        guard update.descriptors.count == added * dim else {
            throw .countMismatch(expected: added * dim, actual: update.descriptors.count)
        }
        var keptFaces: [Int64] = []
        var keptSubjects: [Int64] = []
        var kept: [Int] = []
        var firstRemoved = count
        if update.removedSubjects.isEmpty {
            keptFaces = faceIDs
            keptSubjects = subjectIDs
        } else {
            kept.reserveCapacity(count)
            for r in 0..<count {
                if update.removedSubjects.contains(subjectIDs[r]) {
                    firstRemoved = min(firstRemoved, r)
                } else {
                    kept.append(r)
                }
            }
            keptFaces = kept.map { faceIDs[$0] }
            keptSubjects = kept.map { subjectIDs[$0] }
        }
        let keptCount = keptFaces.count
        let total = keptCount + added
        let blocks = (total + lanes - 1) / lanes
        let target = PanelStorage(uninitializedBlocks: blocks, dim: dim)
        let source = storage
        // Whole blocks before the first removed row (and before the old last, partial block).
        let copiedBlocks = min(firstRemoved, keptCount) / lanes
        if copiedBlocks > 0 {
            let bytes = copiedBlocks * dim * MemoryLayout<SIMD16<Float>>.stride
            let chunks = 8
            let src = UnsafeSendable(UnsafePointer(source.panels)), dst = UnsafeSendable(target.panels)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = bytes * c / chunks / 64 * 64, hi = c == chunks - 1 ? bytes : bytes * (c + 1) / chunks / 64 * 64
                UnsafeMutableRawPointer(dst.pointer).advanced(by: lo)
                    .copyMemory(from: UnsafeRawPointer(src.pointer).advanced(by: lo), byteCount: hi - lo)
            }
            target.norms.update(from: source.norms, count: copiedBlocks)
        }
        // The remaining blocks: zero them (padding), then move rows in.
        let rest = blocks - copiedBlocks
        if rest > 0 {
            (target.panels + copiedBlocks * dim).initialize(repeating: SIMD16<Float>(), count: rest * dim)
            (target.norms + copiedBlocks).initialize(repeating: SIMD16<Float>(repeating: .infinity), count: rest)
        }
        // Kept rows after the copied blocks, destination block by destination block (each written
        // once, in order), on all processors: lane j of block d comes from source row kept[16d + j].
        let moved = keptCount - copiedBlocks * lanes
        if moved > 0 {
            let firstBlock = copiedBlocks
            let lastBlock = (keptCount + lanes - 1) / lanes
            let chunks = min(lastBlock - firstBlock, 16)
            let src = UnsafeSendable(UnsafePointer(source.floats)), dst = UnsafeSendable(target.floats)
            let srcNorms = UnsafeSendable(UnsafePointer(source.normFloats)), dstNorms = UnsafeSendable(target.normFloats)
            let keptRows = kept
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let span = lastBlock - firstBlock
                let lo = firstBlock + span * c / chunks, hi = firstBlock + span * (c + 1) / chunks
                keptRows.withUnsafeBufferPointer { keptRows in
                    var offsets = [Int](repeating: 0, count: lanes)
                    // Two source panel values side by side, for the shifted copy below.
                    let pair = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: 2)
                    defer { pair.deallocate() }
                    for d in lo..<hi {
                        let rows = min(lanes, keptCount - d * lanes)
                        let first = keptRows.isEmpty ? d * lanes : keptRows[d * lanes]
                        let last = keptRows.isEmpty ? d * lanes + rows - 1 : keptRows[d * lanes + rows - 1]
                        if rows == lanes, last - first == lanes - 1, first / lanes + 1 < source.blocks || first % lanes == 0 {
                            // The usual case: 16 consecutive source rows (kept rows are increasing), at
                            // lane offset o of source block a and, for o > 0, the start of block a + 1.
                            // Lane j of the result is lane o + j of the pair (a[k], a+1[k]).
                            let a = first / lanes, o = first % lanes
                            let out = UnsafeMutableRawPointer(dst.pointer + d * dim * lanes)
                                .assumingMemoryBound(to: SIMD16<Float>.self)
                            let panelA = UnsafeRawPointer(src.pointer + a * dim * lanes).assumingMemoryBound(to: SIMD16<Float>.self)
                            if o == 0 {
                                out.update(from: panelA, count: dim)
                            } else {
                                let panelB = panelA + dim
                                let shifted = UnsafeRawPointer(pair).advanced(by: o * MemoryLayout<Float>.stride)
                                for k in 0..<dim {
                                    pair[0] = panelA[k]
                                    pair[1] = panelB[k]
                                    out[k] = shifted.loadUnaligned(as: SIMD16<Float>.self)
                                }
                            }
                            for j in 0..<lanes { dstNorms.pointer[d * lanes + j] = srcNorms.pointer[first + j] }
                            continue
                        }
                        for j in 0..<rows {
                            let r = keptRows.isEmpty ? d * lanes + j : keptRows[d * lanes + j]
                            offsets[j] = (r / lanes) * dim * lanes + r % lanes
                            dstNorms.pointer[d * lanes + j] = srcNorms.pointer[r]
                        }
                        let out = dst.pointer + d * dim * lanes
                        offsets.withUnsafeBufferPointer { offsets in
                            for k in 0..<dim {
                                for j in 0..<rows { out[k * lanes + j] = src.pointer[offsets[j] + k * lanes] }
                            }
                        }
                    }
                }
            }
        }
        try Self.pack(update.descriptors, into: target, from: keptCount)
        return GalleryMatrix(
            dimension: dim, galleryVersion: update.galleryVersion, faceIDs: keptFaces + update.faceIDs,
            subjectIDs: keptSubjects + update.subjectIDs, storage: target,
            scan: precision.panels(for: target))
    }
}
