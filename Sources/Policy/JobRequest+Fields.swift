/// The vocabulary of ``JobRequest/fields``: one row per job file field.
extension JobRequest {
    /// Where a ``JobRequest`` keeps a field's value.
    public typealias Slot<Value> = any WritableKeyPath<JobRequest, Value> & Sendable

    /// One field of the job file: its key, what it holds and where the request keeps it, and
    /// whether a job must give it.
    public struct Field: Sendable {
        /// The key in the job file (and in a disclosure packet's `request`).
        public let name: String
        /// What the field holds, how it is checked and where the request keeps it.
        public let kind: Kind
        /// For a field a job must give: what a file without it is told (after `"missing; "`).
        public let missingHint: String?

        /// Whether a job file must give the field.
        public var isRequired: Bool { missingHint != nil }

        public init(_ name: String, _ kind: Kind, missing hint: String? = nil) {
            self.name = name
            self.kind = kind
            missingHint = hint
        }

        /// What a field holds: each kind is read (`JobRequest+Parsing.swift`) and written
        /// (`JobRequest+Encoding.swift`) one way, whichever field has it.
        public enum Kind: Sendable {
            /// The format version: the integer 1.
            case formatVersion(Slot<Int>)
            /// A string, trimmed; one line unless `multiline` (then line breaks and tabs are allowed).
            /// Empty when absent; a required one must not be empty.
            case text(Slot<String>, maximumLength: Int, multiline: Bool = false)
            /// A one-line string, trimmed; `nil` when absent or blank.
            case optionalText(Slot<String?>, maximumLength: Int)
            /// A list of probe image paths (each one line, not empty, not a stream).
            case paths(Slot<[String]>, maximumLength: Int)
            /// A folder of probe images, as written (one line, not empty, not a stream).
            case folder(Slot<String?>, maximumLength: Int)
            /// The longest candidate list wanted: a whole number of at least 1 (`input.invalid-max-candidates`).
            case candidateCount(Slot<Int?>)
            /// A distance in (0, 2] (`input.invalid-threshold`).
            case distance(Slot<Double?>)
            /// One of ``ProbeSource``; a refused one is read and reported (`input.probe-source-refused`).
            case probeSource(Slot<ProbeSource?>)
            /// A list of ``ProbeEdit`` objects (`{"by", "edit"}`).
            case probeEdits(Slot<[ProbeEdit]>)

            /// The request's property that holds the value.
            public var keyPath: PartialKeyPath<JobRequest> {
                switch self {
                case .formatVersion(let slot): slot
                case .text(let slot, _, _): slot
                case .optionalText(let slot, _), .folder(let slot, _): slot
                case .paths(let slot, _): slot
                case .candidateCount(let slot): slot
                case .distance(let slot): slot
                case .probeSource(let slot): slot
                case .probeEdits(let slot): slot
                }
            }
        }
    }

    /// The keys a job file may have (``fields``' names).
    public static let knownFields: Set<String> = Set(fields.map(\.name))

    /// The fields by key.
    static let fieldsByName: [String: Field] = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })

    /// The key of the field kept in `property`, for messages about it.
    /// - Precondition: `property` is one of ``fields``' (a programming error otherwise).
    public static func fieldName(_ property: PartialKeyPath<JobRequest>) -> String {
        guard let field = fields.first(where: { $0.kind.keyPath == property }) else {
            preconditionFailure("\(property) is not a job file field")
        }
        return field.name
    }
}
