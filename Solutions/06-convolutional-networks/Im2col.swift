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
    // BEGIN SOLUTION
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ho = (h + 2 * padding - kernelHeight) / stride + 1, wo = (w + 2 * padding - kernelWidth) / stride + 1
    let rows = c * kernelHeight * kernelWidth, columns = n * ho * wo
    var cols = [Double](repeating: 0, count: rows * columns)
    x.scalars.withUnsafeBufferPointer { px in
        cols.withUnsafeMutableBufferPointer { pc in
            for channel in 0..<c {
                for p in 0..<kernelHeight {
                    for q in 0..<kernelWidth {
                        let row = (channel * kernelHeight + p) * kernelWidth + q
                        // The output columns whose pixel j·S + q − P is inside the image (the others read padding).
                        let inside = (0..<wo).filter { j in (0..<w).contains(j * stride + q - padding) }
                        for img in 0..<n {
                            let plane = (img * c + channel) * h * w
                            for i in 0..<ho {
                                let y = i * stride + p - padding
                                guard y >= 0 && y < h else { continue }   // a padded row: zeros, already there
                                let base = row * columns + (img * ho + i) * wo
                                let pixel = plane + y * w + q - padding   // x[n, c, y, j·S + q − P] is px[pixel + j·S]
                                for j in inside { pc[base + j] = px[pixel + j * stride] }
                            }
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: [rows, columns], scalars: cols)
    // END SOLUTION
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
    // BEGIN SOLUTION
    let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
    let ho = (h + 2 * padding - kernelHeight) / stride + 1, wo = (w + 2 * padding - kernelWidth) / stride + 1
    let columns = n * ho * wo
    precondition(cols.shape == [c * kernelHeight * kernelWidth, columns],
                 "col2im: cols has shape \(cols.shape), expected \([c * kernelHeight * kernelWidth, columns]) for input \(inputShape)")
    var x = [Double](repeating: 0, count: n * c * h * w)
    cols.scalars.withUnsafeBufferPointer { pc in
        x.withUnsafeMutableBufferPointer { px in
            for channel in 0..<c {
                for p in 0..<kernelHeight {
                    for q in 0..<kernelWidth {
                        let row = (channel * kernelHeight + p) * kernelWidth + q
                        let inside = (0..<wo).filter { j in (0..<w).contains(j * stride + q - padding) }
                        for img in 0..<n {
                            let plane = (img * c + channel) * h * w
                            for i in 0..<ho {
                                let y = i * stride + p - padding
                                guard y >= 0 && y < h else { continue }
                                let base = row * columns + (img * ho + i) * wo
                                let pixel = plane + y * w + q - padding
                                for j in inside { px[pixel + j * stride] += pc[base + j] }
                            }
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: inputShape, scalars: x)
    // END SOLUTION
}

// BEGIN TABLE ConvNetsFunctions cnn.im2col
// im2col: @Sendable (_ x: Tensor, _ kernelHeight: Int, _ kernelWidth: Int, _ stride: Int, _ padding: Int) -> Tensor
// = { Module.im2col($0, kernelHeight: $1, kernelWidth: $2, stride: $3, padding: $4) }
// col2im: @Sendable (_ cols: Tensor, _ inputShape: [Int], _ kernelHeight: Int, _ kernelWidth: Int, _ stride: Int,
//     _ padding: Int) -> Tensor
// = { Module.col2im($0, inputShape: $1, kernelHeight: $2, kernelWidth: $3, stride: $4, padding: $5) }
// END TABLE
