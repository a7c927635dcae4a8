import Foundation
import XCTest

/// A content repository as CI sees it (Tests/Fixtures/batch): Markdown with front matter and
/// suppressions, plain text, JSONL with a broken line, an RSS feed, an HTML page, a draft folder
/// the configuration excludes, per-path policies — through every reporter, then a baseline.
final class BatchEndToEndTests: XCTestCase {
    func testEveryInputTypeConfigBaselineSuppressionAndReporter() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("crible-batch-\(UUID().uuidString)")
        try fm.copyItem(at: repositoryRoot.appendingPathComponent("Tests/Fixtures/batch"), to: root)
        defer { try? fm.removeItem(at: root) }
        let content = root.appendingPathComponent("content").path
        let config = root.appendingPathComponent(".crible.yml").path
        func file(_ name: String) -> String { root.appendingPathComponent(name).path }
        func read(_ name: String) throws -> String { try String(contentsOfFile: file(name), encoding: .utf8) }

        let run = try runCrible(["classify", content, "--config", config,
                                 "--format", "sarif", "--output", file("out.sarif"), "--format", "junit", "--output", file("out.xml"),
                                 "--format", "github", "--output", file("out.github"), "--format", "json", "--output", file("out.json"),
                                 "--format", "jsonl", "--output", file("out.jsonl"), "--format", "text", "--output", file("out.txt"),
                                 "--format", "summary"])
        XCTAssertEqual(run.status, 2, "a broken JSONL line fails the run after everything else is classified: \(run.stderr)")
        XCTAssertTrue(run.stdout.hasPrefix("documents: 6 (3 allow, 2 review, 1 block), 1 unreadable"), run.stdout)

        let json = try JSONSerialization.jsonObject(with: Data(read("out.json").utf8)) as! [String: Any]
        let documents = json["documents"] as! [[String: Any]]
        let byID = Dictionary(uniqueKeysWithValues: documents.map { ($0["id"] as! String, $0) })
        XCTAssertNil(byID.keys.first { $0.contains("drafts") }, "excluded by the configuration")
        let article = try XCTUnwrap(byID.first { $0.key.hasSuffix("a.md") }?.value)
        XCTAssertEqual(article["action"] as? String, "review", "articles policy")
        let articleText = try read("out.jsonl")
        XCTAssertFalse(articleText.contains("x@example.org"), "front matter is not analysed")
        XCTAssertFalse(articleText.contains(#""text":"presse@example.org""#), "suppressed on its line")
        XCTAssertTrue(articleText.contains(#""text":"juridique@example.org""#))
        XCTAssertEqual((article["unused_suppressions"] as? [Any])?.count, 1, "the privacy suppression suppressed nothing")
        XCTAssertEqual(byID["c1"]?["action"] as? String, "block", "comments policy")
        XCTAssertEqual((json["failures"] as! [[String: Any]]).first?["id"] as? String, content + "/comments/c.jsonl:3")
        XCTAssertTrue((byID["https://example.org/f1"]?["labels"] as? [[String: Any]])?.contains { $0["label"] as? String == "desk/privacy" } ?? false)
        let page = try XCTUnwrap(byID.first { $0.key.hasSuffix("p.html") }?.value)
        let pageHit = ((page["evidence"] as! [[String: Any]]).first { $0["rule"] as? String == "desk.contact" }!["hits"] as! [[[String: Any]]])[0][0]
        XCTAssertEqual(pageHit["field"] as? String, "file")
        XCTAssertEqual(pageHit["column"] as? Int, 64, "column in the HTML file, not in the extracted text")

        XCTAssertTrue(try read("out.sarif").contains(#""ruleId": "desk.contact""#))
        let junit = try read("out.xml"), github = try read("out.github")
        XCTAssertTrue(junit.contains(#"failures="1" errors="1""#), junit)
        XCTAssertTrue(github.contains("::error file=\(content)/comments/c.jsonl,line=1,"), github)
        XCTAssertTrue(try read("out.txt").contains("BLOCK"))

        // Fix the broken line, accept today's findings, and the run passes until something new appears.
        try "{\"id\": \"c1\", \"text\": \"Mon adresse : bob@example.org\"}\n{\"id\": \"c2\", \"text\": \"Merci.\"}\n"
            .write(toFile: content + "/comments/c.jsonl", atomically: true, encoding: .utf8)
        let base = ["classify", content, "--config", config, "--format", "summary"]
        XCTAssertEqual(try runCrible(base).status, 1)
        XCTAssertEqual(try runCrible(base + ["--write-baseline", file("baseline.json")]).status, 1)
        XCTAssertEqual(try runCrible(base + ["--baseline", file("baseline.json")]).status, 0)
        try "{\"id\": \"c9\", \"text\": \"Nouvelle adresse : eve@example.org\"}\n"
            .write(toFile: content + "/comments/d.jsonl", atomically: true, encoding: .utf8)
        let new = try runCrible(base + ["--baseline", file("baseline.json")])
        XCTAssertEqual(new.status, 1)
        XCTAssertTrue(new.stderr.contains("baseline: 1 new"), new.stderr)
    }
}
