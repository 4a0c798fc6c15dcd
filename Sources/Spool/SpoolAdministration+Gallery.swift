import Foundation
import Audit
import Store

extension SpoolAdministration {
    /// `frs gallery remove SUBJECT --reason TEXT` (expungement, dismissal, acquittal): the subject's
    /// images and faces leave the gallery, so every later search (the daemon reloads its matrix when the
    /// gallery version changes) no longer returns them. Administrators only; audited as `gallery.removed`
    /// with the reason, or `gallery.remove-failed` when the store refuses.
    /// - Throws: ``AdministrationError/notAdmin(_:)``; `GalleryStoreError` (unknown or already removed
    ///   subject, empty reason).
    @discardableResult
    public func removeGallerySubject(_ subject: String, reason: String) throws -> GalleryRemoval {
        try requireAdmin("gallery.remove \(subject)")
        let store = try GalleryStore(database: database)
        do {
            let removal = try store.removeSubject(subject, reason: reason, at: clock())
            try record("gallery.removed", details: [
                "subject": subject, "reason": reason, "images": "\(removal.images)", "faces": "\(removal.faces)",
                "gallery_version": "\(removal.version)",
            ])
            return removal
        } catch {
            try audit.append(AuditEvent(event: "gallery.remove-failed", actor: actor, outcome: "failed",
                                        reasons: ["\(error)"], details: ["subject": subject, "reason": reason]), now: clock())
            throw error
        }
    }
}
