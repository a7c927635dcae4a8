import CribleCore

/// Finds personal data exposed in a text: e-mail addresses, phone numbers, IBANs, payment card
/// numbers and French social security numbers (NIR).
///
/// A regular expression finds things that *look like* a card number; this plugin reports only
/// numbers whose checksum holds (IBAN mod 97, Luhn for cards, the NIR key), so an order number
/// or a date in a comment is not flagged as a bank card. Spans cover the number exactly as
/// written, separators included.
public struct PersonalData: ConfigurableClassifier {
    /// Kinds of personal data to look for.
    public enum Kind: String, CaseIterable, Sendable {
        case email, phone, iban, card, nir
    }

    public var kinds: Set<Kind>

    public init(kinds: Set<Kind> = Set(Kind.allCases)) {
        self.kinds = kinds
    }

    public static let optionNames: Set<String> = ["kinds"]

    public func configured(with options: PluginOptions) throws(PluginOptionError) -> PersonalData {
        guard let names = try options.strings("kinds") else { return self }
        var kinds: Set<Kind> = []
        for name in names {
            guard let kind = Kind(rawValue: name) else {
                throw PluginOptionError(key: "kinds", message: "unknown kind `\(name)`; use \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kinds.insert(kind)
        }
        return PersonalData(kinds: kinds)
    }

    public static let label = "moderation/pii"

    public var descriptor: ClassifierDescriptor {
        ClassifierDescriptor(
            id: "pii",
            labels: [PersonalData.label],
            summary: "E-mail addresses, phone numbers (French and international), IBANs (mod 97), card numbers (Luhn), French NIR (key).",
            examples: [
                ClassifierExample("Écrivez-moi à ↓marie.dupont@example.fr↓ avant lundi.", labels: [PersonalData.label]),
                ClassifierExample("Appelez le ↓06 12 34 56 78↓ ou le ↓+33 1 42 68 53 00↓.", labels: [PersonalData.label]),
                ClassifierExample("Call me on ↓+44 20 7946 0958↓ tonight.", labels: [PersonalData.label]),
                ClassifierExample("Virement sur ↓FR76 3000 6000 0112 3456 7890 189↓ merci", labels: [PersonalData.label]),
                ClassifierExample("my card is ↓4539 1488 0343 6467↓ lol", labels: [PersonalData.label]),
                ClassifierExample("Son numéro de sécu : ↓1 85 05 78 006 084 91↓.", labels: [PersonalData.label]),
                ClassifierExample("Commande n° 4539 1488 0343 6468 expédiée le 12/03/2025.", labels: []),
                ClassifierExample("FR76 3000 6000 0112 3456 7890 188 est un IBAN mal recopié.", labels: []),
                ClassifierExample("Le match se joue à 20 h 45, 3 - 1 à la mi-temps, 45 000 spectateurs.", labels: []),
                ClassifierExample("Écrivez à la rédaction via le formulaire, pas par @twitter.", labels: []),
            ])
    }

    public func classify(_ context: DocumentContext) throws -> [Evidence] {
        let bytes = context.text.original
        var findings: [(String, Double, String, Range<Int>)] = []
        if kinds.contains(.email) {
            for span in emailAddresses(in: bytes) { findings.append(("pii.email", 0.9, "e-mail address", span)) }
        }
        for candidate in numberRuns(in: bytes) {
            if let kind = classifyNumber(candidate.text, digits: candidate.digits),
               let name = Kind(rawValue: String(kind.id.dropFirst(4))), kinds.contains(name) {
                findings.append((kind.id, kind.weight, kind.note, candidate.range))
            }
        }
        // Most texts hold none: no dictionary for them.
        guard !findings.isEmpty else { return [] }
        let grouped = Dictionary(grouping: findings, by: { $0.0 })
        return grouped.keys.sorted().map { id in
            let items = grouped[id]!
            return Evidence(ruleID: id, label: PersonalData.label, weight: items[0].1,
                            hits: items.map { Hit($0.3) }, source: .plugin(id: "pii"), note: items[0].2)
        }
    }

    // MARK: E-mail addresses

    func emailAddresses(in bytes: [UInt8]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        func isLocal(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || "._%+-".utf8.contains(byte) }
        func isDomain(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") }
        let at = UInt8(ascii: "@")
        // Up to each `@`, sixteen bytes at a time: a test per byte was half of this plugin.
        var next = bytes.withUnsafeBufferPointer { $0.firstIndex(ofAnyOf: (at, at, at), from: 0) }
        while next < bytes.count {
            let index = next
            next = bytes.withUnsafeBufferPointer { $0.firstIndex(ofAnyOf: (at, at, at), from: index + 1) }
            var start = index
            while start > 0, isLocal(bytes[start - 1]) { start -= 1 }
            var end = index + 1
            while end < bytes.count, isDomain(bytes[end]) { end += 1 }
            while end > index + 1, [UInt8(ascii: "."), UInt8(ascii: "-")].contains(bytes[end - 1]) { end -= 1 }
            while start < index, bytes[start] == UInt8(ascii: ".") { start += 1 }
            guard start < index, end > index + 1 else { continue }
            let domain = bytes[(index + 1)..<end].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard domain.count >= 2, domain.allSatisfy({ !$0.isEmpty }),
                  let tld = domain.last, tld.count >= 2, tld.allSatisfy(isLetter) else { continue }
            found.append(start..<end)
        }
        return found
    }

    // MARK: Numbers

    struct NumberRun {
        var range: Range<Int>
        var text: [UInt8]
        var digits: [UInt8]
    }

    /// Runs of digits (and letters, for IBANs) joined by single spaces, dots or hyphens, with an
    /// optional leading `+`, not glued to other letters or digits.
    func numberRuns(in bytes: [UInt8]) -> [NumberRun] {
        var runs: [NumberRun] = []
        var index = 0
        while index < bytes.count {
            // Most bytes start nothing: skipped sixteen at a time up to a digit, a `+` or an IBAN.
            index = bytes.withUnsafeBufferPointer { PersonalData.nextPossibleStart(in: $0, from: index) }
            guard index < bytes.count else { break }
            let startsIBAN = index + 3 < bytes.count && isUpper(bytes[index]) && isUpper(bytes[index + 1])
                && isDigit(bytes[index + 2]) && isDigit(bytes[index + 3])
            let startsNumber = isDigit(bytes[index]) || (bytes[index] == UInt8(ascii: "+") && index + 1 < bytes.count && isDigit(bytes[index + 1]))
            guard startsIBAN || startsNumber, index == 0 || !isAlphanumeric(bytes[index - 1]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count {
                if isDigit(bytes[end]) || (startsIBAN && isUpper(bytes[end])) { end += 1; continue }
                let separator = bytes[end]
                if separator == UInt8(ascii: " ") || separator == UInt8(ascii: ".") || separator == UInt8(ascii: "-"), end + 1 < bytes.count,
                   isDigit(bytes[end + 1]) || (startsIBAN && isUpper(bytes[end + 1])) {
                    end += 2
                    continue
                }
                break
            }
            if end < bytes.count, isLetter(bytes[end]) { index = end; continue }
            // Fewer than eight bytes cannot hold eight digits: most numbers of a text (years,
            // amounts) are told apart without copying them.
            guard end - index >= 8 else { index = end; continue }
            let text = Array(bytes[index..<end])
            let digits = text.filter { isDigit($0) || isUpper($0) }
            if digits.count >= 8 { runs.append(NumberRun(range: index..<end, text: text, digits: digits)) }
            index = end
        }
        return runs
    }

    /// The first position from `start` holding a digit, a `+`, or two capitals then two digits
    /// (how an IBAN starts), or the end. Stopping at every capital, as the scan did, stopped at
    /// each sentence and name of a text to find no IBAN there.
    static func nextPossibleStart(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        bytes.firstIndex(from: start) { offset in
            let here = bytes.zeroPaddedVector(at: offset)
            let capitals = here.lanes(in: 0x41...0x5A) .& bytes.zeroPaddedVector(at: offset + 1).lanes(in: 0x41...0x5A)
            let digitsAfter = bytes.zeroPaddedVector(at: offset + 2).lanes(in: 0x30...0x39)
                .& bytes.zeroPaddedVector(at: offset + 3).lanes(in: 0x30...0x39)
            return here.lanes(in: 0x30...0x39) .| (here .== ByteVector(repeating: 0x2B)) .| (capitals .& digitsAfter)
        }
    }

    func classifyNumber(_ text: [UInt8], digits: [UInt8]) -> (id: String, weight: Double, note: String)? {
        if isUpper(digits[0]) {
            return isValidIBAN(digits) ? ("pii.iban", 0.95, "IBAN, checksum valid") : nil
        }
        if text.first == UInt8(ascii: "+") {
            return (8...15).contains(digits.count) ? ("pii.phone", 0.85, "international phone number") : nil
        }
        if digits.count == 15, isValidNIR(digits) { return ("pii.nir", 0.95, "French social security number, key valid") }
        if (13...19).contains(digits.count), isPlausibleCard(digits), luhn(digits) {
            return ("pii.card", 0.95, "payment card number, Luhn valid")
        }
        if digits.count == 10, digits[0] == UInt8(ascii: "0"), digits[1] != UInt8(ascii: "0"), isPhoneGrouping(text) {
            return ("pii.phone", 0.85, "French phone number")
        }
        return nil
    }

    /// French numbers are written in pairs (06 12 34 56 78) or glued (0612345678).
    func isPhoneGrouping(_ text: [UInt8]) -> Bool {
        let groups = text.split { !isDigit($0) }
        return groups.count == 1 || groups.allSatisfy { $0.count == 2 }
    }

    func isValidIBAN(_ characters: [UInt8]) -> Bool {
        guard (15...34).contains(characters.count) else { return false }
        let rearranged = characters[4...] + characters[..<4]
        var remainder = 0
        for character in rearranged {
            let value = isDigit(character) ? Int(character - 48) : Int(character - 55)
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97
        }
        return remainder == 1
    }

    func isPlausibleCard(_ digits: [UInt8]) -> Bool {
        let first = digits[0] - 48, second = digits[1] - 48
        switch first {
        case 4: return true
        case 5: return (1...5).contains(second)
        case 2: return (2...7).contains(second)
        case 3: return second == 4 || second == 7
        case 6: return true
        default: return false
        }
    }

    func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            var value = Int(digit - 48)
            if position % 2 == 1 { value *= 2; if value > 9 { value -= 9 } }
            sum += value
        }
        return sum % 10 == 0
    }

    /// NIR: sex (1 or 2), year, month (01–12, or 20 and above for unknown), place, order, then
    /// a key equal to 97 minus the first 13 digits modulo 97.
    func isValidNIR(_ digits: [UInt8]) -> Bool {
        guard digits[0] == UInt8(ascii: "1") || digits[0] == UInt8(ascii: "2") else { return false }
        let month = Int(digits[3] - 48) * 10 + Int(digits[4] - 48)
        guard (1...12).contains(month) || month >= 20 else { return false }
        var number = 0
        for digit in digits[0..<13] { number = number * 10 + Int(digit - 48) }
        let key = Int(digits[13] - 48) * 10 + Int(digits[14] - 48)
        return key == 97 - number % 97
    }

    func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
    func isUpper(_ byte: UInt8) -> Bool { (65...90).contains(byte) }
    func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
    func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
}
