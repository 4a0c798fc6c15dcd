import Foundation
import SystemCalls

/// The outbox's results directory (`outbox/results/`): where each job's result, a bulk job's
/// per-probe lines and the examiner's sheet are, and how they are read back.
///
/// ```
/// <job>.json    the result (every job)
/// <job>.jsonl   a bulk job's probe records, one a line
/// <job>.html    the examiner's sheet (completed jobs)
/// ```
public struct ResultFiles: Sendable, Equatable {
    /// The directory.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The result file of `job`.
    public func resultFile(_ job: String) -> String { "\(directory)/\(job).json" }
    /// The per-probe result lines of a bulk job.
    public func resultLines(_ job: String) -> String { "\(directory)/\(job).jsonl" }
    /// The examiner's sheet of `job`.
    public func sheetFile(_ job: String) -> String { "\(directory)/\(job).html" }

    /// The result of `job`, or `nil` when none was written.
    /// - Throws: ``SystemCallError`` when it cannot be read, `DecodingError` when it is not a result.
    public func result(_ job: String) throws -> JobResult? {
        let path = resultFile(job)
        guard FileStatus.exists(path) else { return nil }
        return try JobResult.decode(try DurableFile.read(path, limit: 64 << 20))
    }

    /// A job's probe records: the result's own, or a bulk job's `<job>.jsonl` lines.
    /// - Throws: ``SystemCallError`` when the lines file cannot be read, `DecodingError` for a
    ///   malformed line. A bulk result without its lines file has no probes.
    public func probes(of result: JobResult) throws -> [ProbeRecord] {
        guard result.probeCount != nil, result.probes.isEmpty else { return result.probes }
        let path = resultLines(result.job)
        guard FileStatus.exists(path) else { return [] }
        let bytes = try DurableFile.read(path)
        return try bytes.split(separator: 0x0a).map { try ProbeRecord.decodeLine(Array($0)) }
    }

    /// Candidates returned by a finished job: from the result's probes, or for a bulk job (whose
    /// summary keeps no probes) from its `<job>.jsonl` records. For the final audit record (the
    /// annual report's "candidates returned") and `frs status`.
    /// - Throws: what ``probes(of:)`` throws: a count that cannot be made is an error, never a guess.
    public func candidateCount(of result: JobResult) throws -> Int {
        guard result.probeCount != nil, result.probes.isEmpty else { return result.candidateCount }
        return try probes(of: result).reduce(0) { total, record in
            total + record.faces.reduce(0) { $0 + $1.candidates.count }
        }
    }
}
