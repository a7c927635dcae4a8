import Foundation
import XCTest

/// Golden-output tests: a command's exact output is compared with a committed `.expected` file.
/// Run with CRIBLE_UPDATE_GOLDEN=1 to rewrite the files after a deliberate change, then review the diff.
final class GoldenTests: XCTestCase {
    let golden = "Tests/Golden"

    func check(_ arguments: [String], expected name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try runCrible(arguments)
        let actual = run.stdout + "exit \(run.status)\n"
        let path = repositoryRoot.appendingPathComponent(golden).appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["CRIBLE_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        XCTAssertEqual(actual, expected, "output of crible \(arguments.joined(separator: " ")) differs from \(name)", file: file, line: line)
    }

    func testLintOutputOfInvalidRuleFiles() throws {
        for name in ["unknown-key", "bad-regex", "references", "yaml-syntax", "wrong-types", "warnings", "every-error"] {
            try check(["rules", "lint", "\(golden)/lint/\(name).yaml"], expected: "lint/\(name).expected")
        }
    }

    func testLintJSON() throws {
        try check(["rules", "lint", "--format", "json", "\(golden)/lint/unknown-key.yaml"], expected: "lint/unknown-key.json.expected")
    }

    func testRulesTestOutput() throws {
        try check(["rules", "test", "--no-default-rules", "--rules", "\(golden)/test", "\(golden)/test"], expected: "test/failing.expected")
    }

    /// Every report format on a folder with a Markdown file and a JSONL file with a broken line.
    func testCIReporters() throws {
        for format in ["text", "json", "jsonl", "sarif", "junit", "github", "summary"] {
            try check(["classify", "\(golden)/report/inputs", "--no-default-rules", "--rules", "\(golden)/report",
                       "--policy", "\(golden)/report/policy.policy.yaml", "--format", format, "--fail-on", "review"],
                      expected: "report/\(format).expected")
        }
    }

    func testExplainOutput() throws {
        try check(["explain", "\(golden)/explain/document.md", "--no-default-rules", "--rules", "\(golden)/explain",
                   "--policy", "\(golden)/explain/policy.policy.yaml"], expected: "explain/document.expected")
    }
}
