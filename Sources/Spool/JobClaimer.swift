import Glibc
import SystemCalls

/// A job (or request) file a daemon has claimed: it is in `active/` and this daemon holds it.
///
/// For a regular file, the claimant holds an exclusive `flock` on it from right after the rename
/// into `active/` until the file has left `active/`; a daemon looking for work a dead daemon left
/// behind skips files whose lock it cannot take. A non-regular entry (a symlink, a FIFO, a
/// directory dropped in place of a job), and a regular file the daemon cannot open (mode 000, a
/// lease), cannot be locked; it is handled while the claimant holds the spool's claim lock (see
/// ``JobClaimer``), so it too ends with a result and a final record.
public struct ClaimedJob: Sendable {
    /// The file name in `active/` (`<job>.json` or `<name>.approval`).
    public let name: String
    /// The job id (the name without its extension).
    public let id: String
    /// What kind of file this is.
    public let kind: Kind
    /// The path in `active/`.
    public let path: String
    /// `lstat` of the entry right after the claim.
    public let status: FileStatus
    /// The open, locked descriptor of a regular file; `nil` for other entries.
    public let descriptor: FileDescriptor?
    /// Whether the job was found in `active/` (left by a dead daemon, or after a failed attempt)
    /// rather than claimed from `incoming/`.
    public let recovered: Bool
    /// Why a regular file could not be opened (a mode that excludes the daemon, a lease); its
    /// ``descriptor`` is then `nil` and the job is refused without its contents.
    public var openError: String? = nil
    /// A directory dropped in place of a job by another account, which a daemon that is not root
    /// cannot move out of `incoming/` (moving a directory to another parent needs write permission
    /// on the directory itself). It is renamed within `incoming/` instead, to a hidden name
    /// (`.refused-<inode>-<name>`: one rename, so one daemon wins it; the name is kept so that a
    /// daemon killed before answering it finds it again, ``recoverLeftInPlace(isAnswered:_:)``),
    /// answered there like any non-regular
    /// entry, and left for its owner to remove; ``path`` is that hidden name.
    public var leftInPlace = false
    /// How many files of the same owner and the same sort (job files, or requests) came before this
    /// one in the claimant's listing of `incoming/` (0 for a recovered file): the per-account queue
    /// limits count them.
    public var queuedAhead: Int = 0

    /// The kinds of files in the drop box.
    public enum Kind: Sendable, Equatable, CaseIterable {
        /// A search request, `<job>.json` (JobPipeline.swift).
        case job
        /// A supervisor's approval or rejection of a held job, `<name>.approval` (RequestDesk+Approval.swift).
        case approval
        /// An examiner's disposition on a candidate, `<name>.review` (RequestDesk.swift).
        case review
        /// A supervisor's resolution of a disputed lead, `<name>.resolution`.
        case resolution
        /// What was done with a lead, `<name>.outcome`.
        case outcome
        /// An administrative command run for its author, `admin-<random>.admin` (RequestDesk+Admin.swift).
        case admin
        /// A booking transaction from the booking system's feed, `*.an2`, `*.eft`, `*.ebts` or `*.nist`
        /// (RequestDesk+Booking.swift).
        case booking
        /// The feed's (or an administrator's) request to remove subjects from the gallery, `<name>.removal`.
        case removal
    }

    /// Classifies a drop-box name by its extension (``Kind/suffix``); `nil` for names that are not
    /// requests (temporary names, a submitter's image folder `<job>.d`, a bare extension).
    public static func kind(of name: String) -> (Kind, id: String)? {
        guard !name.hasPrefix(".") else { return nil }
        for kind in Kind.allCases {
            for suffix in kind.suffixes.map({ "." + $0 }) where name.hasSuffix(suffix) && name.count > suffix.count {
                return (kind, String(name.dropLast(suffix.count)))
            }
        }
        return nil
    }
}

/// Claims jobs from `incoming/` and recovers jobs left in `active/`, safely against any number of
/// other claimants in this or other processes.
///
/// The protocol, in Postfix's manner:
/// - **Claim**: holding the spool's claim lock *shared*, rename `incoming/x` → `active/x`. Only one
///   rename can succeed; the loser gets `ENOENT` and moves on. The winner then opens the file
///   (`O_NOFOLLOW`) and takes an exclusive `flock` on it before releasing the claim lock.
/// - **Recover**: holding the claim lock *exclusively* (so no claimant is between its rename and
///   its `flock`), any regular file in `active/` whose `flock` can be taken belongs to no live
///   process: it was left by a dead daemon, or by an attempt that failed. Taking its lock claims it.
/// The kernel drops `flock` locks when a process dies, so a crash never leaves a job stuck.
public struct JobClaimer: Sendable {
    public let layout: SpoolLayout
    /// The per-account limit of the policy (`max_queued_per_account`): files past it are listed
    /// first, so their refusals — cheap — clear a flood before anything else runs.
    public var perAccountLimit: Int

    public init(layout: SpoolLayout, perAccountLimit: Int = .max) {
        self.layout = layout
        self.perAccountLimit = perAccountLimit
    }

    private var claimLock: FileLock { FileLock(path: layout.claimLock) }

    /// Claims the first request in `incoming/` that no one else claims first, and runs `body` on it.
    ///
    /// For a regular file `body` runs after the claim lock is released (holding only the job's own
    /// lock); for a non-regular entry `body` runs under the shared claim lock. The job's descriptor
    /// is closed (its lock released) after `body` returns.
    /// - Returns: whether a request was claimed.
    /// - Throws: ``SystemCallError`` from listing `incoming/` or the claim lock.
    @discardableResult
    public func claimNext(_ body: (ClaimedJob) throws -> Void) throws -> Bool {
        var listing = Listing()
        return try claimNext(from: &listing, body)
    }

    /// A claimant's listing of `incoming/`: the names not yet tried, and for each job file how many
    /// job files of the same owner precede it (from `fstatat` of each entry when listed).
    public struct Listing: Sendable {
        /// Names not yet tried, the next one last.
        var names: [String] = []
        /// Job file name → files of the same owner before it in the listing.
        var queuedAhead: [String: Int] = [:]
        /// Job files whose names are not valid UTF-8: a placeholder in ``names`` (it begins with a
        /// NUL, which no file name can) → the name's bytes.
        var rawNames: [String: [UInt8]] = [:]
        public init() {}
    }

    /// Lists `incoming/`, counting each owner's job files and requests in order, and orders the
    /// names fairly: files past the per-account limit first (they are refused at once), then each
    /// account's first file, then each account's second, … (by name within a round), so one
    /// account's flood of requests or jobs delays only its own.
    func list() throws -> Listing {
        let incoming = try DirectoryDescriptor.open(layout.incoming)
        defer { incoming.close() }
        var names: [String] = []
        var listing = Listing()
        for raw in try incoming.rawEntries() {
            if let name = String(validating: raw, as: UTF8.self) {
                names.append(name)
            } else if raw.count > 5, raw.suffix(5).elementsEqual(".json".utf8) {
                // A job file whose name is not UTF-8: claimed by its bytes, answered as a bad name.
                let placeholder = "\u{0}raw-\(listing.rawNames.count)"
                listing.rawNames[placeholder] = raw
                names.append(placeholder)
            }
        }
        var seen: [UInt32: Int] = [:], requestsSeen: [UInt32: Int] = [:]
        var round: [String: Int] = [:]
        for name in names {
            guard let kind = ClaimedJob.kind(of: name)?.0, let status = try? incoming.status(of: name) else { continue }
            round[name] = seen[status.owner, default: 0] + requestsSeen[status.owner, default: 0]
            if kind == .job {
                listing.queuedAhead[name] = seen[status.owner, default: 0]
                seen[status.owner, default: 0] += 1
            } else {
                listing.queuedAhead[name] = requestsSeen[status.owner, default: 0]
                requestsSeen[status.owner, default: 0] += 1
            }
            if (listing.queuedAhead[name] ?? 0) >= perAccountLimit { round[name] = -1 }
        }
        let fair = names.enumerated().sorted { a, b in
            let (ra, rb) = (round[a.element] ?? 0, round[b.element] ?? 0)
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
        listing.names = fair.reversed()
        return listing
    }

    /// As ``claimNext(_:)``, working through a listing of `incoming/` kept by the caller, so a
    /// worker lists a long queue once rather than once per job. Names claimed by others are
    /// skipped (their rename fails with `ENOENT`); an empty listing is refreshed.
    /// - Parameter listing: the caller's listing, consumed as names are tried.
    /// - Complexity: O(n log n) per listing of n entries, O(1) system calls per name tried.
    @discardableResult
    public func claimNext(from listing: inout Listing, _ body: (ClaimedJob) throws -> Void) throws -> Bool {
        var listedNow = listing.names.isEmpty
        if listedNow { listing = try list() }
        while true {
            guard let name = listing.names.popLast() else {
                // An old listing ran out: look once more, for jobs queued since it was made.
                guard !listedNow else { return false }
                listedNow = true
                listing = try list()
                continue
            }
            let queuedAhead = listing.queuedAhead[name] ?? 0
            let rawName = listing.rawNames[name]
            guard rawName != nil || ClaimedJob.kind(of: name) != nil else { continue }
            let claimed = try claimLock.withLock(.shared) { () throws -> ClaimOutcome in
                var name = name
                do {
                    if let rawName {
                        // Renamed to a UTF-8 name that is no job id (`~`), so it is refused as a bad name.
                        let incoming = try DirectoryDescriptor.open(layout.incoming)
                        defer { incoming.close() }
                        let active = try DirectoryDescriptor.open(layout.active)
                        defer { active.close() }
                        name = "notutf8-\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff)~.json"
                        do {
                            _ = try incoming.move(raw: rawName, to: active, as: name)
                            try active.sync()
                        } catch let error as SystemCallError where error.errno == EACCES || error.errno == EPERM {
                            // Another account's directory (moving it to another parent needs write
                            // permission on it): renamed within incoming/ to a hidden UTF-8 name, which
                            // needs none, and answered there like any directory dropped as a job.
                            let hidden = ".refused-" + name.dropLast(5)
                            _ = try incoming.move(raw: rawName, to: incoming, as: hidden)
                            let path = layout.incoming + "/" + hidden
                            var job = ClaimedJob(name: name, id: String(name.dropLast(5)), kind: .job, path: path,
                                                 status: try FileStatus.of(path), descriptor: nil, recovered: false)
                            job.leftInPlace = true
                            job.queuedAhead = queuedAhead
                            try body(job)
                            return .handled
                        }
                    } else {
                        // Never over a file of the same name in active/ (a job id dropped twice).
                        try DurableFile.renameNoReplace(layout.incoming + "/" + name, to: layout.active + "/" + name)
                    }
                } catch let error as SystemCallError where error.errno == ENOENT {
                    return .lost
                } catch let error as SystemCallError where error.errno == EEXIST {
                    return .lost
                } catch let error as SystemCallError where error.errno == EACCES || error.errno == EPERM {
                    // Another account's directory: answered in place (see ClaimedJob.leftInPlace).
                    let source = layout.incoming + "/" + name
                    guard let (kind, id) = ClaimedJob.kind(of: name), let entry = try? FileStatus.of(source),
                          entry.isDirectory
                    else { throw error }
                    let hidden = layout.incoming + "/" + Self.hiddenName(inode: entry.inode, name: name)
                    do {
                        try DurableFile.renameNoReplace(source, to: hidden)
                    } catch let error as SystemCallError where error.errno == ENOENT || error.errno == EEXIST {
                        return .lost
                    }
                    var job = ClaimedJob(name: name, id: id, kind: kind, path: hidden, status: try FileStatus.of(hidden),
                                         descriptor: nil, recovered: false)
                    job.leftInPlace = true
                    job.queuedAhead = queuedAhead
                    try body(job)
                    return .handled
                }
                guard let (kind, id) = ClaimedJob.kind(of: name) else { return .lost }
                let target = layout.active + "/" + name
                let status = try FileStatus.of(target)
                guard status.isRegularFile else {
                    var job = ClaimedJob(name: name, id: id, kind: kind, path: target, status: status,
                                         descriptor: nil, recovered: false)
                    job.queuedAhead = queuedAhead
                    try body(job)
                    return .handled
                }
                let fd: FileDescriptor
                do {
                    fd = try FileDescriptor.openNoFollow(target)
                } catch {
                    // A file the daemon may not open (mode 000 for a daemon that is not root, a
                    // lease): handled now, under the claim lock, refused without its contents.
                    var job = ClaimedJob(name: name, id: id, kind: kind, path: target, status: status,
                                         descriptor: nil, recovered: false)
                    job.openError = "\(error)"
                    job.queuedAhead = queuedAhead
                    try body(job)
                    return .handled
                }
                // A fresh claim: no one else can hold this lock (recovery is excluded by the claim lock).
                guard try fd.lock(.exclusive, wait: false) else {
                    fd.closeIgnoringErrors()
                    return .lost
                }
                var job = ClaimedJob(name: name, id: id, kind: kind, path: target, status: status,
                                     descriptor: fd, recovered: false)
                job.queuedAhead = queuedAhead
                return .locked(job)
            }
            switch claimed {
            case .lost: continue
            case .handled: return true
            case .locked(let job):
                defer { job.descriptor?.closeIgnoringErrors() }
                try body(job)
                return true
            }
        }
    }

    /// Claims one request left in `active/` by a dead daemon or a failed attempt, and runs `body`
    /// on it (as ``claimNext(_:)``).
    ///
    /// The names are tried in order starting after `previous` (the one this worker recovered last)
    /// and wrapping round, so a file whose attempts keep failing cannot hold up the others: each
    /// recoverable file gets its turn.
    /// - Returns: whether one was found.
    @discardableResult
    public func recoverNext(after previous: String? = nil, _ body: (ClaimedJob) throws -> Void) throws -> Bool {
        var busy = false
        return try recoverNext(after: previous, busy: &busy, body)
    }

    /// As ``recoverNext(after:_:)``, setting `busy` when a file was passed over because someone
    /// holds its lock: another daemon's job in flight, or, for a moment, a child process that
    /// inherited the descriptor between its fork and its exec (`O_CLOEXEC` closes it only at the exec).
    @discardableResult
    public func recoverNext(after previous: String? = nil, busy: inout Bool,
                            _ body: (ClaimedJob) throws -> Void) throws -> Bool {
        busy = false
        var lockedBySomeone = false
        defer { busy = lockedBySomeone }
        let claimed = try claimLock.withLock(.exclusive) { () throws -> ClaimOutcome in
            let names = try Directory.entries(layout.active)
            let rotated = previous.map { last in names.filter { $0 > last } + names.filter { $0 <= last } } ?? names
            for name in rotated {
                guard let (kind, id) = ClaimedJob.kind(of: name) else { continue }
                let path = layout.active + "/" + name
                guard let status = try? FileStatus.of(path) else { continue }
                guard status.isRegularFile else {
                    // Left by a claimant that died while handling it (it held the claim lock).
                    try body(ClaimedJob(name: name, id: id, kind: kind, path: path, status: status,
                                        descriptor: nil, recovered: true))
                    return .handled
                }
                let fd: FileDescriptor
                do {
                    fd = try FileDescriptor.openNoFollow(path)
                } catch {
                    // No one can open it now. A live claimant that opened it before its mode
                    // changed (an owner's fchmod through a kept descriptor) still holds its flock:
                    // leave it to them. Otherwise it is handled here, under the exclusive claim lock.
                    guard !FileLock.isHeld(on: status) else {
                        lockedBySomeone = true
                        continue
                    }
                    var job = ClaimedJob(name: name, id: id, kind: kind, path: path, status: status,
                                         descriptor: nil, recovered: true)
                    job.openError = "\(error)"
                    try body(job)
                    return .handled
                }
                guard try fd.lock(.exclusive, wait: false) else {
                    fd.closeIgnoringErrors()
                    lockedBySomeone = true
                    continue
                }
                // The holder may have finished and moved the file on between our listing and our lock.
                guard let now = try? FileStatus.of(path), now.isSameFile(as: try fd.status()) else {
                    fd.closeIgnoringErrors()
                    continue
                }
                return .locked(ClaimedJob(name: name, id: id, kind: kind, path: path, status: now,
                                          descriptor: fd, recovered: true))
            }
            return .lost
        }
        switch claimed {
        case .lost: return false
        case .handled: return true
        case .locked(let job):
            defer { job.descriptor?.closeIgnoringErrors() }
            try body(job)
            return true
        }
    }

    /// The hidden name a directory of another account is answered under in `incoming/`:
    /// `.refused-<inode>-<name>` (just `.refused-<inode>` for a name too long to keep).
    static func hiddenName(inode: UInt64, name: String) -> String {
        let full = ".refused-\(inode)-\(name)"
        return full.utf8.count <= 250 ? full : ".refused-\(inode)"
    }

    /// Answers a directory that a daemon renamed to its hidden name in `incoming/` but was killed
    /// before answering (no answer on record, `isAnswered(inode, name, owner)` is false): it is
    /// handled under the exclusive claim lock, like any non-regular entry, as left in place.
    /// - Returns: whether one was found.
    @discardableResult
    public func recoverLeftInPlace(isAnswered: (UInt64, String, UInt32) throws -> Bool,
                                   _ body: (ClaimedJob) throws -> Void) throws -> Bool {
        // Listed without the lock (a long queue must not hold up claimants); each name is checked again under it.
        let hiddenNames = try Directory.entries(layout.incoming).filter { $0.hasPrefix(".refused-") }
        guard !hiddenNames.isEmpty else { return false }
        return try claimLock.withLock(.exclusive) { () throws -> Bool in
            for hidden in hiddenNames {
                let rest = hidden.dropFirst(".refused-".count)
                guard let dash = rest.firstIndex(of: "-"), let inode = UInt64(rest[..<dash]) else { continue }
                let name = String(rest[rest.index(after: dash)...])
                let path = layout.incoming + "/" + hidden
                guard let (kind, id) = ClaimedJob.kind(of: name), let status = try? FileStatus.of(path),
                      status.inode == inode, try !isAnswered(inode, name, status.owner)
                else { continue }
                var job = ClaimedJob(name: name, id: id, kind: kind, path: path, status: status, descriptor: nil,
                                     recovered: true)
                job.leftInPlace = true
                try body(job)
                return true
            }
            return false
        }
    }

    private enum ClaimOutcome {
        case lost
        case handled
        case locked(ClaimedJob)
    }
}
