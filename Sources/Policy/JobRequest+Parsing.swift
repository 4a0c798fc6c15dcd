extension JobRequest {
    /// Largest job file accepted, in bytes.
    public static let maximumFileBytes = 16 << 20
    /// Deepest nesting accepted (a job needs 2; the rest leaves room to classify filter objects).
    public static let maximumDepth = 32
    /// Most entries accepted in `probes` (the policy's own limit is usually far lower).
    public static let maximumProbeEntries = 100_000

    /// Parses and checks the form of a job file.
    ///
    /// Accepts one JSON object (RFC 8259, UTF-8, at most 16 MiB, nesting at most 32 levels) with the
    /// fields of ``fields``, each read by its kind (``Field/Kind``). Every problem is collected, not just the first:
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
        /// The request as read so far: only the properties in `given` come from the file.
        var draft = JobRequest(requester: "", purpose: "", justification: "")
        /// The properties read from the file with a usable value.
        var given = Set<PartialKeyPath<JobRequest>>()

        mutating func issue(_ code: ReasonCode, _ field: String, _ message: String) {
            issues.append(.init(code: code, field: field, message: message))
        }

        /// Keeps a field's value.
        mutating func set<Value>(_ slot: Slot<Value>, _ value: Value) {
            draft[keyPath: slot] = value
            given.insert(slot)
        }

        /// A value read from the file, `nil` when it was not given.
        func value<Value>(_ slot: KeyPath<JobRequest, Value>) -> Value? {
            given.contains(slot) ? draft[keyPath: slot] : nil
        }

        mutating func read(_ members: [(key: String, value: JSONValue)]) {
            var seen = Set<String>()
            for (key, value) in members {
                let shownKey = Self.printable(key)
                guard seen.insert(key).inserted else {
                    issue(.inputMalformed, shownKey, "the field is given more than once")
                    continue
                }
                guard let field = JobRequest.fieldsByName[key] else {
                    readUnknown(key, shown: shownKey, value)
                    continue
                }
                if case .null = value { continue }
                read(field, value)
            }
        }

        /// Reads a known field by its kind.
        mutating func read(_ field: Field, _ value: JSONValue) {
            let key = field.name
            switch field.kind {
            case .formatVersion(let slot):
                if case .number(let text) = value, let v = Int(text) {
                    if v == 1 { set(slot, v) } else { issue(.inputMalformed, key, "unsupported version \(Self.printable(text)); this is version 1") }
                } else {
                    issue(.inputMalformed, key, "must be the integer 1, not \(Self.describe(value))")
                }
            case .text(let slot, let maximumLength, let multiline):
                guard let s = text(key, value, maximumLength: maximumLength, singleLine: !multiline) else { return }
                if field.isRequired, s.isEmpty { issue(.inputMalformed, key, "must not be empty") } else { set(slot, s) }
            case .optionalText(let slot, let maximumLength):
                // Blank is absent: `finish()` drops it, after a failure has shown what was read.
                if let s = text(key, value, maximumLength: maximumLength, singleLine: true) { set(slot, s) }
            case .folder(let slot, let maximumLength):
                guard let s = text(key, value, maximumLength: maximumLength, singleLine: true, trim: false) else { return }
                if ProhibitedUse.isStreamURL(s) {
                    issue(.useLiveSurveillance, key, "a live stream is not a folder of probe images; this is a batch investigative tool")
                } else if s.isEmpty {
                    issue(.inputMalformed, key, "must not be empty")
                } else {
                    set(slot, s)
                }
            case .paths(let slot, let maximumLength): readPaths(key, slot, maximumLength: maximumLength, value)
            case .probeSource(let slot): readProbeSource(key, slot, value)
            case .probeEdits(let slot): readProbeEdits(key, slot, value)
            case .candidateCount(let slot):
                if case .number(let text) = value, let v = Int(text), v >= 1 {
                    set(slot, v)
                } else {
                    issue(.inputInvalidMaxCandidates, key, "must be a whole number from 2 to 50, not \(Self.describe(value))")
                }
            case .distance(let slot):
                if case .number(let text) = value, let v = Double(text), v.isFinite, v > 0, v <= 2 {
                    set(slot, v)
                } else {
                    issue(.inputInvalidThreshold, key, "must be a distance above 0 (default 0.6), not \(Self.describe(value))")
                }
            }
        }

        /// An unknown key: a prohibited use when it asks for one, else an unknown field.
        mutating func readUnknown(_ key: String, shown shownKey: String, _ value: JSONValue) {
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

        /// Reads a list of probe paths (`probes`): each one line, at most `maximumLength` bytes, not a stream.
        mutating func readPaths(_ key: String, _ slot: Slot<[String]>, maximumLength: Int, _ value: JSONValue) {
            guard case .array(let items) = value else {
                issue(.inputMalformed, key, "must be an array of image paths, not \(Self.describe(value))")
                return
            }
            guard items.count <= JobRequest.maximumProbeEntries else {
                issue(.inputTooManyProbes, key, "\(items.count) entries; at most \(JobRequest.maximumProbeEntries), use \(JobRequest.fieldName(\.probeDir)) for bulk jobs")
                return
            }
            var paths: [String] = []
            paths.reserveCapacity(items.count)
            var streamed = false
            for (i, item) in items.enumerated() {
                let field = "\(key)[\(i)]"
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
                if s.utf8.count > maximumLength {
                    issue(.inputMalformed, field, "path longer than \(maximumLength) bytes")
                    continue
                }
                if let bad = TextSafety.firstForbidden(in: s, singleLine: true) {
                    issue(.inputMalformed, field, "control character \(TextSafety.codePoint(bad)) in path")
                    continue
                }
                paths.append(s)
            }
            set(slot, paths)
        }

        mutating func readProbeSource(_ key: String, _ slot: Slot<ProbeSource?>, _ value: JSONValue) {
            guard let text = text(key, value, maximumLength: 1024, singleLine: true) else { return }
            guard let source = ProbeSource(rawValue: text) else {
                issue(.inputMalformed, key, "\"\(Self.printable(text))\" is not a probe source; use one of "
                      + ProbeSource.accepted.map(\.rawValue).joined(separator: ", "))
                return
            }
            if source.isRefused {
                issue(.inputProbeSourceRefused, key,
                      "a \(source.rawValue) is not a photo of the person sought; face recognition may not search it")
            }
            set(slot, source)
        }

        mutating func readProbeEdits(_ key: String, _ slot: Slot<[ProbeEdit]>, _ value: JSONValue) {
            guard case .array(let items) = value, items.count <= ProbeEdit.maximumCount else {
                issue(.inputMalformed, key, "must be a list of at most \(ProbeEdit.maximumCount) {\"by\", \"edit\"} objects")
                return
            }
            var edits: [ProbeEdit] = []
            for (i, item) in items.enumerated() {
                let field = "\(key)[\(i)]"
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
                edits.append(ProbeEdit(by: trimmed.by, edit: trimmed.edit))
            }
            set(slot, edits)
        }

        /// Reads a string field, checking its length and (for one-line fields) control characters.
        mutating func text(_ key: String, _ value: JSONValue, maximumLength: Int, singleLine: Bool, trim: Bool = true) -> String? {
            guard case .string(let raw) = value else {
                issue(.inputMalformed, key, "must be a string, not \(Self.describe(value))")
                return nil
            }
            guard raw.count <= maximumLength else {
                issue(.inputMalformed, key, "longer than \(maximumLength) characters")
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
            var failure = JobParseFailure(issues: issues, requester: value(\.requester), purpose: value(\.purpose),
                                          caseNumber: value(\.caseNumber) ?? nil)
            for field in JobRequest.fields {
                guard let hint = field.missingHint, !given.contains(field.kind.keyPath),
                      !issues.contains(where: { $0.field == field.name }) else { continue }
                failure.issues.append(.init(code: .inputMalformed, field: field.name, message: "missing; \(hint)"))
            }
            // A job names its probes, one by one or as a folder.
            let (probes, probeDir) = (JobRequest.fieldName(\.probes), JobRequest.fieldName(\.probeDir))
            let hasProbeIssue = issues.contains { $0.field == probes || $0.field.hasPrefix(probes + "[") || $0.field == probeDir }
            if draft.probes.isEmpty, draft.probeDir == nil, !hasProbeIssue {
                failure.issues.append(.init(code: .inputProbeMissing, field: probes, message: "no probe images: give \(probes) or \(probeDir)"))
            }
            guard failure.issues.isEmpty else { return .failure(failure) }
            var job = draft
            for field in JobRequest.fields {
                if case .optionalText(let slot, _) = field.kind, job[keyPath: slot]?.isEmpty == true { job[keyPath: slot] = nil }
            }
            return .success(job)
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
