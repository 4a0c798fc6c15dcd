import Foundation
import Policy
import SystemCalls

/// What of the policy people need to check a request before they hand it over (`frs submit`,
/// `frs outcome`): published by the daemon as `outbox/policy.json` (0644, readable by name; the
/// outbox is the daemon's, so no other account can write or replace it).
///
/// The watch terms are left out: they are a net for a supervisor's attention, not shown to those
/// it should catch. Everything else here is in SPEC.md's policy section anyway.
public struct PublishedPolicy: Codable, Sendable, Equatable {
    /// The fewest visible characters of a justification or a corroboration narrative.
    public var minimumJustificationLength: Int
    /// Whether a lead needs two examiners.
    public var peerReview: Bool
    public var maxProbeBytes: Int
    public var maxProbesPerJob: Int
    public var maxProbesPerDirectory: Int

    public init(_ policy: PolicyConfig) {
        minimumJustificationLength = policy.minimumJustificationLength
        peerReview = policy.peerReview
        maxProbeBytes = policy.maxProbeBytes
        maxProbesPerJob = policy.maxProbesPerJob
        maxProbesPerDirectory = policy.maxProbesPerDirectory
    }

    enum CodingKeys: String, CodingKey {
        case minimumJustificationLength = "minimum_justification_length"
        case peerReview = "peer_review"
        case maxProbeBytes = "max_probe_bytes"
        case maxProbesPerJob = "max_probes_per_job"
        case maxProbesPerDirectory = "max_probes_per_directory"
    }

    /// Writes `outbox/policy.json` when it differs from what is there.
    /// - Throws: ``SystemCallError``, `EncodingError`.
    public func publish(_ layout: SpoolLayout) throws {
        guard Self.read(layout.publishedPolicy) != self else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableFile.write(Array(try encoder.encode(self)) + [0x0a], to: layout.publishedPolicy, via: layout.tmp,
                              mode: 0o644)
    }

    static func read(_ path: String) -> PublishedPolicy? {
        guard let bytes = try? DurableFile.read(path, limit: 64 << 10) else { return nil }
        return try? JSONDecoder().decode(PublishedPolicy.self, from: Data(bytes))
    }

    /// The policy as this account can know it: the policy file itself when it can read `state/`,
    /// else what the daemon published; `nil` when neither is there (no daemon has run yet).
    public static func current(_ layout: SpoolLayout) -> PublishedPolicy? {
        if FileStatus.isAccessible(layout.state, R_OK | X_OK), let policy = try? layout.loadPolicy() { return PublishedPolicy(policy) }
        return read(layout.publishedPolicy)
    }
}

extension SpoolLayout {
    /// The policy's public part (``PublishedPolicy``): `outbox/policy.json`.
    public var publishedPolicy: String { outbox + "/policy.json" }
}
