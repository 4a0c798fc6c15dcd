import Administration
import FaceSearch
import Foundation
import Glibc
import Results
import Spool

/// `frs gallery calibrate [--target-fpir F]`: NIST's 1:N method on the gallery itself.
struct GalleryCalibrateCommand: AdministrativeCommand {
    static let words = ["gallery", "calibrate"]
    static let abstract = "FPIR/FNIR by threshold on the gallery itself (NIST 1:N method); HTML report with a DET plot"
    static let usage = "gallery calibrate [--target-fpir F] [--rank R] [--sample N] [--workers W] [--json]"
    static let help = """
          --target-fpir F  the false positive identification rate to find a threshold for (default: the
                           policy's target_fpir, 0.01 unless state/policy.json says otherwise)
          --rank R         candidate list length for mated searches (default 20, the default max_candidates)
          --sample N       search only N faces drawn at random (fixed seed), each against the whole
                           gallery (default: every face; the cost grows with faces², so for millions)
          --workers W      parallel chunks of the matcher (default: the processors)
          --json           print the calibration as JSON instead of a summary
        Administrators only; audited as gallery.calibrated. The calibration is stored in the database
        and its report is written to outbox/audit/calibration-<id>.html, readable by the auditors' group.

        From the next job on, the daemon runs every search at the operating threshold: the largest
        threshold of the newest calibration whose measured FPIR is within the policy's target_fpir,
        capped by maximum_threshold (state/policy.json); without a calibration, or when none meets
        the target, the policy's default_threshold. Each result says which (threshold_source), and
        each candidate carries its estimated FPIR with a 95 % upper bound. A job's own threshold may
        be stricter, never looser. Calibrate again when the gallery has grown by a quarter: results
        warn when it has.

        The policy's candidate_list says what a candidate list is, for examiners:
          "threshold" (default)  only the candidates within the operating threshold, nearest first, up to
                                 max_candidates: a face may get none, and each candidate is as likely a
                                 stranger as its estimated FPIR says
          "ranked"               always the max_candidates nearest subjects whatever their distance (an
                                 investigation list, as the FBI's NGI-IPS), each marked within_threshold:
                                 the examiner compares the whole list; those beyond the threshold are set
                                 apart on the sheet and are more likely strangers still
        """

    /// The target FPIR given with `--target-fpir`; `nil` takes the policy's.
    var targetFPIR: Double?
    var rank: Int
    var workers: Int?
    var sample: Int?
    var json: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        if let text = try arguments.option("--target-fpir") {
            guard let target = Double(text), target > 0, target < 1 else {
                throw UsageError("--target-fpir must be a number between 0 and 1 (exclusive), not \"\(text)\"")
            }
            targetFPIR = target
        }
        rank = try arguments.int("--rank", in: 1...50) ?? 20
        workers = try arguments.int("--workers", in: 1...256)
        sample = try arguments.int("--sample", in: 1...100_000_000)
        json = arguments.flag("--json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        let policy = ThresholdPolicy(try layout.loadPolicy())
        let administration = try SpoolAdministration(layout: layout, uid: context.actingUID)
        var last = -1
        let run = try administration.calibrateGallery(
            options: Calibration.Options(targetFPIR: targetFPIR ?? policy.targetFPIR, rank: rank, workers: workers,
                                         sample: sample, policy: policy)
        ) { done, total in
            let percent = total > 0 ? done * 100 / total : 100
            if percent / 10 != last / 10 { context.err("calibrating: \(done) of \(total) searches"); last = percent }
        }
        let c = run.calibration
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            context.out(String(decoding: try encoder.encode(c), as: UTF8.self))
            return 0
        }
        context.out("calibration \(c.id): gallery version \(c.galleryVersion), \(c.galleryFaces) faces of \(c.gallerySubjects) subjects")
        context.out("searches: \(c.nonMatedSearches) non-mated, \(c.matedSearches) mated (rank \(c.rank)); \(String(format: "%.1f", c.seconds)) s")
        if let i = c.thresholdIndex {
            var line = String(format: "threshold %.2f for target FPIR %g: FPIR %.5f (%d of %d), 95%% upper bound %.5f",
                              c.thresholds[i], c.targetFPIR, c.fpir[i], c.falsePositives[i], c.nonMatedSearches, c.fpirUpper95[i])
            if !c.fnir.isEmpty { line += String(format: ", FNIR %.4f", c.fnir[i]) }
            context.out(line)
            if !c.boundMeetsTarget {
                context.out("warning: the 95% upper bound is above the target: \(c.nonMatedSearches) non-mated searches are too few to show that this threshold meets it")
            }
        } else {
            context.out(String(format: "no threshold of %.2f…%.2f meets target FPIR %g (FPIR at %.2f is %.5f)",
                               c.thresholds.first ?? 0, c.thresholds.last ?? 0, c.targetFPIR, c.thresholds.first ?? 0,
                               c.fpir.first ?? 0))
        }
        if let operating = c.operating {
            context.out(String(format: "jobs now run at threshold %.3f: ", operating.threshold) + operating.source
                + (operating.candidateList == .ranked ? "; ranked candidate lists" : ""))
        }
        context.out("report: \(run.reportPath)")
        return 0
    }
}
