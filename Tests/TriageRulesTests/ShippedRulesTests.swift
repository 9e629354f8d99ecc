import Testing
@testable import TriageRules

/// Everything in Rules/ compiles cleanly and passes its own examples, so a
/// broken rule fails CI.
@Suite("Shipped rules")
struct ShippedRulesTests {
    static let rulesFolder = packageRoot.appendingPathComponent("Rules").path

    @Test func compileWithoutErrorsOrWarnings() throws {
        let paths = RuleSources.expand([Self.rulesFolder])
        #expect(!paths.isEmpty)
        let (rules, diagnostics) = RuleCompiler().compile(paths: paths)
        #expect(diagnostics.items.isEmpty, "\(DiagnosticRenderer.text(diagnostics))")
        #expect(rules != nil)
    }

    @Test func everyExamplePasses() throws {
        let (compiled, diagnostics) = RuleCompiler().compile(paths: RuleSources.expand([Self.rulesFolder]))
        let rules = try #require(compiled, "\(DiagnosticRenderer.text(diagnostics))")
        let outcomes = RuleTester.run(rules)
        for failure in outcomes where !failure.passed {
            Issue.record("\(failure.rule.qualifiedName) line \(failure.example.line): \(failure.example.shouldMatch ? "should match" : "should not match") \"\(String(decoding: failure.example.text, as: UTF8.self))\"")
        }
        // Every rule is proven by at least one example of each kind it can have.
        for rule in rules.rules where rule.status != .disabled {
            #expect(rule.examples.contains { $0.shouldMatch }, "\(rule.qualifiedName) has no `match` example")
        }
    }

    @Test func exampleSetCoversEveryCategory() throws {
        let rules = try #require(RuleCompiler().compile(paths: RuleSources.expand([Self.rulesFolder])).rules)
        let categories = Set(rules.rules.map(\.category))
        #expect(categories == Set(Category.allCases))
    }
}
