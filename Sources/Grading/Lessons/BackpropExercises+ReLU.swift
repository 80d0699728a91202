import CourseKit
import Foundation
import Implementations

extension BackpropLesson {
    // MARK: - ReLU layer and the affine–ReLU sandwich

    static let reluSpec = Spec(
        id: "mlp.relu", title: "ReLU layer and the affine–ReLU sandwich", file: "ReLULayer.swift",
        declarations: ["reluLayerForward(_:)", "reluLayerBackward(_:cache:)", "affineReluForward(_:weights:bias:)",
                       "affineReluBackward(_:cache:)"],
        hints: [
            "The ReLU layer is lesson 01's ReLU with a cache: keep x, and in the backward let dOut through where x > 0. The sandwich composes two layers: forward runs affine then ReLU and keeps both caches; backward runs them in reverse order, ReLU first.",
            "Read the chapter's section “The ReLU layer, and the sandwich”. `ReLUCache(x:)` and `AffineReLUCache(affine:relu:)` hold what the backward needs.",
            "Order matters: forward is affine → ReLU, so backward is ReLU backward (mask from the affine output) → affine backward (which returns dx, dW, db).",
            "A sketch of the sandwich forward: `let (a, affineCache) = affineForward(x, weights: weights, bias: bias); let (out, reluCache) = …; return (out, AffineReLUCache(…))`.",
        ],
        standard: "the ReLU layer compared with the reference on 4 random tensors of rank 1–3 (values kept 1e-3 from 0); the sandwich's output, dx, dWeights and dBias compared on 3 random layers and a batch of one, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of the sandwich (pre-activations kept 0.05 from the kink): relative error < 1e-7",
        mistakes: [
            Change("mask from dOut", "the backward lets dOut through where dOut > 0: the gate is the forward's input, x > 0, whatever the sign of the gradient.") {
                $0.relu = { x in (maximum(x, 0), { dOut in dOut * (dOut .> 0) }) }
            },
            Change("no mask in the backward", "the backward passes dOut through everywhere: where x ≤ 0 the ReLU was flat, so its gradient is 0 — multiply by the mask x > 0.") {
                $0.relu = { x in (maximum(x, 0), { dOut in dOut }) }
            },
            Change("sandwich backward skips the ReLU", "the sandwich's backward goes straight into the affine layer: first undo the ReLU (the last layer of the forward is the first of the backward), then the affine layer.") {
                $0.affineRelu = { x, w, b in
                    let (out, _) = BackpropFunctions.reference.affineRelu(x, w, b)
                    let (_, affineBackward) = BackpropFunctions.reference.affine(x, w, b)
                    return (out, affineBackward)
                }
            },
            Change("sandwich forward without the ReLU", "the sandwich's output is the affine layer's alone: apply the ReLU to xW + b.") {
                $0.affineRelu = { x, w, b in
                    let (_, backward) = BackpropFunctions.reference.affineRelu(x, w, b)
                    return (matmul(x, w) + b, backward)
                }
            },
        ],
        alternatives: [
            Change("the mask from the output, and Tensor.where") {
                $0.relu = { x in
                    let out = Tensor.where(x .> 0, x, Tensor.zeros(like: x))
                    return (out, { dOut in Tensor.where(out .> 0, dOut, Tensor.zeros(like: dOut)) })
                }
            },
        ]
    ) { candidate, peers, context in
        for round in 1...4 {
            let x = context.randomTensor(context.randomShape(ranks: 1...3, sizes: 1...5), scale: 2, awayFrom: [0], margin: 1e-3)
            let dOut = context.randomTensor(x.shape)
            let situation = "random input #\(round) (seed \(context.seed))"
            let got = candidate.relu(x), want = peers.reference.relu(x)
            try context.expectClose(got.out, want.out, what: "the output of reluLayerForward", situation: situation, inputs: [("x", x)],
                                    suspects: peers.suspects { $0.relu(x).out })
            try context.expectClose(got.backward(dOut), want.backward(dOut), what: "reluLayerBackward", situation: situation,
                                    inputs: [("x", x), ("dOut", dOut)], suspects: peers.suspects { $0.relu(x).backward(dOut) })
        }
        context.pass("the ReLU layer matches the reference on 4 random inputs")
        try checkLayer("affineRelu", candidate: candidate, peers: peers, &context, select: { $0.affineRelu }, keepAwayFromKinks: true)
    }
}
