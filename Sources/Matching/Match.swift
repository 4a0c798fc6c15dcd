/// One candidate of a search: a gallery row within the threshold, ranked by exact distance.
public struct Match: Sendable, Hashable, CustomStringConvertible {
    /// 1 for the nearest row.
    public var rank: Int
    /// The row in the ``GalleryMatrix``.
    public var row: Int
    /// The face's id in the store.
    public var faceID: Int64
    /// The subject's id in the store.
    public var subjectID: Int64
    /// Euclidean distance between probe and row, computed in double precision from the float32
    /// descriptors (dlib's convention: the same person below 0.6).
    public var distance: Double

    public init(rank: Int, row: Int, faceID: Int64, subjectID: Int64, distance: Double) {
        self.rank = rank
        self.row = row
        self.faceID = faceID
        self.subjectID = subjectID
        self.distance = distance
    }

    public var description: String { "#\(rank) row \(row) face \(faceID) subject \(subjectID) d=\(distance)" }
}
