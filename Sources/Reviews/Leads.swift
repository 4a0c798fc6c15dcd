import Foundation
import Results
import Store

/// Reads the leads of a job: each face's candidates with their reviews, resolution, outcomes
/// and state (``LeadState``).
public struct Leads {
    public let results: ResultFiles
    let reviews: ReviewLog
    let log: LeadLog
    /// Whether two examiners are needed (the policy's `peer_review`).
    public let peerReview: Bool

    /// - Throws: `DatabaseError` when the tables cannot be created.
    public init(results: ResultFiles, database: Database, peerReview: Bool) throws {
        self.results = results
        reviews = try ReviewLog(database: database)
        log = try LeadLog(database: database)
        self.peerReview = peerReview
    }

    /// Every lead of `job`: each candidate of each face of its result (by face number, then rank),
    /// then any reviewed lead the result does not list. A job without a readable result gives its
    /// reviewed leads only.
    /// - Throws: `DatabaseError`.
    public func leadStatus(job: String) throws -> [LeadState] {
        let faces: ResultFaces? = (try? results.result(job)).flatMap { $0 }.flatMap { result in
            (try? results.probes(of: result)).map(ResultFaces.init)
        }
        return try leads(job: job, faces: faces)
    }

    /// The leads of `job` given its numbered faces (`nil`: only reviewed leads).
    /// - Throws: `DatabaseError`.
    public func leads(job: String, faces: ResultFaces?) throws -> [LeadState] {
        let allReviews = try reviews.reviews(job: job)
        let resolutions = try log.resolutions(job: job)
        let outcomes = try log.outcomes(job: job)
        func key(_ face: Int, _ candidate: String) -> String { "\(face)\u{0}\(candidate)" }
        var order: [(face: Int, candidate: String, rank: Int?)] = []
        var listed = Set<String>()
        for numbered in faces?.faces ?? [] {
            for candidate in numbered.face.candidates.sorted(by: { $0.rank < $1.rank })
            where listed.insert(key(numbered.number, candidate.subject)).inserted {
                order.append((numbered.number, candidate.subject, candidate.rank))
            }
        }
        let extra = (allReviews.map { ($0.face, $0.candidate) } + resolutions.map { ($0.face, $0.candidate) }
                     + outcomes.map { ($0.face, $0.candidate) })
            .filter { listed.insert(key($0.0, $0.1)).inserted }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        order += extra.map { ($0.0, $0.1, nil) }
        let reviewsByLead = Dictionary(grouping: allReviews) { key($0.face, $0.candidate) }
        let resolutionByLead = Dictionary(grouping: resolutions) { key($0.face, $0.candidate) }
        let outcomesByLead = Dictionary(grouping: outcomes) { key($0.face, $0.candidate) }
        return order.map { lead in
            let k = key(lead.face, lead.candidate)
            return LeadState(face: lead.face, candidate: lead.candidate, rank: lead.rank,
                             reviews: reviewsByLead[k] ?? [], resolution: resolutionByLead[k]?.first,
                             outcomes: outcomesByLead[k] ?? [], peerReview: peerReview)
        }
    }

    /// One lead of `job`, whether or not it was reviewed.
    /// - Throws: `DatabaseError`.
    public func lead(job: String, face: Int, candidate: String) throws -> LeadState {
        let reviews = try reviews.reviews(job: job).filter { $0.face == face && $0.candidate == candidate }
        let resolution = try log.resolutions(job: job).first { $0.face == face && $0.candidate == candidate }
        let outcomes = try log.outcomes(job: job).filter { $0.face == face && $0.candidate == candidate }
        return LeadState(face: face, candidate: candidate, reviews: reviews, resolution: resolution,
                         outcomes: outcomes, peerReview: peerReview)
    }
}
