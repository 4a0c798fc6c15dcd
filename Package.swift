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

/// The matching kernels, when many probes are searched at once, are compute-bound: built for
/// x86-64-v3 (AVX2, FMA; every x86 server since 2015) they run about twice as fast as on the
/// baseline SSE2 target (measured in the Matching module's report). Other architectures use
/// their default target.
///
/// The convolution kernels (NeuralNet) are built for x86-64-v3 too and use fused multiply-add
/// (`FRS_FMA`): measured 3–4× faster than the baseline x86-64 build.
#if arch(x86_64)
let matchingSettings: [SwiftSetting] = numericSettings + [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]
let neuralNetSettings: [SwiftSetting] = numericSettings + [.unsafeFlags(["-Xcc", "-march=x86-64-v3"]), .define("FRS_FMA")]
#else
let matchingSettings: [SwiftSetting] = numericSettings
let neuralNetSettings: [SwiftSetting] = numericSettings
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
        .target(name: "NeuralNet", swiftSettings: neuralNetSettings),
        .target(name: "Matching", swiftSettings: matchingSettings),
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
        .testTarget(
            name: "SpoolTests",
            dependencies: ["Spool", "Policy", "Audit", "Store", "SystemCalls", "FaceEngine", "Matching"]
        ),
        .testTarget(name: "CommandsTests", dependencies: ["Commands"]),
    ]
)

// The same strictness for every target.
for target in package.targets where target.type != .system && target.name != "CJPEGGuard" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
