import PCRE2

/// What ``CompiledRuleSet/evaluate(_:scratch:only:optimised:profiler:phraseMatches:)`` reuses
/// from one document to the next: PCRE2's match data and the table of hits, whose arrays have an
/// entry per rule. Made new for every document, they were filled and freed whole each time, a
/// cost that grew with the number of rules and that a comment of one word paid in full; kept, a
/// document clears only the entries it touched. One per thread: a batch gives each of its jobs
/// its own.
public final class RuleScratch {
    /// PCRE2's match data, sized for the most captures a pattern has needed so far.
    public let matches = MatchScratch()
    /// The hit table of the last document, cleared where it was written (see ``HitTable/clear()``).
    var hitTable: HitTable?

    public init() {}

    /// The hit table, cleared, for a rule set of `ruleCount` rules; given back with ``keep(_:)``.
    func takeHitTable(ruleCount: Int) -> HitTable {
        guard var table = hitTable, table.ruleCount == ruleCount else { return HitTable(ruleCount: ruleCount) }
        hitTable = nil
        table.clear()
        return table
    }

    func keep(_ table: HitTable) { hitTable = table }
}
