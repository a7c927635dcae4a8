import Foundation

/// Where the bundled rule packs and policies are.
///
/// Crible ships `Rules/` as files, not compiled in, so that users read, copy and change them. The
/// folder is found, in order: `$CRIBLE_RULES`; beside the executable or in one of its parent folders
/// (a build inside the repository); in the current folder or one of its parents.
public enum BundledRules {
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let configured = environment["CRIBLE_RULES"], !configured.isEmpty { return configured }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for start in [executable.deletingLastPathComponent(), cwd] {
            var folder = start
            for _ in 0..<8 {
                let candidate = folder.appendingPathComponent("Rules")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("README.md").path) {
                    return candidate.path
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }

    public static func defaultPolicy(in rules: String) -> String {
        (rules as NSString).appendingPathComponent("default.policy.yaml")
    }
}
