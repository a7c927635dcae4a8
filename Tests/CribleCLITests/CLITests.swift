import CribleRules
import Foundation
import XCTest

/// End-to-end tests of the `crible` executable: real process, real exit codes.
final class CLITests: XCTestCase {
    static let root = repositoryRoot

    func crible(_ arguments: [String], stdin: String? = nil) throws -> CribleRun {
        try runCrible(arguments, stdin: stdin)
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crible-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    let privacyRules = """
    crible: 1
    labels:
      moderation/pii: {description: Personal data}
    rules:
      - id: mail
        label: moderation/pii
        description: An e-mail address.
        weight: 0.9
        regex: '[a-z0-9._-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+'
        examples:
          match: ["Écrivez à ↓ana@example.org↓."]
          no_match: ["Écrivez-nous."]
    """

    func testClassifiesTheBundledExamplesAsJSON() throws {
        let run = try crible(["classify", "Examples/articles", "Examples/comments.jsonl", "--format", "json", "--fail-on", "never"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let documents = object["documents"] as! [[String: Any]]
        XCTAssertEqual(documents.count, 14)
        XCTAssertTrue((object["rules_digest"] as! String).hasPrefix("sha256:"))
        for document in documents {
            XCTAssertNotNil(document["action"])
            XCTAssertNotNil((document["sentiment"] as? [String: Any])?["score"])
        }
        // Sorted, recursive folder order.
        let ids = documents.map { $0["id"] as! String }
        XCTAssertTrue(ids[0].hasPrefix("Examples/articles/01-"), ids[0])
        XCTAssertEqual(Array(ids.prefix(8)), ids.prefix(8).sorted())
        XCTAssertEqual(ids.last, "c06")
    }

    /// `crible bench` reports its throughputs, the speed-up of several jobs, and what more rules
    /// and the worst rule cost, each as the median ratio of alternated pairs.
    /// `--lang` declares the language of the documents that declare none: a comment too short
    /// to be identified then runs its language's rules only; a declared language is kept.
    func testLangDeclaresTheLanguageOfDocumentsThatDeclareNone() throws {
        let input = """
        {"id": "short", "text": "Génial"}
        {"id": "declared", "text": "Génial", "lang": "en"}
        """
        func languages(_ arguments: [String]) throws -> [String: String] {
            let run = try crible(["classify", "-", "--format", "jsonl", "--fail-on", "never"] + arguments, stdin: input)
            XCTAssertEqual(run.status, 0, run.stderr)
            var found: [String: String] = [:]
            for line in run.stdout.split(separator: "\n") {
                let verdict = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let language = try XCTUnwrap(verdict["language"] as? [String: Any])
                found[verdict["id"] as? String ?? ""] = "\(language["code"] ?? "")"
            }
            return found
        }
        XCTAssertEqual(try languages([]), ["short": "und", "declared": "en"], "too short to be identified")
        XCTAssertEqual(try languages(["--lang", "fr-FR"]), ["short": "fr", "declared": "en"])
        // The same option, with the same check, for explain and eval.
        for command in [["classify", "-"], ["explain", "-"], ["eval", "--gold", "-"]] {
            let bad = try crible(command + ["--lang", "fr!"], stdin: input)
            XCTAssertEqual(bad.status, 64, "\(command)")
            XCTAssertTrue(bad.stderr.contains("--lang takes a language code"), bad.stderr)
        }
        let explained = try crible(["explain", "-", "--lang", "fr"], stdin: #"{"id": "short", "text": "Génial"}"#)
        XCTAssertEqual(explained.status, 0, explained.stderr)
        XCTAssertTrue(explained.stdout.hasPrefix("short  [fr, declared]"), explained.stdout)
        let folder = try temporaryFolder()
        let gold = folder.appendingPathComponent("gold.jsonl")
        try #"{"id": "short", "text": "Génial", "labels": ["lang/fr"]}"#.write(to: gold, atomically: true, encoding: .utf8)
        XCTAssertEqual(try crible(["eval", "--gold", gold.path, "--min-f1", "lang/fr=1"]).status, 1, "identified: undetermined")
        XCTAssertEqual(try crible(["eval", "--gold", gold.path, "--min-f1", "lang/fr=1", "--lang", "fr"]).status, 0)
    }

    /// A gold file's mistakes are named where they are, and none of them reads as a score: a
    /// value of the wrong type, an id used twice, a label nothing gives, a threshold on a label
    /// the file does not judge.
    func testEvalNamesTheGoldFilesMistakes() throws {
        let folder = try temporaryFolder()
        let gold = folder.appendingPathComponent("gold.jsonl")
        try """
        {"id": "a", "text": "Le match de foot a commencé.", "labels": ["topic/sport"]}
        {"id": "b", "text": "Rien.", "sentiment": "high"}
        {"id": "c", "text": "Rien.", "polarity": "pos"}
        {"id": "d", "text": "Rien.", "labels": [1, 2]}
        {"id": "a", "text": "Encore.", "labels": []}
        {"id": "e", "text": "Le stade.", "labels": ["topic/sprot"]}
        """.write(to: gold, atomically: true, encoding: .utf8)
        let run = try crible(["eval", "--gold", gold.path])
        XCTAssertEqual(run.status, 2, "unreadable gold lines")
        for expected in ["line 2: `sentiment` must be a number from -1 to 1, found \"high\"",
                         "line 3: `polarity` must be positive, negative or neutral, found \"pos\"",
                         "line 4: `labels` must be a list of label names, found a list",
                         "line 5: id `a` is already used on line 1"] {
            XCTAssertTrue(run.stdout.contains(expected), "\(expected)\n\(run.stdout)")
        }
        XCTAssertTrue(run.stderr.contains("gold label `topic/sprot` is not one the loaded rules or plugins give"), run.stderr)
        XCTAssertTrue(run.stderr.contains("did you mean `topic/sport`?"), run.stderr)
        let misspelt = try crible(["eval", "--gold", gold.path, "--min-f1", "topic/spor=0.5"])
        XCTAssertEqual(misspelt.status, 64)
        XCTAssertTrue(misspelt.stderr.contains("--min-f1 names `topic/spor`, which is not a judged label"), misspelt.stderr)
    }

    func testBenchReportsPairedRatios() throws {
        let folder = try temporaryFolder()
        let documents = folder.appendingPathComponent("documents.jsonl")
        let line = #"{"id":"a","text":"L'intelligence artificielle progresse, et les entreprises investissent dans les données."}"#
        try (Array(repeating: line, count: 20).joined(separator: "\n") + "\n").write(to: documents, atomically: true, encoding: .utf8)
        let keywords = folder.appendingPathComponent("keywords.txt")
        let words = ["intelligence", "entreprises", "données", "progresse", "investissent", "artificielle", "les", "dans",
                     "et", "absent", "introuvable", "nulle part"]
        try words.joined(separator: "\n").write(to: keywords, atomically: true, encoding: .utf8)
        let run = try crible(["bench", "--documents", documents.path, "--keywords", keywords.path, "--repetitions", "3",
                              "--jobs", "2", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let ids = (report["measurements"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        XCTAssertEqual(ids, ["load", "text-view", "pipeline-1-job", "pipeline-2-jobs", "sentiment-1-job", "jsonl-1-job", "jsonl-2-jobs",
                             "keywords-10", "keywords-12", "keywords-12-slow-regex", "keywords-12-slow-regex-factor",
                             "keywords-12-slow-regex-unfiltered"])
        let costs = try XCTUnwrap(report["cost_ratios"] as? [[String: Any]])
        XCTAssertEqual(costs.map { "\($0["id"] ?? "") over \($0["over"] ?? "")" },
                       ["keywords-12 over keywords-10", "keywords-12-slow-regex over keywords-12",
                        "keywords-12-slow-regex-factor over keywords-12", "keywords-12-slow-regex-unfiltered over keywords-12"])
        for cost in costs { XCTAssertGreaterThan(cost["median_paired_time_ratio"] as? Double ?? 0, 0) }
        let speedUps = try XCTUnwrap(report["speed_ups"] as? [[String: Any]])
        XCTAssertEqual(speedUps.compactMap { $0["id"] as? String }, ["pipeline-2-jobs", "jsonl-2-jobs"])
    }

    func testTextOutputEndsWithASummary() throws {
        let run = try crible(["classify", "Examples/articles", "Examples/comments.jsonl", "--fail-on", "never"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("14 documents:"), run.stdout)
    }

    func testStandardInputAsTextAndAsJSONLines() throws {
        let text = try crible(["classify", "-", "--format", "jsonl"], stdin: "Le gouvernement a présenté son budget.")
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix(#"{"id":"stdin""#), text.stdout)
        let lines = try crible(["classify", "-", "--format", "jsonl"], stdin: """
        {"id": "a", "text": "Bonjour à tous"}
        {"id": "b", "text": 
        {"id": "c", "text": "Hello everyone", "lang": "en"}
        """)
        XCTAssertEqual(lines.status, 2, "a broken line makes the run fail, after the others are classified")
        let output = lines.stdout.split(separator: "\n")
        XCTAssertEqual(output.count, 3)
        XCTAssertTrue(output[1].contains(#""error":{"message":"line 2 is not valid JSON: the line ends where a value should be (column "#),
                      String(output[1]))
        XCTAssertTrue(output[1].contains(#""line":2,"column":"#), String(output[1]))
        XCTAssertTrue(output[2].contains(#""id":"c""#))
        XCTAssertTrue(lines.stderr.contains("stdin:2"), lines.stderr)
    }

    func testPolicyAndFailOnDecideTheExitCode() throws {
        let folder = try temporaryFolder()
        try privacyRules.write(to: folder.appendingPathComponent("pii.yaml"), atomically: true, encoding: .utf8)
        let policy = folder.appendingPathComponent("review.policy.yaml")
        try "crible: 1\nactions:\n  - {id: pii, labels: [moderation/pii], min_score: 0.5, action: review}\n"
            .write(to: policy, atomically: true, encoding: .utf8)
        let comment = folder.appendingPathComponent("comment.txt")
        try "Contactez ana@example.org".write(to: comment, atomically: true, encoding: .utf8)
        let base = ["classify", comment.path, "--no-default-rules", "--rules", folder.path, "--policy", policy.path]
        XCTAssertEqual(try crible(base).status, 0, "review does not fail a run that fails on block")
        let failing = try crible(base + ["--fail-on", "review"])
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.stdout.contains("REVIEW"), failing.stdout)
        XCTAssertTrue(failing.stdout.contains("«ana@example.org»"), failing.stdout)
    }

    func testUserRuleFolderChangesVerdictsWithoutRebuilding() throws {
        let folder = try temporaryFolder()
        try privacyRules.replacingOccurrences(of: "moderation/pii", with: "custom/contact")
            .write(to: folder.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        let run = try crible(["classify", "-", "--rules", folder.path, "--format", "jsonl"], stdin: "Écrivez à ana@example.org")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(#""label":"custom/contact""#), run.stdout)
    }

    func testABadRuleFileIsReportedAndTheOthersStillRun() throws {
        let folder = try temporaryFolder()
        try privacyRules.write(to: folder.appendingPathComponent("good.yaml"), atomically: true, encoding: .utf8)
        try "crible: 1\nrules:\n  - id: broken\n    description: d\n    regex: '(unclosed'\n"
            .write(to: folder.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let run = try crible(["classify", "-", "--no-default-rules", "--rules", folder.path, "--format", "jsonl"],
                             stdin: "Écrivez à ana@example.org")
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("bad.yaml:5:22: error[E014]"), run.stderr)
        XCTAssertTrue(run.stderr.contains("^"), "the offending line is shown with a caret")
        XCTAssertTrue(run.stdout.contains(#""rule":"mail""#), "the good file still classified the input")
    }

    func testProfileListsStagesAndRules() throws {
        let run = try crible(["classify", "Examples/articles", "--profile", "--format", "jsonl", "--fail-on", "never"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("stage: rules"), run.stderr)
        XCTAssertTrue(run.stderr.contains("rules: keyword and proximity pass"), run.stderr)
        XCTAssertEqual(run.stdout.split(separator: "\n").count, 8, "the profile goes to standard error only")
        let entries = { (stderr: String) in stderr.split(separator: "\n").filter { $0.contains(" calls ") }.count }
        XCTAssertEqual(entries(run.stderr), 20, "twenty entries by default")
        let short = try crible(["classify", "Examples/articles", "--profile", "--profile-top", "3", "--format", "summary", "--fail-on", "never"])
        XCTAssertEqual(short.status, 0, short.stderr)
        XCTAssertEqual(entries(short.stderr), 3, short.stderr)
        XCTAssertEqual(try crible(["classify", "Examples/articles", "--profile", "--profile-top", "0"]).status, 64)
        // What the regular expressions share is an entry of its own, not part of the first rule that needed it.
        let all = try crible(["classify", "Examples/articles", "--profile", "--profile-top", "1000", "--format", "summary", "--fail-on", "never"])
        XCTAssertTrue(all.stderr.contains("rules: what regexes share"), all.stderr)
    }

    func testSeveralFormatsInOneRun() throws {
        let folder = try temporaryFolder()
        let sarif = folder.appendingPathComponent("report.sarif").path
        let junit = folder.appendingPathComponent("report.xml").path
        let run = try crible(["classify", "Examples/comments.jsonl", "--format", "sarif", "--output", sarif,
                              "--format", "summary", "--format", "junit", "--output", junit, "--fail-on", "never"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("documents: 6"), run.stdout)
        XCTAssertTrue(try String(contentsOfFile: sarif, encoding: .utf8).contains(#""version": "2.1.0""#))
        XCTAssertTrue(try String(contentsOfFile: junit, encoding: .utf8).contains("<testsuites name=\"crible\" tests=\"6\""))
        XCTAssertEqual(try crible(["classify", "Examples/comments.jsonl", "--format", "text", "--format", "json"]).status, 64)
        XCTAssertEqual(try crible(["classify", "Examples/comments.jsonl", "--output", sarif]).status, 64)
    }

    func testUsageErrorsExit64() throws {
        XCTAssertEqual(try crible(["classify", "Examples", "--format", "xml"]).status, 64)
        XCTAssertEqual(try crible(["classify"]).status, 64)
        XCTAssertEqual(try crible(["frobnicate"]).status, 64)
    }

    func testRulesTestReportsFailuresWithTheirPlace() throws {
        let folder = try temporaryFolder()
        let wrong = privacyRules.replacingOccurrences(of: "↓ana@example.org↓.", with: "↓ana@example.org.↓")
        try wrong.write(to: folder.appendingPathComponent("pii.yaml"), atomically: true, encoding: .utf8)
        let run = try crible(["rules", "test", "--no-default-rules", "--rules", folder.path, folder.path])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.contains("FAIL \(folder.path)/pii.yaml:11:15 mail match [original]"), run.stdout)
        XCTAssertTrue(run.stdout.contains("expected: «ana@example.org.»"), run.stdout)
        XCTAssertTrue(run.stdout.hasSuffix("5 passed, 5 failed\n"), run.stdout)
    }
}

final class BaselineTests: XCTestCase {
    func testBaselineAcceptsKnownFindingsAndFailsOnNewOnes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crible-baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let comments = folder.appendingPathComponent("comments.jsonl")
        let baseline = folder.appendingPathComponent("baseline.json").path
        try #"{"id": "a", "text": "Écrivez-moi : ana@example.org", "lang": "fr"}"#.write(to: comments, atomically: true, encoding: .utf8)
        let base = ["classify", comments.path, "--fail-on", "review", "--format", "summary"]

        XCTAssertEqual(try runCrible(base).status, 1, "the address needs review")
        XCTAssertEqual(try runCrible(base + ["--write-baseline", baseline]).status, 1)
        let accepted = try runCrible(base + ["--baseline", baseline])
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertTrue(accepted.stderr.contains("baseline: 0 new"), accepted.stderr)

        // Moving the text (another line, another position) keeps it accepted; a new address is new.
        try """
        {"id": "z", "text": "Bonjour à tous.", "lang": "fr"}
        {"id": "a", "text": "Merci. Écrivez-moi : ana@example.org", "lang": "fr"}
        {"id": "b", "text": "Et moi : bob@example.org", "lang": "fr"}
        """.write(to: comments, atomically: true, encoding: .utf8)
        let changed = try runCrible(base + ["--baseline", baseline])
        XCTAssertEqual(changed.status, 1, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("  new:   b:"), changed.stderr)
        XCTAssertFalse(changed.stderr.contains("  new:   a:"), changed.stderr)

        // The accepted finding disappears: fine, unless the baseline must be kept exact.
        try #"{"id": "a", "text": "Plus d'adresse ici.", "lang": "fr"}"#.write(to: comments, atomically: true, encoding: .utf8)
        let fixed = try runCrible(base + ["--baseline", baseline])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        XCTAssertTrue(fixed.stderr.contains("fixed"), fixed.stderr)
        XCTAssertEqual(try runCrible(base + ["--baseline", baseline, "--strict-baseline"]).status, 1)
    }
}

final class ConfigurationTests: XCTestCase {
    func testGlobs() {
        XCTAssertTrue(Glob.matches("comments/**", "comments/2026/a.jsonl"))
        XCTAssertTrue(Glob.matches("**/*.md", "a.md"))
        XCTAssertTrue(Glob.matches("**/*.md", "x/y/a.md"))
        XCTAssertFalse(Glob.matches("*.md", "x/a.md"))
        XCTAssertTrue(Glob.matches("drafts/?.txt", "drafts/a.txt"))
        XCTAssertFalse(Glob.matches("drafts/**", "articles/drafts.md"))
    }

    func testConfigurationDrivesRulesPoliciesPathsAndFailure() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crible-config-\(UUID().uuidString)")
        let fm = FileManager.default
        for folder in ["rules", "policies", "content/articles", "content/comments", "content/drafts"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        defer { try? fm.removeItem(at: root) }
        func write(_ path: String, _ text: String) throws {
            try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        try write("rules/desk.yaml", """
        crible: 1
        labels:
          desk/contact: {description: A contact address}
        rules:
          - id: desk.contact
            label: desk/contact
            description: An e-mail address.
            weight: 0.9
            regex: '[a-z0-9.]+@[a-z0-9-]+\\.[a-z]{2,}'
            examples: {match: ["à ↓ana@example.org↓"], no_match: ["à Ana"]}
        """)
        try write("policies/comments.policy.yaml", "crible: 1\nactions:\n  - {id: block-contact, labels: [desk/contact], min_score: 0.5, action: block}\n")
        try write("policies/articles.policy.yaml", "crible: 1\nactions:\n  - {id: review-contact, labels: [desk/contact], min_score: 0.5, action: review}\n")
        try write("content/articles/a.md", "# Contact\n\nÉcrivez à presse@example.org.")
        try write("content/comments/c.jsonl", #"{"id": "c1", "text": "Mon adresse : bob@example.org"}"# + "\n")
        try write("content/drafts/d.md", "# Brouillon\n\nÀ ne pas lire : x@example.org")
        try write(".crible.yml", """
        crible: 1
        rules: [rules]
        default_rules: false
        fail_on: block
        exclude: ["content/drafts/**"]
        profiles:
          - {paths: ["content/comments/**"], policy: policies/comments.policy.yaml}
          - {paths: ["content/articles/**"], policy: policies/articles.policy.yaml}
        """)
        let config = root.appendingPathComponent(".crible.yml").path
        let run = try runCrible(["classify", root.appendingPathComponent("content").path, "--config", config, "--format", "jsonl"])
        XCTAssertEqual(run.status, 1, "the comment is blocked: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "drafts are excluded: \(run.stdout)")
        XCTAssertTrue(lines[0].contains(#""action":"review""#), String(lines[0]))
        XCTAssertTrue(lines[1].contains(#""action":"block""#), String(lines[1]))

        // Regex limits reach the compiler: with one step allowed, the contact pattern gives up on
        // every document, and each verdict says so instead of failing the batch.
        try write(".crible.yml", "crible: 1\nrules: [rules]\ndefault_rules: false\nregex_limits: {match: 1}\n")
        let limited = try runCrible(["classify", root.appendingPathComponent("content/articles").path, "--config", config, "--format", "jsonl"])
        XCTAssertEqual(limited.status, 0, limited.stderr)
        XCTAssertTrue(limited.stdout.contains(#""source":"desk.contact","message":"regex skipped on this document"#), limited.stdout)
        try write(".crible.yml", "crible: 1\nregex_limits: {match: 0, risky_steps: 5}\n")
        let badLimits = try runCrible(["classify", root.appendingPathComponent("content").path, "--config", config])
        XCTAssertEqual(badLimits.status, 2)
        XCTAssertTrue(badLimits.stderr.contains(".crible.yml:2:23: error[E008]: `regex_limits.match` must be a number of steps"), badLimits.stderr)
        XCTAssertTrue(badLimits.stderr.contains("unknown key `risky_steps`"), badLimits.stderr)

        try write(".crible.yml", "crible: 1\nrules: [rules]\nfail_onn: block\n")
        let broken = try runCrible(["classify", root.appendingPathComponent("content").path, "--config", config])
        XCTAssertEqual(broken.status, 2)
        XCTAssertTrue(broken.stderr.contains(".crible.yml:3:1: error[E002]: unknown key `fail_onn`"), broken.stderr)
        XCTAssertTrue(broken.stderr.contains("did you mean `fail_on`?"), broken.stderr)
    }
}
