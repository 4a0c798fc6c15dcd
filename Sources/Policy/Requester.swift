import Foundation

/// An authorized individual (MOU III.B): vetted and trained, registered to one agency and bound to
/// one OS account.
public struct Requester: Sendable, Codable, Equatable {
    /// The requester's id as used in job files, e.g. `"jdoe"`.
    public var id: String
    /// The person's name.
    public var name: String
    /// The code of the agency the requester belongs to.
    public var agency: String
    /// What the requester does.
    public var role: Role
    /// The OS account (uid) that owns the requester's job files.
    public var uid: UInt32
    /// Whether access is in force.
    public var status: RequesterStatus
    /// When the requester was vetted and approved by the agency; `nil` if never.
    public var vetted: Date?
    /// When the requester last completed training; `nil` if never.
    public var trained: Date?

    public init(
        id: String, name: String, agency: String, role: Role, uid: UInt32,
        status: RequesterStatus = .active, vetted: Date?, trained: Date?
    ) {
        self.id = id
        self.name = name
        self.agency = agency
        self.role = role
        self.uid = uid
        self.status = status
        self.vetted = vetted
        self.trained = trained
    }
}
