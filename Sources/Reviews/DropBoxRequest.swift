import Foundation
import SystemCalls

/// A request a person hands to the daemon through the spool's drop box (`incoming/`), from their
/// own account: a supervisor's approval, an examiner's review. The daemon authenticates it by the
/// file's owner uid, like a job file.
public protocol DropBoxRequest: Codable, Sendable {
    /// The file name's extension, which tells the daemon what the request is (`approval`, `review`).
    static var kind: String { get }
    /// The largest request file the daemon reads.
    static var maximumFileBytes: Int { get }
    /// The job the request is about.
    var job: String { get }
}

extension DropBoxRequest {
    /// Writes the request into the drop box: built in `temporaryDirectory`, synced, then renamed into
    /// `incoming` without replacing anything, named `<job>-<random>.<kind>`. Like a queued job file it
    /// is 0600 with an ACL entry for the daemon's account (the owner of `incoming`): a colleague who
    /// learns its name cannot read a pending review.
    /// - Returns: the file's name.
    /// - Throws: ``SystemCallError``, `EncodingError`.
    public func drop(via temporaryDirectory: String, into incoming: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = Array(try encoder.encode(self)) + [0x0a]
        let random = String(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff, radix: 16)
        let name = "\(job)-\(random).\(Self.kind)"
        let daemon = try FileStatus.of(incoming).owner
        try DurableFile.deliver(bytes, name: name, via: temporaryDirectory, into: incoming, readableBy: daemon)
        return name
    }
}
