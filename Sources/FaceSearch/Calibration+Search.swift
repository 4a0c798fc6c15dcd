import Dispatch
import Foundation
import Matching
import Results
import Store

extension Calibration {
    /// How a calibration is run.
    public struct Options: Sendable, Equatable {
        /// The FPIR the threshold is chosen for (default 0.01).
        public var targetFPIR: Double
        /// The candidate list length for mated searches (default 20, the default `max_candidates`).
        public var rank: Int
        /// The threshold grid, increasing (default 0.30…0.70 step 0.01).
        public var thresholds: [Double]
        /// Probes searched per call of the many-probe kernel.
        public var batch: Int
        /// Parallel chunks of the matcher (default: the processors).
        public var workers: Int?
        /// Search only this many faces, chosen at random (fixed seed), each against the *whole*
        /// gallery; `nil` searches every face. The gallery's size, which FPIR depends on, stays
        /// what it is; the cost falls in proportion and the confidence bound widens accordingly.
        /// For galleries of millions, where searching every face would take hours.
        public var sample: Int?
        /// The policy's threshold settings, kept with the calibration so its report shows the
        /// threshold jobs will run at.
        public var policy: ThresholdPolicy?

        public init(targetFPIR: Double = 0.01, rank: Int = 20, thresholds: [Double] = Calibration.defaultThresholds,
                    batch: Int = 2048, workers: Int? = nil, sample: Int? = nil, policy: ThresholdPolicy? = nil) {
            self.policy = policy
            self.targetFPIR = targetFPIR
            self.rank = rank
            self.thresholds = thresholds
            self.batch = batch
            self.workers = workers
            self.sample = sample
        }
    }

    /// What one gallery face's two searches found.
    struct RowOutcome: Sendable, Equatable {
        /// Non-mated: the distance of the nearest face of another subject (∞ beyond the grid).
        var nonMated: Double
        /// Mated: the distance of the subject's nearest other photo if it ranks within `R`
        /// (∞ if it does not, or lies beyond the grid); `nil` for a subject with one photo.
        var mated: Double?
    }

    /// Calibrates the store's current gallery (every searchable face; see the type's
    /// documentation for the method).
    ///
    /// - Parameters:
    ///   - store: the gallery tables.
    ///   - options: target, rank, grid.
    ///   - now: the calibration's time.
    ///   - progress: called after each batch with (faces searched, faces).
    /// - Throws: ``CalibrationError``, `DatabaseError`, `GalleryStoreError`, ``Matching/MatchingError``.
    public static func measure(
        store: GalleryStore, options: Options = Options(), now: Date = Date(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Calibration {
        let rows = try store.activeDescriptors()
        let matrix = try GalleryMatrix(dimension: rows.dimension, galleryVersion: rows.version,
                                       descriptors: rows.descriptors, faceIDs: rows.faceIDs, subjectIDs: rows.subjectIDs)
        return try measure(matcher: Matcher(gallery: matrix, workers: options.workers), descriptors: rows.descriptors,
                           options: options, now: now, progress: progress)
    }

    /// Calibrates a gallery given its matcher and its rows' descriptors.
    ///
    /// Each face is searched once against the whole gallery with the many-probe kernel
    /// (`Matcher.search(probes:k:threshold:)`), `k` large enough to reach past the subject's own
    /// photos, and both searches are read off that one list: the non-mated search from its first
    /// row of another subject (all the subject's rows filtered out), the mated search from its first
    /// row of the same subject other than the probe itself (only the probe's own row filtered out),
    /// ranked by the other subjects met before it. The search is limited to the grid's largest
    /// threshold, beyond which nothing counts. A face whose list was too short to decide (many rows
    /// of a few strangers before the mate) is searched again alone with a larger `k`.
    ///
    /// - Parameters:
    ///   - matcher: the gallery searched.
    ///   - descriptors: the gallery's rows, row-major, in the matrix's row order.
    ///   - options: target, rank, grid.
    ///   - now: the calibration's time.
    ///   - progress: called after each batch with (faces searched, faces).
    /// - Throws: ``CalibrationError`` for a gallery of fewer than two subjects (no non-mated
    ///   search is possible); ``Matching/MatchingError`` (e.g. descriptors that do not fit the matrix).
    /// - Complexity: O(faces² × dimension) in the kernel: minutes for 100,000 faces on two cores.
    public static func measure(
        matcher: Matcher, descriptors: [Float], options: Options = Options(), now: Date = Date(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Calibration {
        let started = DispatchTime.now().uptimeNanoseconds
        let gallery = matcher.gallery
        let count = gallery.count, dim = gallery.dimension
        guard descriptors.count == count * dim else {
            throw MatchingError.countMismatch(expected: count * dim, actual: descriptors.count)
        }
        let thresholds = options.thresholds
        let maxThreshold = thresholds.last ?? 0
        var photos: [Int64: Int] = [:]
        for s in gallery.subjectIDs { photos[s, default: 0] += 1 }
        let mostPhotos = photos.values.max() ?? 0
        let rank = max(1, options.rank)
        guard photos.count >= 2 else {
            throw CalibrationError(message: "the gallery has \(photos.count) subject\(photos.count == 1 ? "" : "s") with "
                + "searchable faces; a calibration needs at least two (enroll the gallery first)")
        }

        let probeRows = Self.probeRows(count: count, sample: options.sample)
        var outcomes: [RowOutcome] = []
        outcomes.reserveCapacity(probeRows.count)
        if count > 0 {
            let k = min(count, min(mostPhotos, 64) + rank + 4)
            var start = 0
            while start < probeRows.count {
                let end = min(probeRows.count, start + max(1, options.batch))
                let probes = probeRows[start..<end].map { Array(descriptors[($0 * dim)..<(($0 + 1) * dim)]) }
                let lists = try matcher.search(probes: probes, k: k, threshold: maxThreshold)
                for (i, list) in lists.enumerated() {
                    let row = probeRows[start + i]
                    let subject = gallery.subjectIDs[row]
                    let hasMate = (photos[subject] ?? 0) > 1
                    var outcome = analyze(list, row: row, subject: subject, hasMate: hasMate, rank: rank,
                                          complete: list.count < k || k >= count)
                    var wider = k
                    while outcome == nil {
                        wider = min(count, wider * 4)
                        let again = try matcher.search(probes[i], k: wider, threshold: maxThreshold)
                        outcome = analyze(again, row: row, subject: subject, hasMate: hasMate, rank: rank,
                                          complete: again.count < wider || wider >= count)
                    }
                    outcomes.append(outcome!)
                }
                start = end
                progress(start, probeRows.count)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return tally(outcomes, galleryVersion: gallery.galleryVersion, faces: count, subjects: photos.count,
                     options: options, now: now, seconds: seconds)
    }

    /// The rows searched: all, or `sample` of them drawn without replacement (a seeded partial
    /// Fisher–Yates shuffle, so a calibration can be repeated), in row order.
    static func probeRows(count: Int, sample: Int?) -> [Int] {
        guard let sample, sample < count else { return Array(0..<count) }
        var rows = Array(0..<count)
        var random = RandomDescriptors(seed: 0x5A3B_1E00 ^ UInt64(count))
        for i in 0..<max(0, sample) {
            let j = i + Int(random.next() % UInt64(count - i))
            rows.swapAt(i, j)
        }
        return rows.prefix(max(0, sample)).sorted()
    }

    /// Reads one face's non-mated and mated outcomes off its nearest rows (sorted by distance,
    /// then row); `nil` when the list ends before both are decided.
    ///
    /// - Parameter complete: the list holds every row within the search's threshold.
    static func analyze(
        _ list: [Match], row: Int, subject: Int64, hasMate: Bool, rank: Int, complete: Bool
    ) -> RowOutcome? {
        var nonMated: Double?
        var mated: Double?
        var strangers = Set<Int64>()
        for match in list where match.row != row {
            if match.subjectID == subject {
                // The mate's rank is 1 + the other subjects with a nearer face.
                if hasMate, mated == nil { mated = strangers.count < rank ? match.distance : .infinity }
            } else {
                if nonMated == nil { nonMated = match.distance }
                if hasMate, mated == nil {
                    strangers.insert(match.subjectID)
                    if strangers.count >= rank { mated = .infinity }
                }
            }
            if nonMated != nil, !hasMate || mated != nil { break }
        }
        if complete {
            // Nothing more within the threshold: what was not found counts at no threshold.
            return RowOutcome(nonMated: nonMated ?? .infinity, mated: hasMate ? (mated ?? .infinity) : nil)
        }
        guard let nonMated, !hasMate || mated != nil else { return nil }
        return RowOutcome(nonMated: nonMated, mated: mated)
    }

    /// The curves from every face's outcomes.
    static func tally(
        _ outcomes: [RowOutcome], galleryVersion: Int64, faces: Int, subjects: Int, options: Options, now: Date,
        seconds: Double
    ) -> Calibration {
        let thresholds = options.thresholds
        let nonMated = outcomes.map(\.nonMated).sorted()
        let mated = outcomes.compactMap(\.mated).sorted()
        /// Values `≤ t` in a sorted array.
        func atMost(_ values: [Double], _ t: Double) -> Int {
            var low = 0, high = values.count
            while low < high {
                let mid = (low + high) / 2
                if values[mid] <= t { low = mid + 1 } else { high = mid }
            }
            return low
        }
        let falsePositives = thresholds.map { atMost(nonMated, $0) }
        let misses = thresholds.map { mated.count - atMost(mated, $0) }
        let n = nonMated.count, m = mated.count
        let fpir = falsePositives.map { n > 0 ? Double($0) / Double(n) : 0 }
        let upper = falsePositives.map { CalibrationBound.upper95(events: $0, trials: n) }
        let fnir = m > 0 ? misses.map { Double($0) / Double(m) } : []
        let curve = CalibrationCurve(thresholds: thresholds, falsePositives: falsePositives, nonMatedSearches: n, fpir: fpir,
                                     fpirUpper95: upper)
        let chosen = curve.thresholdIndex(forTarget: options.targetFPIR)
        return Calibration(
            id: 0, created: now.formatted(.iso8601), galleryVersion: galleryVersion, galleryFaces: faces,
            gallerySubjects: subjects, targetFPIR: options.targetFPIR, rank: max(1, options.rank),
            nonMatedSearches: n, matedSearches: m, thresholds: thresholds, falsePositives: falsePositives,
            misses: misses, fpir: fpir, fpirUpper95: upper, fnir: fnir, threshold: chosen.map { thresholds[$0] },
            seconds: seconds, policy: options.policy)
    }
}
