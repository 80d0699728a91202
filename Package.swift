// swift-tools-version: 6.2
// DeepLearningFromScratch needs Swift 6.2 or newer (Xcode 26 on macOS).
// An older toolchain stops right here, at the line above, with a clear message.

import PackageDescription
#if canImport(Foundation)
import Foundation
#endif

/// Compiler flags for CourseKit, the tensor engine every lesson runs on.
///
/// - `-O` in every configuration: graders and `course watch` run debug builds,
///   and an unoptimized tensor engine is 10–50× slower. Only CourseKit is
///   optimized; the learner's code stays a debug build (fast to compile,
///   easy to step through).
/// - On x86-64, the 256-bit AVX2 vector unit when the building machine has it
///   (Linux: `/proc/cpuinfo`; every Intel Mac that runs Swift 6.2 has it).
///   Without it the same code runs with 128-bit SSE2 at about half the speed and
///   gives bit-for-bit the same numbers: the kernels never fuse a multiply
///   and an add, so the vector width changes the speed, not the rounding.
///   Set `DLFS_PORTABLE=1` when building a binary for another, older machine.
func courseKitSettings() -> [SwiftSetting] {
    var flags = ["-O"]
    #if arch(x86_64)
    if hostHasAVX2() { flags += ["-Xcc", "-mavx2"] }
    #endif
    return [.unsafeFlags(flags)]
}

func hostHasAVX2() -> Bool {
    #if canImport(Foundation)
    if ProcessInfo.processInfo.environment["DLFS_PORTABLE"] != nil { return false }
    #if os(Linux)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    return flags.split(separator: " ").contains("avx2")
    #elseif os(macOS)
    return true
    #else
    return false
    #endif
    #else
    return false
    #endif
}

/// One lesson: the learner's stubs in `Lessons/<folder>` and the reference
/// solutions in `Solutions/<folder>`, two modules with identical dependencies
/// so that a solution file dropped over its stub compiles unchanged.
struct Lesson {
    let folder: String
    /// The module the learner edits, e.g. `Activations`.
    let module: String
    /// Solution modules of earlier lessons this lesson builds on.
    let uses: [Lesson]

    var solutionModule: String { module + "Solutions" }

    var targets: [Target] {
        let deps: [Target.Dependency] = ["CourseKit"] + uses.map { .target(name: $0.solutionModule) }
        return [
            .target(name: module, dependencies: deps, path: "Lessons/\(folder)", exclude: ["README.md"]),
            .target(name: solutionModule, dependencies: deps, path: "Solutions/\(folder)"),
        ]
    }
}

let activations = Lesson(folder: "01-activations", module: "Activations", uses: [])
let linearRegression = Lesson(folder: "02-linear-regression", module: "LinearRegression", uses: [])
let classifiers = Lesson(folder: "03-perceptron-logistic", module: "Classifiers", uses: [activations])
let backprop = Lesson(folder: "04-backprop", module: "Backprop", uses: [classifiers])
let deepTraining = Lesson(folder: "05-training-deep-nets", module: "DeepTraining", uses: [backprop, classifiers])
let convNets = Lesson(folder: "06-convolutional-networks", module: "ConvNets", uses: [deepTraining, backprop, classifiers])
let recurrentNets = Lesson(folder: "07-recurrent-networks", module: "RecurrentNets", uses: [deepTraining, backprop, activations])
let transformers = Lesson(folder: "08-transformer", module: "Transformers", uses: [deepTraining, recurrentNets, backprop, activations])
let lessons = [activations, linearRegression, classifiers, backprop, deepTraining, convNets, recurrentNets, transformers]

let lessonModules: [Target.Dependency] = lessons.flatMap {
    [.target(name: $0.module), .target(name: $0.solutionModule)]
}

let package = Package(
    name: "DeepLearningFromScratch",
    products: [
        .executable(name: "course", targets: ["course"]),
        .executable(name: "course-grader", targets: ["CourseGrader"]),
        .executable(name: "stubgen", targets: ["stubgen"]),
    ],
    targets: lessons.flatMap(\.targets) + [
        .target(name: "CourseKit", swiftSettings: courseKitSettings()),
        .target(name: "Implementations", dependencies: ["CourseKit"] + lessonModules),
        .target(name: "Stubs"),
        .executableTarget(name: "stubgen", dependencies: ["Stubs"]),
        // `swift run -c release bench`: the tensor engine's speed (see BENCHMARKS.md).
        .executableTarget(name: "bench", dependencies: ["CourseKit", "Implementations", "Demos"],
                         linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux]))]),
        .target(name: "Grading", dependencies: ["CourseKit", "Implementations", "Stubs"]),
        .target(name: "Demos", dependencies: ["CourseKit", "Implementations"]),
        // The runner does not link the learner's code, so it starts (and shows
        // the compiler's message) even when a lesson does not compile; the
        // grader holds that code and runs as the runner's child process.
        .target(name: "Runner", dependencies: ["CourseKit", "Stubs"]),
        .executableTarget(name: "course", dependencies: ["Runner"]),
        .executableTarget(name: "CourseGrader", dependencies: ["CourseKit", "Grading", "Demos", "Runner"]),
        .testTarget(name: "CourseKitTests", dependencies: ["CourseKit"]),
        .testTarget(name: "GradingTests", dependencies: ["CourseKit", "Grading", "Implementations", "Stubs", "Runner"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Grading", "Demos", "Stubs"]),
    ],
    swiftLanguageModes: [.v6]
)
