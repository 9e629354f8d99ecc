import Foundation
import TriageEngine

/// What a server is told when it starts: where it listens, and the limits
/// it holds every request to. Defaults are what `triage serve` uses.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// PEM files of the certificate chain and its private key: with both,
    /// the server speaks HTTPS itself; without, plain HTTP behind a
    /// TLS-terminating proxy.
    public var tls: (certificate: String, key: String)?

    /// The largest body of one request (a referral with its page inline, a
    /// decision); larger is `413`.
    public var maxBodyBytes = 8 << 20
    /// The largest report from the public form (its pasted text).
    public var maxReportBytes = 256 << 10
    /// Reports from one client address: this many at once, then one per
    /// `reportInterval`.
    public var reportBurst = 10
    public var reportInterval: Duration = .seconds(60)
    /// The longest line of a `referrals:batch` body (one referral); the
    /// body itself is streamed and may be any length.
    public var maxBatchLineBytes = 8 << 20

    /// A signed-in session ends after this long without a request...
    public var sessionIdle: Duration = .seconds(30 * 60)
    /// ...and this long after sign-in, whatever happens.
    public var sessionAbsolute: Duration = .seconds(12 * 3600)
    /// Failed sign-ins in a row that lock a user out, and for how long.
    public var loginFailureLimit = 5
    public var loginLockout: Duration = .seconds(15 * 60)
    /// Cost of new bcrypt password hashes (2^cost rounds).
    public var bcryptCost: UInt8 = 12

    /// How long a claim holds a case, when a request does not say.
    public var claimLease: Duration = .seconds(30 * 60)

    /// Referrals a worker takes from the intake log at once, and how long
    /// it holds them (long enough to fetch and assess them all).
    public var intakeBatch = 1024
    public var intakeLease: Duration = .seconds(300)
    /// How often workers look for accepted referrals when nobody tells them
    /// (a restart, another server over the same queue).
    public var intakePoll: Duration = .seconds(1)
    /// The intake worker's name: in the audit log (`intake:<name>`) and on
    /// its leases. Stable across restarts on one machine, so a restarted
    /// server takes back at once what it had leased when it died.
    public var workerName = "serve@" + (ProcessInfo.processInfo.hostName.isEmpty ? "localhost" : ProcessInfo.processInfo.hostName)
    /// Whether the intake workers run at a lower priority than the threads
    /// answering requests (nice 10), so acknowledgements are not queued
    /// behind assessing. Off where something else at normal priority keeps
    /// the cores busy and the workers hold a queue that readers wait for
    /// (tests on an in-memory queue, which serialises every access).
    public var intakeBelowRequests = true
    /// `/readyz` fails while more referrals than this wait to be assessed.
    public var readyBacklog = 100_000

    public init() {}
}
