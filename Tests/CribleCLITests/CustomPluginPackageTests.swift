import Foundation
import XCTest

/// Builds Examples/CustomPlugin — a separate package that depends on Crible and registers its own
/// plugin — and runs its executable, as a user's package would.
final class CustomPluginPackageTests: XCTestCase {
    func testAnOutsidePackageAddsItsOwnPlugin() throws {
        let package = repositoryRoot.appendingPathComponent("Examples/CustomPlugin")
        let scratch = repositoryRoot.appendingPathComponent(".build-custom-plugin")
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swift", "build", "--package-path", package.path, "--scratch-path", scratch.path,
                           // The root package is a path dependency: pick up files added to it since the last build.
                           "--disable-build-manifest-caching"]
        let errors = Pipe()
        build.standardOutput = errors
        build.standardError = errors
        try build.run()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        build.waitUntilExit()
        XCTAssertEqual(build.terminationStatus, 0, errorText)
        guard build.terminationStatus == 0 else { return }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crible-desk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let article = folder.appendingPathComponent("article.md")
        try "# SCANDALE À LA MAIRIE\n\nLe conseil municipal s'est réuni hier soir.".write(to: article, atomically: true, encoding: .utf8)

        let run = Process()
        run.executableURL = scratch.appendingPathComponent("debug/newsdesk-crible")
        run.arguments = ["classify", article.path, "--rules", package.appendingPathComponent("Rules").path, "--format", "jsonl"]
        var environment = ProcessInfo.processInfo.environment
        environment["CRIBLE_RULES"] = repositoryRoot.appendingPathComponent("Rules").path
        run.environment = environment
        let output = Pipe()
        run.standardOutput = output
        try run.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0)
        XCTAssertTrue(text.contains(#""label":"desk/shouted-headline""#), text)
        XCTAssertTrue(text.contains(#""text":"SCANDALE À LA MAIRIE""#), text)
    }
}
