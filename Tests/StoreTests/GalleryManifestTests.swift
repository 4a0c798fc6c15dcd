@testable import Store
import Testing

@Suite struct GalleryManifestTests {
    @Test func positionalRows() {
        let m = GalleryManifest.parse("S-1,a.jpg\nS-2,b.jpg,booking,2024-02-29\r\n\nS-3,\"c, d.jpg\",\"say \"\"hi\"\"\",\n")
        #expect(m.errors.isEmpty)
        #expect(m.entries == [
            .init(line: 1, subject: "S-1", image: "a.jpg", source: nil, captured: nil),
            .init(line: 2, subject: "S-2", image: "b.jpg", source: "booking", captured: "2024-02-29"),
            .init(line: 4, subject: "S-3", image: "c, d.jpg", source: "say \"hi\"", captured: nil),
        ])
    }

    @Test func headerMapsColumnsByName() {
        let m = GalleryManifest.parse("image,subject_id,captured\nx.jpg,S-9,2023-12-31T10:00:00Z\n")
        #expect(m.errors.isEmpty)
        #expect(m.entries == [.init(line: 2, subject: "S-9", image: "x.jpg", source: nil, captured: "2023-12-31T10:00:00Z")])
        let h = GalleryManifest.parse("subject_id,captured,image\nS-9,2023-12-31T10:00:00Z,x.jpg\n")
        #expect(h.errors.isEmpty)
        #expect(h.entries == [.init(line: 2, subject: "S-9", image: "x.jpg", source: nil, captured: "2023-12-31T10:00:00Z")])
    }

    @Test func badRowsAreNamedByLineAndGoodRowsKept() {
        let text = """
            subject_id,image,source,captured
            S-1,a.jpg,,2024-02-30
            ,b.jpg,,
            S-3,,,
            S-4,d.jpg,x,y,z
            S-5,e.jpg,,2024-13-01
            S-6,f.jpg,,
            S-6,f.jpg,,
            S-7,"multi
            line.jpg",,
            S-8,g.jpg,,
            """
        let m = GalleryManifest.parse(text)
        // The quoted image spans two lines: it is read as one field (so S-8 is on line 11) and
        // refused, as a path with a line break.
        #expect(m.entries.map(\.line) == [7, 11])
        #expect(m.errors.map(\.line) == [2, 3, 4, 5, 6, 8, 9])
        #expect(m.errors.map(\.column) == ["captured", "subject_id", "image", nil, "captured", nil, "image"])
        #expect(m.errors[5].message.contains("line 7"))
        #expect(m.errors[0].description.hasPrefix("line 2 (captured)"))
    }

    @Test func badHeaderStopsParsing() {
        let m = GalleryManifest.parse("subject_id,picture\nS-1,a.jpg\n")
        #expect(m.entries.isEmpty)
        #expect(m.errors.count == 2)
        #expect(m.errors.allSatisfy { $0.line == 1 })
    }

    @Test func unterminatedQuoteIsReported() {
        let m = GalleryManifest.parse("S-1,a.jpg\nS-2,\"b.jpg\nS-3,c.jpg\n")
        #expect(m.errors.first?.line == 2)
        #expect(m.errors.first?.message.contains("never closed") == true)
        #expect(m.entries.map(\.subject) == ["S-1"])
    }

    @Test(arguments: ["2024-02-29", "2023-01-31", "2024-06-01T12:30:00Z", "2024-06-01T12:30:00.250+02:00"])
    func validDates(_ text: String) { #expect(GalleryManifest.isDate(text)) }

    @Test(arguments: ["2023-02-29", "2024-04-31", "24-01-01", "2024/01/01", "yesterday", "2024-01-01T25:00:00Z"])
    func invalidDates(_ text: String) { #expect(!GalleryManifest.isDate(text)) }
}
