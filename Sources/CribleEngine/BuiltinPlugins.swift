import CribleCore
import LanguageIdentification
import PersonalData
import SpamSignals
import Readability

/// The plugins compiled into Crible. Swift on Linux has no runtime discovery, so this list is
/// explicit; a test checks that every folder under Plugins/ appears here.
public enum BuiltinPlugins {
    public static let languageIdentifier: any LanguageIdentifier = LanguageIdentification()

    public static let classifiers: [any Classifier] = [PersonalData(), SpamSignals(), Readability()]

    /// Folder names under Plugins/ that these plugins come from.
    public static let pluginFolders: [String] = ["LanguageIdentification", "PersonalData", "SpamSignals", "Readability"]
}
