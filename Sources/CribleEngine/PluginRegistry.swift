import CribleCore
import Foundation

/// The classifier plugins an engine runs: the built-in ones, then those a program registered at
/// start-up (see `CribleCommandLine.main(plugins:)`).
public enum PluginRegistry {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [any Classifier] = []

    /// Adds plugins for every engine created afterwards. Meant to be called once, before anything
    /// is classified.
    public static func register(_ plugins: [any Classifier]) {
        lock.lock()
        defer { lock.unlock() }
        registered += plugins
    }

    public static var classifiers: [any Classifier] {
        lock.lock()
        defer { lock.unlock() }
        return BuiltinPlugins.classifiers + registered
    }
}
