/// Decides cheaply which regular expressions can possibly match a document, so PCRE2 runs only
/// for those — the idea behind YARA's atoms and SpamAssassin's `sa-compile`.
///
/// At compile time each pattern yields one or more *requirements*, each a set of literal atoms of
/// which every match contains at least one: for `\b(?:photo|video)\s+generee\s+par\s+ia\b` they
/// are {`photo`, `video`}, {`generee`} and {`par`}, but not {`ia`}: two letters are in every text
/// and tell nothing. At run time one Aho-Corasick pass over the folded text finds which atoms
/// occur; a pattern with a requirement none of whose atoms occur is skipped. Several requirements
/// are kept, not only the most selective one, because their rarity multiplies: words that are each
/// in half the articles are together in a quarter. A pattern without usable atoms always runs.
/// Skipping never changes a verdict: a skipped pattern could not have matched.
public struct RegexPrefilter: Sendable {
    private let automaton: AhoCorasick
    /// For each pattern (by its index in the list given to `init`), its requirements as sets of
    /// atom ids, or `nil` when it must always run.
    private let requirementsOfPattern: [[[Int]]?]

    public init(patterns: [String]) {
        var atoms: [[UInt8]] = []
        var atomIndex: [[UInt8]: Int] = [:]
        var ofPattern: [[[Int]]?] = []
        for pattern in patterns {
            guard let requirements = RegexAtoms.requirements(of: pattern) else {
                ofPattern.append(nil)
                continue
            }
            ofPattern.append(requirements.map { literals in
                literals.map { literal in
                    if let index = atomIndex[literal] { return index }
                    atomIndex[literal] = atoms.count
                    atoms.append(literal)
                    return atoms.count - 1
                }
            })
        }
        automaton = AhoCorasick(atoms)
        requirementsOfPattern = ofPattern
    }

    /// Which patterns may match this text.
    public func candidates(in text: UnsafeBufferPointer<UInt8>) -> [Bool] {
        let present = automaton.presentAtoms(in: text)
        return requirementsOfPattern.map { requirements in
            requirements.map { $0.allSatisfy { atoms in atoms.contains { present[$0] } } } ?? true
        }
    }
}

/// Extracts, from a (folded) PCRE2 pattern, literals of which every match contains at least one.
enum RegexAtoms {
    /// Least selectivity worth filtering on (see ``selectivity(_:)``): `ans` or `@` pass, a
    /// two-letter word such as `de` occurs in almost every text and does not.
    static let minimumSelectivity = 2.5
    /// Largest set of alternatives built by combining adjacent alternations (`\.(?:xyz|top)`).
    static let maximumCombinations = 64

    /// Longest atom: a text holding a literal holds its first bytes, and beyond a word or two
    /// the extra length adds little selectivity but a state per byte to the automaton (`les
    /// juifs`, `les juives`… share their first bytes once cut).
    static let maximumAtomLength = 8

    /// Most requirements kept for one pattern, the most selective first: beyond a few, a further
    /// one seldom excludes a text the others let through, and each costs a check per document.
    static let maximumRequirements = 4

    /// Sets of literals such that every match contains one literal of each set, most selective
    /// first; `nil` when there is none worth filtering on (the pattern must always run).
    static func requirements(of pattern: String) -> [[[UInt8]]]? {
        var parser = Parser(Array(pattern.utf8))
        guard let node = parser.parseAlternation(), parser.atEnd else { return nil }
        var kept: [(literals: [[UInt8]], worth: Double)] = []
        for literals in conjunction(node) {
            let literals = literals.map { $0.count > maximumAtomLength ? Array($0.prefix(maximumAtomLength)) : $0 }
            let value = worth(literals)
            guard value >= minimumSelectivity else { continue }
            let sorted = withoutExtensions(literals)
            if kept.contains(where: { $0.literals == sorted }) { continue }
            kept.append((sorted, value))
        }
        guard !kept.isEmpty else { return nil }
        // A stable sort on worth alone: equal requirements keep the order they have in the pattern.
        let ordered = kept.enumerated().sorted { lhs, rhs in
            lhs.element.worth != rhs.element.worth ? lhs.element.worth > rhs.element.worth : lhs.offset < rhs.offset
        }
        return ordered.prefix(maximumRequirements).map(\.element.literals)
    }

    /// The literals sorted, without those that extend another one (`images` when `image` is
    /// there): a text holding the longer one holds the shorter, so the set is satisfied by the
    /// same texts, with fewer atoms for the automaton. Its worth is unchanged (a prefix is never
    /// more selective). In sorted order the extensions of a literal follow it directly, so one
    /// comparison with the last literal kept finds them all.
    static func withoutExtensions(_ literals: [[UInt8]]) -> [[UInt8]] {
        var kept: [[UInt8]] = []
        for literal in literals.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            if let last = kept.last, literal.starts(with: last) { continue }
            kept.append(literal)
        }
        return kept
    }

    /// How rarely a literal is expected in text: letters and digits count 1 each, spaces and
    /// common punctuation less, characters rare in prose (`@ / : + [ ( #`…) 4, more than a
    /// three-letter word. A literal set is as
    /// selective as its least selective member.
    static func selectivity(_ literal: [UInt8]) -> Double {
        literal.reduce(0) { total, byte in
            switch byte {
            case UInt8(ascii: " "), 0x0A, 0x09: return total + 0.3
            case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "'"), UInt8(ascii: "-"), UInt8(ascii: "\""):
                return total + 0.5
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...: return total + 1
            default: return total + 4
            }
        }
    }

    static func worth(_ literals: [[UInt8]]) -> Double { literals.map(selectivity).min() ?? 0 }

    indirect enum Node {
        case literal([UInt8])
        case other                       // a class, an escape, a dot, an anchor: matches something unknown
        case empty                       // matches the empty string only (anchors, lookarounds)
        case sequence([Node])
        case alternation([Node])
        case repeated(Node, min: Int)
        case optional(Node)              // `x?`: nothing, or one `x`
    }

    /// The strings `node` matches when it matches exactly one of a few known strings (a literal,
    /// or an alternation or sequence of such), else `nil`.
    static func exactStrings(_ node: Node) -> [[UInt8]]? {
        switch node {
        case .literal(let bytes): return [bytes]
        case .empty: return [[]]
        case .other, .repeated: return nil
        case .optional(let inner):
            guard let strings = exactStrings(inner) else { return nil }
            return [[]] + strings
        case .alternation(let branches):
            var all: [[UInt8]] = []
            for branch in branches {
                // Give up as soon as the list is too long: long alternations of words are common.
                guard let strings = exactStrings(branch), all.count + strings.count <= maximumCombinations else { return nil }
                all += strings
            }
            return all
        case .sequence(let items):
            var product: [[UInt8]] = [[]]
            for item in items {
                guard let strings = exactStrings(item), product.count * strings.count <= maximumCombinations else { return nil }
                product = product.flatMap { prefix in strings.map { prefix + $0 } }
            }
            return product
        }
    }

    /// Literals one of which every match of `node` contains, or `nil`.
    static func required(_ node: Node) -> [[UInt8]]? {
        switch node {
        case .literal(let bytes): return bytes.isEmpty ? nil : [bytes]
        case .other, .empty, .optional: return nil
        case .repeated(let inner, let min): return min >= 1 ? required(inner) : nil
        case .alternation(let branches):
            if let strings = exactStrings(node) { return strings.contains { $0.isEmpty } ? nil : strings }
            var all: [[UInt8]] = []
            for branch in branches {
                guard let literals = required(branch) else { return nil }
                all += literals
            }
            return all
        case .sequence:
            return conjunction(node).max { worth($0) < worth($1) }
        }
    }

    /// Every requirement of `node` that can be found, each a set of literals one of which every
    /// match contains (sequences give one per item, an alternation at most one for all its branches).
    static func conjunction(_ node: Node) -> [[[UInt8]]] {
        switch node {
        case .literal(let bytes): return bytes.isEmpty ? [] : [[bytes]]
        case .other, .empty, .optional: return []
        case .repeated(let inner, let min): return min >= 1 ? conjunction(inner) : []
        case .alternation: return required(node).map { [$0] } ?? []
        case .sequence(let items):
            // Runs of adjacent exact items join into longer alternatives (`\.` then `(?:xyz|top)`
            // gives `.xyz`, `.top`).
            var requirements: [[[UInt8]]] = []
            var run: [[UInt8]]? = nil
            func flush() {
                if let current = run, !current.contains(where: \.isEmpty) { requirements.append(current) }
                run = nil
            }
            for item in items {
                if let strings = exactStrings(item) {
                    if let current = run, current.count * strings.count <= maximumCombinations {
                        run = current.flatMap { prefix in strings.map { prefix + $0 } }
                    } else {
                        flush()
                        run = strings
                    }
                } else {
                    flush()
                    requirements += conjunction(item)
                }
            }
            flush()
            return requirements
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
            // Adjacent characters join into one literal (`image` is one item, not five): the
            // analysis then handles words, not letters, which made it most of building the
            // prefilter. A quantified character is not a `.literal` and stays apart.
            var run: [UInt8] = []
            func flush() {
                if !run.isEmpty { items.append(.literal(run)); run.removeAll() }
            }
            while index < bytes.count, bytes[index] != UInt8(ascii: "|"), bytes[index] != UInt8(ascii: ")") {
                if let end = plainCharacterEnd() {
                    run.append(contentsOf: bytes[index..<end])
                    index = end
                    continue
                }
                guard let atom = parseAtom() else { return nil }
                guard let quantified = parseQuantifier(atom) else { return nil }
                if case .literal(let bytes) = quantified {
                    run.append(contentsOf: bytes)
                } else {
                    flush()
                    items.append(quantified)
                }
            }
            flush()
            return .sequence(items)
        }

        /// Where the character at `index` ends, when it is an ordinary character (no
        /// metacharacter) with no quantifier after it: the common case, read without building a node.
        func plainCharacterEnd() -> Int? {
            switch bytes[index] {
            case UInt8(ascii: "\\"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "|"),
                 UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: "?"), UInt8(ascii: "{"):
                return nil
            default:
                var end = index + 1
                while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
                if end < bytes.count {
                    switch bytes[end] {
                    case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"): return nil
                    default: break
                    }
                }
                return end
            }
        }

        mutating func parseQuantifier(_ atom: Node) -> Node? {
            guard index < bytes.count else { return atom }
            var minimum: Int?
            let quantifierStart = index
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
            // `x?` is kept apart from other repetitions: with exact neighbours it still gives a
            // short list of exact strings (`millions? de` → `million de`, `millions de`).
            if minimum == 0, bytes[quantifierStart] == UInt8(ascii: "?") {
                if case .literal(let run) = atom, run.count > 1 {
                    return .sequence([.literal(Array(run.dropLast())), .optional(.literal([run.last!]))])
                }
                return .optional(atom)
            }
            // A repeated literal run only guarantees its last character once; keep it simple.
            if case .literal(let run) = atom, run.count > 1 {
                return .sequence([.literal(Array(run.dropLast())), .repeated(.literal([run.last!]), min: minimum!)])
            }
            return .repeated(atom, min: minimum!)
        }

        /// The members of a class such as `[1-9]` or `[ ,.]`: not negated, plain ASCII characters
        /// and ranges, at most ten in all. Consumes the class when it returns members.
        mutating func smallClass() -> [UInt8]? {
            var position = index + 1
            var members: [UInt8] = []
            while position < bytes.count, bytes[position] != UInt8(ascii: "]") || position == index + 1 {
                let byte = bytes[position]
                guard byte < 0x80, byte != UInt8(ascii: "\\"), byte != UInt8(ascii: "["),
                      !(byte == UInt8(ascii: "^") && position == index + 1) else { return nil }
                if position + 2 < bytes.count, bytes[position + 1] == UInt8(ascii: "-"), bytes[position + 2] != UInt8(ascii: "]") {
                    let upper = bytes[position + 2]
                    guard upper < 0x80, upper != UInt8(ascii: "\\"), upper >= byte, Int(upper - byte) < 10 else { return nil }
                    members += Array(byte...upper)
                    position += 3
                } else {
                    members.append(byte)
                    position += 1
                }
                if members.count > 10 { return nil }
            }
            guard position < bytes.count, !members.isEmpty else { return nil }
            index = position + 1
            return members
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
                if let members = smallClass() { return .alternation(members.map { .literal([$0]) }) }
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
    /// Full transition table, flat: row `state` starts at `state * classCount`, and the entry
    /// in column `byteClass[byte]` is the next state's row start, negated when atoms end in that
    /// state. The scan so reads one table entry per byte, with no multiplication and no look at
    /// the output rows unless something was found. Bytes that occur in no atom share class 0, so
    /// a row has one column per byte the atoms use (a few dozen) rather than 256: the table of
    /// the bundled packs stays in cache, and it is built in a fraction of the time.
    private let transitions: [Int32]
    private let byteClass: [UInt16]
    private let classCount: Int
    /// Atoms ending at each state (its own and its failure chain's), in compressed rows:
    /// `outputIDs[outputStart[state] ..< outputStart[state + 1]]`.
    private let outputStart: [Int32]
    private let outputIDs: [Int32]
    let atomCount: Int

    init(_ atoms: [[UInt8]]) {
        atomCount = atoms.count
        var classes = [UInt16](repeating: 0, count: 256)
        var used = 1
        for atom in atoms {
            for byte in atom where classes[Int(byte)] == 0 {
                classes[Int(byte)] = UInt16(used)
                used += 1
            }
        }
        let width = used
        byteClass = classes
        classCount = width
        // The trie, with children in a flat table (0 = no child; the root is never a child).
        var children: [Int32] = Array(repeating: 0, count: width)
        var output: [[Int32]] = [[]]
        for (id, atom) in atoms.enumerated() {
            var state = 0
            for byte in atom {
                let column = Int(classes[Int(byte)])
                let next = Int(children[state * width + column])
                if next != 0 { state = next; continue }
                let created = output.count
                output.append([])
                children.append(contentsOf: repeatElement(0, count: width))
                children[state * width + column] = Int32(created)
                state = created
            }
            output[state].append(Int32(id))
        }
        // Breadth-first failure links, folded into the full transition table. Class 0 never has
        // a child, so every state's class-0 entry stays 0 (back to the root).
        var table = children
        var failure = [Int](repeating: 0, count: output.count)
        var queue: [Int] = []
        for column in 0..<width where children[column] != 0 { queue.append(Int(children[column])) }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            output[state] += output[failure[state]]
            for column in 0..<width {
                let next = Int(children[state * width + column])
                if next != 0 {
                    failure[next] = Int(table[failure[state] * width + column])
                    queue.append(next)
                } else {
                    table[state * width + column] = table[failure[state] * width + column]
                }
            }
        }
        transitions = table.map { next in
            let row = next * Int32(width)
            return output[Int(next)].isEmpty ? row : -row
        }
        var starts: [Int32] = [0]
        var ids: [Int32] = []
        for row in output {
            ids += row
            starts.append(Int32(ids.count))
        }
        outputStart = starts
        outputIDs = ids
    }

    func presentAtoms(in text: UnsafeBufferPointer<UInt8>) -> [Bool] {
        var present = [Bool](repeating: false, count: atomCount)
        guard atomCount > 0 else { return present }
        let width = classCount
        transitions.withUnsafeBufferPointer { transitions in
        byteClass.withUnsafeBufferPointer { byteClass in
        outputStart.withUnsafeBufferPointer { outputStart in
        outputIDs.withUnsafeBufferPointer { outputIDs in
            var row = 0
            for byte in text {
                let entry = Int(transitions[row &+ Int(byteClass[Int(byte)])])
                row = abs(entry)
                if entry < 0 {
                    let state = row / width
                    for position in Int(outputStart[state])..<Int(outputStart[state + 1]) {
                        present[Int(outputIDs[position])] = true
                    }
                }
            }
        }}}}
        return present
    }
}
