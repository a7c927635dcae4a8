import CribleCore
import Foundation

/// Maps label scores to an action.
///
/// ```yaml
/// crible: 1
/// policy: default
/// label_threshold: 0.5          # a label is given at this score (default 0.5)
/// thresholds:                   # per-label overrides
///   moderation/sexual-minors: 0.3
/// actions:
///   - id: block-abuse
///     labels: [moderation/hate, moderation/harassment]   # `namespace/*` matches a namespace
///     min_score: 0.6
///     action: block
/// ```
///
/// The document's action is the most severe one among the action rules that apply; every rule
/// that applied is kept as a reason, so a reviewer sees why.
public struct Policy: Sendable {
    public struct ActionRule: Sendable {
        public var id: String
        public var labels: [String] { didSet { (patterns, firstBytes) = ActionRule.read(labels) } }
        public var minScore: Double
        public var action: Action
        /// `labels` read once: every label of every document is checked against every rule, and
        /// `hasSuffix`/`hasPrefix` on strings compare by Unicode rules, not by bytes.
        private var patterns: [LabelPattern]
        /// The first bytes of the labels the patterns can match, or `nil` when that is any label
        /// (`*`, or a pattern with no byte): a rule about `moderation/…` turns `topic/…` and
        /// `tech/…` away on their first byte, where comparing names was a third of deciding.
        private var firstBytes: ByteSet?

        private static func read(_ labels: [String]) -> ([LabelPattern], ByteSet?) {
            let patterns = labels.map(LabelPattern.init)
            var firstBytes = ByteSet()
            for pattern in patterns {
                switch pattern {
                case .any: return (patterns, nil)
                case .namespace(let prefix):
                    guard let first = prefix.first else { return (patterns, nil) }
                    firstBytes.insert(first)
                case .exact(let name):
                    guard let first = name.utf8.first else { return (patterns, nil) }
                    firstBytes.insert(first)
                }
            }
            return (patterns, firstBytes)
        }

        private enum LabelPattern: Sendable {
            case any
            case namespace([UInt8])   // `moderation/*`: the bytes of `moderation/`
            case exact(String)

            init(_ pattern: String) {
                if pattern == "*" {
                    self = .any
                } else if pattern.hasSuffix("/*") {
                    self = .namespace(Array(pattern.utf8.dropLast()))
                } else {
                    self = .exact(pattern)
                }
            }
        }

        public init(id: String, labels: [String], minScore: Double, action: Action) {
            self.id = id
            self.labels = labels
            self.minScore = minScore
            self.action = action
            (patterns, firstBytes) = ActionRule.read(labels)
        }

        public func applies(to label: String) -> Bool {
            if let firstBytes {
                guard let first = label.utf8.first, firstBytes.contains(first) else { return false }
            }
            return patterns.contains { pattern in
                switch pattern {
                case .any: true
                case .namespace(let prefix): label.utf8.starts(with: prefix)
                case .exact(let name): name == label
                }
            }
        }
    }

    public var name: String
    public var labelThreshold: Double
    public var thresholds: [String: Double]
    public var actions: [ActionRule]
    public var source: String?

    public init(name: String, labelThreshold: Double = 0.5, thresholds: [String: Double] = [:],
                actions: [ActionRule], source: String? = nil) {
        self.name = name
        self.labelThreshold = labelThreshold
        self.thresholds = thresholds
        self.actions = actions
        self.source = source
    }

    public func threshold(for label: String) -> Double { thresholds[label] ?? labelThreshold }

    /// The lowest and the highest threshold a label can have.
    public var thresholdBounds: ClosedRange<Double> {
        let all = Array(thresholds.values) + [labelThreshold]
        return all.min()!...all.max()!
    }

    /// The action for a set of label scores, and the reasons for it (most severe first).
    public func decide(_ scores: [LabelScore]) -> (Action, [PolicyReason]) {
        var reasons: [PolicyReason] = []
        // The rules read in place: a copy of each, for each document, retained and released
        // its name, labels and patterns.
        actions.withUnsafeBufferPointer { rules in
            for index in rules.indices {
                // The score first: most labels of a document are below every rule's minimum, and
                // comparing two numbers costs less than matching the label's name.
                for score in scores where score.score >= rules[index].minScore && rules[index].applies(to: score.label) {
                    reasons.append(PolicyReason(action: rules[index].action, label: score.label, score: score.score,
                                                threshold: rules[index].minScore, policyRule: rules[index].id))
                }
            }
        }
        reasons.sort { $0.action != $1.action ? $0.action > $1.action : $0.score > $1.score }
        return (reasons.first?.action ?? .allow, reasons)
    }

    /// Allows everything; used when a run asks for no policy.
    public static let allowAll = Policy(name: "allow-all", actions: [])

    static let keys: Set<String> = ["crible", "policy", "description", "label_threshold", "thresholds", "actions"]
    static let actionKeys: Set<String> = ["id", "labels", "min_score", "action", "description"]

    public static func load(path: String) -> (Policy?, [Diagnostic]) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(validatingUTF8Data: data) else {
            return (nil, [Diagnostic(.error, "E020", "cannot read the policy file", file: path, line: 1, column: 1)])
        }
        return parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) -> (Policy?, [Diagnostic]) {
        let reader = YAMLReader(file: path)
        let root: YAMLNode?
        switch reader.compose(text) {
        case .success(let node): root = node
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
        guard let root, let pairs = reader.mapping(root, context: "a policy file", allowed: keys) else {
            if root == nil { reader.error("E005", "the policy file is empty", at: nil) }
            return (nil, reader.diagnostics)
        }
        var policy = Policy(name: (path as NSString).lastPathComponent, actions: [], source: path)
        for (key, _, value) in pairs {
            switch key {
            case "crible":
                if let version = reader.integer(value, context: "`crible`"), version != 1 {
                    reader.error("E005", "unsupported policy version \(version)", at: value)
                }
            case "policy": policy.name = reader.nonEmptyString(value, context: "`policy` (the policy name)") ?? policy.name
            case "description": _ = reader.string(value, context: "`description`")
            case "label_threshold":
                if let number = reader.number(value, context: "`label_threshold`") {
                    if (0...1).contains(number) { policy.labelThreshold = number } else {
                        reader.error("E008", "`label_threshold` must be in [0, 1]", at: value)
                    }
                }
            case "thresholds":
                guard let mapping = value.mapping else {
                    reader.error("E003", "`thresholds` must map labels to scores", at: value)
                    continue
                }
                for (labelNode, scoreNode) in mapping {
                    guard let label = reader.string(labelNode, context: "a label"),
                          let number = reader.number(scoreNode, context: "the threshold of `\(labelNode.scalar?.string ?? "")`") else { continue }
                    if (0...1).contains(number) { policy.thresholds[label] = number } else {
                        reader.error("E008", "thresholds must be in [0, 1]", at: scoreNode)
                    }
                }
            default:
                guard let sequence = value.sequence else {
                    reader.error("E003", "`actions` must be a list", at: value)
                    continue
                }
                for item in sequence {
                    guard let fields = reader.mapping(item, context: "a policy action", allowed: actionKeys) else { continue }
                    var id: String?, labels: [String] = [], minScore = 0.5, action: Action?
                    for (field, _, node) in fields {
                        switch field {
                        case "id": id = reader.nonEmptyString(node, context: "`id`")
                        case "labels": labels = (reader.strings(node, context: "`labels`") ?? []).map(\.0)
                        case "min_score":
                            if let number = reader.number(node, context: "`min_score`") {
                                if (0...1).contains(number) { minScore = number } else {
                                    reader.error("E008", "`min_score` must be in [0, 1]", at: node)
                                }
                            }
                        case "action":
                            if let name = reader.string(node, context: "`action`") {
                                action = Action(rawValue: name)
                                if action == nil { reader.error("E003", "`action` must be allow, review or block; found `\(name)`", at: node) }
                            }
                        default: break
                        }
                    }
                    guard let action, !labels.isEmpty else {
                        reader.error("E007", "a policy action needs `labels` and `action`", at: item)
                        continue
                    }
                    policy.actions.append(ActionRule(id: id ?? "\(action.rawValue):\(labels.joined(separator: ","))",
                                                     labels: labels, minScore: minScore, action: action))
                }
            }
        }
        let hasErrors = reader.diagnostics.contains { $0.severity == .error }
        return (hasErrors ? nil : policy, reader.diagnostics)
    }
}
