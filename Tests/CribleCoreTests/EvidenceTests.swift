import CribleCore
import XCTest

/// Evidence keeps who found it (rule, label, source, note) in one object shared by its copies:
/// it must still behave as a plain value.
final class EvidenceTests: XCTestCase {
    private func sample() -> Evidence {
        Evidence(ruleID: "topic.sport.scores-fr", label: "topic/sport", weight: 0.5, hits: [Hit(3..<9)],
                 source: .rule(file: "Rules/topic/sport.yaml"))
    }

    func testChangingACopyLeavesTheOriginalAlone() {
        let original = sample()
        var copy = original
        copy.ruleID = "other"
        copy.label = nil
        copy.source = .plugin(id: "pii")
        copy.note = "a note"
        XCTAssertEqual(original.ruleID, "topic.sport.scores-fr")
        XCTAssertEqual(original.label, "topic/sport")
        XCTAssertEqual(original.source, .rule(file: "Rules/topic/sport.yaml"))
        XCTAssertNil(original.note)
        XCTAssertEqual(copy.ruleID, "other")
        XCTAssertNil(copy.label)
        XCTAssertEqual(copy.source, .plugin(id: "pii"))
        XCTAssertEqual(copy.note, "a note")
    }

    func testEqualityAndHashingCompareValuesNotSharing() {
        let first = sample(), second = sample()
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.hashValue, second.hashValue)
        XCTAssertEqual(Set([first, second]).count, 1)
        // Each field that makes the value, changed on its own, makes it different.
        let changes: [(inout Evidence) -> Void] = [
            { $0.ruleID = "x" }, { $0.label = "topic/politics" }, { $0.label = nil }, { $0.weight = 0.25 },
            { $0.hits = [] }, { $0.source = .rule(file: "other.yaml") }, { $0.note = "n" },
        ]
        for change in changes {
            var changed = first
            change(&changed)
            XCTAssertNotEqual(changed, first)
            XCTAssertNotEqual(first, changed)
            var restored = changed
            restored.ruleID = first.ruleID
            restored.label = first.label
            restored.weight = first.weight
            restored.hits = first.hits
            restored.source = first.source
            restored.note = first.note
            XCTAssertEqual(restored, first)
            XCTAssertEqual(restored.hashValue, first.hashValue)
        }
    }

    /// The label's number is a cache of the label: a new label clears it, so that the scorer,
    /// which trusts the number, reads the name instead.
    func testANewLabelClearsItsNumber() {
        var evidence = Evidence(ruleID: "r", label: "topic/sport", labelNumber: 3, weight: 0.5, hits: [], source: .rule(file: "f"))
        XCTAssertEqual(evidence.labelNumber, 3)
        evidence.label = nil
        XCTAssertEqual(evidence.labelNumber, -1)
    }
}
