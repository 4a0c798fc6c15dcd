@testable import ANSINIST
import TestSupport
import Foundation
import Hashing
import Testing

@Suite("ANSI/NIST-ITL reader")
struct NISTReaderTests {
    static let directory = FixtureFiles.fixtures + "/ansi-nist"
    static let files = ["face_jpb_DOM_GMT_DCS.an2", "valid1.11.an2", "valid1.2.an2", "valid1.3.an2", "valid1.9.an2"]

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: directory + "/" + name])
        }
        return [UInt8](data)
    }

    /// Where `pattern` first occurs in `bytes`.
    static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }

    /// The listing `scripts/ansi-nist-reference.py` writes, for one transaction.
    static func listing(_ name: String, _ t: NISTTransaction) -> [String] {
        var lines: [String] = []
        for (index, record) in t.records.enumerated() {
            let idc = record.idc.map(String.init) ?? "-"
            switch record.content {
            case .binary:
                let bytes = t.bytes[record.range]
                lines.append("\(name) \(index) \(record.type) \(idc) binary \(record.range.lowerBound) \(bytes.count) \(SHA256.hex(bytes).prefix(16))")
            case .tagged(let fields):
                for field in fields {
                    let value = t.value(field)
                    lines.append("\(name) \(index) \(record.type) \(idc) \(field.tag) \(field.value.lowerBound) \(value.count) \(SHA256.hex(value).prefix(16))")
                }
            }
        }
        return lines
    }

    @Test("every field of every record of the reference files, byte for byte", arguments: files)
    func reference(name: String) throws {
        let bytes = try Self.bytes(name)
        let t = try NISTReader().read(bytes)
        let expected = try String(contentsOfFile: Self.directory + "/expected.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { $0.hasPrefix(name + " ") }
        #expect(!expected.isEmpty)
        #expect(Self.listing(name, t) == expected)
        #expect(t.reassembled() == bytes, "the records put back together are the file")
    }

    @Test("versions: 0201's two-digit Type-1 tags and 0400's three-digit ones")
    func versions() throws {
        let old = try NISTReader().read(try Self.bytes("valid1.3.an2"))
        #expect(old.version == "0201")
        #expect(old.header.fields.map(\.tag).prefix(3) == ["1.01", "1.02", "1.03"])
        #expect(old.records.map(\.type) == [1, 2, 10])
        let new = try NISTReader().read(try Self.bytes("face_jpb_DOM_GMT_DCS.an2"))
        #expect(new.version == "0400")
        #expect(new.records.map(\.type) == [1, 10])
        let mixed = try NISTReader().read(try Self.bytes("valid1.9.an2"))
        #expect(mixed.records.map(\.type) == [1, 2, 4, 7, 8, 10, 14, 17])
        #expect(mixed.records.filter { $0.content == .binary }.map(\.idc) == [1, 2, 9])
    }

    @Test("a booking submission: source, name, date of birth, the face and its details")
    func booking() throws {
        let b = try BookingTransaction(bytes: try Self.bytes("valid1.3.an2"))
        #expect(b.source == .init(originatingAgency: "AWRE01730", transactionType: "CAR", controlNumber: "1234567890",
                                  date: "1999-01-05", version: "0201"))
        #expect(b.name == "brad")
        #expect(b.dateOfBirth == "1970-03-08")
        #expect(b.faces.count == 1 && b.refused.isEmpty && b.skipped.isEmpty)
        let face = try #require(b.faces.first)
        #expect(face.coding == .jpeg)
        #expect(Array(face.data.prefix(2)) == [0xFF, 0xD8] && Array(face.data.suffix(2)) == [0xFF, 0xD9])
        #expect(face.photoDate == "1960-09-03" && face.profile == "14" && face.pose == nil && face.idc == 1)

        let dcs = try BookingTransaction(bytes: try Self.bytes("face_jpb_DOM_GMT_DCS.an2"))
        #expect(dcs.name == nil && dcs.dateOfBirth == nil)
        #expect(dcs.faces.map(\.profile) == ["40"] && dcs.faces.map(\.pose) == ["F"])
        #expect(dcs.faces.first?.data.count == 69459)

        let none = try BookingTransaction(bytes: try Self.bytes("valid1.2.an2"))
        #expect(none.faces.isEmpty && none.name == "smith,william")
        let many = try BookingTransaction(bytes: try Self.bytes("valid1.11.an2"))
        #expect(many.faces.count == 1 && many.faces.first?.pose == "A" && many.dateOfBirth == "1960-02-01")
        // valid1.11's image field is doubled (10.999:010110<GS>10.999:<JPEG>): the image is the JPEG.
        let doubled = try #require(many.faces.first)
        #expect(Array(doubled.data.prefix(3)) == [0xFF, 0xD8, 0xFF] && doubled.data.count == 22092 - 14)
        #expect(Array(many.transaction.value(many.transaction.records[3].field(999)!).prefix(7)) == Array("010110\u{1D}".utf8))
    }

    @Test("identity: the policy's Type-2 fields in order, else ORI/TCN")
    func identity() throws {
        let fields = [NISTFieldReference("2.015")!, NISTFieldReference("2.014")!]
        let ref = try BookingTransaction(bytes: try Self.bytes("valid1.3.an2"))
        #expect(ref.identity(fields: fields)?.subject == "tcn:AWRE01730/1234567890")
        var builder = NISTBuilder()
        builder.records = [.tagged(type: 2, idc: 0, fields: [(14, Array("123456AB7".utf8)), (18, Array("DOE,JOHN".utf8))])]
        let ucn = BookingTransaction(try NISTReader().read(builder.build()))
        #expect(ucn.identity(fields: fields)?.subject == "ucn:123456AB7")
        builder.records = [.tagged(type: 2, idc: 0, fields: [(14, Array("123456AB7".utf8)), (15, Array(" NY12345678 ".utf8))])]
        let sid = BookingTransaction(try NISTReader().read(builder.build()))
        #expect(sid.identity(fields: fields)?.subject == "sid:NY12345678")
        #expect(sid.identity(fields: [NISTFieldReference("2.14")!])?.subject == "ucn:123456AB7")
        #expect(sid.identity(fields: [NISTFieldReference("2.073")!])?.subject == "tcn:NY0303000/TCN0001")
        builder.header = [(4, "CAR")]
        let anonymous = BookingTransaction(try NISTReader().read(builder.build()))
        #expect(anonymous.identity(fields: [NISTFieldReference("2.020")!]) == nil)
        #expect(NISTFieldReference("2") == nil && NISTFieldReference("x.1") == nil && NISTFieldReference("2.015")?.description == "2.015")
    }

    @Test("Type-10 images: JPEGB and NONE taken, other compressions refused by name, scars skipped")
    func images() throws {
        let jpeg = try Self.bytes("valid1.3.an2")
        let t = try NISTReader().read(jpeg)
        let data = Array(t.value(t.records[2].field(999)!))
        var builder = NISTBuilder()
        builder.records = [
            .tagged(type: 2, idc: 0, fields: [(18, Array("ROE,RICHARD".utf8)), (22, Array("19811231".utf8))]),
            .binary(type: 4, idc: 1, length: 40, fill: 0x1C),
            .tagged(type: 10, idc: 2, fields: NISTBuilder.face(cga: "JPEGB", data: data)),
            .tagged(type: 10, idc: 3, fields: NISTBuilder.face(cga: "JP2", data: [0, 0, 0, 12])),
            .tagged(type: 10, idc: 4, fields: NISTBuilder.face(imt: "TATTOO", cga: "JPEGB", data: data)),
            .tagged(type: 10, idc: 5, fields: NISTBuilder.face(cga: "NONE", width: 3, height: 2, csp: "GRAY", data: [1, 2, 0x1C, 0x1D, 5, 6])),
            .tagged(type: 10, idc: 6, fields: NISTBuilder.face(cga: "NONE", width: 2, height: 2, csp: "RGB", data: [1, 2, 3])),
            .tagged(type: 10, idc: 7, fields: NISTBuilder.face(cga: "PNG", data: [0x89, 0x50])),
            .tagged(type: 14, idc: 8, fields: [(3, Array("0".utf8)), (999, [0x1C, 0x1D, 0x1E])]),
        ]
        let bytes = builder.build()
        let parsed = try NISTReader().read(bytes)
        #expect(parsed.reassembled() == bytes)
        let b = BookingTransaction(parsed)
        #expect(b.name == "ROE,RICHARD" && b.dateOfBirth == "1981-12-31")
        #expect(b.faces.map(\.idc) == [2, 5])
        #expect(b.faces.map(\.coding) == [.jpeg, .raw(width: 3, height: 2, channels: 1)])
        #expect(Array(b.faces[0].data) == data && Array(b.faces[1].data) == [1, 2, 0x1C, 0x1D, 5, 6])
        #expect(b.faces[0].photoDate == "2023-04-05" && b.faces[0].profile == "10" && b.faces[0].pose == "F")
        #expect(b.refused.map(\.idc) == [3, 6, 7])
        #expect(b.refused.map(\.reason) == [.unsupportedCompression, .invalidImage, .unsupportedCompression])
        #expect(b.refused[0].message.contains("JP2") && b.refused[2].message.contains("PNG"))
        #expect(b.skipped.map(\.idc) == [4] && b.skipped.first?.imageType == "TATTOO")
    }

    @Test("a truncated file is refused, wherever it is cut")
    func truncated() throws {
        for name in ["valid1.3.an2", "valid1.9.an2"] {
            let bytes = try Self.bytes(name)
            let t = try NISTReader().read(bytes)
            // Every record boundary and a byte either side, and a stride through the data.
            var cuts = Set(t.records.flatMap { [$0.range.lowerBound - 1, $0.range.lowerBound, $0.range.lowerBound + 1, $0.range.upperBound - 1] })
            cuts.formUnion(stride(from: 1, to: bytes.count, by: 997))
            for cut in cuts.sorted() where cut > 0 && cut < bytes.count {
                #expect(throws: NISTError.self, "\(name) cut at \(cut)") { try NISTReader().read(Array(bytes[..<cut])) }
            }
            do {
                _ = try NISTReader().read(Array(bytes[..<(bytes.count - 100)]))
                Issue.record("read a truncated file")
            } catch {
                #expect(error.code == .truncated)
                #expect(error.record == t.records.count - 1)
            }
        }
    }

    @Test("foreign, empty, trailing, mismatched, unknown-version and oversized files are refused with their reason")
    func refusals() throws {
        let good = try Self.bytes("valid1.3.an2")
        func code(_ bytes: [UInt8], _ reader: NISTReader = NISTReader()) -> NISTError.Code? {
            do { _ = try reader.read(bytes); return nil } catch { return error.code }
        }
        #expect(code([]) == .empty)
        #expect(code([0xFF, 0xD8, 0xFF, 0xE0]) == .foreign)
        #expect(code(Array("subject_id,image\n".utf8)) == .foreign)
        #expect(code(Array("<?xml version=\"1.0\"?><itl:NISTBiometricInformationExchangePackage/>".utf8)) == .foreign)
        #expect(code(good + good) == .trailingData)
        #expect(code(good + [0x0A]) == .trailingData)
        #expect(code(good, NISTReader(limits: .init(maxFileBytes: 1000))) == .tooLarge)
        #expect(code(try Self.bytes("valid1.9.an2"), NISTReader(limits: .init(maxRecords: 3))) == .tooLarge)
        #expect(code(good, NISTReader(limits: .init(maxFields: 5))) == .tooLarge)

        var builder = NISTBuilder()
        builder.version = "0600"
        #expect(code(builder.build()) == .unsupportedVersion)
        builder.version = "0201"
        builder.twoDigitHeaderTags = true
        builder.records = [.tagged(type: 2, idc: 0, fields: [(18, Array("A".utf8))])]
        #expect(code(builder.build()) == nil)
        // CNT says IDC 0, the record says 1.
        var bytes = builder.build()
        let idc = try #require(Self.find(Array("2.002:00".utf8), in: bytes))
        bytes[idc + 7] = UInt8(ascii: "1")
        #expect(code(bytes) == .recordMismatch)
        // A record of an undefined type.
        builder.records = [.tagged(type: 100, idc: 0, fields: [])]
        #expect(code(builder.build()) == .unknownRecordType)
        // A binary record whose IDC differs from CNT's.
        builder.records = [.binary(type: 4, idc: 1, length: 30, fill: 0)]
        var binary = builder.build()
        binary[binary.count - 26] = 7
        #expect(code(binary) == .recordMismatch)
        // A binary record declaring more than the file holds.
        builder.records = [.binary(type: 4, idc: 1, length: 30, fill: 0)]
        #expect(code(Array(builder.build().dropLast(1))) == .truncated)
        // A record of the wrong type where CNT says Type-2.
        builder.records = [.tagged(type: 2, idc: 0, fields: [(18, Array("A".utf8))])]
        let swapped = String(decoding: builder.build(), as: UTF8.self).replacingOccurrences(of: "2.001:", with: "9.001:")
        #expect(code(Array(swapped.utf8)) == .recordMismatch)
    }
}
