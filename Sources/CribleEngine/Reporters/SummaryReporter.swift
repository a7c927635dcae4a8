import CribleCore

/// Counts, for a batch at a glance: documents per action, and how many documents got each label.
public struct SummaryReporter: Reporter {
    public static let identifier = "summary"

    public init() {}

    public func report(_ items: [BatchItem]) -> String {
        var actions: [Action: Int] = [:]
        var labels: [String: Int] = [:]
        var failures = 0
        for item in items {
            switch item {
            case .failure: failures += 1
            case .verdict(let verdict):
                actions[verdict.action, default: 0] += 1
                for label in verdict.labels { labels[label.label, default: 0] += 1 }
            }
        }
        let documents = actions.values.reduce(0, +)
        var lines = ["documents: \(documents) (\(actions[.allow] ?? 0) allow, \(actions[.review] ?? 0) review, \(actions[.block] ?? 0) block), \(failures) unreadable"]
        let width = max(10, labels.keys.map(\.count).max() ?? 0)
        for (label, count) in labels.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            lines.append("  " + label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(count))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
