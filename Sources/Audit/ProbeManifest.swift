import Hashing
import SystemCalls

/// The SHA-256 of every probe a bulk job searched, kept beside the audit log.
///
/// A bulk job's result keeps its probe records in `outbox/results/<job>.jsonl`, which retention
/// purges. So that the audit trail keeps showing what was searched, the final record of a bulk job
/// names a manifest in the audit directory, `probes-<job>.sha256` (`details.probe_manifest`), one
/// `<sha256>  <probe>` line per probe record (`-` for a probe that could not be read), and carries
/// the manifest's own SHA-256 (`details.probe_manifest_sha256`). The record is in the hash chain,
/// so the manifest cannot be changed without `frs audit verify` saying so; the audit directory is
/// never purged (Administration/RetentionPurge.swift does not look into it).
public enum ProbeManifest {
    /// The detail keys of the final record.
    public static let nameKey = "probe_manifest"
    public static let hashKey = "probe_manifest_sha256"

    /// The manifest's file name for `job`.
    public static func fileName(job: String) -> String { "probes-\(job).sha256" }

    /// The manifest's bytes: one `<sha256>  <probe>` line per record, in the records' order.
    public static func bytes(_ probes: [(image: String, sha256: String?)]) -> [UInt8] {
        Array(probes.map { "\($0.sha256 ?? "-")  \($0.image)\n" }.joined().utf8)
    }

    /// Why the manifest `event` names does not match it, or `nil` (also when it names none).
    public static func check(_ event: AuditEvent, directory: String) -> String? {
        guard let name = event.details[nameKey] else { return nil }
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            return "the probe manifest \"\(name)\" is not a file name in the audit directory"
        }
        guard let expected = event.details[hashKey] else { return "the record names \(name) without its SHA-256" }
        let bytes: [UInt8]
        do {
            bytes = try DurableFile.read(directory + "/" + name, limit: 1 << 30)
        } catch {
            return "the probe manifest \(name) of job \(event.job ?? "?") cannot be read (\(error.message)): it was removed"
        }
        guard SHA256.hex(bytes) == expected else {
            return "the probe manifest \(name) of job \(event.job ?? "?") is not the file the record names (SHA-256 differs): it was changed"
        }
        return nil
    }
}
