import Foundation
import Glibc
import Reviews
import Spool

/// `--wait SECONDS` of the commands that hand a request to the daemon: 0 to 86,400 seconds.
func waitOption(_ arguments: inout ArgumentList) throws(UsageError) -> Double? {
    guard let text = try arguments.option("--wait") else { return nil }
    guard let seconds = Double(text), seconds >= 0, seconds <= 86_400 else {
        throw UsageError("--wait takes a number of seconds from 0 to 86400, not \"\(text)\"")
    }
    return seconds
}

/// The help lines every request command shares about where its answer appears.
let answerHelp = """
      --wait SECONDS     wait up to SECONDS for the daemon's answer and print it (exit 0
                         accepted, 1 refused, 3 no answer yet)
    What this account can already see (its agency's result and status board, the staff list, the
    lead's state) is checked at once: a request the daemon would refuse for it is refused here,
    exit 1 with the reason. Otherwise the request goes to the daemon through the drop box, and its
    answer (accepted, or refused with reason codes and a sentence) appears in `frs status`.
    """

/// Hands a request to the daemon through the drop box, unless `refusal` says it would be refused:
/// says where the answer will appear and, with `wait`, waits for it.
/// - Parameter what: how the request is named in messages ("review of JOB face 1").
/// - Returns: the exit status: 0 queued (or accepted), 1 refused, 3 no answer within `wait`.
func handOver(_ context: CommandContext, _ request: some DropBoxRequest, what: String,
              refusal: RequestChecks.Refusal?, wait: Double?) throws -> Int32 {
    if let refusal {
        context.err("frs: \(safe: what) refused (\(refusal.reason.rawValue)): \(safe: refusal.message)")
        return 1
    }
    let layout = SpoolLayout(root: context.spool)
    let name = try request.drop(via: layout.tmp, into: layout.incoming)
    let uid = getuid()
    context.out("\(safe: what) queued as \(name); the daemon's answer will appear in `frs status` "
                + "(\(layout.answers.file(request: name, uid: uid)))")
    guard let wait else { return 0 }
    guard let answer = layout.answers.wait(request: name, uid: uid, seconds: wait) else {
        context.err("frs: no answer from a daemon within \(formatSeconds(wait)); the request stays queued and its "
                    + "answer will appear in `frs status` once a daemon has run")
        return 3
    }
    context.out(answerLine(answer))
    return answer.state == .accepted ? 0 : 1
}

/// An answer in one line: `accepted: …` or `refused (reason, …): …`.
func answerLine(_ answer: RequestAnswer) -> String {
    switch answer.state {
    case .accepted: "accepted: \(safe: answer.message)"
    case .refused: "refused (\(safe: answer.reasons.joined(separator: ", "))): \(safe: answer.message)"
    }
}

private func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
}
