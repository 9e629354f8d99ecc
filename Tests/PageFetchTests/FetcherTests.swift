import Crypto
import Foundation
import Testing
import TriageModel
import TestSupport
@testable import PageFetch
import CCurl
import Codecs
#if canImport(Glibc)
import Glibc
#endif

/// Parses a textual IPv4 or IPv6 address into its bytes (test input only).
func addressBytes(_ text: String) -> [UInt8] {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
    var v6 = in6_addr()
    precondition(inet_pton(AF_INET6, text, &v6) == 1, "not an address: \(text)")
    return withUnsafeBytes(of: v6) { Array($0) }
}

@Suite("Destination policy")
struct DestinationPolicyTests {
    typealias R = DestinationPolicy.Refusal

    @Test(arguments: [
        ("93.184.216.34", nil), ("8.8.8.8", nil), ("1.1.1.1", nil), ("2606:4700:4700::1111", nil), ("::ffff:8.8.8.8", nil),
        ("0.0.0.0", R.unspecified), ("0.1.2.3", .unspecified), ("::", .unspecified),
        ("127.0.0.1", .loopback), ("127.255.255.254", .loopback), ("::1", .loopback), ("::ffff:127.0.0.1", .loopback),
        ("10.0.0.1", .private), ("172.16.0.1", .private), ("172.31.255.255", .private), ("192.168.1.1", .private),
        ("172.32.0.1", nil), ("172.15.255.255", nil),
        ("169.254.169.254", .linkLocal), ("fe80::1", .linkLocal), ("::ffff:169.254.169.254", .linkLocal),
        ("100.64.0.1", .carrierGradeNAT), ("100.127.255.255", .carrierGradeNAT), ("100.128.0.1", nil),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast), ("ff02::1", .multicast),
        ("240.0.0.1", .reserved), ("255.255.255.255", .broadcast), ("192.0.0.8", .reserved),
        ("192.0.2.1", .documentation), ("198.51.100.7", .documentation), ("203.0.113.9", .documentation), ("2001:db8::1", .documentation),
        ("198.18.0.1", .benchmarking), ("fc00::1", .uniqueLocal), ("fd12:3456::1", .uniqueLocal), ("fec0::1", .private),
        ("64:ff9b::7f00:1", .loopback), ("64:ff9b::a00:1", .private), ("64:ff9b::808:808", nil),
        ("2002:7f00:1::", .loopback), ("2002:c0a8:101::", .private), ("2001::1", .sharedTranslation),
        ("::127.0.0.1", .loopback), ("::8.8.8.8", .reserved), ("4000::1", .reserved),
    ] as [(String, R?)])
    func classifies(_ address: String, _ expected: R?) {
        #expect(DestinationPolicy.classify(addressBytes(address)) == expected, "\(address)")
    }

    @Test func theTestAllowanceAdmitsOneLoopbackPortOnly() {
        let policy = DestinationPolicy(allowedLoopbackPort: 8080)
        #expect(policy.refusal(addressBytes("127.0.0.1"), port: 8080) == nil)
        #expect(policy.refusal(addressBytes("127.0.0.1"), port: 8081) == .loopback)
        #expect(policy.refusal(addressBytes("10.0.0.1"), port: 8080) == .private)
    }
}

/// The destination check as libcurl's open-socket callback calls it: a
/// `curl_sockaddr` whose 16-byte `addr` field is followed by the rest of a
/// 28-byte `sockaddr_in6`, as libcurl lays it out.
@Suite("Destination check at the socket")
struct SocketDestinationTests {
    typealias R = DestinationPolicy.Refusal

    /// Calls `body` with a `curl_sockaddr` for `text` on `port`, laid out in
    /// room for the longest address, as libcurl's `Curl_sockaddr_ex` is.
    static func withSocketAddress<T>(_ text: String, port: UInt16, scope: UInt32 = 0, _ body: (UnsafePointer<curl_sockaddr>) -> T) -> T {
        let offset = MemoryLayout<curl_sockaddr>.offset(of: \.addr)!
        let size = offset + MemoryLayout<sockaddr_storage>.size
        let raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { raw.deallocate() }
        // Bytes that would mislead a reader that stops at the 16-byte field.
        raw.initializeMemory(as: UInt8.self, repeating: 0xA5, count: size)
        let bytes = addressBytes(text)
        var header = curl_sockaddr()
        header.socktype = Int32(SOCK_STREAM.rawValue)
        if bytes.count == 4 {
            var inet = sockaddr_in()
            inet.sin_family = sa_family_t(AF_INET)
            inet.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &inet.sin_addr) { $0.copyBytes(from: bytes) }
            header.family = AF_INET
            header.addrlen = UInt32(MemoryLayout<sockaddr_in>.size)
            (raw + offset).copyMemory(from: &inet, byteCount: MemoryLayout<sockaddr_in>.size)
        } else {
            var inet6 = sockaddr_in6()
            inet6.sin6_family = sa_family_t(AF_INET6)
            inet6.sin6_port = port.bigEndian
            inet6.sin6_scope_id = scope
            withUnsafeMutableBytes(of: &inet6.sin6_addr) { $0.copyBytes(from: bytes) }
            header.family = AF_INET6
            header.addrlen = UInt32(MemoryLayout<sockaddr_in6>.size)
            (raw + offset).copyMemory(from: &inet6, byteCount: MemoryLayout<sockaddr_in6>.size)
        }
        // The header's own fields, without its `addr` (already written).
        withUnsafeBytes(of: &header) { raw.copyMemory(from: $0.baseAddress!, byteCount: offset) }
        return body(raw.assumingMemoryBound(to: curl_sockaddr.self))
    }

    /// Regression: the check copied `curl_sockaddr` by value and read the
    /// IPv6 address through the copy's 16-byte field, so its last 8 bytes
    /// came from outside the copy. Each row is judged as the policy judges
    /// the address itself, and the refusal names all of it.
    @Test(arguments: [
        ("2606:4700:4700::1111", nil), ("::ffff:8.8.8.8", nil), ("::ffff:93.184.216.34", nil), ("64:ff9b::808:808", nil),
        ("2a00:1450:4009:81f::200e", nil),
        ("::1", R.loopback), ("::ffff:127.0.0.1", .loopback), ("::ffff:10.1.2.3", .private), ("::ffff:169.254.169.254", .linkLocal),
        ("64:ff9b::7f00:1", .loopback), ("64:ff9b::a9fe:a9fe", .linkLocal), ("64:ff9b:1::1", .sharedTranslation),
        ("fe80::1", .linkLocal), ("fd00::1234", .uniqueLocal), ("::", .unspecified), ("ff02::1", .multicast),
        ("2001:db8::dead:beef", .documentation), ("8.8.8.8", nil), ("127.0.0.1", .loopback), ("169.254.169.254", .linkLocal),
    ] as [(String, R?)])
    func judgesTheWholeAddress(_ text: String, _ expected: R?) {
        let state = TransferState()
        for scope: UInt32 in text.contains(":") ? [0, 2] : [0] {
            let admitted = Self.withSocketAddress(text, port: 443, scope: scope) { address in
                let destination = TransferState.destination(address)
                #expect(destination?.bytes == addressBytes(text) && destination?.port == 443, "\(text)")
                return state.admits(address)
            }
            #expect(admitted == (expected == nil), "\(text) scope \(scope): \(state.blocked ?? "admitted")")
            if let expected {
                #expect(state.blocked == "\(TransferState.describe(addressBytes(text))) is a \(expected.rawValue) address: not fetched")
            }
        }
    }

    @Test func theTestAllowanceAdmitsIPv6LoopbackOnItsPort() {
        let state = TransferState()
        state.policy = DestinationPolicy(allowedLoopbackPort: 8080)
        #expect(Self.withSocketAddress("::1", port: 8080) { state.admits($0) })
        #expect(!Self.withSocketAddress("::1", port: 8081) { state.admits($0) })
        #expect(!Self.withSocketAddress("fe80::1", port: 8080, scope: 1) { state.admits($0) })
    }

    /// A length too short for its family, or another family, is refused.
    @Test func aShortOrForeignAddressIsRefused() {
        let state = TransferState()
        Self.withSocketAddress("2606:4700:4700::1111", port: 443) { address in
            let mutable = UnsafeMutablePointer(mutating: address)
            mutable.pointee.addrlen = 16
            #expect(TransferState.destination(address) == nil && !state.admits(address))
            mutable.pointee.addrlen = 28
            mutable.pointee.family = AF_UNIX
            #expect(!state.admits(address) && state.blocked?.contains("is not fetched") == true)
        }
    }

    @Test func ipv6AddressesAreDescribedWhole() {
        #expect(TransferState.describe(addressBytes("2001:db8::dead:beef")) == "2001:db8:0:0:0:0:dead:beef")
    }
}

/// The fetcher through the real libcurl path, against servers on loopback.
@Suite("Fetcher", .serialized)
struct FetcherTests {
    static func fetcher(for server: LoopbackServer, _ configure: (inout FetchLimits) -> Void = { _ in }) -> Fetcher {
        var limits = FetchLimits()
        limits.totalTimeout = .seconds(5)
        configure(&limits)
        return Fetcher(limits: limits, policy: DestinationPolicy(allowedLoopbackPort: server.port))
    }

    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test func aPageAndItsRecord() throws {
        let page = "<html><title>t</title><body>SYNTHETIC TEST CONTENT</body></html>"
        let server = try LoopbackServer { _ in .ok(page) }
        defer { server.stop() }
        let (record, body) = Self.fetcher(for: server).fetch(server.base + "/page")
        #expect(record.failure == nil, "\(record.failureDetail ?? "")")
        #expect(body == Array(page.utf8) && record.bodyBytes == page.utf8.count)
        #expect(record.sha256 == Self.sha256(body))
        #expect(record.status == 200 && record.finalURL == server.base + "/page" && record.hops.isEmpty)
        #expect(record.primaryIP == "127.0.0.1" && record.primaryPort == Int(server.port))
        #expect(record.contentType == "text/html; charset=utf-8")
        #expect(record.tlsVerified == nil && !record.truncated && record.curlVersion.hasPrefix("libcurl/"))
        #expect(record.startedAt <= record.endedAt && record.startedAt.hasSuffix("Z"))
        // Our user agent; no Accept-Encoding, so libcurl has nothing to decompress.
        let head = try #require(server.requestHeads.first)
        #expect(head.contains("\r\nUser-Agent: \(FetchLimits().userAgent)\r\n") && !head.lowercased().contains("accept-encoding"))
        let custom = Self.fetcher(for: server) { $0.userAgent = "triage-test/1 (synthetic)" }
        _ = custom.fetch(server.base + "/again")
        #expect(server.requestHeads.last?.contains("\r\nUser-Agent: triage-test/1 (synthetic)\r\n") == true)
    }

    @Test func redirectsAreFollowedByHandAndEachHopRecorded() throws {
        let server = try LoopbackServer { path in
            switch path {
            case "/a": return .redirect("/b")
            case "/b": return .redirect("/c", status: 301)
            default: return .ok("final")
            }
        }
        defer { server.stop() }
        let (record, body) = Self.fetcher(for: server).fetch(server.base + "/a")
        #expect(record.failure == nil && body == Array("final".utf8))
        #expect(record.hops.map(\.status) == [302, 301])
        #expect(record.hops.map(\.location) == [server.base + "/b", server.base + "/c"])
        #expect(record.finalURL == server.base + "/c")
    }

    @Test func aRedirectLoopStopsAfterFive() throws {
        let server = try LoopbackServer { _ in .redirect("/loop") }
        defer { server.stop() }
        let (record, _) = Self.fetcher(for: server).fetch(server.base + "/loop")
        #expect(record.failure == .tooManyRedirects)
        #expect(record.hops.count == 6 && server.connections == 6)
    }

    @Test func onlyHTTPAndHTTPSAreFetchedEvenThroughARedirect() throws {
        let server = try LoopbackServer { path in
            path == "/to-file" ? .redirect("file:///etc/passwd") : path == "/to-ftp" ? .redirect("ftp://127.0.0.1/x") : .ok("x")
        }
        defer { server.stop() }
        let fetcher = Self.fetcher(for: server)
        for url in ["ftp://127.0.0.1:\(server.port)/", "file:///etc/passwd", "gopher://127.0.0.1:\(server.port)/", "dict://127.0.0.1:\(server.port)/"] {
            let (record, body) = fetcher.fetch(url)
            #expect(record.failure == .scheme && body.isEmpty, "\(url)")
        }
        #expect(server.connections == 0)
        for path in ["/to-file", "/to-ftp"] {
            let (record, body) = fetcher.fetch(server.base + path)
            #expect(record.failure == .scheme && body.isEmpty && record.hops.count == 1, "\(path)")
        }
        #expect(fetcher.fetch("not a url").record.failure == .badURL)
    }

    /// Every spelling of a loopback address, and a redirect to one, is
    /// refused at the socket: the listener behind them sees no connection.
    @Test func blockedDestinationsNeverSeeAConnection() throws {
        let allowed = try LoopbackServer { _ in .ok("allowed") }
        defer { allowed.stop() }
        let target = try LoopbackServer { _ in .ok("internal") }
        defer { target.stop() }
        let port = target.port
        let fetcher = Self.fetcher(for: allowed) { $0.connectTimeout = .seconds(2) }
        let spellings = ["http://127.0.0.1:\(port)/", "http://2130706433:\(port)/", "http://0x7f.1:\(port)/", "http://127.1:\(port)/",
                         "http://0177.0.0.1:\(port)/", "http://[::ffff:7f00:1]:\(port)/", "http://[::ffff:127.0.0.1]:\(port)/",
                         "http://localhost:\(port)/", "http://[::1]:\(port)/"]
        for url in spellings {
            let (record, body) = fetcher.fetch(url)
            #expect(record.failure == .blockedDestination, "\(url): \(record.failure?.rawValue ?? "fetched") \(record.failureDetail ?? "")")
            #expect(body.isEmpty)
        }
        let hopping = try LoopbackServer { _ in .redirect("http://127.0.0.1:\(port)/secret") }
        defer { hopping.stop() }
        let (record, _) = Self.fetcher(for: hopping).fetch(hopping.base + "/")
        #expect(record.failure == .blockedDestination && record.hops.count == 1)
        #expect(record.failureDetail?.contains("127.0.0.1 is a loopback address") == true)
        #expect(target.connections == 0)
    }

    /// A name whose DNS answer is a refused address is refused at the
    /// socket, whatever the answer (here from a resolver override).
    @Test func namesThatResolveToRefusedAddressesAreRefused() throws {
        let allowed = try LoopbackServer { _ in .ok("allowed") }
        defer { allowed.stop() }
        let hidden = try LoopbackServer { _ in .ok("hidden") }
        defer { hidden.stop() }
        let fetcher = Self.fetcher(for: allowed) {
            $0.resolve = ["public.example.invalid:\(allowed.port):127.0.0.1", "rebind.example.invalid:\(hidden.port):127.0.0.1",
                          "meta.example.invalid:80:169.254.169.254", "v6.example.invalid:\(hidden.port):::1"]
            $0.connectTimeout = .seconds(2)
        }
        // The override is in force: the allowed port is reached through it.
        #expect(fetcher.fetch("http://public.example.invalid:\(allowed.port)/").body == Array("allowed".utf8))
        for url in ["http://rebind.example.invalid:\(hidden.port)/", "http://meta.example.invalid/latest/meta-data/",
                    "http://v6.example.invalid:\(hidden.port)/"] {
            let (record, body) = fetcher.fetch(url)
            #expect(record.failure == .blockedDestination && body.isEmpty, "\(url): \(record.failure?.rawValue ?? "fetched")")
        }
        #expect(hidden.connections == 0)
    }

    @Test func environmentProxiesAreIgnored() throws {
        let server = try LoopbackServer { _ in .ok("direct") }
        defer { server.stop() }
        let proxy = try LoopbackServer { _ in .ok("via proxy") }
        defer { proxy.stop() }
        for name in ["http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"] { setenv(name, proxy.base, 1) }
        defer { for name in ["http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"] { unsetenv(name) } }
        let (record, body) = Self.fetcher(for: server).fetch(server.base + "/")
        #expect(record.failure == nil && body == Array("direct".utf8))
        #expect(proxy.connections == 0)
    }

    @Test func theBodyIsCutAtTheLimitWhateverTheServerSays() throws {
        let big = [UInt8](repeating: UInt8(ascii: "b"), count: 1 << 20)
        let server = try LoopbackServer { path in
            switch path {
            case "/big": return .response(status: 200, headers: ["Content-Type: text/plain"], body: big)
            case "/understated": return .response(status: 200, headers: ["Content-Length: 10"], body: big)
            case "/overstated": return .response(status: 200, headers: ["Content-Length: 100000"], body: Array("only this".utf8))
            default: return .endless
            }
        }
        defer { server.stop() }
        let fetcher = Self.fetcher(for: server) { $0.maxBodyBytes = 65536 }
        for path in ["/big", "/endless"] {
            let (record, body) = fetcher.fetch(server.base + path)
            #expect(record.failure == .tooLarge && record.truncated && record.truncation == "length", "\(path)")
            #expect(body.count == 65536 && record.bodyBytes == 65536 && record.sha256 == Self.sha256(body))
        }
        // A Content-Length smaller than the body: only what it announced is read.
        let (record, body) = fetcher.fetch(server.base + "/understated")
        #expect(record.failure == nil && body.count == 10)
        // Larger than the body, then the connection closes: a broken transfer, what came is kept.
        let (short, shortBody) = fetcher.fetch(server.base + "/overstated")
        #expect(short.failure == .connection && shortBody == Array("only this".utf8) && short.sha256 == Self.sha256(shortBody))
        #expect(short.truncated && short.truncation == "disconnect")
    }

    @Test func compressedBodiesAreKeptAsSentNeverExpanded() throws {
        // 100 MB of zeros, gzipped: about 100 KB.
        let bomb = try piped([], through: "/bin/sh", "-c", "head -c 100000000 /dev/zero | gzip -c")
        #expect(bomb.count < 200_000)
        let server = try LoopbackServer { _ in .response(status: 200, headers: ["Content-Encoding: gzip", "Content-Type: text/html"], body: bomb) }
        defer { server.stop() }
        let (record, body) = Self.fetcher(for: server).fetch(server.base + "/")
        #expect(record.failure == nil && body == bomb && record.sha256 == Self.sha256(bomb))
        #expect(record.headers.contains { $0.name == "Content-Encoding" && $0.value == "gzip" })
    }

    @Test func slowServersTimeOut() throws {
        let server = try LoopbackServer { path in
            path == "/silent" ? .silence : path == "/stall" ? .stallAfterHeaders : .dribble(interval: .milliseconds(700))
        }
        defer { server.stop() }
        let fetcher = Self.fetcher(for: server) {
            $0.totalTimeout = .milliseconds(1500)
            $0.lowSpeedBytes = 100
            $0.lowSpeedTime = .seconds(1)
        }
        for path in ["/silent", "/stall", "/dribble"] {
            let clock = ContinuousClock()
            let started = clock.now
            let (record, body) = fetcher.fetch(server.base + path)
            #expect(record.failure == .timeout, "\(path): \(record.failure?.rawValue ?? "fetched")")
            #expect(clock.now - started < .seconds(4))
            // What arrived before the clock ran out is kept, and marked partial
            // (regression: it was `truncated: false`, and its WARC record
            // had no WARC-Truncated).
            #expect(record.truncated == !body.isEmpty && record.truncation == (body.isEmpty ? nil : "time"), "\(path)")
            #expect(path == "/silent" ? body.isEmpty : !body.isEmpty, "\(path)")
        }
    }

    /// Regression: a fetch refused before its first transfer (scheme, bad
    /// URL), and one whose transfer fails, carried the previous fetch's
    /// body, headers, SHA-256 and address, because the transfer state was
    /// reset only when a transfer started. One fetcher, a page before every
    /// failure class.
    @Test func aFailedFetchCarriesNothingOfTheOneBefore() throws {
        let server = try LoopbackServer { path in
            switch path {
            case "/silent": .silence
            case "/reset": .reset
            default: .response(status: 200, headers: ["Content-Type: text/html", "X-Previous: yes"], body: Array("<p>the previous page</p>".utf8))
            }
        }
        defer { server.stop() }
        let other = try LoopbackServer { _ in .ok("another loopback port") }
        defer { other.stop() }
        let fetcher = Self.fetcher(for: server) {
            $0.totalTimeout = .seconds(1)
            $0.connectTimeout = .seconds(2)
        }
        let failures: [(String, FetchFailure)] = [
            ("gopher://127.0.0.1:1/_x", .scheme), ("file:///etc/passwd", .scheme), ("ftp://127.0.0.1/x", .scheme),
            ("not a url", .badURL), ("http://", .badURL), ("http://referral-test.invalid/", .dns),
            ("\(other.base)/", .blockedDestination), ("http://10.0.0.1/internal", .blockedDestination),
            ("\(server.base)/silent", .timeout), ("\(server.base)/reset", .connection),
        ]
        func expectNothingCarried(_ record: FetchRecord, _ body: [UInt8], connected: Bool, _ label: String) {
            #expect(body.isEmpty && record.bodyBytes == 0 && record.sha256 == nil, "\(label): body carried")
            #expect(record.headers.isEmpty && record.status == nil && !record.truncated, "\(label): \(record.headers)")
            if !connected { #expect(record.primaryIP == nil && record.primaryPort == nil && record.tlsVerified == nil, "\(label)") }
        }
        for (url, failure) in failures {
            let page = fetcher.fetch(server.base + "/page")
            #expect(page.record.failure == nil && page.record.primaryIP == "127.0.0.1" && !page.body.isEmpty)
            let (record, body) = fetcher.fetch(url)
            #expect(record.failure == failure, "\(url): \(record.failure?.rawValue ?? "fetched") \(record.failureDetail ?? "")")
            expectNothingCarried(record, body, connected: failure == .timeout || failure == .connection, url)
        }
        // Refused: the allowed port, closed after a page came from it.
        #expect(fetcher.fetch(server.base + "/page").record.failure == nil)
        server.stop()
        let (refused, body) = fetcher.fetch(server.base + "/page")
        #expect(refused.failure == .refused, "\(refused.failure?.rawValue ?? "fetched")")
        expectNothingCarried(refused, body, connected: false, "refused")
    }

    @Test func contentEncodingsAreUndoneInOrderOrLeftAlone() throws {
        func record(_ encoding: String?) -> FetchRecord {
            var record = FetchRecord(requestedURL: "http://x.invalid/", startedAt: "", endedAt: "", curlVersion: "")
            if let encoding { record.headers = [.init(name: "Content-Encoding", value: encoding)] }
            return record
        }
        let text = Array(String(repeating: "SYNTHETIC TEST CONTENT ", count: 100).utf8)
        let zlib = Array(Deflater().compress(text).dropFirst(4))
        #expect(ContentDecoding.decode(text, record: record(nil), limit: 1 << 20) == .init(bytes: text, note: nil))
        #expect(ContentDecoding.decode(text, record: record("identity"), limit: 1 << 20).note == nil)
        let deflated = ContentDecoding.decode(zlib, record: record("deflate"), limit: 1 << 20)
        #expect(deflated.bytes == text && deflated.note?.contains("decoded to \(text.count)") == true)
        // Raw deflate under the same name: the zlib stream without its 2-byte header and checksum.
        let raw = ContentDecoding.decode(Array(zlib.dropFirst(2).dropLast(4)), record: record("deflate"), limit: 1 << 20)
        #expect(raw.bytes == text)
        let capped = ContentDecoding.decode(zlib, record: record("deflate"), limit: 100)
        #expect(capped.bytes.count == 100 && capped.note?.contains("stopped at the limit of 100") == true)
        // br over gzip, applied in that order: undone last first.
        let layered = try piped(try piped(text, through: "/bin/gzip", "-c"), through: "/usr/bin/brotli", "-c")
        let both = ContentDecoding.decode(layered, record: record("gzip, br"), limit: 1 << 20)
        #expect(both.bytes == text && both.note?.contains("content-encoding gzip, br:") == true)
        let unknown = ContentDecoding.decode(text, record: record("zstd"), limit: 1 << 20)
        #expect(unknown.bytes == text && unknown.note?.contains("zstd is not decoded") == true)
    }

    /// Fetchers on several threads sharing a throttle never have more than
    /// `perHost` requests at one host, and start them `spacing` apart.
    @Test func aSharedThrottleSparesTheHost() throws {
        final class Seen: @unchecked Sendable {
            let lock = NSLock()
            var current = 0, most = 0
            var starts: [ContinuousClock.Instant] = []
        }
        let seen = Seen()
        let server = try LoopbackServer { _ in
            seen.lock.withLock {
                seen.current += 1
                seen.most = max(seen.most, seen.current)
                seen.starts.append(.now)
            }
            Thread.sleep(forTimeInterval: 0.05)
            seen.lock.withLock { seen.current -= 1 }
            return .ok("x")
        }
        defer { server.stop() }
        let throttle = HostThrottle(perHost: 1, spacing: .milliseconds(100))
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let fetcher = Fetcher(limits: FetchLimits(), policy: DestinationPolicy(allowedLoopbackPort: server.port), throttle: throttle)
            for _ in 0..<2 { _ = fetcher.fetch(server.base + "/") }
        }
        seen.lock.withLock {
            #expect(seen.most == 1 && seen.starts.count == 8)
            // Eight starts 100 ms apart span at least 700 ms, less a little
            // for network jitter between the throttle and the server's clock.
            let span = seen.starts.max()! - seen.starts.min()!
            #expect(span >= .milliseconds(650), "\(span)")
        }
    }

    /// 64 fetches at once, each on its own handle and thread, a third of
    /// them against a server that resets the connection: every fetch ends
    /// with the right verdict, nothing crosses between handles.
    @Test func sixtyFourConcurrentFetchesWithResets() throws {
        let server = try LoopbackServer { path in
            path.hasPrefix("/reset") ? .reset : .ok("page " + path)
        }
        defer { server.stop() }
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var byIndex: [Int: (FetchFailure?, [UInt8])] = [:]
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let fetcher = Fetcher(limits: FetchLimits(), policy: DestinationPolicy(allowedLoopbackPort: server.port))
            let (record, body) = fetcher.fetch(server.base + (i % 3 == 0 ? "/reset/\(i)" : "/page/\(i)"))
            results.lock.withLock { results.byIndex[i] = (record.failure, body) }
        }
        for i in 0..<64 {
            let (failure, body) = try #require(results.byIndex[i])
            if i % 3 == 0 {
                #expect(failure == .connection && body.isEmpty, "\(i): \(failure?.rawValue ?? "fetched")")
            } else {
                #expect(failure == nil && body == Array("page /page/\(i)".utf8), "\(i)")
            }
        }
    }

    /// https against `openssl s_server` with a certificate made for the test:
    /// refused as unverified, then fetched and recorded as verified once its
    /// CA is the one trusted.
    @Test func tlsIsVerified() throws {
        let folder = try temporaryFolder("triage-tls").path
        func run(_ arguments: [String]) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        let make = try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem"])
        make.waitUntilExit()
        #expect(make.terminationStatus == 0)
        // A free port: bound by a throwaway server, then released.
        let probe = try LoopbackServer { _ in .ok("") }
        let port = probe.port
        probe.stop()
        let server = try run(["s_server", "-accept", "127.0.0.1:\(port)", "-cert", folder + "/cert.pem", "-key", folder + "/key.pem",
                              "-www", "-quiet"])
        defer { server.terminate() }
        var limits = FetchLimits()
        limits.totalTimeout = .seconds(5)
        let url = "https://127.0.0.1:\(port)/"
        var untrusted = Fetcher(limits: limits, policy: DestinationPolicy(allowedLoopbackPort: port)).fetch(url).record
        for _ in 0..<20 where untrusted.failure == .refused {  // s_server still starting
            Thread.sleep(forTimeInterval: 0.1)
            untrusted = Fetcher(limits: limits, policy: DestinationPolicy(allowedLoopbackPort: port)).fetch(url).record
        }
        #expect(untrusted.failure == .tls, "\(untrusted.failure?.rawValue ?? "fetched") \(untrusted.failureDetail ?? "")")
        limits.caBundle = folder + "/cert.pem"
        let (trusted, body) = Fetcher(limits: limits, policy: DestinationPolicy(allowedLoopbackPort: port)).fetch(url)
        #expect(trusted.failure == nil && trusted.status == 200 && trusted.tlsVerified == true && !body.isEmpty,
                "\(trusted.failure?.rawValue ?? "") \(trusted.failureDetail ?? "")")
    }

    /// Through libcurl: `[::1]` is admitted by the test allowance on its
    /// port (before the socket check read the whole address, it was refused
    /// as "unspecified") and refused on any other.
    @Test func ipv6LoopbackThroughTheRealCallback() throws {
        let server = try LoopbackServer(ipv6: true) { _ in .ok("over IPv6") }
        defer { server.stop() }
        let (record, body) = Self.fetcher(for: server).fetch(server.base + "/")
        #expect(record.failure == nil && body == Array("over IPv6".utf8), "\(record.failure?.rawValue ?? "") \(record.failureDetail ?? "")")
        #expect(record.primaryIP == "::1")
        let refused = Fetcher(policy: DestinationPolicy(allowedLoopbackPort: server.port &+ 1)).fetch(server.base + "/").record
        #expect(refused.failure == .blockedDestination)
        #expect(refused.failureDetail?.hasSuffix("0:0:0:0:0:0:0:1 is a loopback address: not fetched") == true, "\(refused.failureDetail ?? "")")
        #expect(server.connections == 1)
    }

    @Test func errorStatusesKeepTheirBody() throws {
        let server = try LoopbackServer { _ in .response(status: 404, headers: [], body: Array("gone".utf8)) }
        defer { server.stop() }
        let (record, body) = Self.fetcher(for: server).fetch(server.base + "/")
        #expect(record.failure == .httpStatus && record.status == 404 && body == Array("gone".utf8))
    }

    @Test func aRefusedConnectionIsNotABlockedOne() throws {
        let server = try LoopbackServer { _ in .ok("x") }
        let port = server.port
        server.stop()
        let fetcher = Fetcher(policy: DestinationPolicy(allowedLoopbackPort: port))
        #expect(fetcher.fetch("http://127.0.0.1:\(port)/").record.failure == .refused)
    }

    /// `.invalid` is reserved never to resolve (RFC 6761), so this needs no
    /// network: a resolver that has none says so at once.
    @Test func aNameThatDoesNotResolveIsADNSFailure() throws {
        let server = try LoopbackServer { _ in .response(status: 302, headers: ["Location: http://referral-test.invalid/page"], body: []) }
        defer { server.stop() }
        let fetcher = Self.fetcher(for: server) { $0.connectTimeout = .seconds(5) }
        let direct = fetcher.fetch("http://referral-test.invalid/").record
        #expect(direct.failure == .dns, "\(direct.failure?.rawValue ?? "fetched") \(direct.failureDetail ?? "")")
        #expect(direct.failureDetail?.contains("does not resolve") == true && direct.primaryIP == nil)
        // Through a redirect: the first hop is kept, the second names the failure.
        let redirected = fetcher.fetch(server.base + "/").record
        #expect(redirected.failure == .dns && redirected.hops.count == 1, "\(redirected.failure?.rawValue ?? "fetched") \(redirected.failureDetail ?? "") \(redirected.hops)")
    }
}

/// The fetcher's small parsers, each against the Foundation code it stands
/// in for on the hot path.
@Suite("Fetcher helpers")
struct FetcherHelperTests {
    @Test func timestampsAreWhatISO8601FormatStyleWrites() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var random = SeededRandom(seed: 8)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400.999),  // 2000-02-29
                     Date(timeIntervalSince1970: 4_102_444_799.5), Date(timeIntervalSince1970: -1.25)]
        for _ in 0..<5_000 {
            // 1900 to 2100, to the millisecond.
            dates.append(Date(timeIntervalSince1970: Double(Int64(random.next() % 6_311_390_400_000) - 2_208_988_800_000) / 1000))
        }
        for date in dates {
            #expect(Timestamp(date).iso8601Milliseconds == date.formatted(style), "\(date.timeIntervalSince1970)")
        }
    }

    @Test(arguments: [
        "http://Example.COM/a", "https://user:pw@host.example:8443/x?y#z", "http://[2001:db8::1]:8080/", "http://[::1]/",
        "http://host.example?q=1", "http://host.example#frag", "HTTP://UPPER.example", "http://127.0.0.1:18481/pages/a.html",
        "http://bücher.example/", "http://%41.example/",
    ])
    func hostsAreWhatURLComponentsReads(_ url: String) {
        #expect(Fetcher.host(of: url) == URLComponents(string: url)?.host?.lowercased() ?? url)
    }

    @Test func schemes() {
        #expect(Fetcher.scheme(of: "HTTPS://x") == "https" && Fetcher.scheme(of: "svn+ssh://x") == "svn+ssh")
        #expect(Fetcher.scheme(of: "no scheme") == nil && Fetcher.scheme(of: "1http://x") == nil && Fetcher.scheme(of: "ht tp://x") == nil)
        #expect(Fetcher.scheme(of: ":x") == nil && Fetcher.scheme(of: "") == nil)
    }

    @Test func headersAreTrimmedAndAStatusLineStartsAgain() {
        let state = TransferState()
        for line in ["HTTP/1.1 301 Moved\r\n", "Location: /b\r\n", "\r\n", "HTTP/1.1 200 OK\r\n", "Content-Type:  text/html; charset=utf-8 \r\n",
                     "X-Empty:\r\n", "X-Tab:\tv\t\r\n", "no colon here\r\n", "\r\n"] {
            Array(line.utf8).withUnsafeBytes { state.header($0) }
        }
        #expect(state.headers == [.init(name: "Content-Type", value: "text/html; charset=utf-8"), .init(name: "X-Empty", value: ""),
                                  .init(name: "X-Tab", value: "v")])
    }
}

@Suite("Fetch record JSON")
struct FetchRecordJSONTests {
    /// The hand-written JSON is what Foundation's encoder writes, for records
    /// with every field set or unset and strings that need escaping.
    @Test func isWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let awkward = ["", "plain", "a/b\\c\"d", "tab\there\r\nline", "\u{0}\u{1}\u{1f}\u{7f}", "café ☃ 𝄞", "\u{2028}\u{2029}", "<script>&amp;"]
        var random = SeededRandom(seed: 21)
        for round in 0..<300 {
            func pick() -> String { awkward[Int(random.next() % UInt64(awkward.count))] }
            func maybe<T>(_ value: T) -> T? { random.next() % 2 == 0 ? value : nil }
            var record = FetchRecord(requestedURL: "http://example.invalid/" + pick(), startedAt: pick(), endedAt: pick(), curlVersion: pick())
            record.hops = (0..<Int(random.next() % 3)).map { _ in .init(url: pick(), status: 301 + Int(random.next() % 7), location: pick()) }
            record.finalURL = maybe(pick())
            record.status = maybe(Int(random.next() % 600))
            record.headers = (0..<Int(random.next() % 4)).map { _ in .init(name: pick(), value: pick()) }
            record.primaryIP = maybe(pick())
            record.primaryPort = maybe(Int(random.next() % 65536))
            record.tlsVerified = maybe(random.next() % 2 == 0)
            record.bodyBytes = Int(random.next() % 100_000_000)
            record.sha256 = maybe(pick())
            record.truncated = random.next() % 2 == 0
            record.failure = maybe(FetchFailure.allCases[Int(random.next() % UInt64(FetchFailure.allCases.count))])
            record.failureDetail = maybe(pick())
            let expected = String(decoding: try encoder.encode(record), as: UTF8.self)
            #expect(record.json == expected, "round \(round)")
            #expect(try JSONDecoder().decode(FetchRecord.self, from: Data(record.json.utf8)) == record)
        }
    }
}
