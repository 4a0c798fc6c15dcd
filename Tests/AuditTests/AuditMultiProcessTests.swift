@testable import Audit
import Foundation
import TestSupport
import Testing

/// Several processes appending to one audit directory, using this test bundle itself as the
/// child: run with `FRS_AUDIT_CHILD_DIR` set, ``childAppender()`` appends to that directory.
@Suite("AuditLog across processes")
struct AuditMultiProcessTests {
    static let perProcess = 300
    static let childVariable = "FRS_AUDIT_CHILD_DIR"

    /// Appends ``perProcess`` records. As a child it writes where the parent says; run on its own
    /// it writes to a fresh directory and checks the result.
    @Test("appender (also the child of the multi-process test)")
    func childAppender() throws {
        if let target = ProcessInfo.processInfo.environment[Self.childVariable] {
            let log = try AuditLog(directory: target, host: "child")
            for i in 0..<Self.perProcess { try log.append(AuditFixtures.event(i)) }
            return
        }
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path)
        for i in 0..<Self.perProcess { try log.append(AuditFixtures.event(i)) }
        let result = AuditVerifier.verify(directory: dir.path)
        #expect(result.isIntact && result.records == Self.perProcess, "\(result)")
    }

    @Test("two child processes and this one append at once: gapless, every record kept, chain intact")
    func threeProcesses() throws {
        guard ProcessInfo.processInfo.environment[Self.childVariable] == nil else { return }
        let dir = try TempAuditDir()
        defer { dir.cleanup() }
        let log = try AuditLog(directory: dir.path, host: "parent")
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = dir.path
        let children = try (0..<2).map { _ in
            try Program.startTestBundle(filter: "AuditMultiProcessTests/childAppender", environment: environment)
        }
        for i in 0..<Self.perProcess { try log.append(AuditFixtures.event(i)) }
        for child in children {
            child.waitUntilExit()
            #expect(child.terminationStatus == 0)
        }
        let records = try AuditReader(directory: dir.path).records()
        #expect(records.count == 3 * Self.perProcess)
        #expect(records.map(\.seq) == Array(1...(3 * Self.perProcess)))
        #expect(Set(records.map(\.pid)).count == 3)
        #expect(records.filter { $0.host == "child" }.count == 2 * Self.perProcess)
        let result = AuditVerifier.verify(directory: dir.path)
        #expect(result.isIntact, "\(result)")
    }
}
