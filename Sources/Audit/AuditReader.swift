/// Reads audit records in order, for reports. It does not check the chain: run ``AuditVerifier``
/// for that.
public struct AuditReader: Sendable {
    /// The audit directory.
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The day files, oldest first (`YYYY-MM-DD.jsonl`).
    public func dayFiles() throws -> [String] {
        try AuditLog.dayFiles(in: directory)
    }

    /// Calls `body` with every record whose day file lies in `from...to` (inclusive `YYYY-MM-DD`
    /// bounds; `nil` for open ends), in log order.
    ///
    /// - Throws: ``AuditError`` with `file:line` for an unreadable file or line; whatever `body` throws.
    public func forEachRecord(
        from: String? = nil, to: String? = nil, _ body: (AuditRecord) throws -> Void
    ) throws {
        for name in try dayFiles() {
            let day = String(name.prefix(10))
            if let from, day < from { continue }
            if let to, day > to { continue }
            let path = directory + "/" + name
            let bytes = try AuditFile.readAll(path)
            var lineNumber = 0
            var start = 0
            while start < bytes.count {
                lineNumber += 1
                let end = bytes[start...].firstIndex(of: 0x0a) ?? bytes.count
                let line = bytes[start..<end]
                start = end + 1
                if end == bytes.count { break } // a torn last line is not a record
                do {
                    try body(try AuditRecord.decode(line: line))
                } catch let problem as AuditRecord.DecodingProblem {
                    throw AuditError(code: .malformedRecord, message: "\(problem)", path: path, line: lineNumber)
                }
            }
        }
    }

    /// Every record in `from...to`, in log order.
    public func records(from: String? = nil, to: String? = nil) throws -> [AuditRecord] {
        var out: [AuditRecord] = []
        try forEachRecord(from: from, to: to) { out.append($0) }
        return out
    }
}
