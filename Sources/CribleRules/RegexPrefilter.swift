/// Decides cheaply which regular expressions can possibly match a document, so PCRE2 runs only
/// for those — the idea behind YARA's atoms and SpamAssassin's `sa-compile`.
///
/// At compile time each pattern yields a set of literal *atoms*, one of which every match must
/// contain (for `\bdonnees? (?:de sante|medicales)` the atoms are `donnee` … no: the longest
/// mandatory piece, `donnee`). At run time one Aho-Corasick pass over the folded text finds which
/// atoms occur; a pattern none of whose atoms occur is skipped. A pattern without usable atoms
/// always runs. Skipping never changes a verdict: a skipped pattern could not have matched.
public struct RegexPrefilter: Sendable {
    private let automaton: AhoCorasick
    /// For each pattern (by its index in the list given to `init`), its atom ids, or `nil` when it
    /// must always run.
    private let atomsOfPattern: [[Int]?]

    public init(patterns: [String]) {
        var atoms: [[UInt8]] = []
        var atomIndex: [[UInt8]: Int] = [:]
        var ofPattern: [[Int]?] = []
        for pattern in patterns {
            guard let required = RegexAtoms.requiredLiterals(of: pattern) else {
                ofPattern.append(nil)
                continue
            }
            ofPattern.append(required.map { literal in
                if let index = atomIndex[literal] { return index }
                atomIndex[literal] = atoms.count
                atoms.append(literal)
                return atoms.count - 1
            })
        }
        automaton = AhoCorasick(atoms)
        atomsOfPattern = ofPattern
    }

    /// Number of patterns that will always run (no atoms could be extracted).
    public var unfilteredCount: Int { atomsOfPattern.filter { $0 == nil }.count }

    /// Which patterns may match this text.
    public func candidates(in text: UnsafeBufferPointer<UInt8>) -> [Bool] {
        let present = automaton.presentAtoms(in: text)
        return atomsOfPattern.map { atoms in atoms.map { $0.contains { present[$0] } } ?? true }
    }
}

/// Extracts, from a (folded) PCRE2 pattern, literals of which every match contains at least one.
enum RegexAtoms {
    /// Shortest atom worth filtering on: a two-letter atom occurs in almost every text.
    static let minimumLength = 3

    /// `nil` when no such set can be found (the pattern must always run).
    static func requiredLiterals(of pattern: String) -> [[UInt8]]? {
        var parser = Parser(Array(pattern.utf8))
        guard let node = parser.parseAlternation(), parser.atEnd else { return nil }
        guard let literals = required(node), literals.allSatisfy({ $0.count >= minimumLength }) else { return nil }
        return literals
    }

    indirect enum Node {
        case literal([UInt8])
        case other                       // a class, an escape, a dot, an anchor: matches something unknown
        case empty                       // matches the empty string only (anchors, lookarounds)
        case sequence([Node])
        case alternation([Node])
        case repeated(Node, min: Int)
    }

    /// Literals one of which every match of `node` contains, or `nil`.
    static func required(_ node: Node) -> [[UInt8]]? {
        switch node {
        case .literal(let bytes): return bytes.isEmpty ? nil : [bytes]
        case .other, .empty: return nil
        case .repeated(let inner, let min): return min >= 1 ? required(inner) : nil
        case .alternation(let branches):
            var all: [[UInt8]] = []
            for branch in branches {
                guard let literals = required(branch) else { return nil }
                all += literals
            }
            return all
        case .sequence(let items):
            // Adjacent literals join into longer runs; then the best single requirement is kept.
            var merged: [Node] = []
            for item in items {
                if case .literal(let bytes) = item, case .literal(let previous)? = merged.last {
                    merged[merged.count - 1] = .literal(previous + bytes)
                } else {
                    merged.append(item)
                }
            }
            var best: [[UInt8]]?
            for item in merged {
                guard let literals = required(item) else { continue }
                let shortest = literals.map(\.count).min() ?? 0
                if shortest > (best?.map(\.count).min() ?? 0) { best = literals }
            }
            return best
        }
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index >= bytes.count }

        mutating func parseAlternation() -> Node? {
            var branches: [Node] = []
            guard let first = parseSequence() else { return nil }
            branches.append(first)
            while index < bytes.count, bytes[index] == UInt8(ascii: "|") {
                index += 1
                guard let next = parseSequence() else { return nil }
                branches.append(next)
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseSequence() -> Node? {
            var items: [Node] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "|"), bytes[index] != UInt8(ascii: ")") {
                guard let atom = parseAtom() else { return nil }
                guard let quantified = parseQuantifier(atom) else { return nil }
                items.append(quantified)
            }
            return .sequence(items)
        }

        mutating func parseQuantifier(_ atom: Node) -> Node? {
            guard index < bytes.count else { return atom }
            var minimum: Int?
            switch bytes[index] {
            case UInt8(ascii: "?"), UInt8(ascii: "*"): minimum = 0; index += 1
            case UInt8(ascii: "+"): minimum = 1; index += 1
            case UInt8(ascii: "{"):
                var end = index + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "}") { end += 1 }
                guard end < bytes.count else { return nil }
                let body = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                guard let first = body.split(separator: ",", omittingEmptySubsequences: false).first, let value = Int(first) else {
                    return nil
                }
                minimum = value
                index = end + 1
            default: return atom
            }
            // Lazy or possessive suffix.
            if index < bytes.count, bytes[index] == UInt8(ascii: "?") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            // A repeated literal run only guarantees its last character once; keep it simple.
            if case .literal(let run) = atom, run.count > 1 {
                return .sequence([.literal(Array(run.dropLast())), .repeated(.literal([run.last!]), min: minimum!)])
            }
            return .repeated(atom, min: minimum!)
        }

        mutating func parseAtom() -> Node? {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "("):
                index += 1
                var lookaround = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "?") {
                    index += 1
                    guard index < bytes.count else { return nil }
                    switch bytes[index] {
                    case UInt8(ascii: ":"), UInt8(ascii: ">"): index += 1
                    case UInt8(ascii: "="), UInt8(ascii: "!"): index += 1; lookaround = true
                    case UInt8(ascii: "<"):
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "=") || bytes[index + 1] == UInt8(ascii: "!") {
                            index += 2
                            lookaround = true
                        } else {
                            while index < bytes.count, bytes[index] != UInt8(ascii: ">") { index += 1 }
                            index += 1
                        }
                    default:
                        return nil  // inline options, conditionals, recursion: give up on this pattern
                    }
                }
                guard let inner = parseAlternation(), index < bytes.count, bytes[index] == UInt8(ascii: ")") else { return nil }
                index += 1
                return lookaround ? .empty : inner
            case UInt8(ascii: "["):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "^") { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1 }
                while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    else if bytes[index] == UInt8(ascii: "["), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") {
                        while index < bytes.count, !(bytes[index] == UInt8(ascii: ":") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "]")) { index += 1 }
                        index += 1
                    }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                index += 1
                return .other
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return nil }
                let escaped = bytes[index + 1]
                index += 2
                if "bBAzZGK".utf8.contains(escaped) { return .empty }
                if "pPxNgko".utf8.contains(escaped), index < bytes.count, bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "<") {
                    let closing = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")
                    while index < bytes.count, bytes[index] != closing { index += 1 }
                    index += 1
                    return .other
                }
                if "pPx".utf8.contains(escaped) { index += escaped == UInt8(ascii: "x") ? 2 : 1; return .other }
                if escaped == UInt8(ascii: "Q") { return nil }
                if (48...57).contains(escaped) || (65...90).contains(escaped) || (97...122).contains(escaped) { return .other }
                return .literal([escaped])
            case UInt8(ascii: "^"), UInt8(ascii: "$"):
                index += 1
                return .empty
            case UInt8(ascii: "."):
                index += 1
                return .other
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                return nil
            default:
                // One whole UTF-8 character as a literal.
                var end = index + 1
                while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
                let character = Array(bytes[index..<end])
                index = end
                // Whitespace matches itself only; keep it, the folded text normalises spaces.
                return .literal(character)
            }
        }
    }
}

/// Multi-literal search: which of many byte strings occur in a text, in one pass.
struct AhoCorasick: Sendable {
    private var transitions: [[Int32]] = []   // state × 256 → state
    private var outputs: [[Int]] = []
    let atomCount: Int

    init(_ atoms: [[UInt8]]) {
        atomCount = atoms.count
        var goto: [[UInt8: Int]] = [[:]]
        var output: [[Int]] = [[]]
        for (id, atom) in atoms.enumerated() {
            var state = 0
            for byte in atom {
                if let next = goto[state][byte] { state = next } else {
                    goto.append([:])
                    output.append([])
                    goto[state][byte] = goto.count - 1
                    state = goto.count - 1
                }
            }
            output[state].append(id)
        }
        // Breadth-first failure links, folded into a full transition table.
        var table = [[Int32]](repeating: [Int32](repeating: 0, count: 256), count: goto.count)
        var failure = [Int](repeating: 0, count: goto.count)
        var queue: [Int] = []
        for byte in 0..<256 {
            if let next = goto[0][UInt8(byte)] {
                table[0][byte] = Int32(next)
                queue.append(next)
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            output[state] += output[failure[state]]
            for byte in 0..<256 {
                if let next = goto[state][UInt8(byte)] {
                    failure[next] = Int(table[failure[state]][byte])
                    table[state][byte] = Int32(next)
                    queue.append(next)
                } else {
                    table[state][byte] = table[failure[state]][byte]
                }
            }
        }
        transitions = table
        outputs = output
    }

    func presentAtoms(in text: UnsafeBufferPointer<UInt8>) -> [Bool] {
        var present = [Bool](repeating: false, count: atomCount)
        guard atomCount > 0 else { return present }
        var state = 0
        for byte in text {
            state = Int(transitions[state][Int(byte)])
            for id in outputs[state] { present[id] = true }
        }
        return present
    }
}
