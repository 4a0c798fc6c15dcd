import Basics
import Foundation

/// A law enforcement agency with access under the MOU.
public struct Agency: Sendable, Codable, Equatable {
    /// The agency's short code, e.g. `"SCPD"`.
    public var code: String
    /// The agency's name.
    public var name: String
    /// The date of a written termination notice (IX.B), if one was given.
    public var terminationNotice: Date?

    /// Days between a termination notice and the end of access (MOU IX.B).
    public static let terminationNoticeDays = 30

    public init(code: String, name: String, terminationNotice: Date? = nil) {
        self.code = code
        self.name = name
        self.terminationNotice = terminationNotice
    }

    /// Whether access has ended at `date`.
    ///
    /// Termination takes effect 30 days after the written notice (IX.B), counted in UTC calendar
    /// days: with notice on day D, requests up to and including day D+29 still run; from day D+30
    /// on they are denied.
    public func isTerminated(at date: Date) -> Bool {
        guard let notice = terminationNotice else { return false }
        return UTCDay.number(of: date) - UTCDay.number(of: notice) >= Agency.terminationNoticeDays
    }

    /// The first UTC day on which access has ended, if a notice was given.
    public var terminationEffective: Date? {
        guard let notice = terminationNotice else { return nil }
        return UTCDay.start(ofDay: UTCDay.number(of: notice) + Agency.terminationNoticeDays)
    }
}
