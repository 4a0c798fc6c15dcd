import FaceEngine
import FaceSearch
import FixtureFiles
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
}
