import Audit
import Foundation
import Policy
import SystemCalls

/// The booking feed's limits.
public enum BookingFeedLimits {
    /// The largest booking transaction read from the drop box.
    public static let maximumTransactionBytes = 64 << 20
}

extension RequestDesk {
    static var maximumTransactionBytes: Int { BookingFeedLimits.maximumTransactionBytes }

    /// A booking transaction (`*.an2`, `*.eft`, `*.ebts`, `*.nist`) or a removal request from the
    /// booking system's feed: read from its locked descriptor (a plain file with one link), run as
    /// the uid that owns it by the gallery's runner (only the feed account and administrators may),
    /// filed in `done/` and answered with the import report, which the feed account reads in
    /// `outbox/answers/<uid>/`. Imports and removals are audited by the gallery (`gallery.imported`,
    /// `gallery.removed`); what cannot be run is refused and audited here (`gallery.feed-refused`).
    func processFeed(_ claim: ClaimedJob) throws {
        let event = claim.kind.refusedEvent
        let owner = claim.status.owner
        guard let fd = claim.descriptor, claim.status.isRegularFile, try fd.status().linkCount == 1 else {
            return try refuse(claim, event: event, reasons: [ReasonCode.requesterIdentityMismatch.rawValue],
                              message: "the file is not a plain file with one link", actor: "uid:\(owner)", owner: owner,
                              job: nil)
        }
        let request: FeedRequest
        do {
            if claim.kind == .booking {
                request = .transaction(bytes: try fd.readAll(from: 0, limit: Self.maximumTransactionBytes), name: claim.name)
            } else {
                request = .removal(try RemovalRequest.parse(try fd.readAll(from: 0, limit: RemovalRequest.maximumFileBytes)))
            }
        } catch {
            let why = (error as? SystemCallError)?.errno == EFBIG
                ? "larger than \(claim.kind == .booking ? Self.maximumTransactionBytes : RemovalRequest.maximumFileBytes) bytes"
                : "\(error)"
            return try refuse(claim, event: event, reasons: [ReasonCode.inputMalformed.rawValue],
                              message: "\(claim.name) cannot be read: \(why)", actor: "uid:\(owner)", owner: owner, job: nil)
        }
        guard let runner = services.feed else {
            return try refuse(claim, event: event, reasons: [], message: "this daemon imports no bookings (no face engine)",
                              actor: "uid:\(owner)", owner: owner, job: nil)
        }
        try registry.recordActivity(uid: owner, now: clock())
        let (accepted, reasons, message, output) = runner(request, owner)
        try file(claim, into: layout.done)
        answer(claim, job: nil, owner: owner, state: accepted ? .accepted : .refused, reasons: reasons, message: message,
               output: output)
        logger.info("booking feed \(claim.kind == .booking ? "transaction" : "removal") \(accepted ? "done" : "refused")",
                    ["request": claim.name, "uid": "\(owner)", "message": message])
    }
}
