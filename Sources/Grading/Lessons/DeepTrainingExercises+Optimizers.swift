import CourseKit
import Foundation
import Implementations

extension DeepTrainingLesson {
    /// One update rule as the trajectory check drives it: its state as a list of tensors.
    struct UpdateRule: Sendable {
        let name: String
        let stateNames: [String]
        let initialState: @Sendable (_ shape: [Int]) -> [Tensor]
        /// The hyperparameters the rule reads (μ, ρ, β₁, β₂): varied on a failure, to tell a number typed in their place.
        var settings: [Setting] = []
        let apply: @Sendable (_ functions: F, _ w: Tensor, _ gradient: Tensor, _ state: [Tensor], _ learningRate: Double) -> (Tensor, [Tensor])
    }

    /// One hyperparameter of a rule, read from and written into `Hyper`.
    struct Setting: Sendable {
        let name: String
        let get: @Sendable (Hyper) -> Double
        let set: @Sendable (inout Hyper, Double) -> Void
    }

    static let momentumSetting = Setting(name: "momentum (μ)", get: { $0.momentum }, set: { $0.momentum = $1 })
    static let decaySetting = Setting(name: "decayRate (ρ)", get: { $0.decayRate }, set: { $0.decayRate = $1 })
    static let beta1Setting = Setting(name: "beta1 (β₁)", get: { $0.beta1 }, set: { $0.beta1 = $1 })
    static let beta2Setting = Setting(name: "beta2 (β₂)", get: { $0.beta2 }, set: { $0.beta2 = $1 })

    /// Hyperparameters drawn for one round.
    struct Hyper: Sendable {
        var momentum: Double, decayRate: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
        var description: String {
            "μ = \(Diagnosis.short(momentum)), ρ = \(Diagnosis.short(decayRate)), β₁ = \(Diagnosis.short(beta1)), β₂ = \(Diagnosis.short(beta2)), ε = \(Diagnosis.short(epsilon)), λ = \(Diagnosis.short(weightDecay))"
        }
    }

    static func adamState(_ s: [Tensor]) -> F.Adam { (s[0], s[1], Int(s[2].scalar)) }
    static func adamList(_ s: F.Adam) -> [Tensor] { [s.firstMoment, s.secondMoment, Tensor(Double(s.step))] }

    /// Runs `steps` updates from the same start with the same gradients and per-step learning rates, and
    /// compares the parameter and every state tensor with the reference after each step.
    static func checkTrajectories(_ rules: [(Hyper) -> UpdateRule], candidate: F, peers: Peers<F>, _ context: inout GradingContext) throws {
        // Round 1: ordinary gradients, a different η at every step. Round 2: small gradients and a large ε,
        // where ε's place shows. Round 3: a single row and gradients of mixed sizes, η constant.
        for round in 1...3 {
            let hyper = Hyper(momentum: context.random.nextUniform(in: 0.5..<0.95), decayRate: context.random.nextUniform(in: 0.8..<0.99),
                              beta1: context.random.nextUniform(in: 0.6..<0.95), beta2: context.random.nextUniform(in: 0.9..<0.999),
                              epsilon: round == 2 ? context.random.nextUniform(in: 0.05..<0.2) : 1e-8,
                              weightDecay: context.random.nextUniform(in: 0.05..<0.3))
            let shape = round == 3 ? [1, 5] : [3, 4]
            let steps = round == 1 ? 8 : 6
            let w0 = context.randomTensor(shape)
            var gradients: [Tensor] = []
            for _ in 0..<steps {
                let scale = round == 2 ? 0.05 : (round == 3 ? [0.01, 1, 30][context.random.nextInt(in: 0..<3)] : 1)
                gradients.append(context.randomTensor(shape, scale: scale))
            }
            let rates = (0..<steps).map { _ in round == 3 ? 0.05 : context.random.nextUniform(in: 0.01..<0.3) }
            let (frozenGradients, frozenRates) = (gradients, rates)
            for makeRule in rules {
                let rule = makeRule(hyper)
                @Sendable func trajectory(_ f: F, upTo step: Int, rule: UpdateRule) -> (w: Tensor, state: [Tensor]) {
                    var (w, state) = (w0, rule.initialState(shape))
                    for t in 0..<step { (w, state) = rule.apply(f, w, frozenGradients[t], state, frozenRates[t]) }
                    return (w, state)
                }
                @Sendable func trajectory(_ f: F, upTo step: Int) -> (w: Tensor, state: [Tensor]) { trajectory(f, upTo: step, rule: rule) }
                /// The parameter after `step` steps with one hyperparameter changed.
                func changed(_ setting: Setting, to value: Double, _ f: F, upTo step: Int) -> (w: Tensor, state: [Tensor]) {
                    var changedHyper = hyper
                    setting.set(&changedHyper, value)
                    return trajectory(f, upTo: step, rule: makeRule(changedHyper))
                }
                var (w, state) = (w0, rule.initialState(shape))
                for t in 1...steps {
                    (w, state) = rule.apply(candidate, w, gradients[t - 1], state, rates[t - 1])
                    let want = trajectory(peers.reference, upTo: t)
                    let situation = "step \(t)\(t == 1 ? " (the first)" : "") of \(steps) from the same start, η this step \(Diagnosis.short(rates[t - 1])) (η changes between steps), \(hyper.description) (seed \(context.seed))"
                    let inputs: [(name: String, value: Tensor)] = [("w before the first step", w0), ("gradient this step", gradients[t - 1])]
                    let settings = rule.settings.map { setting in
                        Parameter(setting.name, setting.get(hyper), candidate: { changed(setting, to: $0, candidate, upTo: t).w },
                                  reference: { changed(setting, to: $0, peers.reference, upTo: t).w })
                    }
                    try expect(context, w, want.w, what: "the parameter after \(rule.name)", situation: situation, inputs: inputs,
                               peers: peers, parameters: settings) { trajectory($0, upTo: t).w }
                    guard state.count == want.state.count else { throw CheckFailure("\(rule.name): the state has \(state.count) parts, expected \(want.state.count).") }
                    for (k, stateName) in rule.stateNames.enumerated() {
                        // Adam's first step does not depend on β (the corrections cancel it): its moments do.
                        let stateSettings = rule.settings.map { setting in
                            Parameter(setting.name, setting.get(hyper), candidate: { value in
                                          let state = changed(setting, to: value, candidate, upTo: t).state
                                          return state.indices.contains(k) ? state[k] : Tensor.zeros([0])
                                      },
                                      reference: { changed(setting, to: $0, peers.reference, upTo: t).state[k] })
                        }
                        try expect(context, state[k], want.state[k], what: "\(stateName) after \(rule.name)", situation: situation, inputs: inputs,
                                   peers: peers, parameters: stateSettings) { trajectory($0, upTo: t).state[k] }
                    }
                }
            }
        }
    }

    static func momentumRule(_ h: Hyper) -> UpdateRule {
        UpdateRule(name: "sgdMomentumUpdate", stateNames: ["the velocity"], initialState: { [Tensor.zeros($0)] }, settings: [momentumSetting]) { f, w, g, s, lr in
            let r = f.momentum(w, g, s[0], lr, h.momentum); return (r.w, [r.velocity])
        }
    }

    static func nesterovRule(_ h: Hyper) -> UpdateRule {
        UpdateRule(name: "nesterovMomentumUpdate", stateNames: ["the velocity"], initialState: { [Tensor.zeros($0)] }, settings: [momentumSetting]) { f, w, g, s, lr in
            let r = f.nesterov(w, g, s[0], lr, h.momentum); return (r.w, [r.velocity])
        }
    }

    static func adagradRule(_ h: Hyper) -> UpdateRule {
        UpdateRule(name: "adagradUpdate", stateNames: ["squaredGradientSum"], initialState: { [Tensor.zeros($0)] }) { f, w, g, s, lr in
            let r = f.adagrad(w, g, s[0], lr, h.epsilon); return (r.w, [r.sum])
        }
    }

    static func rmspropRule(_ h: Hyper) -> UpdateRule {
        UpdateRule(name: "rmspropUpdate", stateNames: ["squaredGradientAverage"], initialState: { [Tensor.zeros($0)] }, settings: [decaySetting]) { f, w, g, s, lr in
            let r = f.rmsprop(w, g, s[0], lr, h.decayRate, h.epsilon); return (r.w, [r.average])
        }
    }

    static let adamStateNames = ["state.firstMoment", "state.secondMoment", "state.step"]

    static func adamRule(_ h: Hyper) -> UpdateRule {
        UpdateRule(name: "adamUpdate", stateNames: adamStateNames,
                   initialState: { [Tensor.zeros($0), Tensor.zeros($0), Tensor(0)] }, settings: [beta1Setting, beta2Setting]) { f, w, g, s, lr in
            let r = f.adam(w, g, adamState(s), lr, h.beta1, h.beta2, h.epsilon); return (r.w, adamList(r.state))
        }
    }

    static func adamWRule(_ h: Hyper) -> UpdateRule {
        UpdateRule(name: "adamWUpdate", stateNames: adamStateNames,
                   initialState: { [Tensor.zeros($0), Tensor.zeros($0), Tensor(0)] }, settings: [beta1Setting, beta2Setting]) { f, w, g, s, lr in
            let r = f.adamW(w, g, adamState(s), lr, h.beta1, h.beta2, h.epsilon, h.weightDecay); return (r.w, adamList(r.state))
        }
    }

    static let trajectoryStandard = "3 runs of 6–8 steps from one random start with random gradients, comparing the parameter and every state tensor with the reference after every step (the first step separately named): η different at every step in run 1, small gradients with ε of 0.05–0.2 in run 2, a single row with gradients from 0.01 to 30 in run 3; hyperparameters drawn at random each run; |error| ≤ 1e-8 + 1e-6·|expected|"

    // MARK: - Momentum

    static let momentumSpec = Spec(
        id: "dnn.momentum", title: "SGD with momentum and Nesterov momentum", file: "Momentum.swift",
        declarations: ["sgdMomentumUpdate(_:gradient:velocity:learningRate:momentum:)",
                       "nesterovMomentumUpdate(_:gradient:velocity:learningRate:momentum:)"],
        hints: [
            "Momentum keeps a velocity: a running sum of past gradients that decays by μ every step. Directions the gradient keeps pointing in build up speed; directions where it flips sign cancel out. The velocity is state: it must survive from one call to the next, which is why it is `inout`.",
            "The doc comment fixes the form (PyTorch's): the velocity accumulates raw gradients and η multiplies it only when the weights move. Write the new velocity into `velocity` before you return — the caller passes it back next step. Chapter section “Momentum”.",
            "Momentum: v ← μ·v + g, then w − η·v. Nesterov: the same v, but the step uses the gradient plus the velocity it is about to reach: w − η·(g + μ·v) with the NEW v.",
            "Sketch: `velocity = momentum * velocity + gradient` then `return w - learningRate * …` — for Nesterov the `…` is a sum of two terms.",
        ],
        standard: trajectoryStandard,
        mistakes: [
            Change("CS231n's velocity (v ← μv − ηg)", "the velocity is kept in CS231n's form, v ← μ·v − η·g, w ← w + v; this course (and PyTorch) keeps v ← μ·v + g and steps w ← w − η·v. The two agree on the weights only while η never changes, and the velocity you store is different.") {
                $0.momentum = { w, g, v, lr, mu in let nv = mu * v - lr * g; return (w + nv, nv) }
            },
            Change("velocity reset every step", "the velocity does not carry over between steps (it is rebuilt from the current gradient alone), which makes this plain SGD: start from the velocity you were given, v ← μ·v + g, and store it back in `velocity`.") {
                $0.momentum = { w, g, _, lr, _ in (w - lr * g, g) }
                $0.nesterov = { w, g, _, lr, mu in (w - lr * (g + mu * g), g) }
            },
            Change("μ hard-coded as 0.9", "the momentum is hard-coded: use the μ the caller passes.") {
                $0.momentum = { w, g, v, lr, _ in F.reference.momentum(w, g, v, lr, 0.9) }
                $0.nesterov = { w, g, v, lr, _ in F.reference.nesterov(w, g, v, lr, 0.9) }
            },
            Change("dampened velocity v ← μv + (1 − μ)g", "the velocity is an average, v ← μ·v + (1 − μ)·g (PyTorch's `dampening`, off by default); the rule here sums the raw gradient: v ← μ·v + g.") {
                $0.momentum = { w, g, v, lr, mu in let nv = mu * v + (1 - mu) * g; return (w - lr * nv, nv) }
            },
            Change("Nesterov with the old velocity", "Nesterov's look-ahead uses the velocity after this step's update: w − η·(g + μ·v_new), with v_new = μ·v + g, not the velocity passed in.") {
                $0.nesterov = { w, g, v, lr, mu in let nv = mu * v + g; return (w - lr * (g + mu * v), nv) }
            },
            Change("plain momentum in place of Nesterov", "this is plain momentum (w − η·v): Nesterov steps by w − η·(g + μ·v) with the new v.") {
                $0.nesterov = { w, g, v, lr, mu in F.reference.momentum(w, g, v, lr, mu) }
            },
        ],
        alternatives: [
            Change("elementwise with zipMap") {
                $0.momentum = { w, g, v, lr, mu in
                    let nv = v.zipMap(g) { mu * $0 + $1 }
                    return (w.zipMap(nv) { $0 - lr * $1 }, nv)
                }
            },
            Change("Nesterov as two separate steps, w − ηg − ημv") {
                $0.nesterov = { w, g, v, lr, mu in let nv = v * mu + g; return (w - lr * g - (lr * mu) * nv, nv) }
            },
        ]
    ) { candidate, peers, context in
        try checkTrajectories([momentumRule, nesterovRule], candidate: candidate, peers: peers, &context)
        context.pass("momentum and Nesterov match the reference over 3 runs of 6–8 steps, the velocity carried and η changing between steps")
    }

    // MARK: - AdaGrad and RMSprop

    static let adaptiveSpec = Spec(
        id: "dnn.adaptive", title: "AdaGrad and RMSprop", file: "AdaptiveOptimizers.swift",
        declarations: ["adagradUpdate(_:gradient:squaredGradientSum:learningRate:epsilon:)",
                       "rmspropUpdate(_:gradient:squaredGradientAverage:learningRate:decayRate:epsilon:)"],
        hints: [
            "Both give every parameter its own step size: divide the gradient by the root of the squared gradients that parameter has seen. Parameters with steep, noisy gradients take small steps; flat ones take large steps.",
            "AdaGrad keeps a SUM of g², so its steps only shrink; RMSprop keeps a forgetting AVERAGE (weight ρ on the old, 1 − ρ on the new), so they do not vanish. ε only guards the division — it goes after the square root. Chapter section “AdaGrad and RMSprop”.",
            "AdaGrad: s ← s + g², w − η·g/(√s + ε). RMSprop: s ← ρ·s + (1 − ρ)·g², the same step.",
            "Sketch: update the state first (`squaredGradientSum = squaredGradientSum + gradient * gradient`), then `return w - learningRate * gradient / (sqrt(…) + epsilon)`.",
        ],
        standard: trajectoryStandard,
        mistakes: [
            Change("ε inside the square root", "ε is added inside the square root, √(s + ε); this course (like PyTorch and the papers) adds it outside, √s + ε. With small gradients the two differ a lot.") {
                $0.adagrad = { w, g, s, lr, eps in let ns = s + g * g; return (w - lr * g / sqrt(ns + eps), ns) }
                $0.rmsprop = { w, g, s, lr, rho, eps in let ns = rho * s + (1 - rho) * g * g; return (w - lr * g / sqrt(ns + eps), ns) }
            },
            Change("AdaGrad's sum replaced every step", "AdaGrad's sum does not accumulate: it must add this step's g² to the sum it was given, s ← s + g².") {
                $0.adagrad = { w, g, _, lr, eps in let ns = g * g; return (w - lr * g / (sqrt(ns) + eps), ns) }
            },
            Change("RMSprop without (1 − ρ)", "RMSprop's average weighs the new g² by (1 − ρ): s ← ρ·s + (1 − ρ)·g². Without it s is a leaky sum about 1/(1 − ρ) times too large.") {
                $0.rmsprop = { w, g, s, lr, rho, eps in let ns = rho * s + g * g; return (w - lr * g / (sqrt(ns) + eps), ns) }
            },
            Change("RMSprop with ρ and 1 − ρ swapped", "ρ weighs the OLD average: s ← ρ·s + (1 − ρ)·g², so with ρ = 0.99 the new gradient counts 1%.") {
                $0.rmsprop = { w, g, s, lr, rho, eps in let ns = (1 - rho) * s + rho * g * g; return (w - lr * g / (sqrt(ns) + eps), ns) }
            },
            Change("ε ignored", "ε is hard-coded (or left out): use the ε the caller passes.") {
                $0.adagrad = { w, g, s, lr, _ in F.reference.adagrad(w, g, s, lr, 1e-8) }
                $0.rmsprop = { w, g, s, lr, rho, _ in F.reference.rmsprop(w, g, s, lr, rho, 1e-8) }
            },
        ],
        alternatives: [
            Change("one elementwise pass with zipMap") {
                $0.adagrad = { w, g, s, lr, eps in
                    let ns = s.zipMap(g) { $0 + $1 * $1 }
                    return (w - lr * g.zipMap(ns) { $0 / ($1.squareRoot() + eps) }, ns)
                }
                $0.rmsprop = { w, g, s, lr, rho, eps in
                    let ns = s + (1 - rho) * (g * g - s)
                    return (w - g.zipMap(ns) { lr * $0 / ($1.squareRoot() + eps) }, ns)
                }
            },
        ]
    ) { candidate, peers, context in
        try checkTrajectories([adagradRule, rmspropRule], candidate: candidate, peers: peers, &context)
        context.pass("AdaGrad and RMSprop match the reference over 3 runs of 6–8 steps, the state carried, ε placed outside the root")
    }

    // MARK: - Adam

    /// Adam written out, with switches for the mistakes.
    static func adamVariant(biasCorrectFirst: Bool = true, biasCorrectSecond: Bool = true, stepFromZero: Bool = false,
                            epsilonInside: Bool = false, resetState: Bool = false, swapBetas: Bool = false)
        -> @Sendable (Tensor, Tensor, F.Adam, Double, Double, Double, Double) -> (w: Tensor, state: F.Adam) {
        { w, g, state, lr, beta1In, beta2In, eps in
            let (beta1, beta2) = swapBetas ? (beta2In, beta1In) : (beta1In, beta2In)
            let s: F.Adam = resetState ? (Tensor.zeros(like: w), Tensor.zeros(like: w), 0) : state
            let t = Double(stepFromZero ? s.step : s.step + 1)
            let m = beta1 * s.firstMoment + (1 - beta1) * g
            let v = beta2 * s.secondMoment + (1 - beta2) * g * g
            let mHat = biasCorrectFirst ? m / (1 - pow(beta1, t)) : m
            let vHat = biasCorrectSecond ? v / (1 - pow(beta2, t)) : v
            let denominator = epsilonInside ? sqrt(vHat + eps) : sqrt(vHat) + eps
            return (w - lr * mHat / denominator, (m, v, s.step + 1))
        }
    }

    static let adamSpec = Spec(
        id: "dnn.adam", title: "Adam with bias correction, and AdamW", file: "Adam.swift",
        declarations: ["adamUpdate(_:gradient:state:learningRate:beta1:beta2:epsilon:)",
                       "adamWUpdate(_:gradient:state:learningRate:beta1:beta2:epsilon:weightDecay:)"],
        hints: [
            "Adam is momentum (a moving average m of g) divided by RMSprop's root (a moving average v of g²), with one more ingredient: both averages start at 0, so early on they are too small. Dividing by 1 − βᵗ undoes that bias exactly for a constant gradient.",
            "Count the step first: `state.step += 1`, so the first step uses t = 1 (with t = 0 the correction divides by 1 − β⁰ = 0). Store m, v and t back in `state`. ε goes after the square root of v̂. Chapter sections “Adam” and “Bias correction, derived”.",
            "m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), w − η·m̂/(√v̂ + ε). AdamW: first shrink the weights, w ← w − η·λ·w, then take the Adam step with the gradient alone (λ never enters m or v).",
            "Sketch: `let t = Double(state.step)` after the increment, `pow(beta1, t)`; for AdamW, `adamUpdate(w - learningRate * weightDecay * w, gradient: gradient, state: &state, …)`.",
        ],
        standard: trajectoryStandard + "; AdamW with λ of 0.05–0.3",
        mistakes: [
            Change("no bias correction", "m and v are used without their bias correction: divide by 1 − β₁ᵗ and 1 − β₂ᵗ (t = 1 on the first step). Without it the first steps have the wrong size.") {
                $0.adam = adamVariant(biasCorrectFirst: false, biasCorrectSecond: false)
            },
            Change("only m bias-corrected", "only the first moment is bias-corrected: v̂ = v/(1 − β₂ᵗ) needs it too (without it the first step is about √(1/(1 − β₂)) ≈ 30 times too large for β₂ = 0.999).") {
                $0.adam = adamVariant(biasCorrectSecond: false)
            },
            Change("t counted from 0", "the bias correction uses t = 0 on the first step: 1 − β⁰ = 0 divides by zero. Increment `state.step` first, so the first step has t = 1.") {
                $0.adam = adamVariant(stepFromZero: true)
            },
            Change("ε inside the square root", "ε is added inside the square root, √(v̂ + ε); Adam adds it outside, √v̂ + ε (the paper and PyTorch).") {
                $0.adam = adamVariant(epsilonInside: true)
            },
            Change("moments reset every step", "m, v and t do not carry over between steps: update the state you were given and store it back (`state.firstMoment = …`).") {
                $0.adam = adamVariant(resetState: true)
            },
            Change("β₁ and β₂ written in as 0.9 and 0.999", "the update uses β₁ = 0.9 and β₂ = 0.999 (the usual defaults) whatever it is given: use the `beta1` and `beta2` arguments (the grader draws them at random).") {
                $0.adam = { w, g, state, lr, _, _, epsilon in F.reference.adam(w, g, state, lr, 0.9, 0.999, epsilon) }
            },
            Change("β₁ and β₂ swapped", "β₁ belongs to the gradient's average m and β₂ to the squared gradient's average v.") {
                $0.adam = adamVariant(swapBetas: true)
            },
            Change("AdamW decay without η", "AdamW's decay is scaled by the learning rate, w ← w − η·λ·w (PyTorch's form); without η the weights shrink by λ every step.") {
                $0.adamW = { w, g, s, lr, b1, b2, eps, wd in F.reference.adam(w - wd * w, g, s, lr, b1, b2, eps) }
            },
            Change("L2 in Adam instead of decoupled decay", "λ·w is added to the gradient (Adam with L2): then the decay goes through m and √v̂ and is divided by √v̂. AdamW decays the weights directly, w ← w − η·λ·w, and hands Adam the gradient alone.") {
                $0.adamW = { w, g, s, lr, b1, b2, eps, wd in F.reference.adam(w, g + wd * w, s, lr, b1, b2, eps) }
            },
            Change("AdamW decay applied after the step", "the decay shrinks the weights the Adam step already moved: decay the weights as they were before the step, w ← w − η·λ·w − η·m̂/(√v̂ + ε).") {
                $0.adamW = { w, g, s, lr, b1, b2, eps, wd in
                    let r = F.reference.adam(w, g, s, lr, b1, b2, eps); return (r.w - lr * wd * r.w, r.state)
                }
            },
        ],
        alternatives: [
            Change("bias corrections as −expm1(t·log β)") {
                $0.adam = { w, g, s, lr, beta1, beta2, epsilon in
                    let m = beta1 * s.firstMoment + (1 - beta1) * g, v = beta2 * s.secondMoment + (1 - beta2) * g * g
                    let t = Double(s.step + 1)
                    let c1 = -Foundation.expm1(t * Foundation.log(beta1)), c2 = -Foundation.expm1(t * Foundation.log(beta2))
                    return (w - lr * (m / c1) / (sqrt(v / c2) + epsilon), (m, v, s.step + 1))
                }
            },
            Change("bias correction folded into the step size (Kingma and Ba's efficient form)") {
                $0.adam = { w, g, s, lr, b1, b2, eps in
                    let t = Double(s.step + 1)
                    let m = b1 * s.firstMoment + (1 - b1) * g, v = b2 * s.secondMoment + (1 - b2) * g * g
                    let root = (1 - pow(b2, t)).squareRoot()
                    let stepSize = lr * root / (1 - pow(b1, t))
                    return (w - stepSize * m / (sqrt(v) + eps * root), (m, v, s.step + 1))
                }
            },
            Change("AdamW's decay folded into the update") {
                $0.adamW = { w, g, s, lr, b1, b2, eps, wd in
                    let step = F.reference.adam(Tensor.zeros(like: w), g, s, lr, b1, b2, eps)   // −η·m̂/(√v̂ + ε) from a zero start
                    return (w + step.w - lr * wd * w, step.state)
                }
            },
        ]
    ) { candidate, peers, context in
        try checkTrajectories([adamRule, adamWRule], candidate: candidate, peers: peers, &context)
        context.pass("Adam and AdamW match the reference over 3 runs of 6–8 steps: bias correction from t = 1, ε outside the root, the state carried, η changing")
    }
}
