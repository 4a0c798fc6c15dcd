/// A record's place and hash noted outside the log (a ticket, a printed report), so that a later
/// verification can prove the log still holds that record unchanged.
///
/// A hash chain alone shows that the log is self-consistent; it cannot show that the last records
/// were not cut off, or that everything from some point on was not rewritten consistently. An
/// anchor taken from `frs audit verify` ("head SEQ:HASH") closes that gap up to its record.
public struct AuditAnchor: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The record's sequence number.
    public var seq: Int
    /// The record's hash (64 lowercase hex digits).
    public var hash: String

    public init(seq: Int, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    /// Parses `SEQ:HASH`; `nil` unless SEQ is a positive integer and HASH 64 hex digits.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int(parts[0]), seq >= 1, parts[1].utf8.count == 64,
              parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) })
        else { return nil }
        self.seq = seq
        self.hash = parts[1].lowercased()
    }

    /// `SEQ:HASH`.
    public var description: String { "\(seq):\(hash)" }
}
