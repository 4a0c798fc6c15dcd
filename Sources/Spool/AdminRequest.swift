import Policy
import Foundation
import Reviews

/// An administrative command handed to the daemon through the drop box by an account that cannot
/// open the spool's database itself: a registered administrator, agency administrator, auditor or
/// supervisor on their own account (`admin-<random>.admin`).
///
/// The daemon authenticates it by the file's owner uid and runs the command as that uid (the
/// command's own rules decide what that person may do, ``Administration/Authority``); the command's
/// output, or its refusal, is the answer (``RequestAnswer/output``). Only commands that touch
/// nothing outside the spool may come this way: the command line names them
/// (`AdministrativeCommand.runsFromDropBox`), and global options (`--spool`, `--models`) are refused.
public struct AdminRequest: DropBoxRequest, Equatable {
    public static let kind = "admin"
    /// The largest request file read.
    public static let maximumFileBytes = 64 << 10
    /// Most arguments, and longest argument, a request may carry.
    public static let maximumArguments = 64
    public static let maximumArgumentBytes = 4096

    public var version: Int
    /// The command line after `frs`, e.g. `["user", "add", "jdoe", "--agency", "CPD", …]`.
    public var arguments: [String]

    /// Requests are named `admin-<random>.admin`.
    public var job: String { "admin" }

    public init(arguments: [String]) {
        version = 1
        self.arguments = arguments
    }

    enum CodingKeys: String, CodingKey { case version, arguments }

    /// Parses a request file.
    /// - Throws: `DecodingError` when it is not such a request, or carries too many, too long,
    ///   control-character or global-option arguments.
    public static func parse(_ bytes: [UInt8]) throws -> AdminRequest {
        let request = try StrictJSON.decode(AdminRequest.self, from: bytes)
        func refuse(_ why: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: why))
        }
        guard request.version == 1, !request.arguments.isEmpty else { throw refuse("not a version 1 administrative request") }
        guard request.arguments.count <= maximumArguments,
              request.arguments.allSatisfy({ $0.utf8.count <= maximumArgumentBytes })
        else { throw refuse("more than \(maximumArguments) arguments, or one longer than \(maximumArgumentBytes) bytes") }
        guard !request.arguments.contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) } })
        else { throw refuse("an argument holds a control character") }
        let global = ["--spool", "--models"]
        guard !request.arguments.contains(where: { arg in global.contains { arg == $0 || arg.hasPrefix($0 + "=") } }) else {
            throw refuse("--spool and --models cannot be given to the daemon: it works on its own spool")
        }
        return request
    }
}

/// Runs an administrative request for the account that dropped it: given the arguments, the
/// account's uid and the request's name, returns the exit status and the command's output. The
/// command line provides it (`frs daemon`); a daemon without one refuses administrative requests.
public typealias AdministrativeRunner = @Sendable (_ arguments: [String], _ uid: UInt32, _ request: String)
    -> (status: Int32, output: [String])
