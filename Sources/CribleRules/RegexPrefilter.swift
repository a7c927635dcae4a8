/// Decides cheaply which regular expressions can possibly match a document, so PCRE2 runs only
/// for those — the idea behind YARA's atoms and SpamAssassin's `sa-compile`.
///
/// At compile time each pattern yields one or more *requirements*, each a set of literal atoms of
/// which every match contains at least one: for `\b(?:photo|video)\s+generee\s+par\s+ia\b` they
/// are {`photo`, `video`}, {`generee`} and {`par`}, but not {`ia`}: two letters are in every text
/// and tell nothing. At run time one pass over the folded text (``AtomScanner``) finds which atoms
/// occur; a pattern with a requirement none of whose atoms occur is skipped. Several requirements
/// are kept, not only the most selective one, because their rarity multiplies: words that are each
/// in half the articles are together in a quarter. A pattern without usable atoms always runs.
/// Skipping never changes a verdict: a skipped pattern could not have matched.
public struct RegexPrefilter: Sendable {
    private let scanner: AtomScanner
    /// Each pattern's requirements (by its index in the list given to `init`), flat: pattern
    /// `p` has requirements `requirementStart[p] ..< requirementStart[p + 1]`, requirement `r`
    /// the atoms `atomIDs[atomStart[r] ..< atomStart[r + 1]]`. Arrays of arrays of arrays had
    /// cost a cache miss per level for every pattern of every document.
    private let requirementStart: [Int32]
    private let atomStart: [Int32]
    private let atomIDs: [Int32]
    /// Patterns without usable atoms, which always run.
    private let alwaysRuns: [Bool]
    /// Each pattern's leading words, when known (see ``LeadingWords``), found from the same
    /// reading of the pattern as its atoms, and like them on another core while patterns compile.
    let leadingWords: [LeadingWords?]

    public init(patterns: [String]) {
        var atoms: [[UInt8]] = []
        var atomIndex: [[UInt8]: Int32] = [:]
        var requirementStart: [Int32] = [0]
        var atomStart: [Int32] = [0]
        var atomIDs: [Int32] = []
        var alwaysRuns: [Bool] = []
        var leadingWords: [LeadingWords?] = []
        for pattern in patterns {
            let node = RegexAtoms.parse(pattern)
            leadingWords.append(node.flatMap { LeadingWords(node: $0, pattern: pattern) })
            let requirements = node.flatMap(RegexAtoms.requirements(of:))
            alwaysRuns.append(requirements == nil)
            for literals in requirements ?? [] {
                for literal in literals {
                    if let index = atomIndex[literal] {
                        atomIDs.append(index)
                    } else {
                        atomIndex[literal] = Int32(atoms.count)
                        atomIDs.append(Int32(atoms.count))
                        atoms.append(literal)
                    }
                }
                atomStart.append(Int32(atomIDs.count))
            }
            requirementStart.append(Int32(atomStart.count - 1))
        }
        scanner = AtomScanner(atoms)
        self.requirementStart = requirementStart
        self.atomStart = atomStart
        self.atomIDs = atomIDs
        self.alwaysRuns = alwaysRuns
        self.leadingWords = leadingWords
    }

    /// Which patterns may match this text.
    public func candidates(in text: UnsafeBufferPointer<UInt8>) -> [Bool] {
        let present = scanner.presentAtoms(in: text)
        var result = alwaysRuns
        // Through pointers: this runs for every pattern of every document, and each checked
        // array read was a bounds test.
        present.withUnsafeBufferPointer { present in
        requirementStart.withUnsafeBufferPointer { requirementStart in
        atomStart.withUnsafeBufferPointer { atomStart in
        atomIDs.withUnsafeBufferPointer { atomIDs in
        result.withUnsafeMutableBufferPointer { result in
            for pattern in result.indices where !result[pattern] {
                var satisfied = true
                for requirement in Int(requirementStart[pattern])..<Int(requirementStart[pattern + 1]) {
                    var found = false
                    for position in Int(atomStart[requirement])..<Int(atomStart[requirement + 1])
                    where present[Int(atomIDs[position])] {
                        found = true
                        break
                    }
                    if !found { satisfied = false; break }
                }
                result[pattern] = satisfied
            }
        }}}}}
        return result
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
    /// the extra length adds little selectivity, while eight bytes are compared in one step
    /// (`les juifs`, `les juives`… are one atom once cut).
    static let maximumAtomLength = 8

    /// Most requirements kept for one pattern, the most selective first: beyond a few, a further
    /// one seldom excludes a text the others let through, and each costs a check per document.
    static let maximumRequirements = 4

    /// Sets of literals such that every match contains one literal of each set, most selective
    /// first; `nil` when there is none worth filtering on (the pattern must always run).
    static func requirements(of pattern: String) -> [[[UInt8]]]? {
        parse(pattern).flatMap(requirements(of:))
    }

    /// The pattern's tree, or `nil` when it uses what the reading does not know (inline options,
    /// conditionals, recursion, `\Q…\E`).
    static func parse(_ pattern: String) -> Node? {
        var parser = Parser(Array(pattern.utf8))
        guard let node = parser.parseAlternation(), parser.atEnd else { return nil }
        return node
    }

    /// The requirements of a parsed pattern (see ``requirements(of:)-(String)``).
    static func requirements(of node: Node) -> [[[UInt8]]]? {
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
    /// same texts, with fewer atoms to compare. Its worth is unchanged (a prefix is never
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
        case boundary                    // `\b`: the empty string, between a word character and another

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
        case .empty, .boundary: return [[]]
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
        case .other, .empty, .boundary, .optional: return nil
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
        case .other, .empty, .boundary, .optional: return []
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
                if escaped == UInt8(ascii: "b") { return .boundary }
                if "BAzZGK".utf8.contains(escaped) { return .empty }
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
///
/// Every position of the text is looked at on its own: its first four bytes are hashed into a
/// bit filter of 8 KB (its first three into another, for atoms of three bytes), and only where a
/// bit is set are the atoms starting with those bytes compared, eight bytes at a time under a
/// mask. Atoms of one or two bytes are listed by their first byte. Unlike an automaton, whose
/// next state depends on the last, nothing carries from one position to the next, so the
/// processor works on several at once, and the tables touched at every byte fit in the
/// first-level cache. The Aho-Corasick automaton this replaced (a table of about a megabyte for
/// the bundled packs) waited on memory at most bytes.
struct AtomScanner: Sendable {
    /// An atom, or its first eight bytes: the text's next eight bytes, masked, equal `prefix`.
    struct Entry: Sendable {
        var prefix: UInt64
        var mask: UInt64
        var length: Int32
        var atom: Int32
    }

    /// Atoms whose first `keyLength` bytes hash to each bit of a filter, and to each bucket.
    struct Table: Sendable {
        static let filterBits = 16
        static let bucketBits = 12
        let keyMask: UInt64
        let filter: [UInt64]
        /// `entries[bucketStart[bucket] ..< bucketStart[bucket + 1]]`.
        let bucketStart: [Int32]
        let entries: [Entry]

        init(keyLength: Int, atoms: [Entry]) {
            let keyMask: UInt64 = (1 << (8 * UInt64(keyLength))) - 1
            self.keyMask = keyMask
            var filter = [UInt64](repeating: 0, count: (1 << Self.filterBits) / 64)
            var buckets = [[Entry]](repeating: [], count: 1 << Self.bucketBits)
            for entry in atoms {
                let hash = Self.hash(entry.prefix & keyMask)
                let bit = Self.filterIndex(hash)
                filter[bit >> 6] |= 1 << UInt64(bit & 63)
                buckets[Self.bucketIndex(hash)].append(entry)
            }
            self.filter = filter
            let flat = flattened(buckets)
            bucketStart = flat.starts
            entries = flat.elements
        }

        @inline(__always) static func hash(_ key: UInt64) -> UInt64 { key &* 0x9E37_79B9_7F4A_7C15 }
        @inline(__always) static func filterIndex(_ hash: UInt64) -> Int {
            Int(truncatingIfNeeded: hash >> UInt64(64 - filterBits))
        }
        @inline(__always) static func bucketIndex(_ hash: UInt64) -> Int {
            Int(truncatingIfNeeded: (hash >> UInt64(64 - filterBits - bucketBits)) & ((1 << UInt64(bucketBits)) - 1))
        }
    }

    private let threeByteAtoms: Table
    private let longerAtoms: Table
    /// Bytes that start an atom of one or two bytes, and those atoms by first byte. Four words
    /// read through a pointer rather than a `ByteSet`: in this loop, which runs at every byte of
    /// every document, `ByteSet`'s branch-free word selection took the scan from 6.6–7.0 % of the
    /// pipeline to 8.1 %.
    private let shortFirstBytes: [UInt64]
    private let shortStart: [Int32]
    private let shortEntries: [Entry]
    /// Bytes after the eighth, for the rare atoms longer than eight bytes (by atom id).
    private let tails: [Int32: [UInt8]]
    let atomCount: Int

    init(_ atoms: [[UInt8]]) {
        atomCount = atoms.count
        var shortFirstBytes = [UInt64](repeating: 0, count: 4)
        var short = [[Entry]](repeating: [], count: 256)
        var three: [Entry] = []
        var longer: [Entry] = []
        var tails: [Int32: [UInt8]] = [:]
        for (id, atom) in atoms.enumerated() where !atom.isEmpty {
            var prefix: UInt64 = 0
            for (offset, byte) in atom.prefix(8).enumerated() { prefix |= UInt64(byte) << (8 * offset) }
            let mask: UInt64 = atom.count >= 8 ? ~0 : (1 << (8 * UInt64(atom.count))) - 1
            let entry = Entry(prefix: prefix, mask: mask, length: Int32(atom.count), atom: Int32(id))
            if atom.count > 8 { tails[Int32(id)] = Array(atom[8...]) }
            switch atom.count {
            case 1, 2:
                let first = Int(atom[0])
                shortFirstBytes[first >> 6] |= 1 << UInt64(first & 63)
                short[first].append(entry)
            case 3: three.append(entry)
            default: longer.append(entry)
            }
        }
        threeByteAtoms = Table(keyLength: 3, atoms: three)
        longerAtoms = Table(keyLength: 4, atoms: longer)
        self.shortFirstBytes = shortFirstBytes
        let flatShort = flattened(short)
        shortStart = flatShort.starts
        shortEntries = flatShort.elements
        self.tails = tails
    }

    func presentAtoms(in text: UnsafeBufferPointer<UInt8>) -> [Bool] {
        var present = [Bool](repeating: false, count: atomCount)
        let count = text.count
        guard atomCount > 0, count > 0 else { return present }
        // A copy with eight zero bytes after the end, so every position can load eight bytes;
        // an entry still matches only if it ends within the text.
        let padded = UnsafeMutableRawBufferPointer.allocate(byteCount: count + 8, alignment: 8)
        defer { padded.deallocate() }
        padded.copyMemory(from: UnsafeRawBufferPointer(text))
        (padded.baseAddress! + count).initializeMemory(as: UInt8.self, repeating: 0, count: 8)
        let base = UnsafeRawPointer(padded.baseAddress!)
        let tails = self.tails
        let threeMask = threeByteAtoms.keyMask
        let longerMask = longerAtoms.keyMask
        present.withUnsafeMutableBufferPointer { present in
        threeByteAtoms.filter.withUnsafeBufferPointer { threeFilter in
        threeByteAtoms.bucketStart.withUnsafeBufferPointer { threeStart in
        threeByteAtoms.entries.withUnsafeBufferPointer { threeEntries in
        longerAtoms.filter.withUnsafeBufferPointer { longerFilter in
        longerAtoms.bucketStart.withUnsafeBufferPointer { longerStart in
        longerAtoms.entries.withUnsafeBufferPointer { longerEntries in
        shortFirstBytes.withUnsafeBufferPointer { shortFirstBytes in
        shortStart.withUnsafeBufferPointer { shortStart in
        shortEntries.withUnsafeBufferPointer { shortEntries in
            @inline(__always) func check(_ entries: UnsafeBufferPointer<Entry>, _ range: Range<Int>,
                                         at position: Int, _ word: UInt64) {
                for index in range {
                    let entry = entries[index]
                    guard word & entry.mask == entry.prefix, position + Int(entry.length) <= count else { continue }
                    if entry.length > 8, !tails[entry.atom]!.enumerated().allSatisfy({ offset, byte in
                        base.load(fromByteOffset: position + 8 + offset, as: UInt8.self) == byte
                    }) { continue }
                    present[Int(entry.atom)] = true
                }
            }
            for position in 0..<count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let first = Int(truncatingIfNeeded: word & 0xFF)
                if shortFirstBytes[first >> 6] & (1 << UInt64(first & 63)) != 0 {
                    check(shortEntries, Int(shortStart[first])..<Int(shortStart[first + 1]), at: position, word)
                }
                let longerHash = Table.hash(word & longerMask)
                let longerBit = Table.filterIndex(longerHash)
                if longerFilter[longerBit >> 6] & (1 << UInt64(longerBit & 63)) != 0 {
                    let bucket = Table.bucketIndex(longerHash)
                    check(longerEntries, Int(longerStart[bucket])..<Int(longerStart[bucket + 1]), at: position, word)
                }
                let threeHash = Table.hash(word & threeMask)
                let threeBit = Table.filterIndex(threeHash)
                if threeFilter[threeBit >> 6] & (1 << UInt64(threeBit & 63)) != 0 {
                    let bucket = Table.bucketIndex(threeHash)
                    check(threeEntries, Int(threeStart[bucket])..<Int(threeStart[bucket + 1]), at: position, word)
                }
            }
        }}}}}}}}}}
        return present
    }
}

/// Groups laid end to end, with where each starts (and, last, where the last one ends).
private func flattened<Element>(_ groups: [[Element]]) -> (starts: [Int32], elements: [Element]) {
    var starts: [Int32] = [0]
    var flat: [Element] = []
    for group in groups {
        flat += group
        starts.append(Int32(flat.count))
    }
    return (starts, flat)
}
