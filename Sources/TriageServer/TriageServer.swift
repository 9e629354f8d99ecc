import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import TriageEngine
import TriageRules

/// What a server runs over: the queue (with its intake log and accounts),
/// the live rule set, how intake assesses, and how to read the rule set
/// again. `triage serve` makes one from its options; tests make one over an
/// in-memory queue.
public struct ServerDependencies: Sendable {
    public var store: any QueueStore
    public var live: LiveRules
    /// Threads, limits and fetching for the intake workers.
    public var assessing: BatchRun.Options
    /// Reads the rule set and policy again (SIGHUP, the admin route).
    public var reload: RulesReloader.Load
    public var logger: Logger

    public init(store: any QueueStore, live: LiveRules, assessing: BatchRun.Options, logger: Logger,
                reload: @escaping RulesReloader.Load) {
        self.store = store
        self.live = live
        self.assessing = assessing
        self.reload = reload
        self.logger = logger
    }
}

/// The one application `triage serve` runs and the tests drive: routes,
/// middleware, the intake workers and the SIGHUP reloader. `onRunning` is
/// told the port once the server listens (a port of 0 picks a free one).
public func buildApplication(_ configuration: ServerConfiguration, _ dependencies: ServerDependencies,
                             onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
    let store = dependencies.store, logger = dependencies.logger
    var assessing = dependencies.assessing
    assessing.background = configuration.intakeBelowRequests
    let worker = IntakeWorker(store: store, live: dependencies.live, options: assessing, name: configuration.workerName,
                              logger: Logger(label: logger.label + ".intake"))
    let metrics = ServerMetrics()
    let intake = IntakeService(worker: worker, configuration: configuration, metrics: metrics, logger: logger)
    let reloader = RulesReloader(live: dependencies.live, store: store, logger: logger, load: dependencies.reload)
    let accounts = Accounts(store: store, configuration: configuration)
    let committer = IntakeCommitter(store: store, committed: { intake.wake() })

    let router = Router(context: TriageRequestContext.self)
    router.add(middleware: ResponseHeadersMiddleware(strictTransport: configuration.tls != nil))
    router.add(middleware: AccessLogMiddleware(metrics: metrics))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AuthenticationMiddleware(accounts: accounts))
    HealthController(store: store, live: dependencies.live, configuration: configuration, metrics: metrics).register(router)
    let api = router.group("api/v1")
    IntakeController(store: store, committer: committer, configuration: configuration, metrics: metrics).register(api)
    QueueController(store: store, configuration: configuration).register(api)
    SupervisionController(store: store).register(api)
    AccountsController(accounts: accounts, store: store).register(api)
    AdminController(reloader: reloader).register(api)
    SessionController(accounts: accounts, configuration: configuration).register(api)
    ReportController(committer: committer, configuration: configuration, metrics: metrics,
                     limiter: RateLimiter(burst: configuration.reportBurst, interval: configuration.reportInterval)).register(router)

    let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()]))
    let server: HTTPServerBuilder
    if let tls = configuration.tls {
        let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
        server = try .tls(http1, tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
    } else {
        server = http1
    }
    return Application(router: router, server: server,
                       configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
                       services: [intake, ReloadOnHangup(reloader: reloader)],
                       onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
                       logger: logger)
}
