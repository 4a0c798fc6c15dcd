@testable import Commands
import Basics
import Foundation
import Glibc
import Results
import Spool
import Synchronization
import SystemCalls
import TestSupport
import Testing

/// A searcher that stops for good at its `pauseAt`-th search, after creating `marker` (a daemon
/// caught in the middle of an overnight bulk job, for the parent to look at and kill).
final class PausingSearcher: ProbeSearcher {
    let pauseAt: Int
    let marker: String
    let count = Mutex<Int>(0)
    init(pauseAt: Int, marker: String) {
        self.pauseAt = pauseAt
        self.marker = marker
    }
    var galleryVersion: Int64 { 1 }
    var modelIDs: [String: String] { [:] }
    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        if count.withLock({ $0 += 1; return $0 }) == pauseAt {
            _ = FileManager.default.createFile(atPath: marker, contents: Data())
            while true { sleep(60) }
        }
        return try StubSearcher().search(imageBytes: imageBytes, maxCandidates: maxCandidates, threshold: threshold)
    }
}

/// Issue #20: `frs status` lists a job as soon as it is submitted, shows a running bulk job's
/// progress, and says "running" only while a live daemon holds the job — each person on their own uid.
@Suite("frs status: queued, progress, interrupted")
struct StatusProgressTests {
    static let environment = ProcessInfo.processInfo.environment
    static let probes = 30
    static let batchSize = 4
    let answers = RequestAnswerTests()

    /// Runs in a child only: a daemon that stops for good in the middle of the bulk job.
    @Test(.enabled(if: environment["FRS_PAUSE_SPOOL"] != nil))
    func childDaemonPausedMidBulkJob() throws {
        let layout = SpoolLayout(root: Self.environment["FRS_PAUSE_SPOOL"] ?? "")
        let daemon = SpoolDaemon(
            layout: layout, searcher: PausingSearcher(pauseAt: 2 * Self.batchSize + 1, marker: layout.root + "/../paused"),
            configuration: .init(workers: 1, once: true, bulkBatchSize: Self.batchSize),
            logger: Logger(level: .error, sink: MemorySink()))
        _ = try daemon.run()
    }

    /// `frs ARGS` as `uid` with HOME set (where `frs submit` notes its jobs).
    func run(_ uid: UInt32, _ arguments: [String], home: String, in dir: String) throws -> Program.Run {
        let group = RequestAnswerTests.people[uid]?.2 ?? uid
        return try answers.tests.frs(["setpriv", "--reuid=\(uid)", "--regid=\(group)", "--groups=\(group)", "--",
                                      "/usr/bin/env", "HOME=\(home)", FRSBinary.path] + arguments,
                                     in: dir, direct: true)
    }

    @Test(.enabled(if: environment["FRS_PAUSE_SPOOL"] == nil && Privileges.canSwitchUser
                   && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func queuedAtOnceProgressWhileRunningInterruptedAfterAKill() throws {
        let dir = try answers.tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (layout, _, _) = try answers.spool(dir)
        let home = dir + "/home-1000"
        try Directory.create(home, mode: 0o700)
        #expect(chown(home, 1000, RequestAnswerTests.agencyGroup) == 0)

        // Right after submit, before any daemon: listed as queued (and only to its submitter).
        let submit = try run(1000, ["submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", "24-2",
                                    "--offense", "armed robbery", "--justification", "Suspect seen on the store camera",
                                    "cam1.jpg"], home: home, in: dir)
        #expect(submit.status == 0, "\(submit.error)")
        let queued = submit.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let listing = try run(1000, ["status"], home: home, in: dir)
        #expect(listing.output.contains("\(queued)  queued (waiting for a daemon)"), "\(listing.output)\(listing.error)")
        // Another account's note of the same id does not make it theirs.
        let otherHome = dir + "/home-1003"
        try Directory.create(otherHome, mode: 0o700)
        #expect(chown(otherHome, 1003, RequestAnswerTests.agencyGroup) == 0)
        // A HOME another account owns (a kept environment under sudo or setpriv) is not this account's: no note.
        #expect(SubmittedJobs(layout: layout, environment: ["HOME": home], uid: 1003).file == nil)
        let othersNote = SubmittedJobs(layout: layout, environment: ["HOME": otherHome], uid: 1003)
        try othersNote.note(queued)
        for path in [".local", ".local/state", ".local/state/frs"].map({ otherHome + "/" + $0 }) + [othersNote.file!] {
            #expect(chown(path, 1003, RequestAnswerTests.agencyGroup) == 0)
        }
        #expect(!(try run(1003, ["status"], home: otherHome, in: dir)).output.contains("\(queued)  queued"))

        // A bulk job of jdoe's: 30 probes in the agency's evidence folder.
        try answers.drain(layout)
        for i in 0..<Self.probes {
            let folder = layout.evidence + "/SCPD/backlog"
            if i == 0 { try Directory.create(layout.evidence + "/SCPD", mode: 0o700); try Directory.create(folder, mode: 0o700) }
            try DurableFile.write(Array("face \(i)".utf8), to: "\(folder)/p\(i).jpg", via: folder, mode: 0o600)
        }
        let job = "bulk-24-3"
        let text = """
            {"version": 1, "requester": "jdoe", "purpose": "active-investigation", "case_number": "24-3",
             "offense": "armed robbery", "justification": "Backlog of store camera stills from the robbery series",
             "probes": [], "probe_dir": "SCPD/backlog"}
            """
        try DurableFile.write(Array(text.utf8), to: layout.jobFile(job, in: layout.incoming), via: layout.tmp, mode: 0o644)
        #expect(chown(layout.jobFile(job, in: layout.incoming), 1000, 1000) == 0)

        var environment = Self.environment
        environment["FRS_PAUSE_SPOOL"] = layout.root
        let child = try Program.startTestBundle(filter: "childDaemonPausedMidBulkJob", environment: environment)
        for _ in 0..<1200 where !FileStatus.exists(dir + "/paused") && child.isRunning { usleep(100_000) }
        #expect(FileStatus.exists(dir + "/paused"))

        // The requester sees it running, with its progress.
        let running = try run(1000, ["status", job], home: home, in: dir)
        #expect(running.output.contains("state: running\n"), "\(running.output)\(running.error)")
        #expect(running.output.contains("progress: \(2 * Self.batchSize) of \(Self.probes) probes"), "\(running.output)")
        #expect(running.output.contains("a minute") && running.output.contains("left"))

        // Killed: no daemon holds it now.
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let interrupted = try run(1000, ["status", job], home: home, in: dir)
        #expect(interrupted.output.contains("state: interrupted, will resume"), "\(interrupted.output)")
        #expect(try run(1000, ["status"], home: home, in: dir).output.contains("\(job)  interrupted, will resume"))

        // A daemon takes it up again and finishes it.
        try answers.drain(layout)
        let done = try run(1000, ["status", job], home: home, in: dir)
        #expect(done.output.contains("state: finished") && done.output.contains("decision: completed"), "\(done.output)")
        #expect(try JobResult.decode(try DurableFile.read(layout.resultFile(job))).probeCount == Self.probes)
        #expect(!(try run(1000, ["status"], home: home, in: dir)).output.contains("queued"))
    }
}

/// Issue #20: `frs submit` checks what it can before queuing, in plain words, and hands over a folder.
@Suite("frs submit: checks before queuing, --probe-dir")
struct SubmitChecksTests {
    let tests = SpoolCommandTests()

    @Test(.enabled(if: Privileges.canSwitchUser && FRSBinary.isBuilt, "needs root: runs frs as other accounts"))
    func aShortJustificationAndAPNGAreRefusedBeforeQueuingAndAFolderIsHandedOver() throws {
        let answers = RequestAnswerTests()
        let dir = try tests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (layout, _, _) = try answers.spool(dir)  // a daemon ran: outbox/policy.json is published
        #expect(PublishedPolicy.current(SpoolLayout(root: "/nonexistent")) == nil)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        _ = FileManager.default.createFile(atPath: dir + "/shot.png.jpg", contents: Data(png), attributes: [.posixPermissions: 0o644])
        func submit(_ extra: [String], justification: String = "Suspect seen on the store camera") throws -> Program.Run {
            try answers.run(1000, ["submit", "--requester", "jdoe", "--purpose", "active-investigation", "--case", "24-5",
                                   "--offense", "armed robbery", "--justification", justification] + extra, in: dir)
        }
        func queued() throws -> [String] {
            try Directory.entries(layout.incoming).filter { !$0.hasPrefix(".") }
        }
        // 30 zero-width spaces do not make a justification.
        let short = try submit(["cam1.jpg"], justification: "robbery" + String(repeating: "\u{200B}", count: 30))
        #expect(short.status == 1, "\(short.output)")
        #expect(short.error.contains("the justification has 7 visible characters; the policy asks for at least 30"), "\(short.error)")
        #expect(short.error.contains("purpose.justification-too-short") && short.error.contains("nothing was queued"))
        let notJPEG = try submit(["cam1.jpg", "shot.png.jpg"])
        #expect(notJPEG.status == 1)
        #expect(notJPEG.error.contains("shot.png.jpg: not a JPEG file (looks like a PNG image) (input.probe-not-image)"), "\(notJPEG.error)")
        #expect(!notJPEG.error.contains("notImage(") && !notJPEG.error.contains("\\\""))
        #expect(try queued().isEmpty)

        // A folder for a bulk job: every plain file, not hidden ones or subfolders.
        let folder = dir + "/backlog"
        try Directory.create(folder, mode: 0o755)
        try Directory.create(folder + "/sub", mode: 0o755)
        for name in ["a.jpg", "b.jpg", "c.jpg", ".hidden.jpg"] {
            _ = FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(name.utf8)),
                                               attributes: [.posixPermissions: 0o644])
        }
        let bulk = try submit(["--probe-dir", "backlog"])
        #expect(bulk.status == 0, "\(bulk.error)")
        let id = bulk.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Directory.entries(layout.dropFolder(for: id)).filter { !$0.hasPrefix(".") }.sorted() == ["a.jpg", "b.jpg", "c.jpg"])
        let job = String(decoding: try DurableFile.read(layout.jobFile(id, in: layout.incoming)), as: UTF8.self)
        #expect(job.contains("\"probe_dir\" : \"\(id)\""), "\(job)")
        try answers.drain(layout)
        let result = try JobResult.decode(try DurableFile.read(layout.resultFile(id)))
        #expect(result.decision == .completed, "\(result.messages)")
        #expect(result.probeCount == 3)

        // A PNG that reaches the daemon (dropped by hand) is denied in words, not Swift syntax.
        let error = ProbeImageError.notImage("not a JPEG file (looks like a PNG image)")
        #expect("\(error)" == "not a JPEG file (looks like a PNG image)")
    }
}
