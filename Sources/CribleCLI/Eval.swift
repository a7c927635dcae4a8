import ArgumentParser
import CribleCore
import CribleEngine
import CribleRules

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the rules against labelled documents: precision, recall, F1, sentiment agreement.",
        discussion: """
        The gold file is JSON lines: id, text, optional title and lang, labels (a list of expected \
        labels), sentiment (expected score in [-1, 1]) and/or polarity (positive, negative, neutral). \
        Only labels in the gold file's namespaces are judged unless --labels says otherwise.
        """)

    @Option(help: ArgumentHelp("Gold documents (JSON lines).", valueName: "file"))
    var gold: String

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(name: .customLong("labels"), help: ArgumentHelp("Labels to judge (repeatable; `topic/*` for a namespace).", valueName: "pattern"))
    var labelPatterns: [String] = []

    @Option(name: .customLong("min-f1"), help: ArgumentHelp("Fail (exit 1) when a label's F1, or `micro` / `macro`, is below X (repeatable).", valueName: "label=x"))
    var minimumF1: [String] = []

    @OptionGroup var language: LanguageOption

    @OptionGroup var rules: RuleOptions

    @Option(help: "Documents classified in parallel (default: all cores).")
    var jobs: Int?

    func thresholds() throws -> [(String, Double)] {
        try minimumF1.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), (0...1).contains(value) else {
                throw ValidationError("--min-f1 takes LABEL=X with X in [0, 1], got '\(entry)'")
            }
            return (parts[0], value)
        }
    }

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format is text or json") }
        _ = try thresholds()
    }

    func run() throws {
        let (engine, loadFailed) = try rules.loadEngine()
        let (gold, readFailures) = GoldReader().read(path: gold)
        for (label, suggestion) in GoldReader.unknownLabels(in: gold, known: Set(engine.ruleSet.labels.keys)) {
            Terminal.printError("crible: warning: gold label `\(label)` is not one the loaded rules or plugins give; its recall will be 0"
                                + (suggestion.map { " (did you mean `\($0)`?)" } ?? ""))
        }
        let batch = jobs.map { BatchClassifier(engine: engine, jobs: $0) } ?? BatchClassifier(engine: engine)
        var verdicts: [String: Verdict] = [:]
        for case .verdict(let verdict) in batch.classify(gold.map { .document($0.document.assuming(language: language.language)) }) {
            verdicts[verdict.document.id] = verdict
        }
        let evaluation = Evaluation.evaluate(gold: gold, verdicts: verdicts, failures: readFailures,
                                             labelPatterns: labelPatterns.isEmpty ? nil : labelPatterns)
        Terminal.write(format == "json" ? EvaluationReport.json(evaluation).serialized(pretty: true) + "\n"
                                        : EvaluationReport.text(evaluation))
        var belowThreshold = false
        for (label, minimum) in try thresholds() {
            let value: Double
            switch label {
            case "micro": value = evaluation.micro.f1
            case "macro": value = evaluation.macroF1
            default:
                // A misspelt label must not read as a label scoring 0, nor pass unnoticed.
                guard let counts = evaluation.perLabel[label] else {
                    let suggestion = closestMatch(to: label, in: Set(evaluation.perLabel.keys))
                    Terminal.printError("crible: --min-f1 names `\(label)`, which is not a judged label of the gold file"
                                        + (suggestion.map { " (did you mean `\($0)`?)" } ?? ""))
                    throw ExitCode.validationFailure
                }
                value = counts.f1
            }
            if value < minimum {
                Terminal.printError("crible: F1 of \(label) is \(String(format: "%.3f", value)), below the minimum \(minimum)")
                belowThreshold = true
            }
        }
        if loadFailed || !readFailures.isEmpty { throw ExitCode(2) }
        if belowThreshold { throw ExitCode(1) }
    }
}
