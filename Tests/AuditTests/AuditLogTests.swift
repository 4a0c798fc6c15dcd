@testable import Audit
import Foundation
import Hashing
import Testing

@Suite("AuditLog")
struct AuditLogTests {
    @Test("appended records chain, read back equal, and verify")
    func appendAndVerify() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let records = try AuditFixtures.populate(dir, days: 1, perDay: 5)
        #expect(records.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(records[0].prev == AuditRecord.genesis)
        for i in 1..<records.count { #expect(records[i].prev == records[i - 1].hash) }
        for r in records {
            #expect(r.isHashValid)
            #expect(r.host == "testhost")
            #expect(r.pid == Int(getpid()))
        }
        let read = try AuditReader(directory: dir.path).records()
        #expect(read == records)
        #expect(read.map(\.event) == (0..<5).map(AuditFixtures.event))
        let result = AuditVerifier.verify(directory: dir.path)
        #expect(result.isIntact, "\(result)")
        #expect(result.records == 5)
        #expect(result.files == 1)
        #expect(result.head == records.last?.hash)
    }

    @Test("the line format: SPEC field names in a fixed order, and hash = SHA-256(prev + LF + body)")
    func lineFormat() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path, host: "h1")
        let record = try log.append(
            AuditEvent(event: "user.added", actor: "admin", details: ["role": "analyst", "id": "jdoe"]),
            now: Date(timeIntervalSince1970: 1_781_514_000.1234)
        )
        let line = try #require(try dir.lines(AuditFixtures.day0).first)
        let pid = getpid()
        let body = #"{"seq":1,"time":"2026-06-15T09:00:00.123Z","event":"user.added","actor":"admin","agency":null,"job":null,"purpose":null,"case_number":null,"outcome":null,"reasons":[],"probe_sha256":[],"candidates":null,"details":{"id":"jdoe","role":"analyst"},"host":"h1","pid":\#(pid),"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#
        let hash = SHA256.hex(Array((AuditRecord.genesis + "\n" + body).utf8))
        #expect(line == String(body.dropLast()) + #","hash":""# + hash + #""}"#)
        #expect(record.hash == hash)
        // Valid JSON with the SPEC's names.
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == [
            "seq", "time", "event", "actor", "agency", "job", "purpose", "case_number", "outcome", "reasons",
            "probe_sha256", "candidates", "details", "host", "pid", "prev", "hash",
        ])
    }

    @Test("escaping is deterministic and survives a round trip")
    func escaping() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path)
        let nasty = "quote\" backslash\\ newline\n cr\r tab\t nul\u{0} esc\u{1b} del\u{7f} slash/ é 😀"
        let event = AuditEvent(
            event: "job.denied", actor: nasty, job: "j\n2", reasons: [nasty], details: [nasty: nasty, "b": "", "a": "1"]
        )
        let record = try log.append(event)
        let line = try #require(try dir.lines(AuditTime.day(Date())).first)
        #expect(line.contains(#"newline\n cr\r tab\t nul\u0000 esc\u001b del\u007f slash/ é 😀"#))
        let back = try AuditReader(directory: dir.path).records()
        #expect(back == [record])
        #expect(AuditVerifier.verify(directory: dir.path).isIntact)
    }

    @Test("files are 0640 and the directory 0750")
    func modes() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try AuditFixtures.populate(dir, days: 2, perDay: 1)
        let fm = FileManager.default
        let dirMode = try fm.attributesOfItem(atPath: dir.path)[.posixPermissions] as? Int
        #expect(dirMode == 0o750)
        for day in [AuditFixtures.day0, AuditFixtures.day1] {
            let mode = try fm.attributesOfItem(atPath: dir.file(day))[.posixPermissions] as? Int
            #expect(mode == 0o640, "\(day)")
        }
        #expect(try fm.attributesOfItem(atPath: dir.path + ".head")[.posixPermissions] as? Int == 0o640)
        #expect(try fm.attributesOfItem(atPath: dir.path + "/.lock")[.posixPermissions] as? Int == 0o600)
    }

    @Test("day rollover: the first record of a day links to the last of the previous day")
    func rollover() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path)
        let midnight = AuditFixtures.time(day: 1, seconds: -9 * 3600)
        let a = try log.append(AuditFixtures.event(1), now: midnight.addingTimeInterval(-0.001))
        let b = try log.append(AuditFixtures.event(2), now: midnight)
        // Several days with nothing in between.
        let c = try log.append(AuditFixtures.event(3), now: midnight.addingTimeInterval(5 * 86_400))
        #expect(a.time == "2026-06-15T23:59:59.999Z")
        #expect(b.time == "2026-06-16T00:00:00.000Z")
        #expect(try dir.lines(AuditFixtures.day0).count == 1)
        #expect(try dir.lines(AuditFixtures.day1).count == 1)
        #expect(try dir.lines("2026-06-21").count == 1)
        #expect(b.prev == a.hash && c.prev == b.hash)
        #expect(b.seq == 2 && c.seq == 3)
        // A clock stepping back does not reopen an older day's file.
        let d = try log.append(AuditFixtures.event(4), now: midnight)
        #expect(d.seq == 4 && d.prev == c.hash)
        #expect(try dir.lines("2026-06-21").count == 2)
        let result = AuditVerifier.verify(directory: dir.path)
        #expect(result.isIntact, "\(result)")
        #expect(result.files == 3)
        // Reading a range of days.
        #expect(try AuditReader(directory: dir.path).records(from: AuditFixtures.day1, to: "2026-06-20").map(\.seq) == [2])
    }

    @Test("a new instance continues the chain; an empty day file is skipped")
    func continuation() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let first = try AuditFixtures.populate(dir, days: 1, perDay: 3)
        try dir.writeRaw(AuditFixtures.day1, "") // created by a process that died before writing
        let log = try AuditLog(directory: dir.path)
        let next = try log.append(AuditFixtures.event(9), now: AuditFixtures.time(day: 1))
        #expect(next.seq == 4 && next.prev == first[2].hash)
        #expect(AuditVerifier.verify(directory: dir.path).isIntact)
    }

    @Test("a torn last line is cut off and the recovery recorded")
    func tornTail() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let records = try AuditFixtures.populate(dir, days: 1, perDay: 3)
        let handle = try #require(FileHandle(forWritingAtPath: dir.file(AuditFixtures.day0)))
        handle.seekToEndOfFile()
        let partial = #"{"seq":4,"time":"2026-06-15T09:0"#
        handle.write(Data(partial.utf8))
        handle.closeFile()
        // Readers take no lock: an incomplete last line may be a record being written, so it is
        // ignored and reported, not a failure.
        let torn = AuditVerifier.verify(directory: dir.path)
        #expect(torn.isIntact, "\(torn)")
        #expect(torn.records == 3)
        #expect(torn.tornTailBytes == partial.utf8.count)
        #expect(try AuditReader(directory: dir.path).records() == records)

        let log = try AuditLog(directory: dir.path)
        let next = try log.append(AuditFixtures.event(4), now: AuditFixtures.time(seconds: 600))
        let all = try AuditReader(directory: dir.path).records()
        #expect(all.count == 5)
        #expect(all[3].event.event == "audit.recovered")
        #expect(all[3].event.details["removed_bytes"] == String(partial.utf8.count))
        #expect(all[3].prev == records[2].hash)
        #expect(next.seq == 5 && next.prev == all[3].hash)
        #expect(AuditVerifier.verify(directory: dir.path).isIntact)
    }

    @Test("a torn line alone in the newest file, after an older day")
    func tornOnlyLine() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let records = try AuditFixtures.populate(dir, days: 1, perDay: 2)
        try dir.writeRaw(AuditFixtures.day1, #"{"seq":3"#)
        let next = try AuditLog(directory: dir.path).append(AuditFixtures.event(3), now: AuditFixtures.time(day: 1))
        #expect(next.seq == 4)
        #expect(try dir.lines(AuditFixtures.day1).count == 2)
        #expect(try AuditReader(directory: dir.path).records()[2].prev == records[1].hash)
        #expect(AuditVerifier.verify(directory: dir.path).isIntact)
    }

    @Test("an unreadable last record stops appending rather than forking the chain")
    func corruptTail() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        try AuditFixtures.populate(dir, days: 1, perDay: 2)
        var lines = try dir.lines(AuditFixtures.day0)
        lines[1] = "garbage"
        try dir.write(AuditFixtures.day0, lines: lines)
        let log = try AuditLog(directory: dir.path)
        #expect {
            try log.append(AuditFixtures.event(3), now: AuditFixtures.time(seconds: 900))
        } throws: { error in
            (error as? AuditError)?.code == .corruptTail
        }
        #expect(try dir.lines(AuditFixtures.day0).count == 2)
    }

    @Test("an oversized event is refused; a long field is cut, saying how much")
    func tooLarge() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path)
        // Many fields, each within the bound, still make a record too large to write.
        let many = Dictionary(uniqueKeysWithValues: (0..<200).map { ("k\($0)", String(repeating: "z", count: 2_000)) })
        #expect { try log.append(AuditEvent(event: "x.y", actor: "a", details: many)) } throws: {
            ($0 as? AuditError)?.code == .recordTooLarge
        }
        #expect(AuditVerifier.verify(directory: dir.path).records == 0)
        // One field of 300,000 characters is kept to its first 2,048 and a count of the rest.
        let record = try log.append(AuditEvent(event: "x.y", actor: "a", details: ["big": String(repeating: "z", count: 300_000)]))
        let kept = try #require(record.event.details["big"])
        #expect(kept.hasPrefix(String(repeating: "z", count: AuditEvent.maximumFieldCharacters)))
        #expect(kept.hasSuffix("(\(300_000 - AuditEvent.maximumFieldCharacters) more characters)"))
        #expect(AuditVerifier.verify(directory: dir.path).isIntact)
    }

    @Test("two logs on one directory from concurrent threads: 1,000 records, gapless")
    func concurrentAppends() throws {
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let logs = [try AuditLog(directory: dir.path, host: "a"), try AuditLog(directory: dir.path, host: "b")]
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in 0..<500 {
                do {
                    try logs[worker].append(AuditFixtures.event(worker * 1000 + i))
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.all.isEmpty)
        let records = try AuditReader(directory: dir.path).records()
        #expect(records.count == 1000)
        #expect(records.map(\.seq) == Array(1...1000))
        #expect(Set(records.map(\.host)) == ["a", "b"])
        let result = AuditVerifier.verify(directory: dir.path)
        #expect(result.isIntact, "\(result)")
        #expect(result.records == 1000)
    }

    @Test("time format")
    func timeFormat() {
        #expect(AuditTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(AuditTime.format(Date(timeIntervalSince1970: 1_781_514_000.9999)) == "2026-06-15T09:00:00.999Z")
        #expect(AuditTime.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(AuditTime.isDayFileName("2026-06-15.jsonl"))
        #expect(!AuditTime.isDayFileName("2026-06-15.jsonl.bak"))
        #expect(!AuditTime.isDayFileName(".lock"))
        #expect(!AuditTime.isDayFileName("2026_06_15.jsonl"))
    }
}

/// Collects failures from concurrent workers.
final class Failures: @unchecked Sendable {
    // Guarded by `lock`; only appended to from workers and read after they finish.
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
