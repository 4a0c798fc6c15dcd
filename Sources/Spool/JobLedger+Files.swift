import Foundation
import Store

/// What the ledger knows about the file behind each job id: which inode first used the id (the
/// id is that file's forever), the owner uid, the agency the job's evidence belongs to, and the
/// private copy of a held job.
extension JobLedger {
    /// Binds `job` to the file with `inode`, unless another file has it.
    ///
    /// The first file to use an id keeps it: its result, ledger row and audit records are never
    /// touched by a later file of the same name, which must answer under another id
    /// (``JobID/duplicate(of:inode:attempt:)``). A job met again (recovered, released from `held/`)
    /// is the same inode, so it binds again. An id in the `jobs` table from before this table
    /// existed counts as used once that job is finished; an unfinished one adopts the file.
    /// - Returns: whether `job` is (now) this file's id.
    public func bind(_ job: String, inode: UInt64, owner: UInt32, name: String, now: Date) throws -> Bool {
        try database.transaction {
            let rows = try database.query("SELECT inode FROM job_files WHERE id = ?", [.text(job)])
            if let row = rows.first { return UInt64(bitPattern: row.int(0) ?? -1) == inode }
            if let legacy = try entry(job), legacy.state == .finished { return false }
            try database.query(
                "INSERT INTO job_files (id, inode, owner, name, first_seen) VALUES (?, ?, ?, ?, ?)",
                [.text(job), .integer(Int64(bitPattern: inode)), .integer(Int64(owner)), .text(name),
                 .text(Registry.timestamp(now))])
            return true
        }
    }

    /// The ids bound to the file with `inode`, owner and drop-box name (a file met again after a
    /// failed attempt finds the id it answered under, even one drawn at random).
    public func ids(boundTo inode: UInt64, owner: UInt32, name: String) throws -> [String] {
        try database.query("SELECT id FROM job_files WHERE inode = ? AND owner = ? AND name = ? ORDER BY first_seen, id",
                           [.integer(Int64(bitPattern: inode)), .integer(Int64(owner)), .text(name)]).compactMap { $0.text(0) }
    }

    /// Records the agency of a job's authenticated requester: `evidence/<job>/` is that agency's.
    public func setAgency(_ job: String, _ agency: String) throws {
        try database.query("UPDATE job_files SET agency = ? WHERE id = ?", [.text(agency), .text(job)])
    }

    /// Records the hash of the private copy taken when the job was held.
    public func setHeldCopy(_ job: String, sha256: String) throws {
        try database.query("UPDATE job_files SET held_sha256 = ? WHERE id = ?", [.text(sha256), .text(job)])
    }

    /// Records that the job's dropped images were taken into its evidence folder.
    public func markTakenIn(_ job: String) throws {
        try database.query("UPDATE job_files SET taken_in = 1 WHERE id = ?", [.text(job)])
    }

    /// Jobs of files owned by `owner` that wait in `held/`.
    public func heldCount(owner: UInt32) throws -> Int {
        let rows = try database.query(
            "SELECT COUNT(*) FROM job_files f JOIN jobs j ON j.id = f.id WHERE f.owner = ? AND j.state = 'held'",
            [.integer(Int64(owner))])
        return Int(rows.first?.int(0) ?? 0)
    }

    /// The file record of `job`, if the id was bound.
    public func file(_ job: String) throws -> JobFileRecord? {
        try database.query(
            "SELECT id, inode, owner, name, agency, held_sha256, taken_in FROM job_files WHERE id = ?", [.text(job)]
        ).first.map { row in
            JobFileRecord(job: row.text(0) ?? "", inode: UInt64(bitPattern: row.int(1) ?? -1),
                          owner: UInt32(truncatingIfNeeded: row.int(2) ?? -1), name: row.text(3) ?? "",
                          agency: row.text(4), heldSHA256: row.text(5), takenIn: (row.int(6) ?? 0) != 0)
        }
    }
}

/// One job id's file, as bound in the ledger.
public struct JobFileRecord: Sendable, Equatable {
    public var job: String
    /// The inode of the file that first used the id.
    public var inode: UInt64
    /// That file's owner.
    public var owner: UInt32
    /// Its name in the drop box.
    public var name: String
    /// The agency of the authenticated requester, once known: `evidence/<job>/` belongs to it.
    public var agency: String?
    /// SHA-256 of the private copy of the job file taken when the job was held.
    public var heldSHA256: String?
    /// Whether the images dropped with the job were taken into `evidence/<job>/`.
    public var takenIn: Bool
}

extension JobLedger {
    /// Finished jobs whose requester was established (their agency recorded): the jobs that have a
    /// record on a status board, or should.
    public func finishedWithAgency() throws -> [JobFileRecord] {
        try database.query(
            """
            SELECT f.id, f.owner, f.agency FROM job_files f JOIN jobs j ON j.id = f.id
            WHERE j.state = 'finished' AND f.agency IS NOT NULL ORDER BY f.id
            """
        ).map { row in
            JobFileRecord(job: row.text(0) ?? "", inode: 0, owner: UInt32(truncatingIfNeeded: row.int(1) ?? -1), name: "",
                          agency: row.text(2), heldSHA256: nil, takenIn: false)
        }
    }
}
