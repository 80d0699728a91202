import CourseKit
import Activations
import ActivationsSolutions

/// Lesson 01's functions as values, so that graders and demos can run the
/// learner's code, the reference code, or a mix — and known-wrong variants
/// can be swapped in one function at a time.
/// (The stored functions, `learner`, `reference` and `mixing(learnerFor:)` are generated from the
/// solutions' TABLE blocks: see `Generated/ActivationFunctions+Tables.swift`.)
extension ActivationFunctions {
    public typealias Unary = @Sendable (_ x: Tensor) -> Tensor
    /// `(dOut, x or y) -> dx`: elementwise backward passes take the forward's
    /// input or output, as the exercise says.
    public typealias Backward = @Sendable (_ dOut: Tensor, _ saved: Tensor) -> Tensor
    public typealias Leaky = @Sendable (_ x: Tensor, _ alpha: Double) -> Tensor
    public typealias LeakyBackward = @Sendable (_ dOut: Tensor, _ input: Tensor, _ alpha: Double) -> Tensor
}
