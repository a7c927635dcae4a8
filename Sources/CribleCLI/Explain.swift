import ArgumentParser
import CribleCore
import CribleEngine

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain the verdict of one document: highlighted matches, every rule's contribution, the policy decision.")

    @Argument(help: ArgumentHelp("A file, or - for standard input. For a JSONL file, --id picks the line.", valueName: "file"))
    var path: String

    @Option(help: "The id of the document to explain, in a JSONL input (default: the first).")
    var id: String?

    @OptionGroup var language: LanguageOption

    @OptionGroup var rules: RuleOptions

    func run() throws {
        let (engine, loadFailed) = try rules.loadEngine()
        var reader = DocumentReader()
        reader.assumedLanguage = language.language
        let items = reader.read(paths: [path])
        let documents = items.compactMap { item -> Document? in if case .document(let d) = item { d } else { nil } }
        guard let document = id.map({ wanted in documents.first { $0.id == wanted } }) ?? documents.first else {
            for case .failure(let failure) in items { Terminal.printError("crible: \(failure.id): \(failure.message)") }
            if let id { Terminal.printError("crible: no document with id '\(id)' in \(path)") }
            throw ExitCode(2)
        }
        Terminal.write(Explainer(engine: engine, colors: Terminal.standardOutputIsTerminal).explain(engine.classify(document)))
        if loadFailed { throw ExitCode(2) }
    }
}
