import Administration
import Audit
import Foundation
import Glibc
import Policy
import Reviews
import Sheets
import Spool
import Store
import SystemCalls

/// `frs disclose JOB --out DIR`
struct DiscloseCommand: AdministrativeCommand {
    static let words = ["disclose"]
    static let abstract = "write a job's disclosure packet (HTML + JSON) with its verifiable audit records"
    static let usage = "disclose JOB --out DIR"
    static let help = """
          --out DIR   where to write <job>-disclosure.json and <job>-disclosure.html (created, mode 0700,
                      if missing)
        The packet is for a defendant and the court (as RCW 43.386.070 requires): it stands on its
        own, with every picture embedded and no reference to the server. It holds the request and its
        requester; the models, the operating threshold and where it came from (calibration or policy
        default), with how often a stranger comes that close; each probe picture with its faces'
        boxes numbered; every candidate returned, pursued or not, with its gallery face, distance,
        estimated false positive rate and its 95 % upper bound in words; the hold and the
        supervisor's approval with its note; every review, resolution and outcome with its notes;
        and the job's audit records exactly as logged (seq, full prev and hash) with the chain's
        head and a short script that checks each hash offline. The HTML prints in full.
        Pictures are read from the evidence store and the gallery: a file that cannot be read, or is
        no longer the one searched or enrolled (SHA-256), is left out and the packet says so.
        For administrators, auditors, and supervisors of the job's agency; audited as job.disclosed.
        From their own accounts the daemon makes the packet (through the drop box) and this command
        copies it into DIR.
        """

    var job: String
    var out: String

    init(arguments: inout ArgumentList) throws(UsageError) {
        out = try arguments.required("--out")
        job = try single(&arguments, "job id")
    }

    func validate() throws(UsageError) {
        try validateJobID(job)
        guard !out.isEmpty else { throw UsageError("empty --out") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let layout = SpoolLayout(root: context.spool)
        guard FileStatus.isAccessible(layout.database, R_OK), FileStatus.isAccessible(layout.audit, W_OK) else {
            context.err("frs: disclose needs the spool's database and audit log (run it as the daemon's account or an administrator)")
            return 1
        }
        let database = try SpoolDatabase.open(layout)
        let registry = Registry(database: database)
        guard let result = try layout.resultFiles.result(job) else {
            context.err("frs: job \(job) has no result")
            return 1
        }
        let uid = context.actingUID
        let agency = try result.requester.flatMap { try registry.user($0)?.agency }
        let authority = try Authority(uid: uid, registry: registry)
        let audit = try AuditLog(directory: layout.audit)
        guard authority.mayDisclose(agency: agency) else {
            try audit.append(AuditEvent(.jobDiscloseRefused, actor: "uid:\(uid)", job: job, outcome: "denied",
                                        reasons: [ReasonCode.requesterRole.rawValue]))
            context.err("frs: \(authority.description) may not disclose job \(job): disclosure is for administrators, "
                        + "auditors and supervisors of the job's agency")
            return 1
        }
        // Through the drop box the packet goes to the requester's own folder of answers, which this
        // command's caller copies into --out: the daemon writes nowhere its caller names.
        let out = context.deliveryDirectory ?? self.out
        if context.deliveryDirectory != nil { try layout.answers.prepare(uid: uid) }
        // Audited first, so the packet's records include its own disclosure.
        try audit.append(AuditEvent(.jobDisclosed, actor: authority.actor, agency: agency, job: job,
                                    purpose: result.purpose, caseNumber: result.caseNumber, outcome: "disclosed",
                                    details: ["out": out, "uid": "\(uid)"]))
        let policy = (try? layout.loadPolicy()) ?? .default
        let jobFile = [layout.done, layout.failed].lazy.compactMap { try? DurableFile.read(layout.jobFile(job, in: $0)) }.first
        var packet = try DisclosurePacket(job: job, results: layout.resultFiles, database: database, auditDirectory: layout.audit,
                                          jobFile: jobFile, peerReview: policy.peerReview, now: Date())
        let evidence = EvidenceStore(root: layout.evidence, maximumProbeBytes: policy.maxProbeBytes)
        let pictures = ExaminerSheetWriter(
            results: layout.resultFiles, temporaryDirectory: layout.tmp, gallery: try GalleryStore(database: database),
            maximumImageBytes: policy.maxProbeBytes
        ) { probe in
            guard let path = try? evidence.resolve(probe) else { return nil }
            return try? evidence.read(canonicalPath: path, probe: probe)
        }
        packet.images = pictures.disclosureImages(packet.probes)
        // A delivery folder sits in the requester's own folder of answers (theirs alone): open inside it.
        if !FileStatus.exists(out) { try Directory.create(out, mode: context.deliveryDirectory == nil ? 0o700 : 0o755) }
        let json = out + "/\(job)-disclosure.json", html = out + "/\(job)-disclosure.html"
        // Delivered files are the requester's to read (the folder is theirs alone).
        let mode: mode_t = context.deliveryDirectory == nil ? 0o600 : 0o644
        try DurableFile.write(try packet.encoded(), to: json, via: out, mode: mode)
        try DurableFile.write(Array(DisclosureSheet.render(packet).utf8), to: html, via: out, mode: mode)
        context.out(json)
        context.out(html)
        return 0
    }

    /// Copies the packet the daemon delivered into `--out` and names the copies.
    func receive(_ lines: [String], context: CommandContext) throws -> [String] {
        if !FileStatus.exists(out) { try Directory.create(out, mode: 0o700) }
        return try lines.map { delivered in
            let copy = out + "/" + (delivered.split(separator: "/").last.map(String.init) ?? delivered)
            try DurableFile.write(try DurableFile.read(delivered, limit: 1 << 30), to: copy, via: out, mode: 0o600)
            return copy
        }
    }
}
