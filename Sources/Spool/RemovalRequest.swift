import Policy
import Foundation
import Reviews

/// The booking system's request to remove subjects from the gallery for a legal reason (an
/// expungement, a dismissal, an acquittal), dropped by the feed account (or an administrator) as
/// `<name>.removal`; it works like `frs gallery remove` for each subject.
public struct RemovalRequest: DropBoxRequest, Equatable {
    public static let kind = "removal"
    public static let maximumFileBytes = 256 << 10
    /// Most subjects one request may name.
    public static let maximumSubjects = 1_000

    /// The legal reasons a subject leaves the gallery.
    public enum Reason: String, Codable, Sendable, CaseIterable {
        case expungement, dismissal, acquittal
    }

    public var version: Int
    /// The gallery subject ids (`sid:…`, `ucn:…`, `tcn:…` for imported bookings).
    public var subjects: [String]
    public var reason: Reason
    /// The order or case that requires it (e.g. the court's order number).
    public var reference: String

    /// Requests are named `removal-<random>.removal`.
    public var job: String { "removal" }

    public init(subjects: [String], reason: Reason, reference: String) {
        version = 1
        self.subjects = subjects
        self.reason = reason
        self.reference = reference
    }

    enum CodingKeys: String, CodingKey { case version, subjects, reason, reference }

    /// The reason as recorded with each removal: `expungement: <reference>`.
    public var recordedReason: String { "\(reason.rawValue): \(reference)" }

    /// Parses a request file.
    /// - Throws: `DecodingError` when it is not such a request, or names no subject or too many.
    public static func parse(_ bytes: [UInt8]) throws -> RemovalRequest {
        let request = try StrictJSON.decode(RemovalRequest.self, from: bytes)
        guard request.version == 1, !request.subjects.isEmpty, request.subjects.count <= maximumSubjects,
              request.subjects.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 256 }),
              !request.reference.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, request.reference.count <= 1_000
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: """
                not a version 1 removal request (1 to \(maximumSubjects) subjects, a reason of \
                \(Reason.allCases.map(\.rawValue).joined(separator: ", ")), a reference)
                """))
        }
        return request
    }
}

/// What the daemon hands the gallery for the booking feed: a transaction's bytes and its file
/// name, or a removal request, with the uid that dropped it.
public enum FeedRequest: Sendable {
    case transaction(bytes: [UInt8], name: String)
    case removal(RemovalRequest)
}

/// Runs a feed request as the account that dropped it (the command line provides it, with the face
/// engine): accepted or refused, reason codes, a sentence, and the report's lines (JSON).
public typealias FeedRunner = @Sendable (_ request: FeedRequest, _ uid: UInt32)
    -> (accepted: Bool, reasons: [String], message: String, output: [String])

extension RemovalRequest {
    /// Subjects and the reference are one-line text (``Policy/TextSafety``).
    /// - Throws: ``Reviews/RequestFieldError`` naming the field.
    public func checkFields() throws(RequestFieldError) {
        for (i, subject) in subjects.enumerated() {
            if let problem = TextSafety.problem(field: "subject \(i + 1)", subject, singleLine: true) {
                throw RequestFieldError(message: problem)
            }
        }
        if let problem = TextSafety.problem(field: "reference", reference, singleLine: true) {
            throw RequestFieldError(message: problem)
        }
    }
}
