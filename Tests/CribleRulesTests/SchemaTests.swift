import CribleRules
import Foundation
import XCTest
import Yams

/// Validates a decoded YAML or JSON value against the subset of JSON Schema (draft 7) that
/// Rules/schema.json uses, so the schema that editors rely on is checked against every bundled file.
struct SchemaValidator {
    let root: [String: Any]

    func validate(_ value: Any, path: String = "$") -> [String] { validate(value, against: root, path: path) }

    func validate(_ value: Any, against schema: [String: Any], path: String) -> [String] {
        if let reference = schema["$ref"] as? String {
            let name = reference.replacingOccurrences(of: "#/definitions/", with: "")
            let definitions = root["definitions"] as! [String: Any]
            guard let target = definitions[name] as? [String: Any] else { return ["\(path): unknown $ref \(reference)"] }
            var merged = target
            for (key, item) in schema where key != "$ref" { merged[key] = item }
            return validate(value, against: merged, path: path)
        }
        var errors: [String] = []
        if let type = schema["type"] as? String, !matches(value, type: type) {
            return ["\(path): expected \(type), found \(Swift.type(of: value))"]
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { "\($0)" == "\(value)" }) {
            errors.append("\(path): \(value) is not one of \(options)")
        }
        if let text = value as? String {
            if let minimum = schema["minLength"] as? Int, text.count < minimum { errors.append("\(path): shorter than \(minimum)") }
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
                errors.append("\(path): `\(text)` does not match \(pattern)")
            }
        }
        if let number = (value as? NSNumber)?.doubleValue, !(value is Bool) {
            if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, number < minimum { errors.append("\(path): below \(minimum)") }
            if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, number > maximum { errors.append("\(path): above \(maximum)") }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for required in schema["required"] as? [String] ?? [] where object[required] == nil {
                errors.append("\(path): missing `\(required)`")
            }
            for (key, item) in object {
                if let names = schema["propertyNames"] as? [String: Any] {
                    errors += validate(key, against: names, path: "\(path).\(key) (name)")
                }
                if let property = properties[key] as? [String: Any] {
                    errors += validate(item, against: property, path: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    errors += validate(item, against: additional, path: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    errors.append("\(path): unknown key `\(key)`")
                }
            }
        }
        if let array = value as? [Any] {
            if let minimum = schema["minItems"] as? Int, array.count < minimum { errors.append("\(path): fewer than \(minimum) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { errors += validate(item, against: items, path: "\(path)[\(index)]") }
            }
        }
        if let branches = schema["oneOf"] as? [[String: Any]] {
            let passing = branches.filter { validate(value, against: $0, path: path).isEmpty }.count
            if passing != 1 { errors.append("\(path): matches \(passing) of the oneOf alternatives, not exactly one") }
        }
        if let branches = schema["anyOf"] as? [[String: Any]], !branches.contains(where: { validate(value, against: $0, path: path).isEmpty }) {
            errors.append("\(path): matches none of the anyOf alternatives")
        }
        return errors
    }

    func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "boolean": value is Bool
        case "integer": value is Int
        case "number": value is Int || value is Double
        default: true
        }
    }
}

final class SchemaTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func validator() throws -> SchemaValidator {
        let data = try Data(contentsOf: SchemaTests.root.appendingPathComponent("Rules/schema.json"))
        return SchemaValidator(root: try JSONSerialization.jsonObject(with: data) as! [String: Any])
    }

    func testEveryBundledRuleFileSatisfiesTheSchema() throws {
        let schema = try validator()
        let files = RuleLoader.ruleFiles(in: [SchemaTests.root.appendingPathComponent("Rules").path]).files
        XCTAssertGreaterThan(files.count, 5)
        for file in files {
            let value = try Yams.load(yaml: String(contentsOfFile: file, encoding: .utf8))!
            let errors = schema.validate(value)
            XCTAssertEqual(errors, [], file)
        }
    }

    func testTheSchemaRejectsWhatTheLoaderRejects() throws {
        let schema = try validator()
        let cases = [
            "crible: 1\nrules:\n  - {id: a, description: d, weigth: 0.3, keywords: [x]}\n",
            "crible: 1\nrules:\n  - {id: a, description: d, keywords: [x], regex: y}\n",
            "crible: 1\nrules:\n  - {id: a, description: d}\n",
            "crible: 2\n",
            "crible: 1\nlabels:\n  Topic Politics: {description: d}\n",
            "crible: 1\nrules:\n  - {id: a, description: d, weight: 3, keywords: [x]}\n",
        ]
        for text in cases {
            XCTAssertFalse(schema.validate(try Yams.load(yaml: text)!).isEmpty, text)
            XCTAssertFalse(RuleLoader().load(sources: [(path: "f.yaml", text: text)]).errors.isEmpty, text)
        }
    }
}
