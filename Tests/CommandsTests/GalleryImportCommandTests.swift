@testable import Commands
import Testing

/// `gallery import`, `gallery list` and `gallery duplicates` parse as values.
@Suite("Gallery import, list and duplicates commands")
struct GalleryImportCommandTests {
    func command<T>(_ argv: [String], as: T.Type) throws -> T? {
        guard case .command(let command, _) = try FRSCommand.parse(argv, environment: [:]) else { return nil }
        return command as? T
    }

    @Test("import: files and directories, workers, pipeline, json")
    func importOptions() throws {
        let c = try #require(try command(["gallery", "import", "--workers", "3", "--pipeline", "full", "--json", "a.an2", "dir/"],
                                         as: GalleryImportCommand.self))
        #expect(c.paths == ["a.an2", "dir/"] && c.workers == 3 && c.pipeline == .full && c.json)
        #expect(throws: UsageError.self) { try FRSCommand.parse(["gallery", "import"], environment: [:]) }
        #expect(throws: UsageError.self) { try FRSCommand.parse(["gallery", "import", "--pipeline", "fast", "a.an2"], environment: [:]) }
    }

    @Test("list and duplicates")
    func listAndDuplicates() throws {
        let list = try #require(try command(["gallery", "list", "--subject", "sid:NY1"], as: GalleryListCommand.self))
        #expect(list.subject == "sid:NY1" && !list.json)
        #expect(throws: UsageError.self) { try FRSCommand.parse(["gallery", "list", "sid:NY1"], environment: [:]) }
        let duplicates = try #require(try command(["gallery", "duplicates", "--threshold", "0.45"], as: GalleryDuplicatesCommand.self))
        #expect(duplicates.threshold == 0.45 && duplicates.workers == nil)
        #expect(try command(["gallery", "duplicates"], as: GalleryDuplicatesCommand.self)?.threshold == nil)
        for bad in ["0", "-1", "3", "nan", "x"] {
            #expect(throws: UsageError.self) { try FRSCommand.parse(["gallery", "duplicates", "--threshold", bad], environment: [:]) }
        }
    }
}
