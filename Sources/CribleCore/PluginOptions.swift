/// Options given to a Swift plugin in a rule pack:
///
/// ```yaml
/// plugins:
///   - id: comments.pii
///     plugin: pii
///     options: {kinds: [email, phone]}
/// ```
public struct PluginOptions: Sendable {
    public enum Value: Sendable, Hashable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case list([String])
    }

    public var values: [String: Value]
    public init(_ values: [String: Value] = [:]) { self.values = values }

    public subscript(key: String) -> Value? { values[key] }

    public func strings(_ key: String) throws(PluginOptionError) -> [String]? {
        switch values[key] {
        case nil: return nil
        case .list(let items): return items
        case .string(let item): return [item]
        default: throw PluginOptionError(key: key, message: "`\(key)` must be a list of strings")
        }
    }

    public func number(_ key: String, in range: ClosedRange<Double>) throws(PluginOptionError) -> Double? {
        switch values[key] {
        case nil: return nil
        case .number(let value) where range.contains(value): return value
        default: throw PluginOptionError(key: key, message: "`\(key)` must be a number in [\(range.lowerBound), \(range.upperBound)]")
        }
    }
}

/// A plugin option that is unknown or has the wrong value; reported at its place in the rule file.
public struct PluginOptionError: Error, Sendable, Hashable {
    public var key: String
    public var message: String
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
}

/// A plugin that can be configured from a rule pack. Capabilities are separate small protocols
/// so that a plugin without options need not say anything about them.
public protocol ConfigurableClassifier: Classifier {
    /// The option names this plugin accepts; others are errors.
    static var optionNames: Set<String> { get }
    /// A copy of the plugin with these options applied.
    func configured(with options: PluginOptions) throws(PluginOptionError) -> Self
}

extension ConfigurableClassifier {
    /// Checks names first, so every plugin rejects unknown options the same way.
    public func validatedConfiguration(_ options: PluginOptions) throws(PluginOptionError) -> any Classifier {
        if let unknown = options.values.keys.sorted().first(where: { !Self.optionNames.contains($0) }) {
            throw PluginOptionError(key: unknown, message: "unknown option `\(unknown)`; this plugin accepts: \(Self.optionNames.sorted().joined(separator: ", "))")
        }
        return try configured(with: options)
    }
}
