import Administration
import Basics
import FaceEngine
import FaceSearch
import Foundation
import Glibc
import Spool
import Store

/// `frs gallery import FILE|DIR…`
struct GalleryImportCommand: AdministrativeCommand {
    /// It reads the transaction files named on its command line: only as the account that runs it.
    static let runsFromDropBox = false
    static let words = ["gallery", "import"]
    static let abstract = "import booking transactions (ANSI/NIST-ITL: .an2, .eft, .ebts, .nist) into the gallery"
    static let usage = "gallery import [--workers N] [--pipeline booking|full] [--json] FILE|DIR..."
    static let help = """
          --workers N     transactions imported at once (default: the number of cores)
          --pipeline P    how faces are found, as for 'gallery enroll' (default: booking)
          --json          one JSON report per file, one per line, instead of text

        Reads ANSI/NIST-ITL transactions in the traditional encoding (versions 0200 to 0500), one per
        file; a directory gives its .an2, .eft, .ebts and .nist files. Each Type-10 FACE image
        (JPEGB or uncompressed; JPEGL, JP2, JP2L and PNG are refused by name) is enrolled through the
        booking pipeline of 'gallery enroll', under the person the transaction names: the policy's
        identity_fields (default 2.015 SID, then 2.014 UCN), else ORI/TCN. A person booked again
        gains a photo under the same subject. Name (2.018) and date of birth (2.022) are kept in the
        gallery, never in the audit log. Idempotent by content: an image already enrolled adds
        nothing. A truncated or foreign file is refused with its reason and nothing of it enrolled.
        Progress goes to stderr; exit 1 if any file or image was refused or failed.
        Administrators only; audited.
        """

    var paths: [String]
    var workers: Int
    var pipeline: DetectionPipeline
    var json: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        (workers, pipeline) = try GalleryEnrollCommand.workersAndPipeline(&arguments)
        json = arguments.flag("--json")
        paths = try arguments.positionals()
        guard !paths.isEmpty else { throw UsageError("gallery import needs at least one FILE or DIR") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let administration = try SpoolAdministration(layout: SpoolLayout(root: context.spool), uid: context.actingUID)
        let files: [String]
        do {
            files = try SpoolAdministration.transactionFiles(paths)
        } catch {
            throw GalleryCommandError(message: "cannot read \(error); name transaction files or directories that hold them")
        }
        let analyzer = try ModelFiles.verifiedAnalyzer(in: context.models).analyzer
        let reporter = ProgressReporter(label: "import", unit: "transactions")
        let run = try administration.importGallery(files: files, analyzer: analyzer, pipeline: pipeline, workers: workers) {
            reporter.update(done: $0.done, total: $0.total, rate: $0.rate, eta: $0.eta)
        }
        reporter.finish()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var problems = 0
        for report in run.reports {
            let bad = report.status == .refused || report.images.contains { $0.outcome == .refused || $0.outcome == .failed }
            if bad { problems += 1 }
            if json {
                context.out(String(decoding: try encoder.encode(report), as: UTF8.self))
                continue
            }
            if report.status == .refused {
                context.err("\(report.source): refused: \(report.reason?.rawValue ?? "") — \(report.message ?? "")")
                continue
            }
            for image in report.images where image.outcome != .enrolled && image.outcome != .alreadyEnrolled {
                context.err("\(report.source): record \(image.record): \(image.outcome.rawValue)\(image.reason.map { " (\($0.rawValue))" } ?? "")\(image.message.map { " — " + $0 } ?? "")")
            }
        }
        if !json {
            let images = run.reports.flatMap(\.images)
            func count(_ o: BookingImportReport.Image.Outcome) -> Int { images.filter { $0.outcome == o }.count }
            let refusedFiles = run.reports.filter { $0.status == .refused }.count
            context.out("transactions \(run.reports.count) (refused \(refusedFiles)); images enrolled \(count(.enrolled) + count(.multipleFaces)), already enrolled \(count(.alreadyEnrolled)), no face \(count(.noFace)), refused \(count(.refused) + count(.failed)); other Type-10 images skipped \(run.reports.reduce(0) { $0 + $1.skipped.count }); gallery version \(run.version)")
        }
        return problems > 0 ? 1 : 0
    }
}

/// `frs gallery list [--subject S]`
struct GalleryListCommand: AdministrativeCommand {
    static let words = ["gallery", "list"]
    static let abstract = "the gallery's subjects: photos, photo dates, sources, names and dates of birth"
    static let usage = "gallery list [--subject SUBJECT] [--json]"
    static let help = """
          --subject S     one subject, with each of its images (path, source, photo date, profile, pose)
          --json          JSON instead of text

        One line per subject that can be found (removed subjects are not listed): id, photos, first
        and last photo date, date of birth, name, sources. Administrators only; audited (without names).
        """

    var subject: String?
    var json: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        subject = try arguments.option("--subject")
        json = arguments.flag("--json")
        guard try arguments.positionals().isEmpty else { throw UsageError("gallery list takes no arguments; use --subject") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let administration = try SpoolAdministration(layout: SpoolLayout(root: context.spool), uid: context.actingUID)
        let (subjects, images) = try administration.listGallery(subject: subject)
        if let subject, subjects.isEmpty {
            throw GalleryCommandError(message: "no subject \(subject) in the gallery (or it was removed)")
        }
        func text(_ s: String?) -> String { s.map(JSONText.string) ?? "null" }
        if json {
            for s in subjects {
                var fields: [(String, String)] = [
                    ("subject", JSONText.string(s.subject)), ("name", text(s.name)), ("date_of_birth", text(s.dateOfBirth)),
                    ("images", "\(s.images)"), ("faces", "\(s.faces)"), ("first_photo", text(s.firstCaptured)),
                    ("last_photo", text(s.lastCaptured)), ("sources", JSONText.array(s.sources.map(JSONText.string))),
                    ("enrolled", JSONText.string(s.createdAt)),
                ]
                if subject != nil {
                    fields.append(("image_list", JSONText.array(images.map { i in
                        JSONText.object([("path", JSONText.string(i.path)), ("sha256", JSONText.string(i.sha256)),
                                         ("source", text(i.source)), ("photo_date", text(i.captured)), ("profile", text(i.profile)),
                                         ("pose", text(i.pose)), ("faces", "\(i.faces)"), ("enrolled", JSONText.string(i.enrolledAt))])
                    })))
                }
                context.out(JSONText.object(fields))
            }
            return 0
        }
        context.out(["SUBJECT", "PHOTOS", "FIRST", "LAST", "DOB", "NAME", "SOURCES"].joined(separator: "\t"))
        for s in subjects {
            context.out([s.subject, "\(s.images)", s.firstCaptured ?? "-", s.lastCaptured ?? "-", s.dateOfBirth ?? "-",
                         s.name ?? "-", s.sources.isEmpty ? "-" : s.sources.joined(separator: "; ")].joined(separator: "\t"))
        }
        if subject != nil {
            context.out("")
            context.out(["IMAGE", "PHOTO DATE", "PROFILE", "POSE", "FACES", "SOURCE"].joined(separator: "\t"))
            for i in images {
                context.out([i.path, i.captured ?? "-", i.profile ?? "-", i.pose ?? "-", "\(i.faces)", i.source ?? "-"].joined(separator: "\t"))
            }
        }
        return 0
    }
}

/// `frs gallery duplicates [--threshold T]`
struct GalleryDuplicatesCommand: AdministrativeCommand {
    static let words = ["gallery", "duplicates"]
    static let abstract = "pairs of different subjects whose faces are closer than a threshold (aliases, look-alikes)"
    static let usage = "gallery duplicates [--threshold T] [--workers N] [--json]"
    static let help = """
          --threshold T   the largest distance reported (default: the policy's default_threshold)
          --workers N     threads for the matching kernel (default: the number of cores)
          --json          one JSON object per pair instead of text

        Every face against the whole gallery with the many-probe matching kernel; a pair of subjects
        is listed once, with its closest two faces, nearest first. For the records unit to check:
        the same person under two identities, or two people who look alike. Nothing is merged.
        Administrators only; audited.
        """

    var threshold: Double?
    var workers: Int?
    var json: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        if let text = try arguments.option("--threshold") {
            guard let value = Double(text), value.isFinite, value > 0, value <= 2 else {
                throw UsageError("--threshold must be a distance in (0, 2]")
            }
            threshold = value
        }
        workers = try arguments.int("--workers", in: 1...256)
        json = arguments.flag("--json")
        guard try arguments.positionals().isEmpty else { throw UsageError("gallery duplicates takes no arguments") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        let administration = try SpoolAdministration(layout: layout, uid: context.actingUID)
        let threshold = try self.threshold ?? layout.loadPolicy().defaultThreshold
        let pairs = try administration.galleryDuplicates(threshold: threshold, workers: workers)
        for pair in pairs {
            if json {
                context.out(JSONText.object([
                    ("subjects", JSONText.array(pair.subjects.map(JSONText.string))),
                    ("distance", String(format: "%.4f", pair.distance)), ("faces", JSONText.array(pair.faces.map { "\($0)" })),
                ]))
            } else {
                context.out("\(pair.subjects[0])\t\(pair.subjects[1])\t\(String(format: "%.4f", pair.distance))")
            }
        }
        if !json { context.err("\(pairs.count) pair\(pairs.count == 1 ? "" : "s") closer than \(threshold)") }
        return 0
    }
}
