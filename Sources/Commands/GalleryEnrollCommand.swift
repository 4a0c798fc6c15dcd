import Administration
import FaceEngine
import FaceSearch
import Foundation
import Glibc
import Spool
import Store
import Synchronization

/// `frs gallery enroll MANIFEST.csv`
struct GalleryEnrollCommand: AdministrativeCommand {
    /// It reads the CSV and the images named in it: only as the account that runs it.
    static let runsFromDropBox = false
    static let words = ["gallery", "enroll"]
    static let abstract = "enroll booking photos listed in a CSV manifest (subject_id,image[,source,captured])"
    static let usage = "gallery enroll [--workers N] [--pipeline booking|full] MANIFEST.csv"
    static let help = """
          --workers N     images analysed at once (default: the number of cores)
          --pipeline P    booking (default): search only for a face of about 35 % of the width or
                          more, then 20 % or more, with the full pipeline's box, score and
                          descriptor, falling back to it for any doubtful photo (about 10x the
                          throughput on booking photos; a second, smaller face is not looked for);
                          full: face_recognition's search of every face size

        Relative image paths are taken from the manifest's folder. Idempotent: an image already in the
        gallery (same SHA-256) is skipped. Images with no face, or with several (the largest is
        enrolled), and bad rows are reported by line without stopping the run. Progress goes to stderr;
        exit 1 if any row failed or had no face. Administrators only; audited.
        """

    var manifest: String
    var workers: Int
    var pipeline: DetectionPipeline

    init(arguments: inout ArgumentList) throws(UsageError) {
        (workers, pipeline) = try Self.workersAndPipeline(&arguments)
        let rest = try arguments.positionals()
        guard rest.count == 1 else { throw UsageError("gallery enroll needs exactly one MANIFEST.csv") }
        manifest = rest[0]
    }

    /// `--workers N` (default: the cores) and `--pipeline booking|full` (default: booking), as
    /// `gallery enroll` and `gallery import` take them.
    static func workersAndPipeline(_ arguments: inout ArgumentList) throws(UsageError) -> (Int, DetectionPipeline) {
        let workers = try arguments.int("--workers", in: 1...256) ?? ProcessInfo.processInfo.activeProcessorCount
        let name = try arguments.option("--pipeline") ?? DetectionPipeline.bookingPhoto.rawValue
        guard let pipeline = DetectionPipeline(rawValue: name) else { throw UsageError("--pipeline must be booking or full") }
        return (workers, pipeline)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let parsed = try GalleryManifest.load(path: manifest)
        // Gallery descriptors must come from the same weights as the daemon's probe descriptors.
        let analyzer = try ModelFiles.verifiedAnalyzer(in: context.models).analyzer
        let administration = try SpoolAdministration(layout: SpoolLayout(root: context.spool), uid: context.actingUID)
        let reporter = ProgressReporter(label: "enroll", unit: "images")
        let report = try administration.enrollGallery(
            parsed, baseDirectory: (manifest as NSString).deletingLastPathComponent, analyzer: analyzer,
            pipeline: pipeline, workers: workers
        ) { reporter.update(done: $0.done, total: $0.total, rate: $0.rate, eta: $0.eta) }
        reporter.finish()
        for o in report.outcomes where o.kind != .enrolled && o.kind != .alreadyEnrolled {
            context.err("\(manifest):\(o.line): \(o.image.isEmpty ? "" : o.image + ": ")\(o.kind.rawValue)\(o.message.map { " — " + $0 } ?? "")")
        }
        context.out("enrolled \(report.count(.enrolled) + report.count(.multipleFaces)), already enrolled \(report.count(.alreadyEnrolled)), no face \(report.count(.noFace)), several faces \(report.count(.multipleFaces)), failed \(report.count(.failed)); gallery version \(report.version)")
        return report.count(.failed) + report.count(.noFace) > 0 ? 1 : 0
    }
}

/// A progress line on stderr, at most twice a second: count, rate and ETA. Workers call it at once,
/// so its state is behind a mutex.
final class ProgressReporter: Sendable {
    private struct State {
        var last = Date.distantPast
        var wrote = false
    }
    private let state = Mutex(State())
    let label: String
    let unit: String
    let isTerminal = isatty(STDERR_FILENO) != 0

    init(label: String, unit: String) {
        self.label = label
        self.unit = unit
    }

    func update(done: Int, total: Int, rate: Double, eta: Double) {
        state.withLock { state in
            let now = Date()
            guard done == total || now.timeIntervalSince(state.last) >= 0.5 else { return }
            state.last = now
            let etaText = eta >= 60 ? "\(Int(eta) / 60)m\(String(format: "%02d", Int(eta) % 60))s" : String(format: "%.0fs", eta)
            let line = "\(label): \(done)/\(total) \(unit) (\(total > 0 ? 100 * done / total : 100)%), \(String(format: "%.1f", rate)) \(unit)/s, ETA \(etaText)"
            FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + line + (isTerminal ? "" : "\n")).utf8))
            state.wrote = true
        }
    }

    func finish() {
        state.withLock { state in
            if state.wrote && isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
