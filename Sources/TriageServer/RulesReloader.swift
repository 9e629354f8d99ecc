import Foundation
import Logging
import ServiceLifecycle
import TriageEngine
import TriageRules
import UnixSignals

/// Loads the rule set again while the server runs (SIGHUP, or an admin's
/// `POST /api/v1/admin/rules/reload`): a rule set that does not compile or
/// load leaves the running one in place and says why; a good one goes into
/// `LiveRules` at once (assessments under way finish on the old one) and
/// the swap is an audit entry with both fingerprints. One reload at a time.
public final class RulesReloader: Sendable {
    /// What a reload reads: the rule set (sources or a compiled file) and
    /// the scoring policy, or an error that says what is wrong with them.
    public typealias Load = @Sendable () throws -> (CompiledRules, ScoringPolicy)

    public enum Outcome: Sendable, Equatable {
        /// Replaced `from` with `to` (fingerprints); the same if nothing changed.
        case reloaded(from: String, to: String)
        /// The running rule set stays; why the new one could not be used.
        case failed(String)
    }

    let live: LiveRules
    private let load: Load
    private let store: any QueueMaintenance
    private let logger: Logger
    private let serial = Locked(())

    public init(live: LiveRules, store: any QueueMaintenance, logger: Logger, load: @escaping Load) {
        self.live = live
        self.store = store
        self.logger = logger
        self.load = load
    }

    /// Reloads now (blocking: compiling takes a while), recorded as `actor`'s.
    public func reload(actor: String) -> Outcome {
        serial.withLock { _ in
            let rules: CompiledRules, policy: ScoringPolicy
            do { (rules, policy) = try load() } catch {
                logger.error("rules reload failed; the running rule set stays", metadata: ["actor": "\(actor)", "error": "\(error)"])
                return .failed("\(error)")
            }
            let old = live.swap(rules: rules, policy: policy)
            let from = old.rules.fingerprint.description, to = rules.fingerprint.description
            do { try store.recordRulesReload(from: from, to: to, actor: actor) } catch {
                // The swap stands (assessments name their rule set); the log says the entry is missing.
                logger.error("rules reloaded, but the audit entry could not be written", metadata: ["error": "\(error)"])
            }
            logger.notice("rules reloaded", metadata: ["actor": "\(actor)", "from": "\(from)", "to": "\(to)",
                                                     "rules": "\(rules.rules.count)", "active": "\(rules.activeRuleCount)"])
            return .reloaded(from: from, to: to)
        }
    }
}

/// Reloads the rules on each SIGHUP, until the server stops.
struct ReloadOnHangup: Service {
    let reloader: RulesReloader

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            for await _ in hangups.cancelOnGracefulShutdown() {
                let reloader = self.reloader
                _ = try? await Blocking.run { reloader.reload(actor: "signal:SIGHUP") }
            }
        } onGracefulShutdown: {}
    }
}
