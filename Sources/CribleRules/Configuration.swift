import CribleCore
import Foundation
import PCRE2

/// A repository's Crible settings, from `.crible.yml` at its root (or `--config FILE`):
///
/// ```yaml
/// crible: 1
/// rules: [rules/]                  # rule folders, besides the bundled packs
/// default_rules: true              # load the bundled packs (default true)
/// policy: policies/articles.policy.yaml
/// fail_on: block                   # review | block | never
/// include: ["**/*.md", "**/*.jsonl"]
/// exclude: ["drafts/**"]
/// disabled_rules: [topic.sport.broad-fr, spam-signals]
/// profiles:                        # the first profile whose paths match a file decides its policy
///   - paths: ["comments/**"]
///     policy: policies/comments.policy.yaml
/// regex_limits:                    # PCRE2 steps before a pattern gives up on a document
///   match: 1000000                 # every pattern (default 1,000,000; depth: 10,000)
///   risky_match: 10000             # patterns lint flags as W001 (default 10,000; risky_depth: 1,000)
/// ```
///
/// Paths are relative to the configuration file's folder. Command-line options win over it.
public struct Configuration: Sendable {
    public struct Profile: Sendable {
        public var paths: [String]
        public var policy: String
    }

    public var path: String
    public var folder: String
    public var rules: [String] = []
    public var defaultRules = true
    public var policy: String?
    public var failOn: String?
    public var include: [String] = []
    public var exclude: [String] = []
    public var disabledRules: [String] = []
    public var profiles: [Profile] = []
    /// Limits of ordinary patterns and of the patterns shaped like W001, for the rule compiler.
    public var regexLimits = Regex.Limits.standard
    public var riskyRegexLimits = Regex.Limits.risky

    static let keys: Set<String> = ["crible", "rules", "default_rules", "policy", "fail_on", "include", "exclude",
                                    "disabled_rules", "profiles", "regex_limits"]
    static let regexLimitKeys: Set<String> = ["match", "depth", "risky_match", "risky_depth"]

    /// The compiler these settings ask for.
    public var ruleCompiler: RuleCompiler { RuleCompiler(regexLimits: regexLimits, riskyRegexLimits: riskyRegexLimits) }

    /// `.crible.yml` in the current folder or the nearest parent that is a repository root.
    public static func discover(from folder: String = FileManager.default.currentDirectoryPath) -> String? {
        var url = URL(fileURLWithPath: folder)
        for _ in 0..<32 {
            for name in [".crible.yml", ".crible.yaml"] {
                let candidate = url.appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(".git").path) { return nil }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
        return nil
    }

    public static func load(path: String) -> (Configuration?, [Diagnostic]) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(validatingUTF8Data: data) else {
            return (nil, [Diagnostic(.error, "E020", "cannot read the configuration file", file: path, line: 1, column: 1)])
        }
        let reader = YAMLReader(file: path)
        let root: YAMLNode?
        switch reader.compose(text) {
        case .success(let node): root = node
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
        let folder = (path as NSString).deletingLastPathComponent
        var configuration = Configuration(path: path, folder: folder.isEmpty ? "." : folder)
        guard let root, let pairs = reader.mapping(root, context: "the configuration", allowed: keys) else {
            if root == nil { return (configuration, []) }
            return (nil, reader.diagnostics)
        }
        func resolve(_ relative: String) -> String {
            relative.hasPrefix("/") ? relative : (configuration.folder as NSString).appendingPathComponent(relative)
        }
        for (key, _, value) in pairs {
            switch key {
            case "crible":
                if let version = reader.integer(value, context: "`crible`"), version != 1 {
                    reader.error("E005", "unsupported configuration version \(version)", at: value)
                }
            case "rules": configuration.rules = (reader.strings(value, context: "`rules`") ?? []).map { resolve($0.0) }
            case "default_rules": configuration.defaultRules = reader.bool(value, context: "`default_rules`") ?? true
            case "policy": configuration.policy = reader.nonEmptyString(value, context: "`policy`").map(resolve)
            case "fail_on":
                if let name = reader.string(value, context: "`fail_on`") {
                    if ["review", "block", "never"].contains(name) { configuration.failOn = name } else {
                        reader.error("E003", "`fail_on` must be review, block or never; found `\(name)`", at: value)
                    }
                }
            case "include": configuration.include = (reader.strings(value, context: "`include`") ?? []).map(\.0)
            case "exclude": configuration.exclude = (reader.strings(value, context: "`exclude`") ?? []).map(\.0)
            case "disabled_rules": configuration.disabledRules = (reader.strings(value, context: "`disabled_rules`") ?? []).map(\.0)
            case "regex_limits":
                for (field, _, node) in reader.mapping(value, context: "`regex_limits`", allowed: regexLimitKeys) ?? [] {
                    guard let number = reader.integer(node, context: "`regex_limits.\(field)`") else { continue }
                    guard number >= 1, number <= Int(UInt32.max) else {
                        reader.error("E008", "`regex_limits.\(field)` must be a number of steps from 1 to \(UInt32.max), found \(number)", at: node)
                        continue
                    }
                    let steps = UInt32(number)
                    switch field {
                    case "match": configuration.regexLimits.matchLimit = steps
                    case "depth": configuration.regexLimits.depthLimit = steps
                    case "risky_match": configuration.riskyRegexLimits.matchLimit = steps
                    default: configuration.riskyRegexLimits.depthLimit = steps
                    }
                }
            default:
                guard let sequence = value.sequence else {
                    reader.error("E003", "`profiles` must be a list of {paths, policy}", at: value)
                    continue
                }
                for item in sequence {
                    guard let fields = reader.mapping(item, context: "a profile", allowed: ["paths", "policy"]) else { continue }
                    var paths: [String] = [], policy: String?
                    for (field, _, node) in fields {
                        if field == "paths" { paths = (reader.strings(node, context: "`paths`") ?? []).map(\.0) }
                        else { policy = reader.nonEmptyString(node, context: "`policy`").map(resolve) }
                    }
                    guard let policy, !paths.isEmpty else {
                        reader.error("E007", "a profile needs `paths` and `policy`", at: item)
                        continue
                    }
                    configuration.profiles.append(Profile(paths: paths, policy: policy))
                }
            }
        }
        let failed = reader.diagnostics.contains { $0.severity == .error }
        return (failed ? nil : configuration, reader.diagnostics)
    }

    /// A file's path relative to the configuration's folder, for matching globs.
    public func relativePath(_ path: String) -> String {
        let absolute = resolvedPath(path)
        let base = resolvedPath(folder)
        return absolute.hasPrefix(base + "/") ? String(absolute.dropFirst(base.count + 1)) : path
    }

    /// Whether a file found in a folder is read, by `include` and `exclude`.
    public func admits(_ path: String) -> Bool {
        let relative = relativePath(path)
        if !include.isEmpty, !include.contains(where: { Glob.matches($0, relative) }) { return false }
        return !exclude.contains { Glob.matches($0, relative) }
    }

    /// The policy for a file: the first profile whose paths match it.
    public func profilePolicy(for path: String) -> String? {
        let relative = relativePath(path)
        return profiles.first { $0.paths.contains { Glob.matches($0, relative) } }?.policy
    }
}

/// Shell-style globs on `/`-separated paths: `*` and `?` stay within a path segment, `**` crosses
/// segments (`comments/**`, `**/*.md`).
public enum Glob {
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        match(Array(pattern.utf8)[...], Array(path.utf8)[...])
    }

    private static func match(_ pattern: ArraySlice<UInt8>, _ path: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        let slash = UInt8(ascii: "/"), star = UInt8(ascii: "*")
        if first == star, pattern.dropFirst().first == star {
            var rest = pattern.dropFirst(2)
            if rest.first == slash { rest = rest.dropFirst() }
            // `**` matches any number of whole segments, including none.
            if match(rest, path) { return true }
            var remaining = path
            while let separator = remaining.firstIndex(of: slash) {
                remaining = remaining[(separator + 1)...]
                if match(rest, remaining) { return true }
            }
            return rest.isEmpty
        }
        if first == star {
            let rest = pattern.dropFirst()
            var candidate = path
            while true {
                if match(rest, candidate) { return true }
                guard let next = candidate.first, next != slash else { return false }
                candidate = candidate.dropFirst()
            }
        }
        guard let character = path.first else { return false }
        if first == UInt8(ascii: "?") ? character != slash : first == character {
            return match(pattern.dropFirst(), path.dropFirst())
        }
        return false
    }
}
