import CribleCore

/// Reads a composed YAML tree and reports every problem as a ``Diagnostic`` at the exact
/// line and column, instead of `Codable`'s "keyNotFound" with a coding path.
///
/// Reading never stops at the first problem: a reader collects diagnostics and callers skip the
/// faulty part, so one bad rule is reported and the rest of the file still loads.
final class YAMLReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    /// The YAML tree of a file's text, or the syntax error as a diagnostic at its line and column.
    /// Every Crible YAML file (rules, policies, configuration) is read through here. A repeated
    /// key is reported here (E004, at the repetition) and dropped, keeping the first value.
    func compose(_ text: String) -> Result<YAMLNode?, Diagnostic> {
        switch YAMLComposer.compose(text) {
        case .success(let (root, duplicates)):
            for duplicate in duplicates {
                diagnostics.append(Diagnostic(.error, "E004", "duplicate key `\(duplicate.key)` (first at line \(duplicate.first.line))",
                                              file: file, line: duplicate.mark.line, column: duplicate.mark.column,
                                              length: max(1, duplicate.key.count), hint: "a key appears once per mapping; the first value is used"))
            }
            return .success(root)
        case .failure(let error):
            return .failure(Diagnostic(.error, "E001", "YAML syntax: \(error.message)", file: file,
                                       line: error.mark.line, column: error.mark.column))
        }
    }

    func error(_ code: String, _ message: String, at node: YAMLNode?, hint: String? = nil) {
        let (line, column, length) = position(of: node)
        diagnostics.append(Diagnostic(.error, code, message, file: file, line: line, column: column,
                                      length: length, hint: hint))
    }

    func warning(_ code: String, _ message: String, at node: YAMLNode?, hint: String? = nil) {
        let (line, column, length) = position(of: node)
        diagnostics.append(Diagnostic(.warning, code, message, file: file, line: line, column: column,
                                      length: length, hint: hint))
    }

    func position(of node: YAMLNode?) -> (Int, Int, Int) {
        guard let node else { return (1, 1, 1) }
        let length = node.scalar.map { max(1, $0.string.count) } ?? 1
        return (node.mark.line, node.mark.column, length)
    }

    /// The pairs of a mapping, checking keys against the allowed set (with "did you mean").
    func mapping(_ node: YAMLNode, context: String, allowed: Set<String>) -> [(key: String, keyNode: YAMLNode, value: YAMLNode)]? {
        guard let mapping = node.mapping else {
            error("E003", "\(context) must be a mapping (key: value), found \(kindName(node))", at: node)
            return nil
        }
        var pairs: [(String, YAMLNode, YAMLNode)] = []
        // Repeated keys were reported and dropped by the composer.
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                error("E003", "keys in \(context) must be plain strings", at: keyNode)
                continue
            }
            if !allowed.contains(key) {
                let suggestion = closestMatch(to: key, in: allowed)
                error("E002", "unknown key `\(key)` in \(context)", at: keyNode,
                      hint: suggestion.map { "did you mean `\($0)`?" } ?? "allowed keys: \(allowed.sorted().joined(separator: ", "))")
                continue
            }
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    /// `context` is only built when there is an error to report: it is asked for every item of
    /// every list, tens of thousands of times per load.
    func string(_ node: YAMLNode, context: @autoclosure () -> String) -> String? {
        guard let scalar = node.scalar else {
            error("E003", "\(context()) must be a string, found \(kindName(node))", at: node)
            return nil
        }
        return scalar.string
    }

    func nonEmptyString(_ node: YAMLNode, context: String) -> String? {
        guard let value = string(node, context: context) else { return nil }
        if value.allSatisfy(\.isWhitespace) {
            error("E003", "\(context) must not be empty", at: node)
            return nil
        }
        return value
    }

    func number(_ node: YAMLNode, context: String) -> Double? {
        guard let scalar = node.scalar, let value = Double(scalar.string), scalar.style == .plain else {
            error("E003", "\(context) must be a number, found \(describe(node))", at: node)
            return nil
        }
        return value
    }

    func integer(_ node: YAMLNode, context: String) -> Int? {
        guard let scalar = node.scalar, let value = Int(scalar.string), scalar.style == .plain else {
            error("E003", "\(context) must be a whole number, found \(describe(node))", at: node)
            return nil
        }
        return value
    }

    func bool(_ node: YAMLNode, context: String) -> Bool? {
        guard let scalar = node.scalar, scalar.style == .plain,
              let value = ["true": true, "false": false, "yes": true, "no": false][scalar.string.lowercased()] else {
            error("E003", "\(context) must be true or false, found \(describe(node))", at: node)
            return nil
        }
        return value
    }

    /// A list of strings; a single string is accepted as a list of one.
    func strings(_ node: YAMLNode, context: String) -> [(String, YAMLNode)]? {
        if node.scalar != nil, let value = string(node, context: context) { return [(value, node)] }
        guard let sequence = node.sequence else {
            error("E003", "\(context) must be a list of strings, found \(kindName(node))", at: node)
            return nil
        }
        var values: [(String, YAMLNode)] = []
        for item in sequence {
            if let value = string(item, context: "each item of \(context)") { values.append((value, item)) }
        }
        return values
    }

    func kindName(_ node: YAMLNode) -> String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    private func describe(_ node: YAMLNode) -> String {
        if let scalar = node.scalar { return "`\(scalar.string)`" }
        return kindName(node)
    }
}

/// The closest allowed word to a misspelt one, if it is close enough to be a likely typo.
public func closestMatch(to word: String, in candidates: Set<String>) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word, candidate)
        if distance <= max(1, candidate.count / 3), distance < (best?.1 ?? .max) { best = (candidate, distance) }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

import Foundation
