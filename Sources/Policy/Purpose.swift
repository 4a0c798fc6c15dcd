/// The five authorized uses of MOU section IV. Anything else is `purpose.unauthorized` (V.1).
public enum Purpose: String, Sendable, CaseIterable, Codable {
    /// IV.1: reasonable suspicion that an identifiable individual committed an offense or poses a threat.
    case reasonableSuspicion = "reasonable-suspicion"
    /// IV.2: an active criminal or homeland security investigation.
    case activeInvestigation = "active-investigation"
    /// IV.3: identifying an incapacitated, deceased or at-risk person (missing persons, vulnerable adults, children).
    case incapacitatedOrAtRisk = "incapacitated-or-at-risk"
    /// IV.4: corroborating tips and leads in an investigation.
    case tipsAndLeads = "tips-and-leads"
    /// IV.5: identifying potential witnesses and victims of violent crime.
    case witnessOrVictim = "witness-or-victim"

    /// The MOU section that authorizes this use, e.g. `"IV.2"`.
    public var mouSection: String {
        switch self {
        case .reasonableSuspicion: "IV.1"
        case .activeInvestigation: "IV.2"
        case .incapacitatedOrAtRisk: "IV.3"
        case .tipsAndLeads: "IV.4"
        case .witnessOrVictim: "IV.5"
        }
    }

    /// Whether a case (or report) number is required. All five purposes require one.
    public var requiresCaseNumber: Bool { true }

    /// Whether an offense is required: reasonable suspicion and active investigations name the
    /// offense; witness-or-victim needs one too, and it must be a violent crime.
    public var requiresOffense: Bool {
        switch self {
        case .reasonableSuspicion, .activeInvestigation, .witnessOrVictim: true
        case .incapacitatedOrAtRisk, .tipsAndLeads: false
        }
    }

    /// Whether the offense must be on the policy's violent-crime list.
    public var requiresViolentCrime: Bool { self == .witnessOrVictim }
}
