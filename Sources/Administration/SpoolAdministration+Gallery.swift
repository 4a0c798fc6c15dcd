import Audit
import FaceEngine
import FaceSearch
import Foundation
import Spool
import Store
import SystemCalls

extension SpoolAdministration {
    /// `frs gallery enroll MANIFEST`: enrolls the manifest's booking photos (see ``FaceSearch/GalleryEnrollment``).
    /// Administrators only; the run is audited as `gallery.enrolled` with its counts.
    /// - Parameters:
    ///   - manifest: parsed rows (rows with errors are reported as failed).
    ///   - baseDirectory: relative image paths are taken from here (the manifest's folder).
    ///   - analyzer: the face engine.
    ///   - pipeline: how faces are found (booking photos by default; see ``FaceEngine/DetectionPipeline``).
    ///   - workers: images analysed at once.
    ///   - progress: called after each image, from worker threads.
    /// - Throws: ``AdministrationError/notAdmin(_:)`` when the acting uid is not an administrator.
    public func enrollGallery(
        _ manifest: GalleryManifest, baseDirectory: String, analyzer: FaceAnalyzer,
        pipeline: DetectionPipeline = .bookingPhoto, workers: Int = 2,
        progress: @escaping @Sendable (GalleryEnrollment.Progress) -> Void = { _ in }
    ) throws -> GalleryEnrollment.Report {
        try requireAdmin("gallery.enroll")
        let enrollment = GalleryEnrollment(store: try GalleryStore(database: try Database(path: layout.database)),
                                           analyzer: analyzer, pipeline: pipeline)
        let report = try enrollment.enroll(manifest: manifest, baseDirectory: baseDirectory, workers: workers,
                                           progress: progress)
        try record(.galleryEnrolled, details: [
            "rows": "\(report.outcomes.count)", "enrolled": "\(report.count(.enrolled) + report.count(.multipleFaces))",
            "already_enrolled": "\(report.count(.alreadyEnrolled))", "no_face": "\(report.count(.noFace))",
            "multiple_faces": "\(report.count(.multipleFaces))", "failed": "\(report.count(.failed))",
            "gallery_version": "\(report.version)",
        ])
        return report
    }

    /// `frs gallery remove SUBJECT --reason TEXT` (expungement, dismissal, acquittal): the subject's
    /// images and faces leave the gallery (with its name and date of birth, and the image files an
    /// import keeps in ``galleryImageDirectory``), so every later search (the daemon reloads its matrix when the
    /// gallery version changes) no longer returns them. Administrators only; audited as `gallery.removed`
    /// with the reason, or `gallery.remove-failed` when the store refuses.
    /// - Throws: ``AdministrationError/notAdmin(_:)``; `GalleryStoreError` (unknown or already removed
    ///   subject, empty reason).
    @discardableResult
    public func removeGallerySubject(_ subject: String, reason: String) throws -> GalleryRemoval {
        let authority = try authority()
        try require(authority.isAdministrator || authority.isBookingFeed, "gallery.remove \(subject)",
                    because: .notPermitted("\(authority.description) may not remove gallery subjects: administrators "
                                           + "and the booking feed may"))
        let store = try GalleryStore(database: database)
        do {
            let removal = try store.removeSubject(subject, reason: reason, at: clock())
            // Imported booking photos are the gallery's own files: they go with the subject.
            for path in removal.imagePaths where path.hasPrefix(galleryImageDirectory + "/") {
                try DurableFile.remove(path)
            }
            try record(.galleryRemoved, details: [
                "subject": subject, "reason": reason, "images": "\(removal.images)", "faces": "\(removal.faces)",
                "gallery_version": "\(removal.version)",
            ])
            return removal
        } catch {
            try audit.append(AuditEvent(.galleryRemoveFailed, actor: actor, outcome: "failed",
                                        reasons: ["\(error)"], details: ["subject": subject, "reason": reason]), now: clock())
            throw error
        }
    }
}
