@testable import CribleEngine
import Foundation
import LanguageIdentification
import XCTest

final class RegistrationTests: XCTestCase {
    /// Swift on Linux cannot discover plugins at run time: a folder under Plugins/ that is not in
    /// the built-in list would silently never run.
    func testEveryPluginFolderIsRegistered() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let plugins = root.appendingPathComponent("Plugins")
        let folders = try FileManager.default.contentsOfDirectory(atPath: plugins.path).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: plugins.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
        XCTAssertEqual(Set(folders), Set(BuiltinPlugins.pluginFolders))
        let ids = [BuiltinPlugins.languageIdentifier.descriptor.id] + BuiltinPlugins.classifiers.map(\.descriptor.id)
        XCTAssertEqual(ids.count, Set(ids).count, "plugin ids are unique")
    }
}

final class LanguageIdentificationTests: XCTestCase {
    let identifier = LanguageIdentification()

    func testFrenchEnglishAndOthers() {
        XCTAssertEqual(identifier.identify(.init("Les services de l’immigration s’intéressent aux données collectées.")).code, "fr")
        XCTAssertEqual(identifier.identify(.init("The court ruled that the company had broken the law.")).code, "en")
        XCTAssertEqual(identifier.identify(.init("Der Hund ist nicht mit uns auf die Straße gegangen.")).code, "de")
        XCTAssertEqual(identifier.identify(.init("42")).code, "und")
    }

    func testAccentsDecideVeryShortFrenchTexts() {
        XCTAssertEqual(identifier.identify(.init("Très décevant, à éviter.")).code, "fr")
    }
}
