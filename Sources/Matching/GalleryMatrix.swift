/// The gallery in memory: one contiguous float32 matrix of descriptors (in the panel layout of
/// ``MatchKernel``), their squared norms, and for each row the face and subject it belongs to.
///
/// A matrix is an immutable snapshot of one gallery version. A new version is a new, compacted
/// matrix (``applying(_:)``: removed subjects' rows out, added rows appended) rather than masked
/// rows, so the kernels never test a mask; the daemon applies the store's changes since its
/// version instead of rebuilding from the database, and caches the result in the background
/// (``GalleryCache/writeInBackground(_:directory:)``).
///
/// Memory: the descriptors (4 x dim bytes a row, padded to a multiple of 16 rows), 4 bytes of norm
/// and 16 bytes of ids a row; for 128-d that is 1.04 x the raw matrix.
///
/// ## Scan precision
/// The kernels scan the matrix's ``ScanPanels`` (``precision``): the float32 panels themselves,
/// or a compact copy of them. A ``ScanPrecision/float16`` matrix holds a half-precision copy
/// (``HalfPanels``, 2 x dim bytes a row): half the memory traffic of a one-probe scan. Results
/// stay exact: ``Matcher`` widens its error bound by the copy's proven quantization error and
/// re-ranks every candidate from the float32 values. Loaded from a cache file
/// (``GalleryCache/load(directory:galleryVersion:precision:)``) with a compact precision, the
/// float32 panels stay in the file, mapped read-only: only re-ranked rows are ever paged in, so
/// the resident matrix is 2 x dim + 20 bytes a row (276 bytes for 128-d: 2.76 GB for 10M faces).
public struct GalleryMatrix: Sendable {
    /// Values in a descriptor (128 for dlib's).
    public let dimension: Int
    /// Rows (faces).
    public let count: Int
    /// The gallery version this snapshot was made from.
    public let galleryVersion: Int64
    /// For each row, the face's id in the store.
    public let faceIDs: [Int64]
    /// For each row, the subject's id in the store.
    public let subjectIDs: [Int64]
    /// The largest squared row norm, for the float error bound of the kernels.
    let maxSquaredNorm: Float
    /// Panels and norms.
    let storage: PanelStorage
    /// The panels the kernels scan (the float32 panels, or a compact copy of them).
    let scan: any ScanPanels

    /// Which panels the kernels scan.
    public var precision: ScanPrecision { scan.precision }

    /// Bytes kept in resident memory: scanned panels, the float32 panels unless they are mapped
    /// from a cache file, norms and ids.
    public var residentBytes: Int {
        storage.residentBytes + scan.copyBytes + 16 * count
    }

    /// The largest squared norm accepted for a row or probe. dlib's descriptors have squared norms
    /// near 2; the limit keeps every float32 sum of the kernels far from overflow.
    public static let maximumSquaredNorm = 1e12

    /// Builds a matrix from row-major descriptors.
    ///
    /// - Parameters:
    ///   - dimension: values in a descriptor; a positive multiple of 4.
    ///   - galleryVersion: the store's gallery version these rows come from.
    ///   - descriptors: `faceIDs.count x dimension` values, row after row.
    ///   - faceIDs: the face id of each row.
    ///   - subjectIDs: the subject id of each row.
    ///   - precision: the panels the kernels scan (float32 by default).
    /// - Throws: ``MatchingError`` for a bad dimension, mismatched lengths, a non-finite value or
    ///   a row beyond ``maximumSquaredNorm``.
    /// - Complexity: O(rows x dimension).
    public init(
        dimension: Int, galleryVersion: Int64, descriptors: [Float], faceIDs: [Int64], subjectIDs: [Int64],
        precision: ScanPrecision = .float32
    ) throws(MatchingError) {
        guard dimension > 0, dimension % 4 == 0 else { throw .invalidDimension(dimension) }
        guard subjectIDs.count == faceIDs.count else {
            throw .countMismatch(expected: faceIDs.count, actual: subjectIDs.count)
        }
        let count = faceIDs.count
        guard descriptors.count == count * dimension else {
            throw .countMismatch(expected: count * dimension, actual: descriptors.count)
        }
        let lanes = MatchKernel.lanes
        let storage = PanelStorage(blocks: (count + lanes - 1) / lanes, dim: dimension)
        try Self.pack(descriptors, into: storage, from: 0)
        self.init(
            dimension: dimension, galleryVersion: galleryVersion, faceIDs: faceIDs, subjectIDs: subjectIDs,
            storage: storage, scan: precision.panels(for: storage))
    }

    /// Writes row-major `descriptors` into `storage`'s panels as rows `first, first + 1, …` (lane
    /// layout of ``MatchKernel``) with their squared norms, checking each row.
    /// - Throws: ``MatchingError/nonFinite(row:)`` or ``MatchingError/outOfRange(row:)`` naming the
    ///   row in the matrix.
    static func pack(_ descriptors: [Float], into storage: PanelStorage, from first: Int) throws(MatchingError) {
        let dimension = storage.dim, lanes = MatchKernel.lanes
        let floats = storage.floats, norms = storage.normFloats
        var badRow: Int?
        var largeRow: Int?
        descriptors.withUnsafeBufferPointer { source in
            for i in 0..<(source.count / dimension) {
                let row = first + i
                let base = (row / lanes) * dimension * lanes + row % lanes
                var norm = 0.0
                for k in 0..<dimension {
                    let v = source[i * dimension + k]
                    floats[base + k * lanes] = v
                    norm += Double(v) * Double(v)
                }
                guard norm.isFinite else { badRow = row; return }
                guard norm <= Self.maximumSquaredNorm else { largeRow = row; return }
                norms[row] = Float(norm)
            }
        }
        if let badRow { throw MatchingError.nonFinite(row: badRow) }
        if let largeRow { throw MatchingError.outOfRange(row: largeRow) }
    }

    /// This matrix scanning `precision` panels (the float32 panels are shared, not copied).
    /// - Complexity: O(count x dimension) to make a compact copy, O(1) otherwise.
    public func converted(to precision: ScanPrecision) -> GalleryMatrix {
        guard precision != self.precision else { return self }
        return GalleryMatrix(
            dimension: dimension, galleryVersion: galleryVersion, faceIDs: faceIDs, subjectIDs: subjectIDs,
            storage: storage, scan: precision.panels(for: storage))
    }

    /// Wraps filled storage (used by the initializer above and by ``GalleryCache``); `scan`
    /// defaults to the storage's own float32 panels.
    init(
        dimension: Int, galleryVersion: Int64, faceIDs: [Int64], subjectIDs: [Int64], storage: PanelStorage,
        scan: (any ScanPanels)? = nil
    ) {
        self.dimension = dimension
        self.scan = scan ?? Float32Scan(storage: storage)
        self.count = faceIDs.count
        self.galleryVersion = galleryVersion
        self.faceIDs = faceIDs
        self.subjectIDs = subjectIDs
        self.storage = storage
        var maxNorm: Float = 0
        let norms = storage.normFloats
        for row in 0..<faceIDs.count { maxNorm = max(maxNorm, norms[row]) }
        self.maxSquaredNorm = maxNorm
    }

    /// An empty gallery.
    public static func empty(dimension: Int = 128, galleryVersion: Int64 = 0) throws(MatchingError) -> GalleryMatrix {
        try GalleryMatrix(dimension: dimension, galleryVersion: galleryVersion, descriptors: [], faceIDs: [], subjectIDs: [])
    }

    /// Blocks of 16 rows in the panel layout.
    var blocks: Int { storage.blocks }

    /// The descriptor of `row`.
    /// - Precondition: `0 <= row < count`.
    public func row(_ row: Int) -> [Float] {
        precondition(row >= 0 && row < count, "row \(row) out of range 0..<\(count)")
        return (0..<dimension).map { storage.value(row: row, k: $0) }
    }

    /// All descriptors, row-major (`count x dimension` values).
    /// - Complexity: O(count x dimension).
    public func rowMajorDescriptors() -> [Float] {
        var out = [Float](repeating: 0, count: count * dimension)
        for r in 0..<count {
            for k in 0..<dimension { out[r * dimension + k] = storage.value(row: r, k: k) }
        }
        return out
    }

    /// A new matrix without the rows of `subjects`, for `galleryVersion` (see ``applying(_:)``).
    /// - Complexity: O(count x dimension).
    public func removing(subjects: Set<Int64>, galleryVersion: Int64) -> GalleryMatrix {
        // Nothing is added, so nothing can be rejected.
        do {
            return try applying(GalleryUpdate(galleryVersion: galleryVersion, removedSubjects: subjects))
        } catch {
            preconditionFailure("removing rows failed: \(error)")
        }
    }
}
