import Audit
import Foundation
import Policy

extension RequestDesk {
    /// Runs an administrative request (`admin-<random>.admin`) as the uid that owns the file, through
    /// the command line's runner, and answers with what the command printed. The command audits its
    /// own changes and refusals; a request this daemon cannot run is refused and audited here.
    func processAdmin(_ claim: ClaimedJob) throws {
        let event = claim.kind.refusedEvent
        guard let (request, owner) = try readRequest(claim, refusedEvent: event, parse: AdminRequest.parse) else { return }
        guard let runner = services.administer else {
            return try refuse(claim, event: event, reasons: [], message: "this daemon runs no administrative requests "
                              + "(run the command as the daemon's account or root)", actor: "uid:\(owner)", owner: owner,
                              job: nil)
        }
        let (status, output) = runner(request.arguments, owner, claim.name)
        try file(claim, into: layout.done)
        let command = request.arguments.prefix(2).joined(separator: " ")
        if status == 0 {
            answer(claim, job: nil, owner: owner, state: .accepted, message: "frs \(command): done", output: output)
            logger.info("administrative request done", ["request": claim.name, "uid": "\(owner)", "command": command])
        } else {
            answer(claim, job: nil, owner: owner, state: .refused,
                   message: output.last ?? "frs \(command) failed (exit \(status))", output: output)
            logger.warning("administrative request refused", ["request": claim.name, "uid": "\(owner)", "command": command])
        }
    }
}
