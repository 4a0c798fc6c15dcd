/// Checks an audit directory's hash chain from its first record to its last.
///
/// Per line, in order: the line is complete (ends with a newline), is a JSON record, is in the
/// canonical form, its hash matches its contents, its `seq` is one more than the previous record's
/// (1 for the first), its `prev` is the previous record's hash (64 zeros for the first), and its
/// date is not after its file's day. The first failure is reported with its `file:line`.
///
/// A record that names a probe manifest (a bulk job's final record, ``ProbeManifest``) is checked
/// against it: the file must be there with the SHA-256 the record carries.
///
/// What it catches: an edited record (hash or canonical form), a deleted record or day file (seq
/// gap), reordered, duplicated or inserted records (seq out of order, prev mismatch), a truncated
/// day file before the newest, garbage. What no chain without a secret or an outside anchor can
/// catch: removing whole records from the end, or rewriting every record from some point on. For
/// that, the log keeps its head anchor beside the directory (``AuditLog/anchorPath(forDirectory:)``),
/// which is checked by default, and `frs audit verify` prints the head (``AuditVerification/anchor``)
/// to note elsewhere (a ticket, a printed report) and pass to a later verification: the record
/// must still be there, unchanged.
///
/// It takes no lock and never blocks the log's writers: it reads complete lines only. An
/// incomplete last line of the newest day file is a record being written (or torn by a crash,
/// which the next append records as `audit.recovered`): it is ignored and reported in
/// ``AuditVerification/tornTailBytes``, not an error. The head anchor is read before the day
/// files, so records appended meanwhile only make the log longer than the anchor.
public enum AuditVerifier {
    /// Verifies every day file in `directory`.
    ///
    /// - Parameters:
    ///   - directory: the audit directory (`<spool>/outbox/audit`).
    ///   - anchors: records noted earlier that must still be in the chain with the same hash.
    ///   - checkingHeadAnchor: also check the log's own head anchor (`<directory>.head`) when the
    ///     file exists (default); an unreadable or malformed anchor file is a failure.
    /// - Returns: intact, or the first bad `file:line` and why.
    /// - Complexity: O(total size); one day file in memory at a time.
    public static func verify(
        directory: String, anchors: [AuditAnchor] = [], checkingHeadAnchor: Bool = true
    ) -> AuditVerification {
        var lastFile = ""
        var lastLine = 0
        var result = AuditVerification(failure: nil, records: 0, files: 0, head: nil)
        func fail(_ file: String, _ line: Int, _ problem: AuditVerification.Problem, _ message: String) -> AuditVerification {
            var r = result
            r.failure = .init(file: file, line: line, problem: problem, message: message)
            return r
        }
        // Where each anchor comes from, for messages.
        var sources: [(anchor: AuditAnchor, source: String)] = anchors.map { ($0, "the anchor \($0.seq):\($0.hash.prefix(12))…") }
        if checkingHeadAnchor {
            let path = AuditLog.anchorPath(forDirectory: directory)
            let shown = "../" + (path.split(separator: "/").last.map(String.init) ?? path)
            do {
                if let head = try AuditLog.readAnchor(at: path) {
                    result.headAnchor = head
                    sources.append((head, "the head anchor \(path) (\(head))"))
                }
            } catch let error as AuditError {
                return fail(shown, 0, .unreadable, error.message)
            } catch {
                return fail(shown, 0, .unreadable, "\(error)")
            }
        }
        let anchorHashes = Dictionary(sources.map { ($0.anchor.seq, $0) }, uniquingKeysWith: { first, _ in first })
        let names: [String]
        do {
            names = try AuditLog.dayFiles(in: directory)
        } catch {
            return fail("", 0, .unreadable, "cannot list \(directory): \(error)")
        }
        var expectedSeq = 1
        var prev = AuditRecord.genesis
        for (index, name) in names.enumerated() {
            let isNewest = index == names.count - 1
            let bytes: [UInt8]
            do {
                bytes = try AuditFile.readAll(directory + "/" + name)
            } catch {
                return fail(name, 0, .unreadable, "cannot read: \(error)")
            }
            result.files += 1
            let fileDay = String(name.prefix(10))
            var lineNumber = 0
            var start = 0
            while start < bytes.count {
                lineNumber += 1
                guard let end = bytes[start...].firstIndex(of: 0x0a) else {
                    if isNewest {
                        // Being written right now (one write, not yet complete), or torn by a crash.
                        result.tornTailBytes = bytes.count - start
                        break
                    }
                    return fail(name, lineNumber, .truncated, "last line is incomplete (no newline): the file was truncated or a write was torn")
                }
                let line = bytes[start..<end]
                start = end + 1
                if line.isEmpty { return fail(name, lineNumber, .emptyLine, "empty line") }
                let record: AuditRecord
                do {
                    record = try AuditRecord.decode(line: line)
                } catch {
                    switch error {
                    case .notCanonical:
                        return fail(name, lineNumber, .notCanonical, "record is not in canonical form: it was edited")
                    case .malformed(let why):
                        return fail(name, lineNumber, .malformed, "not a valid record: \(why)")
                    }
                }
                guard record.isHashValid else {
                    return fail(name, lineNumber, .hashMismatch, "hash does not match the record's contents: seq \(record.seq) was edited")
                }
                if record.seq != expectedSeq {
                    let firstOfFile = lineNumber == 1 && result.records > 0
                    if record.seq > expectedSeq, !bytes[start...].containsLine(startingWith: "{\"seq\":\(expectedSeq),") {
                        let what = firstOfFile
                            ? "records or a whole day file before this one are missing"
                            : "records were deleted"
                        return fail(name, lineNumber, .seqGap, "seq gap: expected \(expectedSeq), found \(record.seq): \(what)")
                    }
                    return fail(name, lineNumber, .seqOutOfOrder, "seq out of order: expected \(expectedSeq), found \(record.seq): records were reordered, duplicated or inserted")
                }
                guard record.prev == prev else {
                    let what = lineNumber == 1 && result.records > 0
                        ? "does not continue the previous day file: a day file was deleted or replaced"
                        : "a record before it was replaced or inserted"
                    return fail(name, lineNumber, .prevMismatch, "prev does not match the previous record's hash: \(what)")
                }
                guard record.day <= fileDay else {
                    return fail(name, lineNumber, .misfiled, "record dated \(record.day) is in the file of \(fileDay)")
                }
                if let problem = ProbeManifest.check(record.event, directory: directory) {
                    return fail(name, lineNumber, .manifestMismatch, "seq \(record.seq): \(problem)")
                }
                if let anchored = anchorHashes[record.seq], anchored.anchor.hash != record.hash {
                    return fail(name, lineNumber, .anchorMismatch, "seq \(record.seq) is not the record of \(anchored.source): the log was rewritten from here or earlier")
                }
                prev = record.hash
                expectedSeq += 1
                result.records += 1
                result.head = record.hash
                lastFile = name
                lastLine = lineNumber
            }
        }
        if let beyond = sources.filter({ $0.anchor.seq > result.records }).min(by: { $0.anchor.seq < $1.anchor.seq }) {
            let first = result.records + 1
            let missing = first == beyond.anchor.seq ? "seq \(first) is" : "seq \(first) to \(beyond.anchor.seq) are"
            let end = result.records == 0 ? "the log has no records" : "the log ends at seq \(result.records) (\(lastFile) line \(lastLine))"
            return fail(lastFile, lastLine + 1, .anchorMissing,
                        "\(end), but \(beyond.source) records seq \(beyond.anchor.seq): \(missing) missing — records were removed from the end (the newest day file deleted or cut)")
        }
        return result
    }
}

extension ArraySlice<UInt8> {
    /// Whether some line in these bytes starts with `prefix` (used to tell a reordering from a deletion).
    func containsLine(startingWith prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        var start = startIndex
        while start < endIndex {
            let end = self[start...].firstIndex(of: 0x0a) ?? endIndex
            if end - start >= p.count, self[start..<(start + p.count)].elementsEqual(p) { return true }
            start = end + 1
        }
        return false
    }
}
