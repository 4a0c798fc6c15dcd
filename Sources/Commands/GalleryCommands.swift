import Administration
import Foundation
import Glibc
import Spool
import Store
import SystemCalls

/// Where the gallery's database lives: the spool's database (``Spool/SpoolLayout/database``).
enum GalleryDatabase {
    static func path(_ context: CommandContext) -> String { SpoolLayout(root: context.spool).database }

    /// Opens the gallery store of an initialized spool.
    /// - Throws: `GalleryCommandError` when the spool has no database yet.
    static func open(_ context: CommandContext) throws -> GalleryStore {
        let path = path(context)
        do {
            _ = try FileStatus.of(path)
        } catch where error.errno == EACCES {
            throw GalleryCommandError(message: "permission denied on \(path): the spool's database is the service "
                                      + "account's; run this as root or as the spool's owner (uid \(getuid()) cannot read it)")
        } catch {
            throw GalleryCommandError(message: "no database at \(path); run 'frs init' first (or pass --spool)")
        }
        return try GalleryStore(database: try Database(path: path))
    }
}

/// A gallery command failed for a reason that is not a usage error.
struct GalleryCommandError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `frs gallery stats`
struct GalleryStatsCommand: AdministrativeCommand {
    static let words = ["gallery", "stats"]
    static let abstract = "subjects, images, faces and the gallery version"
    static let usage = "gallery stats [--json]"
    static let help = "  --json          one JSON object instead of text"

    var json: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        json = arguments.flag("--json")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let stats = try GalleryDatabase.open(context).stats()
        if json {
            context.out("{\"subjects\":\(stats.subjects),\"removed_subjects\":\(stats.removedSubjects),\"images\":\(stats.images),\"faces\":\(stats.faces),\"gallery_version\":\(stats.version)}")
        } else {
            context.out("""
                subjects:         \(stats.subjects)
                removed subjects: \(stats.removedSubjects)
                images:           \(stats.images)
                faces:            \(stats.faces)
                gallery version:  \(stats.version)
                """)
        }
        return 0
    }
}

/// `frs gallery remove SUBJECT --reason TEXT`
struct GalleryRemoveCommand: AdministrativeCommand {
    static let words = ["gallery", "remove"]
    static let abstract = "remove a subject from every later search (expungement, dismissal, acquittal)"
    static let usage = "gallery remove SUBJECT --reason TEXT"
    static let help = """
          --reason TEXT   why (e.g. the expungement order); kept with the removal record

        The subject's faces, images, name and date of birth leave the gallery, and the photos
        'gallery import' kept for it are deleted; its id is retired (a later booking under it is refused).
        """

    var subject: String
    var reason: String

    init(arguments: inout ArgumentList) throws(UsageError) {
        reason = try arguments.required("--reason")
        let rest = try arguments.positionals()
        guard rest.count == 1 else { throw UsageError("gallery remove needs exactly one SUBJECT") }
        subject = rest[0]
    }

    func validate() throws(UsageError) {
        guard !subject.isEmpty else { throw UsageError("empty SUBJECT") }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw UsageError("--reason must not be empty") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let administration = try SpoolAdministration(layout: SpoolLayout(root: context.spool), uid: context.actingUID)
        let removal = try administration.removeGallerySubject(subject, reason: reason)
        context.out("removed subject \(removal.subject): \(removal.images) images, \(removal.faces) faces; gallery version \(removal.version)")
        return 0
    }
}
