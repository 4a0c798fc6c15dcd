import Foundation
import Glibc
import SystemCalls

/// The daemon's answer to one drop-box request (a review, an approval, a resolution, an outcome,
/// an administrative request): accepted or refused, with reason codes and a sentence, for the
/// person who dropped it to read in `frs status` (or to wait for with `--wait`).
public struct RequestAnswer: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// The request took effect (or had taken effect before: a request met again after a crash).
        case accepted
        /// The request was refused; nothing of it took effect.
        case refused
    }

    /// The request file's name as dropped (`<job>-<random>.<kind>`).
    public var request: String
    /// What the request was (`review`, `approval`, `resolution`, `outcome`, `admin`).
    public var kind: String
    /// The job it was about, when it names one.
    public var job: String?
    /// The account that dropped it (the file's owner): the only one that can read this answer.
    public var uid: UInt32
    public var state: State
    /// Reason codes of a refusal.
    public var reasons: [String]
    /// What happened, in a sentence (at most ``maximumMessageCharacters`` characters).
    public var message: String
    /// When the daemon answered (ISO 8601, UTC).
    public var answered: String
    /// What an administrative request printed (a list, a review), at most ``maximumOutputLines`` lines.
    public var output: [String]?

    /// Longer messages are cut (with a note of how much): an answer is bounded whatever the request held.
    public static let maximumMessageCharacters = 2_000
    /// Longer output is cut, with a last line saying how much was left out.
    public static let maximumOutputLines = 20_000

    public init(request: String, kind: String, job: String?, uid: UInt32, state: State, reasons: [String] = [],
                message: String, answered: Date, output: [String]? = nil) {
        self.request = request
        self.kind = kind
        self.job = job
        self.uid = uid
        self.state = state
        self.reasons = Array(reasons.prefix(32))
        self.message = message.count > Self.maximumMessageCharacters
            ? String(message.prefix(Self.maximumMessageCharacters)) + " … (\(message.count - Self.maximumMessageCharacters) more characters)"
            : message
        self.answered = answered.formatted(.iso8601)
        self.output = output.map { lines in
            lines.count > Self.maximumOutputLines
                ? Array(lines.prefix(Self.maximumOutputLines)) + ["… (\(lines.count - Self.maximumOutputLines) more lines)"]
                : lines
        }
    }
}

/// Where the daemon answers drop-box requests: `outbox/answers/<uid>/<request>.json`.
///
/// Each account's folder is the daemon's, mode 0700, with one ACL entry `user:<uid>:r-x`: that
/// account (and the daemon) can list and read its answers, nobody else can even see which exist.
/// A daemon running as root gives the folder to the account instead. On a filesystem without ACLs a
/// daemon that is not root falls back to mode 0711 (an answer can be read by whoever knows its
/// name, which holds 32 random bits), and logs that it did.
public struct RequestAnswers: Sendable {
    /// `outbox/answers/`.
    public let root: String
    /// Where answers are built before they are renamed into place.
    public let temporaryDirectory: String

    public init(root: String, temporaryDirectory: String) {
        self.root = root
        self.temporaryDirectory = temporaryDirectory
    }

    /// An account's folder of answers.
    public func directory(uid: UInt32) -> String { "\(root)/\(uid)" }
    /// The answer to one request.
    public func file(request: String, uid: UInt32) -> String { "\(directory(uid: uid))/\(request).json" }

    /// Writes an answer into its author's folder (made readable by them alone on first use).
    /// - Returns: `false` when the folder could only be made readable by mode bits (no ACLs).
    /// - Throws: ``SystemCallError``, `EncodingError`.
    @discardableResult
    public func write(_ answer: RequestAnswer) throws -> Bool {
        let private_ = try prepare(uid: answer.uid)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // 0600 and one ACL entry for its reader, like a queued job file (0644 only where there are no ACLs).
        let path = file(request: answer.request, uid: answer.uid)
        try DurableFile.write(Array(try encoder.encode(answer)) + [0x0a], to: path, via: temporaryDirectory,
                              mode: private_ ? 0o600 : 0o644)
        if private_, getuid() == 0 {
            try Accounts.changeOwner(path, uid: answer.uid, gid: nil)
        } else if private_, answer.uid != getuid() {
            try AccessControl.grantOrOpen(path, to: answer.uid, permissions: AccessControl.read, ownerPermissions: 6,
                                          fallbackMode: 0o644)
        }
        return private_
    }

    /// Makes `uid`'s folder of answers if missing: the daemon's, readable by `uid` alone.
    /// - Returns: `false` when only mode bits could make it readable (no ACLs: mode 0711).
    @discardableResult
    public func prepare(uid: UInt32) throws -> Bool {
        let folder = directory(uid: uid)
        guard !FileStatus.exists(folder) else { return true }
        try Directory.create(root, mode: 0o711)
        try Directory.create(folder, mode: 0o700)
        if getuid() == 0 {
            try Accounts.changeOwner(folder, uid: uid, gid: nil)
        } else if uid != getuid() {
            return try AccessControl.grantOrOpen(folder, to: uid, permissions: AccessControl.readSearch,
                                                 ownerPermissions: AccessControl.readWriteSearch, fallbackMode: 0o711)
        }
        return true
    }

    /// The answer to one request of `uid`, if the daemon has given it.
    public func answer(request: String, uid: UInt32) -> RequestAnswer? {
        guard let bytes = try? DurableFile.read(file(request: request, uid: uid), limit: 64 << 20) else { return nil }
        return try? JSONDecoder().decode(RequestAnswer.self, from: Data(bytes))
    }

    /// Every answer given to `uid`, oldest first; what cannot be read is passed over (the folder is
    /// the daemon's: only it writes there).
    public func answers(uid: UInt32) -> [RequestAnswer] {
        guard let names = try? Directory.entries(directory(uid: uid)) else { return [] }
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .compactMap { answer(request: String($0.dropLast(5)), uid: uid) }
            .sorted { ($0.answered, $0.request) < ($1.answered, $1.request) }
    }

    /// Waits up to `seconds` for the answer to `request`, looking every 0.2 s.
    public func wait(request: String, uid: UInt32, seconds: Double) -> RequestAnswer? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let answer = answer(request: request, uid: uid) { return answer }
            guard Date() < deadline else { return nil }
            usleep(200_000)
        }
    }
}
