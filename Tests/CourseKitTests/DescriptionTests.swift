import CourseKit
import Testing

@Suite("Tensor: description")
struct DescriptionTests {
    @Test("numbers: four decimals, exponent form when tiny or huge, nan and inf")
    func format() {
        #expect(Tensor.format(1) == "1.0000")
        #expect(Tensor.format(-2.5) == "-2.5000")
        #expect(Tensor.format(3.14159265) == "3.1416")
        #expect(Tensor.format(0) == "0.0000")
        #expect(Tensor.format(99_999) == "99999.0000")
        #expect(Tensor.format(123_456) == "1.2346e+05")
        #expect(Tensor.format(0.0001) == "0.0001")
        #expect(Tensor.format(0.00001234) == "1.2340e-05")
        #expect(Tensor.format(-1e-7) == "-1.0000e-07")
        #expect(Tensor.format(.nan) == "nan")
        #expect(Tensor.format(.infinity) == "inf")
        #expect(Tensor.format(-.infinity) == "-inf")
    }

    @Test("rank 0 prints the bare number")
    func rankZero() {
        #expect(Tensor(2).description == "2.0000")
        #expect("\(Tensor(-0.5))" == "-0.5000")
    }

    @Test("a vector")
    func vector() {
        #expect(Tensor([1, 2, 3]).description == "[1.0000, 2.0000, 3.0000]")
        #expect(Tensor([1, -10]).description == "[  1.0000, -10.0000]")
        #expect(Tensor.zeros([0]).description == "[]")
    }

    @Test("a small matrix: nested brackets and aligned columns")
    func matrix() {
        let x = Tensor([[1, -2.5], [0, 3.14159265]])
        #expect(x.description == """
            [[ 1.0000, -2.5000],
             [ 0.0000,  3.1416]]
            """)
        #expect(Tensor([[1, 2, 3]]).description == "[[1.0000, 2.0000, 3.0000]]")
        #expect(x.debugDescription == "Tensor(shape: [2, 2])\n" + x.description)
    }

    @Test("rank 3: a blank line between matrices")
    func rank3() {
        let x = Tensor(shape: [2, 2, 2], scalars: (0..<8).map(Double.init))
        #expect(x.description == """
            [[[0.0000, 1.0000],
              [2.0000, 3.0000]],

             [[4.0000, 5.0000],
              [6.0000, 7.0000]]]
            """)
    }

    @Test("axes longer than 8 show three elements, …, and three more")
    func longAxes() {
        #expect(Tensor.arange(0, 10).description == "[0.0000, 1.0000, 2.0000, …, 7.0000, 8.0000, 9.0000]")
        // Exactly 8 are all shown.
        #expect(!Tensor.arange(0, 8).description.contains("…"))
        let tall = Tensor(shape: [9, 1], scalars: (0..<9).map(Double.init))
        #expect(tall.description == """
            [[0.0000],
             [1.0000],
             [2.0000],
             …,
             [6.0000],
             [7.0000],
             [8.0000]]
            """)
        // A big matrix stays small on screen.
        let big = Tensor.zeros([100, 100])
        let lines = big.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 7)
        #expect(lines.allSatisfy { $0.count < 80 })
    }

    @Test("nan and inf align with the other numbers")
    func specialValues() {
        #expect(Tensor([.nan, 1, -.infinity]).description == "[   nan, 1.0000,   -inf]")
    }
}
