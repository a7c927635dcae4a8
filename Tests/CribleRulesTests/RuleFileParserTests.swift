import CribleCore
@testable import CribleRules
import XCTest

final class RuleFileParserTests: XCTestCase {
    func testUnknownKeyIsReportedAtItsLineAndColumnWithASuggestion() {
        let text = labelHeader + """
        rules:
          - id: r1
            label: test/a
            description: d
            weigth: 0.4
            keywords: [x]
        """
        let result = load([("f.yaml", text)])
        let error = result.errors.first
        XCTAssertEqual(error?.code, "E002")
        XCTAssertEqual(error?.line, 9)
        XCTAssertEqual(error?.column, 5)
        XCTAssertEqual(error?.hint, "did you mean `weight`?")
        XCTAssertEqual(error?.file, "f.yaml")
    }

    func testWrongTypesAreErrors() {
        let text = labelHeader + """
        rules:
          - id: r1
            label: test/a
            description: d
            weight: heavy
            keywords: [x]
          - id: r2
            label: test/a
            description: d
            keywords: {a: b}
        """
        let codes = load([("f.yaml", text)]).errors.map(\.code)
        XCTAssertEqual(codes, ["E003", "E003"])
    }

    func testYAMLSyntaxErrorNamesThePlace() {
        let result = load([("broken.yaml", "crible: 1\nrules:\n  - id: [unclosed\n")])
        XCTAssertEqual(result.errors.first?.code, "E001")
        XCTAssertEqual(result.errors.first?.file, "broken.yaml")
        XCTAssertGreaterThanOrEqual(result.errors.first?.line ?? 0, 3)
    }

    func testInvalidRegexPointsIntoThePattern() {
        let text = labelHeader + """
        rules:
          - id: r1
            label: test/a
            description: d
            regex: 'ab(cd'
        """
        let error = load([("f.yaml", text)]).errors.first
        XCTAssertEqual(error?.code, "E014")
        XCTAssertEqual(error?.line, 9)
        // `regex: '` puts the pattern at column 13; PCRE2 stops at offset 5 (end of pattern).
        XCTAssertEqual(error?.column, 12 + 1 + 5)
        XCTAssertTrue(error?.message.contains("missing closing parenthesis") ?? false)
    }

    func testOneBadFileDoesNotSinkTheOthers() {
        let good = labelHeader + """
        rules:
          - id: good
            label: test/a
            description: d
            keywords: [bonjour]
        """
        let result = load([("bad.yaml", "crible: 1\nrules: 12\n"), ("good.yaml", good)])
        XCTAssertEqual(result.errors.count, 1)
        XCTAssertNotNil(result.ruleSet.rule(withID: "good"))
    }

    func testDuplicateIdsUnknownLabelsMissingRulesAndCycles() {
        let text = labelHeader + """
        rules:
          - {id: r1, label: test/a, description: d, keywords: [x]}
          - {id: r1, label: test/a, description: d, keywords: [y]}
          - {id: r2, label: test/zzz, description: d, keywords: [y]}
          - {id: c1, label: test/a, description: d, all: [r1, nope]}
          - {id: c2, label: test/a, description: d, all: [c3]}
          - {id: c3, label: test/a, description: d, all: [c2]}
        """
        let codes = load([("f.yaml", text)]).errors.map(\.code).sorted()
        XCTAssertEqual(codes, ["E012", "E013", "E015", "E016", "E016"])
    }

    func testMissingVersionAndKind() {
        let result = load([("f.yaml", "rules:\n  - {id: r, description: d}\n")])
        XCTAssertEqual(Set(result.errors.map(\.code)), ["E005", "E009"])
    }

    func testLexiconEntriesKeepTheirLines() {
        let text = """
        crible: 1
        lexicon:
          id: lex
          lang: fr
          valences: |
            bon 2
            mauvais -2
            pas un nombre
            excessif 9
        """
        let result = load([("lex.yaml", text)])
        XCTAssertEqual(result.errors.map(\.line), [8, 9])
        XCTAssertEqual(result.errors.map(\.column), [5, 5], "the column of the term, after the block's indentation")
        XCTAssertEqual(result.errors.map(\.code), ["E011", "E008"])
        XCTAssertEqual(result.ruleSet.lexicons["fr"]?.entryCount, 2)
    }

    /// Lexicons of one language merge: a term that folds to the same words as an earlier one
    /// ("coup de cœur", "coup de coeur") is the same entry, a later file overrides an earlier one
    /// silently, and a term listed twice in one file is a warning at the later line.
    func testLexiconsMergeByFoldedWords() throws {
        let first = """
        crible: 1
        lexicon:
          id: first
          lang: fr
          valences: |
            coup de cœur 2
            nul -2
            nul* -1
            nul -1.5
        """
        let second = """
        crible: 1
        lexicon:
          id: second
          lang: fr
          valences: |
            coup de coeur 3
        """
        let result = load([("a.yaml", first), ("b.yaml", second)])
        XCTAssertTrue(result.errors.isEmpty)
        let warnings = result.diagnostics.filter { $0.code == "W006" }
        XCTAssertEqual(warnings.map(\.file), ["a.yaml"])
        XCTAssertEqual(warnings.map(\.line), [9])
        XCTAssertTrue(warnings.first?.message.contains("wins over -2.0 (line 7)") ?? false, warnings.first?.message ?? "")
        let lexicon = try XCTUnwrap(result.ruleSet.lexicons["fr"])
        XCTAssertEqual(lexicon.valenceCount, 3, "coup de cœur, nul, and the prefix nul*")
        let valences = lexicon.termMatches(in: TextView("Un coup de cœur, pas nul du tout, nullissime")).valences
        let found = valences.map { (lexicon.terms.phrase(of: $0).source, lexicon.valence(of: $0).value, lexicon.valence(of: $0).lexiconID) }
        XCTAssertEqual(found.map(\.0), ["coup de coeur", "nul", "nul*", "nul*"])
        XCTAssertEqual(found.map(\.1), [3, -1.5, -1, -1])
        XCTAssertEqual(found.map(\.2), ["second", "first", "first", "first"])
    }

    /// A concessive phrase is whole words: a `*` anywhere in it, or no word at all, is an error at
    /// its own line and column, and the other phrases still load.
    func testConcessivePhrasesAreWholeWords() {
        let text = """
        crible: 1
        lexicon:
          id: lex
          lang: fr
          valences: |
            bon 2
          concessive:
            - malgré
            - bien* que
            - même s*
            - "..."
        """
        let result = load([("lex.yaml", text)])
        XCTAssertEqual(result.errors.map(\.code), ["E010", "E010", "E010"])
        XCTAssertEqual(result.errors.map(\.line), [9, 10, 11])
        XCTAssertEqual(result.ruleSet.lexicons["fr"]?.concessionStart, 1, "one valence, then the concessions")
        XCTAssertEqual(result.ruleSet.lexicons["fr"]?.terms.count, 2, "malgré alone is kept")
    }
}
