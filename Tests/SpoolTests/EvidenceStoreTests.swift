@testable import Spool
import Foundation
import Glibc
import Policy
import SystemCalls
import SpoolTestSupport
import TestSupport
import Testing

@Suite("EvidenceStore")
struct EvidenceStoreTests {
    @Test func lexicalChecksRefuseEscapesBeforeTouchingTheDisk() throws {
        let store = EvidenceStore(root: "/nonexistent/evidence")
        for probe in ["../x.jpg", "a/../../x.jpg", "a/./../b.jpg", "/etc/passwd", "/nonexistent/evidence/../x"] {
            let error = #expect(throws: ProbeRejection.self) { try store.relativePath(probe) }
            #expect(error?.code == .inputProbeOutsideEvidence, "\(probe)")
        }
        #expect(throws: ProbeRejection.self) { try store.relativePath("") }
        #expect(try store.relativePath("case/./a.jpg") == "case/a.jpg")
        #expect(try store.relativePath("/nonexistent/evidence/case/a.jpg") == "case/a.jpg")
    }

    @Test func resolvesInsideAndRefusesSymlinksOutOrOversizedFiles() throws {
        let spool = try TestSpool()
        var store = EvidenceStore(root: spool.layout.evidence, maximumProbeBytes: 10)
        let probe = try spool.addEvidence("case", "a.jpg", bytes: Array("0123456789".utf8), agency: nil)
        let path = try store.resolve(probe)
        #expect(path.hasSuffix("/evidence/case/a.jpg"))
        #expect(try store.read(canonicalPath: path, probe: probe) == Array("0123456789".utf8))
        // A link inside the store to a file inside the store is fine; one leading out is not.
        #expect(symlink(spool.layout.evidence + "/case/a.jpg", spool.layout.evidence + "/case/b.jpg") == 0)
        #expect(try store.resolve("case/b.jpg") == path)
        #expect(symlink(spool.layout.state, spool.layout.evidence + "/case/state") == 0)
        let escape = #expect(throws: ProbeRejection.self) { try store.resolve("case/state/frs.sqlite") }
        #expect(escape?.code == .inputProbeOutsideEvidence)
        store.maximumProbeBytes = 9
        let big = #expect(throws: ProbeRejection.self) { try store.read(canonicalPath: path, probe: probe) }
        #expect(big?.code == .inputProbeTooLarge)
        let missing = #expect(throws: ProbeRejection.self) { try store.resolve("case/none.jpg") }
        #expect(missing?.code == .inputProbeMissing)
        try spool.addEvidence("case", ".hidden", bytes: [1], agency: nil)
        // A probe folder lists every entry but hidden ones and folders: the symlinks are listed so
        // that each gets a record with its reason (here b.jpg resolves inside, state leads out).
        try Directory.create(spool.layout.evidence + "/case/sub", mode: 0o700)
        #expect(try store.probes(inFolder: "case") == ["case/a.jpg", "case/b.jpg", "case/state"])
    }
}
