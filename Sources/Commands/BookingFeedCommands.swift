import Administration
import FaceEngine
import FaceSearch
import Foundation
import Glibc
import Spool
import Synchronization
import SystemCalls

/// The booking system's nightly feed, from the feed account's side: `frs gallery feed FILE…`
/// drops transactions into the drop box, `frs gallery feed-remove SUBJECT… --reason R --reference T`
/// a removal request. The daemon imports or removes them as that account (role `booking-feed`, or an
/// administrator) and answers each with its report in `frs status` (`--wait` waits for it).
struct GalleryFeedCommand: Subcommand {
    static let words = ["gallery", "feed"]
    static let abstract = "hand booking transactions (ANSI/NIST-ITL) to the daemon for import (the booking feed)"
    static let usage = "gallery feed [--wait SECONDS] FILE..."
    static let help = """
          --wait SECONDS  wait this long for the daemon's import reports and print them
        Each FILE (*.an2, *.eft, *.ebts, *.nist) is dropped into the spool's drop box, readable by the
        daemon alone; the daemon imports it as this account (role booking-feed, or an administrator)
        exactly as 'frs gallery import' does, and answers with the import report (enrolled, already
        enrolled, skipped records, refused and why), shown by 'frs status'. A booking system may also
        drop the files itself: written in tmp/, then renamed into incoming/.
        """

    var files: [String]
    var wait: Int?

    init(arguments: inout ArgumentList) throws(UsageError) {
        wait = try arguments.int("--wait", in: 0...86_400)
        files = try arguments.positionals()
        guard !files.isEmpty else { throw UsageError("gallery feed needs at least one transaction FILE") }
        for file in files where ClaimedJob.kind(of: (file as NSString).lastPathComponent)?.0 != .booking {
            throw UsageError("\(file) is not named as a booking transaction (*.an2, *.eft, *.ebts or *.nist)")
        }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        let daemon = try FileStatus.of(layout.incoming).owner
        var names: [String] = []
        for file in files {
            let bytes = try DurableFile.read(file, limit: BookingFeedLimits.maximumTransactionBytes)
            let random = String(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff, radix: 16)
            let name = "feed-\(random)-" + (file as NSString).lastPathComponent
            try DurableFile.deliver(bytes, name: name, via: layout.tmp, into: layout.incoming, readableBy: daemon)
            names.append(name)
            context.out("queued \(file) as \(name)")
        }
        return try waitForAnswers(names, seconds: wait, context: context)
    }
}

/// `frs gallery feed-remove SUBJECT... --reason expungement|dismissal|acquittal --reference TEXT`
struct GalleryFeedRemoveCommand: Subcommand {
    static let words = ["gallery", "feed-remove"]
    static let abstract = "ask the daemon to remove subjects for a legal reason (the booking feed)"
    static let usage = "gallery feed-remove SUBJECT... --reason expungement|dismissal|acquittal --reference TEXT [--wait SECONDS]"
    static let help = """
          --reason R       expungement, dismissal or acquittal
          --reference T    the order or case that requires it (kept with each removal)
          --wait SECONDS   wait this long for the daemon's answer and print it
        Works like 'frs gallery remove' for each subject, run by the daemon as this account (role
        booking-feed, or an administrator); answered in 'frs status'.
        """

    var request: RemovalRequest
    var wait: Int?

    init(arguments: inout ArgumentList) throws(UsageError) {
        let text = try arguments.required("--reason")
        guard let reason = RemovalRequest.Reason(rawValue: text) else {
            throw UsageError("--reason must be \(RemovalRequest.Reason.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
        }
        let reference = try arguments.required("--reference")
        wait = try arguments.int("--wait", in: 0...86_400)
        let subjects = try arguments.positionals()
        guard !subjects.isEmpty else { throw UsageError("gallery feed-remove needs at least one SUBJECT") }
        request = RemovalRequest(subjects: subjects, reason: reason, reference: reference)
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        let name = try request.drop(via: layout.tmp, into: layout.incoming)
        context.out("removal of \(request.subjects.count) subject\(request.subjects.count == 1 ? "" : "s") queued as \(name)")
        return try waitForAnswers([name], seconds: wait, context: context)
    }
}

/// Waits for the daemon's answers to `names` (when asked to) and prints them.
/// - Returns: 0 when every answer came and was accepted (or no wait was asked), 1 otherwise.
func waitForAnswers(_ names: [String], seconds: Int?, context: CommandContext) throws -> Int32 {
    guard let seconds else {
        context.out("the daemon's answers will be shown by 'frs status'")
        return 0
    }
    let answers = SpoolLayout(root: context.spool).answers
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(Double(seconds))
    for name in names {
        guard let answer = answers.wait(request: name, uid: getuid(), seconds: max(0, deadline.timeIntervalSinceNow)) else {
            context.err("frs: no answer to \(name) yet; 'frs status' will show it")
            status = 1
            continue
        }
        context.out("\(name): \(answer.state.rawValue): \(answer.message)")
        for line in answer.output ?? [] { context.out(line) }
        if answer.state != .accepted { status = 1 }
    }
    return status
}

/// What the daemon runs for the booking feed: each transaction imported, each removal applied, as
/// the account that dropped it, with one face engine made on first use.
enum BookingFeed {
    static func runner(spool: String, models: String) -> FeedRunner {
        let analyzer = Mutex<FaceAnalyzer?>(nil)
        return { request, uid in
            do {
                let administration = try SpoolAdministration(layout: SpoolLayout(root: spool), uid: uid)
                switch request {
                case .transaction(let bytes, let name):
                    let engine = try analyzer.withLock { engine in
                        if let engine { return engine }
                        let made = try ModelFiles.verifiedAnalyzer(in: models).analyzer
                        engine = made
                        return made
                    }
                    let report = try administration.importFromFeed(bytes, source: name, analyzer: engine)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    let line = String(decoding: try encoder.encode(report), as: UTF8.self)
                    let refused = report.status == .refused
                    let summary = refused
                        ? "refused: \(report.reason?.rawValue ?? "") — \(report.message ?? "")"
                        : "imported: \(report.enrolled) enrolled, \(report.count(.alreadyEnrolled)) already enrolled, "
                            + "\(report.count(.noFace)) without a face, \(report.skipped.count) other records skipped"
                    return (!refused, report.reason.map { [$0.rawValue] } ?? [], summary, [line])
                case .removal(let removal):
                    var lines: [String] = []
                    var failed = 0
                    for subject in removal.subjects {
                        do {
                            let removed = try administration.removeGallerySubject(subject, reason: removal.recordedReason)
                            lines.append("\(subject): removed (\(removed.images) images, \(removed.faces) faces)")
                        } catch {
                            failed += 1
                            lines.append("\(subject): not removed: \(error)")
                        }
                    }
                    return (failed == 0, [], "\(removal.subjects.count - failed) of \(removal.subjects.count) subjects removed "
                            + "(\(removal.recordedReason))", lines)
                }
            } catch {
                return (false, [], "\(error)", [])
            }
        }
    }
}
