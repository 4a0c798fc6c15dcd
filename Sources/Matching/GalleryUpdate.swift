/// The changes between two gallery versions, as a matrix applies them
/// (``GalleryMatrix/applying(_:)``).
public struct GalleryUpdate: Sendable {
    /// The version the updated matrix belongs to.
    public var galleryVersion: Int64
    /// Subjects whose rows leave the matrix.
    public var removedSubjects: Set<Int64>
    /// Rows added (after the kept rows, in this order), row-major.
    public var descriptors: [Float]
    public var faceIDs: [Int64]
    public var subjectIDs: [Int64]

    public init(
        galleryVersion: Int64, removedSubjects: Set<Int64>, descriptors: [Float] = [], faceIDs: [Int64] = [],
        subjectIDs: [Int64] = []
    ) {
        self.galleryVersion = galleryVersion
        self.removedSubjects = removedSubjects
        self.descriptors = descriptors
        self.faceIDs = faceIDs
        self.subjectIDs = subjectIDs
    }
}
