import ArgumentParser
import Logging
import TriageModel
import PageFetch
import TriageEngine

/// How `check URL` and `batch --fetch` fetch: limits, with safe defaults.
struct FetchOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Seconds to wait for a connection.", valueName: "SECONDS"))
    var connectTimeout: Int = 10

    @Option(name: .long, help: ArgumentHelp("Seconds for a whole fetch, redirects included.", valueName: "SECONDS"))
    var fetchTimeout: Int = 30

    @Option(name: .long, help: ArgumentHelp("Body bytes kept from a fetch; the rest is cut (and flagged).", valueName: "BYTES"))
    var maxFetchBytes: Int = 16 << 20

    @Option(name: .long, help: ArgumentHelp("Bytes a gzip, deflate or brotli body may decode to before reading stops (and is flagged).",
                                            valueName: "BYTES"))
    var maxDecodedBytes: Int = 32 << 20

    @Option(name: .long, help: ArgumentHelp("A proxy for fetches (environment proxy variables are ignored).", valueName: "URL"))
    var proxy: String?

    @Option(name: .long, help: ArgumentHelp("The User-Agent header fetches send.", valueName: "TEXT"))
    var userAgent: String = FetchLimits().userAgent

    /// Test-only: admits one port on 127.0.0.1 so tests can fetch from a
    /// server of their own. Loopback and private addresses are otherwise
    /// always refused.
    @Option(name: .long, help: .hidden)
    var allowLoopbackPort: UInt16?

    func validate() throws {
        if connectTimeout < 1 || fetchTimeout < 1 { throw ValidationError("fetch timeouts must be at least 1 second") }
        if maxFetchBytes < 1 || maxDecodedBytes < 1 { throw ValidationError("--max-fetch-bytes and --max-decoded-bytes must be at least 1") }
        if userAgent.isEmpty || userAgent.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw ValidationError("--user-agent must be one line of text")
        }
    }

    /// The limits these options set. With `--proxy`, first warns on
    /// standard error that the destination checks now see the proxy, not
    /// the sites fetched (once per command).
    func limits(command: String) -> FetchLimits {
        if let proxy {
            printError("triage \(command): warning: with --proxy \(proxy), fetches connect to the proxy, so the destination checks "
                       + "(no loopback, private, link-local or other internal addresses) see only the proxy's address, not the sites "
                       + "fetched: the proxy must refuse internal destinations itself")
        }
        var limits = FetchLimits()
        limits.connectTimeout = .seconds(connectTimeout)
        limits.totalTimeout = .seconds(fetchTimeout)
        limits.maxBodyBytes = maxFetchBytes
        limits.maxDecodedBytes = maxDecodedBytes
        limits.proxy = proxy
        limits.userAgent = userAgent
        return limits
    }

    var policy: DestinationPolicy { DestinationPolicy(allowedLoopbackPort: allowLoopbackPort) }
}

/// How many fetches share a host, for commands that fetch many URLs.
struct ThrottleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Requests to one host at a time, at most.", valueName: "N"))
    var perHost = 2

    @Option(name: .long, help: ArgumentHelp("Milliseconds between the starts of two requests to one host.", valueName: "MS"))
    var hostSpacing = 250

    func validate() throws {
        if perHost < 1 || hostSpacing < 0 { throw ValidationError("--per-host must be at least 1 and --host-spacing at least 0") }
    }

    var throttle: HostThrottle { HostThrottle(perHost: perHost, spacing: .milliseconds(hostSpacing)) }
}

extension FetchOptions {
    /// How a run fetches with these options: `concurrent` fetch threads,
    /// each with a `Fetcher` of its own (one libcurl handle), sharing
    /// `throttle` if given.
    func fetching(command: String, throttle: HostThrottle? = nil, refetch: Bool = false, concurrent: Int = 1) -> AssessmentPool.Fetching {
        let limits = limits(command: command), policy = policy
        return AssessmentPool.Fetching(refetch: refetch, concurrent: concurrent) {
            Fetcher(limits: limits, policy: policy, throttle: throttle, logger: Logger(label: "triage.fetch"))
        }
    }
}
