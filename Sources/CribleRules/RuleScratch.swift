import CribleCore
import PCRE2

/// What ``CompiledRuleSet/evaluate(_:scratch:only:optimised:profiler:phraseMatches:)`` reuses
/// from one document to the next: PCRE2's match data, the table of hits and the grouping's
/// counts (an entry per rule), the prefilter's flags (an entry per atom, requirement and
/// pattern), and lists a document fills and empties. Made new for every document, they were
/// allocated, filled and freed whole each time, a cost that grew with the number of rules and
/// that a comment of one word paid in full; kept, a document clears only the entries it touched.
/// One per thread: a batch gives each of its jobs its own.
public final class RuleScratch {
    /// PCRE2's match data, sized for the most captures a pattern has needed so far.
    let matches = MatchScratch()
    /// The hit table of the last document, cleared where it was written (see ``HitTable/clear()``).
    var hitTable: HitTable?

    /// What grouping the matches by rule uses (see ``RuleGrouping``), between documents.
    private var grouping = RuleGrouping()
    /// The prefilter's flags (see ``PrefilterFlags``), between documents.
    private var prefilterFlags = PrefilterFlags()
    /// Lists a document fills and empties again, kept for their room: the starts where a
    /// pattern with leading words is tried, the composite plans to check, the digits' offsets.
    var leadingWordStarts: [Int] = []
    var planBits: [UInt64] = []
    /// The offsets of the ASCII digits of the last document's folded text.
    var digitPositions: [Int32] = []

    /// This job's copies of the evidence templates of the rule set it last evaluated, and that
    /// rule set's own array of them, held so that its storage (which names the rule set: a
    /// compiled rule set never changes it) cannot be freed and reused by another.
    private var evidenceTemplates: [Evidence] = []
    private var templatesSource: [Evidence] = []

    public init() {}

    /// `templates` as this job's own copies, made on first use. Every fired rule's evidence
    /// takes a reference to its template's origin and gives it back when the verdict is freed:
    /// with one origin per rule shared by all jobs, two jobs wrote the same reference counts some
    /// sixty times a document each, and retaining took 4.9 % of a two-job run's samples against
    /// 2.1 % of a one-job run's (3.0 % with a job's own copies). The rule set is recognised by
    /// its array's storage, without copying a template out of it (a copy would take a reference
    /// to a shared origin once more per document).
    func ownEvidenceTemplates(_ templates: [Evidence]) -> [Evidence] {
        guard !templates.isEmpty else { return templates }
        let known = templates.withUnsafeBufferPointer { new in
            templatesSource.withUnsafeBufferPointer { old in new.baseAddress == old.baseAddress }
        }
        if known { return evidenceTemplates }
        evidenceTemplates = templates.map { $0.withOwnOrigin() }
        templatesSource = templates
        return evidenceTemplates
    }

    /// The grouping's arrays, all 0, for `ruleCount` rules; given back with ``keep(_:)-(RuleGrouping)``.
    func takeGrouping(ruleCount: Int) -> RuleGrouping {
        var taken = RuleGrouping()
        swap(&taken, &grouping)
        return taken.counts.count == ruleCount ? taken : RuleGrouping(ruleCount: ruleCount)
    }

    func keep(_ taken: RuleGrouping) { grouping = taken }

    /// The prefilter's flags, all cleared, for `atoms`, `requirements` and `patterns`; given back
    /// with ``keep(_:)-(PrefilterFlags)``.
    func takePrefilterFlags(atoms: Int, requirements: Int, patterns: Int) -> PrefilterFlags {
        var taken = PrefilterFlags()
        swap(&taken, &prefilterFlags)
        if taken.present.count != atoms {
            taken.present = [Bool](filledWith: false, count: atoms)
            taken.presentList = [Int32](filledWith: 0, count: atoms)
        }
        if taken.satisfied.count != requirements { taken.satisfied = [Bool](filledWith: false, count: requirements) }
        if taken.satisfiedCount.count != patterns { taken.satisfiedCount = [UInt8](filledWith: 0, count: patterns) }
        return taken
    }

    func keep(_ taken: PrefilterFlags) { prefilterFlags = taken }

    /// The hit table, cleared, for a rule set of `ruleCount` rules; given back with ``keep(_:)``.
    func takeHitTable(ruleCount: Int) -> HitTable {
        guard var table = hitTable, table.ruleCount == ruleCount else { return HitTable(ruleCount: ruleCount) }
        hitTable = nil
        table.clear()
        return table
    }

    func keep(_ table: HitTable) { hitTable = table }
}

/// Grouping the matches by rule: per rule, its matches counted, then where its run starts, and
/// the sides of it that occur (see ``PhraseOwner/Side/bit``); a bit per rule with matches, read in
/// order to put them in rule order without a sort; those rules, in order; and each match's rule.
/// `counts` and `ruleBits` are all 0 between groupings, `sidesFound` once ``clear()`` ran.
struct RuleGrouping {
    var counts: [Int32] = []
    var sidesFound: [UInt8] = []
    var ruleBits: [UInt64] = []
    var rules: [Int32] = []
    var owners: [Int32] = []

    init() {}

    init(ruleCount: Int) {
        counts = [Int32](filledWith: 0, count: ruleCount)
        sidesFound = [UInt8](filledWith: 0, count: ruleCount)
        ruleBits = [UInt64](filledWith: 0, count: (ruleCount + 63) / 64)
    }

    /// Clears the sides of the rules that had matches.
    mutating func clear() {
        for rule in rules { sidesFound[Int(rule)] = 0 }
        rules.removeAll(keepingCapacity: true)
    }
}

/// The prefilter's flags: per atom, whether it occurs; per requirement, whether an atom of it
/// does; per pattern, how many of its requirements do (all false or 0 between documents); and
/// the requirements met, to clear.
struct PrefilterFlags {
    var present: [Bool] = []
    /// The atoms found in the last document, in its first entries (room for every atom).
    var presentList: [Int32] = []
    var satisfied: [Bool] = []
    var satisfiedCount: [UInt8] = []
    var met: [Int32] = []
}
