import Foundation
import SystemCalls

extension SpoolLayout {
    /// Candidates returned by a finished job: from the result's probes, or for a bulk job (whose
    /// summary keeps no probes) from its `<job>.jsonl` records. For the final audit record (the
    /// annual report's "candidates returned") and `frs status`.
    public func candidateCount(of result: JobResult) -> Int {
        guard result.probeCount != nil, let bytes = try? DurableFile.read(resultLines(result.job)) else {
            return result.candidateCount
        }
        let decoder = JSONDecoder()
        return bytes.split(separator: 0x0a).reduce(0) { total, line in
            guard let record = try? decoder.decode(ProbeRecord.self, from: Data(line)) else { return total }
            return total + record.faces.reduce(0) { $0 + $1.candidates.count }
        }
    }
}
