import Foundation
import Hashing
import Policy
import Store
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
    /// Checks the text fields (``RequestFields``): parsing, dropping and recording call it.
    /// - Throws: ``RequestFieldError``.
    func checkFields() throws(RequestFieldError)
}

/// What a drop-box request is recorded under: its file name, its owner's uid and the SHA-256 of
/// what it asks (the parsed request, canonically encoded).
///
/// A request applied again after a crash (the same file: same name, owner and content) is
/// recognised and records nothing new; a file dropped later under a name recorded before — by
/// another account, or asking something else — is a new request, judged on its own content and
/// owner like any other, never taken for the one recorded under that name.
public struct RequestKey: Sendable, Equatable {
    /// The drop-box file name.
    public var name: String
    /// The file's owner.
    public var owner: UInt32
    /// SHA-256 (hex) of the request's canonical encoding.
    public var digest: String

    public init<Request: DropBoxRequest>(_ request: Request, name: String, owner: UInt32) {
        self.name = name
        self.owner = owner
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        digest = SHA256.hex(Array((try? encoder.encode(request)) ?? Data()))
    }

    /// The value kept in the logs' `request` column.
    public var stored: String { "\(name) uid:\(owner) sha256:\(digest)" }

    /// The `request` and `request_name` columns of a log row: the key (unique) and the file name;
    /// without a key, the bare name in `request` (a request recorded directly has neither).
    static func columns(request: String?, key: String?) -> (stored: SQLValue, name: SQLValue) {
        guard let key else { return (request.map { .text($0) } ?? .null, .null) }
        return (.text(key), request.map { .text($0) } ?? .null)
    }
}

/// The limits every drop-box request's text fields share.
public enum RequestFields {
    /// Longest one-line field (ids, subject ids), in characters.
    public static let maximumLineLength = 256
    /// Longest narrative (a note, a corroboration), in characters: as a job's justification.
    public static let maximumNarrativeLength = 4000

    /// Checks one-line fields and narratives (``Policy/TextSafety``, the lengths above).
    /// - Throws: ``RequestFieldError`` naming the field and what is wrong with it.
    public static func check(lines: [(name: String, value: String)], narratives: [(name: String, value: String?)])
        throws(RequestFieldError)
    {
        func refuse(_ message: String) throws(RequestFieldError) -> Never { throw RequestFieldError(message: message) }
        for (name, value) in lines {
            if value.count > maximumLineLength { try refuse("\(name) is longer than \(maximumLineLength) characters") }
            if let problem = TextSafety.problem(field: name, value, singleLine: true) { try refuse(problem) }
        }
        for (name, value) in narratives {
            guard let value else { continue }
            if value.count > maximumNarrativeLength { try refuse("\(name) is longer than \(maximumNarrativeLength) characters") }
            if let problem = TextSafety.problem(field: name, value, singleLine: false) { try refuse(problem) }
        }
    }
}

/// A drop-box request's field that cannot be accepted: what is wrong, in words.
public struct RequestFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension DropBoxRequest {
    /// Writes the request into the drop box: built in `temporaryDirectory`, synced, then renamed into
    /// `incoming` without replacing anything, named `<job>-<random>.<kind>`. Like a queued job file it
    /// is 0600 with an ACL entry for the daemon's account (the owner of `incoming`): a colleague who
    /// learns its name cannot read a pending review.
    /// - Returns: the file's name.
    /// - Throws: ``RequestFieldError`` for a field the daemon would refuse (nothing is dropped),
    ///   ``SystemCallError``, `EncodingError`.
    public func drop(via temporaryDirectory: String, into incoming: String) throws -> String {
        try checkFields()
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
