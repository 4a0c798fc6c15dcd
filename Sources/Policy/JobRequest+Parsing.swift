extension JobRequest {
    /// Largest job file accepted, in bytes.
    public static let maximumFileBytes = 16 << 20
    /// Deepest nesting accepted (a job needs 2; the rest leaves room to classify filter objects).
    public static let maximumDepth = 32
    /// Most entries accepted in `probes` (the policy's own limit is usually far lower).
    public static let maximumProbeEntries = 100_000
    /// Longest value accepted per text field, in characters.
    public static let maximumFieldLengths: [String: Int] = [
        "requester": 64, "purpose": 64, "case_number": 64, "offense": 200, "justification": 4000,
        "probes": 1024, "probe_dir": 1024,
    ]

    /// Parses and checks the form of a job file.
    ///
    /// Accepts one JSON object (RFC 8259, UTF-8, at most 16 MiB, nesting at most 32 levels) with the
    /// fields of ``knownFields``. Every problem is collected, not just the first:
    /// - not JSON, not an object, a duplicated key, a wrong type, an oversized or control-character
    ///   string, a missing `version` or `requester` → `input.malformed`;
    /// - an unknown field → `input.unknown-field`, unless it asks for a protected-class filter
    ///   (`use.protected-class-filter`) or live surveillance (`use.live-surveillance`; also any probe
    ///   that is a stream URL);
    /// - no `probes` and no `probe_dir` → `input.probe-missing`;
    /// - `max_candidates` not a positive integer → `input.invalid-max-candidates`;
    /// - `threshold` not a finite number in (0, 2] → `input.invalid-threshold`;
    /// - `probe_source` not one of ``ProbeSource`` → `input.malformed`; a sketch, composite or
    ///   lookalike → `input.probe-source-refused`; `probe_edits` not a list of `{"by", "edit"}`
    ///   objects with non-empty one-line strings → `input.malformed`.
    ///
    /// Missing `purpose`, `justification`, `case_number` and `offense` are not parse errors: the
    /// ``PolicyGate`` denies them with the purpose rules' reasons.
    ///
    /// - Parameter bytes: the file's contents.
    /// - Returns: the request, or every problem found.
    /// - Complexity: O(n) in the file size.
    public static func parse(_ bytes: [UInt8]) -> Result<JobRequest, JobParseFailure> {
        if bytes.count > maximumFileBytes {
            return .failure(JobParseFailure(issues: [
                .init(code: .inputMalformed, field: "", message: "job file is \(bytes.count) bytes; the limit is \(maximumFileBytes)"),
            ]))
        }
        var parser = JSONParser()
        parser.maximumDepth = maximumDepth
        parser.maximumStringBytes = 64 << 10
        let root: JSONValue
        do {
            root = try parser.parse(bytes)
        } catch {
            return .failure(JobParseFailure(issues: [
                .init(code: .inputMalformed, field: "", message: "not valid JSON: \(error.description)"),
            ]))
        }
        guard case .object(let members) = root else {
            return .failure(JobParseFailure(issues: [
                .init(code: .inputMalformed, field: "", message: "a job file must be a JSON object, not \(root.typeName)"),
            ]))
        }
        var builder = Builder()
        builder.read(members)
        return builder.finish()
    }

    /// Collects fields and issues while reading a job object.
    private struct Builder {
        var issues: [JobParseFailure.Issue] = []
        var version: Int?
        var requester: String?
        var purpose: String?
        var caseNumber: String?
        var offense: String?
        var justification: String?
        var probes: [String]?
        var probeDir: String?
        var maxCandidates: Int?
        var threshold: Double?
        var probeSource: ProbeSource?
        var probeEdits: [ProbeEdit] = []

        mutating func issue(_ code: ReasonCode, _ field: String, _ message: String) {
            issues.append(.init(code: code, field: field, message: message))
        }

        mutating func read(_ members: [(key: String, value: JSONValue)]) {
            var seen = Set<String>()
            for (key, value) in members {
                let shownKey = Self.printable(key)
                guard seen.insert(key).inserted else {
                    issue(.inputMalformed, shownKey, "the field is given more than once")
                    continue
                }
                if case .null = value, JobRequest.knownFields.contains(key) { continue }
                switch key {
                case "version":
                    if case .number(let text) = value, let v = Int(text) {
                        if v == 1 { version = v } else { issue(.inputMalformed, key, "unsupported version \(Self.printable(text)); this is version 1") }
                    } else {
                        issue(.inputMalformed, key, "must be the integer 1, not \(Self.describe(value))")
                    }
                case "requester":
                    if let s = text(key, value, singleLine: true) {
                        if s.isEmpty { issue(.inputMalformed, key, "must not be empty") } else { requester = s }
                    }
                case "purpose": purpose = text(key, value, singleLine: true)
                case "case_number": caseNumber = text(key, value, singleLine: true)
                case "offense": offense = text(key, value, singleLine: true)
                case "justification": justification = text(key, value, singleLine: false)
                case "probe_dir":
                    if let s = text(key, value, singleLine: true, trim: false) {
                        if ProhibitedUse.isStreamURL(s) {
                            issue(.useLiveSurveillance, key, "a live stream is not a folder of probe images; this is a batch investigative tool")
                        } else if s.isEmpty {
                            issue(.inputMalformed, key, "must not be empty")
                        } else {
                            probeDir = s
                        }
                    }
                case "probes": readProbes(value)
                case "probe_source": readProbeSource(value)
                case "probe_edits": readProbeEdits(value)
                case "max_candidates":
                    if case .number(let text) = value, let v = Int(text), v >= 1 {
                        maxCandidates = v
                    } else {
                        issue(.inputInvalidMaxCandidates, key, "must be a whole number from 2 to 50, not \(Self.describe(value))")
                    }
                case "threshold":
                    if case .number(let text) = value, let v = Double(text), v.isFinite, v > 0, v <= 2 {
                        threshold = v
                    } else {
                        issue(.inputInvalidThreshold, key, "must be a distance above 0 (default 0.6), not \(Self.describe(value))")
                    }
                default:
                    let codes = ProhibitedUse.classify(key: key, value: value)
                    if codes.contains(.useProtectedClassFilter) {
                        issue(.useProtectedClassFilter, shownKey, "selecting or filtering by a protected class is prohibited (MOU V.2); the engine has no such filters")
                    }
                    if codes.contains(.useLiveSurveillance) {
                        issue(.useLiveSurveillance, shownKey, "live or continuous surveillance is prohibited; this is a batch investigative tool")
                    }
                    if codes.isEmpty {
                        issue(.inputUnknownField, shownKey, "unknown field; known fields are \(JobRequest.knownFields.sorted().joined(separator: ", "))")
                    }
                }
            }
        }

        mutating func readProbes(_ value: JSONValue) {
            guard case .array(let items) = value else {
                issue(.inputMalformed, "probes", "must be an array of image paths, not \(Self.describe(value))")
                return
            }
            guard items.count <= JobRequest.maximumProbeEntries else {
                issue(.inputTooManyProbes, "probes", "\(items.count) entries; at most \(JobRequest.maximumProbeEntries), use probe_dir for bulk jobs")
                return
            }
            var paths: [String] = []
            paths.reserveCapacity(items.count)
            var streamed = false
            for (i, item) in items.enumerated() {
                let field = "probes[\(i)]"
                guard case .string(let s) = item else {
                    issue(.inputMalformed, field, "must be a path string, not \(Self.describe(item))")
                    continue
                }
                if ProhibitedUse.isStreamURL(s) {
                    if !streamed { issue(.useLiveSurveillance, field, "a live stream is not a probe image; this is a batch investigative tool") }
                    streamed = true
                    continue
                }
                if s.isEmpty { issue(.inputMalformed, field, "must not be empty"); continue }
                if s.utf8.count > JobRequest.maximumFieldLengths["probes"]! {
                    issue(.inputMalformed, field, "path longer than \(JobRequest.maximumFieldLengths["probes"]!) bytes")
                    continue
                }
                if let bad = TextSafety.firstForbidden(in: s, singleLine: true) {
                    issue(.inputMalformed, field, "control character \(TextSafety.codePoint(bad)) in path")
                    continue
                }
                paths.append(s)
            }
            probes = paths
        }

        mutating func readProbeSource(_ value: JSONValue) {
            guard let text = text("probe_source", value, singleLine: true) else { return }
            guard let source = ProbeSource(rawValue: text) else {
                issue(.inputMalformed, "probe_source", "\"\(Self.printable(text))\" is not a probe source; use one of "
                      + ProbeSource.accepted.map(\.rawValue).joined(separator: ", "))
                return
            }
            if source.isRefused {
                issue(.inputProbeSourceRefused, "probe_source",
                      "a \(source.rawValue) is not a photo of the person sought; face recognition may not search it")
            }
            probeSource = source
        }

        mutating func readProbeEdits(_ value: JSONValue) {
            guard case .array(let items) = value, items.count <= ProbeEdit.maximumCount else {
                issue(.inputMalformed, "probe_edits", "must be a list of at most \(ProbeEdit.maximumCount) {\"by\", \"edit\"} objects")
                return
            }
            for (i, item) in items.enumerated() {
                let field = "probe_edits[\(i)]"
                guard case .object(let members) = item, members.count == 2,
                      case .string(let by)? = members.first(where: { $0.key == "by" })?.value,
                      case .string(let edit)? = members.first(where: { $0.key == "edit" })?.value
                else {
                    issue(.inputMalformed, field, "must be an object with exactly the strings \"by\" and \"edit\"")
                    continue
                }
                let trimmed = (by: by.trimmingWhitespace(), edit: edit.trimmingWhitespace())
                guard !trimmed.by.isEmpty, !trimmed.edit.isEmpty,
                      trimmed.by.count <= ProbeEdit.maximumLengths.by, trimmed.edit.count <= ProbeEdit.maximumLengths.edit,
                      !(by + edit).unicodeScalars.contains(where: { Self.isForbidden($0, singleLine: true) })
                else {
                    issue(.inputMalformed, field, "\"by\" (at most \(ProbeEdit.maximumLengths.by) characters) and \"edit\" "
                          + "(at most \(ProbeEdit.maximumLengths.edit)) must be non-empty single lines")
                    continue
                }
                probeEdits.append(ProbeEdit(by: trimmed.by, edit: trimmed.edit))
            }
        }

        /// Reads a string field, checking its length and (for one-line fields) control characters.
        mutating func text(_ key: String, _ value: JSONValue, singleLine: Bool, trim: Bool = true) -> String? {
            guard case .string(let raw) = value else {
                issue(.inputMalformed, key, "must be a string, not \(Self.describe(value))")
                return nil
            }
            let limit = JobRequest.maximumFieldLengths[key] ?? 1024
            guard raw.count <= limit else {
                issue(.inputMalformed, key, "longer than \(limit) characters")
                return nil
            }
            if let bad = TextSafety.firstForbidden(in: raw, singleLine: singleLine) {
                issue(.inputMalformed, key, "contains the control character \(TextSafety.codePoint(bad))"
                      + (singleLine ? "; a one-line field holds no control characters, tabs, line breaks or direction marks" : ""))
                return nil
            }
            return trim ? raw.trimmingWhitespace() : raw
        }

        /// Control characters other than line breaks and tabs (and those too, in one-line fields),
        /// C1 controls, and (in one-line fields) bidirectional controls: ``TextSafety``.
        static func isForbidden(_ scalar: Unicode.Scalar, singleLine: Bool) -> Bool {
            TextSafety.isForbidden(scalar, singleLine: singleLine)
        }

        func finish() -> Result<JobRequest, JobParseFailure> {
            var failure = JobParseFailure(issues: issues, requester: requester, purpose: purpose, caseNumber: caseNumber)
            if version == nil, !issues.contains(where: { $0.field == "version" }) {
                failure.issues.append(.init(code: .inputMalformed, field: "version", message: "missing; use \"version\": 1"))
            }
            if requester == nil, !issues.contains(where: { $0.field == "requester" }) {
                failure.issues.append(.init(code: .inputMalformed, field: "requester", message: "missing; name the registered requester id"))
            }
            let hasProbeIssue = issues.contains { $0.field == "probes" || $0.field.hasPrefix("probes[") || $0.field == "probe_dir" }
            if (probes ?? []).isEmpty, probeDir == nil, !hasProbeIssue {
                failure.issues.append(.init(code: .inputProbeMissing, field: "probes", message: "no probe images: give probes or probe_dir"))
            }
            guard failure.issues.isEmpty, let version, let requester else { return .failure(failure) }
            return .success(JobRequest(
                version: version, requester: requester, purpose: purpose ?? "",
                caseNumber: caseNumber.flatMap { $0.isEmpty ? nil : $0 },
                offense: offense.flatMap { $0.isEmpty ? nil : $0 },
                justification: justification ?? "", probes: probes ?? [], probeDir: probeDir,
                maxCandidates: maxCandidates, threshold: threshold, probeSource: probeSource, probeEdits: probeEdits
            ))
        }

        /// A key or literal made safe to show in a message: control characters escaped, length capped.
        static func printable(_ s: String) -> String {
            var out = ""
            for scalar in s.unicodeScalars.prefix(80) {
                if TextSafety.isForbidden(scalar, singleLine: true) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return s.unicodeScalars.count > 80 ? out + "…" : out
        }

        static func describe(_ value: JSONValue) -> String {
            switch value {
            case .number(let text): "the number \(printable(text))"
            case .string(let s): "the string \"\(printable(s))\""
            case .bool(let b): "\(b)"
            default: "a value of type \(value.typeName)"
            }
        }
    }

    /// Whether a probe path, taken relative to the evidence store, stays inside it.
    ///
    /// Pure string check: not empty, not absolute, no NUL or other control character, no `..`
    /// component, no backslash. The spool still resolves symbolic links against the filesystem.
    public static func isSafeRelativeProbePath(_ path: String) -> Bool {
        PolicyGate.isSafeRelativeProbePath(path)
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
