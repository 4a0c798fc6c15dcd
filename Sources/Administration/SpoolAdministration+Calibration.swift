import Audit
import FaceSearch
import Foundation
import Store
import SystemCalls

extension SpoolAdministration {
    /// What `frs gallery calibrate` made.
    public struct CalibrationRun: Sendable {
        /// The calibration, with its id.
        public var calibration: Calibration
        /// The HTML report: `outbox/audit/calibration-<id>.html`, beside the audit log, so the auditors'
        /// group reads it as well as the administrators (the directory is setgid to that group).
        public var reportPath: String
    }

    /// `frs gallery calibrate [--target-fpir F]`: measures FPIR and FNIR on the current gallery
    /// (``FaceSearch/Calibration``), stores the calibration (the daemon's results use the newest
    /// from their next search on), writes the HTML report and audits `gallery.calibrated`.
    /// Administrators only.
    ///
    /// - Parameters:
    ///   - options: target FPIR, rank, grid, workers.
    ///   - progress: called after each batch with (faces searched, faces).
    /// - Throws: ``AdministrationError/notAdmin(_:)``; `DatabaseError`; `MatchingError`;
    ///   `SystemCallError` when the report cannot be written.
    public func calibrateGallery(
        options: Calibration.Options = Calibration.Options(), progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> CalibrationRun {
        try requireAdmin("gallery.calibrate")
        let store = try GalleryStore(database: database)
        var calibration = try Calibration.measure(store: store, options: options, now: clock(), progress: progress)
        calibration.id = try CalibrationStore(database: database).insert(try calibration.stored())
        let path = layout.audit + "/calibration-\(calibration.id).html"
        // Built under a temporary name inside the audit directory itself (not a day file's name, so
        // readers of the log pass it by) and renamed: the setgid directory gives it the auditors' group.
        try DurableFile.write(Array(calibration.reportHTML().utf8), to: path, via: layout.audit, mode: 0o640)
        var details = [
            "calibration": "\(calibration.id)", "gallery_version": "\(calibration.galleryVersion)",
            "gallery_faces": "\(calibration.galleryFaces)", "target_fpir": "\(calibration.targetFPIR)",
            "non_mated_searches": "\(calibration.nonMatedSearches)", "mated_searches": "\(calibration.matedSearches)",
            "rank": "\(calibration.rank)", "report": "outbox/audit/calibration-\(calibration.id).html",
        ]
        if let i = calibration.thresholdIndex {
            details["threshold"] = String(format: "%.2f", calibration.thresholds[i])
            details["fpir"] = "\(calibration.fpir[i])"
            details["fpir_upper95"] = "\(calibration.fpirUpper95[i])"
            if !calibration.fnir.isEmpty { details["fnir"] = "\(calibration.fnir[i])" }
        }
        try record(.galleryCalibrated, details: details)
        return CalibrationRun(calibration: calibration, reportPath: path)
    }
}
