import CourseKit
import Foundation

/// The text both character-level language models learn (demos 07 and 08):
/// this course's own chapters, `Lessons/*/README.md` in lesson order. One
/// alphabet, one 90/10 split and one held-out measure for both, so the bits
/// per character the two demos print can be compared.
struct CharacterCorpus: Sendable {
    /// Every distinct character of the whole text, sorted; a token is an index into it.
    let alphabet: [Character]
    /// The first 90% of the text, encoded.
    let training: [Int]
    /// The last 10%, encoded: never trained on.
    let heldOut: [Int]
    private let index: [Character: Int]

    init(text: String) {
        let characters = Array(text)
        precondition(characters.count >= 100, "CharacterCorpus: the text is too short (\(characters.count) characters)")
        alphabet = Array(Set(characters)).sorted()
        let index = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })
        let encoded = characters.map { index[$0]! }
        let split = encoded.count * 9 / 10
        (training, heldOut) = (Array(encoded[..<split]), Array(encoded[split...]))
        self.index = index
    }

    /// The chapters, or nil when they cannot be found (run from the repository).
    static func chapters() -> CharacterCorpus? {
        let text = chapterText()
        return text.count > 2_000 ? CharacterCorpus(text: text) : nil
    }

    var characterCount: Int { training.count + heldOut.count }

    /// The characters of `text` that are in the alphabet, as tokens (the others are dropped).
    func encode(_ text: String) -> [Int] { text.compactMap { index[$0] } }

    func decode(_ tokens: [Int]) -> String { String(tokens.map { alphabet[$0] }) }

    /// A short fingerprint of the text and its split, so a cached result is used only for the same text.
    var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a over the tokens and the alphabet
        for token in training + [-1] + heldOut + alphabet.map({ Int($0.unicodeScalars.first!.value) }) {
            hash = (hash ^ UInt64(bitPattern: Int64(token))) &* 0x100_0000_01b3
        }
        return "\(characterCount)-\(alphabet.count)-" + String(hash, radix: 16)
    }

    /// A uniform guess over the alphabet: log₂ |alphabet| bits per character.
    var uniformBits: Double { Foundation.log2(Double(alphabet.count)) }

    /// The unigram baseline on `characters` (held-out tokens): the cross-entropy, in bits, of each character's
    /// frequency in the training text, add-one smoothed (so a character never seen in training costs finite bits).
    /// No context at all: a language model has to beat this to have learned anything about order.
    func unigramBits(on characters: [Int]) -> Double {
        precondition(!characters.isEmpty, "unigramBits: no characters to score")
        var counts = Array(repeating: 1.0, count: alphabet.count)
        for token in training { counts[token] += 1 }
        let total = counts.reduce(0, +)
        return characters.reduce(0.0) { $0 - Foundation.log2(counts[$1] / total) } / Double(characters.count)
    }

    /// `count` windows drawn at random from the training text: each input is `context` consecutive
    /// characters, its targets the same window shifted by one (the next character at every position).
    func trainingWindows(count: Int, context: Int, using random: inout SeededGenerator) -> (inputs: [[Int]], targets: [[Int]]) {
        precondition(context >= 1 && training.count > context + 1, "trainingWindows: the context must be shorter than the training text")
        let starts = (0..<count).map { _ in random.nextInt(in: 0..<(training.count - context)) }
        return (starts.map { Array(training[$0..<($0 + context)]) }, starts.map { Array(training[($0 + 1)...($0 + context)]) })
    }

    /// Held-out bits per character, the one measure both demos print: the held-out text cut into consecutive,
    /// non-overlapping windows of `context` characters (at most `windowLimit` of them); each window is read
    /// from a fresh start, nothing carried over from the window before, and every one of its positions
    /// predicts the next character. `logits` maps N windows to scores `[N, T, V]` or `[N·T, V]`.
    /// Returns the mean bits per scored character, the unigram baseline on the same characters, and their count.
    func heldOutBits(context: Int, windowLimit: Int? = nil, batch: Int = 64, logits: ([[Int]]) -> Tensor)
        -> (bits: Double, unigram: Double, characters: Int) {
        let available = (heldOut.count - 1) / context
        let windows = min(windowLimit ?? available, available)
        precondition(windows >= 1, "heldOutBits: the held-out text is shorter than one window of \(context)")
        var totalBits = 0.0
        var scored: [Int] = []
        for first in stride(from: 0, to: windows, by: batch) {
            let starts = (first..<min(first + batch, windows)).map { $0 * context }
            let inputs = starts.map { Array(heldOut[$0..<($0 + context)]) }
            let targets = starts.flatMap { Array(heldOut[($0 + 1)...($0 + context)]) }
            let scores = logits(inputs)
            let v = alphabet.count
            precondition(scores.count == targets.count * v, "heldOutBits: expected scores for \(targets.count) positions × \(v), got \(scores.shape)")
            let rows = scores.scalars
            for (row, target) in targets.enumerated() {
                // −log₂ softmax(row)[target], computed stably.
                let slice = rows[(row * v)..<((row + 1) * v)]
                let top = slice.max()!
                let logSum = Foundation.log(slice.reduce(0.0) { $0 + Foundation.exp($1 - top) }) + top
                totalBits += (logSum - rows[row * v + target]) / Foundation.log(2)
            }
            scored += targets
        }
        return (totalBits / Double(scored.count), unigramBits(on: scored), scored.count)
    }
}

/// The course's chapters joined in lesson order, or "" when they are not found.
private func chapterText() -> String {
    var folders = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Lessons")]
    // From a test or another working folder: the repository this file was built from.
    folders.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Lessons"))
    for folder in folders {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
        let texts = names.sorted().compactMap { try? String(contentsOf: folder.appendingPathComponent($0).appendingPathComponent("README.md"), encoding: .utf8) }
        if !texts.isEmpty { return texts.joined(separator: "\n\n") }
    }
    return ""
}

/// Bits per character as perplexity, 2^bits: as uncertain as a uniform choice among that many characters.
func perplexity(bits: Double) -> Double { Foundation.pow(2, bits) }
