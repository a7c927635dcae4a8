/// An example text with its expected spans marked by `↓` pairs, as rule files and plugins write
/// them: `"La CNIL protège les ↓données personnelles↓."`
public struct MarkedExample: Sendable, Hashable {
    public static let marker: Character = "↓"

    /// The text with the markers removed.
    public let text: String
    /// Byte ranges into ``text``.
    public let spans: [Range<Int>]

    public enum ParseError: Error, Equatable {
        case unpairedMarker
    }

    public init(parsing marked: String) throws(ParseError) {
        var text = ""
        var spans: [Range<Int>] = []
        var openedAt: Int?
        for character in marked {
            if character == MarkedExample.marker {
                if let start = openedAt {
                    spans.append(start..<text.utf8.count)
                    openedAt = nil
                } else {
                    openedAt = text.utf8.count
                }
            } else {
                text.append(character)
            }
        }
        if openedAt != nil { throw .unpairedMarker }
        self.text = text
        self.spans = spans
    }

    public var hasMarkers: Bool { !spans.isEmpty }
}
