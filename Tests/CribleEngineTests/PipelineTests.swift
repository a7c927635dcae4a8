@testable import CribleCore
@testable import CribleEngine
import CribleRules
import Foundation
import XCTest

final class PipelineTests: XCTestCase {
    let rules = """
    crible: 1
    labels:
      test/privacy: {description: p}
      moderation/pii: {description: pii}
    rules:
      - {id: privacy, label: test/privacy, description: d, weight: 0.7, keywords: ["données personnelles", RGPD]}
      - {id: mail, label: moderation/pii, description: d, weight: 0.9, regex: '[a-z0-9.]+@[a-z0-9.]+\\.[a-z]{2,}'}
    """

    func testVerdictCarriesLabelsEvidenceAndPolicyReasons() {
        let (policy, _) = Policy.parse("""
        crible: 1
        actions:
          - {id: review-pii, labels: [moderation/pii], min_score: 0.5, action: review}
        """, path: "p.yaml")
        let engine = engine(rules: rules, policy: policy!)
        let verdict = engine.classify(Document(id: "d1", body: "Écrivez à jean.dupont@example.org pour le RGPD.", language: "fr"))
        XCTAssertEqual(verdict.action, .review)
        XCTAssertEqual(verdict.reasons.first?.policyRule, "review-pii")
        XCTAssertEqual(Set(verdict.labels.map(\.label)).intersection(["test/privacy", "moderation/pii"]), ["test/privacy", "moderation/pii"])
        let mail = verdict.evidence.first { $0.ruleID == "mail" }!
        XCTAssertEqual(verdict.text.originalString(mail.spans[0]), "jean.dupont@example.org")
    }

    /// A label is kept when its score reaches its own threshold, or the policy's for the rest.
    func testLabelsAreKeptAtTheirOwnThresholds() {
        let (policy, diagnostics) = Policy.parse("""
        crible: 1
        label_threshold: 0.5
        thresholds: {test/low: 0.2, test/high: 0.9}
        actions: []
        """, path: "p.yaml")
        XCTAssertEqual(diagnostics.map(\.message), [])
        XCTAssertEqual(policy!.thresholdBounds, 0.2...0.9)
        let engine = engine(rules: """
            crible: 1
            labels:
              test/low: {description: l}
              test/high: {description: h}
              test/mid: {description: m}
              test/weak: {description: w}
            rules:
              - {id: low, label: test/low, description: d, weight: 0.3, keywords: [alpha]}
              - {id: high, label: test/high, description: d, weight: 0.6, keywords: [beta]}
              - {id: mid, label: test/mid, description: d, weight: 0.6, keywords: [gamma]}
              - {id: weak, label: test/weak, description: d, weight: 0.1, keywords: [delta]}
            """, policy: policy!)
        let verdict = engine.classify(Document(id: "t", body: "alpha beta gamma delta", language: "en"))
        let scores = Dictionary(uniqueKeysWithValues: verdict.candidateScores.map { ($0.label, $0.score) })
        XCTAssertEqual(scores["test/low"]!, 0.3, accuracy: 0.05)
        XCTAssertEqual(scores["test/high"]!, 0.6, accuracy: 0.05)
        XCTAssertEqual(Set(verdict.labels.map(\.label)).subtracting(["lang/en", "sentiment/neutral"]), ["test/low", "test/mid"],
                       "low passes its 0.2, high misses its 0.9, mid passes the policy's 0.5, weak misses every threshold")
    }

    /// JSON lines are written straight to bytes; the JSON report builds a tree. Both come from one
    /// description of the schema and must give the same text, for every kind of document
    /// (articles, comments, a web page whose spans point into the page, feed items).
    func testJSONLinesAreTheSerialisedVerdictTree() {
        let root = repositoryRoot.path
        let encoder = VerdictEncoder(engine: bundledEngine)
        var compared = 0
        var withRepeatedSpans = 0
        for item in DocumentReader().read(paths: [root + "/Examples", root + "/Tests/Fixtures/html", root + "/Tests/Fixtures/feeds"]) {
            guard case .document(let document) = item else { continue }
            let verdict = bundledEngine.classify(document)
            XCTAssertEqual(encoder.line(verdict), encoder.encode(verdict).serialized(), document.id)
            XCTAssertEqual(encoder.lineBytes(verdict), Array((encoder.line(verdict) + "\n").utf8), document.id)
            compared += 1
            let spans = verdict.evidence.flatMap { $0.hits.flatMap(\.spans) } + verdict.sentiment.terms.map(\.span)
            if Set(spans.map { [$0.lowerBound, $0.upperBound] }).count < spans.count { withRepeatedSpans += 1 }
        }
        XCTAssertGreaterThanOrEqual(compared, 20, "the examples, the page and the feed items")
        XCTAssertGreaterThan(withRepeatedSpans, 0, "the line writer copies a span seen before; the tree writes it again")
    }

    /// Scores are written without making a string, and must read exactly as `description` writes
    /// them; values that are not whole ten-thousandths are left to `description`.
    func testNumbersAreWrittenAsTheirDescription() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0.0001, -0.0001, 0.5, -0.25, 0.3607, 1.05, 12.3456, 999_999_999.9999, 0.00005, 1e-7,
                                2.5e9 + 0.5, 1.0 / 3.0, 0.1 + 0.2]
        for _ in 0..<20_000 {
            let units = Int.random(in: -20_000_000...20_000_000, using: &generator)
            values.append(JSONValue.score(Double(units) / 10_000).numberValue)
            values.append(Double.random(in: -50...50, using: &generator))
        }
        for value in values where value != value.rounded() {
            XCTAssertEqual(JSONValue.number(value).serialized(), "\(value)", "\(value)")
        }
    }

    /// Integers are written two digits at a time into the output, and must read as `description`
    /// writes them, at every length and sign, the extremes included.
    func testIntegersAreWrittenAsTheirDescription() {
        var generator = SystemRandomNumberGenerator()
        var values = [0, 1, -1, 9, 10, 99, 100, 101, -10, -100, 999_999, 1_000_000, Int.max, Int.min, Int.max - 1, Int.min + 1]
        var power = 1
        while power <= Int.max / 10 {
            power *= 10
            values += [power - 1, power, power + 1, -power, -(power - 1)]
        }
        for _ in 0..<20_000 {
            let digits = Int.random(in: 0...18, using: &generator)
            let bound = (0..<digits).reduce(1) { result, _ in result * 10 }
            values.append(Int.random(in: -bound...bound, using: &generator))
        }
        for value in values {
            XCTAssertEqual(JSONValue.integer(value).serialized(), "\(value)")
        }
    }

    /// Strings are escaped where a quote, a backslash or a control character stands, found eight
    /// bytes at a time: every such byte, at every position of a word, must read back as written.
    func testStringsReadBackAfterEscaping() throws {
        var generator = SystemRandomNumberGenerator()
        let specials: [Character] = ["\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "é", "€", "a", " ", "/", "\u{7F}"]
        var texts = ["", "\"", "\\", "plain ascii text of some length", "\u{00}", String(repeating: "\"", count: 17)]
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...40, using: &generator)
            texts.append(String((0..<length).map { _ in specials.randomElement(using: &generator)! }))
        }
        for text in texts {
            let line = JSONValue.array([.string(text)]).serialized()
            let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String]
            XCTAssertEqual(parsed, [text], line)
        }
    }

    /// Span texts are copied from the document's bytes; a span that cuts a character (no bundled
    /// detector makes one) is written as a string would be, with a replacement character.
    func testASpanThatCutsACharacterIsWrittenAsAStringWouldBe() {
        let engine = engine(rules: rules)
        var verdict = engine.classify(Document(id: "d1", body: "Un café serré.", language: "fr"))
        let cut = 7..<14  // from inside the `é` of café to inside the `é` of serré
        verdict.evidence = [Evidence(ruleID: "test.cut", label: nil, weight: 0.5, hits: [Hit(cut)], source: .plugin(id: "test"))]
        let encoder = VerdictEncoder(engine: engine)
        let line = encoder.line(verdict)
        XCTAssertEqual(line, encoder.encode(verdict).serialized())
        XCTAssertEqual(encoder.lineBytes(verdict), Array((line + "\n").utf8))
        XCTAssertTrue(line.contains("\"text\":\"\u{FFFD} serr\u{FFFD}\""), line)
    }

    func testJSONSpansPointIntoTheirField() {
        let engine = engine(rules: rules)
        let verdict = engine.classify(Document(id: "d1", title: "Le RGPD", body: "Vos données personnelles.", language: "fr"))
        let json = VerdictEncoder(engine: engine).encode(verdict).serialized()
        XCTAssertTrue(json.contains(#""field":"title","byte_start":3,"byte_end":7,"char_start":3,"char_end":7,"line":1,"column":4,"text":"RGPD""#), json)
        XCTAssertTrue(json.contains(#""field":"text","byte_start":4,"byte_end":25,"char_start":4,"char_end":24,"line":1,"column":5,"text":"données personnelles""#), json)
    }

    func testBatchOutputIsIdenticalWhateverTheParallelism() {
        let engine = engine(rules: rules)
        let inputs: [InputItem] = (0..<40).map { index in
            index % 7 == 3 ? .failure(InputFailure(id: "bad\(index)", message: "broken"))
                : .document(Document(id: "d\(index)", body: String(repeating: "Le RGPD et les données personnelles. ", count: index % 5 + 1)))
        }
        let reporter = JSONLinesReporter(engine: engine)
        let one = reporter.report(BatchClassifier(engine: engine, jobs: 1).classify(inputs))
        let two = reporter.report(BatchClassifier(engine: engine, jobs: 2).classify(inputs))
        XCTAssertEqual(one, two)
        XCTAssertEqual(one.split(separator: "\n").count, 40)
    }

    func testRunOutcomeFollowsTheDocumentedExitCodes() {
        let engine = engine(rules: rules)
        let allow = BatchItem.verdict(engine.classify(Document(id: "a", body: "Bonjour")))
        XCTAssertEqual(RunOutcome.of([allow], failOn: .block, loadFailed: false), .passed)
        XCTAssertEqual(RunOutcome.of([allow], failOn: .allow, loadFailed: false), .policyFailed)
        XCTAssertEqual(RunOutcome.of([allow, .failure(InputFailure(id: "x", message: "m"))], failOn: .block, loadFailed: false), .runFailed)
        XCTAssertEqual(RunOutcome.of([allow], failOn: nil, loadFailed: true), .runFailed)
    }

    func testDisabledRulesGiveNoEvidence() {
        let result = RuleLoader().load(sources: [(path: "r.yaml", text: rules)])
        let engine = Engine(ruleSet: result.ruleSet, policy: .allowAll, disabledRules: ["privacy"])
        XCTAssertFalse(engine.classify(Document(id: "x", body: "RGPD", language: "fr")).evidence.contains { $0.ruleID == "privacy" })
    }
}

final class DocumentReaderTests: XCTestCase {
    func testBrokenJSONLinesBecomeFailuresAndTheRestIsRead() {
        let data = Data("""
        {"id": "a", "text": "Premier", "lang": "fr", "title": "T"}
        {"id": "b", "text": 
        ["not an object"]
        {"id": "c"}

        {"text": "sans id"}
        """.utf8)
        let items = DocumentReader().readJSONLines(data, source: "in.jsonl")
        XCTAssertEqual(items.count, 5)
        guard case .document(let first) = items[0] else { return XCTFail("first line should be read") }
        XCTAssertEqual(first.declaredLanguage, "fr")
        XCTAssertEqual(first.title, "T")
        let failures = items.compactMap { item -> InputFailure? in if case .failure(let f) = item { return f } else { return nil } }
        XCTAssertEqual(failures.map(\.line), [2, 3, 4])
        XCTAssertEqual(failures.map(\.id), ["in.jsonl:2", "in.jsonl:3", "c"])
        guard case .document(let last) = items[4] else { return XCTFail("last line should be read") }
        XCTAssertEqual(last.id, "in.jsonl:6")
    }

    func testInvalidUTF8IsAFailureNamingTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crible-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([0x41, 0xFF, 0x42]).write(to: folder.appendingPathComponent("b.txt"))
        try Data("# Titre\nCorps".utf8).write(to: folder.appendingPathComponent("a.md"))
        try Data("ignored".utf8).write(to: folder.appendingPathComponent("c.pdf"))
        let items = DocumentReader().read(paths: [folder.path, folder.appendingPathComponent("missing.txt").path])
        XCTAssertEqual(items.count, 3)
        guard case .document(let document) = items[0] else { return XCTFail() }
        XCTAssertEqual(document.title, "Titre")
        guard case .failure(let failure) = items[1] else { return XCTFail() }
        XCTAssertTrue(failure.id.hasSuffix("b.txt"))
        XCTAssertTrue(failure.message.contains("is not valid UTF-8: byte 0xFF at line 1, column 2"), failure.message)
        XCTAssertEqual([failure.line, failure.column], [1, 2])
        guard case .failure(let missing) = items[2] else { return XCTFail() }
        XCTAssertEqual(missing.message, "no such file or folder")
    }

    /// A binary file given by mistake is named for what it is, not read as text nor reported as
    /// text in a wrong encoding; UTF-16 text is told apart, and a feed in UTF-16 is still read.
    func testBinaryAndUTF16FilesAreNamedForWhatTheyAre() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crible-binary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files: [(String, Data, String?)] = [
            ("report.pdf", Data("%PDF-1.7\n".utf8) + Data([0, 0xE2, 0xE3, 0xCF]), "the file is a PDF file: extract its text first"),
            ("notes.docx", Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0]), "the file is an office document"),
            ("renamed.txt", Data("%PDF-1.4\n".utf8) + Data([0xE2, 0xE3]), "the file is a PDF file"),
            ("logs.gz", Data([0x1F, 0x8B, 0x08, 0, 0, 0]), "the file is compressed"),
            ("dump.bin", Data([0x41, 0, 0x42, 0, 0, 0x43]), "the file is binary (it holds NUL bytes)"),
            ("windows.txt", "Bonjour à tous".data(using: .utf16)!, "the file is UTF-16 text: convert it with `iconv -f UTF-16 -t UTF-8`"),
            ("stray.txt", Data("Titre\nUn texte avec un octet nul \u{0} égaré, lu quand même.".utf8), nil),
            ("feed.rss", #"<?xml version="1.0" encoding="UTF-16"?><rss><channel><item><title>Été</title></item></channel></rss>"#
                .data(using: .utf16)!, nil),
        ]
        for (name, data, expected) in files {
            try data.write(to: folder.appendingPathComponent(name))
            let items = DocumentReader().read(file: folder.appendingPathComponent(name).path)
            switch (items.first, expected) {
            case (.document(let document)?, nil) where name == "stray.txt":
                XCTAssertEqual(document.title, "Titre", name)
            case (.failure(let failure)?, let expected?):
                XCTAssertTrue(failure.message.hasPrefix(expected), "\(name): \(failure.message)")
            case (.document(let document)?, nil):
                XCTAssertEqual(document.title, "Été", name)
            default:
                XCTFail("\(name): \(items)")
            }
        }
        // JSON lines are judged line by line: a line of NULs is that line's error alone.
        let lines = Data(#"{"id": "a", "text": "x"#.utf8) + Data([0, 0, 0, 0]) + Data("\"}\n{\"id\": \"b\", \"text\": \"lu\"}\n".utf8)
        try lines.write(to: folder.appendingPathComponent("feed.jsonl"))
        let items = InputQueue(paths: [folder.appendingPathComponent("feed.jsonl").path], reader: DocumentReader()).drain()
        guard items.count == 2, case .failure = items[0], case .document(let kept) = items[1] else { return XCTFail("\(items)") }
        XCTAssertEqual(kept.id, "b")
    }
}

final class UTF8ProblemTests: XCTestCase {
    /// The first bad byte, placed by line and by characters; Latin-1 is recognised by its lone
    /// high bytes, and not guessed for a file that also holds UTF-8 or longer broken sequences.
    func testTheFirstBadByteIsPlacedAndLatin1Recognised() {
        XCTAssertNil(UTF8Problem.first(in: Array("déjà vu\n😀".utf8)))
        let latin1: [UInt8] = Array("ligne 1\nCaf".utf8) + [0xE9, 0x20, 0x63, 0x72, 0xE8, 0x6D, 0x65]
        XCTAssertEqual(UTF8Problem.first(in: latin1),
                       UTF8Problem(offset: 11, line: 2, column: 4, byte: 0xE9, looksLikeLatin1: true))
        XCTAssertTrue(UTF8Problem.first(in: latin1)!.description.contains("iconv -f WINDOWS-1252"))
        let mixed: [UInt8] = Array("é à ".utf8) + [0xE9]
        XCTAssertEqual(UTF8Problem.first(in: mixed), UTF8Problem(offset: 6, line: 1, column: 5, byte: 0xE9, looksLikeLatin1: false))
        let truncated: [UInt8] = [0x61, 0xF0, 0x9F, 0x98]
        XCTAssertEqual(UTF8Problem.first(in: truncated)?.looksLikeLatin1, false, "a broken four-byte sequence is not Latin-1")
        XCTAssertEqual(UTF8Problem.first(in: truncated)?.offset, 1)
    }

    func testAJSONLineInLatin1NamesItsColumn() {
        let line: [UInt8] = Array(#"{"id": "a", "text": "Caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)
        guard case .failure(let failure) = DocumentReader().item(fromJSONLine: line[...], source: "in.jsonl", line: 4) else {
            return XCTFail()
        }
        XCTAssertEqual([failure.line, failure.column], [4, 25])
        XCTAssertTrue(failure.message.hasPrefix("line 4 is not valid UTF-8: byte 0xE9 at column 25; the text looks like Latin-1"),
                      failure.message)
    }
}

final class ShortTextTests: XCTestCase {
    /// A comment of a word or two, too short for its language to be identified, is scored with
    /// the lexicon that covers at least half of its words; its language stays undetermined, so
    /// the rules of every language still run on it.
    func testAShortTextOfUndeterminedLanguageIsScoredWithTheLexiconThatKnowsItsWords() {
        func classified(_ text: String) -> (language: String, sentiment: String) {
            let verdict = bundledEngine.classify(Document(id: "c", body: text))
            return (verdict.language.code, verdict.sentiment.label)
        }
        XCTAssertEqual(classified("Magnifique").language, "und")
        XCTAssertEqual(classified("Magnifique").sentiment, "sentiment/positive")
        XCTAssertEqual(classified("Quelle horreur").sentiment, "sentiment/negative")
        XCTAssertEqual(classified("Awful").sentiment, "sentiment/negative")
        XCTAssertEqual(classified("xyz magnifique").sentiment, "sentiment/positive", "half of the words")
        XCTAssertEqual(classified("hmm xyz magnifique").sentiment, "sentiment/neutral", "one word in three says nothing")
        XCTAssertEqual(classified("Hola amigo").sentiment, "sentiment/neutral")
        let long = Array(repeating: "magnifique", count: Engine.shortTextTokens + 1).joined(separator: " ")
        XCTAssertEqual(classified(long).language, "und")
        XCTAssertEqual(classified(long).sentiment, "sentiment/neutral", "only short texts are guessed at")
    }
}

final class FeedReaderTests: XCTestCase {
    let feeds = repositoryRoot.appendingPathComponent("Tests/Fixtures/feeds")

    func documents(_ name: String) -> [InputItem] {
        DocumentReader().read(paths: [feeds.appendingPathComponent(name).path])
    }

    func testRSSItemsBecomeDocumentsWithoutMarkup() {
        let items = documents("news.rss")
        XCTAssertEqual(items.count, 2)
        guard case .document(let first) = items[0], case .document(let second) = items[1] else { return XCTFail() }
        XCTAssertEqual(first.id, "https://example.org/a1")
        XCTAssertEqual(first.title, "La CNIL sanctionne un éditeur d'IA")
        XCTAssertEqual(first.body, "La CNIL a infligé une amende au titre du RGPD à l\u{2019}éditeur d'un chatbot.")
        XCTAssertEqual(first.metadata["published"], "Mon, 02 Feb 2026 10:00:00 +0100")
        XCTAssertEqual(second.id, "urn:a2", "no link: the guid is the id")
        XCTAssertEqual([first.declaredLanguage, second.declaredLanguage], ["fr", "fr"],
                       "the channel's language (fr-FR), as its primary subtag, for every item")
    }

    func testAnAtomEntrysLanguageWinsOverItsFeeds() {
        let languages = documents("tech.atom").map { item -> String? in
            if case .document(let document) = item { document.declaredLanguage } else { nil }
        }
        XCTAssertEqual(languages, ["en", "fr"], "the feed's xml:lang, then the entry's own (fr-CA)")
    }

    func testALanguageAssumedForTheInputsFillsOnlyWhatTheyLeaveOut() {
        var reader = DocumentReader()
        reader.assumedLanguage = "FR"
        let lines = Data("""
        {"id": "a", "text": "Quelle lâcheté."}
        {"id": "b", "text": "What a shame.", "lang": "en-GB"}
        """.utf8)
        let items = InputQueue(items: reader.readJSONLines(lines, source: "in.jsonl"), reader: reader).drain()
            + reader.read(paths: [feeds.appendingPathComponent("tech.atom").path])
        let languages = items.map { item -> String? in if case .document(let document) = item { document.declaredLanguage } else { nil } }
        XCTAssertEqual(languages, ["fr", "en", "en", "fr"], "declared languages stay; the others take the assumed one")
    }

    func testAtomEntriesUseTheirLinkAndDecodedSummary() {
        guard case .document(let entry) = documents("tech.atom").first else { return XCTFail() }
        XCTAssertEqual(entry.id, "https://example.org/e1")
        XCTAssertEqual(entry.body, "The deal covers training data and copyright.")
    }

    /// HTML's named entities are not XML's: a feed using them outside CDATA used to stop at the
    /// first one, losing the items after it.
    func testHTMLEntitiesOutsideCDATAAreRead() {
        let feed = Data("""
        <rss version="2.0"><channel><title>T</title>
        <item><title>R&eacute;forme &laquo;&nbsp;urgente&nbsp;&raquo;</title><guid>a</guid>
        <description>Un c&oelig;ur &agrave; 5&nbsp;&euro; &amp; plus&hellip; &#233;t&#xE9;</description></item>
        <item><title>Second</title><guid>b</guid><description><![CDATA[<p>Caf&eacute; &Eacute;t&eacute;</p>]]></description></item>
        </channel></rss>
        """.utf8)
        let items = FeedReader().read(feed, source: "f.rss")
        let documents = items.compactMap { item -> Document? in if case .document(let document) = item { document } else { nil } }
        XCTAssertEqual(documents.count, 2, "\(items)")
        XCTAssertEqual(documents.first?.title, "Réforme «\u{A0}urgente\u{A0}»")
        XCTAssertEqual(documents.first?.body, "Un cœur à 5\u{A0}€ & plus… été")
        XCTAssertEqual(documents.last?.body, "Café Été")
    }

    /// The HTML inside a feed item loses its tags as a page does: not at a `>` in a quoted value,
    /// and not at a `<` that opens no tag.
    func testFeedHTMLKeepsTextAroundAngleBrackets() {
        XCTAssertEqual(HTMLText.plain(#"<p class="a > b">Quand a < b, le prix baisse.</p><script>x()</script>Fin"#),
                       "Quand a < b, le prix baisse.\nFin")
    }

    /// Each entity becomes a reference of the same length where it can, so that the parser's
    /// columns still point into the file.
    func testNumericEntitiesKeepTheirEntitysLength() {
        let converted = String(decoding: FeedReader.withNumericEntities(Data("a&eacute;b&nbsp;&amp;&foo;&ne;".utf8)), as: UTF8.self)
        XCTAssertEqual(converted, "a&#00233;b&#160;&amp;&foo;&#8800;")
    }

    /// `AT&T` in a title: the error names the `&`, not the end of the line where the parser stopped.
    func testABareAmpersandIsPlacedExactly() {
        let feed = Data("<rss><channel>\n<item><title>Caf&eacute; <![CDATA[a & b]]> AT&T</title></item></channel></rss>".utf8)
        guard case .failure(let failure) = FeedReader().read(feed, source: "f.rss").last else { return XCTFail() }
        XCTAssertEqual(failure.line, 2)
        XCTAssertEqual(failure.column, 46)
        XCTAssertTrue(failure.message.contains("write `&amp;`"), failure.message)
    }

    func testATruncatedFeedIsAFailureNamingItsLine() {
        let items = documents("truncated.rss")
        guard case .failure(let failure) = items.last else { return XCTFail("\(items)") }
        XCTAssertEqual(failure.line, 1)
        XCTAssertTrue(failure.message.contains("not well-formed"), failure.message)
    }
}

final class SuppressionTests: XCTestCase {
    /// The directive is found wherever it stands (at the start, at the end, after hyphens and
    /// near misses), and a text without it, however many hyphens it has, parses to nothing.
    func testDirectiveIsFoundAtAnyPositionAndOnlyWhole() {
        let directive = "<!-- crible-disable-next-line spam.* -->"
        for prefix in ["", "x", "a-b-c ", "crible- crible-disabl ", String(repeating: "-", count: 13), "peut-être "] {
            for suffix in ["", " fin", "-"] {
                let parsed = Suppression.parse(Array((prefix + directive + suffix).utf8))
                XCTAssertEqual(parsed.count, 1, "\(prefix)|\(suffix)")
            }
        }
        for text in ["", "-", "crible-disabl", "crible disable-next-line", "rible-disable", String(repeating: "a-", count: 50)] {
            XCTAssertTrue(Suppression.parse(Array(text.utf8)).isEmpty, text)
        }
    }

    let rules = """
    crible: 1
    labels:
      moderation/pii: {description: pii}
      test/privacy: {description: p}
    rules:
      - {id: mail, label: moderation/pii, description: d, weight: 0.9, regex: '[a-z0-9.]+@[a-z0-9.]+\\.[a-z]{2,}'}
      - {id: privacy, label: test/privacy, description: d, weight: 0.7, keywords: [RGPD]}
    """

    func testRegionsNextLinesTargetsAndUnusedDirectives() {
        let engine = engine(rules: rules)
        let text = """
        Contact : ana@example.org (RGPD)
        <!-- crible-disable moderation/pii -->
        Presse : presse@example.org et RGPD
        <!-- crible-enable -->
        <!-- crible-disable-next-line privacy -->
        Le RGPD encore, et bob@example.org
        <!-- crible-disable-next-line spam.* -->
        Rien ici.
        """
        let verdict = engine.classify(Document(id: "s", body: text, language: "fr"))
        let mails = verdict.evidence.first { $0.ruleID == "mail" }!.spans.map(verdict.text.originalString)
        XCTAssertEqual(mails, ["ana@example.org", "bob@example.org"])
        let privacy = verdict.evidence.first { $0.ruleID == "privacy" }!.spans.count
        XCTAssertEqual(privacy, 2, "the RGPD of the suppressed line is gone; the pii region keeps it: \(verdict.evidence.first { $0.ruleID == "privacy" }!.spans.map { LineIndex(verdict.text.original).position(ofByte: $0.lowerBound).line })")
        XCTAssertEqual(verdict.suppressedHits, 3, "presse@ for the rule and for the PII plugin, and the RGPD of the suppressed line")
        XCTAssertEqual(verdict.unusedSuppressions.map { verdict.text.originalString($0.directive) }, ["<!-- crible-disable-next-line spam.* -->"])
        let json = VerdictEncoder(engine: engine).encode(verdict).serialized()
        XCTAssertTrue(json.contains(#""unused_suppressions":[{"directive":{"field":"text""#), json)
    }

    /// What a streamed batch keeps of a verdict once written: what decides the run's outcome
    /// (id, origin, language, labels, action, reasons, issues, the sentiment's score and label,
    /// the suppressed-hit count), not the text, evidence, candidate scores, sentiment terms or
    /// unused directives; and a compacted verdict keeps everything but the folded view.
    func testAVerdictKeptAfterOutputHoldsWhatDecidesTheOutcome() {
        let engine = engine(rules: rules)
        var document = Document(id: "kept", body: """
        Contact : ana@example.org, super (RGPD)
        <!-- crible-disable-next-line privacy -->
        Le RGPD encore
        <!-- crible-disable-next-line spam.* -->
        Rien ici.
        """, language: "fr")
        document.origin = Document.Origin(file: "in.jsonl", line: 7)
        let full = engine.classify(document)
        XCTAssertFalse(full.evidence.isEmpty)
        XCTAssertFalse(full.unusedSuppressions.isEmpty)
        XCTAssertGreaterThan(full.suppressedHits, 0)

        let compacted = full.withCompactedText()
        XCTAssertEqual(compacted.text.original, full.text.original)
        XCTAssertEqual(compacted.text.tokenCount, full.text.tokenCount)
        XCTAssertTrue(compacted.text.folded.isEmpty)
        XCTAssertEqual(compacted.evidence, full.evidence)
        XCTAssertEqual(compacted.labels, full.labels)
        XCTAssertEqual(compacted.suppressedHits, full.suppressedHits)
        XCTAssertEqual(compacted.unusedSuppressions.count, full.unusedSuppressions.count)

        guard case .verdict(let kept) = BatchItem.verdict(full).outcomeOnly else { return XCTFail("a verdict stays a verdict") }
        XCTAssertEqual(kept.document.id, "kept")
        XCTAssertEqual(kept.document.origin, document.origin)
        XCTAssertEqual(kept.document.content, "")
        XCTAssertEqual(kept.language, full.language)
        XCTAssertEqual(kept.labels, full.labels)
        XCTAssertEqual(kept.action, full.action)
        XCTAssertEqual(kept.reasons, full.reasons)
        XCTAssertEqual(kept.issues, full.issues)
        XCTAssertEqual(kept.sentiment.score, full.sentiment.score)
        XCTAssertEqual(kept.sentiment.label, full.sentiment.label)
        XCTAssertEqual(kept.suppressedHits, full.suppressedHits)
        XCTAssertTrue(kept.sentiment.terms.isEmpty)
        XCTAssertTrue(kept.evidence.isEmpty)
        XCTAssertTrue(kept.candidateScores.isEmpty)
        XCTAssertTrue(kept.unusedSuppressions.isEmpty)
        XCTAssertTrue(kept.text.original.isEmpty)
    }
}

final class InputOptionsTests: XCTestCase {
    func testMarkdownFrontMatterAndCodeBlocksAreBlankedKeepingOffsets() {
        let text = "---\ntitle: RGPD\ntags: [x]\n---\n# Le vrai titre\n\nTexte.\n```\nRGPD dans le code\n```\nFin RGPD."
        let analysed = MarkdownText.analysable(text, skipCodeBlocks: true)
        XCTAssertEqual(analysed.utf8.count, text.utf8.count)
        XCTAssertEqual(analysed.components(separatedBy: "RGPD").count - 1, 1, "only the prose keeps its RGPD")
        XCTAssertTrue(analysed.hasSuffix("Fin RGPD."))
        let document = Document(id: "a.md", body: analysed, titleIsFirstLine: true)
        XCTAssertEqual(document.title, "Le vrai titre")
        XCTAssertEqual(MarkdownText.analysable(text, skipCodeBlocks: false).components(separatedBy: "RGPD").count - 1, 2)
    }

    func testJSONLFieldNamesAndForcedTypes() {
        var reader = DocumentReader()
        reader.idField = "uid"
        reader.textField = "body"
        let items = reader.readJSONLines(Data(#"{"uid": 7, "body": "Bonjour"}"#.utf8), source: "x.jsonl")
        guard case .document(let document) = items.first else { return XCTFail("\(items)") }
        XCTAssertEqual(document.id, "7")
        XCTAssertEqual(document.body, "Bonjour")
        reader.forcedType = .jsonl
        XCTAssertEqual(reader.type(of: "export.txt"), .jsonl)
        XCTAssertEqual(DocumentReader().type(of: "a.markdown"), .markdown)
    }
}

final class HTMLReaderTests: XCTestCase {
    func testThePagesLanguageIsTheLangOfItsHTMLTag() {
        let reader = HTMLReader()
        func language(_ page: String) -> String? { reader.language(of: Array(page.utf8)) }
        XCTAssertEqual(language(#"<!DOCTYPE html><HTML LANG="fr-FR"><body>x</body></HTML>"#), "fr-FR")
        XCTAssertEqual(language("<html class='a' lang='en'>"), "en")
        XCTAssertEqual(language(#"<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr">"#), "fr")
        XCTAssertEqual(language("<html\nlang=de>"), "de", "unquoted, after a line break")
        XCTAssertNil(language(#"<html data-lang="fr"><p lang="en">"#), "another attribute ending in lang, a lang beyond the tag")
        XCTAssertNil(language("<htmlx lang=fr><p>"))
        XCTAssertNil(language("<p>no html tag</p>"))
    }

    func testTextOfAPageMapsBackToTheFile() throws {
        let path = repositoryRoot.appendingPathComponent("Tests/Fixtures/html/page.html").path
        guard case .document(let document) = DocumentReader().read(file: path).first else { return XCTFail() }
        XCTAssertEqual(document.title, "Contact de la rédaction")
        XCTAssertFalse(document.body.contains("x@example.org"), "scripts are skipped")
        XCTAssertFalse(document.body.contains("bob@example.org"), "comments are skipped")
        XCTAssertFalse(document.body.contains("color"), "styles are skipped")
        let page = try String(contentsOfFile: path, encoding: .utf8)
        let content = Array(document.content.utf8)
        let start = document.content.range(of: "redaction@example.org")!
        let range = content.count - document.content[start.lowerBound...].utf8.count
        let map = try XCTUnwrap(document.origin?.sourceMap)
        let pageRange = map.pageRange(of: range..<(range + "redaction@example.org".utf8.count))
        XCTAssertEqual(String(decoding: Array(page.utf8)[pageRange], as: UTF8.self), "redaction@example.org")
        let entity = document.content.range(of: "écrire")!
        let entityStart = content.count - document.content[entity.lowerBound...].utf8.count
        XCTAssertEqual(String(decoding: Array(page.utf8)[map.pageRange(of: entityStart..<(entityStart + 2))], as: UTF8.self), "&eacute;")
    }

    /// A `>` inside a quoted attribute value does not end its tag, a `<` that opens no tag is
    /// text, and an apostrophe in an unquoted value opens nothing.
    func testTagsEndOutsideQuotesAndABareLessThanIsText() {
        func text(_ page: String) -> String { String(decoding: HTMLReader().extract(Array(page.utf8)).text, as: UTF8.self) }
        XCTAssertEqual(text(#"<p data-x="a > b" title='c > d'>Le texte</p>"#), "\nLe texte\n")
        XCTAssertEqual(text("<p>si a < b et c > d</p>"), "\nsi a < b et c > d\n")
        XCTAssertEqual(text("<a title=l'hiver href=x>lien</a> et l'été"), "lien et l'été")
        XCTAssertEqual(text(#"<p class="never closed>Texte"#), "\nTexte", "an unclosed quote: the first > ends the tag")
    }
}

private extension JSONValue {
    var numberValue: Double {
        guard case .number(let value) = self else { preconditionFailure("a number") }
        return value
    }
}
