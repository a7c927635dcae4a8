@testable import CribleRules
import XCTest

final class YAMLComposerTests: XCTestCase {
    private func root(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (YAMLNode?, [YAMLComposer.Duplicate]) {
        switch YAMLComposer.compose(text) {
        case .success(let result): return result
        case .failure(let error):
            XCTFail("unexpected error: \(error.message) at \(error.mark)", file: file, line: line)
            return (nil, [])
        }
    }

    func testScalarsKeepTheirTextStyleAndPosition() throws {
        let text = "plain: no\nquoted: 'yes'\ndouble: \"1e3\"\nblock: |\n  a\n  b\nfolded: >\n  c\n  d\n«clé»: été\n"
        let pairs = try XCTUnwrap(root(text).0?.mapping)
        let scalars = pairs.map { ($0.key.scalar!.string, $0.value.scalar!) }
        XCTAssertEqual(scalars.map(\.0), ["plain", "quoted", "double", "block", "folded", "«clé»"])
        XCTAssertEqual(scalars.map(\.1.string), ["no", "yes", "1e3", "a\nb\n", "c d\n", "été"])
        XCTAssertEqual(scalars.map(\.1.style), [.plain, .singleQuoted, .doubleQuoted, .literal, .folded, .plain])
        // Columns count characters, not bytes: `«clé»: ` is seven characters and nine bytes.
        XCTAssertEqual(scalars[5].1.mark, YAMLMark(line: 10, column: 8))
        XCTAssertEqual(pairs[3].value.mark, YAMLMark(line: 4, column: 8))
    }

    func testSequencesMappingsAndEmptyValues() throws {
        let node = try XCTUnwrap(root("items:\n  - a\n  - {k: v}\n  - [1, 2]\nempty:\n").0)
        let items = try XCTUnwrap(node.value(forKey: "items")?.sequence)
        XCTAssertEqual(items.count, 3)
        XCTAssertEqual(items[1].value(forKey: "k")?.scalar?.string, "v")
        XCTAssertEqual(items[2].sequence?.compactMap(\.scalar?.string), ["1", "2"])
        XCTAssertEqual(items[1].mark, YAMLMark(line: 3, column: 5))
        XCTAssertEqual(node.value(forKey: "empty")?.scalar?.string, "")
        XCTAssertNil(node.value(forKey: "missing"))
    }

    func testAnEmptyTextHasNoRoot() {
        XCTAssertNil(root("").0)
        XCTAssertNil(root("# only a comment\n").0)
    }

    func testAliasesRepeatTheAnchoredNode() throws {
        let node = try XCTUnwrap(root("base: &words [a, b]\ncopy: *words\n").0)
        XCTAssertEqual(node.value(forKey: "copy")?.sequence?.compactMap(\.scalar?.string), ["a", "b"])
    }

    func testAnUndefinedAliasIsAnErrorAtItsPlace() {
        guard case .failure(let error) = YAMLComposer.compose("a: 1\nb: *nowhere\n") else { return XCTFail("expected an error") }
        XCTAssertTrue(error.message.contains("undefined alias"), error.message)
        XCTAssertEqual(error.mark, YAMLMark(line: 2, column: 4))
    }

    func testRepeatedKeysKeepTheFirstValueAndAreReportedWhereTheyRepeat() throws {
        let (node, duplicates) = root("a: 1\nb: 2\na: 3\n")
        XCTAssertEqual(node?.mapping?.count, 2)
        XCTAssertEqual(node?.value(forKey: "a")?.scalar?.string, "1")
        XCTAssertEqual(duplicates.map(\.key), ["a"])
        XCTAssertEqual(duplicates.first?.mark, YAMLMark(line: 3, column: 1))
        XCTAssertEqual(duplicates.first?.first, YAMLMark(line: 1, column: 1))
    }

    func testRepeatedKeysAreFoundInLargeMappingsToo() {
        let keys = (0..<40).map { "key\($0): \($0)" } + ["key7: again", "key33: again"]
        let (node, duplicates) = root(keys.joined(separator: "\n"))
        XCTAssertEqual(node?.mapping?.count, 40)
        XCTAssertEqual(duplicates.map(\.key), ["key7", "key33"])
        XCTAssertEqual(duplicates.map(\.mark.line), [41, 42])
        XCTAssertEqual(node?.value(forKey: "key33")?.scalar?.string, "33")
    }

    func testSyntaxErrorsCarryLibyamlsWordingAndPosition() {
        guard case .failure(let error) = YAMLComposer.compose("a: 'open\nb: 2\n") else { return XCTFail("expected an error") }
        XCTAssertEqual(error.message, "found unexpected end of stream (while scanning a quoted scalar at 1:4)")
        XCTAssertEqual(error.mark.line, 3)
    }

    func testAControlCharacterIsPlacedByLineAndColumn() {
        guard case .failure(let error) = YAMLComposer.compose("a: 1\nbé: x\u{7}y\n") else { return XCTFail("expected an error") }
        XCTAssertTrue(error.message.contains("control characters"), error.message)
        XCTAssertEqual(error.mark, YAMLMark(line: 2, column: 6))
    }

    func testASecondDocumentIsRefused() {
        guard case .failure(let error) = YAMLComposer.compose("a: 1\n---\nb: 2\n") else { return XCTFail("expected an error") }
        XCTAssertTrue(error.message.contains("second document"), error.message)
        XCTAssertEqual(error.mark.line, 2)
    }

    func testDuplicateRuleKeysAreReportedAndTheRestOfTheFileLoads() {
        let text = labelHeader + """
        rules:
          - id: r1
            label: test/a
            description: d
            keywords: [x]
            keywords: [y]
          - id: r2
            label: test/a
            description: d
            keywords: [z]
        """
        let result = load([("f.yaml", text)])
        XCTAssertEqual(result.errors.map(\.code), ["E004"])
        XCTAssertEqual(result.errors.first?.line, 10)
        XCTAssertEqual(result.errors.first?.column, 5)
        XCTAssertEqual(result.ruleSet.rules.map(\.id), ["r1", "r2"])
    }
}
