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

    /// Per rule, its matches counted while grouping, and the sides of it that occur (see
    /// ``PhraseOwner/Side/bit``): all 0 between documents, cleared where written.
    var matchCounts: [Int32] = []
    var sidesFound: [UInt8] = []
    /// The rules that had matches in the last grouping, in rule order: the entries to clear.
    var groupedRules: [Int32] = []
    /// A bit per rule, set for the rules with matches while grouping: read in order, it puts
    /// them in rule order without a sort. All 0 between groupings.
    var ruleBits: [UInt64] = []

    /// The prefilter's flags: per atom, whether it occurs; per requirement, whether an atom of it
    /// does; per pattern, how many of its requirements do. All false or 0 between documents.
    var presentAtoms: [Bool] = []
    var satisfied: [Bool] = []
    var satisfiedCount: [UInt8] = []

    /// Lists a document fills and empties again, kept for their room: each match's rule while
    /// grouping, the starts where a pattern with leading words is tried, the composite plans to
    /// check, the prefilter's requirements met.
    var owners: [Int32] = []
    var leadingWordStarts: [Int] = []
    var planBits: [UInt64] = []
    var metRequirements: [Int32] = []

    public init() {}

    /// Sizes the prefilter's flags for `atoms`, `requirements` and `patterns`, all cleared; kept
    /// as they are when sized so.
    func preparePrefilter(atoms: Int, requirements: Int, patterns: Int) {
        if presentAtoms.count != atoms { presentAtoms = [Bool](filledWith: false, count: atoms) }
        if satisfied.count != requirements { satisfied = [Bool](filledWith: false, count: requirements) }
        if satisfiedCount.count != patterns { satisfiedCount = [UInt8](filledWith: 0, count: patterns) }
    }

    /// Sizes the per-rule arrays for `ruleCount` rules, all 0; kept as they are when sized so.
    func prepareGrouping(ruleCount: Int) {
        guard matchCounts.count != ruleCount else { return }
        matchCounts = [Int32](filledWith: 0, count: ruleCount)
        sidesFound = [UInt8](filledWith: 0, count: ruleCount)
        ruleBits = [UInt64](filledWith: 0, count: (ruleCount + 63) / 64)
        groupedRules.removeAll()
    }

    /// The hit table, cleared, for a rule set of `ruleCount` rules; given back with ``keep(_:)``.
    func takeHitTable(ruleCount: Int) -> HitTable {
        guard var table = hitTable, table.ruleCount == ruleCount else { return HitTable(ruleCount: ruleCount) }
        hitTable = nil
        table.clear()
        return table
    }

    func keep(_ table: HitTable) { hitTable = table }
}
