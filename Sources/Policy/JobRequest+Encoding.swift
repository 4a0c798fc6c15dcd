import Foundation

/// The job file as written (`frs submit`), beside the parser that reads it (`JobRequest+Parsing.swift`):
/// both go through ``JobRequest/fields``, each field written as its kind says, so whatever is
/// written parses back to an equal request (a test round-trips every field).
extension JobRequest: Encodable {
    /// A key of the job file (a field's name) or of a record that embeds the request.
    public struct FieldKey: CodingKey, Sendable {
        public var stringValue: String
        public var intValue: Int? { nil }

        public init(_ name: String) { stringValue = name }
        public init?(stringValue: String) { self.stringValue = stringValue }
        public init?(intValue: Int) { nil }
    }

    /// Where the request's fields are written.
    public enum Layout: Sendable {
        /// The job file: every field the request has, absent ones and an empty `probe_edits` left out.
        case jobFile
        /// A disclosure packet's `request`, in its format since it was made: without `version`,
        /// and with `probe_edits` written when empty.
        case disclosure
    }

    /// Writes the job file's fields (``Layout/jobFile``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        try encodeFields(into: &container, layout: .jobFile)
    }

    /// Writes the fields of ``fields`` into `container`, as `layout` says; a record that embeds the
    /// request adds its own keys beside them.
    /// - Throws: `EncodingError` (a non-finite threshold).
    public func encodeFields(into container: inout KeyedEncodingContainer<FieldKey>, layout: Layout) throws {
        for field in Self.fields {
            let key = FieldKey(field.name)
            switch field.kind {
            case .formatVersion(let slot):
                if layout == .jobFile { try container.encode(self[keyPath: slot], forKey: key) }
            case .text(let slot, _, _): try container.encode(self[keyPath: slot], forKey: key)
            case .optionalText(let slot, _), .folder(let slot, _): try container.encodeIfPresent(self[keyPath: slot], forKey: key)
            case .paths(let slot, _): try container.encode(self[keyPath: slot], forKey: key)
            case .candidateCount(let slot): try container.encodeIfPresent(self[keyPath: slot], forKey: key)
            case .distance(let slot): try container.encodeIfPresent(self[keyPath: slot], forKey: key)
            case .probeSource(let slot): try container.encodeIfPresent(self[keyPath: slot], forKey: key)
            case .probeEdits(let slot):
                let edits = self[keyPath: slot]
                if !edits.isEmpty || layout == .disclosure { try container.encode(edits, forKey: key) }
            }
        }
    }

    /// The job file's bytes: pretty-printed JSON with sorted keys and a final newline.
    /// - Throws: `EncodingError` (a non-finite threshold).
    public func jobFileBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0a]
    }
}
