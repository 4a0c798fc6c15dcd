import Basics
import Foundation
import Hashing
import Policy
import Results
import SystemCalls

/// Runs the search of a bulk job (one naming `probe_dir`): every probe gets exactly one record, one
/// JSON line each in `outbox/results/<job>.jsonl`, resumed from what an interrupted attempt recorded.
///
/// A probe that cannot be searched — it does not resolve, lies where the job may not look, is a
/// symlink out of the store, a FIFO or other special file, is not an image — gets a record with
/// its reason code in `error` rather than vanishing. Pending probes go in batches of
/// ``batchSize``: read one by one, searched in parallel (``ProbeSearcher/searchBatch(_:maxCandidates:threshold:workers:)``),
/// recorded in probe order. An engine fault keeps what precedes it and fails the attempt, which
/// resumes at the faulty probe.
struct BulkRunner {
    /// One probe of the job: its path as named, and where it resolved or why it did not.
    struct Probe {
        var probe: String
        var resolved: Result<String, ProbeRejection>
    }

    let layout: SpoolLayout
    let evidence: EvidenceStore
    let searcher: any ProbeSearcher
    let logger: Logger
    let clock: @Sendable () -> Date
    /// Images searched at once.
    let workers: Int
    /// Probes per batch (records are appended after each batch).
    let batchSize: Int
    /// Told the figures after each batch (the status board's record).
    var onProgress: ((BulkFigures) -> Void)?
    /// The job's processor time so far, and the policy's limit (`max_job_cpu_seconds`): once it is
    /// spent, the probes not yet searched get records `input.job-cpu-budget` instead.
    var cpu = JobCPUAccount()
    var cpuLimit: Double = .infinity

    /// Searches the pending probes and moves the records to the outbox.
    /// - Parameters:
    ///   - id: the job id.
    ///   - explicit: records of the probes the job listed in `probes` (searched already).
    ///   - probes: the folder's probes, in order.
    /// - Returns: the number of records.
    /// - Throws: I/O errors and engine faults (the attempt fails and resumes later).
    func run(id: String, explicit: [ProbeRecord], probes: [Probe], maxCandidates: Int, threshold: Double) throws -> Int {
        try Directory.create(layout.bulkProgress, mode: 0o700)
        let progressPath = layout.bulkProgress(for: id)
        if !FileStatus.exists(progressPath), FileStatus.exists(layout.resultLines(id)) {
            // Finished before a crash that came before the summary: take the records back.
            try DurableFile.rename(layout.resultLines(id), to: progressPath)
        }
        let progress = try BulkProgress(path: progressPath)
        if progress.count > 0 { logger.info("resuming a bulk job", ["job": id, "recorded": "\(progress.count)"]) }
        for record in explicit where !progress.done.contains(record.image) {
            try progress.append(record)
        }
        let pending = probes.filter { !progress.done.contains($0.probe) }
        let total = probes.count, started = clock(), alreadyDone = total - pending.count
        for start in stride(from: 0, to: pending.count, by: batchSize) {
            if start > 0 { report(id, done: alreadyDone + start, total: total, since: started, searched: start) }
            try runBatch(pending[start..<min(start + batchSize, pending.count)], into: progress,
                         maxCandidates: maxCandidates, threshold: threshold)
        }
        report(id, done: total, total: total, since: started, searched: pending.count)
        try progress.finish(to: layout.resultLines(id))
        try? DurableFile.remove(layout.bulkStatus(for: id))
        return progress.count
    }

    /// Reads, searches and records one batch, in probe order.
    private func runBatch(_ batch: ArraySlice<Probe>, into progress: BulkProgress, maxCandidates: Int,
                          threshold: Double) throws {
        guard cpu.spent <= cpuLimit else {
            for item in batch {
                try progress.append(ProbeRecord(image: item.probe, sha256: nil, faces: [],
                                                error: ReasonCode.inputJobCPUBudget.rawValue))
            }
            return
        }
        var records = [ProbeRecord?](repeating: nil, count: batch.count)
        var readable: [(index: Int, bytes: [UInt8])] = []
        for (i, item) in batch.enumerated() {
            do {
                let path = try item.resolved.get()
                readable.append((i, try evidence.read(canonicalPath: path, probe: item.probe)))
            } catch {
                records[i] = ProbeRecord(image: item.probe, sha256: nil, faces: [], error: error.code.rawValue)
            }
        }
        let results = cpu.run {
            searcher.searchBatch(readable.map(\.bytes), maxCandidates: maxCandidates, threshold: threshold, workers: workers)
        }
        var fault: (any Error)?
        for (entry, result) in zip(readable, results) {
            let probe = batch[batch.startIndex + entry.index].probe
            switch result {
            case .success(let faces):
                records[entry.index] = ProbeRecord(image: probe, sha256: SHA256.hex(entry.bytes), faces: faces)
            case .failure(let error as ProbeImageError):
                records[entry.index] = ProbeRecord(image: probe, sha256: SHA256.hex(entry.bytes), faces: [],
                                                   error: error.reason.rawValue)
            case .failure(let error):
                fault = fault ?? error
            }
        }
        for record in records {
            guard let record else { break }
            try progress.append(record)
        }
        if let fault { throw fault }
    }

    /// A bulk job's progress: a log line (stderr) and `state/bulk/<job>.status` for `frs status`.
    /// Best effort: progress reporting never fails a job.
    func report(_ id: String, done: Int, total: Int, since started: Date, searched: Int) {
        let elapsed = max(clock().timeIntervalSince(started), 1e-3)
        let rate = Double(searched) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let figures = ["done": "\(done)", "total": "\(total)", "rate_per_minute": String(format: "%.1f", rate * 60),
                       "eta_seconds": String(format: "%.0f", eta)]
        logger.info("bulk progress", figures.merging(["job": id]) { a, _ in a })
        let text = figures.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n"
        try? DurableFile.write(Array(text.utf8), to: layout.bulkStatus(for: id), via: layout.bulkProgress)
        onProgress?(BulkFigures(done: done, total: total, ratePerMinute: (rate * 600).rounded() / 10,
                                etaSeconds: Int(eta.rounded()), at: clock()))
    }
}
