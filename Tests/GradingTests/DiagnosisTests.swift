import CourseKit
import Grading
import Testing

/// The diagnosis must name the mistake when the error has a known signature.
@Suite("Diagnosis")
struct DiagnosisTests {
    let expected = Tensor([[0.5, -1.25, 2], [3, 0.75, -4]])

    func diagnose(_ actual: Tensor, batchSize: Int? = nil, suspects: [Suspect] = []) -> String {
        Diagnosis.mismatch(actual: actual, expected: expected, tolerance: .standard, batchSize: batchSize, suspects: suspects) ?? "<match>"
    }

    @Test func acceptsEqualAndNearlyEqual() {
        #expect(Diagnosis.mismatch(actual: expected, expected: expected, tolerance: .tight) == nil)
        #expect(Diagnosis.mismatch(actual: expected + 1e-12, expected: expected, tolerance: .tight) == nil)
    }

    @Test func flippedSign() {
        #expect(diagnose(-expected).contains("sign is flipped"))
    }

    @Test func factorOfTwo() {
        #expect(diagnose(2 * expected).contains("factor of 2 too large"))
        #expect(diagnose(0.5 * expected).contains("factor of 2 too small"))
    }

    @Test func missingOneOverN() {
        #expect(diagnose(4 * expected, batchSize: 4).contains("missing 1/N"))
        #expect(diagnose(expected / 4, batchSize: 4).contains("divided by the batch size once too often"))
    }

    @Test func otherConstantFactorAndOffset() {
        #expect(diagnose(3.5 * expected).contains("same factor, 3.5"))
        #expect(diagnose(expected + 0.25).contains("same amount, 0.25"))
    }

    @Test func nanFromOverflow() {
        var actual = expected
        actual[1, 2] = .nan
        let text = diagnose(actual)
        #expect(text.contains("NaN"))
        #expect(text.contains("overflow"))
        #expect(text.contains("first difference at [1, 2]"))
    }

    @Test func shapes() {
        #expect(diagnose(expected.transposed()).contains("transposed"))
        #expect(diagnose(Tensor([expected.sum()])).contains("summed"))
        #expect(diagnose(expected.sum(axis: 1)).contains("keepingDims"))
        #expect(diagnose(expected.sum(axis: 1, keepingDims: true)).contains("summed over axis 1"))
    }

    @Test func transposedValuesOfASquareMatrix() {
        let square = Tensor([[1, 2], [3, 4]])
        let text = Diagnosis.mismatch(actual: square.transposed(), expected: square, tolerance: .standard) ?? ""
        #expect(text.contains("transpose"))
    }

    @Test func knownMistakeIsNamedFirst() {
        let wrong = expected * 3.5
        let text = diagnose(wrong, suspects: [
            Suspect("an unrelated mistake") { Tensor.zeros([2, 3]) },
            Suspect("the mistake we are looking for") { wrong },
        ])
        #expect(text.contains("likely cause: the mistake we are looking for"))
        #expect(!text.contains("unrelated"))
    }

    @Test func nanMatchesANaNSuspect() {
        var wrong = expected
        wrong[0, 0] = .nan
        let frozen = wrong
        let text = diagnose(frozen, suspects: [Suspect("no max subtraction") { frozen }])
        #expect(text.contains("no max subtraction"))
    }

    @Test func reportsErrorsAndFirstIndex() {
        var actual = expected
        actual[0, 1] += 0.5
        let text = diagnose(actual)
        #expect(text.contains("first difference at [0, 1]"))
        #expect(text.contains("max |error| 0.5"))
    }

    @Test func gradientCheckFailureExplains() throws {
        let context = GradingContext(seed: 1, exerciseID: "test")
        let numeric = Tensor([1, -2, 3])
        #expect(throws: CheckFailure.self) {
            try context.expectGradient(analytic: -numeric, numeric: numeric, what: "fBackward", situation: "a test", threshold: 1e-7)
        }
        do {
            try context.expectGradient(analytic: 2 * numeric, numeric: numeric, what: "fBackward", situation: "a test", threshold: 1e-7)
        } catch let failure as CheckFailure {
            #expect(failure.diagnosis.contains("relative error") && failure.diagnosis.contains("factor of 2 too large"))
        }
        try context.expectGradient(analytic: numeric + 1e-12, numeric: numeric, what: "fBackward", situation: "a test", threshold: 1e-7)
    }

    @Test func flatIndexFormatting() {
        #expect(Diagnosis.format(index: 5, shape: [2, 3]) == "[1, 2]")
        #expect(Diagnosis.format(index: 0, shape: []) == "[]")
        #expect(Diagnosis.format(index: 7, shape: [2, 2, 2]) == "[1, 1, 1]")
    }
}

@Suite("Seeds and reports")
struct SeedAndReportTests {
    @Test func sameSeedSameInputs() {
        var a = Seed.generator(runSeed: 99, exerciseID: "activations.sigmoid")
        var b = Seed.generator(runSeed: 99, exerciseID: "activations.sigmoid")
        var c = Seed.generator(runSeed: 99, exerciseID: "activations.tanh")
        let first = a.next()
        #expect(first == b.next())
        #expect(first != c.next())
    }

    @Test func reportRoundTripsThroughTheChildProtocol() throws {
        let report = GradeReport(id: "activations.relu", verdict: .notStarted, message: "not started: todo() at X.swift:3", seed: 12345)
        let line = ChildGrader.reportPrefix + #"{"id":"activations.relu","message":"not started: todo() at X.swift:3","seed":12345,"verdict":"not-started"}"#
        let parsed = ChildGrader.parseReport(standardOutput: "learner output\nmore\n" + line + "\n")
        #expect(parsed == report)
        #expect(ChildGrader.parseReport(standardOutput: "Fatal error: boom\n") == nil)
    }

    @Test func crashSummaryFindsTheLearnersLine() {
        let stderr = """
        Swift/ContiguousArrayBuffer.swift:691: Fatal error: Index out of range
        💣 Program crashed: Illegal instruction at 0x00007f
        0      0x00007f in sigmoidForward(_:) at /home/me/course/Lessons/01-activations/Sigmoid.swift:17:12
        1      0x00007f in closure #1 at /home/me/course/Sources/Implementations/ActivationFunctions.swift:40:9
        """
        let summary = CrashReport.summarize(standardError: stderr, exitDescription: "signal 4")
        #expect(summary.contains("Fatal error: Index out of range"))
        #expect(summary.contains("Lessons/01-activations/Sigmoid.swift:17"))
    }

    /// The message of the failure `body` throws, or "" when it passes.
    func failure(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch let failure as CheckFailure { return failure.diagnosis } catch { return "\(error)" }
    }

    @Test func aMistakeIsNamedOnlyWhenItReproducedEveryEarlierInput() {
        let doubles = "doubles everything"
        // Case 1 passes, and the mistake would have given something else there.
        var context = GradingContext(seed: 1, exerciseID: "test")
        #expect(failure { try context.expectClose(Tensor([1, 2]), Tensor([1, 2]), what: "f", situation: "case 1", inputs: [],
                                                   suspects: [Suspect(doubles) { Tensor([2, 4]) }]) } == "")
        // Case 2: the output is the mistake's, but case 1 rules the mistake out.
        let ruledOut = failure { try context.expectClose(Tensor([6, 8]), Tensor([3, 4]), what: "f", situation: "case 2", inputs: [],
                                                          suspects: [Suspect(doubles) { Tensor([6, 8]) }]) }
        #expect(!ruledOut.contains(doubles) && ruledOut.contains("wrong for case 2"))
        // A fresh run where case 1 agreed with the mistake (it leaves 0 unchanged): named.
        var fresh = GradingContext(seed: 1, exerciseID: "test")
        #expect(failure { try fresh.expectClose(Tensor([0, 0]), Tensor([0, 0]), what: "f", situation: "case 1", inputs: [],
                                                 suspects: [Suspect(doubles) { Tensor([0, 0]) }]) } == "")
        let named = failure { try fresh.expectClose(Tensor([6, 8]), Tensor([3, 4]), what: "f", situation: "case 2", inputs: [],
                                                     suspects: [Suspect(doubles) { Tensor([6, 8]) }]) }
        #expect(named.contains("likely cause: " + doubles))
    }

    @Test func observationsSayWhereTheOutputDiffers() {
        let x = Tensor([-2, -1, 0.5, 3])
        let negativeOnly = Diagnosis.observations(actual: Tensor([-0.02, -0.01, 0.5, 3]), expected: Tensor([-0.2, -0.1, 0.5, 3]),
                                                  tolerance: .standard, inputs: [("x", x)])
        #expect(negativeOnly.contains { $0.contains("differs only where x < 0") })
        let lastColumn = Diagnosis.observations(actual: Tensor([[1, 2, 9], [4, 5, 9]]), expected: Tensor([[1, 2, 3], [4, 5, 6]]),
                                                tolerance: .standard, inputs: [])
        #expect(lastColumn.contains { $0.contains("only in the last column") })
        let varying = Diagnosis.observations(actual: Tensor([2, 6, 12]), expected: Tensor([1, 2, 3]), tolerance: .standard, inputs: [])
        #expect(varying.contains { $0.contains("factor that depends on the input") })
        var withNaN = Tensor.ones([20])
        withNaN[15] = .nan
        let hidden = Diagnosis.observations(actual: withNaN, expected: Tensor.ones([20]), tolerance: .standard, inputs: [])
        #expect(hidden.contains { $0.contains("NaN in 1 of 20 elements, the first at [15]") })
    }

    @Test func aHardCodedParameterIsNamedWithItsValue() {
        let x = Tensor([-2, 1, -0.5])
        func leaky(_ alpha: Double) -> Tensor { x.map { $0 > 0 ? $0 : alpha * $0 } }
        let context = GradingContext(seed: 1, exerciseID: "test")
        let message = failure { try context.expectClose(leaky(0.01), leaky(0.1), what: "leakyReluForward", situation: "a case", inputs: [("x", x)],
                                                         parameters: [Parameter("alpha (α)", 0.1, candidate: { _ in leaky(0.01) }, reference: leaky)]) }
        #expect(message.contains("alpha (α): 0.1"))
        #expect(message.contains("is alpha (α) hard-coded to 0.01"))
        #expect(message.contains("differs only where x < 0"))
    }

    @Test func answerLinesReadTheMarkedRegion() {
        let text = "func f(_ x: Tensor) -> Tensor {\n    // BEGIN SOLUTION\n    // a comment\n    x.map { $0 * 2 }\n    // END SOLUTION\n}\n"
        #expect(answerLines(of: "f", in: text) == ["x.map{$0*2}"])
        #expect(answerLines(of: "g", in: text) == nil)
    }
}
