import CribleCore

/// What the CI reporters (SARIF, JUnit, GitHub) report: for each document that reached `review`
/// or `block`, the evidence behind the labels that decided it, placed in its file.
struct Finding {
    var verdict: Verdict
    var evidence: Evidence
    var action: Action
    var label: String
    /// File to point at, and the 1-based line and column (column only when the span's position
    /// in the file is exact: whole-file documents; JSONL lines give the line only).
    var file: String?
    var line: Int?
    var column: Int?
    var endLine: Int?
    var endColumn: Int?
    var text: String

    var message: String {
        "\(label) → \(action.rawValue): rule \(evidence.ruleID) matched «\(text)» in \(verdict.document.id)"
    }

    static func findings(in verdict: Verdict) -> [Finding] {
        guard verdict.action != .allow else { return [] }
        var results: [Finding] = []
        let decisive = Dictionary(verdict.reasons.map { ($0.label, $0.action) }, uniquingKeysWith: { first, second in max(first, second) })
        // Positions are counted in the file: the page for text extracted from HTML, else the
        // content itself. Built once per document, not per finding.
        let sourceMap = verdict.document.origin?.sourceMap
        let lines = LineIndex(sourceMap?.page ?? verdict.text.original)
        for evidence in verdict.evidence {
            guard let label = evidence.label, let action = decisive[label], evidence.weight > 0 else { continue }
            let span = evidence.spans.first
            var finding = Finding(verdict: verdict, evidence: evidence, action: action, label: label,
                                  file: verdict.document.origin?.file, line: nil, column: nil, endLine: nil, endColumn: nil,
                                  text: span.map { TextFormatting.oneLine(verdict.text.originalString($0)) } ?? "")
            if let origin = verdict.document.origin {
                if sourceMap == nil, let line = origin.line {
                    finding.line = line
                } else if let span {
                    let range = sourceMap?.pageRange(of: span) ?? span
                    let start = lines.position(ofByte: range.lowerBound)
                    let end = lines.position(ofByte: range.upperBound)
                    finding.line = start.line
                    finding.column = start.column
                    finding.endLine = end.line
                    finding.endColumn = end.column
                } else {
                    finding.line = 1
                }
            }
            results.append(finding)
        }
        return results
    }
}
