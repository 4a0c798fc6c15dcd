@testable import Policy
import Foundation
import Testing

@Suite("PolicyGate")
struct PolicyGateTests {
    let gate = PolicyGate(config: .default)

    func evaluate(
        _ job: JobRequest = Fixtures.job, requester: Requester? = Fixtures.requester,
        agency: Agency? = Fixtures.agency, uid: UInt32 = 1001, now: Date = Fixtures.now
    ) -> Decision {
        gate.evaluate(job, requester: requester, agency: agency, fileOwnerUID: uid, now: now)
    }

    @Test("a valid request is allowed")
    func allowed() {
        #expect(evaluate() == .allow)
    }

    // MARK: Requester (MOU III.B)

    struct RequesterCase: Sendable, CustomTestStringConvertible {
        var name: String
        var change: @Sendable (inout Requester) -> Void
        var uid: UInt32 = 1001
        var expected: [ReasonCode]
        var testDescription: String { name }
    }

    static let requesterCases: [RequesterCase] = [
        .init(name: "suspended", change: { $0.status = .suspended }, expected: [.requesterSuspended]),
        .init(name: "revoked", change: { $0.status = .revoked }, expected: [.requesterRevoked]),
        .init(name: "never vetted", change: { $0.vetted = nil }, expected: [.requesterNotVetted]),
        .init(name: "vetted in the future", change: { $0.vetted = Fixtures.day("2026-06-16") }, expected: [.requesterNotVetted]),
        .init(name: "never trained", change: { $0.trained = nil }, expected: [.requesterNotTrained]),
        .init(name: "trained in the future", change: { $0.trained = Fixtures.day("2026-07-01") }, expected: [.requesterNotTrained]),
        .init(name: "auditor cannot search", change: { $0.role = .auditor }, expected: [.requesterRole]),
        .init(name: "admin cannot search", change: { $0.role = .admin }, expected: [.requesterRole]),
        .init(name: "file owned by another account", change: { _ in }, uid: 1002, expected: [.requesterIdentityMismatch]),
        .init(name: "file owned by root", change: { _ in }, uid: 0, expected: [.requesterIdentityMismatch]),
        .init(
            name: "suspended, unvetted, expired and wrong uid together",
            change: { $0.status = .suspended; $0.vetted = nil; $0.trained = Fixtures.day("2020-01-01") },
            uid: 7,
            expected: [.requesterSuspended, .requesterNotVetted, .requesterTrainingExpired, .requesterIdentityMismatch]
        ),
    ]

    @Test("requester rules", arguments: requesterCases)
    func requesterRules(_ c: RequesterCase) {
        var r = Fixtures.requester
        c.change(&r)
        #expect(evaluate(requester: r, uid: c.uid) == .deny(c.expected))
    }

    @Test("unknown requester")
    func unknownRequester() {
        #expect(evaluate(requester: nil) == .deny([.requesterUnknown]))
    }

    @Test("analysts, examiners and supervisors may search")
    func searchingRoles() {
        for role in [Role.analyst, .examiner, .supervisor] {
            var r = Fixtures.requester
            r.role = role
            #expect(evaluate(requester: r) == .allow, "\(role)")
        }
    }

    @Test("training validity boundary: 365 days is valid, 366 expired, by UTC calendar day")
    func trainingBoundary() {
        var r = Fixtures.requester
        r.trained = Fixtures.day("2025-06-15") // exactly 365 days before now's day
        #expect(evaluate(requester: r) == .allow)
        // Late in the last valid day, still valid.
        #expect(evaluate(requester: r, now: Fixtures.day("2026-06-15").addingTimeInterval(86_399)) == .allow)
        r.trained = Fixtures.day("2025-06-14") // 366 days
        #expect(evaluate(requester: r) == .deny([.requesterTrainingExpired]))
        // Training recorded with a time of day late in the day still counts as that day.
        r.trained = Fixtures.day("2025-06-15").addingTimeInterval(86_000)
        #expect(evaluate(requester: r) == .allow)
        // A shorter policy validity.
        var config = PolicyConfig.default
        config.trainingValidityDays = 30
        let strict = PolicyGate(config: config)
        r.trained = Fixtures.day("2026-05-16") // 30 days
        #expect(strict.evaluate(Fixtures.job, requester: r, agency: Fixtures.agency, fileOwnerUID: 1001, now: Fixtures.now) == .allow)
        r.trained = Fixtures.day("2026-05-15") // 31 days
        #expect(strict.evaluate(Fixtures.job, requester: r, agency: Fixtures.agency, fileOwnerUID: 1001, now: Fixtures.now) == .deny([.requesterTrainingExpired]))
    }

    // MARK: Agency (MOU IX.B)

    @Test("unknown agency, and an agency that is not the requester's")
    func unknownAgency() {
        #expect(evaluate(agency: nil) == .deny([.agencyUnknown]))
        #expect(evaluate(agency: Agency(code: "OTHER", name: "Other PD")) == .deny([.agencyUnknown]))
    }

    @Test("termination takes effect 30 days after the notice", arguments: [
        (0, false), (1, false), (29, false), (30, true), (31, true), (150, true),
    ])
    func termination(daysAfterNotice: Int, terminated: Bool) {
        let notice = Fixtures.day("2026-03-01")
        let agency = Agency(code: "SCPD", name: "SCPD", terminationNotice: notice)
        let now = notice.addingTimeInterval(Double(daysAfterNotice) * 86_400 + 3600 * 23)
        #expect(agency.isTerminated(at: now) == terminated)
        #expect(evaluate(agency: agency, now: now) == (terminated ? .deny([.agencyTerminated]) : .allow))
    }

    @Test("termination effective date")
    func terminationEffective() {
        let agency = Agency(code: "X", name: "X", terminationNotice: Fixtures.day("2026-03-01"))
        #expect(agency.terminationEffective == Fixtures.day("2026-03-31"))
        #expect(Agency(code: "Y", name: "Y").terminationEffective == nil)
        #expect(!Agency(code: "Y", name: "Y").isTerminated(at: Fixtures.now))
    }

    // MARK: Purpose (MOU IV, V.1)

    struct PurposeCase: Sendable, CustomTestStringConvertible {
        var purpose: String
        var caseNumber: String?
        var offense: String?
        var expected: [ReasonCode]
        var testDescription: String { "\(purpose) case=\(caseNumber ?? "-") offense=\(offense ?? "-")" }
    }

    static let purposeCases: [PurposeCase] = [
        // reasonable-suspicion: case number and offense
        .init(purpose: "reasonable-suspicion", caseNumber: "C1", offense: "burglary", expected: []),
        .init(purpose: "reasonable-suspicion", caseNumber: nil, offense: "burglary", expected: [.purposeMissingCaseNumber]),
        .init(purpose: "reasonable-suspicion", caseNumber: "C1", offense: nil, expected: [.purposeMissingOffense]),
        .init(purpose: "reasonable-suspicion", caseNumber: nil, offense: nil, expected: [.purposeMissingCaseNumber, .purposeMissingOffense]),
        // active-investigation: case number and offense
        .init(purpose: "active-investigation", caseNumber: "C1", offense: "fraud", expected: []),
        .init(purpose: "active-investigation", caseNumber: nil, offense: "fraud", expected: [.purposeMissingCaseNumber]),
        .init(purpose: "active-investigation", caseNumber: "C1", offense: nil, expected: [.purposeMissingOffense]),
        // incapacitated-or-at-risk: a case/report number only
        .init(purpose: "incapacitated-or-at-risk", caseNumber: "R-77", offense: nil, expected: []),
        .init(purpose: "incapacitated-or-at-risk", caseNumber: nil, offense: nil, expected: [.purposeMissingCaseNumber]),
        // tips-and-leads: a case number only
        .init(purpose: "tips-and-leads", caseNumber: "C1", offense: nil, expected: []),
        .init(purpose: "tips-and-leads", caseNumber: nil, offense: "fraud", expected: [.purposeMissingCaseNumber]),
        // witness-or-victim: case number and a violent crime
        .init(purpose: "witness-or-victim", caseNumber: "C1", offense: "homicide", expected: []),
        .init(purpose: "witness-or-victim", caseNumber: "C1", offense: "Attempted MURDER", expected: []),
        .init(purpose: "witness-or-victim", caseNumber: "C1", offense: "aggravated assault with a weapon", expected: []),
        .init(purpose: "witness-or-victim", caseNumber: "C1", offense: "shoplifting", expected: [.purposeNotViolentCrime]),
        .init(purpose: "witness-or-victim", caseNumber: "C1", offense: "murdered-ish", expected: [.purposeNotViolentCrime]),
        .init(purpose: "witness-or-victim", caseNumber: "C1", offense: nil, expected: [.purposeMissingOffense]),
        .init(purpose: "witness-or-victim", caseNumber: nil, offense: "robbery", expected: [.purposeMissingCaseNumber]),
        // anything else is prohibited
        .init(purpose: "personal", caseNumber: "C1", offense: "x", expected: [.purposeUnauthorized]),
        .init(purpose: "Active-Investigation", caseNumber: "C1", offense: "x", expected: [.purposeUnauthorized]),
        .init(purpose: "", caseNumber: "C1", offense: "x", expected: [.purposeUnauthorized]),
        .init(purpose: "immigration-enforcement", caseNumber: nil, offense: nil, expected: [.purposeUnauthorized]),
    ]

    @Test("each purpose's requirements", arguments: purposeCases)
    func purposes(_ c: PurposeCase) {
        var job = Fixtures.job
        job.purpose = c.purpose
        job.caseNumber = c.caseNumber
        job.offense = c.offense
        #expect(evaluate(job) == (c.expected.isEmpty ? .allow : .deny(c.expected)))
    }

    @Test("justification length: minimum 30 characters")
    func justification() {
        var job = Fixtures.job
        job.justification = String(repeating: "x", count: 29)
        #expect(evaluate(job) == .deny([.purposeJustificationTooShort]))
        job.justification = String(repeating: "x", count: 30)
        #expect(evaluate(job) == .allow)
        job.justification = ""
        #expect(evaluate(job) == .deny([.purposeJustificationTooShort]))
        // Characters, not bytes: 30 accented letters are enough.
        job.justification = String(repeating: "é", count: 30)
        #expect(evaluate(job) == .allow)
    }

    // MARK: Limits

    @Test("max_candidates within 2...50, threshold up to the policy's maximum, probe count")
    func limits() {
        var job = Fixtures.job
        for (n, ok) in [(1, false), (2, true), (20, true), (50, true), (51, false)] {
            job.maxCandidates = n
            #expect(evaluate(job) == (ok ? .allow : .deny([.inputInvalidMaxCandidates])), "max_candidates \(n)")
        }
        job = Fixtures.job
        for (t, ok) in [(0.0, false), (0.4, true), (0.6, true), (0.61, false)] {
            job.threshold = t
            #expect(evaluate(job) == (ok ? .allow : .deny([.inputInvalidThreshold])), "threshold \(t)")
        }
        job = Fixtures.job
        job.probes = (0..<1000).map { "c/\($0).jpg" }
        #expect(evaluate(job) == .allow)
        job.probes.append("c/1000.jpg")
        #expect(evaluate(job) == .deny([.inputTooManyProbes]))
        job.probes = []
        #expect(evaluate(job) == .deny([.inputProbeMissing]))
        job.probeDir = "bulk/2026-06"
        #expect(evaluate(job) == .allow)
    }

    // MARK: Watch terms and combinations

    @Test("watch terms hold the request for approval")
    func watchTerms() {
        var job = Fixtures.job
        job.justification = "Person photographed at the PROTEST outside city hall, assault on an officer"
        #expect(evaluate(job) == .hold(["protest"]))
        #expect(evaluate(job).reasons == [.policyHeldForReview])
        job.justification = "Seen leaving a religious service and later at a rally downtown, see report"
        #expect(evaluate(job) == .hold(["rally", "religious service"]))
        job.justification = "Suspect photographed by the store camera during the robbery on 2024-09-01"
        job.offense = "assault at a vigil"
        #expect(evaluate(job) == .hold(["vigil"]))
        // Word prefixes: inflections are held, and so (accepted false positives) is "protestant".
        job.offense = "armed robbery"
        job.justification = "The protestant church's rallying point was robbed"
        #expect(evaluate(job) == .hold(["protest", "rally", "church"]))
        job.justification = "Photographed while he protested outside the bank before the robbery"
        #expect(evaluate(job) == .hold(["protest"]))
        // Only at a word's start: "morally" and "generally" do not contain the term "rally".
        job.justification = "Generally and morally the robbery was committed at gunpoint"
        #expect(evaluate(job) == .allow)
    }

    @Test("a denial beats a hold")
    func denyBeatsHold() {
        var job = Fixtures.job
        job.justification = "Photographed at the protest outside city hall during the robbery"
        var r = Fixtures.requester
        r.status = .suspended
        #expect(evaluate(job, requester: r) == .deny([.requesterSuspended]))
    }

    @Test("every failing reason is listed, in rule order")
    func everyReason() {
        var job = Fixtures.job
        job.purpose = "witness-or-victim"
        job.caseNumber = nil
        job.offense = "vandalism"
        job.justification = "protest"
        job.maxCandidates = 99
        var r = Fixtures.requester
        r.status = .revoked
        r.role = .auditor
        r.trained = nil
        let agency = Agency(code: "SCPD", name: "SCPD", terminationNotice: Fixtures.day("2026-01-01"))
        #expect(evaluate(job, requester: r, agency: agency, uid: 0) == .deny([
            .requesterRevoked, .requesterNotTrained, .requesterRole, .requesterIdentityMismatch,
            .agencyTerminated, .purposeMissingCaseNumber, .purposeNotViolentCrime,
            .purposeJustificationTooShort, .inputInvalidMaxCandidates,
        ]))
        // Unknown requester and agency with an unauthorized purpose.
        job.purpose = "personal"
        #expect(evaluate(job, requester: nil, agency: nil) == .deny([
            .requesterUnknown, .agencyUnknown, .purposeUnauthorized, .purposeJustificationTooShort,
            .inputInvalidMaxCandidates,
        ]))
    }

    // MARK: Approval

    @Test("who may approve a held request")
    func approval() {
        var supervisor = Fixtures.requester
        supervisor.id = "boss"
        supervisor.role = .supervisor
        supervisor.uid = 2000
        func reasons(_ s: Requester?, requester: String = "jdoe", jobAgency: String? = "SCPD", uid: UInt32 = 2000) -> [ReasonCode] {
            gate.approvalReasons(
                supervisor: s, agency: Fixtures.agency, jobRequester: requester, jobAgency: jobAgency,
                fileOwnerUID: uid, now: Fixtures.now
            )
        }
        #expect(reasons(supervisor) == [])
        #expect(reasons(nil) == [.supervisorNotAuthorized])
        #expect(reasons(supervisor, uid: 1001) == [.supervisorNotAuthorized])
        #expect(reasons(supervisor, jobAgency: "OTHER") == [.supervisorNotAuthorized])
        #expect(reasons(supervisor, requester: "boss") == [.supervisorSelfApproval])
        // The same person under another user id: the uid decides.
        #expect(gate.approvalReasons(supervisor: supervisor, agency: Fixtures.agency, jobRequester: "jdoe", jobAgency: "SCPD",
                                     fileOwnerUID: 2000, jobUIDs: [2000], now: Fixtures.now) == [.supervisorSelfApproval])
        #expect(gate.approvalReasons(supervisor: supervisor, agency: Fixtures.agency, jobRequester: "jdoe", jobAgency: "SCPD",
                                     fileOwnerUID: 2000, jobUIDs: [1000, 1001], now: Fixtures.now) == [])
        var analyst = supervisor
        analyst.role = .analyst
        #expect(reasons(analyst) == [.supervisorNotAuthorized])
        var suspended = supervisor
        suspended.status = .suspended
        #expect(reasons(suspended) == [.supervisorNotAuthorized])
    }

    // MARK: Probe paths

    @Test("safe relative probe paths", arguments: [
        ("24-012345/cam1.jpg", true), ("a.jpg", true), ("dir/sub/x.png", true), ("./a.jpg", true),
        ("a..b.jpg", true), ("", false), ("/etc/passwd", false), ("../x.jpg", false), ("a/../../x", false),
        ("a/..", false), ("..", false), ("a\u{0}b", false), ("a\\..\\b", false), ("a\nb", false), ("/", false),
        (".", false),
    ])
    func probePaths(path: String, safe: Bool) {
        #expect(PolicyGate.isSafeRelativeProbePath(path) == safe)
        #expect(JobRequest.isSafeRelativeProbePath(path) == safe)
    }
}
