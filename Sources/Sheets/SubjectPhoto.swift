/// One photo of a candidate's subject, for the examiner to check a candidate against every photo
/// of the person, not only the one that matched.
public struct SubjectPhoto: Sendable, Equatable {
    /// The face crop (JPEG).
    public var jpeg: [UInt8]
    /// What is known of the photo (its date, source).
    public var caption: String

    public init(jpeg: [UInt8], caption: String) {
        self.jpeg = jpeg
        self.caption = caption
    }
}

extension ExaminerSheet {
    /// A candidate's photos folded in a `<details>`, when there is more than one.
    static func allPhotos(_ photos: [SubjectPhoto], subject: String) -> String {
        guard photos.count > 1 else { return "" }
        var html = "<details class=\"photos\"><summary>all \(photos.count) photos of \(escape(subject))</summary>"
        for photo in photos {
            html += "<div class=\"photo\">\(img(photo.jpeg, alt: "\(subject): \(photo.caption)"))<small>\(escape(photo.caption))</small></div>"
        }
        return html + "</details>"
    }
}
