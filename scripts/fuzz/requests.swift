// libFuzzer harness: the drop-box request parsers (review, approval, resolution, outcome) on the
// same bytes. Built and run by scripts/fuzz.sh (swiftc -sanitize=fuzzer,address); not part of the package.
import Foundation
import Policy
import Reviews

/// What every accepted request promises: one-line fields without control characters, narratives
/// without terminal controls, both within the limits; a job id that is not a path.
func checkAccepted(lines: [String], narratives: [String?], job: String) {
    precondition(!job.isEmpty && !job.contains("/"), "job \(job.debugDescription) accepted")
    for line in lines {
        precondition(line.count <= RequestFields.maximumLineLength, "a one-line field of \(line.count) characters accepted")
        precondition(TextSafety.firstForbidden(in: line, singleLine: true) == nil, "control character in \(line.debugDescription)")
    }
    for case let narrative? in narratives {
        precondition(narrative.count <= RequestFields.maximumNarrativeLength, "a narrative of \(narrative.count) characters accepted")
        precondition(TextSafety.firstForbidden(in: narrative, singleLine: false) == nil,
                     "control character in \(narrative.debugDescription)")
    }
}

/// An accepted request written again and parsed back is the same request, with the same key.
func roundTrip<Request: DropBoxRequest & Equatable>(_ request: Request, _ parse: ([UInt8]) throws -> Request) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(request) else { preconditionFailure("an accepted request does not encode") }
    guard let again = try? parse(Array(data)) else { preconditionFailure("an accepted request, written again, is refused") }
    precondition(again == request, "round trip changed the request")
    precondition(RequestKey(again, name: "n", owner: 1) == RequestKey(request, name: "n", owner: 1), "unstable key")
    precondition(RequestKey(request, name: "n", owner: 1) != RequestKey(request, name: "n", owner: 2), "owner not in the key")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequests(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let r = try? ReviewRequest.parse(bytes) {
        checkAccepted(lines: [r.job, r.examiner, r.candidate], narratives: [r.note], job: r.job)
        roundTrip(r, ReviewRequest.parse)
    }
    if let r = try? ApprovalRequest.parse(bytes) {
        checkAccepted(lines: [r.job, r.supervisor], narratives: [r.note], job: r.job)
        roundTrip(r, ApprovalRequest.parse)
    }
    if let r = try? ResolutionRequest.parse(bytes) {
        checkAccepted(lines: [r.job, r.supervisor, r.candidate], narratives: [r.note], job: r.job)
        precondition(PolicyText.visibleLength(r.note) > 0, "an invisible resolution note accepted")
        roundTrip(r, ResolutionRequest.parse)
    }
    if let r = try? OutcomeRequest.parse(bytes) {
        checkAccepted(lines: [r.job, r.recordedBy, r.candidate], narratives: [r.corroboration], job: r.job)
        roundTrip(r, OutcomeRequest.parse)
    }
    return 0
}
