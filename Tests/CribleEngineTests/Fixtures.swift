import CribleCore
@testable import CribleEngine
import CribleRules
import Foundation

/// The repository root, found from this file's path, so tests run the real bundled packs.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let bundledRules = repositoryRoot.appendingPathComponent("Rules").path

/// The bundled engine, loaded once for the whole test run.
let bundledEngine: Engine = {
    let loaded = try! EngineLoader().load(rulePaths: [bundledRules],
                                          policyPath: BundledRules.defaultPolicy(in: bundledRules))
    return loaded.engine
}()

let bundledDiagnostics: [Diagnostic] = RuleLoader().load(paths: [bundledRules]).diagnostics

/// A small engine with an inline lexicon, for sentiment tests that must not move when the
/// bundled lexicon is tuned.
func engine(rules: String, policy: Policy = .allowAll) -> Engine {
    let result = RuleLoader().load(sources: [(path: "inline.yaml", text: rules)])
    precondition(result.errors.isEmpty, "\(result.errors)")
    return Engine(ruleSet: result.ruleSet, policy: policy)
}
