// swift-tools-version:6.0
import PackageDescription

// A news desk's own `crible`, with a classifier plugin of its own, built on the Crible library.
let package = Package(
    name: "NewsdeskCrible",
    platforms: [.macOS(.v13)],
    dependencies: [
        // In your own package: .package(url: "<the Crible repository>", from: "0.1.0")
        .package(name: "Crible", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "newsdesk-crible",
            dependencies: [
                .product(name: "CribleCLI", package: "Crible"),
                .product(name: "CribleCore", package: "Crible"),
            ]
        ),
    ]
)
