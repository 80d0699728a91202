// swift-tools-version: 6.2
// DeepLearningFromScratch needs Swift 6.2 or newer (Xcode 26 on macOS).
// An older toolchain stops right here, at the line above, with a clear message.

import PackageDescription

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
let lessons = [activations, linearRegression, classifiers, backprop, deepTraining, convNets]

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
        .target(name: "CourseKit"),
        .target(name: "Implementations", dependencies: ["CourseKit"] + lessonModules),
        .target(name: "Stubs"),
        .executableTarget(name: "stubgen", dependencies: ["Stubs"]),
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
