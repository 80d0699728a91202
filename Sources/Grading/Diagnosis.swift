import CourseKit
import Foundation

/// A wrong answer whose output the learner's output can be compared with:
/// "this is what you get if you forget the 1/N".
public struct Suspect: Sendable {
    public let explanation: String
    public let output: @Sendable () -> Tensor

    public init(_ explanation: String, output: @escaping @Sendable () -> Tensor) {
        self.explanation = explanation
        self.output = output
    }
}

/// Explains how an actual tensor differs from the expected one.
///
/// The diagnosis names the expected and actual shapes, the first index that
/// differs, the largest absolute and relative errors, and — when the error
/// has a known signature — the likely mistake: a flipped sign, a factor of 2
/// or ½, a missing 1/N, a transpose, an offset, NaN or ∞ from overflow, or
/// the output of one of the exercise's known wrong answers.
public enum Diagnosis {
    /// `nil` when `actual` matches `expected` within the tolerances; otherwise the explanation.
    ///
    /// - Parameters:
    ///   - batchSize: N when a 1/N factor could be involved (a mean over the batch).
    ///   - suspects: known wrong answers for the same inputs, checked in order.
    ///   - confirmed: whether a suspect that matches here also matched everywhere
    ///     else it was tried; only a confirmed one is named.
    public static func mismatch(actual: Tensor, expected: Tensor, tolerance: Tolerance,
                                batchSize: Int? = nil, suspects: [Suspect] = [],
                                confirmed: (Suspect) -> Bool = { _ in true }) -> String? {
        if actual.shape != expected.shape {
            let named = matchingSuspects(actual: actual, expected: expected, suspects: suspects, tolerance: tolerance, confirmed: confirmed)
            return shapeMismatch(actual: actual, expected: expected, batchSize: batchSize)
                + (named.map { "\nlikely cause: " + $0 } ?? "")
        }
        if tolerance.accepts(actual, expected) { return nil }
        var lines: [String] = []
        if let (index, a, e) = firstDifference(actual, expected, tolerance) {
            var (shownE, shownA) = (number(e + 0), number(a + 0))   // + 0 prints −0 as 0
            if shownE == shownA { (shownE, shownA) = (String(format: "%.12g", e), String(format: "%.12g", a)) }
            lines.append("first difference at \(format(index: index, shape: expected.shape)): expected \(shownE), got \(shownA)")
        }
        let (maxAbs, maxRel) = errors(actual, expected, relativeOnly: tolerance.absolute == 0)
        lines.append("max |error| \(short(maxAbs)), max relative error \(short(maxRel))")
        if let cause = likelyCause(actual: actual, expected: expected, batchSize: batchSize, suspects: suspects,
                                   tolerance: tolerance, confirmed: confirmed) {
            lines.append("likely cause: " + cause)
        }
        return lines.joined(separator: "\n")
    }

    /// `message` without the named causes in `refuted` (a "likely cause:" line and its "or:" lines).
    /// When no name is left, the message keeps its observations, which hold whatever the mistake.
    static func removingCauses(_ refuted: [String], from message: String) -> String {
        guard !refuted.isEmpty else { return message }
        var lines = message.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("likely cause: ") }) else { return message }
        var end = start + 1
        while end < lines.count && lines[end].trimmingCharacters(in: .whitespaces).hasPrefix("or: ") { end += 1 }
        let indent = String(lines[start].prefix { $0 == " " })
        let causes = lines[start..<end].map { line -> String in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("likely cause: ") ? String(trimmed.dropFirst("likely cause: ".count)) : String(trimmed.dropFirst("or: ".count))
        }.filter { !refuted.contains($0) }
        let kept = causes.enumerated().map { index, cause in index == 0 ? indent + "likely cause: " + cause : indent + "  or: " + cause }
        lines.replaceSubrange(start..<end, with: kept)
        // No name left: the first observation leads.
        if kept.isEmpty, let first = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("also: ") }) {
            lines[first] = lines[first].replacingOccurrences(of: "also: ", with: "observed: ")
        }
        return lines.joined(separator: "\n")
    }

    /// A number as the tensor printer shows it, with NaN and ∞ spelled as everywhere else in the messages.
    static func number(_ x: Double) -> String {
        x.isFinite ? Tensor.format(x) : short(x)
    }

    /// Facts about how `actual` differs from `expected` that hold whatever the
    /// mistake: where the differences are (only where x < 0, only in the last
    /// column), how many NaNs and where, a ratio that varies with the input.
    ///   - what: the quantity compared ("the new bias"); an update's change is compared only for the input it names.
    public static func observations(actual: Tensor, expected: Tensor, tolerance: Tolerance,
                                    inputs: [(name: String, value: Tensor)], what: String = "") -> [String] {
        guard actual.shape == expected.shape, actual.count > 0 else { return [] }
        var lines: [String] = []
        let wrong = (0..<actual.count).map { !tolerance.accepts(actual.scalars[$0], expected.scalars[$0]) }
        let wrongCount = wrong.filter { $0 }.count
        guard wrongCount > 0 else { return [] }
        let nanIndices = (0..<actual.count).filter { actual.scalars[$0].isNaN && !expected.scalars[$0].isNaN }
        if !nanIndices.isEmpty && actual.count > 1 {
            lines.append("NaN in \(nanIndices.count) of \(actual.count) elements, the first at \(format(index: nanIndices[0], shape: actual.shape))")
        }
        // Where an input has the output's shape (an elementwise function), the sign of x where the output is wrong.
        if wrongCount < actual.count, let (name, x) = inputs.first(where: { $0.value.shape == actual.shape }).map({ ($0.name, $0.value) }) {
            let values = (0..<x.count).filter { wrong[$0] }.map { x.scalars[$0] }
            let rightValues = (0..<x.count).filter { !wrong[$0] }.map { x.scalars[$0] }
            let regions: [(String, (Double) -> Bool)] = [
                ("\(name) < 0", { $0 < 0 }), ("\(name) > 0", { $0 > 0 }), ("\(name) = 0", { $0 == 0 }),
                ("|\(name)| > 20 (the tails)", { abs($0) > 20 }), ("|\(name)| < 0.01 (near 0)", { abs($0) < 0.01 }),
            ]
            for (region, inside) in regions where values.allSatisfy(inside) && !rightValues.allSatisfy(inside) {
                lines.append("your output differs only where \(region): \(wrongCount) of \(actual.count) elements; it is right everywhere else")
                break
            }
        }
        if actual.rank == 2 && actual.shape[1] >= 2 && actual.shape[0] >= 1 && wrongCount < actual.count {
            let columns = Set((0..<actual.count).filter { wrong[$0] }.map { $0 % actual.shape[1] })
            let rows = Set((0..<actual.count).filter { wrong[$0] }.map { $0 / actual.shape[1] })
            if columns == [actual.shape[1] - 1] {
                lines.append("your output differs only in the last column")
            } else if columns == [0] {
                lines.append("your output differs only in the first column")
            } else if rows.count == 1 && actual.shape[0] >= 2, let row = rows.first {
                lines.append("your output differs only in row \(row)")
            }
        }
        // Zeros where the answer is tiny but not zero: a cutoff, a cancellation, an underflow.
        let zeroed = (0..<actual.count).filter { actual.scalars[$0] == 0 && expected.scalars[$0] != 0 && wrong[$0] }
        if !zeroed.isEmpty, let smallest = zeroed.map({ abs(expected.scalars[$0]) }).min(), smallest < 1e-6 {
            lines.append("your output is exactly 0 in \(zeroed.count) element\(zeroed.count == 1 ? "" : "s") where the answer is tiny but not 0 (down to \(short(smallest))): a cutoff, a cancellation such as 1 − (a number near 1), or Float arithmetic (its smallest number is about 1e-45)?")
        }
        // A history (rank 1) that is right for a while and then departs.
        if actual.rank == 1 && actual.count >= 4, let first = wrong.firstIndex(of: true), first >= 2 {
            lines.append("the first \(first) entries are right; from entry \(first + 1) on they differ — what changes at that point?")
        }
        // The ratio is the shape of an input: N/D or D/N, a count taken from the wrong axis.
        if let ratio = constantRatio(actual, expected) {
            for (name, value) in inputs where value.rank == 2 && value.shape[0] != value.shape[1] {
                let (rows, columns) = (Double(value.shape[0]), Double(value.shape[1]))
                if abs(ratio - rows / columns) <= 1e-9 * ratio || abs(ratio - columns / rows) <= 1e-9 * ratio {
                    lines.append("your output is \(short(ratio)) times the answer, the ratio of \(name)'s two sizes \(value.shape): a count taken from the wrong axis (the number of columns where the rows were meant, or the other way)?")
                    break
                }
            }
        }
        // An update: the change from an input to the output, compared with the answer's change.
        for (name, value) in inputs where (name.lowercased().contains("weight") || name.lowercased().contains("bias"))
            && what.lowercased().contains(name.lowercased())
            && ["new", "step", "trained", "updated"].contains(where: { what.lowercased().contains($0) })
            && value.count == actual.count && value.count > 0 && !value.scalars.elementsEqual(expected.scalars) {
            let mine = Tensor(shape: [actual.count], scalars: zip(actual.scalars, value.scalars).map { $0 - $1 })
            let theirs = Tensor(shape: [actual.count], scalars: zip(expected.scalars, value.scalars).map { $0 - $1 })
            guard let ratio = constantRatio(mine, theirs) ?? (actual.count == 1 && theirs.scalars[0] != 0 ? mine.scalars[0] / theirs.scalars[0] : nil),
                  ratio.isFinite, abs(ratio - 1) > 1e-6 else { continue }
            lines.append(abs(ratio + 1) <= 1e-6
                ? "your change to \(name) is the answer's change with the sign flipped: the step goes the wrong way"
                : "your change to \(name) is \(short(ratio)) times the answer's change: a step size (η) missing, doubled or applied twice?")
            break
        }
        if let (low, high) = varyingRatio(actual, expected) {
            lines.append("your output ÷ the answer runs from \(short(low)) to \(short(high)) across the elements: off by a factor that depends on the input, not by a constant — a missing or extra factor such as x, y or (1 − y)?")
        }
        return lines
    }

    /// The smallest and largest `actual / expected` when every element that is
    /// not tiny is off, all by ratios of one sign that are not one constant.
    static func varyingRatio(_ actual: Tensor, _ expected: Tensor) -> (Double, Double)? {
        guard actual.count >= 3, actual.isFinite, expected.isFinite else { return nil }
        let scale = expected.scalars.map(abs).max() ?? 0
        guard scale > 0 else { return nil }
        let ratios = zip(actual.scalars, expected.scalars).filter { abs($0.1) > 1e-3 * scale }.map { $0.0 / $0.1 }
        guard ratios.count >= 3, let low = ratios.min(), let high = ratios.max() else { return nil }
        guard low > 0 || high < 0, ratios.allSatisfy({ abs($0 - 1) > 1e-6 }), high - low > 1e-3 * max(abs(low), abs(high)) else { return nil }
        return (low, high)
    }

    static func shapeMismatch(actual: Tensor, expected: Tensor, batchSize: Int?) -> String {
        var text = "wrong shape: expected \(expected.shape), got \(actual.shape)"
        let e = expected.shape, a = actual.shape
        if a.count == e.count && a.count >= 2 && a == Array(e.reversed()) && a != e {
            text += "\nlikely cause: the result is transposed (or an operand was)"
        } else if a.filter({ $0 != 1 }) == e.filter({ $0 != 1 }) && a.count == e.count + 1 {
            text += "\nlikely cause: an extra axis of size 1 — a reduction with `keepingDims: true` where the plain `sum(axis:)` was wanted, or a reshape"
        } else if a.count == e.count - 1, let axis = (0..<e.count).first(where: { i in var s = e; s.remove(at: i); return s == a }) {
            text += e[axis] == 1
                ? "\nlikely cause: the size-1 axis \(axis) is missing — a reduction without `keepingDims: true`, or a reshape or flatten"
                : "\nlikely cause: a reduction over axis \(axis) dropped it; keep it with `keepingDims: true` so the result broadcasts back"
        } else if actual.count == expected.count {
            text += "\nlikely cause: the right number of values in the wrong shape — reshaped or flattened; return the shape the docs state"
        } else if a.count == 1 && e.count == 1 && a[0] < e[0] {
            text += "\nobserved: \(a[0]) entries where \(e[0]) were expected — does a loop stop early (on a condition of its own), or skip some?"
        } else if actual.count == 1 && expected.count > 1 {
            text += "\nlikely cause: everything was summed (or averaged) into one number; reduce along one axis only"
        } else if a.count == e.count, zip(a, e).filter({ $0 != $1 }).count == 1,
                  let axis = zip(a, e).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset, a[axis] == 1 {
            text += "\nlikely cause: summed over axis \(axis) that should have been kept"
        }
        return text
    }

    static func firstDifference(_ a: Tensor, _ e: Tensor, _ tolerance: Tolerance) -> (Int, Double, Double)? {
        for i in 0..<a.count where !tolerance.accepts(a.scalars[i], e.scalars[i]) {
            return (i, a.scalars[i], e.scalars[i])
        }
        return nil
    }

    /// The largest absolute error, and the largest relative error among the
    /// elements that are not tiny in the answer (where the answer is 0, as
    /// behind a ReLU's gate, a relative error means nothing).
    /// With `relativeOnly` (tails compared by relative error) every nonzero answer counts.
    static func errors(_ a: Tensor, _ e: Tensor, relativeOnly: Bool = false) -> (Double, Double) {
        var maxAbs = 0.0, maxRel = 0.0
        let floor = relativeOnly ? Double.leastNonzeroMagnitude : 1e-8 + 1e-6 * (e.scalars.lazy.filter(\.isFinite).map(abs).max() ?? 0)
        for (x, y) in zip(a.scalars, e.scalars) where x != y {
            let d = abs(x - y)
            if d.isNaN { return (.nan, .nan) }
            maxAbs = max(maxAbs, d)
            if abs(y) >= floor { maxRel = max(maxRel, d / abs(y)) }
        }
        return (maxAbs, maxRel)
    }

    /// A known signature of the error, or `nil`.
    static func likelyCause(actual: Tensor, expected: Tensor, batchSize: Int?, suspects: [Suspect],
                            tolerance: Tolerance = .standard, confirmed: (Suspect) -> Bool = { _ in true }) -> String? {
        if let named = matchingSuspects(actual: actual, expected: expected, suspects: suspects, tolerance: tolerance,
                                        confirmed: confirmed) { return named }
        let actualHasNaN = actual.scalars.contains { $0.isNaN }
        let actualHasInf = actual.scalars.contains { $0.isInfinite }
        if (actualHasNaN || actualHasInf) && expected.isFinite {
            if actualHasInf && !actualHasNaN {
                return "±∞ in the output where the answer is finite — an overflow: exp of a large number is ∞ in Double (exp(710) already is); rewrite the formula so that it never exponentiates a large positive number (subtract the maximum, or use the two-branch form). Or log of 0: a probability that underflowed to 0 — take logs before exponentiating (log p = z − logsumexp(z))."
            }
            return "NaN in the output where the answer is finite — usually an overflow: exp of a large number is ∞ in Double (exp(710) already is), and ∞/∞, ∞−∞ or 0·∞ is NaN; rewrite the formula so that it never exponentiates a large positive number (subtract the maximum, or use the two-branch form). Or 0/0, or log of 0 or of a negative number: do not divide by something that can be 0 (an input, a probability that underflows)."

        }
        if expected.rank == 2 && expected.shape[0] == expected.shape[1] && expected.shape[0] > 1
            && Tolerance.loose.accepts(actual, expected.transposed()) {
            return "the result is the transpose of the answer"
        }
        if let ratio = constantRatio(actual, expected) {
            // The batch size first: with N = 2 a missing 1/N is likelier than a stray factor of 2.
            let candidates: [(Double, String)] = (batchSize.map { n in n > 1 ? [
                (Double(n), "N = \(n) times too large: a missing 1/N (divide by the batch size)"),
                (1 / Double(n), "N = \(n) times too small: divided by the batch size once too often"),
            ] : [] } ?? []) + [
                (-1, "the sign is flipped (a missing minus, or subtracting in the wrong order)"),
                (2, "a factor of 2 too large"),
                (0.5, "a factor of 2 too small (a stray ½)"),
            ]
            for (value, text) in candidates where abs(ratio - value) <= 1e-6 * max(1, abs(value)) {
                // One number twice another is a weak sign (a K of 2 looks like a stray ½): said as what it is.
                if expected.count == 1 && abs(value) == 2 || expected.count == 1 && value == 0.5 {
                    return "your value is exactly \(short(ratio)) times the answer (a factor of 2 somewhere, or a divisor that happens to be 2 here)"
                }
                return text
            }
            // Any two single numbers have "a constant ratio": that says nothing, so only tensors get this line.
            if expected.count >= 2 && ratio != 0 {
                return "every element is off by the same factor, \(short(ratio)) (a missing or extra constant)"
            }
        }
        if let offset = constantOffset(actual, expected) {
            return "every element is off by the same amount, \(short(offset)) (an added constant)"
        }
        if actual.count >= 2 && actual.scalars.allSatisfy({ $0 == 0 }) { return "the output is all zeros" }
        return nil
    }

    /// The explanations of the known wrong answers that `actual` matches, and
    /// that `confirmed` agrees reproduce it everywhere else they were tried.
    /// They come first because they are the most specific; on some inputs two
    /// mistakes give the same output (a batch of one hides an axis), so every
    /// match is named.
    static func matchingSuspects(actual: Tensor, expected: Tensor, suspects: [Suspect], tolerance: Tolerance = .standard,
                                 confirmed: (Suspect) -> Bool = { _ in true }) -> String? {
        // Never looser than the comparison itself: tails compared by relative error alone tell apart numbers below 1e-9.
        let same = Tolerance(absolute: min(Tolerance.tight.absolute, tolerance.absolute),
                             relative: min(Tolerance.tight.relative, tolerance.relative))
        var matching: [String] = []
        for suspect in suspects where !matching.contains(suspect.explanation) {
            let wrong = suspect.output()
            if wrong.shape == actual.shape && sameWithNaN(actual, wrong, tolerance: same) && !sameWithNaN(wrong, expected, tolerance: same)
                && confirmed(suspect) {
                matching.append(suspect.explanation)
            }
        }
        return matching.isEmpty ? nil : matching.joined(separator: "\n  or: ")
    }

    /// `actual / expected` when it is the same for every element that is not tiny.
    static func constantRatio(_ actual: Tensor, _ expected: Tensor) -> Double? {
        let scale = expected.scalars.map(abs).max() ?? 0
        guard scale > 0, actual.isFinite else { return nil }
        let ratios = zip(actual.scalars, expected.scalars).filter { abs($0.1) > 1e-3 * scale }.map { $0.0 / $0.1 }
        guard let first = ratios.first, ratios.count >= 2 || expected.count == 1 else { return nil }
        guard ratios.allSatisfy({ abs($0 - first) <= 1e-6 * max(1, abs(first)) }), abs(first - 1) > 1e-6 else { return nil }
        // Elements that are tiny in the answer must be tiny in the output too.
        for (a, e) in zip(actual.scalars, expected.scalars) where abs(e) <= 1e-3 * scale {
            if abs(a - first * e) > 1e-6 * scale * max(1, abs(first)) { return nil }
        }
        return first
    }

    static func constantOffset(_ actual: Tensor, _ expected: Tensor) -> Double? {
        guard actual.isFinite, expected.count >= 2 else { return nil }
        let offsets = zip(actual.scalars, expected.scalars).map { $0.0 - $0.1 }
        let first = offsets[0]
        let scale = max(1, expected.scalars.map(abs).max() ?? 0)
        guard abs(first) > 1e-6 * scale, offsets.allSatisfy({ abs($0 - first) <= 1e-7 * scale }) else { return nil }
        return first
    }

    /// Equal within a tolerance (tight unless told), counting NaN as equal to NaN.
    static func sameWithNaN(_ a: Tensor, _ b: Tensor, tolerance: Tolerance = .tight) -> Bool {
        guard a.shape == b.shape else { return false }
        for (x, y) in zip(a.scalars, b.scalars) {
            if x.isNaN && y.isNaN { continue }
            if !tolerance.accepts(x, y) { return false }
        }
        return true
    }

    /// `[1, 2]` for flat index 5 of shape `[2, 3]`.
    public static func format(index flat: Int, shape: [Int]) -> String {
        guard !shape.isEmpty else { return "[]" }
        var rest = flat
        var index = Array(repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() {
            index[axis] = rest % max(shape[axis], 1)
            rest /= max(shape[axis], 1)
        }
        return "[" + index.map(String.init).joined(separator: ", ") + "]"
    }

    /// A short rendering of a number for messages.
    public static func short(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "∞" : "-∞" }
        if x == 0 { return "0" }
        if abs(x) >= 1e4 || abs(x) < 1e-3 { return String(format: "%.2e", x) }
        return String(format: "%.4g", x)
    }

    /// A tensor in a message: the whole thing when small, the start otherwise.
    public static func preview(_ t: Tensor, limit: Int = 12) -> String {
        let values = t.scalars.prefix(limit).map { short($0) }.joined(separator: ", ")
        return "shape \(t.shape): [\(values)\(t.count > limit ? ", …" : "")]"
    }
}

/// How close is close enough: `|a − e| ≤ absolute + relative · |e|`, elementwise.
public struct Tolerance: Sendable, CustomStringConvertible {
    public var absolute: Double
    public var relative: Double

    public init(absolute: Double, relative: Double) {
        self.absolute = absolute
        self.relative = relative
    }

    /// For values computed the same way up to rounding.
    public static let tight = Tolerance(absolute: 1e-9, relative: 1e-7)
    /// For values computed differently but correctly (another formula, another order).
    public static let standard = Tolerance(absolute: 1e-8, relative: 1e-6)
    /// For loose structural matches in diagnostics.
    public static let loose = Tolerance(absolute: 1e-6, relative: 1e-4)

    /// NaN is accepted where the answer is NaN too (a diverging run compared with the reference's).
    public func accepts(_ a: Double, _ e: Double) -> Bool {
        if a == e || (a.isNaN && e.isNaN) { return true }
        guard a.isFinite && e.isFinite else { return false }
        return abs(a - e) <= absolute + relative * abs(e)
    }

    public func accepts(_ actual: Tensor, _ expected: Tensor) -> Bool {
        actual.shape == expected.shape && zip(actual.scalars, expected.scalars).allSatisfy { accepts($0.0, $0.1) }
    }

    public var description: String { "|error| ≤ \(Diagnosis.short(absolute)) + \(Diagnosis.short(relative))·|expected|" }
}
