/// Whether an authorized individual's access is in force.
public enum RequesterStatus: String, Sendable, CaseIterable, Codable {
    /// Access in force.
    case active
    /// Access paused (may be reinstated).
    case suspended
    /// Access withdrawn for good.
    case revoked
}
