import CourseKit
import Foundation

/// Exercise `cnn.im2col` — unrolls every window a convolution visits into one
/// column of a matrix, so that the convolution becomes one matrix product.
///
/// With x padded by P zeros on each side (x̃), H′ = ⌊(H + 2P − KH)/S⌋ + 1 and
/// W′ = ⌊(W + 2P − KW)/S⌋ + 1, the result has C·KH·KW rows and N·H′·W′ columns:
///
///     cols[(c·KH + p)·KW + q,  (n·H′ + i)·W′ + j] = x̃[n, c, i·S + p, j·S + q]
///
/// Rows run over (channel, kernel row, kernel column) — the order of a filter
/// `[F, C, KH, KW]` reshaped to `[F, C·KH·KW]`; columns run over (image,
/// output row, output column), the image slowest. (Other code may order the
/// columns with the image fastest: same shape, different matrix.)
///
/// - Parameters:
///   - x: `[N, C, H, W]`.
///   - kernelHeight: KH.
///   - kernelWidth: KW.
///   - stride: S ≥ 1.
///   - padding: P ≥ 0.
/// - Returns: cols, `[C·KH·KW, N·H′·W′]`.
public func im2col(_ x: Tensor, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) -> Tensor {
    todo()
}

/// Exercise `cnn.im2col` — the adjoint of `im2col`: puts every entry of a
/// column matrix back at the pixel it was copied from, ADDING entries that
/// came from the same pixel (neighbouring windows overlap when S < K), and
/// dropping those that came from the padding.
///
/// This is what the backward of a convolution computed through `im2col` needs:
/// the gradient of a pixel is the sum of the gradients of all its copies.
///
/// - Parameters:
///   - cols: `[C·KH·KW, N·H′·W′]`, laid out as `im2col`'s result.
///   - inputShape: `[N, C, H, W]`, the shape of the x that `im2col` unrolled.
///   - kernelHeight: KH.
///   - kernelWidth: KW.
///   - stride: S ≥ 1.
///   - padding: P ≥ 0.
/// - Returns: `[N, C, H, W]`.
public func col2im(_ cols: Tensor, inputShape: [Int], kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) -> Tensor {
    todo()
}
