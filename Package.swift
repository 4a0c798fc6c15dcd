// swift-tools-version:6.0
//
// frs — a policy-gated batch face search service.
//
// Layering (bottom to top; a module only imports modules above it in this list):
//   C shims ............ CJPEG, CJPEGGuard, CSQLite
//   pure value code .... Hashing, DlibFormat, NeuralNet, Matching, Policy
//   OS and C wrappers .. SystemCalls, Imaging, Store
//   engine ............. FaceEngine (Imaging + DlibFormat + NeuralNet)
//   audit .............. Audit (Hashing + SystemCalls)
//   service ............ Spool (everything above)
//   command line ....... Commands (parsing, help, one `run` per subcommand), frs (main only)
import PackageDescription

/// Numeric modules are built with optimization even in debug builds: the face engine's
/// convolutions and the matching kernels are unusably slow at -Onone, and the tests run them.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

/// The convolution kernels (NeuralNet only) are built for x86-64-v3 (AVX2 + FMA: any x86-64
/// server CPU since about 2015; LLVM's name for that level is not accepted here, `haswell` has the
/// same vector features) and use fused multiply-add (`FRS_FMA`). Measured 3–4× faster than the
/// baseline x86-64 build. Other architectures build the portable code.
#if arch(x86_64)
let vectorSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux])),
    .define("FRS_FMA", .when(platforms: [.linux])),
]
#else
let vectorSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "frs",
    platforms: [.macOS(.v13)],
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
        // libjpeg reports errors by calling exit(); this small C target turns them into return
        // codes with setjmp/longjmp, which Swift cannot do itself.
        .target(
            name: "CJPEGGuard",
            dependencies: ["CJPEG"]
        ),

        // MARK: - Pure value code
        .target(name: "Hashing"),
        .target(name: "DlibFormat", swiftSettings: numericSettings),
        .target(name: "NeuralNet", swiftSettings: numericSettings + vectorSettings),
        .target(name: "Matching", swiftSettings: numericSettings),
        .target(name: "Policy"),

        // MARK: - OS and C wrappers
        .target(name: "SystemCalls"),
        .target(name: "Imaging", dependencies: ["CJPEGGuard"], swiftSettings: numericSettings),
        .target(name: "Store", dependencies: ["CSQLite"]),

        // MARK: - Face engine
        .target(
            name: "FaceEngine",
            dependencies: ["Imaging", "DlibFormat", "NeuralNet"],
            swiftSettings: numericSettings
        ),

        // MARK: - Audit log
        .target(name: "Audit", dependencies: ["Hashing", "SystemCalls"]),

        // MARK: - Spool service
        .target(
            name: "Spool",
            dependencies: [
                "Policy", "Audit", "Store", "FaceEngine", "Matching", "Imaging", "SystemCalls", "Hashing",
            ]
        ),

        // MARK: - Command line
        .target(
            name: "Commands",
            dependencies: [
                "Spool", "Policy", "Audit", "Store", "FaceEngine", "Matching", "Imaging", "SystemCalls",
                "Hashing",
            ]
        ),
        .executableTarget(name: "frs", dependencies: ["Commands"]),

        // MARK: - Tests
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "DlibFormatTests", dependencies: ["DlibFormat"], swiftSettings: numericSettings),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"], swiftSettings: numericSettings),
        .testTarget(name: "MatchingTests", dependencies: ["Matching"], swiftSettings: numericSettings),
        .testTarget(name: "PolicyTests", dependencies: ["Policy"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: numericSettings),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(
            name: "FaceEngineTests",
            dependencies: ["FaceEngine", "Imaging", "DlibFormat"],
            swiftSettings: numericSettings
        ),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Hashing"]),
        .testTarget(name: "SpoolTests", dependencies: ["Spool", "Policy", "Audit", "Store", "SystemCalls"]),
        .testTarget(name: "CommandsTests", dependencies: ["Commands"]),
    ]
)

// The same strictness for every target.
for target in package.targets where target.type != .system && target.name != "CJPEGGuard" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
