@testable import Spool
import Basics
import Foundation
import Policy
import Results
import SpoolTestSupport
import TestSupport
import Testing

/// The spool's decision as a pure function: no spool, no files.
@Suite("JobEvaluation")
struct JobEvaluationTests {
    let now = UTCDay.parse("2026-06-01")!
    let agency = Agency(code: "SCPD", name: "St. Charles PD")
    let requester = Requester(id: "jdoe", name: "Jane Doe", agency: "SCPD", role: .analyst, uid: 1000,
                              vetted: UTCDay.parse("2025-01-01"), trained: UTCDay.parse("2026-01-01"))

    func job(justification: String = "Suspect photographed by the store camera during the robbery") -> JobRequest {
        JobRequest(requester: "jdoe", purpose: "active-investigation", caseNumber: "24-1", offense: "armed robbery",
                   justification: justification, probes: ["case/a.jpg"])
    }

    func evaluate(_ parsed: Result<JobRequest, JobParseFailure>, owner: UInt32 = 1000, problem: String? = nil,
                  supervisor: SupervisorDecision? = nil) -> JobVerdict {
        JobEvaluation.evaluate(parsed: parsed, identity: JobFileIdentity(ownerUID: owner, problem: problem),
                               requester: requester, agency: agency, supervisor: supervisor, gate: PolicyGate(), now: now)
    }

    @Test func aValidRequestFromItsOwnerRuns() {
        #expect(evaluate(.success(job())) == .run(job()))
    }

    @Test func theFileOwnerMustBeTheRequestersAccount() {
        guard case .deny(let denial) = evaluate(.success(job()), owner: 4242) else {
            Issue.record("expected a denial")
            return
        }
        #expect(denial.reasons == [.requesterIdentityMismatch])
        #expect(denial.requester == "jdoe")
    }

    @Test func aLinkedFileIsDeniedEvenWhenTheOwnerMatches() {
        guard case .deny(let denial) = evaluate(.success(job()), problem: "the job file has 2 hard links") else {
            Issue.record("expected a denial")
            return
        }
        #expect(denial.reasons == [.requesterIdentityMismatch])
        #expect(denial.messages.first == "the job file has 2 hard links")
    }

    @Test func parseFailuresAreDeniedWithTheirReasons() {
        let failure = JobParseFailure(issues: [.init(code: .inputMalformed, field: "probes", message: "not an array")],
                                      requester: "jdoe")
        guard case .deny(let denial) = evaluate(.failure(failure)) else {
            Issue.record("expected a denial")
            return
        }
        #expect(denial.reasons == [.inputMalformed])
        #expect(denial.requester == "jdoe")
        #expect(denial.messages.count == 1)
    }

    @Test func watchTermsHoldUntilApprovedAndRejectionDenies() {
        let watched = job(justification: "Suspect seen throwing a brick during the protest downtown")
        guard case .hold(_, let terms) = evaluate(.success(watched)) else {
            Issue.record("expected a hold")
            return
        }
        #expect(terms.contains("protest"))
        #expect(evaluate(.success(watched), supervisor: .approved) == .run(watched))
        guard case .deny(let denial) = evaluate(.success(watched), supervisor: .rejected) else {
            Issue.record("expected a denial")
            return
        }
        #expect(denial.reasons == [.supervisorRejected])
        // An approval does not override a denial (the requester may have changed meanwhile).
        guard case .deny(let stillDenied) = evaluate(.success(watched), owner: 4242, supervisor: .approved) else {
            Issue.record("expected a denial")
            return
        }
        #expect(stillDenied.reasons == [.requesterIdentityMismatch])
    }

    @Test func resultsCarryTheLeadStatementAndCountCandidates() throws {
        let face = FaceResult(box: [1, 2, 3, 4], landmarks: [], quality: .init(ok: true), candidates: [
            .init(rank: 1, subject: "S-1", image: "g/1.jpg", distance: 0.3),
            .init(rank: 2, subject: "S-2", image: "g/2.jpg", distance: 0.5),
        ])
        let result = ResultBuilder.completed(
            job: "j", request: job(), probes: [ProbeRecord(image: "case/a.jpg", sha256: "ab", faces: [face, face])],
            probeCount: nil, searcher: FakeSearcher(), threshold: 0.6, maxCandidates: 20, now: now)
        #expect(result.candidateCount == 4)
        // The statement is in the file people read, under its key, for completed and denied results.
        func writtenStatement(_ result: JobResult) throws -> String? {
            let object = try JSONSerialization.jsonObject(with: Data(try result.encoded())) as? [String: Any]
            return object?["statement"] as? String
        }
        #expect(try writtenStatement(result)?.hasPrefix("Investigative lead only — not a positive identification.") == true)
        let text = String(decoding: try result.encoded(), as: UTF8.self)
        #expect(text.contains("\"case_number\" : \"24-1\""))
        #expect(text.contains("\"gallery_version\" : 7"))
        #expect(text.contains("Investigative lead only — not a positive identification."))
        #expect(try JobResult.decode(try result.encoded()) == result)
        let denied = ResultBuilder.denied(job: "j", JobDenial(reasons: [.purposeUnauthorized]), now: now)
        #expect(denied.decision == .denied)
        #expect(denied.reasons.map(\.rawValue) == ["purpose.unauthorized"])
        #expect(denied.galleryVersion == nil)
        #expect(try writtenStatement(denied)?.hasPrefix("Investigative lead only") == true)
    }
}
