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

/// Short and generic aliases of proscribed organisations (PA, ETA, IM, The
/// Base, …) must not flood the queue from ordinary English.
@Suite("Proscribed organisation rules")
struct ProscribedOrganisationRulesTests {
    static let rules: CompiledRules? = RuleCompiler()
        .compile(paths: [ShippedRulesTests.rulesFolder + "/proscribed-organisations.rules"]).rules

    func organisationHits(_ text: String) throws -> [String] {
        let rules = try #require(Self.rules)
        return RuleScanner(rules).scan(TextViews(Array(text.utf8))).map { rules.rules[$0.rule.index].name }
    }

    @Test func ordinaryEnglishDoesNotHit() throws {
        let text = """
            Pa drove us to the spa. The PA system crackled and our ETA was ten minutes. IM me when you
            get to the base of the hill; The Base camp has a rim, and the RID team checked the RIM and
            RIL readings. Doctors at the NIM clinic, the MLF office, the SRN nurse, the AAD desk, MMC
            slides and a TAK cable. Hasm is not a word. Eta, beta and gamma. Later we support the local
            football team, and everyone is a member of the choir. Victory to the underdogs!
            """
        #expect(try organisationHits(text) == [])
    }

    @Test func supportNextToAShortAliasHits() throws {
        #expect(try organisationHits("Long live ETA!") == ["org-basque-homeland-and-liberty"])
        #expect(try organisationHits("we stand with PA today") == ["org-palestine-action"])
    }

    @Test func fullNamesHitInAnyCase() throws {
        #expect(try organisationHits("a video about NATIONAL ACTION was shared") == ["org-national-action"])
    }
}
