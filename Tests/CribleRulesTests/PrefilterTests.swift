@testable import CribleRules
import XCTest
import PCRE2
import CribleCore

/// The definitions the word starts are checked against, written out as ranges.
private func isAlphanumeric(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) }
private func isWordByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "_") }

final class PrefilterTests: XCTestCase {
    /// An atom as text, with its word-start mark (see ``RegexAtoms/wordStartMark``) shown as `‸`
    /// and its word-end mark (``RegexAtoms/wordEndMark``) as `$`.
    func shown(_ atom: [UInt8]) -> String {
        (RegexAtoms.isMarked(atom) ? "‸" : "") + String(decoding: RegexAtoms.withoutMark(atom), as: UTF8.self)
            + (RegexAtoms.isEndMarked(atom) ? "$" : "")
    }

    func atoms(_ pattern: String) -> [String]? {
        RegexAtoms.requirements(of: pattern)?.first?.map(shown).sorted()
    }

    func testRequiredLiteralsOfCommonShapes() {
        XCTAssertEqual(atoms(#"\bdonnees? de sante\b"#), ["‸donnee d", "‸donnees "], "atoms are cut after eight bytes, the mark aside")
        XCTAssertEqual(atoms(#"\b(?:rancongiciel|ransomware)s?\b"#), ["‸rancongi", "‸ransomwa"], "a literal cut short has no end mark")
        XCTAssertEqual(atoms(#"[a-z0-9.]+@[a-z0-9-]+\.[a-z]{2,}"#), ["@"], "`@` is rare in prose: worth filtering on alone")
        XCTAssertEqual(atoms(#"[a-z]+\.(?:xyz|top|tk)\b"#), [".tk$", ".top$", ".xyz$"], "adjacent exact pieces combine")
        XCTAssertEqual(atoms(#"\b(?:de|la) [0-9]+"#), nil, "two-letter words occur in every text")
        XCTAssertEqual(atoms(#"\bwww\.[a-z]+"#), ["‸www."])
        XCTAssertEqual(atoms(#"\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}\b"#), ["@"])
        XCTAssertEqual(atoms(#"(?<![\w+])\+(?!33)(?=(?:[ .()-]{0,2}\d){8,15})[1-9]\d{0,2}"#), (1...9).map { "+\($0)" })
        XCTAssertEqual(atoms(#"(?:foo|ba)bar"#), ["babar", "foobar"])
        XCTAssertEqual(atoms(#"(?:foo|x*)bar"#), ["bar"])
        XCTAssertEqual(atoms(#"(?:foo|x*)"#), nil, "a branch without a literal")
        XCTAssertEqual(atoms(#"(?i)abc"#), nil, "inline options: always run")
        XCTAssertEqual(atoms(#"abcd?"#), ["abc"], "`abcd` holds `abc`: one atom is enough")
        XCTAssertEqual(atoms(#"\b(?:[1-9]|1[0-2]) ?ans\b"#)?.count, 24, "small classes and `?` expand")
        XCTAssertEqual(atoms(#"[^abc]xyz"#), ["xyz"], "a negated class is not a set of strings")
        XCTAssertEqual(atoms(#"(?=abc)def"#), ["def"])
    }

    func testAtomsThatExtendAnotherAreDropped() {
        XCTAssertEqual(atoms(#"\b(?:images?|photos?|photographies)"#), ["‸image", "‸photo"])
        XCTAssertEqual(atoms(#"\b(?:gen|generee?s?)"#), ["‸gen"])
        XCTAssertEqual(atoms(#"\b(?:images?|photos?|photographies)\b"#), ["‸image$", "‸images$", "‸photo$", "‸photogra", "‸photos$"],
                       "a word that must end there does not hold its longer forms")
        XCTAssertEqual(RegexAtoms.withoutExtensions([Array("abd".utf8), Array("ab".utf8), Array("abc".utf8), Array("b".utf8)])
                           .map { String(decoding: $0, as: UTF8.self) }, ["ab", "b"])
    }

    func testLiteralRunsAreReadAsWordsWithQuantifiersOnTheirLastCharacter() {
        XCTAssertEqual(atoms(#"\bvoitures+ rouge"#), ["‸voiture"], "`s+` repeats the `s` only")
        XCTAssertEqual(atoms(#"\b(?:chat)+ \d"#), ["‸chat"])
        XCTAssertEqual(atoms(#"\bxyz\.abc"#), ["‸xyz.abc"], "an escaped character joins the word")
        XCTAssertEqual(atoms(#"\bprix{2,3}\d"#), ["‸pri"], "`x{2,3}` repeats the `x` only")
    }

    func requirements(_ pattern: String) -> [[String]]? {
        RegexAtoms.requirements(of: pattern)?.map { $0.map(shown) }
    }

    func testEveryRequirementOfASequenceIsKept() {
        XCTAssertEqual(requirements(#"\b(?:photo|video)\s+generee\s+par\s+ia\b"#), [["‸generee$"], ["‸photo$", "‸video$"], ["‸par$"]],
                       "most selective first; `ia` is too common to keep")
        XCTAssertEqual(requirements(#"(?:abc\s+def)+\s+ghij"#), [["‸ghij"], ["abc$"], ["‸def"]], "a repeated group's requirements hold")
        XCTAssertEqual(requirements(#"(?:abc\s+def)?\s*ghij"#), [["ghij"]], "an optional group's do not")
        XCTAssertEqual(requirements(#"abc\s+(?:xyz|uvw)\s+abc"#), [["‸abc"], ["‸uvw$", "‸xyz$"]],
                       "a requirement is kept once, marked at its start when one of its occurrences is")
        XCTAssertEqual(requirements(#"aaaa\s+bbbb\s+cccc\s+dddd\s+eeee"#)?.count, RegexAtoms.maximumRequirements)
    }

    /// A literal is marked when every match has it right after a byte that is not a word byte.
    func testLiteralsAfterABreakAreMarked() {
        XCTAssertEqual(atoms(#"\bfoo"#), ["‸foo"])
        XCTAssertEqual(atoms(#"\sfoo"#), ["‸foo"])
        XCTAssertEqual(atoms(#"\Wfoo"#), ["‸foo"])
        XCTAssertEqual(atoms(#"(?<!\w)foo"#), ["‸foo"], "a lookbehind that refuses a word character")
        XCTAssertEqual(atoms(#"(?<![\w.@])foo"#), ["‸foo"])
        XCTAssertEqual(atoms(#"\b(?:tous\s+)?foo"#), ["‸foo"], "an optional group that ends on a space, after a break")
        XCTAssertEqual(atoms(#"\bab\s*(?:cd\s*)*foo"#), ["foo"],
                       "`ab` then `foo` with nothing between is one word")
        XCTAssertEqual(atoms(#"(?:te\s+|t'\s*)foo"#), ["‸foo"])
        XCTAssertEqual(atoms(#"(?:te|t')\s*foo"#), ["foo"], "`tefoo` matches: `foo` may be inside a word")
        XCTAssertEqual(atoms(#"\w*foo"#), ["foo"])
        XCTAssertEqual(atoms(#"(?<!\d)foo"#), ["foo"], "a lookbehind that allows letters before")
        XCTAssertEqual(atoms(#"(?<![^\w])foo"#), ["foo"], "a negated class lists no word character")
        XCTAssertEqual(atoms(#"(?<=\s)foo"#), ["foo"], "a positive lookbehind is not read")
        XCTAssertEqual(atoms(#"\b_foo"#), ["_foo"], "only a letter or digit can start a word")
        XCTAssertEqual(atoms(#"\b(?:foo|-bar)"#), ["-bar", "‸foo"], "each literal of an alternation on its own")
    }

    /// A literal is end-marked when every match has, right after it, a byte that is not a word
    /// byte: a `\b` after a word byte, or a character that is not a word character.
    func testLiteralsBeforeABreakAreEndMarked() {
        XCTAssertEqual(atoms(#"\bcons?\b"#), ["‸con$", "‸cons$"], "`con` no longer stands for `contre`")
        XCTAssertEqual(atoms(#"\bfoo\b(?!\s+bar)"#), ["‸foo$"], "lookarounds after the word boundary do not matter")
        XCTAssertEqual(atoms(#"\bfoo\s+\d"#), ["‸foo$"], "a space follows")
        XCTAssertEqual(atoms(#"\bfoo\W"#), ["‸foo$"])
        XCTAssertEqual(atoms(#"\b(?:foo|bar)\s*(?:qux|baz)\b"#), ["‸bar", "‸foo"], "a space that may be missing: `fooqux` matches")
        XCTAssertEqual(atoms(#"\bfoo-\b"#), ["‸foo-"], "after a byte that is not a word byte, a word boundary is followed by a word byte")
        XCTAssertEqual(atoms(#"\bfoo\b bar"#), ["‸foo bar"], "a run that goes on after the word boundary is not marked")
        XCTAssertEqual(atoms(#"\b(?:x+ |y+ )(?:abcd|efgh)\b"#), ["‸abcd$", "‸efgh$"], "each branch of an alternation before the word boundary")
        XCTAssertEqual(atoms(#"\b(?:abcd|efgh)\d"#), ["‸abcd", "‸efgh"], "a digit is a word character")
    }

    func testAtomsArePinnedAtTheirFirstWordStart() {
        func pin(_ atom: String) -> Int? { AtomScanner.pin(of: Array(atom.utf8)) }
        XCTAssertEqual(pin("foo"), nil)
        XCTAssertEqual(AtomScanner.pin(of: [RegexAtoms.wordStartMark] + Array("foo".utf8)), 0)
        XCTAssertEqual(AtomScanner.pin(of: [RegexAtoms.wordStartMark] + Array("-foo".utf8)), 1, "a mark before a non-letter is not a pin")
        XCTAssertEqual(pin("l'arabe"), 2)
        XCTAssertEqual(pin(" milliard"), 1)
        XCTAssertEqual(pin(".xyz"), 1)
        XCTAssertEqual(pin("+33"), 1)
        XCTAssertEqual(pin("a_b"), nil, "`_` is a word byte")
        XCTAssertEqual(pin("@"), nil)
        XCTAssertEqual(pin("ab "), nil)
        XCTAssertEqual(pin("\u{E9}t\u{E9}"), 2, "a byte beyond ASCII is not a word byte")
    }

    func testAPatternIsSkippedOnlyWhenARequirementIsMissing() {
        let prefilter = RegexPrefilter(patterns: [#"\b(?:photo|video)\s+generee\s+par\s+ia\b"#, #"\b(?:de|la) [0-9]+"#])
        func candidates(_ text: String) -> [Bool] { Array(text.utf8).withUnsafeBufferPointer { prefilter.candidates(in: $0) } }
        XCTAssertEqual(candidates("une photo generee par ia"), [true, true])
        XCTAssertEqual(candidates("une photo prise par un reporter"), [false, true], "`generee` is missing")
        XCTAssertEqual(candidates("une image generee par ia"), [false, true], "neither `photo` nor `video`")
        XCTAssertEqual(candidates("video generee, dit-on, par ia"), [true, true], "all present: the pattern runs (and will not match)")
    }

    func testPatternsThatCanBacktrackExponentiallyGetTighterLimits() throws {
        let result = load([("risky.yaml", labelHeader + """
            rules:
              - id: risky
                label: test/a
                description: d
                regex: ['(?:\\w+\\s?)+\\d{12}', '(?:\\w+\\s)+fin\\b']
            """)])
        XCTAssertEqual(result.errors, [], "\(result.errors)")
        guard case .regex(let patterns) = try XCTUnwrap(result.ruleSet.rule(withID: "risky")).kind else {
            return XCTFail("not compiled as a regex rule")
        }
        XCTAssertEqual(patterns.map(\.limits), [.risky, .standard], "only the nested unbounded repetition is risky")
        // On a text it cannot match, the risky pattern gives up (the rule is skipped on this
        // document, with an issue) instead of spending the standard limit.
        let subject = Array(String(repeating: "mot ", count: 200).utf8)
        XCTAssertThrowsError(try subject.withUnsafeBufferPointer { try patterns[0].matches(in: $0, scratch: MatchScratch(), limit: 10) }) { error in
            XCTAssertTrue((error as? PCRE2Error)?.isResourceLimit ?? false, "\(error)")
        }
    }

    func testRegexRulesAfterABrokenPatternStillRunTheirOwnPatterns() {
        // The prefilter is built beside compilation from every regex rule; a rule whose pattern
        // does not compile drops out of the set, and the prefilter must then follow the patterns
        // that remain, or the next rule would be filtered on the broken one's atoms.
        let result = load([("mixed.yaml", labelHeader + """
            rules:
              - id: broken
                label: test/a
                description: d
                regex: ['facture{2,1}']
              - id: working
                label: test/b
                description: d
                regex: ['\\bcolis\\s+bloque\\b']
            """)])
        XCTAssertEqual(result.errors.map(\.code), ["E014"])
        XCTAssertEqual(matches(result.ruleSet, "Votre colis bloqué en douane"), ["working": ["colis bloqué"]])
        XCTAssertEqual(matches(result.ruleSet, "Votre facturee est prête"), [:])
    }

    func testTheScannerFindsOverlappingAtoms() {
        let scanner = AtomScanner([Array("he".utf8), Array("she".utf8), Array("hers".utf8), Array("xyz".utf8)])
        let text = Array("ushers".utf8)
        let present = text.withUnsafeBufferPointer { scanner.presentAtoms(in: $0) }
        XCTAssertEqual(present, [true, true, true, false])
    }

    /// The scanner against a plain substring search, on random atoms of every length it handles
    /// differently (one and two bytes, three, four to eight, longer) and texts of a small
    /// alphabet, so that atoms occur, overlap, share their first bytes and sit at either end.
    func testTheScannerAgreesWithASubstringSearch() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab c\u{E9}".utf8)
        func randomBytes(_ length: Int) -> [UInt8] {
            (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
        }
        for _ in 0..<300 {
            let atoms = (0..<Int.random(in: 1...40, using: &generator)).map { _ in
                randomBytes(Int.random(in: 1...12, using: &generator))
            }
            let scanner = AtomScanner(atoms)
            for _ in 0..<5 {
                let text = randomBytes(Int.random(in: 0...60, using: &generator))
                let present = text.withUnsafeBufferPointer { scanner.presentAtoms(in: $0) }
                let expected = atoms.map { atom in
                    text.count >= atom.count && (0...(text.count - atom.count)).contains { text[$0..<($0 + atom.count)].elementsEqual(atom) }
                }
                XCTAssertEqual(present, expected, "atoms \(atoms.map { String(decoding: $0, as: UTF8.self) }) in \(String(decoding: text, as: UTF8.self))")
                if present != expected { return }
            }
        }
    }

    /// Atoms marked as starting a word count only where they do, atoms marked as ending one only
    /// where they do; others wherever they occur. Random atoms and texts of letters, digits, `_`,
    /// spaces, apostrophes, dashes and bytes beyond ASCII, so atoms are pinned by their mark, by a
    /// break inside them, or not at all, with one or two bytes after the pin, three, four to
    /// seven, eight or more, and a pin past the eighth byte; sets of few atoms take the scan
    /// that jumps between their first bytes.
    func testPinnedAtomsAreFoundWhereTheyStartAWord() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "b", "1", "_", " ", "'", "-", "\u{E9}", "ab", "b1"]
        func randomBytes(_ count: Int) -> [UInt8] {
            Array((0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined().utf8)
        }
        var pinnedFound = 0, pinnedRefused = 0
        for round in 0..<600 {
            let atoms: [[UInt8]] = (0..<Int.random(in: 1...(round % 2 == 0 ? 4 : 30), using: &generator)).map { _ in
                let atom = randomBytes(Int.random(in: 1...(round % 3 == 0 ? 12 : 5), using: &generator))
                let started = Bool.random(using: &generator) ? [RegexAtoms.wordStartMark] + atom : atom
                return Int.random(in: 0..<3, using: &generator) == 0 ? started + [RegexAtoms.wordEndMark] : started
            }
            let scanner = AtomScanner(atoms)
            for _ in 0..<5 {
                let text = randomBytes(Int.random(in: 0...40, using: &generator))
                let present = text.withUnsafeBufferPointer { scanner.presentAtoms(in: $0) }
                let expected = atoms.map { marked -> Bool in
                    let atom = Array(RegexAtoms.withoutMark(marked))
                    let startsAWord = RegexAtoms.isMarked(marked) && isAlphanumeric(atom[0])
                    let endsAWord = RegexAtoms.isEndMarked(marked)
                    guard text.count >= atom.count else { return false }
                    return (0...(text.count - atom.count)).contains { start in
                        let end = start + atom.count
                        return text[start..<end].elementsEqual(atom) && (!startsAWord || start == 0 || !isWordByte(text[start - 1]))
                            && (!endsAWord || end == text.count || !isWordByte(text[end]))
                    }
                }
                for (marked, (found, wanted)) in zip(atoms, zip(present, expected)) where RegexAtoms.isMarked(marked) {
                    if found { pinnedFound += 1 } else if text.count > 0 { pinnedRefused += 1 }
                    _ = wanted
                }
                XCTAssertEqual(present, expected, "atoms \(atoms.map(shown)) in \(String(decoding: text, as: UTF8.self))")
                if present != expected { return }
            }
        }
        XCTAssertGreaterThan(pinnedFound, 100)
        XCTAssertGreaterThan(pinnedRefused, 100)
    }

    /// A pattern is a candidate for every text it matches, however its atoms are pinned: tricky
    /// shapes against random texts of their own words, glued to each other or not.
    func testThePrefilterNeverSkipsAPatternThatMatches() throws {
        let patterns = [
            #"\b(?:je|j'|on)\s*(?:vais|veux)\s+(?:tous\s+)?(?:te\s+|t'\s*|vous\s+)(?:tuer|buter)\b"#,
            #"(?:te|t')\s*(?:tuer|buter)"#,
            #"(?<![\w.])(?:contact|info)@[a-z]+\.fr"#,
            #"\d+\s*(?:milliards?|millions?)\s+(?:d'euros|de dollars)"#,
            #"\b(?:l'|les\s+)(?:arabes?|migrants?)\s+(?:\w+\s+){0,2}?(?:envahissent|volent)"#,
            #"[a-z]+\.(?:xyz|top)\b"#,
            #"\bab\s*(?:cd\s*)*tuer"#,
            #"\b(?:gros|petit)\s+cons?\b(?!\s+x)"#,
            #"\b(?:l'|les\s+)con\W+(?:arabes?|site)"#,
        ]
        let prefilter = RegexPrefilter(patterns: patterns)
        let regexes = try patterns.map { try Regex($0) }
        let pieces = ["je", "j'", "on", "vais", "veux", "tous", "te", "t'", "vous", "tuer", "buter", "contact", "info", "@",
                      "exemple", ".fr", ".", "3", "12", "milliards", "million", "d'euros", "de", "dollars", "l'", "les",
                      "arabe", "migrants", "envahissent", "volent", "site", ".xyz", ".top", "ab", "cd", " ", " ", "  ", "_", "x", "é",
                      "gros", "petit", "con", "cons", "contre", "!", "-"]
        var generator = SystemRandomNumberGenerator()
        let scratch = MatchScratch()
        var matched = 0, skipped = 0
        for _ in 0..<20_000 {
            let text = randomText(of: pieces, upTo: 14, using: &generator)
            let candidates = text.withUnsafeBufferPointer { prefilter.candidates(in: $0) }
            for (index, regex) in regexes.enumerated() {
                let matches = try text.withUnsafeBufferPointer { try regex.matches(in: $0, scratch: scratch) }
                if !matches.isEmpty {
                    matched += 1
                    XCTAssertTrue(candidates[index], "\(patterns[index]) skipped on \(String(decoding: text, as: UTF8.self))")
                    if !candidates[index] { return }
                } else if !candidates[index] {
                    skipped += 1
                }
            }
        }
        XCTAssertGreaterThan(matched, 500, "the texts must hold matches for the check to mean something")
        XCTAssertGreaterThan(skipped, 10_000, "and the prefilter must still skip patterns")
    }

    // MARK: Digits in a row

    func digitRun(_ pattern: String) -> Int? {
        RegexAtoms.parse(pattern).map { RegexAtoms.digitRuns($0).longest }
    }

    func testDigitsInARowOfCommonShapes() {
        XCTAssertEqual(digitRun(#"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue)\s+[\w'-]+,?\s+\d{5}\b"#), 5, "a postal code")
        XCTAssertEqual(digitRun(#"(?:\w+\s?)+\d{12}"#), 12)
        XCTAssertEqual(digitRun(#"\b(?:09\d{9}|087\d{8})\b"#), 11, "literal digits join the class's")
        XCTAssertEqual(digitRun(#"\d{3}[.-]\d{3}[.-]\d{4}"#), 4)
        XCTAssertEqual(digitRun(#"[0-9]{6}"#), 6, "a small class of digits is a digit")
        XCTAssertEqual(digitRun(#"[0-9a]{6}"#), 0, "not when it holds something else")
        XCTAssertEqual(digitRun(#"1\d*2"#), 2, "what may be empty between digits keeps them in a row")
        XCTAssertEqual(digitRun(#"\d(?=\d)\d"#), 2, "so does a lookaround")
        XCTAssertEqual(digitRun(#"\d?\d{2}"#), 2)
        XCTAssertEqual(digitRun(#"(?:12|3)\d"#), 2, "the shorter branch counts")
        XCTAssertEqual(digitRun(#"(?:12|x)\d"#), 1)
        XCTAssertEqual(digitRun(#"(?:\d\d)+"#), 2)
        XCTAssertEqual(digitRun(#"(?:a\d\d){3}"#), 2)
        XCTAssertEqual(digitRun(#"(?:\d\da\d){2}"#), 3, "repetitions join one's last digits to the next one's first")
        XCTAssertEqual(digitRun(#"(?:\d\da\d)?x"#), 0, "an optional group guarantees nothing")
        XCTAssertEqual(digitRun(#"\d{3}(?:x|\d)"#), 3, "a branch that may not be a digit ends the run")
        XCTAssertEqual(digitRun(#"\d\w\d"#), 1, "nor is a word character known to be one")
        XCTAssertEqual(digitRun(#"\d{2000000}"#), RegexAtoms.DigitRuns.cap, "huge counts are capped")
    }

    func testTheLongestDigitRunOfATextIsCounted() {
        func longest(_ text: String) -> Int { Array(text.utf8).withUnsafeBufferPointer(RegexPrefilter.longestDigitRun(in:)) }
        XCTAssertEqual(longest(""), 0)
        XCTAssertEqual(longest("pas de chiffre ici, ni là."), 0)
        XCTAssertEqual(longest("en 2024, 12 rue des Lilas, 75011 Paris"), 5)
        XCTAssertEqual(longest("1234567890123"), 13, "across groups of eight")
        XCTAssertEqual(longest("abcdefg12345678xyz"), 8, "a run that straddles two groups")
        XCTAssertEqual(longest("42 °C, 1°, ° ° ° ° ° ° °"), 2, "the degree sign's second byte has a digit's low bits")
        XCTAssertEqual(longest("x9"), 1)
        // Against a count byte by byte, on random texts of digits, letters and bytes beyond ASCII.
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("0123456789a /".utf8) + [0xB0, 0xB9, 0xC2, 0xE2]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var expected = 0, current = 0
            for byte in text {
                current = (48...57).contains(byte) ? current + 1 : 0
                expected = max(expected, current)
            }
            XCTAssertEqual(text.withUnsafeBufferPointer(RegexPrefilter.longestDigitRun(in:)), expected, "\(text)")
        }
    }

    func testAPatternNeedingMoreDigitsInARowThanATextHasCannotMatchIt() throws {
        let patterns = [#"\d{3}[.-]\d{3}"#, #"(?:\d\da\d){2}"#, #"\b\d{1,4},?\s+rue\s+\w+\s+\d{5}\b"#, #"1\d*2\d"#,
                        #"(?:12|3)\d{2}"#, #"\d?\d{3}x"#]
        let regexes = try patterns.map { try Regex($0) }
        let needed = patterns.map { digitRun($0)! }
        let pieces = ["1", "2", "3", "45", "678", "9", "a", "x", " ", "rue", "lilas", ".", "-", "12", "00000"]
        var generator = SystemRandomNumberGenerator()
        let scratch = MatchScratch()
        var matched = 0, excluded = 0
        for _ in 0..<20_000 {
            let text = randomText(of: pieces, upTo: 10, using: &generator)
            let longest = text.withUnsafeBufferPointer(RegexPrefilter.longestDigitRun(in:))
            for (index, regex) in regexes.enumerated() {
                let matches = try text.withUnsafeBufferPointer { try regex.matches(in: $0, scratch: scratch) }
                if !matches.isEmpty {
                    matched += 1
                    XCTAssertGreaterThanOrEqual(longest, needed[index], "\(patterns[index]) matches \(String(decoding: text, as: UTF8.self))")
                    if longest < needed[index] { return }
                } else if longest < needed[index] {
                    excluded += 1
                }
            }
        }
        XCTAssertGreaterThan(matched, 1_000, "the texts must hold matches for the check to mean something")
        XCTAssertGreaterThan(excluded, 10_000, "and the run must still rule patterns out")
    }

    // MARK: Digits in a stretch

    func density(_ pattern: String) -> RegexAtoms.DigitDensity? {
        RegexAtoms.parse(pattern).map(RegexAtoms.digitDensity)
    }

    func testDigitsInAStretchOfCommonShapes() {
        typealias D = RegexAtoms.DigitDensity
        XCTAssertEqual(density(#"(?<![\w+])(?:\+33\s?(?:\(0\)\s?)?|0033\s?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)"#),
                       D(digits: 10, span: 27), "a French phone number: `+33 (0) ` is the longest start, a space counted as four bytes")
        XCTAssertEqual(density(#"\d{3}[.-]\d{3}[.-]\d{4}"#), D(digits: 10, span: 12))
        XCTAssertEqual(density(#"\d{2,4}"#), D(digits: 2, span: 4))
        XCTAssertEqual(density(#"\d{2,4}?x"#), D(digits: 2, span: 5), "a lazy count keeps its bounds")
        XCTAssertEqual(density(#"\d+"#), D(digits: 1, span: nil))
        XCTAssertEqual(density(#"x{2,}\d"#), D(digits: 1, span: nil))
        XCTAssertEqual(density(#"(?:\d\d)?"#), D(digits: 0, span: 2))
        XCTAssertEqual(density(#"\d{5}|ab"#), D(digits: 0, span: 5), "the fewest digits and the longest branch")
        XCTAssertEqual(density(#"(\d)\1"#)?.span, nil, "a backreference may be of any length")
        XCTAssertEqual(density(#"(\d)\g{1}\d"#), D(digits: 2, span: nil))
        XCTAssertEqual(density(#"(?<n>\d)\k'n'\d"#), D(digits: 2, span: nil))
        XCTAssertEqual(density(#"(\d)\12"#), D(digits: 1, span: nil), "the reference's number is not a digit after it")
        XCTAssertEqual(density(#"\d\W\d"#), D(digits: 2, span: 6), "a character that may be beyond ASCII counts four bytes")
        XCTAssertEqual(density(#"\b\d{3}(?=\d{9})"#), D(digits: 3, span: 3), "a lookahead is outside the match")
        XCTAssertEqual(density("é\\d{2}"), D(digits: 2, span: 4), "a literal counts its bytes")
        XCTAssertNil(RegexAtoms.parse(#"[\Q]\E]abc"#), "a quotation may hide a class's end: not read")
        XCTAssertNil(RegexAtoms.parse(#"\d{2,x}"#), "nor a brace that is not a count")
    }

    func testTheMostDigitsInAStretchAreCounted() {
        func positions(_ text: String) -> [Int32] {
            var found: [Int32] = []
            Array(text.utf8).withUnsafeBufferPointer { RegexPrefilter.digitPositions(in: $0, into: &found) }
            return found
        }
        XCTAssertEqual(positions("a1b22 cccccccc9"), [1, 3, 4, 14], "across groups of eight")
        XCTAssertEqual(RegexPrefilter.mostDigits(of: positions("06 12 34 56 78"), within: 14), 10)
        XCTAssertEqual(RegexPrefilter.mostDigits(of: positions("06 12 34 56 78"), within: 13), 9)
        XCTAssertEqual(RegexPrefilter.mostDigits(of: [], within: 10), 0)
        // Against a count of every stretch, on random texts.
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("0123456789a .".utf8) + [0xC2, 0xB0]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let span = Int.random(in: 1...12, using: &generator)
            var expected = 0
            for start in 0..<max(1, text.count) {
                expected = max(expected, text[min(start, text.count)..<min(start + span, text.count)].filter { $0 &- 48 < 10 }.count)
            }
            var found: [Int32] = []
            text.withUnsafeBufferPointer { RegexPrefilter.digitPositions(in: $0, into: &found) }
            XCTAssertEqual(RegexPrefilter.mostDigits(of: found, within: span), expected, "\(text) within \(span)")
            XCTAssertEqual(RegexPrefilter.longestDigitRun(of: found), text.withUnsafeBufferPointer(RegexPrefilter.longestDigitRun(in:)))
        }
    }

    /// On random texts whose `\d` means ASCII digits (punctuation beyond ASCII included), a
    /// pattern never matches where no stretch of its span holds its digits (fails when a count's
    /// bound, a character beyond ASCII or a branch is read too short).
    func testAPatternNeedingMoreDigitsInAStretchThanATextHasCannotMatchIt() throws {
        let patterns = [#"(?:0|\+33\s?)[1-9](?:[ .-]?\d{2}){4}"#, #"\d{3}\W\d{3}\W?\d{4}"#, #"(?:\d{2}[ «—-]){4}\d{2}"#,
                        #"\d{2,4}(?:\.\d{3}){2}"#, #"(?:12|345)\d{2}-?\d{3}"#]
        let regexes = try patterns.map { try Regex($0) }
        let needed = try patterns.map { try XCTUnwrap(density($0)) }
        let pieces = ["0", "12", "345", "6", "78", "9", " ", ".", "-", "—", "«", "+33", "x", "00", "06 12", "34.567"]
        var generator = SystemRandomNumberGenerator()
        let scratch = MatchScratch()
        var matched = 0, excluded = 0
        var positions: [Int32] = []
        for _ in 0..<20_000 {
            let text = randomText(of: pieces, upTo: 12, using: &generator)
            text.withUnsafeBufferPointer { RegexPrefilter.digitPositions(in: $0, into: &positions) }
            for (index, regex) in regexes.enumerated() {
                let most = RegexPrefilter.mostDigits(of: positions, within: try XCTUnwrap(needed[index].span))
                let matches = try text.withUnsafeBufferPointer { try regex.matches(in: $0, scratch: scratch, limit: 1) }
                if !matches.isEmpty {
                    matched += 1
                    XCTAssertGreaterThanOrEqual(most, needed[index].digits, "\(patterns[index]) matches \(String(decoding: text, as: UTF8.self))")
                    if most < needed[index].digits { return }
                } else if most < needed[index].digits {
                    excluded += 1
                }
            }
        }
        XCTAssertGreaterThan(matched, 1_000, "the texts must hold matches for the check to mean something")
        XCTAssertGreaterThan(excluded, 10_000, "and the stretch must still rule patterns out")
    }

    // MARK: Leading words

    func leadingWords(_ pattern: String) -> [String]? {
        guard let node = { () -> RegexAtoms.Node? in
            var parser = RegexAtoms.Parser(Array(pattern.utf8))
            guard let node = parser.parseAlternation(), parser.atEnd else { return nil }
            return node
        }(), LeadingWords(pattern: pattern) != nil, let words = LeadingWords.wordsAfterBoundary(node) else { return nil }
        return Set(words.map { String(decoding: $0, as: UTF8.self) }).sorted()
    }

    func testLeadingWordsOfCommonShapes() {
        XCTAssertEqual(leadingWords(#"\b(?:ce|cet|cette|ces)\s+(?:connards?|conne)\b"#), ["ce", "ces", "cet", "cette"])
        XCTAssertEqual(leadingWords(#"(?<!je )(?<!on )\b(?:va|allez)\s+"#), ["allez", "va"], "lookbehinds take no bytes")
        XCTAssertEqual(leadingWords(#"\b(?:images?|photos?|courts?[- ]metrages?)\s+generee"#), ["court", "image", "photo"],
                       "a word's optional ending is not part of what it starts with")
        XCTAssertEqual(leadingWords(#"\bfoo\s|\bbar"#), ["bar", "foo"])
        XCTAssertEqual(leadingWords(#"\b(?:bande d'|tas de)\s*cons?"#), ["bande d'", "tas de"])
        XCTAssertEqual(leadingWords(#"\b(?:12|3e)\s+rue"#), ["12", "3e"], "digits start words too")
        XCTAssertEqual(leadingWords(#"\b\d{1,4},?\s+rue"#), (0...9).map(String.init), "`\\d` opens on any digit")
        XCTAssertEqual(leadingWords(#"(?<![\w.])(?:foo|bar)"#), ["bar", "foo"], "a lookbehind that refuses a word character")
        XCTAssertEqual(LeadingWords(pattern: #"\b\d+\s+rue"#)?.needsNeutralText, true)
        XCTAssertEqual(LeadingWords(pattern: #"\b(?:12|3e)\s+rue"#)?.needsNeutralText, false)
    }

    func testPatternsWithoutProvableLeadingWordsAreTriedEverywhere() {
        XCTAssertNil(leadingWords(#"\bfoo|bar"#), "a branch that does not start at a word boundary")
        XCTAssertNil(leadingWords(#"foo\b"#))
        XCTAssertNil(leadingWords(#"\b(?:foo)?bar"#), "an optional first word")
        XCTAssertNil(leadingWords(#"\b(?:foo)*bar"#))
        XCTAssertNil(leadingWords(#"\b\w{5}\b"#), "a class")
        XCTAssertNil(leadingWords(#"\b\Gfoo"#), #"`\G` depends on where a try starts"#)
        XCTAssertNil(leadingWords(#"\bfoo\Kbar"#), #"`\K` moves the start of a match"#)
        XCTAssertNil(leadingWords(#"\b(?i)foo"#), "inline options")
        XCTAssertNil(leadingWords(#"\b_foo"#), "a word start is a letter or a digit")
        XCTAssertNil(leadingWords(#"\b-foo"#))
        XCTAssertNil(leadingWords(#"(?<![\w+])(?:\+33|0)[1-9]"#),
                     "a sign is not a word start, and PCRE2 finds a rare first byte faster than tries would")
        XCTAssertNil(leadingWords(#"\becole|\bécole"#), "bytes beyond ASCII")
        XCTAssertNil(leadingWords(#"\b.foo"#))
    }

    /// Word starts against their definition, byte by byte, on random texts of letters, digits,
    /// `_`, the ASCII bytes either side of letters and digits, and characters beyond ASCII.
    func testWordStartsAgreeWithTheirDefinition() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "Z", "0", "9", "_", " ", "-", "@", "[", "`", "{", "/", ":", "\u{7F}", "é", "€", "ab", "cette ",
                      "Ω", "中", "😀", "٣", "abcdefghij"]
        for _ in 0..<2_000 {
            let text = Array((0..<Int.random(in: 0...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined().utf8)
            let expected = text.indices.filter { isAlphanumeric(text[$0]) && ($0 == 0 || !isWordByte(text[$0 - 1])) }
            let found = text.withUnsafeBufferPointer { LeadingWords.wordStarts(in: $0) }.map { Int($0) }
            XCTAssertEqual(found, expected, String(decoding: text, as: UTF8.self))
            let fromTokens = text.withUnsafeBufferPointer { buffer in
                Tokenizer.tokens(of: text).withUnsafeBufferPointer { LeadingWords.wordStarts(in: buffer, tokens: $0) }
            }
            XCTAssertEqual(fromTokens.map { Int($0) }, expected, "from the tokens: \(String(decoding: text, as: UTF8.self))")
            let grouped = text.withUnsafeBufferPointer { buffer in
                let starts = WordStarts(buffer)
                return (0..<128).flatMap { lead in starts.starting(with: UInt8(lead)).map { Int($0) } }
            }
            XCTAssertEqual(grouped.sorted(), expected)
            if found != expected { return }
        }
    }

    /// Tried only where a leading word starts a word, a pattern finds exactly the matches of a
    /// scan of the whole text: on random texts of each pattern's own words (with enough of them
    /// that every pattern matches), look-alikes glued to letters, digits, `_`, signs or characters
    /// beyond ASCII, with and without the ASCII code.
    func testTriesAtLeadingWordsFindTheMatchesOfAScan() throws {
        let noise = [" ", "  ", "\n", "_", "x", "9", "é", "Ω", "«", "'", "-", ".", "+", "(", ")", "\u{663}", "1\u{663}"]
        let cases: [(pattern: String, pieces: [String])] = [
            (#"\b(?:ce|cet|cette|ces)\s+(?:connards?|conne|cons?)\b"#,
             ["ce", "cet", "cette", "ces", "connard", "connards", "conne", "con", "cons", "ce con", "acet"]),
            (#"(?<!je )(?<!on )\b(?:va|allez|rentre)\s+(?:a la cuisine|faire la vaisselle)\b"#,
             ["je", "on", "va", "allez", "rentre", "a la cuisine", "faire la vaisselle", "va a la cuisine", "java"]),
            (#"\b(?:images?|photos?|courts?[- ]metrages?)\s+(?:\w+\s+){0,3}?(?:generee?s?|creee?s?)\s+par\s+(?:l'|une?\s+)?ia\b"#,
             ["image", "images", "photo", "court-metrage", "court metrage", "generee", "creees", "par", "l'", "une", "ia",
              "image generee par ia", "photos creees par l'ia", "la", "de"]),
            (#"\b(?:quel|quelle|petit|gros|espece de)\s*(?:cons?|idiote?s?)\b(?!\s+de mer)"#,
             ["quel", "petit", "gros", "espece", "de", "mer", "idiote", "con", "quel con", "gros con de mer"]),
            (#"\b(?:12|3)\s*(?:rue|bis)\b"#, ["12", "3", "rue", "bis", "123", "12rue"]),
            (#"\b\d{1,2}\s*(?:rue|bis)\b"#, ["12", "3", "rue", "bis", "123", "12rue"]),
            (#"(?<![\w.])(?:rue|bis)\s+\d"#, ["rue", "bis", "12", "3", "rue 4"]),
        ]
        for (source, own) in cases {
            let words = try XCTUnwrap(LeadingWords(pattern: source), source)
            // A pattern with `\d` is tried at its leading words only on neutral texts.
            let withMatches = try compareTriesWithScans(source, pieces: own + own + noise, longest: 24) { buffer, neutral in
                neutral || !words.needsNeutralText ? words.candidates(in: buffer, wordStarts: WordStarts(buffer)) : nil
            }
            // The texts must hold matches for the comparison to mean something.
            XCTAssertGreaterThan(withMatches, 50, source)
        }
    }

    /// On 3,000 random texts of up to `longest` of `pieces`, joined with or without spaces: the
    /// matches of `source` tried, anchored, at the positions `candidates` gives (when it gives
    /// some) against those of a scan of the whole text, with and without the ASCII code when the
    /// text allows it. Returns how many comparisons had matches.
    private func compareTriesWithScans(_ source: String, pieces: [String], longest: Int,
                                       candidates: (UnsafeBufferPointer<UInt8>, _ neutral: Bool) -> [Int]?) throws -> Int {
        var generator = SystemRandomNumberGenerator()
        let scratch = MatchScratch()
        let regex = try Regex(source)
        var withMatches = 0
        for _ in 0..<3_000 {
            let text = Array((0..<Int.random(in: 0...longest, using: &generator))
                .map { _ in pieces.randomElement(using: &generator)! }.joined(separator: Bool.random(using: &generator) ? " " : "").utf8)
            try text.withUnsafeBufferPointer { buffer in
                let neutral = Regex.isUnicodeNeutral(buffer)
                guard let positions = candidates(buffer, neutral) else { return }
                for useASCII in neutral ? [false, true] : [false] {
                    let scan = try regex.matches(in: buffer, scratch: scratch, unicodeNeutral: useASCII)
                    let tried = try regex.matches(in: buffer, startingAt: positions, scratch: scratch, unicodeNeutral: useASCII)
                    XCTAssertEqual(tried, scan, "\(source) on \(String(decoding: text, as: UTF8.self).debugDescription)")
                    if !scan.isEmpty { withMatches += 1 }
                }
            }
        }
        return withMatches
    }

    /// What proves that a pattern matches no space: the e-mail shapes and handles pass; anything
    /// that may match a space, or that this reading does not know, refuses the pattern.
    func testPatternsThatMatchNoSpaceAreToldApart() {
        let spaceFree = [
            #"\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}\b"#,
            #"\b(?=[a-z0-9._%+-]*@)[a-z0-9._%+-]*(?:news|contact)[a-z0-9._%+-]*@[a-z0-9.-]+\.[a-z]{2,24}\b"#,
            #"(?<![\w.@])@[a-z0-9_]{2,30}\b"#,
            #"[^\s<>"]+@\S+"#, #"(?<user>\w+)@(?P<host>\w+)$"#, #"[]a]@[!-~]"#, #"\d+€"#, #"a\-b\.c\@"#,
        ]
        for pattern in spaceFree { XCTAssertTrue(SpaceFreeChunks.neverMatchesASCIISpace(pattern), pattern) }
        let refused = [
            "a b@c", "a.@b", #"a\s@b"#, #"a\W@"#, #"a\D@"#, #"a\h@"#, #"a\v@"#, #"a\N@"#, #"a\R@"#, #"a\X@"#,
            #"a\p{Zs}@"#, #"a\P{L}@"#, #"a\x20@"#, #"a\t@"#, #"a\n@"#, #"a\040@"#, #"a\ @"#, #"\Qa b\E@"#,
            "[^a]@", "[a ]@", "[ -~]@", #"[\x20]@"#, #"[\t]@"#, "[[:alpha:]]@", "(?i)a@", "(?x)a @", "(?#c)a@",
            "(*UTF)a@", "(?(1)a|b)@", "(?R)@", "a@\t", #"[^\S]@"#, #"[\s]@"#, "a@[",
        ]
        for pattern in refused { XCTAssertFalse(SpaceFreeChunks.neverMatchesASCIISpace(pattern), pattern) }
    }

    /// Tried only in the whitespace-delimited chunks that hold one of its literals, a pattern
    /// that matches no space finds exactly the matches of a scan: on random texts of addresses,
    /// their pieces and look-alikes, glued to punctuation, letters and characters beyond ASCII,
    /// with and without the ASCII code.
    func testTriesInChunksWithALiteralFindTheMatchesOfAScan() throws {
        let patterns = [
            #"\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}\b"#,
            #"\b(?=[a-z0-9._%+-]*@)[a-z0-9._%+-]*(?:news|contact|info)[a-z0-9._%+-]*@[a-z0-9.-]+\.[a-z]{2,24}\b"#,
            #"(?<![\w.@])@[a-z0-9_]{2,30}\b"#,
            #"(?<=[a-z])@info\b|\bx\.y\b"#,
        ]
        let pieces = ["jean", "dupont", ".", "@", "gmail", "com", "fr", "news", "contact", "info", "-", "_", "+", "é", "Ω", "«",
                      "(", ")", ",", "ab", "b", "x.y", "x", "y", "jean.dupont@gmail.com", "newsdesk@example.co.uk", "@martin",
                      " ", "  ", "\n", "\t", "9"]
        for source in patterns {
            XCTAssertTrue(SpaceFreeChunks.neverMatchesASCIISpace(source), source)
            let literals = try XCTUnwrap(RegexAtoms.requirements(of: source)?.first, source).map { Array(RegexAtoms.withoutMark($0)) }
            let withMatches = try compareTriesWithScans(source, pieces: pieces, longest: 30) { buffer, _ in
                SpaceFreeChunks.positions(in: buffer, holdingOneOf: literals)
            }
            XCTAssertGreaterThan(withMatches, 100, source)
        }
    }

    /// The positions are those of the characters of the chunks that hold a literal, each once,
    /// in order, however many literals a chunk holds.
    func testChunkPositionsCoverTheChunksThatHoldALiteral() {
        let text = Array("a b@c d.e@f@g x.y «é@» h".utf8)
        let positions = text.withUnsafeBufferPointer { SpaceFreeChunks.positions(in: $0, holdingOneOf: [Array("@".utf8), Array("x.".utf8)]) }
        let expected = [2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16]
            + Array(18..<(18 + "«é@»".utf8.count)).filter { text[$0] & 0xC0 != 0x80 }
        XCTAssertEqual(positions, expected)
    }
}
