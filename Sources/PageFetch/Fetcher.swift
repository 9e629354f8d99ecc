import TriageModel
import CCurl
import Encoders
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Limits for fetching a URL someone else chose. Every one has a safe default.
public struct FetchLimits: Sendable, Equatable {
    public var connectTimeout: Duration = .seconds(10)
    /// The whole fetch, redirects included.
    public var totalTimeout: Duration = .seconds(30)
    /// Abort when fewer than `lowSpeedBytes` a second arrive for `lowSpeedTime`.
    public var lowSpeedBytes = 512
    public var lowSpeedTime: Duration = .seconds(10)
    /// Body bytes kept; counted as they arrive, whatever Content-Length says.
    public var maxBodyBytes = 16 << 20
    /// Bytes a compressed body may decode to (see `ContentDecoding`).
    public var maxDecodedBytes = 32 << 20
    /// libcurl 7.88 follows redirects without limit by default: set here.
    public var maxRedirects = 5
    public var userAgent = "triage/0.1 (referral triage; +https://example.invalid/triage)"
    /// An explicit proxy; environment proxy variables are always ignored.
    public var proxy: String?
    /// A PEM file of CA certificates to verify servers against, instead of
    /// the system's.
    public var caBundle: String?
    /// `HOST:PORT:ADDRESS` entries that replace DNS for those names
    /// (libcurl's CURLOPT_RESOLVE): for tests of names that resolve to
    /// refused addresses. The destination policy still judges the address.
    public var resolve: [String] = []

    public init() {}
}

/// Fetches one URL at a time with libcurl (the only user of CCurl): http and
/// https only, every redirect followed by hand so that each hop is recorded
/// and checked, every connection checked against the `DestinationPolicy`
/// at the socket, no automatic decompression, and the body cut at a limit.
///
/// One `Fetcher` per thread: it owns a libcurl easy handle (and its
/// connection cache), freed when the fetcher goes.
public final class Fetcher {
    public let limits: FetchLimits
    public let policy: DestinationPolicy
    /// Shared with the batch's other fetchers; nil: no per-host limit.
    public let throttle: HostThrottle?
    private let logger: Logger
    private let handle: UnsafeMutableRawPointer
    private let state = TransferState()
    private var resolveList: UnsafeMutablePointer<curl_slist>?

    /// `curl_global_init` must run once, before any handle exists.
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// libcurl builds this string on every `curl_version()` call: read once.
    public static let curlVersion = String(cString: curl_version())

    /// Fetch failures at `notice`, fetches at `debug`.
    public init(limits: FetchLimits = FetchLimits(), policy: DestinationPolicy = DestinationPolicy(), throttle: HostThrottle? = nil,
                logger: Logger = Logger(label: "triage.fetch", factory: { _ in SwiftLogNoOpLogHandler() })) {
        _ = Self.globalInit
        self.logger = logger
        self.limits = limits
        self.policy = policy
        self.throttle = throttle
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = handle
        configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(resolveList)
    }

    private func milliseconds(_ d: Duration) -> Int { Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000) }

    /// Options that hold for every request this handle makes.
    private func configure() {
        let context = Unmanaged.passUnretained(state).toOpaque()
        triage_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        triage_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        triage_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        triage_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        triage_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(limits.connectTimeout))
        triage_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, limits.lowSpeedBytes)
        triage_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(limits.lowSpeedTime.components.seconds)))
        triage_setopt_string(handle, CURLOPT_USERAGENT, limits.userAgent)
        // An empty proxy turns off http_proxy, https_proxy and ALL_PROXY from the environment.
        triage_setopt_string(handle, CURLOPT_PROXY, limits.proxy ?? "")
        triage_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        triage_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caBundle = limits.caBundle { triage_setopt_string(handle, CURLOPT_CAINFO, caBundle) }
        for entry in limits.resolve { resolveList = curl_slist_append(resolveList, entry) }
        if let resolveList { triage_setopt_pointer(handle, CURLOPT_RESOLVE, UnsafeMutableRawPointer(resolveList)) }
        triage_setopt_write(handle) { data, size, count, context in
            let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
            return state.receive(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }
        triage_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        triage_setopt_header(handle) { data, size, count, context in
            let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
            state.header(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }
        triage_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        triage_setopt_opensocket(handle) { context, purpose, address in
            let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
            guard let address else { return CURL_SOCKET_BAD }
            return state.openSocket(UnsafePointer(address), purpose: purpose)
        }
        triage_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, context)
    }

    /// Fetches `url`, following up to `maxRedirects` redirects. Never throws:
    /// what went wrong is in the record (`failure`), and whatever body was
    /// received is returned with it.
    public func fetch(_ url: String) -> (record: FetchRecord, body: [UInt8]) {
        let (record, body) = perform(url)
        if let failure = record.failure {
            logger.notice("fetch failed", metadata: ["url": "\(url)", "failure": "\(failure.rawValue)", "detail": "\(record.failureDetail ?? "")",
                                                     "bytes": "\(body.count)"])
        } else {
            logger.debug("fetched", metadata: ["url": "\(url)", "status": "\(record.status ?? 0)", "bytes": "\(body.count)",
                                               "hops": "\(record.hops.count)"])
        }
        return (record, body)
    }

    private func perform(_ url: String) -> (record: FetchRecord, body: [UInt8]) {
        let started = Date()
        let deadline = ContinuousClock.now + limits.totalTimeout
        var record = FetchRecord(requestedURL: url, startedAt: Timestamp(started).iso8601Milliseconds, endedAt: "", curlVersion: Self.curlVersion)
        state.policy = policy
        state.maxBodyBytes = limits.maxBodyBytes
        // Every fetch starts from nothing: the transfer state and what the
        // handle reports are the last transfer's until this one performs.
        // A fetch refused before its first transfer must not carry the
        // previous referral's page, headers or address.
        state.reset()
        var performed = false
        var current = url
        var hop = 0
        while true {
            let scheme = Self.scheme(of: current)
            guard scheme == "http" || scheme == "https" else {
                record.failure = scheme == nil ? .badURL : .scheme
                record.failureDetail = "\(current): only http and https are fetched"
                break
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                record.failure = .timeout
                record.failureDetail = "the fetch took longer than \(limits.totalTimeout)"
                break
            }
            state.reset()
            triage_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, milliseconds(remaining)))
            triage_setopt_string(handle, CURLOPT_URL, current)
            let code = throttle.map { $0.withSlot(for: Self.host(of: current)) { curl_easy_perform(handle) } } ?? curl_easy_perform(handle)
            performed = true
            let status = Int(getLong(CURLINFO_RESPONSE_CODE))
            if code != CURLE_OK {
                (record.failure, record.failureDetail) = classify(code, url: current)
                record.status = status == 0 ? nil : status
                record.finalURL = current
                break
            }
            if (300..<400).contains(status), let location = getString(CURLINFO_REDIRECT_URL) {
                record.hops.append(.init(url: current, status: status, location: location))
                if hop == limits.maxRedirects {
                    record.failure = .tooManyRedirects
                    record.failureDetail = "more than \(limits.maxRedirects) redirects"
                    record.status = status
                    record.finalURL = current
                    break
                }
                hop += 1
                current = location
                continue
            }
            record.status = status
            record.finalURL = current
            if status >= 400 {
                record.failure = .httpStatus
                record.failureDetail = "the server answered \(status)"
            }
            break
        }
        record.headers = state.headers
        if performed {
            record.primaryIP = getString(CURLINFO_PRIMARY_IP).flatMap { $0.isEmpty ? nil : $0 }
            let port = getLong(CURLINFO_PRIMARY_PORT)
            record.primaryPort = port == 0 ? nil : Int(port)
            if record.finalURL.flatMap(Self.scheme(of:)) == "https" && record.failure != .tls && record.status != nil {
                record.tlsVerified = getLong(CURLINFO_SSL_VERIFYRESULT) == 0
            }
        }
        // A body cut short by the size limit, the clock or the connection
        // is partial, whichever stopped it.
        record.truncated = state.truncated || (!state.body.isEmpty && Self.endsTransferEarly(record.failure))
        record.bodyBytes = state.body.count
        // No response, no body to vouch for.
        record.sha256 = record.status == nil && state.body.isEmpty ? nil : sha256Hex(state.body)
        record.endedAt = Timestamp(Date()).iso8601Milliseconds
        return (record, state.body)
    }

    /// Failures that stop a response part-way, leaving a partial body.
    static func endsTransferEarly(_ failure: FetchFailure?) -> Bool {
        switch failure {
        case .tooLarge?, .timeout?, .connection?: true
        default: false
        }
    }

    private func classify(_ code: CURLcode, url: String) -> (FetchFailure, String) {
        let message = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL: return (.scheme, "\(url): only http and https are fetched")
        case CURLE_URL_MALFORMAT: return (.badURL, "\(url): \(message)")
        case CURLE_COULDNT_RESOLVE_HOST: return (.dns, "\(url): the host name does not resolve")
        case CURLE_COULDNT_CONNECT:
            if let blocked = state.blocked { return (.blockedDestination, "\(url): \(blocked)") }
            return (.refused, "\(url): the connection was refused")
        case CURLE_OPERATION_TIMEDOUT: return (.timeout, "\(url): \(message)")
        case CURLE_WRITE_ERROR where state.truncated:
            return (.tooLarge, "\(url): the body passed the limit of \(limits.maxBodyBytes) bytes; the first \(limits.maxBodyBytes) are kept")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return (.tls, "\(url): \(message)")
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return (.connection, "\(url): \(message)")
        default: return (.other, "\(url): \(message) (libcurl error \(code.rawValue))")
        }
    }

    private func getLong(_ info: CURLINFO) -> Int {
        var value = 0
        triage_getinfo_long(handle, info, &value)
        return value
    }

    private func getString(_ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard triage_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// The URL's scheme, lower-cased (RFC 3986: a letter, then letters,
    /// digits, "+", "-" or "."; then ":"), or nil if it has none.
    static func scheme(of url: String) -> String? {
        let utf8 = url.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")), let first = utf8.first, Self.isLetter(first) else { return nil }
        let scheme = utf8[..<colon]
        guard scheme.allSatisfy({ Self.isLetter($0) || (0x30...0x39).contains($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }) else { return nil }
        return String(decoding: scheme.map { $0 | 0x20 }, as: UTF8.self)
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte | 0x20) }

    /// The host a throttle counts a request against (lower-cased; the whole
    /// URL if it has no recognisable host), as `URLComponents` reads it.
    /// ASCII URLs without escapes, nearly all of them, are read here; others
    /// go through `URLComponents` (IDNA, percent-decoding).
    static func host(of url: String) -> String {
        let utf8 = url.utf8
        guard utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "%") }), let colon = utf8.firstIndex(of: UInt8(ascii: ":")),
              utf8[colon...].starts(with: "://".utf8) else {
            return URLComponents(string: url)?.host?.lowercased() ?? url
        }
        let rest = utf8[utf8.index(colon, offsetBy: 3)...]
        var authority = rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[authority.index(after: at)...] }
        let host: Substring.UTF8View.SubSequence
        if authority.first == UInt8(ascii: "[") {
            // An IPv6 literal keeps its brackets, as URLComponents gives it back.
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return url }
            host = authority[...close]
        } else {
            host = authority.prefix { $0 != UInt8(ascii: ":") }
        }
        return host.isEmpty ? url : String(decoding: host.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

/// What the callbacks of one transfer share with the fetcher.
final class TransferState {
    var policy = DestinationPolicy()
    var maxBodyBytes = 0
    private(set) var body: [UInt8] = []
    private(set) var headers: [FetchRecord.Header] = []
    private(set) var truncated = false
    /// Why the last connection was refused by the policy, if it was.
    private(set) var blocked: String?

    func reset() {
        body.removeAll(keepingCapacity: true)
        headers.removeAll()
        truncated = false
        blocked = nil
    }

    /// Keeps bytes up to the limit; false (abort) past it.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let room = maxBodyBytes - body.count
        if bytes.count > room {
            body.append(contentsOf: bytes.prefix(max(room, 0)))
            truncated = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Header lines of the last response (a status line starts a new one:
    /// interim 1xx responses and proxies send several). Read as bytes:
    /// there are a dozen per response and this runs for every one.
    func header(_ line: UnsafeRawBufferPointer) {
        let bytes = Self.trimmed(line[...])
        if bytes.starts(with: "HTTP/".utf8) {
            headers.removeAll()
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        headers.append(.init(name: String(decoding: bytes[..<colon], as: UTF8.self),
                             value: String(decoding: Self.trimmed(bytes[(colon + 1)...]), as: UTF8.self)))
    }

    /// Without leading and trailing spaces, tabs, CR and LF.
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }

    /// The socket for a connection libcurl is about to make, or
    /// CURL_SOCKET_BAD if the policy refuses its address.
    func openSocket(_ address: UnsafePointer<curl_sockaddr>, purpose: curlsocktype) -> curl_socket_t {
        guard admits(address) else { return CURL_SOCKET_BAD }
        let target = address.pointee
        return socket(target.family, target.socktype, target.protocol)
    }

    /// The policy's verdict on the address behind `address`, read through
    /// libcurl's pointer: `curl_sockaddr.addr` is declared as a 16-byte
    /// `struct sockaddr`, but an IPv6 address is a 28-byte `sockaddr_in6`
    /// that libcurl stores in the room behind it (`addrlen` says how much).
    /// A copy of the struct would hold only its first 16 bytes. Records why
    /// in `blocked` when it refuses.
    func admits(_ address: UnsafePointer<curl_sockaddr>) -> Bool {
        guard let (bytes, port) = Self.destination(address) else {
            blocked = "address family \(address.pointee.family) (\(address.pointee.addrlen) bytes) is not fetched"
            return false
        }
        if let refusal = policy.refusal(bytes, port: port) {
            blocked = "\(Self.describe(bytes)) is a \(refusal.rawValue) address: not fetched"
            return false
        }
        return true
    }

    /// The address (4 or 16 bytes, network order) and port of a socket
    /// address libcurl hands over, or nil for another family or a length too
    /// short for its family.
    static func destination(_ address: UnsafePointer<curl_sockaddr>) -> (bytes: [UInt8], port: UInt16)? {
        let header = address.pointee
        let socketAddress = UnsafeRawPointer(address) + MemoryLayout<curl_sockaddr>.offset(of: \.addr)!
        switch Int32(header.family) {
        case AF_INET where Int(header.addrlen) >= MemoryLayout<sockaddr_in>.size:
            let inet = socketAddress.loadUnaligned(as: sockaddr_in.self)
            return (withUnsafeBytes(of: inet.sin_addr) { Array($0) }, UInt16(bigEndian: inet.sin_port))
        case AF_INET6 where Int(header.addrlen) >= MemoryLayout<sockaddr_in6>.size:
            let inet6 = socketAddress.loadUnaligned(as: sockaddr_in6.self)
            return (withUnsafeBytes(of: inet6.sin6_addr) { Array($0) }, UInt16(bigEndian: inet6.sin6_port))
        default:
            return nil
        }
    }

    static func describe(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
