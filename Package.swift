// swift-tools-version:6.0
import PackageDescription

/// One set of compiler settings for every target: Swift 6 language mode (strict concurrency).
let sharedSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Crible",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "crible", targets: ["crible"]),
        .library(name: "CribleEngine", targets: ["CribleEngine"]),
        .library(name: "CribleCore", targets: ["CribleCore"]),
        .library(name: "CribleCLI", targets: ["CribleCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // PCRE2 from the system (Debian: libpcre2-dev; Homebrew: pcre2).
        .systemLibrary(
            name: "CPCRE2",
            path: "Sources/CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        .target(name: "PCRE2", dependencies: ["CPCRE2"], swiftSettings: sharedSwiftSettings),
        .target(name: "CribleCore", swiftSettings: sharedSwiftSettings),
        // CribleRules reads YAML events with libyaml, the `CYaml` module that the Yams product
        // builds and exposes to its dependents (Yams itself is used by tests and tools).
        .target(
            name: "CribleRules",
            dependencies: ["CribleCore", "PCRE2", .product(name: "Yams", package: "Yams")],
            swiftSettings: sharedSwiftSettings
        ),
        // Classifier plugins live in Plugins/, one folder each (not SwiftPM package plugins).
        .target(
            name: "LanguageIdentification",
            dependencies: ["CribleCore"],
            path: "Plugins/LanguageIdentification",
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "PersonalData",
            dependencies: ["CribleCore"],
            path: "Plugins/PersonalData",
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "SpamSignals",
            dependencies: ["CribleCore"],
            path: "Plugins/SpamSignals",
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "Readability",
            dependencies: ["CribleCore"],
            path: "Plugins/Readability",
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "CribleEngine",
            dependencies: ["CribleCore", "CribleRules", "LanguageIdentification", "PersonalData", "SpamSignals", "Readability"],
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "CribleCLI",
            dependencies: ["CribleEngine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: sharedSwiftSettings
        ),
        // The command links mimalloc on Linux (Debian: libmimalloc-dev): a verdict allocates and
        // frees hundreds of small arrays and strings, and with glibc's allocator classifying took
        // 5-7 % longer (docs/PERFORMANCE.md). Only the executable: a program that uses the
        // libraries keeps the allocator it chose.
        .executableTarget(
            name: "crible",
            dependencies: ["CribleCLI"],
            swiftSettings: sharedSwiftSettings,
            linkerSettings: [
                .linkedLibrary("mimalloc", .when(platforms: [.linux])),
            ]
        ),
        .testTarget(name: "PCRE2Tests", dependencies: ["PCRE2"], swiftSettings: sharedSwiftSettings),
        .testTarget(name: "CribleCoreTests", dependencies: ["CribleCore"], swiftSettings: sharedSwiftSettings),
        .testTarget(name: "CribleRulesTests", dependencies: ["CribleRules", .product(name: "Yams", package: "Yams")], swiftSettings: sharedSwiftSettings),
        .testTarget(name: "CribleEngineTests", dependencies: ["CribleEngine", .product(name: "Yams", package: "Yams")], swiftSettings: sharedSwiftSettings),
        .testTarget(name: "PluginTests", dependencies: ["CribleEngine", "LanguageIdentification", "PersonalData", "Readability", "SpamSignals"], swiftSettings: sharedSwiftSettings),
        .testTarget(name: "CribleCLITests", dependencies: ["crible", "CribleRules"], swiftSettings: sharedSwiftSettings),
    ]
)
