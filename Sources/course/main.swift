import Foundation
import Runner

// course — the DeepLearningFromScratch runner. Everything lives in the Runner
// library (so it can be tested); `swift run course --help` lists the commands.
exit(CourseCLI.main(Array(CommandLine.arguments.dropFirst())))
