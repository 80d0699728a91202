import Grading
import Testing
@testable import Runner

@Suite("Runner: arguments and suggestions")
struct ArgumentTests {
    @Test("no arguments is watch mode")
    func noArguments() throws {
        #expect(try ArgumentParser.parse([]) == CommandLineArguments(command: "watch"))
        #expect(try ArgumentParser.parse(["--root", "/tmp/x"]).options["root"] == "/tmp/x")
    }

    @Test("flags, options and positionals")
    func check() throws {
        let parsed = try ArgumentParser.parse(["check", "activations.sigmoid", "02", "--json", "--time-limit=5", "--jobs", "1"])
        #expect(parsed.command == "check")
        #expect(parsed.positionals == ["activations.sigmoid", "02"])
        #expect(parsed.flags == ["json"])
        #expect(parsed.options == ["time-limit": "5", "jobs": "1"])
        #expect(try ArgumentParser.parse(["check", "--all"]).has("all"))
        #expect(try ArgumentParser.parse(["reset", "x", "-y"]).has("yes"))
        #expect(try ArgumentParser.parse(["hint", "--", "--odd"]).positionals == ["--odd"])
    }

    @Test("--help on every command, and help TOPIC")
    func help() throws {
        for spec in ArgumentParser.commands {
            #expect(try ArgumentParser.parse([spec.name, "--help"]).has("help"), "\(spec.name) --help")
            #expect(try ArgumentParser.parse([spec.name, "-h"]).has("help"), "\(spec.name) -h")
        }
        #expect(try ArgumentParser.parse(["--help"]).command == "help")
        #expect(try ArgumentParser.parse(["help", "check"]).positionals == ["check"])
        #expect(ArgumentParser.help(for: "check").contains("usage: course check"))
        #expect(ArgumentParser.overview().contains("course hint ID"))
        #expect(!ArgumentParser.overview().contains("__grade"))
    }

    @Test("mistakes are usage errors with a suggestion")
    func mistakes() {
        func error(_ arguments: [String]) -> UsageError? {
            do {
                _ = try ArgumentParser.parse(arguments)
                return nil
            } catch {
                return error
            }
        }
        #expect(error(["lsit"])?.suggestions == ["list"])
        #expect(error(["chek"])?.suggestions == ["check"])
        #expect(error(["check", "--josn"])?.suggestions == ["--json"])
        #expect(error(["check", "--frobnicate"])?.suggestions == [])
        #expect(error(["hint"])?.message.contains("needs an argument") == true)
        #expect(error(["hint", "a", "b"])?.message.contains("unexpected argument `b`") == true)
        #expect(error(["check", "--time-limit"])?.message.contains("needs a value") == true)
        #expect(error(["check", "--time-limit", "soon"])?.message.contains("positive number") == true)
        #expect(error(["check", "--json=yes"])?.message.contains("takes no value") == true)
        #expect(error(["dev", "sink"])?.suggestions == ["course dev sync"])
        #expect(error(["demo", "--all"]) == nil)
        #expect(UsageError.exitStatus == 2)
    }

    @Test("edit distance counts insertions, deletions, substitutions and swaps")
    func distance() {
        #expect(Suggest.editDistance("", "abc") == 3)
        #expect(Suggest.editDistance("kitten", "sitting") == 3)
        #expect(Suggest.editDistance("lsit", "list") == 1)
        #expect(Suggest.editDistance("Sigmoid", "sigmoid") == 0)
        #expect(Suggest.editDistance("sigmod", "sigmoid") == 1)
    }

    @Test("did you mean: exercise ids by their whole id or their last part")
    func suggestions() {
        let ids = ["activations.sigmoid", "activations.softmax", "activations.logSoftmax", "activations.relu", "activations.leakyRelu"]
        #expect(Suggest.closest(to: "sigmod", among: ids) == ["activations.sigmoid"])
        #expect(Suggest.closest(to: "activations.sigmiod", among: ids) == ["activations.sigmoid"])
        #expect(Suggest.closest(to: "softmx", among: ids).first == "activations.softmax")
        #expect(Suggest.closest(to: "leaky", among: ids) == ["activations.leakyRelu"])
        #expect(Suggest.closest(to: "transformer", among: ids) == [])
    }

    @Test("names find exercises and lessons; unknown ones suggest the right one")
    func resolving() throws {
        TestCatalog.install()
        guard let first = Catalog.exercises.first else { return }
        #expect(Course.exercise(named: first.id)?.id == first.id)
        #expect(Course.exercise(named: first.id.uppercased())?.id == first.id)
        let short = String(first.id.split(separator: ".").last!)
        #expect(Course.exercise(named: short)?.id == first.id)
        #expect(try Course.resolve("01").count == Catalog.lessons[0].exercises.count)
        #expect(try Course.resolve(Catalog.lessons[0].folder).count == Catalog.lessons[0].exercises.count)
        let typo = String(first.id.dropLast())
        do {
            _ = try Course.resolveExercise(typo + "x")
            Issue.record("a typo resolved")
        } catch {
            #expect(error.suggestions.contains(first.id))
        }
    }

    @Test("a mistyped lesson name suggests the name it was close to", arguments: ["activatons", "linear-regresion", "clasify"])
    func lessonTypos(_ typo: String) throws {
        TestCatalog.install()
        do {
            _ = try Course.resolve(typo)
            Issue.record("the typo `\(typo)` resolved")
        } catch {
            let suggestion = try #require(error.suggestions.first, "no suggestion for `\(typo)`")
            #expect(Suggest.editDistance(typo, suggestion) <= 2)
            #expect(try Course.resolve(suggestion).count > 0, "the suggestion `\(suggestion)` does not resolve")
        }
    }
}
