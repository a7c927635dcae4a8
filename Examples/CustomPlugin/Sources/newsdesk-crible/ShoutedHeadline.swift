import CribleCore

/// Flags headlines written in capitals or ending in several exclamation marks: the desk sends
/// those back to the author before publication.
struct ShoutedHeadline: Classifier {
    var descriptor: ClassifierDescriptor {
        ClassifierDescriptor(
            id: "shouted-headline",
            labels: ["desk/shouted-headline"],
            summary: "Headlines in capitals or with several exclamation marks.",
            examples: [
                ClassifierExample("↓INCROYABLE DÉCOUVERTE À PARIS↓\n\nLe corps de l'article.", labels: ["desk/shouted-headline"]),
                ClassifierExample("Une découverte à Paris\n\nLe corps de l'article.", labels: []),
            ])
    }

    func classify(_ context: DocumentContext) throws -> [Evidence] {
        guard let title = context.document.titleRange else { return [] }
        let headline = context.text.original[title]
        let letters = headline.filter { (65...90).contains($0) || (97...122).contains($0) }
        let capitals = letters.filter { (65...90).contains($0) }
        let shouted = letters.count >= 8 && capitals.count * 10 >= letters.count * 8
        let exclaimed = headline.suffix(2).allSatisfy { $0 == UInt8(ascii: "!") }
        guard shouted || exclaimed else { return [] }
        return [Evidence(ruleID: "desk.shouted-headline", label: "desk/shouted-headline", weight: 0.9,
                         hits: [Hit(title)], source: .plugin(id: "shouted-headline"))]
    }
}
