import ArgumentParser
import Foundation
import Logging
import TriageEngine
import TriageRules
import TriageServer

/// `triage serve`: the referral unit's HTTP service over a review queue.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the review queue over HTTP: intake from flaggers and platforms, the queue's API.",
        discussion: """
            Accepts referrals (POST /api/v1/referrals, /api/v1/referrals:batch), keeps each in the \
            queue's intake log before answering 202, assesses them on worker threads (fetching \
            URL-only ones with --fetch) and files them into their cases. Officers work the queue \
            through /api/v1/cases, /api/v1/claims and the routes under them; see docs/API.md and \
            /api/v1/openapi.json. Accounts and tokens come from `triage users` and `triage tokens`.

            A referral acknowledged is never lost: if the process dies, the next start files every \
            referral still pending, once. SIGHUP (or POST /api/v1/admin/rules/reload) reads the rule \
            set again; one that does not compile leaves the running one in place. SIGTERM and SIGINT \
            stop accepting, finish the batch being filed and close the queue.

            Without --tls-cert and --tls-key it serves plain HTTP, for a TLS-terminating proxy in front.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Address and port to listen on (port 0: any free port).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @OptionGroup var queue: QueueOptions

    @OptionGroup var options: TriageOptions

    @Option(name: .long, help: "Threads to assess on (default: every core).")
    var jobs: Int?

    @Flag(name: .long, help: "Fetch the URL of each referral that came without content (http and https only; see FETCHING in the README).")
    var fetch = false

    @Option(name: .long, help: ArgumentHelp("Fetches in flight at once (with --fetch).", valueName: "N"))
    var fetchJobs = 16

    @OptionGroup(title: "Fetching (with --fetch)") var fetchOptions: FetchOptions

    @OptionGroup(title: "Fetching (with --fetch)") var throttleOptions: ThrottleOptions

    @Option(name: .long, help: ArgumentHelp("PEM certificate chain: serve HTTPS (with --tls-key).", valueName: "FILE"))
    var tlsCert: String?

    @Option(name: .long, help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "FILE"))
    var tlsKey: String?

    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func validate() throws {
        guard Self.address(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, not `\(listen)`") }
        if let jobs, jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be within 1...256") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        let store = try QueueFactory.open(queue.path, access: .create, command: "serve")
        let rules = try options.loadRules(command: "serve")
        let policy = try options.loadPolicy(command: "serve")
        var configuration = ServerConfiguration()
        (configuration.host, configuration.port) = Self.address(listen)!
        if let tlsCert, let tlsKey { configuration.tls = (tlsCert, tlsKey) }
        let fetching = fetch ? fetchOptions.fetching(command: "serve", throttle: throttleOptions.throttle, concurrent: fetchJobs) : nil
        let assessing = BatchRun.Options(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, limits: options.scanLimits,
                                         fetching: fetching, noTimings: options.noTimings)
        let paths = options.rules, policyPath = options.policy
        let logger = Logger(label: "triage.serve")
        let dependencies = ServerDependencies(store: store, live: LiveRules(rules: rules, policy: policy), assessing: assessing,
                                              logger: logger) {
            try Self.loadRules(paths, policy: policyPath)
        }
        let scheme = configuration.tls == nil ? "http" : "https", host = configuration.host
        do {
            let app = try buildApplication(configuration, dependencies) { port in
                if scheme == "http" {
                    logger.warning("serving plain HTTP: put a TLS-terminating proxy in front, or give --tls-cert and --tls-key")
                }
                printError("triage serve: listening on \(scheme)://\(host):\(port) "
                           + "(queue \(store.location), rules \(rules.fingerprint))")
            }
            try await app.runService()
        } catch {
            printError("triage serve: \(error)")
            throw ExitCode(2)
        }
    }

    /// The rule set and policy from disk again, for a reload: an error
    /// carries the diagnostics instead of printing them.
    static func loadRules(_ paths: [String], policy: String?) throws -> (CompiledRules, ScoringPolicy) {
        let rules: CompiledRules
        if RuleSourceOptions.isCompiledFile(paths) {
            rules = try RuleSetFile.load(path: paths[0])
        } else {
            let (compiled, diagnostics) = RuleCompiler().compile(paths: RuleSources.expand(paths))
            guard let compiled else { throw ReloadError(message: DiagnosticRenderer.text(diagnostics)) }
            guard compiled.activeRuleCount > 0 else { throw ReloadError(message: "\(paths.joined(separator: ", ")) has no active rule") }
            rules = compiled
        }
        return (rules, try policy.map { try ScoringPolicy.load(path: $0) } ?? .default)
    }

    struct ReloadError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
