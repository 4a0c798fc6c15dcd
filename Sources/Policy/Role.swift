/// What an authorized individual does, and so what they may do.
///
/// Derived from the MOU's separation of duties: searching is for the people who work cases;
/// auditors read the audit log but never search (they check use, they do not make it);
/// administrators manage people, agencies and the gallery but do not search either, so that the
/// accounts that can change who is authorized are not also the ones using the system.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Submits searches for cases.
    case analyst
    /// Submits searches and records dispositions on candidate lists.
    case examiner
    /// Submits searches, reviews, and approves or rejects held requests.
    case supervisor
    /// Reads and verifies the audit log and its reports; cannot search.
    case auditor
    /// Manages agencies, users and the gallery; cannot search. Regional: belongs to no agency.
    case admin
    /// An agency's Terminal Agency Coordinator (CJIS Security Policy): adds, suspends, reinstates and
    /// revokes the people of their own agency and records their vetting and training; cannot search,
    /// touch another agency, change their own entry, or create administrators.
    case agencyAdmin = "agency-admin"
    /// The booking system's nightly feed: drops booking transactions (ANSI/NIST-ITL) and removal
    /// requests into the drop box, which the daemon imports into (or removes from) the gallery.
    /// Regional; cannot search, review or administer people.
    case bookingFeed = "booking-feed"

    /// May submit face searches.
    public var canSearch: Bool {
        switch self {
        case .analyst, .examiner, .supervisor: true
        case .auditor, .admin, .agencyAdmin, .bookingFeed: false
        }
    }

    /// May record an examiner's disposition on a candidate list.
    public var canReview: Bool {
        switch self {
        case .examiner, .supervisor: true
        case .analyst, .auditor, .admin, .agencyAdmin, .bookingFeed: false
        }
    }

    /// May approve or reject a request held for review.
    public var canApprove: Bool { self == .supervisor }

    /// May manage agencies, users and the gallery.
    public var canAdminister: Bool { self == .admin }

    /// Regional: serves every agency and is registered without one (administrators, auditors).
    public var isRegional: Bool { self == .admin || self == .auditor || self == .bookingFeed }

    /// May manage the people of their own agency (an agency administrator), or of every agency.
    public var canManagePeople: Bool { self == .admin || self == .agencyAdmin }

    /// May read audit reports.
    public var canAudit: Bool { self == .auditor || self == .admin || self == .supervisor }
}
