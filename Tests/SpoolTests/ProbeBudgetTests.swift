import Imaging
import SystemCalls
import Spool
import Basics
import FaceEngine
import FaceSearch
import SpoolTestSupport
import TestSupport
import Foundation
import Policy
import Results
import Testing

/// A probe's work is bounded where it is searched: its decode (scans, pixels × scans) and its
/// processor time, each refusal with its own reason code.
@Suite("Probe work budget")
struct ProbeBudgetTests {
    static let analyzer: Result<FaceAnalyzer, any Error> = Result {
        try FaceAnalyzer(modelsDirectory: try FixtureFiles.modelsDirectory())
    }

    func reason(_ searcher: FaceSearcher, _ bytes: [UInt8]) -> ReasonCode? {
        do {
            _ = try searcher.search(imageBytes: bytes, maxCandidates: 5, threshold: 0.6)
            return nil
        } catch let error as ProbeImageError {
            return error.reason
        } catch {
            Issue.record("\(error)")
            return nil
        }
    }

    @Test("scan bombs are refused with their own reason codes; a probe over its processor time with another")
    func budgets() throws {
        let spool = try TestSpool()
        let analyzer = try Self.analyzer.get()
        let searcher = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database,
                                        cacheDirectory: spool.layout.state + "/cache")
        #expect(searcher.maxProbeCPUSeconds == PolicyConfig.default.maxProbeCPUSeconds)
        #expect(reason(searcher, ScanBomb.jpeg(width: 320, height: 240, scans: 3000)) == .inputProbeTooManyScans)
        // The message a person reads: what is wrong and what would fix it, not a Swift enum case.
        let message = "\(ProbeImageError.tooManyScans("the file has more than 256 scans"))"
        #expect(message == "the file has more than 256 scans")
        #expect(reason(searcher, ScanBomb.jpeg(width: 8000, height: 8000, scans: 3000)) == .inputProbeDecodeWork)
        let photo = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.fixtures + "/images/obama.jpg")))
        #expect(reason(searcher, photo) == nil)

        let hurried = try FaceSearcher(analyzer: analyzer, databasePath: spool.layout.database,
                                       cacheDirectory: spool.layout.state + "/cache", maxProbeCPUSeconds: 1e-6)
        #expect(reason(hurried, photo) == .inputProbeCPUBudget)
        let batch = hurried.searchBatch([photo], maxCandidates: 5, threshold: 0.6, workers: 1)
        if case .failure(let error as ProbeImageError) = batch.first {
            #expect(error.reason == .inputProbeCPUBudget)
        } else {
            Issue.record("a bulk probe over its budget was searched: \(batch)")
        }
    }

    @Test("the job's processor time is counted across every thread that analysed its probes")
    func jobAccountCountsEveryThread() throws {
        let spool = try TestSpool()
        let searcher = try FaceSearcher(analyzer: try Self.analyzer.get(), databasePath: spool.layout.database,
                                        cacheDirectory: spool.layout.state + "/cache")
        let photo = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.fixtures + "/images/obama.jpg")))
        let account = JobCPUAccount()
        let single = ProcessorBudget.threadSeconds()
        _ = try account.run { try searcher.search(imageBytes: photo, maxCandidates: 5, threshold: 0.6) }
        let one = account.spent
        #expect(one > 0 && one <= ProcessorBudget.threadSeconds() - single + 0.01)
        _ = account.run { searcher.searchBatch([photo, photo], maxCandidates: 5, threshold: 0.6, workers: 2) }
        // Two more analyses, on the batch's worker threads: each as long as the first, give or take.
        #expect(account.spent > one * 2, "\(one) then \(account.spent)")
    }
}

/// A stand-in searcher that charges each probe 10 s of processor time to the job's account.
struct ChargingSearcher: ProbeSearcher {
    var galleryVersion: Int64 { 1 }
    var modelIDs: [String: String] { [:] }
    func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        JobCPUAccount.current?.add(10)
        return try FakeSearcher().search(imageBytes: imageBytes, maxCandidates: maxCandidates, threshold: threshold)
    }
}

@Suite("Job processor-time budget")
struct JobBudgetTests {
    func spool(limit: Int) throws -> TestSpool {
        let spool = try TestSpool()
        try DurableFile.write(Array("{\"max_probe_cpu_seconds\": 1, \"max_job_cpu_seconds\": \(limit)}".utf8),
                              to: spool.layout.policyFile, via: spool.layout.state)
        return spool
    }

    func drain(_ spool: TestSpool) throws {
        let now = spool.now
        _ = try SpoolDaemon(layout: spool.layout, searcher: ChargingSearcher(), gate: PolicyGate(config: try spool.layout.loadPolicy()),
                            configuration: .init(workers: 1, once: true, bulkBatchSize: 1),
                            logger: Logger(level: .error, sink: MemorySink()), clock: { now }).run()
    }

    @Test("a job whose probes spend the budget is denied input.job-cpu-budget, saying what to do")
    func singleJob() throws {
        let spool = try spool(limit: 25)
        let probes = try (0..<5).map { try spool.addEvidence("case", "p\($0).jpg", bytes: Array("face \($0)".utf8)) }
        _ = try spool.drop("job-1", TestSpool.jobJSON(probes: probes))
        try drain(spool)
        let result = try spool.result("job-1")
        #expect(result.decision == .denied && result.reasons == [.inputJobCPUBudget], "\(result.reasons)")
        #expect(result.messages.first?.contains("max_job_cpu_seconds") == true)
    }

    @Test("a bulk job past the budget records the probes not searched with input.job-cpu-budget, and completes")
    func bulkJob() throws {
        let spool = try spool(limit: 25)
        for i in 0..<10 { try spool.addEvidence("backlog", "p\(i).jpg", bytes: Array("face \(i)".utf8)) }
        _ = try spool.drop("bulk", TestSpool.jobJSON(probes: [], extra: ", \"probe_dir\": \"SCPD/backlog\""))
        try drain(spool)
        #expect(try spool.result("bulk").decision == .completed)
        let lines = try DurableFile.read(spool.layout.resultLines("bulk")).split(separator: 0x0a)
        let records = try lines.map { try ProbeRecord.decodeLine(Array($0)) }
        #expect(records.count == 10)
        #expect(records.filter { $0.error == nil }.count == 3)  // 10 s each: 30 s > 25 s after the third
        #expect(records.filter { $0.error == ReasonCode.inputJobCPUBudget.rawValue }.count == 7)
    }
}
