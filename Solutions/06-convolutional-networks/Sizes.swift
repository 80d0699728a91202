import CourseKit
import Foundation

/// Exercise `cnn.sizes` — the output size of a convolution or pooling layer
/// along one axis.
///
/// A window of size K slides over an input of size H padded with P zeros on
/// each side, moving S positions at a time; the output counts the positions
/// where the window fits entirely:
///
///     H′ = ⌊(H + 2P − K) / S⌋ + 1
///
/// This course floors, like PyTorch (CS231n's notes insist that S divide
/// H + 2P − K exactly). Return 0 when the window does not fit even once
/// (K > H + 2P).
///
/// - Parameters:
///   - inputSize: H ≥ 1.
///   - kernelSize: K ≥ 1.
///   - stride: S ≥ 1.
///   - padding: P ≥ 0.
/// - Returns: H′.
public func convOutputSize(inputSize: Int, kernelSize: Int, stride: Int, padding: Int) -> Int {
    // BEGIN SOLUTION
    let span = inputSize + 2 * padding - kernelSize
    return span < 0 ? 0 : span / stride + 1
    // END SOLUTION
}

/// Exercise `cnn.sizes` — the receptive field of one unit of the last layer
/// of a stack of convolution and pooling layers: how many input pixels (along
/// one axis) can influence it.
///
/// Layer l has a window of size Kₗ and a stride Sₗ (a pooling layer is a window
/// too). Walking from the input up, each layer widens the field by (Kₗ − 1)
/// times the product of the strides of the layers below it (the distance, in
/// input pixels, between neighbouring units of its input):
///
///     r₀ = 1,  rₗ = rₗ₋₁ + (Kₗ − 1) · S₁ · S₂ · … · Sₗ₋₁
///
/// Padding does not change the receptive field.
///
/// - Parameters:
///   - kernelSizes: K₁ … K_L, from the input up (may be empty: the field is then 1 pixel).
///   - strides: S₁ … S_L, as many as `kernelSizes`.
/// - Returns: r_L.
public func receptiveField(kernelSizes: [Int], strides: [Int]) -> Int {
    // BEGIN SOLUTION
    precondition(kernelSizes.count == strides.count, "receptiveField: \(kernelSizes.count) kernel sizes but \(strides.count) strides")
    var field = 1, jump = 1
    for (kernel, stride) in zip(kernelSizes, strides) {
        field += (kernel - 1) * jump
        jump *= stride
    }
    return field
    // END SOLUTION
}

// BEGIN TABLE ConvNetsFunctions cnn.sizes
// outputSize: @Sendable (_ inputSize: Int, _ kernelSize: Int, _ stride: Int, _ padding: Int) -> Int
// = { Module.convOutputSize(inputSize: $0, kernelSize: $1, stride: $2, padding: $3) }
// receptiveField: @Sendable (_ kernelSizes: [Int], _ strides: [Int]) -> Int
// = { Module.receptiveField(kernelSizes: $0, strides: $1) }
// END TABLE
