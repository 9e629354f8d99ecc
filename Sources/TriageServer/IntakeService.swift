import Foundation
import Logging
import ServiceLifecycle
import TriageEngine

/// The server's intake workers as a service: files what the intake log
/// holds whenever a referral is accepted (`wake`), and every
/// `intakePoll` besides (what a restart left pending, or another server over
/// the same queue accepted). On graceful shutdown it finishes the batch it
/// is filing and stops; what is still pending stays in the log for the next
/// start.
final class IntakeService: Service, Sendable {
    let worker: IntakeWorker
    let configuration: ServerConfiguration
    let logger: Logger
    let metrics: ServerMetrics
    private let wakeup = Wakeup()

    init(worker: IntakeWorker, configuration: ServerConfiguration, metrics: ServerMetrics, logger: Logger) {
        self.worker = worker
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
    }

    /// A referral was accepted: file it soon.
    func wake() { wakeup.raise() }

    func run() async throws {
        do { _ = try await Blocking.run { [worker] in try worker.reclaim() } } catch {
            logger.error("could not take back earlier leases; they return when their lease ends", metadata: ["error": "\(error)"])
        }
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await drainOnce()
                await wakeup.wait(timeout: configuration.intakePoll)
            }
        } onGracefulShutdown: {
            self.worker.stop()
            self.wakeup.raise()
        }
        logger.info("intake stopped")
    }

    /// One drain, on a thread of its own: it blocks (assessing threads,
    /// fetches, the queue's writes) for as long as there is work.
    private func drainOnce() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                if self.configuration.intakeBelowRequests { lowerThreadPriority() }
                do {
                    _ = try self.worker.drain(batch: self.configuration.intakeBatch, lease: self.configuration.intakeLease,
                                                         sinks: [MetricsSink(self.metrics)])
                } catch {
                    // The lease returns what was taken; the next round tries again.
                    self.logger.error("intake failed; the referrals stay pending", metadata: ["error": "\(error)"])
                }
                done.resume()
            }
            thread.name = "triage-intake"
            thread.start()
        }
    }
}
