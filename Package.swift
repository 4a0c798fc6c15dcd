// swift-tools-version:6.0
//
// frs — a policy-gated batch face search service.
//
// Layering (bottom to top; a module imports only modules listed before it):
//   C shims ............ CJPEG, CJPEGGuard, CSQLite, CStatFS
//   pure value code .... Basics (FaceBox, ParallelWork, Logger, HTML escaping, UTC days), Hashing, DlibFormat, NeuralNet,
//                        Policy, ANSINIST (ANSI/NIST-ITL transactions: booking records)
//   OS and C wrappers .. SystemCalls (the one libc layer), Imaging, Store (SQLite: gallery tables, registry),
//                        Matching (kernels on packed panels; its cache file's I/O goes through SystemCalls)
//   engine ............. FaceEngine (Imaging + DlibFormat + NeuralNet)
//   audit .............. Audit (Basics + Hashing + SystemCalls)
//   results ............ Results (result documents, the outbox's results directory, the ProbeSearcher protocol)
//   on results ......... FaceSearch (face search and enrollment: FaceEngine + Matching + Store),
//                        Reviews (examiners' reviews, supervisors' approvals and resolutions, leads),
//                        Sheets (the examiner's sheet, with the leads' states)
//   service ............ Spool (the queue and the daemon; the face search is injected as a ProbeSearcher)
//   administration ..... Administration (registry changes, gallery enrollment and removal, retention purge)
//   benchmarks ......... Benchmarks (timed runs of the face engine, the matching kernels, the gallery store and
//                        calibration, and their JSON reports; FaceSearch and below, nothing of the spool)
//   command line ....... Commands (parsing, help, one `run` per subcommand), frs (main only)
import PackageDescription

/// Numeric modules are built with optimization even in debug builds: the face engine's
/// convolutions and the matching kernels are unusably slow at -Onone, and the tests run them.
/// So is SHA-256: a daemon hashes its three model files (30 MB) at every start, which takes
/// seconds at -Onone.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

/// The matching kernels, when many probes are searched at once, are compute-bound: built for
/// x86-64-v3 (AVX2, FMA; every x86 server since 2015) they run about twice as fast as on the
/// baseline SSE2 target (measured in the Matching module's report). So do the image resizes
/// (Imaging), whose 8-lane rows need AVX's rounding and min/max instructions (on SSE2 each lane
/// was a libm call). Swift does not fuse a multiply and an add on its own, so results are the
/// same bits on either target. Other architectures use their default target.
///
/// The convolution kernels (NeuralNet) are built for x86-64-v3 too and use fused multiply-add
/// (`FRS_FMA`): measured 3–4× faster than the baseline x86-64 build.
#if arch(x86_64)
let vectorSettings: [SwiftSetting] = numericSettings + [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]
let neuralNetSettings: [SwiftSetting] = numericSettings + [.unsafeFlags(["-Xcc", "-march=x86-64-v3"]), .define("FRS_FMA")]
#else
let vectorSettings: [SwiftSetting] = numericSettings
let neuralNetSettings: [SwiftSetting] = numericSettings
#endif

// Linux only (Glibc, renameat2, flock, the systemd unit): no `platforms` entry claims otherwise.
let package = Package(
    name: "frs",
    products: [
        .executable(name: "frs", targets: ["frs"]),
    ],
    targets: [
        // MARK: - C libraries (module map + shim header only)
        .systemLibrary(
            name: "CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // statfs(2) (sys/vfs.h), which Swift's Glibc module lacks: a header, no library.
        .systemLibrary(name: "CStatFS"),
        // libjpeg reports errors by calling exit(); this small C target turns them into return
        // codes with setjmp/longjmp, which Swift cannot do itself.
        .target(
            name: "CJPEGGuard",
            dependencies: ["CJPEG"]
        ),

        // MARK: - Pure value code
        .target(name: "Basics"),
        .target(name: "Hashing", swiftSettings: numericSettings),
        .target(name: "DlibFormat", swiftSettings: numericSettings),
        .target(name: "NeuralNet", swiftSettings: neuralNetSettings),
        .target(name: "Matching", dependencies: ["SystemCalls"], swiftSettings: vectorSettings),
        .target(name: "Policy", dependencies: ["Basics"]),
        .target(name: "ANSINIST"),

        // MARK: - OS and C wrappers
        .target(name: "SystemCalls", dependencies: ["CStatFS"]),
        .target(name: "Imaging", dependencies: ["CJPEGGuard"], swiftSettings: vectorSettings),
        .target(name: "Store", dependencies: ["CSQLite", "Basics", "Policy"]),

        // MARK: - Face engine
        .target(
            name: "FaceEngine",
            dependencies: ["Basics", "Imaging", "DlibFormat", "NeuralNet"],
            swiftSettings: numericSettings
        ),

        // MARK: - Audit log
        .target(name: "Audit", dependencies: ["Basics", "Hashing", "Policy", "SystemCalls"]),

        // MARK: - Results and what works on them
        .target(name: "Results", dependencies: ["Audit", "Basics", "Policy", "SystemCalls"]),
        .target(
            name: "FaceSearch",
            dependencies: [
                "Basics", "Results", "FaceEngine", "Matching", "Store", "Imaging", "Hashing", "SystemCalls", "ANSINIST",
            ]
        ),
        .target(name: "Reviews", dependencies: ["Results", "Store", "Audit", "Policy", "SystemCalls", "Hashing"]),
        .target(name: "Sheets", dependencies: ["Audit", "Basics", "Results", "Reviews", "Policy", "Store", "Imaging", "Hashing", "SystemCalls"]),

        // MARK: - Spool service
        .target(
            name: "Spool",
            dependencies: [
                "Basics", "Results", "Sheets", "Reviews", "Policy", "Audit", "Store", "SystemCalls", "Hashing",
            ]
        ),
        .target(
            name: "Administration",
            dependencies: [
                "Basics", "Spool", "FaceSearch", "FaceEngine", "Results", "Policy", "Audit", "Store", "SystemCalls", "ANSINIST",
            ]
        ),

        // MARK: - Benchmarks (`frs bench …` runs them)
        .target(
            name: "Benchmarks",
            dependencies: ["Basics", "FaceSearch", "FaceEngine", "Matching", "NeuralNet", "Imaging", "Store", "SystemCalls"]
        ),

        // MARK: - Command line
        .target(
            name: "Commands",
            dependencies: [
                "Administration", "Benchmarks", "Spool", "FaceSearch", "Sheets", "Reviews", "Results", "Basics", "Policy", "Audit",
                "Store", "FaceEngine", "Matching", "Imaging", "SystemCalls",
            ]
        ),
        .executableTarget(name: "frs", dependencies: ["Commands"]),

        // MARK: - Tests
        // What every test target shares, written once, on Foundation alone (so a low module's tests build
        // without the stack above it): where the fixtures and the model files are, scratch directories,
        // NIST transactions built in memory, a runner for child processes and the built `frs`, privileges.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // What the tests of the spool and the modules on it share: a test spool, the stand-in searchers,
        // the fixed clock.
        .target(
            name: "SpoolTestSupport",
            dependencies: ["TestSupport", "Administration", "Spool", "Reviews", "Results", "Audit", "Store", "Policy",
                           "SystemCalls", "Basics"],
            path: "Tests/SpoolTestSupport"
        ),
        // The processes the spool's tests start and kill (daemons killed at a hand-off, draining, SIGTERM).
        .executableTarget(name: "frs-test-child", dependencies: ["Spool", "SpoolTestSupport", "TestSupport", "Basics"],
                          path: "Tests/TestChild"),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "DlibFormatTests", dependencies: ["TestSupport", "DlibFormat"], swiftSettings: numericSettings),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"], swiftSettings: numericSettings),
        .testTarget(name: "MatchingTests", dependencies: ["Matching", "TestSupport"], swiftSettings: numericSettings),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Basics"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CJPEGGuard", "TestSupport"], swiftSettings: numericSettings),
        .testTarget(name: "ANSINISTTests", dependencies: ["ANSINIST", "TestSupport", "Hashing"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Basics", "TestSupport"]),
        .testTarget(
            name: "FaceEngineTests",
            dependencies: ["TestSupport", "FaceEngine", "Basics", "Imaging", "DlibFormat"],
            swiftSettings: numericSettings
        ),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Hashing", "TestSupport"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Matching"]),
        .testTarget(name: "SystemCallsTests", dependencies: ["SystemCalls", "TestSupport"]),
        .testTarget(
            name: "FaceSearchTests",
            dependencies: [
                "FaceSearch", "Administration", "Spool", "Sheets", "Results", "FaceEngine", "Matching", "Imaging", "Store",
                "Audit", "Policy", "Hashing", "SystemCalls", "Basics", "SpoolTestSupport", "TestSupport",
            ]
        ),
        .testTarget(
            name: "ReviewsTests",
            dependencies: [
                "Reviews", "Administration", "Spool", "Sheets", "Results", "Store", "Audit", "Policy", "Hashing", "SystemCalls",
                "SpoolTestSupport", "TestSupport",
            ]
        ),
        .testTarget(
            name: "SheetsTests",
            dependencies: [
                "Sheets", "Administration", "Spool", "Reviews", "Results", "Imaging", "Store", "Hashing", "SystemCalls", "Basics",
                "SpoolTestSupport", "TestSupport",
            ]
        ),
        // What drives the whole daemon: the queue, its hand-offs, recovery, kills, trust boundaries.
        .testTarget(
            name: "SpoolTests",
            dependencies: [
                "Spool", "Administration", "FaceSearch", "Reviews", "Results", "FaceEngine", "Imaging", "Store", "Audit",
                "Policy", "Hashing", "SystemCalls", "Basics", "SpoolTestSupport", "TestSupport",
            ]
        ),
        .testTarget(
            name: "AdministrationTests",
            dependencies: ["Administration", "Spool", "Store", "Audit", "Policy", "Hashing", "SystemCalls", "Basics",
                           "SpoolTestSupport", "TestSupport"]
        ),
        .testTarget(
            name: "CommandsTests",
            dependencies: ["Commands", "Spool", "Reviews", "Results", "Basics", "Policy", "Audit", "SystemCalls", "Store",
                           "TestSupport"]
        ),
    ]
)

// The same strictness for every target.
for target in package.targets where target.type != .system && target.name != "CJPEGGuard" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
