import Benchmarks

/// `frs bench gallery --faces N --dir DIR`: the gallery at scale, in the real store, through the
/// daemon's own loader (``Benchmarks/GalleryBenchmark``): build, rebuild, cold start, enroll and
/// remove until a search shows it. The last line is JSON; exit 1 when a search did not.
struct BenchGalleryCommand: Subcommand {
    static let words = ["bench", "gallery"]
    static let abstract = "gallery at scale in SQLite: build, rebuild, cold start, enroll/remove to search; last line JSON"
    static let usage = "bench gallery --faces N --dir DIR [--fresh]"
    static let help = """
          --faces N   faces in the gallery (1 to 20,000,000); an existing gallery in DIR with at
                      least one face is reused as it is unless --fresh
          --dir DIR   where the database (frs.sqlite) and the cache directory (cache/) go
          --fresh     delete DIR's database and cache first
        """

    var faces: Int
    var directory: String
    var fresh: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        guard let faces = try arguments.int("--faces", in: 1...20_000_000) else { throw UsageError("missing --faces") }
        self.faces = faces
        directory = try arguments.required("--dir")
        fresh = arguments.flag("--fresh")
    }

    func run(_ context: CommandContext) throws -> Int32 {
        try GalleryBenchmark(faces: faces, directory: directory, fresh: fresh).run(context.benchmarkOutput).exitStatus
    }
}
