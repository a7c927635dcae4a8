import CribleCore
import PCRE2

/// Checks that go beyond "does it load": what makes a rule slow, useless or untested.
///
/// Load errors (syntax, unknown keys, bad regexes, unknown labels, cycles…) come from the loader;
/// the linter adds the rest, as documented in Rules/README.md:
/// - E017 a rule without any `match` example (examples are the rule's tests);
/// - W001 a pattern at risk of catastrophic backtracking (nested unbounded quantifiers, or it
///   exceeds its match limit on synthetic adversarial text), with the documents it runs on;
/// - W003 a rule without `no_match` examples (nothing shows its precision);
/// - W004 a keyword that is a stopword in a rule that emits a label (it would fire on almost every
///   document; a helper that only feeds composites may list them);
/// - W008 a helper rule (no label) that no composite uses;
/// - W009 a prefix keyword of three letters or fewer (`art*` also matches `article`).
public struct RuleLinter: Sendable {
    public init() {}

    public func lint(_ result: RuleLoader.Result) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let rules = result.ruleSet.rules
        var referenced: Set<String> = []
        for rule in rules {
            if case .composite(let all, let any, _, let none) = rule.definition.kind {
                for name in all + any + none { referenced.insert(name.value) }
            }
        }
        for rule in rules {
            let definition = rule.definition
            let place = definition.location
            func report(_ severity: Diagnostic.Severity, _ code: String, _ message: String, at location: SourceLocation? = nil,
                        length: Int = 1, hint: String? = nil) {
                let at = location ?? place
                diagnostics.append(Diagnostic(severity, code, message, file: at.file, line: at.line, column: at.column,
                                              length: length, hint: hint))
            }
            if definition.examples.match.isEmpty {
                report(.error, "E017", "rule `\(definition.id)` has no `match` example",
                       hint: "add `examples: {match: [\"… ↓what it finds↓ …\"]}`; examples are the rule's tests")
            }
            if definition.examples.noMatch.isEmpty {
                report(.warning, "W003", "rule `\(definition.id)` has no `no_match` example",
                       hint: "add a near miss the rule must not fire on, to show its precision")
            }
            if definition.label == nil, !referenced.contains(definition.id) {
                report(.warning, "W008", "rule `\(definition.id)` has no label and no composite uses it, so it has no effect")
            }
            switch definition.kind {
            case .keywords(let keywords):
                // A helper without a label may list stopwords ("tu", "you" for a message addressed
                // to someone): it counts only beside the other parts of the composites naming it.
                for keyword in keywords where definition.label != nil && isStopword(keyword.value, languages: definition.languages) {
                    report(.warning, "W004", "keyword `\(keyword.value)` is a stopword: it fires on almost every document",
                           at: keyword.location, length: keyword.value.count, hint: "use a phrase that contains it instead")
                }
                for keyword in keywords {
                    // Acronyms in capitals (`GPU*` for GPUs) are meant to take a plural, not to be prefixes.
                    let isAcronym = keyword.value.dropLast().allSatisfy { $0.isUppercase || $0.isNumber }
                    if let phrase = Phrase(keyword.value), phrase.lastIsPrefix, phrase.tokenCount == 1, phrase.token(0).count <= 3,
                       !isAcronym {
                        report(.warning, "W009", "prefix `\(keyword.value)` is so short that it matches many unrelated words",
                               at: keyword.location, length: keyword.value.count, hint: "list the words, or lengthen the prefix")
                    }
                }
            case .near(let a, let b, _):
                for keyword in a + b where definition.label != nil && isStopword(keyword.value, languages: definition.languages) {
                    report(.warning, "W004", "keyword `\(keyword.value)` is a stopword", at: keyword.location, length: keyword.value.count)
                }
            case .regex(let patterns):
                guard case .regex(let compiled) = rule.kind else { break }
                for (pattern, regex) in zip(patterns, compiled) {
                    if let reason = backtrackingRisk(pattern.value, compiled: regex) {
                        let reach = RuleLinter.reach(of: regex.pattern, caseSensitive: definition.caseSensitive)
                        report(.warning, "W001", "pattern /\(pattern.value)/ risks catastrophic backtracking: \(reason); \(reach)",
                               at: pattern.location, length: pattern.value.count,
                               hint: "avoid a repeated group that itself repeats, e.g. `(a+)+`; use possessive `++` or atomic `(?>…)`")
                    }
                }
            case .composite:
                break
            }
        }
        return diagnostics
    }

    /// Which documents a pattern runs on, for the writer of a slow one: only those holding one of
    /// its literals, or enough digits in a row, when the engine can read such a requirement from
    /// it (see ``RegexPrefilter``), or those where a part of it every match holds is found (see
    /// ``RegexGuard``), else every document, where it may spend its whole match limit. A pattern
    /// at risk is never tried at leading words only (its limit bounds a whole scan).
    static func reach(of compiledPattern: String, caseSensitive: Bool) -> String {
        if !caseSensitive, let node = RegexAtoms.parse(compiledPattern) {
            if let literals = RegexPrefilter.scannedRequirements(RegexAtoms.requirements(of: node), hasLeadingWords: false)?.first {
                let shown = literals.prefix(4).map { "`\(String(decoding: RegexAtoms.withoutMark($0), as: UTF8.self))`" }
                return "it runs only on documents holding \(literals.count == 1 ? shown[0] : "one of " + shown.joined(separator: ", "))"
                    + (literals.count > 4 ? "…" : "")
            }
            let digits = RegexAtoms.digitRuns(node).longest
            if digits >= RegexPrefilter.minimumDigitRun { return "it runs only on documents holding \(digits) digits in a row" }
        }
        if let factor = RegexGuard.factor(of: compiledPattern) {
            return "it runs only on documents where `\(factor)`, a part every match holds, is found first"
        }
        return "nothing in it lets the engine skip a document (no literal worth looking for, no run of digits, "
            + "no part of three characters or more outside its repetition), so it runs on every one"
    }

    /// A reason the pattern may backtrack catastrophically, or `nil`.
    func backtrackingRisk(_ pattern: String, compiled: Regex) -> String? {
        if RuleLinter.hasNestedUnboundedQuantifier(pattern) {
            return "a group with an unbounded quantifier is itself repeated (it runs with a match limit of \(compiled.limits.matchLimit) steps; `regex_limits.risky_match` in .crible.yml)"
        }
        let limited = try? Regex(compiled.pattern, options: compiled.options, limits: Regex.Limits(matchLimit: 200_000, depthLimit: 5_000))
        guard let limited else { return nil }
        let scratch = MatchScratch()
        for subject in adversarialSubjects {
            let bytes = Array(subject.utf8)
            let outcome: Result<[Range<Int>], PCRE2Error> = bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(PCRE2Error) in try limited.matches(in: buffer, scratch: scratch, limit: 50) }
            }
            if case .failure(let error) = outcome, error.isResourceLimit {
                return "it exceeds its match limit on \(subject.count) characters of synthetic text"
            }
        }
        return nil
    }

    let adversarialSubjects: [String] = [
        String(repeating: "a", count: 3_000) + "!",
        String(repeating: "a ", count: 1_500) + "!",
        String(repeating: "aa-", count: 1_000) + "!",
        String(repeating: "1", count: 3_000) + "x",
        String(repeating: ". ", count: 1_500) + "x",
    ]

    /// Syntactic check for a repeated group whose whole content is itself repeated, such as
    /// `(a+)+`, `(\\w*\\s*)*` or `(x+|y)+`: the shapes whose matches can be split in exponentially many
    /// ways. A group that also needs one unrepeated atom per turn (`(?:word\\s+)*`) is not flagged.
    static func hasNestedUnboundedQuantifier(_ pattern: String) -> Bool {
        let scalars = Array(pattern.unicodeScalars)
        struct Group { var hasUnbounded = false; var hasPlainAtom = false }
        var stack: [Group] = [Group()]
        /// The quantifier after `position`: (is unbounded, allows zero, length).
        func quantifier(at position: Int) -> (unbounded: Bool, present: Bool, length: Int) {
            guard position < scalars.count else { return (false, false, 0) }
            switch scalars[position] {
            case "+", "*": return (true, true, 1)
            case "?": return (false, true, 1)
            case "{":
                var end = position + 1
                while end < scalars.count, scalars[end] != "}" { end += 1 }
                guard end < scalars.count else { return (false, false, 0) }
                let body = String(String.UnicodeScalarView(scalars[(position + 1)..<end]))
                guard body.first?.isNumber == true else { return (false, false, 0) }
                return (body.hasSuffix(","), true, end - position + 1)
            default: return (false, false, 0)
            }
        }
        /// Records an atom that ended just before `next`; returns the index after its quantifier.
        func atom(endingBefore next: Int, group: Group?) -> Int? {
            let (unbounded, present, length) = quantifier(at: next)
            if let group, unbounded, group.hasUnbounded, !group.hasPlainAtom { return nil }
            if unbounded { stack[stack.count - 1].hasUnbounded = true }
            if !present, group.map({ $0.hasPlainAtom }) ?? true { stack[stack.count - 1].hasPlainAtom = true }
            if let group, !unbounded, group.hasUnbounded { stack[stack.count - 1].hasUnbounded = true }
            var after = next + length
            while after < scalars.count, scalars[after] == "?" || scalars[after] == "+", length > 0 { after += 1 }
            return after
        }
        var index = 0
        while index < scalars.count {
            switch scalars[index] {
            case "\\":
                guard let after = atom(endingBefore: min(index + 2, scalars.count), group: nil) else { return true }
                index = after
            case "[":
                var end = index + 1
                if end < scalars.count, scalars[end] == "^" { end += 1 }
                if end < scalars.count, scalars[end] == "]" { end += 1 }
                while end < scalars.count, scalars[end] != "]" { end += scalars[end] == "\\" ? 2 : 1 }
                guard let after = atom(endingBefore: min(end + 1, scalars.count), group: nil) else { return true }
                index = after
            case "(":
                stack.append(Group())
                index += 1
                if index < scalars.count, scalars[index] == "?" {
                    // Skip the group's kind: ?: ?= ?! ?<= ?<! ?> ?<name> ?'name' ?P<name>
                    index += 1
                    if index < scalars.count, scalars[index] == "<" || scalars[index] == "'" || scalars[index] == "P" {
                        let closing: Unicode.Scalar = scalars[index] == "'" ? "'" : ">"
                        if index + 1 < scalars.count, scalars[index + 1] == "=" || scalars[index + 1] == "!" { index += 2 } else {
                            while index < scalars.count, scalars[index] != closing { index += 1 }
                            index += 1
                        }
                    } else if index < scalars.count { index += 1 }
                }
            case ")":
                let group = stack.count > 1 ? stack.removeLast() : Group()
                guard let after = atom(endingBefore: index + 1, group: group) else { return true }
                index = after
            case "|", "^", "$":
                index += 1
            default:
                guard let after = atom(endingBefore: index + 1, group: nil) else { return true }
                index = after
            }
        }
        return false
    }

    func isStopword(_ keyword: String, languages: [String]?) -> Bool {
        guard let phrase = Phrase(keyword), phrase.tokenCount == 1, !phrase.lastIsPrefix else { return false }
        let word = String(decoding: phrase.token(0), as: UTF8.self)
        let lists = (languages ?? ["fr", "en"]).compactMap { RuleLinter.stopwords[$0] }
        return lists.contains { $0.contains(word) }
    }

    static let stopwords: [String: Set<String>] = [
        "fr": Set("le la les l de des du d un une et est sont a au aux en dans pour par sur avec ce cet cette ces il ils elle elles on nous vous je tu se sa son ses leur leurs qui que qu ne n pas plus ou mais donc or ni car y".split(separator: " ").map(String.init)),
        "en": Set("the a an of and or to in on at by for with is are was were be been it its this that these those he she they we you i as from but not no so do does did has have had".split(separator: " ").map(String.init)),
    ]
}
