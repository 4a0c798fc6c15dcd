/// Checks an audit directory's hash chain from its first record to its last.
///
/// Per line, in order: the line is complete (ends with a newline), is a JSON record, is in the
/// canonical form, its hash matches its contents, its `seq` is one more than the previous record's
/// (1 for the first), its `prev` is the previous record's hash (64 zeros for the first), and its
/// date is not after its file's day. The first failure is reported with its `file:line`.
///
/// What it catches: an edited record (hash or canonical form), a deleted record or day file (seq
/// gap), reordered, duplicated or inserted records (seq out of order, prev mismatch), a truncated
/// last line, garbage. What no chain without a secret or an outside anchor can catch: removing
/// whole records from the end, or rewriting every record from some point on. For that, note the
/// ``AuditVerification/anchor`` printed by `frs audit verify` elsewhere (a ticket, a printed
/// report) and pass it to a later verification: the record must still be there, unchanged.
public enum AuditVerifier {
    /// Verifies every day file in `directory`.
    ///
    /// - Parameters:
    ///   - directory: the audit directory (`<spool>/outbox/audit`).
    ///   - anchors: records noted earlier that must still be in the chain with the same hash.
    /// - Returns: intact, or the first bad `file:line` and why.
    /// - Complexity: O(total size); one day file in memory at a time.
    public static func verify(directory: String, anchors: [AuditAnchor] = []) -> AuditVerification {
        let anchorHashes = Dictionary(anchors.map { ($0.seq, $0.hash) }, uniquingKeysWith: { first, _ in first })
        var lastFile = ""
        var lastLine = 0
        var result = AuditVerification(failure: nil, records: 0, files: 0, head: nil)
        func fail(_ file: String, _ line: Int, _ problem: AuditVerification.Problem, _ message: String) -> AuditVerification {
            var r = result
            r.failure = .init(file: file, line: line, problem: problem, message: message)
            return r
        }
        let names: [String]
        do {
            names = try AuditLog.dayFiles(in: directory)
        } catch {
            return fail("", 0, .unreadable, "cannot list \(directory): \(error)")
        }
        var expectedSeq = 1
        var prev = AuditRecord.genesis
        for name in names {
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
                if let anchored = anchorHashes[record.seq], anchored != record.hash {
                    return fail(name, lineNumber, .anchorMismatch, "seq \(record.seq) is not the anchored record \(anchored.prefix(12))…: the log was rewritten from here or earlier")
                }
                prev = record.hash
                expectedSeq += 1
                result.records += 1
                result.head = record.hash
                lastFile = name
                lastLine = lineNumber
            }
        }
        if let beyond = anchors.map(\.seq).filter({ $0 > result.records }).min() {
            return fail(lastFile, lastLine + 1, .anchorMissing, "the log ends at seq \(result.records), before the anchored seq \(beyond): records were removed from the end")
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
