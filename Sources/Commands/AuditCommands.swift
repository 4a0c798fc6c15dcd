import Audit
import Foundation

/// `frs audit verify`: checks the audit log's hash chain.
public struct AuditVerifyCommand: Subcommand {
    public static let words = ["audit", "verify"]
    public static let abstract = "check the audit log's hash chain; exit 1 with the first bad file:line"
    public static let usage = "audit verify [--dir DIR]"
    public static let help = "  --dir DIR       the audit directory (default: <spool>/outbox/audit)"

    /// An explicit audit directory, instead of the spool's.
    public var directory: String?

    public init(arguments: inout ArgumentList) throws(UsageError) {
        directory = try arguments.option("--dir")
    }

    /// The directory verified: `--dir`, else `<spool>/outbox/audit`.
    public func auditDirectory(_ context: CommandContext) -> String {
        directory ?? (context.spool.hasSuffix("/") ? context.spool : context.spool + "/") + "outbox/audit"
    }

    public func run(_ context: CommandContext) throws -> Int32 {
        let dir = auditDirectory(context)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            context.err("frs: no audit directory at \(dir)")
            return 1
        }
        let result = AuditVerifier.verify(directory: dir)
        if let failure = result.failure {
            context.out("\(dir)/\(failure.file):\(failure.line): \(failure.message)")
            return 1
        }
        context.out("ok: \(result.records) records in \(result.files) files; head \(result.head ?? AuditRecord.genesis)")
        return 0
    }
}
