import Glibc
import Policy
import SystemCalls

/// The evidence store (`evidence/`): probe images by job, and the only place probes are read from.
///
/// A probe path from a job file is untrusted. ``resolve(_:)`` accepts it only when it names a
/// regular file inside the store: no `..` component at all, an absolute path only under the
/// store, and the canonical path (symlinks resolved) still inside the canonical store, so a
/// symlink cannot lead out of it.
public struct EvidenceStore: Sendable {
    /// The store's directory as configured.
    public let root: String
    /// The largest probe image accepted, in bytes.
    public var maximumProbeBytes: Int

    public init(root: String, maximumProbeBytes: Int = 50 << 20) {
        self.root = root
        self.maximumProbeBytes = maximumProbeBytes
    }

    /// Resolves a probe path from a job file to the canonical path of a file in the store.
    ///
    /// - Parameter probe: relative to the store, or absolute inside it.
    /// - Returns: the canonical absolute path.
    /// - Throws: ``ProbeRejection`` with `input.probe-outside-evidence` (a `..`, an absolute path
    ///   elsewhere, a symlink out of the store) or `input.probe-missing` (no such file, or not a
    ///   regular file).
    public func resolve(_ probe: String) throws(ProbeRejection) -> String {
        let relative = try relativePath(probe)
        let canonicalRoot: String
        do {
            canonicalRoot = try Directory.canonicalPath(root)
        } catch {
            throw ProbeRejection(code: .inputProbeMissing, probe: probe, message: "the evidence store is missing: \(error)")
        }
        let canonical: String
        do {
            canonical = try Directory.canonicalPath(canonicalRoot + "/" + relative)
        } catch {
            throw ProbeRejection(code: .inputProbeMissing, probe: probe, message: "no such probe in the evidence store")
        }
        guard canonical.hasPrefix(canonicalRoot + "/") else {
            throw ProbeRejection(code: .inputProbeOutsideEvidence, probe: probe,
                                 message: "the probe resolves outside the evidence store (a symbolic link?)")
        }
        return canonical
    }

    /// The file that marks `evidence/<job>/` as made for that job (by `frs submit` or the daemon's
    /// take-in); hidden, so never a probe.
    public static let ownerMarker = ".frs-job"

    /// The evidence folder a probe path names: its first component relative to the store.
    /// - Throws: ``ProbeRejection`` as ``resolve(_:)`` for a path that leaves the store.
    public func topFolder(of probe: String) throws(ProbeRejection) -> String {
        let relative = try relativePath(probe)
        return String(relative.split(separator: "/").first ?? "")
    }

    /// The evidence folder a canonical path (from ``resolve(_:)``) lies in; `nil` if outside the store.
    public func topFolder(ofCanonical path: String) -> String? {
        guard let canonicalRoot = try? Directory.canonicalPath(root), path.hasPrefix(canonicalRoot + "/") else { return nil }
        return path.dropFirst(canonicalRoot.count + 1).split(separator: "/").first.map(String.init)
    }

    /// The probe path relative to the store, checked lexically.
    func relativePath(_ probe: String) throws(ProbeRejection) -> String {
        guard !probe.isEmpty, !probe.utf8.contains(0) else {
            throw ProbeRejection(code: .inputProbeMissing, probe: probe, message: "empty probe path")
        }
        var path = Substring(probe)
        if probe.hasPrefix("/") {
            var prefixes = [root]
            if let canonicalRoot = try? Directory.canonicalPath(root) { prefixes.append(canonicalRoot) }
            guard let prefix = prefixes.first(where: { probe.hasPrefix($0 + "/") }) else {
                throw ProbeRejection(code: .inputProbeOutsideEvidence, probe: probe,
                                     message: "an absolute probe path must lie inside the evidence store")
            }
            path = probe.dropFirst(prefix.count + 1)
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty else {
            throw ProbeRejection(code: .inputProbeMissing, probe: probe, message: "the probe path names no file")
        }
        if components.contains("..") {
            throw ProbeRejection(code: .inputProbeOutsideEvidence, probe: probe,
                                 message: "a probe path may not contain '..'")
        }
        return components.filter { $0 != "." }.joined(separator: "/")
    }

    /// Reads a resolved probe: opened without following symlinks, checked to be a regular file
    /// no larger than ``maximumProbeBytes``.
    /// - Throws: ``ProbeRejection`` (`input.probe-missing`, `input.probe-too-large`).
    public func read(canonicalPath: String, probe: String) throws(ProbeRejection) -> [UInt8] {
        do {
            let fd = try FileDescriptor.openNoFollow(canonicalPath)
            defer { fd.closeIgnoringErrors() }
            let status = try fd.status()
            guard status.isRegularFile else {
                throw ProbeRejection(code: .inputProbeMissing, probe: probe, message: "the probe is not a regular file")
            }
            guard status.size <= Int64(maximumProbeBytes) else {
                throw ProbeRejection(code: .inputProbeTooLarge, probe: probe,
                                     message: "the probe is \(status.size) bytes; the limit is \(maximumProbeBytes)")
            }
            return try fd.readAll(limit: maximumProbeBytes)
        } catch let error as ProbeRejection {
            throw error
        } catch let error as SystemCallError where error.errno == EFBIG {
            throw ProbeRejection(code: .inputProbeTooLarge, probe: probe, message: "the probe grew past \(maximumProbeBytes) bytes")
        } catch {
            throw ProbeRejection(code: .inputProbeMissing, probe: probe, message: "cannot read the probe: \(error)")
        }
    }

    /// The entries of a probe folder (a bulk job's `probe_dir`), as probe paths relative to the
    /// store, sorted; hidden entries and subfolders are skipped. Symlinks and special files are
    /// listed: each becomes a probe whose resolution or read fails with its reason, never a probe
    /// that silently vanishes.
    /// - Throws: ``ProbeRejection`` as ``resolve(_:)``.
    public func probes(inFolder folder: String) throws(ProbeRejection) -> [String] {
        let relative = try relativePath(folder)
        let canonical = try resolve(folder)
        guard let names = try? Directory.entries(canonical) else {
            throw ProbeRejection(code: .inputProbeMissing, probe: folder, message: "the probe folder cannot be listed")
        }
        return names.filter { !$0.hasPrefix(".") }
            .filter { (try? FileStatus.of(canonical + "/" + $0).isDirectory) != true }
            .map { relative + "/" + $0 }
    }
}

/// A probe path or file the store refuses, with the reason code for the denial.
public struct ProbeRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reason code (`input.probe-*`).
    public var code: ReasonCode
    /// The probe as the job named it.
    public var probe: String
    /// What is wrong.
    public var message: String

    public init(code: ReasonCode, probe: String, message: String) {
        self.code = code
        self.probe = probe
        self.message = message
    }

    public var description: String { "\(probe): \(message)" }
}
