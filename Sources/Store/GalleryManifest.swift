import Foundation

/// A gallery enrollment manifest: CSV with columns `subject_id,image[,source,captured]`.
///
/// RFC 4180 CSV: fields may be quoted with `"` (a quote inside doubled), and a quoted field may
/// hold commas and line breaks; LF or CRLF line ends; blank lines are skipped. A first record with
/// a field `subject_id` is a header: its columns are then matched by name (any order,
/// `subject_id` and `image` required). Without a header the columns are positional.
///
/// Parsing never stops at a bad row: every good row becomes an ``Entry`` and every bad one a
/// ``GalleryManifestError`` naming its line, so an operator sees all problems at once. The
/// caller decides whether any error aborts the enrollment.
public struct GalleryManifest: Sendable, Equatable {
    /// One row to enroll.
    public struct Entry: Sendable, Equatable {
        /// The line the row starts on (1-based).
        public var line: Int
        public var subject: String
        /// The image path as written (relative paths are relative to the manifest's folder).
        public var image: String
        public var source: String?
        /// An ISO 8601 date (`YYYY-MM-DD`) or date-time, checked to be a real date.
        public var captured: String?
    }

    /// The good rows, in file order.
    public var entries: [Entry]
    /// One per bad row (or bad header), in file order.
    public var errors: [GalleryManifestError]

    static let columns = ["subject_id", "image", "source", "captured"]

    /// Parses manifest text.
    /// - Complexity: O(length of `text`).
    public static func parse(_ text: String) -> GalleryManifest {
        var entries: [Entry] = []
        var errors: [GalleryManifestError] = []
        let (records, tail) = records(of: text)
        if let tail { errors.append(tail) }
        var order = [0, 1, 2, 3]
        var fieldCount = 2...4
        var seen: [String: Int] = [:]
        for (index, record) in records.enumerated() {
            let line = record.line
            var fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if index == 0, fields.contains(where: { $0.lowercased() == "subject_id" }) {
                let names = fields.map { $0.lowercased() }
                var mapping: [Int] = []
                var bad = false
                for name in columns {
                    if let at = names.firstIndex(of: name) { mapping.append(at) } else { mapping.append(-1) }
                }
                for name in names where !columns.contains(name) {
                    errors.append(.init(line: line, column: name, message: "unknown column \"\(name)\" (columns are \(columns.joined(separator: ",")))"))
                    bad = true
                }
                if Set(names).count != names.count {
                    errors.append(.init(line: line, column: nil, message: "a column is named twice"))
                    bad = true
                }
                if mapping[1] < 0 {
                    errors.append(.init(line: line, column: "image", message: "the header has no image column"))
                    bad = true
                }
                if bad { return GalleryManifest(entries: [], errors: errors) }
                order = mapping
                fieldCount = names.count...names.count
                continue
            }
            if fields.count == 1 && fields[0].isEmpty { continue }
            guard fieldCount.contains(fields.count) else {
                errors.append(.init(line: line, column: nil, message: "\(fields.count) fields, expected \(fieldCount.lowerBound == fieldCount.upperBound ? "\(fieldCount.lowerBound)" : "\(fieldCount.lowerBound) to \(fieldCount.upperBound)") (subject_id,image[,source,captured])"))
                continue
            }
            while fields.count < 4 { fields.append("") }
            func value(_ column: Int) -> String { order[column] >= 0 && order[column] < fields.count ? fields[order[column]] : "" }
            let subject = value(0), image = value(1), source = value(2), captured = value(3)
            var problems: [GalleryManifestError] = []
            if subject.isEmpty {
                problems.append(.init(line: line, column: "subject_id", message: "empty subject_id"))
            } else if subject.count > 128 || subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append(.init(line: line, column: "subject_id", message: "subject_id must be 1 to 128 printable characters"))
            }
            if image.isEmpty {
                problems.append(.init(line: line, column: "image", message: "empty image path"))
            } else if image.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append(.init(line: line, column: "image", message: "the image path has a control character"))
            }
            if source.count > 256 || source.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append(.init(line: line, column: "source", message: "source must be at most 256 printable characters"))
            }
            if !captured.isEmpty, !isDate(captured) {
                problems.append(.init(line: line, column: "captured", message: "captured must be a date YYYY-MM-DD or an ISO 8601 date-time, not \"\(captured)\""))
            }
            if problems.isEmpty, let first = seen["\(subject)\u{0}\(image)"] {
                problems.append(.init(line: line, column: nil, message: "the same subject and image as line \(first)"))
            }
            if problems.isEmpty {
                seen["\(subject)\u{0}\(image)"] = line
                entries.append(Entry(
                    line: line, subject: subject, image: image, source: source.isEmpty ? nil : source,
                    captured: captured.isEmpty ? nil : captured))
            } else {
                errors += problems
            }
        }
        return GalleryManifest(entries: entries, errors: errors)
    }

    /// Reads and parses a manifest file.
    /// - Throws: `CocoaError` when the file cannot be read or is not UTF-8.
    public static func load(path: String) throws -> GalleryManifest {
        parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    /// Splits CSV text into records with the line each starts on; an unterminated quote is an error.
    static func records(of text: String) -> ([(line: Int, fields: [String])], GalleryManifestError?) {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var quotedFieldLine = 1
        var line = 1
        var recordLine = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        func endRecord() {
            fields.append(field)
            field = ""
            records.append((recordLine, fields))
            fields = []
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
                quotedFieldLine = line
            } else if c == "," {
                fields.append(field)
                field = ""
            } else if c == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" {
                // CRLF: handled at the \n.
            } else if c == "\n" {
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes {
            return (records, GalleryManifestError(line: quotedFieldLine, column: nil, message: "a quoted field is never closed"))
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return (records, nil)
    }

    /// `YYYY-MM-DD` (a real calendar date) or an ISO 8601 date-time with a zone.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
           let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let components = DateComponents(year: y, month: m, day: d)
            guard (1...12).contains(m), (1...31).contains(d), let date = calendar.date(from: components) else { return false }
            let back = calendar.dateComponents([.year, .month, .day], from: date)
            return back.year == y && back.month == m && back.day == d
        }
        let formatter = ISO8601DateFormatter()
        if formatter.date(from: text) != nil { return true }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) != nil
    }
}

/// A problem with one manifest row: its line, the column if known, and what is wrong.
public struct GalleryManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line the row starts on (1-based).
    public var line: Int
    /// The column concerned, if one.
    public var column: String?
    public var message: String

    public init(line: Int, column: String?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line)\(column.map { " (\($0))" } ?? ""): \(message)" }
}
