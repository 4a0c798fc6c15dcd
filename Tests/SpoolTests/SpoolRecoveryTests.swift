@testable import Spool
import Basics
import Foundation
import Glibc
import Results
import SystemCalls
import SpoolTestSupport
import Synchronization
import TestSupport
import Testing

@Suite("Spool recovery and concurrency")
struct SpoolRecoveryTests {
    /// Stops the processor after `step`, as a crash would, then lets a fresh daemon finish.
    @Test(arguments: JobProcessor.HandOff.allCases)
    func crashAfterEachHandOffEndsWithOneResultAndOneFinalRecord(step: JobProcessor.HandOff) throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("job1", TestSpool.jobJSON(probes: [probe]))
        try spool.drop("bad1", "{ not json")
        let processor = try spool.processor(checkpoint: { point, _ in
            if point == step { throw SimulatedCrash(at: step) }
        })
        let claimer = JobClaimer(layout: spool.layout)
        for _ in 0..<2 {
            #expect(throws: SimulatedCrash(at: step)) {
                try claimer.claimNext { try processor.process($0) }
            }
        }
        #expect(spool.locations(of: "job1") == ["active"])
        #expect(spool.locations(of: "bad1") == ["active"])

        try spool.drain()
        for (id, decision) in [("job1", JobOutcome.completed), ("bad1", .denied)] {
            #expect(spool.locations(of: id) == ["done"], "\(id) after a crash at \(step)")
            #expect(try spool.result(id).decision == decision)
            #expect(try spool.finalRecords(for: id).map(\.event.event) == [decision.auditEvent])
            // One result; a completed job also has its examiner's sheet.
            let files = decision == .completed ? ["\(id).html", "\(id).json"] : ["\(id).json"]
            #expect(try spool.entries(spool.layout.results).filter { $0.hasPrefix(id) } == files)
        }
        #expect(try spool.entries(spool.layout.active).isEmpty)
    }

    /// After a failed attempt the job's lock can stay held for a moment by someone else: a child
    /// process forked by the daemon's process inherits the descriptor until its exec (`O_CLOEXEC`).
    /// A drain (`--once`) waits for it and retries the job, rather than ending with it in `active/`.
    @Test func aDrainWaitsForAJobWhoseLockIsHeldForAMomentAfterAFailedAttempt() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "f.jpg", bytes: Array("FAIL".utf8))
        try spool.drop("faulty", TestSpool.jobJSON(probes: [probe]))
        let summary = try spool.drain(searcher: LockLingeringSearcher(job: spool.layout.active + "/faulty.json"))
        #expect(summary.failedAttempts == 3)
        #expect(spool.locations(of: "faulty") == ["failed"])
        #expect(try spool.result("faulty").reasons == [.processingAttemptsExhausted])
    }

    @Test func aLockedJobInActiveIsNotRecoveredByAnotherDaemon() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("busy", TestSpool.jobJSON(probes: [probe]))
        let claimer = JobClaimer(layout: spool.layout)
        var sawRecovery: Bool?
        try claimer.claimNext { claim in
            // While this claimant holds the job, another looking for left-behind work finds nothing.
            sawRecovery = try JobClaimer(layout: spool.layout).recoverNext { _ in }
            #expect(claim.descriptor != nil)
        }
        #expect(sawRecovery == false)
        // Released without being finished (as after a failed attempt): now it is recoverable.
        var recovered: Bool?
        let found = try claimer.recoverNext { recovered = $0.recovered }
        #expect(found)
        #expect(recovered == true)
    }

    @Test func twoDaemonsClaimEachOf200JobsExactlyOnce() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        let ids = (0..<200).map { String(format: "job-%03d", $0) }
        for (i, id) in ids.enumerated() {
            // A few denials among them, to mix the paths: jobs of the suspended analyst, dropped by another uid.
            try spool.drop(id, TestSpool.jobJSON(requester: i % 10 == 0 ? "mpoe" : "jdoe", probes: [probe]))
        }
        let now = spool.now
        let daemons = (0..<2).map { _ in
            SpoolDaemon(layout: spool.layout, searcher: FakeSearcher(), configuration: .init(workers: 2, once: true),
                        logger: Logger(level: .error, sink: MemorySink()), clock: { now })
        }
        let start = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let outcomes = Mutex<[Result<SpoolDaemon.Summary, any Error>]>([])
        for daemon in daemons {
            Thread.detachNewThread {
                start.wait()
                let outcome = Result { try daemon.run() }
                outcomes.withLock { $0.append(outcome) }
                finished.signal()
            }
        }
        start.signal()
        start.signal()
        finished.wait()
        finished.wait()

        let summaries = try outcomes.withLock { try $0.map { try $0.get() } }
        #expect(summaries.map(\.processed).reduce(0, +) == 200)
        #expect(summaries.map(\.failedAttempts).reduce(0, +) == 0)
        #expect(try spool.entries(spool.layout.done).count == 200)
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
        #expect(try spool.entries(spool.layout.active).isEmpty)
        #expect(try spool.entries(spool.layout.results).filter { $0.hasSuffix(".json") }.count == 200)
        let records = try spool.records()
        for (i, id) in ids.enumerated() {
            let mine = records.filter { $0.event.job == id }.map(\.event.event)
            let final = i % 10 == 0 ? "job.denied" : "job.completed"
            #expect(mine == ["job.received", "job.claimed", final], "\(id)")
        }
    }
}

@Suite("SpoolDaemon lifecycle and bulk jobs")
struct SpoolDaemonTests {
    @Test func stopFinishesTheJobInFlightAndReturns() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("first", TestSpool.jobJSON(probes: [probe]))
        let resultWritten = DispatchSemaphore(value: 0)
        let mayContinue = DispatchSemaphore(value: 0)
        let now = spool.now
        let daemon = SpoolDaemon(
            layout: spool.layout, searcher: FakeSearcher(), configuration: .init(workers: 2, once: false),
            logger: Logger(level: .error, sink: MemorySink()), clock: { now },
            checkpoint: { point, job in
                // Only the first job pauses: a hook that paused whichever job came by would hang
                // the test if the idle worker took another one.
                if point == .resultWritten, job == "first" {
                    resultWritten.signal()
                    mayContinue.wait()
                }
            })
        let returned = DispatchSemaphore(value: 0)
        let summary = Mutex<SpoolDaemon.Summary?>(nil)
        Thread.detachNewThread {
            let outcome = try? daemon.run()
            summary.withLock { $0 = outcome }
            returned.signal()
        }
        resultWritten.wait()
        // Stop while the job is in flight, then queue a second job: neither the worker finishing
        // the first job nor the idle one (woken by stop) may claim it. (Dropped before stop(), the
        // idle worker could rightly have taken it first.)
        daemon.stop()
        try spool.drop("second", TestSpool.jobJSON(probes: [probe]))
        mayContinue.signal()
        returned.wait()
        #expect(summary.withLock { $0 } == SpoolDaemon.Summary(processed: 1, failedAttempts: 0))
        #expect(spool.locations(of: "first") == ["done"])
        #expect(spool.locations(of: "second") == ["incoming"])
    }

    /// A worker with nothing to do gives back what the searcher keeps between probes (the
    /// detector's buffers), so an idle daemon holds only its models.
    @Test func anIdleWorkerReleasesWhatTheSearcherKeepsBetweenProbes() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("job1", TestSpool.jobJSON(probes: [probe]))
        let searcher = ReleaseCountingSearcher()
        let now = spool.now
        let daemon = SpoolDaemon(layout: spool.layout, searcher: searcher,
                                 configuration: .init(workers: 1, once: false, pollInterval: 0.05),
                                 logger: Logger(level: .error, sink: MemorySink()), clock: { now })
        let returned = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? daemon.run()
            returned.signal()
        }
        // The job first, then idle polls: each releases.
        let deadline = Date().addingTimeInterval(20)
        func done() -> Bool {
            FileStatus.exists(spool.layout.resultFile("job1")) && searcher.releasesAfterASearch.load(ordering: .relaxed) > 0
        }
        while Date() < deadline, !done() { usleep(20_000) }
        daemon.stop()
        returned.wait()
        #expect(try spool.result("job1").decision == .completed)
        #expect(searcher.releasesAfterASearch.load(ordering: .relaxed) > 0)
    }

    /// While one worker runs a job, the idle others keep their hands off what the searcher keeps
    /// (a bulk job's batches reuse it); once no worker has work, it is released.
    @Test func idleWorkersReleaseNothingWhileAnotherRunsAJob() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        let searcher = GatedSearcher()
        let now = spool.now
        let daemon = SpoolDaemon(layout: spool.layout, searcher: searcher,
                                 configuration: .init(workers: 2, once: false, pollInterval: 0.02),
                                 logger: Logger(level: .error, sink: MemorySink()), clock: { now })
        let returned = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? daemon.run()
            returned.signal()
        }
        // Both workers idle, releasing, before there is work (the second may start a moment later).
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, searcher.releasingThreads.withLock({ $0.count }) < 2 { usleep(10_000) }
        try spool.drop("job1", TestSpool.jobJSON(probes: [probe]))
        searcher.started.wait()
        usleep(300_000)  // some 15 polls of the idle worker
        let whileBusy = searcher.releasesWhileSearching.load(ordering: .relaxed)
        let before = searcher.releases.load(ordering: .relaxed)
        searcher.gate.signal()
        while Date() < deadline, searcher.releases.load(ordering: .relaxed) == before { usleep(10_000) }
        daemon.stop()
        returned.wait()
        #expect(searcher.releasingThreads.withLock { $0.count } == 2)
        #expect(whileBusy == 0)
        #expect(searcher.releases.load(ordering: .relaxed) > before)
        #expect(try spool.result("job1").decision == .completed)
    }

    @Test func aBulkJobWritesOneRecordPerProbeBesideTheSummary() throws {
        let spool = try TestSpool()
        for i in 0..<5 { try spool.addEvidence("backlog", "p\(i).jpg", bytes: Array("face \(i)".utf8)) }
        try spool.addEvidence("backlog", "broken.jpg", bytes: Array("BAD".utf8))
        try spool.drop("bulk", TestSpool.jobJSON(probes: [], extra: ", \"probe_dir\": \"SCPD/backlog\""))
        try spool.drain()
        let result = try spool.result("bulk")
        #expect(result.decision == .completed)
        #expect(result.probes.isEmpty)
        #expect(result.probeCount == 6)
        let lines = try DurableFile.read(spool.layout.resultLines("bulk")).split(separator: 0x0a)
        #expect(lines.count == 6)
        let records = try lines.map { try JSONDecoder().decode(ProbeRecord.self, from: Data($0)) }
        #expect(records.map(\.image) == ["SCPD/backlog/broken.jpg"] + (0..<5).map { "SCPD/backlog/p\($0).jpg" })
        #expect(records[0].error == "input.probe-not-image")
        #expect(records[1...].allSatisfy { $0.faces.count == 1 && $0.sha256 != nil })
        #expect(try spool.finalRecords(for: "bulk").first?.event.details["probes"] == "6")
    }

    @Test func aJobIDDroppedTwiceIsFinishedOnceAndBothFilesAreKept() throws {
        let spool = try TestSpool()
        let probe = try spool.addEvidence("case1", "a.jpg", bytes: Array("face".utf8))
        try spool.drop("twice", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()
        try spool.drop("twice", TestSpool.jobJSON(probes: [probe]))
        try spool.drain()
        #expect(try spool.finalRecords(for: "twice").count == 1)
        #expect(try spool.entries(spool.layout.done).filter { $0.hasPrefix("twice.") }.count == 2)
        #expect(try spool.entries(spool.layout.incoming).isEmpty)
    }
}

/// Fails once on one image (an engine fault), counting every search.
final class FlakySearcher: ProbeSearcher {
    let failOn: [UInt8]
    /// Searches made and whether the fault was thrown yet; workers search concurrently.
    let state = Mutex<(searches: Int, failed: Bool, searched: [String: Int])>((0, false, [:]))
    init(failOn: String) { self.failOn = Array(failOn.utf8) }
    var galleryVersion: Int64 { 1 }
    var modelIDs: [String: String] { [:] }
    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        let fail = state.withLock { state -> Bool in
            state.searches += 1
            state.searched[String(decoding: imageBytes, as: UTF8.self), default: 0] += 1
            if imageBytes == failOn, !state.failed {
                state.failed = true
                return true
            }
            return false
        }
        if fail { throw FakeSearcher.EngineFault() }
        return try FakeSearcher().search(imageBytes: imageBytes, maxCandidates: maxCandidates, threshold: threshold)
    }
}

@Suite("Bulk jobs resume")
struct BulkResumeTests {
    @Test func anInterruptedBulkJobResumesWithoutSearchingDoneProbesAgain() throws {
        let spool = try TestSpool()
        for i in 0..<6 { try spool.addEvidence("backlog", "p\(i).jpg", bytes: Array("face \(i)".utf8)) }
        try spool.drop("bulk", TestSpool.jobJSON(probes: [], extra: ", \"probe_dir\": \"SCPD/backlog\""))
        let searcher = FlakySearcher(failOn: "face 3")
        let summary = try spool.drain(searcher: searcher)
        #expect(summary.failedAttempts == 1)
        // A batch searches p0..p5 in parallel; p0..p2, recorded before the fault on p3, are never
        // searched again; the second attempt resumes at p3.
        let searched = searcher.state.withLock { $0.searched }
        #expect((0..<3).allSatisfy { searched["face \($0)"] == 1 }, "\(searched)")
        #expect(searched["face 3"] == 2)
        #expect(searcher.state.withLock { $0.searches } <= 9)
        let result = try spool.result("bulk")
        #expect(result.decision == .completed)
        #expect(result.probeCount == 6)
        let lines = try DurableFile.read(spool.layout.resultLines("bulk")).split(separator: 0x0a)
        let images = try lines.map { try JSONDecoder().decode(ProbeRecord.self, from: Data($0)).image }
        #expect(images == (0..<6).map { "SCPD/backlog/p\($0).jpg" })
        #expect(!FileStatus.exists(spool.layout.bulkProgress(for: "bulk")))
    }

    @Test func aTornLastRecordIsCutOffOnResume() throws {
        let spool = try TestSpool()
        let path = spool.layout.bulkProgress(for: "torn")
        let record = ProbeRecord(image: "a.jpg", sha256: "00", faces: [])
        try DurableFile.write(try record.encodedLine() + [0x0a] + Array("{\"image\":\"b.j".utf8), to: path,
                              via: spool.layout.bulkProgress)
        let progress = try BulkProgress(path: path)
        #expect(progress.count == 1)
        #expect(progress.done == ["a.jpg"])
        try progress.append(ProbeRecord(image: "b.jpg", sha256: "01", faces: []))
        try progress.finish(to: spool.layout.resultLines("torn"))
        let lines = try DurableFile.read(spool.layout.resultLines("torn")).split(separator: 0x0a)
        #expect(lines.count == 2)
    }
}

/// Fails every search (an engine fault) and, each time, duplicates the attempt's descriptor of the
/// job file and keeps the copy for 300 ms after the attempt has ended, as a child process between
/// fork and exec would: the lock (held by the open file description) stays held that long.
private struct LockLingeringSearcher: ProbeSearcher {
    let job: String
    var galleryVersion: Int64 { 1 }
    var modelIDs: [String: String] { [:] }

    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap(Int32.init)
        let claim = try #require(open.first {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) == job
        })
        let copy = dup(claim)
        Thread.detachNewThread {
            usleep(300_000)
            close(copy)
        }
        throw FakeSearcher.EngineFault()
    }
}

/// The stand-in searcher, counting the releases that follow a search.
private final class ReleaseCountingSearcher: ProbeSearcher {
    let searched = Atomic<Bool>(false)
    let releasesAfterASearch = Atomic<Int>(0)
    var galleryVersion: Int64 { 7 }
    var modelIDs: [String: String] { [:] }

    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        searched.store(true, ordering: .relaxed)
        return try FakeSearcher().search(imageBytes: imageBytes, maxCandidates: maxCandidates, threshold: threshold)
    }

    func releaseKeptMemory() {
        if searched.load(ordering: .relaxed) { releasesAfterASearch.add(1, ordering: .relaxed) }
    }
}

/// A stand-in searcher whose search signals `started` and waits for `gate`; it counts the releases,
/// and those made while a search runs.
private final class GatedSearcher: ProbeSearcher {
    let gate = DispatchSemaphore(value: 0)
    let started = DispatchSemaphore(value: 0)
    let searching = Atomic<Bool>(false)
    let releases = Atomic<Int>(0)
    let releasesWhileSearching = Atomic<Int>(0)
    /// The threads (workers) that have released.
    let releasingThreads = Mutex<Set<UInt>>([])
    var galleryVersion: Int64 { 7 }
    var modelIDs: [String: String] { [:] }

    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        searching.store(true, ordering: .relaxed)
        defer { searching.store(false, ordering: .relaxed) }
        started.signal()
        gate.wait()
        return try FakeSearcher().search(imageBytes: imageBytes, maxCandidates: maxCandidates, threshold: threshold)
    }

    func releaseKeptMemory() {
        releases.add(1, ordering: .relaxed)
        _ = releasingThreads.withLock { $0.insert(UInt(pthread_self())) }
        if searching.load(ordering: .relaxed) { releasesWhileSearching.add(1, ordering: .relaxed) }
    }
}
