/// "Did you mean …": the closest names to a mistyped one.
public enum Suggest {
    /// The edit distance between two strings, ignoring case: insertions,
    /// deletions, substitutions and swaps of two neighbouring characters
    /// (`lsit` is one edit from `list`) — the optimal string alignment distance.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }

    /// Up to `limit` candidates closest to `input`: those at the smallest
    /// edit distance, when it is small for the input's length (1 up to three
    /// characters, 2 up to five, else 3; leading dashes of options ignored).
    /// The last dot-separated part of a candidate counts too (`sigmod` finds
    /// `activations.sigmoid`), and so does containing the input whole.
    public static func closest(to input: String, among candidates: [String], limit: Int = 3) -> [String] {
        func bare(_ text: String) -> String { String(text.lowercased().drop { $0 == "-" }) }
        let needle = bare(input)
        guard !needle.isEmpty else { return [] }
        let allowed = needle.count <= 3 ? 1 : needle.count <= 5 ? 2 : 3
        var scored: [(score: Int, index: Int, name: String)] = []
        for (index, candidate) in candidates.enumerated() {
            let lowered = bare(candidate)
            let tail = lowered.split(separator: ".").last.map(String.init) ?? lowered
            var score = min(editDistance(needle, lowered), editDistance(needle, tail))
            if score > allowed, needle.count >= 3, lowered.contains(needle) { score = allowed }
            if score <= allowed { scored.append((score, index, candidate)) }
        }
        guard let best = scored.map(\.score).min() else { return [] }
        var seen = Set<String>()
        return scored.filter { $0.score == best }.sorted { $0.index < $1.index }
            .map(\.name).filter { seen.insert($0).inserted }.prefix(limit).map { $0 }
    }
}
