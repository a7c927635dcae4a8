import CribleCore
import Foundation

/// Finds, reads and compiles rule files from folders.
///
/// Files are read in sorted path order, so the same folders always give the same rule set and
/// the same digest. `*.policy.yaml` files sit beside rules but are policies, not rules.
public struct RuleLoader: Sendable {
    public struct Result: Sendable {
        public let ruleSet: CompiledRuleSet
        public let diagnostics: [Diagnostic]
        public let parsedFiles: [RuleFile]
        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    }

    public var compiler: RuleCompiler

    public init(compiler: RuleCompiler = RuleCompiler()) {
        self.compiler = compiler
    }

    /// Every rule file below `paths` (a path may also name a single file).
    public static func ruleFiles(in paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        let manager = FileManager.default
        // The same file reached twice (`Rules` and `Rules/topic`, or `.` and an absolute path) is
        // loaded once, under the name it was first given.
        var seen: Set<String> = []
        func add(_ path: String) {
            if seen.insert(resolvedPath(path)).inserted { files.append(path) }
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                diagnostics.append(Diagnostic(.error, "E020", "no such file or folder", file: path, line: 1, column: 1))
                continue
            }
            if !isDirectory.boolValue {
                add(path)
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else { continue }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                guard relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else { continue }
                guard !relative.hasSuffix(".policy.yaml"), !relative.hasSuffix(".policy.yml") else { continue }
                if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                found.append((path as NSString).appendingPathComponent(relative))
            }
            found.sorted().forEach(add)
        }
        return (files, diagnostics)
    }

    /// Those of `diagnostics`, from loading `paths` alone, that loading `others` with them makes
    /// go away: a label a rule emits, or a rule a composite names, that the rules of `others`
    /// declare (a user's pack built on the bundled one, linted alone).
    public func resolved(_ diagnostics: [Diagnostic], byAlsoLoading others: [String], with paths: [String]) -> Set<Diagnostic> {
        let dependent = diagnostics.filter { ["E013", "E015"].contains($0.code) }
        guard !dependent.isEmpty else { return [] }
        // The same problem at the same place, whatever its hint (a closest name may change).
        func problem(_ diagnostic: Diagnostic) -> String {
            "\(diagnostic.file):\(diagnostic.line):\(diagnostic.column): \(diagnostic.code) \(diagnostic.message)"
        }
        let together = Set(load(paths: others + paths).diagnostics.map(problem))
        return Set(dependent.filter { !together.contains(problem($0)) })
    }

    public func load(paths: [String]) -> Result {
        let (files, findDiagnostics) = RuleLoader.ruleFiles(in: paths)
        var diagnostics = findDiagnostics
        var sources: [(String, String)] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                diagnostics.append(Diagnostic(.error, "E020", "cannot read the file", file: file, line: 1, column: 1))
                continue
            }
            guard let text = String(validatingUTF8Data: data) else {
                let problem = UTF8Problem.first(in: data)
                diagnostics.append(Diagnostic(.error, "E021", "the file is not valid UTF-8" + (problem.map { ": \($0)" } ?? ""), file: file,
                                              line: problem?.line ?? 1, column: problem?.column ?? 1))
                continue
            }
            sources.append((file, text))
        }
        return load(sources: sources, extraDiagnostics: diagnostics)
    }

    /// Compiles rule files given as (path, text) pairs; used by `load(paths:)` and by tests.
    public func load(sources: [(path: String, text: String)], extraDiagnostics: [Diagnostic] = []) -> Result {
        var diagnostics = extraDiagnostics
        var parsed: [RuleFile] = []
        // Files are parsed on every core (parsing is most of loading, and files are independent);
        // results are gathered in the given order, so diagnostics and the rule set do not depend
        // on which thread finished first. The digest of all the texts is one more task, run
        // first, beside the parsing of the largest files.
        let results = IndexedResults<(RuleFile?, [Diagnostic])>(count: sources.count, placeholder: (nil, []))
        let digest = IndexedResults<String>(count: 1, placeholder: "")
        let trees = TreeKeeper()
        // Largest files first, so that no core is left parsing one big lexicon after the others
        // have finished.
        let bySize = sources.indices.sorted { sources[$0].text.utf8.count > sources[$1].text.utf8.count }
        DispatchQueue.concurrentPerform(iterations: sources.count + 1) { turn in
            guard turn > 0 else {
                digest.set(0, RuleLoader.digest(of: sources))
                return
            }
            let index = bySize[turn - 1]
            results.set(index, RuleFileParser.parse(sources[index].text, path: sources[index].path, keepingTreeIn: trees))
        }
        for (file, fileDiagnostics) in results.values() {
            diagnostics += fileDiagnostics
            if let file { parsed.append(file) }
        }
        let (ruleSet, compileDiagnostics) = compiler.compile(parsed, digest: digest.values()[0])
        trees.releaseInBackground()
        diagnostics += compileDiagnostics
        return Result(ruleSet: ruleSet, diagnostics: diagnostics, parsedFiles: parsed)
    }

    /// SHA-256 of every file's path and text, in the given order: what verdicts quote as
    /// `rules_digest`.
    static func digest(of sources: [(path: String, text: String)]) -> String {
        var hasher = SHA256()
        for (path, text) in sources {
            hasher.update(Array(path.utf8) + [0])
            var text = text
            text.withUTF8 { hasher.update($0) }
            hasher.update([0])
        }
        return hasher.finalize().hexString
    }
}

/// YAML trees of parsed files, kept until loading is done and then freed on another thread: a
/// run that loads rules once should not wait for tens of thousands of nodes to be released.
final class TreeKeeper: @unchecked Sendable {
    private var trees: [YAMLNode] = []
    private let lock = NSLock()

    func keep(_ tree: YAMLNode) { lock.lock(); trees.append(tree); lock.unlock() }

    func releaseInBackground() {
        lock.lock()
        let kept = Kept(trees)
        trees = []
        lock.unlock()
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(kept) {} }
    }

    /// Nodes are immutable values; only their release moves to the other thread.
    private final class Kept: @unchecked Sendable {
        let trees: [YAMLNode]
        init(_ trees: [YAMLNode]) { self.trees = trees }
    }
}

/// The absolute, symlink-free form of a path, to compare paths written differently.
public func resolvedPath(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
}

extension String {
    init?(validatingUTF8Data data: Data) {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self = text
    }
}
