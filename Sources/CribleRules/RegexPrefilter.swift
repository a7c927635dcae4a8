import CribleCore

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
    /// Each pattern's requirements (by its index in the list given to `init`): pattern `p` has
    /// requirements `requirementStart[p] ..< requirementStart[p + 1]`, each a set of atoms.
    private let requirementStart: [Int32]
    /// Patterns without usable atoms, which always run, in increasing order.
    private let alwaysRunning: [Int32]
    /// Each pattern's number of requirements (at most ``RegexAtoms/maximumRequirements``).
    private let requirementCount: [UInt8]
    /// The same requirements from the atoms' side: atom `a` is in requirements
    /// `requirementsOfAtom[requirementsOfAtomStart[a] ..< requirementsOfAtomStart[a + 1]]`, each
    /// of pattern `patternOfRequirement[r]`. A document's present atoms, a few dozen, mark their
    /// requirements, where every requirement of every pattern was checked against them: that
    /// was some 11,000 instructions a document, a comment of one word as much as an article.
    private let requirementsOfAtomStart: [Int32]
    private let requirementsOfAtom: [Int32]
    private let patternOfRequirement: [Int32]
    /// Each pattern's leading words, when known and allowed (see ``LeadingWords``), found from
    /// the same reading of the pattern as its atoms, and like them on another core while
    /// patterns compile. The engine tries such a pattern only where they start a word.
    let leadingWords: [LeadingWords?]
    /// For each pattern, whether it may be tried at its leading words only, as given to `init`.
    let leadingWordsAllowed: [Bool]
    /// For each pattern that has no leading words and can match no space, the literals of one of
    /// its requirements (few, without marks): the engine tries it only in the chunks of text
    /// that hold one of them (see ``SpaceFreeChunks``).
    let chunkLiterals: [[[UInt8]]?]
    /// For each pattern, the digits in a row that every match holds (see
    /// ``RegexAtoms/DigitRuns``), when at least ``minimumDigitRun``, else 0:
    /// the engine skips the pattern on a text whose `\d` means ASCII digits and whose
    /// ``longestDigitRun(in:)`` is shorter.
    let digitRuns: [Int32]
    /// The fewest digits in a row worth looking for: every text with a number has two.
    static let minimumDigitRun = 3
    /// For each pattern, the ASCII digits every match holds and the most bytes a match spans
    /// (see ``RegexAtoms/DigitDensity``), when the digits are at least ``minimumDensityDigits``
    /// and more than its digits in a row, else zeros: the engine skips the pattern on a text
    /// whose `\d` means ASCII digits and where no stretch of that many bytes holds that many
    /// digits (``mostDigits(of:within:)``).
    let digitDensities: [(digits: Int32, span: Int32)]
    /// The fewest digits worth counting in a stretch: a date (`12/03/2024`) has eight in ten bytes.
    static let minimumDensityDigits = 9

    /// - Parameter leadingWordsAllowed: for each pattern, whether the engine may try it only
    ///   where its leading words start a word, when it has some (not for patterns whose limits
    ///   must bound a whole scan); all of them when `nil`.
    public init(patterns: [String], leadingWordsAllowed: [Bool]? = nil) {
        var atoms: [[UInt8]] = []
        var atomIndex: [[UInt8]: Int32] = [:]
        var requirementStart: [Int32] = [0]
        var patternOfRequirement: [Int32] = []
        var requirementsByAtom: [[Int32]] = []
        var alwaysRuns: [Bool] = []
        var leadingWords: [LeadingWords?] = []
        var chunkLiterals: [[[UInt8]]?] = []
        var digitRuns: [Int32] = []
        var digitDensities: [(digits: Int32, span: Int32)] = []
        let allowed = leadingWordsAllowed ?? [Bool](repeating: true, count: patterns.count)
        for (patternNumber, (pattern, allowed)) in zip(patterns, allowed).enumerated() {
            let node = RegexAtoms.parse(pattern)
            let words = allowed ? node.flatMap { LeadingWords(node: $0, pattern: pattern) } : nil
            leadingWords.append(words)
            let digits = node.map { RegexAtoms.digitRuns($0).longest } ?? 0
            digitRuns.append(digits >= RegexPrefilter.minimumDigitRun ? Int32(digits) : 0)
            let density = node.map(RegexAtoms.digitDensity)
            if let density, let span = density.span, density.digits >= RegexPrefilter.minimumDensityDigits, density.digits > digits {
                digitDensities.append((Int32(density.digits), Int32(span)))
            } else {
                digitDensities.append((0, 0))
            }
            let all = node.flatMap(RegexAtoms.requirements(of:))
            let spaceFree = allowed && words == nil && all != nil && SpaceFreeChunks.neverMatchesASCIISpace(pattern)
            chunkLiterals.append(spaceFree ? all?.first { $0.count <= SpaceFreeChunks.maximumLiterals }?
                .map { Array(RegexAtoms.withoutMark($0)) } : nil)
            let requirements = RegexPrefilter.scannedRequirements(all, hasLeadingWords: words != nil)
            alwaysRuns.append(requirements == nil)
            for literals in requirements ?? [] {
                let requirement = Int32(patternOfRequirement.count)
                patternOfRequirement.append(Int32(patternNumber))
                for literal in literals {
                    let atom: Int
                    if let known = atomIndex[literal] {
                        atom = Int(known)
                    } else {
                        atom = atoms.count
                        atomIndex[literal] = Int32(atom)
                        atoms.append(literal)
                        requirementsByAtom.append([])
                    }
                    if requirementsByAtom[atom].last != requirement { requirementsByAtom[atom].append(requirement) }
                }
            }
            requirementStart.append(Int32(patternOfRequirement.count))
        }
        scanner = AtomScanner(atoms)
        let flat = flattened(requirementsByAtom)
        self.requirementsOfAtomStart = flat.starts
        self.requirementsOfAtom = flat.elements
        self.patternOfRequirement = patternOfRequirement
        self.requirementStart = requirementStart
        self.alwaysRunning = alwaysRuns.indices.filter { alwaysRuns[$0] }.map { Int32($0) }
        self.requirementCount = patterns.indices.map { UInt8(requirementStart[$0 + 1] - requirementStart[$0]) }
        self.leadingWords = leadingWords
        self.leadingWordsAllowed = allowed
        self.chunkLiterals = chunkLiterals
        self.digitRuns = digitRuns
        self.digitDensities = digitDensities
    }

    /// The requirements the scanner looks for, of a pattern's (``RegexAtoms/requirements(of:)``).
    /// An atom that is not pinned to a word start makes the scanner read every position (see
    /// ``AtomScanner``). A pattern keeps only its requirements of pinned atoms when it has some,
    /// or when it is tried only where its leading words start a word, which already filters it;
    /// otherwise, only its most selective requirement.
    static func scannedRequirements(_ requirements: [[[UInt8]]]?, hasLeadingWords: Bool) -> [[[UInt8]]]? {
        guard let all = requirements else { return nil }
        let pinned = all.filter { $0.allSatisfy(AtomScanner.isPinned) }
        if !pinned.isEmpty || hasLeadingWords { return pinned.isEmpty ? nil : pinned }
        return Array(all.prefix(1))
    }

    /// The offsets of `text`'s ASCII digits, in order, in `positions` (emptied first): eight
    /// bytes at a time where there are none (most of news text), byte by byte only in the groups
    /// that hold one. A few dozen in an article; from them, the longest run
    /// (``longestDigitRun(of:)``) and the most digits in a stretch (``mostDigits(of:within:)``).
    public static func digitPositions(in text: UnsafeBufferPointer<UInt8>, into positions: inout [Int32]) {
        positions.removeAll(keepingCapacity: true)
        guard let base = text.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        let count = text.count
        var index = 0
        while index + 8 <= count {
            let group = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            var digits = asciiDigitBytes(group)
            while digits != 0 {
                positions.append(Int32(truncatingIfNeeded: index &+ digits.trailingZeroBitCount &>> 3))
                digits &= digits &- 1
            }
            index += 8
        }
        while index < count {
            if text[index] &- UInt8(ascii: "0") < 10 { positions.append(Int32(truncatingIfNeeded: index)) }
            index += 1
        }
    }

    /// The most digits in a row, from their positions (``digitPositions(in:into:)``).
    public static func longestDigitRun(of positions: [Int32]) -> Int {
        var longest = positions.isEmpty ? 0 : 1, current = 1
        for index in positions.indices.dropFirst() {
            current = positions[index] == positions[index - 1] &+ 1 ? current &+ 1 : 1
            if current > longest { longest = current }
        }
        return longest
    }

    /// The most ASCII digits in `text` in a row.
    public static func longestDigitRun(in text: UnsafeBufferPointer<UInt8>) -> Int {
        var positions: [Int32] = []
        digitPositions(in: text, into: &positions)
        return longestDigitRun(of: positions)
    }

    /// The most digits any stretch of `span` bytes holds, from their positions.
    public static func mostDigits(of positions: [Int32], within span: Int) -> Int {
        guard span > 0 else { return 0 }
        var most = 0, first = 0
        for last in positions.indices {
            while Int(positions[last]) - Int(positions[first]) >= span { first += 1 }
            most = max(most, last - first + 1)
        }
        return most
    }

    /// The bytes of `group` that are ASCII digits, as the top bit of each.
    @inline(__always)
    static func asciiDigitBytes(_ group: UInt64) -> UInt64 {
        let low = group & ~0x8080_8080_8080_8080
        return sevenBitBytes(atLeast: 0x30, in: low) & ~sevenBitBytes(atLeast: 0x3A, in: low) & ~group
    }

    /// Whether ``candidates(in:wordStarts:)`` reads the text's word starts.
    var needsWordStarts: Bool { scanner.needsWordStarts }

    /// Which patterns may match this text, given its word starts (``LeadingWords/wordStarts(in:)``)
    /// when the caller has them; they are found here when needed and not given. One flag per
    /// pattern (see ``candidatePatterns(in:wordStarts:scratch:)`` for the list the engine reads).
    public func candidates(in text: UnsafeBufferPointer<UInt8>, wordStarts: [Int32]? = nil) -> [Bool] {
        var flags = [Bool](filledWith: false, count: requirementCount.count)
        for pattern in candidatePatterns(in: text, wordStarts: wordStarts) { flags[Int(pattern)] = true }
        return flags
    }

    /// The same patterns as a list, in increasing order: a pattern is listed when each of its
    /// requirements has a present atom, which the marking finds as it happens. Flags read back
    /// pattern by pattern made every document, a comment of one word included, pay for every
    /// pattern of every rule, here and again in the engine's loop over the rules.
    ///
    /// With a `scratch`, the flags are its own, kept from document to document and cleared where
    /// a document set them: made for every document, they were allocated and filled whole, one
    /// entry per atom, requirement and pattern.
    public func candidatePatterns(in text: UnsafeBufferPointer<UInt8>, wordStarts: [Int32]? = nil,
                                  scratch: RuleScratch? = nil) -> [Int32] {
        let scratch = scratch ?? RuleScratch()
        var flags = scratch.takePrefilterFlags(atoms: scanner.atomCount, requirements: patternOfRequirement.count,
                                               patterns: requirementCount.count)
        defer { scratch.keep(flags) }
        let presentCount = scanner.presentAtoms(in: text, wordStarts: wordStarts, into: &flags.present, listing: &flags.presentList)
        var found: [Int32] = []
        found.reserveCapacity(alwaysRunning.count + 32)
        found += alwaysRunning
        // The requirements met, to clear with their patterns' counts once the candidates are known.
        var met = flags.met
        flags.met = []
        defer { flags.met = met }
        met.removeAll(keepingCapacity: true)
        // Through pointers: each checked array read was a bounds test.
        flags.present.withUnsafeMutableBufferPointer { present in
        flags.presentList.withUnsafeBufferPointer { presentList in
        requirementsOfAtomStart.withUnsafeBufferPointer { requirementsOfAtomStart in
        requirementsOfAtom.withUnsafeBufferPointer { requirementsOfAtom in
        patternOfRequirement.withUnsafeBufferPointer { patternOfRequirement in
        requirementCount.withUnsafeBufferPointer { requirementCount in
        flags.satisfied.withUnsafeMutableBufferPointer { satisfied in
        flags.satisfiedCount.withUnsafeMutableBufferPointer { satisfiedCount in
            @inline(__always) func mark(_ atom: Int) {
                for position in Int(requirementsOfAtomStart[atom])..<Int(requirementsOfAtomStart[atom + 1]) {
                    let requirement = Int(requirementsOfAtom[position])
                    guard !satisfied[requirement] else { continue }
                    satisfied[requirement] = true
                    met.append(Int32(requirement))
                    let pattern = Int(patternOfRequirement[requirement])
                    satisfiedCount[pattern] &+= 1
                    // A pattern may match when each of its requirements has a present atom.
                    if satisfiedCount[pattern] == requirementCount[pattern] { found.append(Int32(pattern)) }
                }
            }
            // The present atoms as the scanner listed them, each flag cleared once read. The flags
            // read eight at a time were some 250 words a document whatever the text (an atom
            // per flag), a comment of one word as much as an article.
            for atom in presentList[..<presentCount] {
                present[Int(atom)] = false
                mark(Int(atom))
            }
            for requirement in met {
                satisfied[Int(requirement)] = false
                satisfiedCount[Int(patternOfRequirement[Int(requirement)])] = 0
            }
        }}}}}}}}
        if found.count > alwaysRunning.count { found.sort() }
        return found
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
            let literals = literals.map { literal in
                // A literal cut short loses its end mark: its end is no longer the word's.
                let content = withoutMark(literal)
                guard content.count > maximumAtomLength else { return literal }
                return (isMarked(literal) ? [wordStartMark] : []) + content.prefix(maximumAtomLength)
            }
            let value = worth(literals)
            guard value >= minimumSelectivity else { continue }
            let sorted = withoutExtensions(literals)
            // The same literals twice (`abc … abc`) are kept once, marked when either is: a word
            // that must start a word somewhere in every match is the stronger filter.
            let unmarked = Set(sorted.map(withoutMark))
            if let index = kept.firstIndex(where: { Set($0.literals.map(withoutMark)) == unmarked }) {
                // Start marks first: an atom that is not pinned makes the scanner read every position.
                func marks(_ literals: [[UInt8]]) -> (Int, Int) { (literals.filter(isMarked).count, literals.filter(isEndMarked).count) }
                if marks(sorted) > marks(kept[index].literals) { kept[index].literals = sorted }
                continue
            }
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
            case wordStartMark, wordEndMark: return total
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...: return total + 1
            default: return total + 4
            }
        }
    }

    static func worth(_ literals: [[UInt8]]) -> Double { literals.map(selectivity).min() ?? 0 }

    /// What every match of a node holds of ASCII digits in a row, each figure the fewest over
    /// all its matches: a pattern such as a postal address (`… \d{5}\b`) has no literal worth
    /// filtering on, yet cannot match a text without five digits in a row, which most news
    /// articles lack (years have four). Read on texts whose `\d` means ASCII digits (see
    /// `Regex.isUnicodeNeutral`), where the engine skips a pattern needing a longer run than
    /// the text's longest (``RegexPrefilter/longestDigitRun(in:)``).
    struct DigitRuns {
        /// When every match is made of digits only: how many, at least.
        var whole: Int?
        /// Digits every match starts with, ends with, and holds in a row somewhere.
        var leading: Int
        var trailing: Int
        var longest: Int

        /// A character that is not a digit, or is not known to be one.
        static let nonDigit = DigitRuns(whole: nil, leading: 0, trailing: 0, longest: 0)
        /// The empty string (a lookaround, an anchor): digits on either side of it stay in a row.
        static let nothing = DigitRuns(whole: 0, leading: 0, trailing: 0, longest: 0)

        /// `count` digits and nothing else.
        static func digits(_ count: Int) -> DigitRuns {
            let count = Swift.min(count, cap)
            return DigitRuns(whole: count, leading: count, trailing: count, longest: count)
        }

        /// Past a million digits, a pattern's count tells nothing more (and cannot overflow).
        static let cap = 1_000_000

        /// This, then `next`.
        func followed(by next: DigitRuns) -> DigitRuns {
            if let whole, let nextWhole = next.whole { return .digits(whole + nextWhole) }
            let leading = whole.map { Swift.min($0 + next.leading, DigitRuns.cap) } ?? self.leading
            let trailing = next.whole.map { Swift.min(self.trailing + $0, DigitRuns.cap) } ?? next.trailing
            let joined = Swift.min(self.trailing + next.leading, DigitRuns.cap)
            return DigitRuns(whole: nil, leading: leading, trailing: trailing,
                             longest: Swift.max(longest, next.longest, joined, leading, trailing))
        }

        /// Either this or `other`: what both guarantee.
        func or(_ other: DigitRuns) -> DigitRuns {
            let whole: Int? = self.whole.flatMap { mine in other.whole.map { Swift.min(mine, $0) } }
            return DigitRuns(whole: whole, leading: Swift.min(leading, other.leading),
                             trailing: Swift.min(trailing, other.trailing), longest: Swift.min(longest, other.longest))
        }
    }

    static func digitRuns(_ node: Node) -> DigitRuns {
        switch node {
        case .literal(let bytes):
            return bytes.reduce(DigitRuns.nothing) { runs, byte in
                runs.followed(by: (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? .digits(1) : .nonDigit)
            }
        case .digit: return .digits(1)
        case .empty, .boundary: return .nothing
        case .other, .separator: return .nonDigit
        case .optional(let inner):
            return digitRuns(inner).whole == nil ? .nonDigit : .nothing
        case .repeated(let inner, let minimum, _):
            let once = digitRuns(inner)
            guard minimum >= 1 else { return once.whole == nil ? .nonDigit : .nothing }
            if let whole = once.whole { return .digits(whole * Swift.min(minimum, DigitRuns.cap)) }
            // Two repetitions or more join one's trailing digits to the next one's leading ones.
            let joined = minimum >= 2 ? once.trailing + once.leading : 0
            return DigitRuns(whole: nil, leading: once.leading, trailing: once.trailing, longest: Swift.max(once.longest, joined))
        case .alternation(let branches):
            return branches.dropFirst().reduce(branches.first.map(digitRuns) ?? .nothing) { $0.or(digitRuns($1)) }
        case .sequence(let items):
            return items.reduce(DigitRuns.nothing) { $0.followed(by: digitRuns($1)) }
        }
    }

    /// The fewest ASCII digits every match of a node holds, and the most bytes a match can
    /// span (`nil` when unbounded), on a text whose `\d` means ASCII digits (see
    /// `Regex.isUnicodeNeutral`): a phone number's pattern needs ten digits within about twenty
    /// bytes, which news text almost never holds (dates and amounts have them further apart),
    /// while its longest run of digits in a row is only two. Such a text's other characters
    /// beyond ASCII are punctuation and symbols, of up to four bytes each: what is not known to
    /// be one ASCII byte counts four (a backreference is read as a repetition without bound).
    struct DigitDensity: Equatable {
        var digits: Int
        var span: Int?

        static let cap = 1_000_000
        static func sum(_ first: Int?, _ second: Int?) -> Int? {
            guard let first, let second else { return nil }
            let total = first + second
            return total > cap ? nil : total
        }
    }

    static func digitDensity(_ node: Node) -> DigitDensity {
        switch node {
        case .literal(let bytes):
            return DigitDensity(digits: bytes.filter { $0 &- UInt8(ascii: "0") < 10 }.count, span: bytes.count)
        case .digit: return DigitDensity(digits: 1, span: 1)
        case .separator, .other: return DigitDensity(digits: 0, span: 4)
        case .empty, .boundary: return DigitDensity(digits: 0, span: 0)
        case .optional(let inner):
            return DigitDensity(digits: 0, span: digitDensity(inner).span)
        case .repeated(let inner, let minimum, let maximum):
            let once = digitDensity(inner)
            let digits = Swift.min(once.digits * Swift.min(minimum, DigitDensity.cap), DigitDensity.cap)
            guard let maximum, let span = once.span, maximum <= DigitDensity.cap, span * maximum <= DigitDensity.cap else {
                return DigitDensity(digits: digits, span: nil)
            }
            return DigitDensity(digits: digits, span: span * maximum)
        case .alternation(let branches):
            let each = branches.map(digitDensity)
            let spans = each.map(\.span)
            return DigitDensity(digits: each.map(\.digits).min() ?? 0,
                                span: spans.contains(where: { $0 == nil }) ? nil : spans.compactMap { $0 }.max() ?? 0)
        case .sequence(let items):
            return items.reduce(DigitDensity(digits: 0, span: 0)) { total, item in
                let next = digitDensity(item)
                return DigitDensity(digits: Swift.min(total.digits + next.digits, DigitDensity.cap),
                                    span: DigitDensity.sum(total.span, next.span))
            }
        }
    }

    /// Where the character class opening at `start` ends (after its `]`, POSIX classes such as
    /// `[:alpha:]` and escapes stepped over), or `nil` when it is not closed before `limit` or
    /// holds `\Q` or `\E`, which can hide its end (`[\Q]\E]`).
    static func classEnd(_ bytes: [UInt8], from start: Int, limit: Int) -> Int? {
        var position = start + 1
        if position < limit, bytes[position] == UInt8(ascii: "^") { position += 1 }
        if position < limit, bytes[position] == UInt8(ascii: "]") { position += 1 }
        while position < limit, bytes[position] != UInt8(ascii: "]") {
            if bytes[position] == UInt8(ascii: "\\") {
                guard position + 1 < limit, bytes[position + 1] != UInt8(ascii: "Q"), bytes[position + 1] != UInt8(ascii: "E") else { return nil }
                position += 2
            } else if bytes[position] == UInt8(ascii: "["), position + 1 < limit, bytes[position + 1] == UInt8(ascii: ":") {
                position += 2
                while position + 1 < limit, !(bytes[position] == UInt8(ascii: ":") && bytes[position + 1] == UInt8(ascii: "]")) {
                    position += 1
                }
                position += 2
            } else {
                position += 1
            }
        }
        return position < limit ? position + 1 : nil
    }

    /// What stands at `index` as a quantifier: none, one that cannot be read (a brace that is
    /// not `{n}`, `{n,}` or `{n,m}`), or its bounds (`?` is 0 to 1, `*` 0 without bound, `+` 1
    /// without bound) and where it ends, a lazy or possessive suffix included.
    enum Quantifier {
        case none
        case malformed
        case bounds(minimum: Int, maximum: Int?, end: Int)
    }

    static func quantifier(_ bytes: [UInt8], at index: Int, limit: Int) -> Quantifier {
        guard index < limit else { return .none }
        var minimum = 0
        var maximum: Int?
        var end = index + 1
        switch bytes[index] {
        case UInt8(ascii: "?"): maximum = 1
        case UInt8(ascii: "*"): break
        case UInt8(ascii: "+"): minimum = 1
        case UInt8(ascii: "{"):
            func number() -> Int? {
                let start = end
                var value = 0
                // Counts past a million say nothing more (PCRE2 refuses them anyway) and must not overflow.
                while end < limit, (48...57).contains(bytes[end]) {
                    value = min(value * 10 + Int(bytes[end] - 48), 1_000_000)
                    end += 1
                }
                return end > start ? value : nil
            }
            guard let least = number(), end < limit else { return .malformed }
            minimum = least
            if bytes[end] == UInt8(ascii: ",") {
                end += 1
                // `{n,}` has no bound; `{n,m}` at most m.
                maximum = end < limit && bytes[end] != UInt8(ascii: "}") ? number() : nil
                if maximum == nil, end < limit, bytes[end] != UInt8(ascii: "}") { return .malformed }
            } else {
                maximum = least
            }
            guard end < limit, bytes[end] == UInt8(ascii: "}") else { return .malformed }
            end += 1
        default:
            return .none
        }
        if end < limit, bytes[end] == UInt8(ascii: "?") || bytes[end] == UInt8(ascii: "+") { end += 1 }
        return .bounds(minimum: minimum, maximum: maximum, end: end)
    }

    indirect enum Node {
        case literal([UInt8])
        case other                       // a class, an escape, a dot, an anchor: matches something unknown
        case empty                       // matches the empty string only (anchors, lookarounds)
        case boundary                    // `\b`, or `(?<!\w)`: the empty string, where a letter or digit after it starts a word
        case separator                   // `\s` or `\W`: one character that is not a word character
        case digit                       // `\d`: a digit, ASCII or, with Unicode properties, any

        case sequence([Node])
        case alternation([Node])
        case repeated(Node, min: Int, max: Int?)  // `x{min,max}`; `max` is `nil` for `+`, `*`, `{n,}`
        case optional(Node)              // `x?`: nothing, or one `x`
    }

    /// The strings `node` matches when it matches exactly one of a few known strings (a literal,
    /// or an alternation or sequence of such), else `nil`.
    static func exactStrings(_ node: Node) -> [[UInt8]]? {
        switch node {
        case .literal(let bytes): return [bytes]
        case .empty, .boundary: return [[]]
        case .other, .separator, .digit, .repeated: return nil
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

    /// Marks, as the first byte of a literal, that every match has it right after a byte that is
    /// not a word byte (an ASCII letter, digit or `_`), with an ASCII letter or digit first: each
    /// occurrence that counts then starts a word, and the scanner looks for it at word starts
    /// only (see ``AtomScanner``). 0xFF is never part of UTF-8, so it cannot be a literal's byte.
    static let wordStartMark: UInt8 = 0xFF

    /// `literal` marked with ``wordStartMark`` when it follows a break and opens on a letter or digit.
    static func marked(_ literal: [UInt8], afterBreak: Bool) -> [UInt8] {
        guard afterBreak, let first = literal.first, LeadingWords.isAlphanumeric(first) else { return literal }
        return [wordStartMark] + literal
    }

    static func isMarked(_ literal: [UInt8]) -> Bool { literal.first == wordStartMark }

    /// Marks, as the last byte of a literal, that every match has right after it a byte that is
    /// not a word byte, or the text's end: the literal is followed there by `\b` (and ends on a
    /// word byte), or by `\s` or `\W`. The scanner then refuses an occurrence followed by an
    /// ASCII letter, digit or `_`, a word character with or without Unicode properties: `con` in
    /// `\b(?:gros|petit)\s+cons?\b` begins `contre`, `conseil` and `connexion`, in every article,
    /// where `con` as a word is in few. A marked literal no longer covers its longer forms
    /// (`image` and `images` are two atoms), which costs the scan little: they share its tables'
    /// keys. 0xFE is never part of UTF-8, so it cannot be a literal's byte.
    static let wordEndMark: UInt8 = 0xFE

    static func isEndMarked(_ literal: [UInt8]) -> Bool { literal.last == wordEndMark }

    /// The literal's bytes, without its marks.
    static func withoutMark(_ literal: [UInt8]) -> ArraySlice<UInt8> {
        let start = isMarked(literal) ? literal.dropFirst() : literal[...]
        return isEndMarked(literal) ? start.dropLast() : start
    }

    /// `literal` marked with ``wordEndMark`` when what follows it in every match starts with a
    /// byte that is not a word byte: a character that is not a word character, or a `\b` after
    /// a literal that ends on a word byte.
    static func endMarked(_ literal: [UInt8], _ following: Following) -> [UInt8] {
        guard let last = literal.last, !isEndMarked(literal), last != wordStartMark else { return literal }
        if following.nonWord || (following.boundary && LeadingWords.isWordByte(last)) { return literal + [wordEndMark] }
        return literal
    }

    /// Whether every match of `node` starts with a character that is not a word character.
    static func startsWithNonWordCharacter(_ node: Node) -> Bool {
        switch node {
        case .separator: return true
        case .repeated(let inner, let min, _): return min >= 1 && startsWithNonWordCharacter(inner)
        case .sequence(let items): return items.first.map(startsWithNonWordCharacter) ?? false
        case .alternation(let branches): return branches.allSatisfy(startsWithNonWordCharacter)
        case .literal, .other, .empty, .boundary, .digit, .optional: return false
        }
    }


    /// Whether, after `node` matches, the last byte taken (or, when it takes none, the one
    /// before it, which `before` tells) is surely not a word byte. `\b` counts as a break: what
    /// follows it in a match, when it is a letter or digit, comes after a byte that is not one.
    static func breakAfter(_ node: Node, before: Bool) -> Bool {
        switch node {
        case .literal(let bytes): return bytes.last.map { !LeadingWords.isWordByte($0) } ?? before
        case .separator, .boundary: return true
        case .other, .digit: return false
        case .empty: return before
        case .optional(let inner): return before && breakAfter(inner, before: before)
        case .repeated(let inner, let min, _):
            // The last repetition follows the one before it, or what came before them all.
            let once = breakAfter(inner, before: before)
            let again = once && breakAfter(inner, before: once)
            return min >= 1 ? again : before && again
        case .alternation(let branches): return branches.allSatisfy { breakAfter($0, before: before) }
        case .sequence(let items): return items.reduce(before) { breakAfter($1, before: $0) }
        }
    }

    /// What follows a node in every match, as far as end marks need to know (see
    /// ``wordEndMark``): a `\b` (perhaps after lookarounds), or a character that is not a word
    /// character.
    struct Following {
        var boundary = false
        var nonWord = false
        static let unknown = Following()
    }

    /// Literals one of which every match of `node` contains, or `nil`; `afterBreak` when what
    /// comes before `node` in every match ends on a break (see ``breakAfter(_:before:)``), and
    /// `following` what comes after it.
    static func required(_ node: Node, afterBreak: Bool = false, following: Following = .unknown) -> [[UInt8]]? {
        switch node {
        case .literal(let bytes): return bytes.isEmpty ? nil : [endMarked(marked(bytes, afterBreak: afterBreak), following)]
        case .other, .separator, .digit, .empty, .boundary, .optional: return nil
        case .repeated(let inner, let min, _): return min >= 1 ? required(inner, afterBreak: afterBreak) : nil
        case .alternation(let branches):
            if let strings = exactStrings(node) {
                return strings.contains { $0.isEmpty } ? nil : strings.map { endMarked(marked($0, afterBreak: afterBreak), following) }
            }
            var all: [[UInt8]] = []
            for branch in branches {
                guard let literals = required(branch, afterBreak: afterBreak, following: following) else { return nil }
                all += literals
            }
            return all
        case .sequence:
            return conjunction(node, afterBreak: afterBreak, following: following).max { worth($0) < worth($1) }
        }
    }

    /// Every requirement of `node` that can be found, each a set of literals one of which every
    /// match contains (sequences give one per item, an alternation at most one for all its branches).
    static func conjunction(_ node: Node, afterBreak: Bool = false, following: Following = .unknown) -> [[[UInt8]]] {
        switch node {
        case .literal(let bytes): return bytes.isEmpty ? [] : [[endMarked(marked(bytes, afterBreak: afterBreak), following)]]
        case .other, .separator, .digit, .empty, .boundary, .optional: return []
        case .repeated(let inner, let min, _): return min >= 1 ? conjunction(inner, afterBreak: afterBreak) : []
        case .alternation: return required(node, afterBreak: afterBreak, following: following).map { [$0] } ?? []
        case .sequence(let items):
            let afterSequence = following
            /// What follows item `index`: the next item that is not a lookaround, or what follows
            /// the sequence.
            func follower(of index: Int) -> Following {
                for item in items[(index + 1)...] {
                    switch item {
                    case .empty: continue
                    case .boundary: return Following(boundary: true)
                    default: return Following(nonWord: startsWithNonWordCharacter(item))
                    }
                }
                return afterSequence
            }
            // Runs of adjacent exact items join into longer alternatives (`\.` then `(?:xyz|top)`
            // gives `.xyz`, `.top`).
            var requirements: [[[UInt8]]] = []
            var run: [[UInt8]]? = nil
            var runAfterBreak = false
            // The last item that gave the run bytes: what follows it follows the run's literals.
            var runLastItem = 0
            var state = afterBreak
            func flush() {
                if let current = run, !current.contains(where: \.isEmpty) {
                    let after = follower(of: runLastItem)
                    requirements.append(current.map { endMarked(marked($0, afterBreak: runAfterBreak), after) })
                }
                run = nil
            }
            for (index, item) in items.enumerated() {
                defer { state = breakAfter(item, before: state) }
                if let strings = exactStrings(item) {
                    if let current = run, current.count * strings.count <= maximumCombinations {
                        run = current.flatMap { prefix in strings.map { prefix + $0 } }
                        if strings.contains(where: { !$0.isEmpty }) { runLastItem = index }
                    } else if run == nil, strings == [[]] {
                        // `\b` or a lookaround before a run: the run starts after it.
                        continue
                    } else {
                        flush()
                        run = strings
                        runAfterBreak = state
                        runLastItem = index
                    }
                } else {
                    flush()
                    requirements += conjunction(item, afterBreak: state, following: follower(of: index))
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
            let quantifierStart = index
            let minimum: Int, maximum: Int?
            switch RegexAtoms.quantifier(bytes, at: index, limit: bytes.count) {
            case .none: return atom
            case .malformed: return nil
            case .bounds(let least, let most, let end): (minimum, maximum, index) = (least, most, end)
            }
            // `x?` is kept apart from other repetitions: with exact neighbours it still gives a
            // short list of exact strings (`millions? de` → `million de`, `millions de`).
            if bytes[quantifierStart] == UInt8(ascii: "?") {
                if case .literal(let run) = atom, run.count > 1 {
                    return .sequence([.literal(Array(run.dropLast())), .optional(.literal([run.last!]))])
                }
                return .optional(atom)
            }
            // A repeated literal run only guarantees its last character once; keep it simple.
            if case .literal(let run) = atom, run.count > 1 {
                return .sequence([.literal(Array(run.dropLast())), .repeated(.literal([run.last!]), min: minimum, max: maximum)])
            }
            return .repeated(atom, min: minimum, max: maximum)
        }

        /// Whether the lookbehind body starting at `start` is `\w)` or a class (not negated) that
        /// lists `\w`, closed by `])`: it matches every word character, perhaps more.
        static func matchesEveryWordCharacter(_ bytes: [UInt8], from start: Int) -> Bool {
            func escapedW(at position: Int) -> Bool {
                position + 1 < bytes.count && bytes[position] == UInt8(ascii: "\\") && bytes[position + 1] == UInt8(ascii: "w")
            }
            if escapedW(at: start) { return start + 2 < bytes.count && bytes[start + 2] == UInt8(ascii: ")") }
            guard start + 1 < bytes.count, bytes[start] == UInt8(ascii: "["), bytes[start + 1] != UInt8(ascii: "^") else { return false }
            var position = start + 1
            var listsW = false
            while position < bytes.count, bytes[position] != UInt8(ascii: "]") {
                // Nested classes (`[[:alpha:]]`) and escapes other than `\w` are stepped over.
                if bytes[position] == UInt8(ascii: "[") { return false }
                if escapedW(at: position) { listsW = true }
                position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
            }
            return listsW && position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: ")")
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
                var refusesWordBefore = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "?") {
                    index += 1
                    guard index < bytes.count else { return nil }
                    switch bytes[index] {
                    case UInt8(ascii: ":"), UInt8(ascii: ">"): index += 1
                    case UInt8(ascii: "="), UInt8(ascii: "!"): index += 1; lookaround = true
                    case UInt8(ascii: "<"):
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "=") || bytes[index + 1] == UInt8(ascii: "!") {
                            refusesWordBefore = bytes[index + 1] == UInt8(ascii: "!") && Parser.matchesEveryWordCharacter(bytes, from: index + 2)
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
                // `(?<!\w)` or `(?<![\w.@])`: the character before is not a word character, which
                // before a letter or digit is what `\b` says.
                if refusesWordBefore { return .boundary }
                return lookaround ? .empty : inner
            case UInt8(ascii: "["):
                if let members = smallClass() { return .alternation(members.map { .literal([$0]) }) }
                guard let end = RegexAtoms.classEnd(bytes, from: index, limit: bytes.count) else { return nil }
                index = end
                return .other
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return nil }
                let escaped = bytes[index + 1]
                index += 2
                if escaped == UInt8(ascii: "b") { return .boundary }
                if escaped == UInt8(ascii: "s") || escaped == UInt8(ascii: "W") { return .separator }
                if escaped == UInt8(ascii: "d") { return .digit }
                if "BAzZGK".utf8.contains(escaped) { return .empty }
                // A backreference (`\1`, `\g{1}`, `\k<name>`) matches what its group did, of any
                // length: read as something unknown repeated any number of times.
                let backreference = Node.repeated(.other, min: 0, max: nil)
                if "pPxNgko".utf8.contains(escaped), index < bytes.count,
                   bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "<") || bytes[index] == UInt8(ascii: "'") {
                    let closing = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : bytes[index] == UInt8(ascii: "<") ? UInt8(ascii: ">") : UInt8(ascii: "'")
                    index += 1
                    while index < bytes.count, bytes[index] != closing { index += 1 }
                    index += 1
                    return "gk".utf8.contains(escaped) ? backreference : .other
                }
                if (49...57).contains(escaped) || escaped == UInt8(ascii: "g") {
                    // `\12`, `\g-1`: the whole number is the reference, not a digit after it.
                    if escaped == UInt8(ascii: "g"), index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
                    while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
                    return backreference
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
/// Most atoms can only count at a word start: a literal that every match has right after a `\b`
/// or a space (marked ``RegexAtoms/wordStartMark``), or one with a letter or digit right after a
/// byte that is not a word byte inside it (`l'arabe`, ` milliard`, `.xyz`). Each such atom is
/// *pinned* at that letter, and looked for only at the text's word starts (an ASCII letter or
/// digit after a byte that is not a word byte: the positions ``LeadingWords`` lists), a sixth of
/// the positions of news text. Where the pinned byte starts a word, the atom's occurrence starts
/// `pin` bytes before it. The other atoms (`@`, `/`, a word part such as `retard` in
/// `\w*retard`) are looked for at every position.
///
/// At each position looked at, its first four bytes are hashed into a bit filter of 8 KB (its
/// first three into another, for atoms of three bytes), and only where a bit is set are the
/// atoms starting with those bytes compared, eight bytes at a time under a mask. Atoms of one or
/// two bytes are listed by their first byte. Unlike an automaton, whose next state depends on
/// the last, nothing carries from one position to the next, so the processor works on several
/// at once, and the tables touched at every position fit in the first-level cache. The
/// Aho-Corasick automaton this replaced (a table of about a megabyte for the bundled packs)
/// waited on memory at most bytes.
struct AtomScanner: Sendable {
    /// An atom, or its first eight bytes: the text's next eight bytes from where the atom would
    /// start (`pin` bytes before the position looked at), masked, equal `prefix`.
    struct Entry: Sendable {
        var prefix: UInt64
        var mask: UInt64
        var length: Int32
        var atom: Int32
        var pin: Int32
        /// Whether the occurrence counts only when the byte after it is not an ASCII word byte
        /// (see ``RegexAtoms/wordEndMark``).
        var wordEnd: Bool
    }

    /// Atoms whose first `keyLength` bytes from their pin hash to each bit of a filter, and to
    /// each bucket.
    struct Table: Sendable {
        static let filterBits = 16
        static let bucketBits = 12
        let keyMask: UInt64
        let filter: [UInt64]
        /// `entries[bucketStart[bucket] ..< bucketStart[bucket + 1]]`.
        let bucketStart: [Int32]
        let entries: [Entry]

        init(keyLength: Int, atoms: [(entry: Entry, key: UInt64)]) {
            let keyMask = lowBytesMask(keyLength)
            self.keyMask = keyMask
            var filter = [UInt64](repeating: 0, count: (1 << Self.filterBits) / 64)
            var buckets = [[Entry]](repeating: [], count: 1 << Self.bucketBits)
            for (entry, key) in atoms {
                let hash = Self.hash(key & keyMask)
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

    /// The atoms looked for at one kind of position, by the length of what follows their pin.
    struct Tables: Sendable {
        let threeByteAtoms: Table
        /// Atoms of four to seven bytes from their pin, by their first four.
        let longerAtoms: Table
        /// Atoms of eight bytes or more from their pin, by their first eight: most are phrases
        /// cut at eight bytes (`les juif`, `des immi`), which keyed by four bytes put a bucket of
        /// them behind every `les ` and `des ` of a text, each compared in turn.
        let eightByteAtoms: Table
        /// The atoms of one or two bytes from their pin, by their first byte there, behind a
        /// bitmap of the pairs (byte before the position, first byte) that can start one. The
        /// bundled atoms of this kind (`+1`, `.cf`, `'ll`) are pinned after a sign: keyed by their
        /// first byte alone, every word starting with a digit, `c`, `g`, `l`, `m` or `t` (more
        /// than a quarter of them) had the atoms compared; by the pair, only those after the
        /// sign do. An atom pinned at its start, or after more than eight bytes, takes every
        /// byte before.
        let shortPairs: [UInt64]
        let shortStart: [Int32]
        let shortEntries: [Entry]
        let isEmpty: Bool
        /// The bytes that the atoms' keys start with, when there are at most three of them (`@`,
        /// `/`, `p`): the positions worth looking at are then found sixteen bytes at a time.
        let fewFirstBytes: (UInt8, UInt8, UInt8)?

        init(_ atoms: [(entry: Entry, key: [UInt8])]) {
            var shortPairs = [UInt64](repeating: 0, count: 256 * 256 / 64)
            var short = [[Entry]](repeating: [], count: 256)
            var three: [(entry: Entry, key: UInt64)] = []
            var longer: [(entry: Entry, key: UInt64)] = []
            var eight: [(entry: Entry, key: UInt64)] = []
            for (entry, key) in atoms {
                let packed = littleEndianKey(key).word
                switch key.count {
                case 1, 2:
                    let first = Int(key[0])
                    let pin = Int(entry.pin)
                    let befores = (1...8).contains(pin)
                        ? [Int(truncatingIfNeeded: entry.prefix >> (8 * UInt64(pin - 1)) & 0xFF)] : Array(0..<256)
                    for before in befores {
                        let pair = before << 8 | first
                        shortPairs[pair >> 6] |= 1 << UInt64(pair & 63)
                    }
                    short[first].append(entry)
                case 3: three.append((entry, packed))
                case 4...7: longer.append((entry, packed))
                default: eight.append((entry, packed))
                }
            }
            threeByteAtoms = Table(keyLength: 3, atoms: three)
            longerAtoms = Table(keyLength: 4, atoms: longer)
            eightByteAtoms = Table(keyLength: 8, atoms: eight)
            self.shortPairs = shortPairs
            let flatShort = flattened(short)
            shortStart = flatShort.starts
            shortEntries = flatShort.elements
            isEmpty = atoms.isEmpty
            let firstBytes = Array(Set(atoms.map { $0.key[0] })).sorted()
            fewFirstBytes = (1...3).contains(firstBytes.count)
                ? (firstBytes[0], firstBytes[1 % firstBytes.count], firstBytes[2 % firstBytes.count]) : nil
        }
    }

    private let anywhere: Tables
    private let atWordStarts: Tables
    /// Bytes after the eighth, for the rare atoms longer than eight bytes (by atom id).
    private let tails: [Int32: [UInt8]]
    let atomCount: Int
    /// Whether some atoms are looked for at word starts, which the caller then lists.
    var needsWordStarts: Bool { !atWordStarts.isEmpty }

    /// Whether `atom` is looked for at word starts only (see the type's description).
    static func isPinned(_ atom: [UInt8]) -> Bool { pin(of: atom) != nil }

    /// Where the atom (marked or not) is pinned, in its unmarked bytes, if it is.
    static func pin(of marked: [UInt8]) -> Int? {
        let atom = RegexAtoms.withoutMark(marked)
        if RegexAtoms.isMarked(marked), let first = atom.first, LeadingWords.isAlphanumeric(first) { return 0 }
        let position = atom.indices.dropFirst().first { position in
            !LeadingWords.isWordByte(atom[position - 1]) && LeadingWords.isAlphanumeric(atom[position])
        }
        return position.map { $0 - atom.startIndex }
    }

    /// - Parameter atoms: byte strings, each perhaps marked with ``RegexAtoms/wordStartMark``
    ///   as its first byte.
    init(_ atoms: [[UInt8]]) {
        atomCount = atoms.count
        var anywhere: [(entry: Entry, key: [UInt8])] = []
        var atWordStarts: [(entry: Entry, key: [UInt8])] = []
        var tails: [Int32: [UInt8]] = [:]
        for (id, marked) in atoms.enumerated() {
            let atom = Array(RegexAtoms.withoutMark(marked))
            guard !atom.isEmpty else { continue }
            let pin = AtomScanner.pin(of: marked)
            let key = littleEndianKey(atom)
            let entry = Entry(prefix: key.word, mask: key.mask, length: Int32(atom.count), atom: Int32(id), pin: Int32(pin ?? 0),
                              wordEnd: RegexAtoms.isEndMarked(marked))
            if atom.count > 8 { tails[Int32(id)] = Array(atom[8...]) }
            if let pin {
                atWordStarts.append((entry, Array(atom[pin...])))
            } else {
                anywhere.append((entry, atom))
            }
        }
        self.anywhere = Tables(anywhere)
        self.atWordStarts = Tables(atWordStarts)
        self.tails = tails
    }

    /// Which atoms occur in `text`, given its word starts (see ``LeadingWords/wordStarts(in:)``)
    /// when ``needsWordStarts``; found here when not given.
    func presentAtoms(in text: UnsafeBufferPointer<UInt8>, wordStarts: [Int32]? = nil) -> [Bool] {
        var present = [Bool](filledWith: false, count: atomCount)
        var list = [Int32](filledWith: 0, count: atomCount)
        _ = presentAtoms(in: text, wordStarts: wordStarts, into: &present, listing: &list)
        return present
    }

    /// The same, set in `present` (one flag per atom, all false on entry), and listed, in the
    /// order found, at the start of `list` (room for every atom): returns how many there are.
    func presentAtoms(in text: UnsafeBufferPointer<UInt8>, wordStarts: [Int32]?, into present: inout [Bool],
                      listing list: inout [Int32]) -> Int {
        let count = text.count
        guard atomCount > 0, count > 0 else { return 0 }
        precondition(list.count >= atomCount, "room to list every atom")
        // A copy with eight zero bytes after the end, so every position can load eight bytes;
        // an entry still matches only if it ends within the text.
        let padded = UnsafeMutableRawBufferPointer.allocate(byteCount: count + 8, alignment: 8)
        defer { padded.deallocate() }
        padded.copyMemory(from: UnsafeRawBufferPointer(text))
        (padded.baseAddress! + count).initializeMemory(as: UInt8.self, repeating: 0, count: 8)
        let base = UnsafeRawPointer(padded.baseAddress!)
        var listed = 0
        present.withUnsafeMutableBufferPointer { present in
        list.withUnsafeMutableBufferPointer { list in
            if let targets = anywhere.fewFirstBytes {
                scan(anywhere, at: PositionsOfBytes(text: text, targets: targets), base: base, count: count, into: present,
                     listing: list, listed: &listed)
            } else if !anywhere.isEmpty {
                scan(anywhere, at: 0..<count, base: base, count: count, into: present, listing: list, listed: &listed)
            }
            if !atWordStarts.isEmpty {
                let starts = wordStarts ?? LeadingWords.wordStarts(in: text)
                starts.withUnsafeBufferPointer { starts in
                    scan(atWordStarts, at: starts.lazy.map { Int($0) }, base: base, count: count, into: present,
                         listing: list, listed: &listed)
                }
            }
        }}
        return listed
    }

    @inline(__always)
    private func scan<Positions: Sequence>(_ tables: Tables, at positions: Positions, base: UnsafeRawPointer, count: Int,
                                           into present: UnsafeMutableBufferPointer<Bool>, listing list: UnsafeMutableBufferPointer<Int32>,
                                           listed: inout Int) where Positions.Element == Int {
        let tails = self.tails
        let threeMask = tables.threeByteAtoms.keyMask
        let longerMask = tables.longerAtoms.keyMask
        tables.threeByteAtoms.filter.withUnsafeBufferPointer { threeFilter in
        tables.threeByteAtoms.bucketStart.withUnsafeBufferPointer { threeStart in
        tables.threeByteAtoms.entries.withUnsafeBufferPointer { threeEntries in
        tables.longerAtoms.filter.withUnsafeBufferPointer { longerFilter in
        tables.longerAtoms.bucketStart.withUnsafeBufferPointer { longerStart in
        tables.longerAtoms.entries.withUnsafeBufferPointer { longerEntries in
        tables.eightByteAtoms.filter.withUnsafeBufferPointer { eightFilter in
        tables.eightByteAtoms.bucketStart.withUnsafeBufferPointer { eightStart in
        tables.eightByteAtoms.entries.withUnsafeBufferPointer { eightEntries in
        tables.shortPairs.withUnsafeBufferPointer { shortPairs in
        tables.shortStart.withUnsafeBufferPointer { shortStart in
        tables.shortEntries.withUnsafeBufferPointer { shortEntries in
            @inline(__always) func check(_ entries: UnsafeBufferPointer<Entry>, _ range: Range<Int>,
                                         at position: Int, _ word: UInt64) {
                for index in range {
                    let entry = entries[index]
                    let start = position - Int(entry.pin)
                    guard start >= 0, start + Int(entry.length) <= count else { continue }
                    let atStart = entry.pin == 0
                        ? word : UInt64(littleEndian: base.loadUnaligned(fromByteOffset: start, as: UInt64.self))
                    guard atStart & entry.mask == entry.prefix else { continue }
                    if entry.length > 8, !tails[entry.atom]!.enumerated().allSatisfy({ offset, byte in
                        base.load(fromByteOffset: start + 8 + offset, as: UInt8.self) == byte
                    }) { continue }
                    // The byte after it (a zero of the padding at the text's end) ends the word.
                    if entry.wordEnd, LeadingWords.isWordByte(base.load(fromByteOffset: start + Int(entry.length), as: UInt8.self)) { continue }
                    if !present[Int(entry.atom)] {
                        present[Int(entry.atom)] = true
                        list[listed] = entry.atom
                        listed &+= 1
                    }
                }
            }
            /// One table's atoms at a position: its filter, then its bucket for the key's hash.
            @inline(__always) func probe(_ filter: UnsafeBufferPointer<UInt64>, _ bucketStart: UnsafeBufferPointer<Int32>,
                                         _ entries: UnsafeBufferPointer<Entry>, _ hash: UInt64, at position: Int, _ word: UInt64) {
                let bit = Table.filterIndex(hash)
                guard filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0 else { return }
                let bucket = Table.bucketIndex(hash)
                check(entries, Int(bucketStart[bucket])..<Int(bucketStart[bucket + 1]), at: position, word)
            }
            for position in positions {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let first = Int(truncatingIfNeeded: word & 0xFF)
                let before = position > 0 ? Int(base.load(fromByteOffset: position - 1, as: UInt8.self)) : 0
                let pair = before << 8 | first
                if shortPairs[pair >> 6] & (1 << UInt64(pair & 63)) != 0 {
                    check(shortEntries, Int(shortStart[first])..<Int(shortStart[first + 1]), at: position, word)
                }
                probe(eightFilter, eightStart, eightEntries, Table.hash(word), at: position, word)
                probe(longerFilter, longerStart, longerEntries, Table.hash(word & longerMask), at: position, word)
                probe(threeFilter, threeStart, threeEntries, Table.hash(word & threeMask), at: position, word)
            }
        }}}}}}}}}}}}
    }
}

/// The positions of a text whose byte is one of three, in order, found sixteen bytes at a time.
struct PositionsOfBytes: Sequence, IteratorProtocol {
    let text: UnsafeBufferPointer<UInt8>
    let targets: (UInt8, UInt8, UInt8)
    private var from = 0

    init(text: UnsafeBufferPointer<UInt8>, targets: (UInt8, UInt8, UInt8)) {
        self.text = text
        self.targets = targets
    }

    mutating func next() -> Int? {
        let found = text.firstIndex(ofAnyOf: targets, from: from)
        guard found < text.count else { return nil }
        from = found + 1
        return found
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
