@testable import Audit
import Foundation
import Testing

@Suite("AuditVerifier")
struct AuditVerifierTests {
    typealias Problem = AuditVerification.Problem

    /// A tampering: what is done to a three-day log of four records a day, and where and how it
    /// must be caught.
    struct Tampering: Sendable, CustomTestStringConvertible {
        var name: String
        var apply: @Sendable (TempAuditDir, [AuditRecord]) throws -> Void
        var file: String
        var line: Int
        var problem: Problem
        var testDescription: String { name }
    }

    static let day0 = AuditFixtures.day0, day1 = AuditFixtures.day1, day2 = AuditFixtures.day2

    static func edit(_ dir: TempAuditDir, _ day: String, _ body: (inout [String]) throws -> Void) throws {
        var lines = try dir.lines(day)
        try body(&lines)
        try dir.write(day, lines: lines)
    }

    static let cases: [Tampering] = [
        .init(name: "an edited field", apply: { dir, _ in
            try edit(dir, day1, { $0[1] = $0[1].replacingOccurrences(of: #""outcome":"completed""#, with: #""outcome":"denied""#) })
        }, file: day1, line: 2, problem: .hashMismatch),
        .init(name: "an edited reason code", apply: { dir, _ in
            try edit(dir, day0, { $0[0] = $0[0].replacingOccurrences(of: "requester.suspended", with: "requester.ok") })
        }, file: day0, line: 1, problem: .hashMismatch),
        .init(name: "an edited record with its hash recomputed", apply: { dir, records in
            var forged = records[5]
            forged.event.outcome = "denied"
            forged = AuditRecord(event: forged.event, seq: forged.seq, time: forged.time, host: forged.host, pid: forged.pid, prev: forged.prev)
            try edit(dir, day1, { $0[1] = String(decoding: forged.canonicalLine, as: UTF8.self) })
        }, file: day1, line: 3, problem: .prevMismatch),
        .init(name: "reformatted but equal JSON", apply: { dir, _ in
            try edit(dir, day2, { $0[2] = $0[2].replacingOccurrences(of: #","event":"#, with: #", "event":"#) })
        }, file: day2, line: 3, problem: .notCanonical),
        .init(name: "a deleted record", apply: { dir, _ in
            try edit(dir, day1, { $0.remove(at: 2) })
        }, file: day1, line: 3, problem: .seqGap),
        .init(name: "the first record of a day deleted", apply: { dir, _ in
            try edit(dir, day1, { $0.remove(at: 0) })
        }, file: day1, line: 1, problem: .seqGap),
        .init(name: "the very first record deleted", apply: { dir, _ in
            try edit(dir, day0, { $0.remove(at: 0) })
        }, file: day0, line: 1, problem: .seqGap),
        .init(name: "two records swapped", apply: { dir, _ in
            try edit(dir, day0, { $0.swapAt(1, 2) })
        }, file: day0, line: 2, problem: .seqOutOfOrder),
        .init(name: "a record moved earlier", apply: { dir, _ in
            try edit(dir, day2, { let r = $0.remove(at: 3); $0.insert(r, at: 1) })
        }, file: day2, line: 2, problem: .seqOutOfOrder),
        .init(name: "a record replayed", apply: { dir, _ in
            try edit(dir, day1, { $0.insert($0[1], at: 2) })
        }, file: day1, line: 3, problem: .seqOutOfOrder),
        // An incomplete last line may be a record being written: ignored, but the head anchor
        // still wants seq 12.
        .init(name: "a truncated last line", apply: { dir, _ in
            var text = try String(contentsOfFile: dir.file(day2), encoding: .utf8)
            text.removeLast(40)
            try dir.writeRaw(day2, text)
        }, file: day2, line: 4, problem: .anchorMissing),
        .init(name: "the newest day file cut at a line boundary", apply: { dir, _ in
            try edit(dir, day2, { $0.removeLast(2) })
        }, file: day2, line: 3, problem: .anchorMissing),
        .init(name: "the newest day file deleted", apply: { dir, _ in
            try FileManager.default.removeItem(atPath: dir.file(day2))
        }, file: day1, line: 5, problem: .anchorMissing),
        .init(name: "the end rewritten consistently", apply: { dir, records in
            var e = records[11].event
            e.outcome = "rewritten"
            let forged = AuditRecord(event: e, seq: 12, time: records[11].time, host: "h", pid: 1, prev: records[10].hash)
            try edit(dir, day2, { $0[3] = String(decoding: forged.canonicalLine, as: UTF8.self) })
        }, file: day2, line: 4, problem: .anchorMismatch),
        .init(name: "a truncated middle day", apply: { dir, _ in
            var text = try String(contentsOfFile: dir.file(day1), encoding: .utf8)
            text.removeLast(1)
            try dir.writeRaw(day1, text)
        }, file: day1, line: 4, problem: .truncated),
        .init(name: "a whole day deleted", apply: { dir, _ in
            try FileManager.default.removeItem(atPath: dir.file(day1))
        }, file: day2, line: 1, problem: .seqGap),
        .init(name: "a whole day replaced by a self-consistent forgery", apply: { dir, records in
            var prev = AuditRecord.genesis
            var lines: [String] = []
            for r in records[4..<8] {
                var e = r.event
                e.actor = "someone-else"
                let forged = AuditRecord(event: e, seq: r.seq, time: r.time, host: r.host, pid: r.pid, prev: prev)
                prev = forged.hash
                lines.append(String(decoding: forged.canonicalLine, as: UTF8.self))
            }
            try dir.write(day1, lines: lines)
        }, file: day1, line: 1, problem: .prevMismatch),
        .init(name: "an inserted forged record with a valid hash", apply: { dir, records in
            let forged = AuditRecord(
                event: AuditEvent(event: "job.completed", actor: "ghost"), seq: records[5].seq,
                time: records[5].time, host: "h", pid: 1, prev: records[4].hash
            )
            try edit(dir, day1, { $0.insert(String(decoding: forged.canonicalLine, as: UTF8.self), at: 1) })
        }, file: day1, line: 3, problem: .seqOutOfOrder),
        .init(name: "an inserted forged record without a valid hash", apply: { dir, records in
            var forged = records[5]
            forged.event.actor = "ghost"
            try edit(dir, day1, { $0.insert(String(decoding: forged.canonicalLine, as: UTF8.self), at: 1) })
        }, file: day1, line: 2, problem: .hashMismatch),
        .init(name: "bad JSON", apply: { dir, _ in
            try edit(dir, day0, { $0[3] = "{\"seq\": 4, oops" })
        }, file: day0, line: 4, problem: .malformed),
        .init(name: "a JSON record missing a field", apply: { dir, _ in
            try edit(dir, day0, { $0[3] = #"{"seq":4}"# })
        }, file: day0, line: 4, problem: .malformed),
        .init(name: "deeply nested garbage", apply: { dir, _ in
            try edit(dir, day0, { $0[2] = String(repeating: "[", count: 100_000) })
        }, file: day0, line: 3, problem: .malformed),
        .init(name: "an empty line", apply: { dir, _ in
            try edit(dir, day2, { $0.insert("", at: 2) })
        }, file: day2, line: 3, problem: .emptyLine),
        .init(name: "a record moved into an earlier day's file", apply: { dir, _ in
            var moved = ""
            try edit(dir, day1, { moved = $0.removeFirst() })
            try edit(dir, day0, { $0.append(moved) })
        }, file: day0, line: 5, problem: .misfiled),
        .init(name: "the hash field removed", apply: { dir, _ in
            try edit(dir, day2, { $0[0] = String($0[0].dropLast(75)) + "}" })
        }, file: day2, line: 1, problem: .malformed),
    ]

    @Test("every kind of tampering is caught at the right file:line", arguments: cases)
    func tampering(_ c: Tampering) throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let records = try AuditFixtures.populate(dir, days: 3, perDay: 4)
        #expect(AuditVerifier.verify(directory: dir.path).isIntact)
        try c.apply(dir, records)
        let result = AuditVerifier.verify(directory: dir.path)
        let failure = try #require(result.failure, "\(c.name) was not detected")
        #expect(failure.file == c.file + ".jsonl", "\(failure)")
        #expect(failure.line == c.line, "\(failure)")
        #expect(failure.problem == c.problem, "\(failure)")
        #expect(failure.description.hasPrefix("\(c.file).jsonl:\(c.line): "))
    }

    @Test("an empty or missing directory")
    func emptyDirectory() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        _ = try AuditLog(directory: dir.path)
        let result = AuditVerifier.verify(directory: dir.path)
        #expect(result.isIntact && result.records == 0 && result.files == 0)
        #expect(AuditVerifier.verify(directory: dir.path + "/nope").failure?.problem == .unreadable)
    }

    @Test("other files in the directory are ignored")
    func otherFiles() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try AuditFixtures.populate(dir, days: 1, perDay: 2)
        try "notes".write(toFile: dir.path + "/README", atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(directory: dir.path).isIntact)
    }

    @Test("anchors catch records cut off the end and a consistently rewritten tail")
    func anchors() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let records = try AuditFixtures.populate(dir, days: 3, perDay: 4)
        let head = try #require(AuditVerifier.verify(directory: dir.path).anchor)
        #expect(head == AuditAnchor(seq: 12, hash: records[11].hash))
        #expect(AuditVerifier.verify(directory: dir.path, anchors: [head]).isIntact)

        // Cut the last two records at a line boundary: the chain alone is still consistent.
        try Self.edit(dir, Self.day2, { $0.removeLast(2) })
        #expect(AuditVerifier.verify(directory: dir.path, checkingHeadAnchor: false).isIntact)
        let cut = try #require(AuditVerifier.verify(directory: dir.path, anchors: [head]).failure)
        #expect(cut.problem == .anchorMissing)
        #expect(cut.file == Self.day2 + ".jsonl" && cut.line == 3, "\(cut)")

        // Rewrite the tail from seq 10 on, chain recomputed: consistent, but not the anchored records.
        var prev = records[8].hash
        var lines: [String] = []
        for r in records[9..<12] {
            var e = r.event
            e.outcome = "rewritten"
            let forged = AuditRecord(event: e, seq: r.seq, time: r.time, host: r.host, pid: r.pid, prev: prev)
            prev = forged.hash
            lines.append(String(decoding: forged.canonicalLine, as: UTF8.self))
        }
        try Self.edit(dir, Self.day2, { $0 = [$0[0]] + lines })
        #expect(AuditVerifier.verify(directory: dir.path, checkingHeadAnchor: false).isIntact)
        let rewritten = try #require(AuditVerifier.verify(directory: dir.path, anchors: [head]).failure)
        #expect(rewritten.problem == .anchorMismatch)
        #expect(rewritten.file == Self.day2 + ".jsonl" && rewritten.line == 4, "\(rewritten)")
        // An anchor before the rewritten part still holds.
        #expect(AuditVerifier.verify(directory: dir.path, anchors: [AuditAnchor(seq: 9, hash: records[8].hash)],
                                     checkingHeadAnchor: false).isIntact)
    }

    @Test("anchor parsing")
    func anchorParsing() {
        let hash = String(repeating: "ab", count: 32)
        #expect(AuditAnchor(parsing: "12:" + hash) == AuditAnchor(seq: 12, hash: hash))
        #expect(AuditAnchor(parsing: "12:" + hash.uppercased())?.hash == hash)
        #expect(AuditAnchor(parsing: "12:" + hash)?.description == "12:" + hash)
        for bad in ["", "12", "0:" + hash, "-1:" + hash, "x:" + hash, "12:" + hash.dropLast(), "12:" + hash + "0", "12:" + String(repeating: "g", count: 64)] {
            #expect(AuditAnchor(parsing: bad) == nil, "\(bad)")
        }
    }
}
