@testable import Policy
import Basics
import Foundation
import Testing

@Suite("Policy model")
struct ModelTests {
    @Test("reason codes have stable raw values")
    func reasonCodes() {
        let spec = [
            "requester.unknown", "requester.suspended", "requester.revoked", "requester.not-vetted",
            "requester.training-expired", "requester.role", "requester.identity-mismatch", "agency.unknown",
            "agency.terminated", "purpose.unauthorized", "purpose.missing-case-number", "purpose.missing-offense",
            "purpose.justification-too-short", "purpose.not-violent-crime", "use.protected-class-filter",
            "use.live-surveillance", "input.malformed", "input.unknown-field", "input.probe-missing",
            "input.probe-outside-evidence", "input.probe-not-image", "input.probe-too-large",
        ]
        let raw = Set(ReasonCode.allCases.map(\.rawValue))
        for code in spec { #expect(raw.contains(code), "missing \(code)") }
        #expect(ReasonCode.requesterNotTrained.rawValue == "requester.not-trained")
        #expect(ReasonCode.policyHeldForReview.rawValue == "policy.held-for-review")
        #expect(ReasonCode.supervisorRejected.rawValue == "supervisor.rejected")
        #expect(ReasonCode.inputTooManyProbes.rawValue == "input.too-many-probes")
        #expect(ReasonCode.inputInvalidMaxCandidates.rawValue == "input.invalid-max-candidates")
        // Every code is area.name in lowercase with hyphens.
        for code in ReasonCode.allCases {
            let parts = code.rawValue.split(separator: ".")
            #expect(parts.count == 2 && code.rawValue.allSatisfy { $0.isLowercase || $0 == "." || $0 == "-" }, "\(code.rawValue)")
        }
        #expect(raw.count == ReasonCode.allCases.count)
    }

    /// Every reason code the policy module can produce, with an input that produces it. The rest
    /// are produced by the spool (it has the filesystem and the approval step).
    static let producedBySpool: Set<ReasonCode> = [
        .inputProbeOutsideEvidence, .inputProbeNotImage, .inputProbeTooLarge, .supervisorRejected,
        .reviewUnknownJob, .reviewUnknownFace, .reviewUnknownCandidate, .reviewOtherAgency, .processingAttemptsExhausted,
        .reviewSelfReview, .reviewSameExaminer, .reviewLeadSettled, .reviewNotDisputed, .reviewConflictOfInterest,
        .outcomeNotAuthorized, .outcomeCorroborationRequired, .outcomeLeadNotReleased,
        .inputBadJobName, .inputDuplicateJobID, .inputProbeNotPermitted, .inputQueueLimit, .supervisorJobNotHeld,
        .inputProbeTooManyScans, .inputProbeDecodeWork, .inputProbeCPUBudget, .inputJobCPUBudget,
    ]

    @Test("every reason code is produced by some input (or belongs to the spool)")
    func everyCodeReachable() {
        let gate = PolicyGate()
        var produced = Set<ReasonCode>()
        func run(_ job: JobRequest = Fixtures.job, requester: Requester? = Fixtures.requester, agency: Agency? = Fixtures.agency, uid: UInt32 = 1001) {
            produced.formUnion(gate.evaluate(job, requester: requester, agency: agency, fileOwnerUID: uid, now: Fixtures.now).reasons)
        }
        func parse(_ changes: [String: Any?]) {
            produced.formUnion(JobRequest.parse(Fixtures.jobBytes(changes)).reasons)
        }
        var r = Fixtures.requester
        run(requester: nil)
        r.status = .suspended; run(requester: r)
        r.status = .revoked; r.vetted = nil; r.trained = nil; r.role = .auditor; run(requester: r, uid: 9)
        r = Fixtures.requester; r.trained = Fixtures.day("2020-01-01"); run(requester: r)
        run(agency: nil)
        run(agency: Agency(code: "SCPD", name: "x", terminationNotice: Fixtures.day("2026-01-01")))
        var j = Fixtures.job
        j.purpose = "personal"; j.justification = ""; run(j)
        j = Fixtures.job; j.caseNumber = nil; j.offense = nil; run(j)
        j = Fixtures.job; j.purpose = "witness-or-victim"; j.offense = "fraud"; run(j)
        j = Fixtures.job; j.justification = "Seen at the protest holding the stolen bag"; run(j)
        j = Fixtures.job; j.threshold = 0.9; j.maxCandidates = 1; j.probes = Array(repeating: "a", count: 1001); run(j)
        j = Fixtures.job; j.probes = []; run(j)
        parse(["race": "x", "stream": "y", "foo": 1, "version": "one"])
        parse(["probe_source": "sketch"])
        produced.formUnion(gate.approvalReasons(
            supervisor: Fixtures.requester, agency: Fixtures.agency, jobRequester: "jdoe", jobAgency: "SCPD",
            fileOwnerUID: 1001, now: Fixtures.now
        ))
        let missing = Set(ReasonCode.allCases).subtracting(produced).subtracting(Self.producedBySpool)
        #expect(missing.isEmpty, "no test input produces \(missing.map(\.rawValue).sorted())")
    }

    @Test("exactly five purposes, with the MOU's sections")
    func purposes() {
        #expect(Purpose.allCases.map(\.rawValue) == [
            "reasonable-suspicion", "active-investigation", "incapacitated-or-at-risk", "tips-and-leads",
            "witness-or-victim",
        ])
        #expect(Purpose.allCases.map(\.mouSection) == ["IV.1", "IV.2", "IV.3", "IV.4", "IV.5"])
    }

    @Test("role permissions", arguments: [
        (Role.analyst, true, false, false, false),
        (Role.examiner, true, true, false, false),
        (Role.supervisor, true, true, true, false),
        (Role.auditor, false, false, false, false),
        (Role.admin, false, false, false, true),
    ])
    func roles(role: Role, search: Bool, review: Bool, approve: Bool, administer: Bool) {
        #expect(role.canSearch == search)
        #expect(role.canReview == review)
        #expect(role.canApprove == approve)
        #expect(role.canAdminister == administer)
    }

    @Test("requester and agency are Codable")
    func codable() throws {
        let data = try JSONEncoder().encode(Fixtures.requester)
        #expect(try JSONDecoder().decode(Requester.self, from: data) == Fixtures.requester)
        let agency = Agency(code: "A", name: "B", terminationNotice: Fixtures.day("2026-01-01"))
        #expect(try JSONDecoder().decode(Agency.self, from: JSONEncoder().encode(agency)) == agency)
    }

    @Test("UTC day parsing and formatting")
    func days() {
        #expect(UTCDay.parse("1970-01-01") == Date(timeIntervalSince1970: 0))
        #expect(UTCDay.parse("2024-02-29") != nil)
        #expect(UTCDay.parse("2023-02-29") == nil)
        #expect(UTCDay.parse("2026-13-01") == nil)
        #expect(UTCDay.parse("2026-1-01") == nil)
        #expect(UTCDay.parse("２０２６-01-01") == nil)
        #expect(UTCDay.format(Fixtures.now) == "2026-06-15")
        #expect(UTCDay.format(Date(timeIntervalSince1970: -1)) == "1969-12-31")
        for day in stride(from: -719_000, through: 2_900_000, by: 997) {
            #expect(UTCDay.number(of: UTCDay.parse(UTCDay.format(UTCDay.start(ofDay: day)))!) == day)
        }
    }
}
