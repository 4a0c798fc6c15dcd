import Foundation

/// The job file as written (`frs submit`), beside the parser that reads it (`JobRequest+Parsing.swift`):
/// the field names are stated once for both directions here and in the parser's known-field list,
/// and a test round-trips every field.
extension JobRequest: Encodable {
    enum CodingKeys: String, CodingKey {
        case version, requester, purpose
        case caseNumber = "case_number"
        case offense, justification, probes
        case probeDir = "probe_dir"
        case maxCandidates = "max_candidates"
        case threshold
        case probeSource = "probe_source"
        case probeEdits = "probe_edits"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(requester, forKey: .requester)
        try c.encode(purpose, forKey: .purpose)
        try c.encodeIfPresent(caseNumber, forKey: .caseNumber)
        try c.encodeIfPresent(offense, forKey: .offense)
        try c.encode(justification, forKey: .justification)
        try c.encode(probes, forKey: .probes)
        try c.encodeIfPresent(probeDir, forKey: .probeDir)
        try c.encodeIfPresent(maxCandidates, forKey: .maxCandidates)
        try c.encodeIfPresent(threshold, forKey: .threshold)
        try c.encodeIfPresent(probeSource, forKey: .probeSource)
        if !probeEdits.isEmpty { try c.encode(probeEdits, forKey: .probeEdits) }
    }

    /// The job file's bytes: pretty-printed JSON with sorted keys and a final newline.
    /// - Throws: `EncodingError` (a non-finite threshold).
    public func jobFileBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0a]
    }
}
