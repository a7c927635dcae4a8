import CribleCore

/// JUnit XML, which every CI shows as a test report: one test case per document, failing when
/// the document reached the failing action; unreadable inputs are errors.
public struct JUnitReporter: Reporter {
    public static let identifier = "junit"
    let failOn: Action?

    public init(failOn: Action?) { self.failOn = failOn }

    public func report(_ items: [BatchItem]) -> String {
        var cases: [String] = []
        var failures = 0, errors = 0
        for item in items {
            switch item {
            case .failure(let failure):
                errors += 1
                cases.append("    <testcase classname=\"\(escape(failure.file ?? "input"))\" name=\"\(escape(failure.id))\">\n      <error message=\"\(escape(failure.message))\" type=\"unreadable\"/>\n    </testcase>")
            case .verdict(let verdict):
                let name = escape(verdict.document.id)
                let classname = escape(verdict.document.origin?.file ?? "stdin")
                let labels = verdict.labels.map { "\($0.label) \(TextFormatting.fixed($0.score, decimals: 2))" }.joined(separator: ", ")
                if let failOn, verdict.action >= failOn {
                    failures += 1
                    let reasons = verdict.reasons.map { "\($0.policyRule): \($0.label) \(TextFormatting.fixed($0.score, decimals: 2)) ≥ \(TextFormatting.fixed($0.threshold, decimals: 2)) → \($0.action.rawValue)" }
                    let evidence = Finding.findings(in: verdict).prefix(10).map { "\($0.evidence.ruleID): «\($0.text)»" }
                    cases.append("    <testcase classname=\"\(classname)\" name=\"\(name)\">\n      <failure message=\"\(verdict.action.rawValue)\" type=\"\(verdict.action.rawValue)\">\(escape((reasons + evidence).joined(separator: "\n")))</failure>\n      <system-out>\(escape(labels))</system-out>\n    </testcase>")
                } else {
                    cases.append("    <testcase classname=\"\(classname)\" name=\"\(name)\">\n      <system-out>\(escape(labels))</system-out>\n    </testcase>")
                }
            }
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="crible" tests="\(items.count)" failures="\(failures)" errors="\(errors)">
          <testsuite name="crible" tests="\(items.count)" failures="\(failures)" errors="\(errors)">
        \(cases.joined(separator: "\n"))
          </testsuite>
        </testsuites>

        """
    }

    func escape(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            default: output.append(character)
            }
        }
        return output
    }
}
