import Glibc
import Policy
import Results
import Reviews
import Spool
import SystemCalls

extension StatusCommand {
    /// `frs status --queue`: what waits for this person, from the boards of the agencies they are
    /// staff of (by the staff list) and the results their agency's group reads.
    ///
    /// - An examiner (or supervisor): each completed job of the agency that is not their own, with
    ///   the leads still pending that none of their user ids reviewed.
    /// - A supervisor: the held jobs (not their own) to approve or reject, and the disputed leads
    ///   (of jobs not their own, with no review of theirs) to resolve.
    func workQueue(_ context: CommandContext, _ layout: SpoolLayout) -> Int32 {
        let board = layout.board
        let me = getuid()
        var lines: [String] = []
        var staffOfSome = false
        for agency in (try? board.agencies()) ?? [] where FileStatus.isAccessible(board.directory(agency: agency), R_OK | X_OK) {
            let mine = ((try? board.readStaff(agency: agency)) ?? []).filter { $0.uid == me && $0.status == "active" }
            let ids = Set(mine.map(\.user))
            let reviews = mine.contains { Role(rawValue: $0.role)?.canReview == true }
            let supervises = mine.contains { $0.role == Role.supervisor.rawValue }
            guard reviews || supervises else { continue }
            staffOfSome = true
            let records = ((try? board.records(agency: agency))?.records ?? []).filter { $0.uid != me }
            if supervises {
                for record in records where record.state == .held {
                    lines.append("  \(safe: record.job)  held: approve or reject (frs status \(safe: record.job)) — \(safe: record.requester)"
                                 + (record.caseNumber.map { ", case \(safe: $0)" } ?? "")
                                 + (record.hold.map { ", watch terms: \(safe: $0.watchTerms.joined(separator: ", "))" } ?? ""))
                }
                for record in records {
                    for lead in record.leads ?? [] where lead.state == LeadState.Status.disputed.rawValue
                        && !lead.dispositions.contains(where: { ids.contains($0.examiner) }) {
                        lines.append("  \(safe: record.job)  face \(lead.face) candidate \(safe: lead.candidate): disputed, to resolve (frs resolve)")
                    }
                }
            }
            if reviews {
                for record in records where record.decision == JobOutcome.completed.rawValue {
                    let waiting = Self.leadsToReview(record, layout: layout, mine: ids)
                    guard !waiting.isEmpty else { continue }
                    let shown = waiting.prefix(5).map { "face \($0.face) candidate \($0.candidate)" }.joined(separator: "; ")
                    lines.append("  \(safe: record.job)  \(waiting.count) lead\(waiting.count == 1 ? "" : "s") to review: \(safe: shown)"
                                 + (waiting.count > 5 ? "; …" : "") + " (sheet: \(safe: record.sheet ?? layout.sheetFile(record.job)))")
                }
            }
        }
        guard staffOfSome else {
            context.out("nothing waits for this account (uid \(me)): work queues are for examiners and supervisors "
                        + "registered with an agency")
            return 0
        }
        context.out(lines.isEmpty ? "nothing waits for you" : "waiting for you:")
        lines.forEach(context.out)
        return 0
    }

    /// The candidates of a completed job that are still pending and that none of `mine` reviewed.
    static func leadsToReview(_ record: JobStatusRecord, layout: SpoolLayout, mine: Set<String>)
        -> [(face: Int, candidate: String)]
    {
        guard let result = try? layout.resultFiles.result(record.job),
              let probes = try? layout.resultFiles.probes(of: result) else { return [] }
        var leads: [String: LeadSummary] = [:]
        for lead in record.leads ?? [] { leads["\(lead.face) \(lead.candidate)"] = lead }
        var waiting: [(face: Int, candidate: String)] = []
        for numbered in ResultFaces(probes).faces {
            for candidate in numbered.face.candidates {
                let lead = leads["\(numbered.number) \(candidate.subject)"]
                guard lead.map({ $0.state == LeadState.Status.pending.rawValue }) ?? true,
                      !(lead?.dispositions.contains { mine.contains($0.examiner) } ?? false)
                else { continue }
                waiting.append((numbered.number, candidate.subject))
            }
        }
        return waiting
    }
}
