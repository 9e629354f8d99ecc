import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 that the tests start themselves:
/// each request's path picks a scripted reply, and every accepted
/// connection is counted (a refused destination must see none).
public final class LoopbackServer: @unchecked Sendable {
    public enum Reply: Sendable {
        /// A complete response; `headers` go after the status line.
        case response(status: Int, headers: [String], body: [UInt8])
        /// Accept, read the request, then say nothing until the client leaves.
        case silence
        /// Headers, then one byte every `interval`.
        case dribble(interval: Duration)
        /// A chunked body that never ends.
        case endless
        /// Headers, a little of the body, then nothing until the client leaves.
        case stallAfterHeaders
        /// Close the connection without answering.
        case reset

        public static func ok(_ body: String, type: String = "text/html; charset=utf-8") -> Reply {
            .response(status: 200, headers: ["Content-Type: \(type)"], body: Array(body.utf8))
        }

        public static func redirect(_ location: String, status: Int = 302) -> Reply {
            .response(status: status, headers: ["Location: \(location)"], body: [])
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (String) -> Reply
    private let lock = NSLock()
    private var accepted = 0
    private var stopped = false
    /// The accepting thread has closed the listening socket.
    private var listenerClosed = false

    /// Connections accepted so far.
    public var connections: Int { lock.withLock { accepted } }

    /// The head (request line and headers) of every request read, in order.
    public var requestHeads: [String] { lock.withLock { heads } }
    private var heads: [String] = []

    /// Listens on 127.0.0.1, or on ::1 with `ipv6`.
    public let ipv6: Bool

    public init(ipv6: Bool = false, _ handler: @escaping @Sendable (String) -> Reply) throws {
        self.handler = handler
        self.ipv6 = ipv6
        let listener = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            guard bound == 0, listen(listener, 128) == 0 else { close(listener); throw POSIXError(.EADDRNOTAVAIL) }
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            port = UInt16(bigEndian: address.sin6_port)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(listener, 128) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            port = UInt16(bigEndian: address.sin_port)
        }
        self.listener = listener
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Stops listening: new connections are refused from here on. The
    /// socket is closed by the accepting thread once its `accept` has
    /// returned; closed here, its descriptor number could be handed to the
    /// next server's socket while that thread was about to call `accept`
    /// again, and this server would answer that one's connections.
    public func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            if !listenerClosed { shutdown(listener, Int32(SHUT_RDWR)) }
        }
    }

    public var base: String { ipv6 ? "http://[::1]:\(port)" : "http://127.0.0.1:\(port)" }

    private func acceptLoop() {
        defer {
            lock.withLock {
                close(listener)
                listenerClosed = true
            }
        }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if lock.withLock({ stopped }) { return }
                if errno == EINTR { continue }
                return
            }
            lock.withLock { accepted += 1 }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: [13, 10, 13, 10]) && request.count < 65536 {
            let n = read(connection, &buffer, buffer.count)
            if n <= 0 { return }
            request += buffer[0..<n]
        }
        lock.withLock { heads.append(String(decoding: request, as: UTF8.self)) }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
        let path = line.count > 1 ? String(line[1]) : "/"
        switch handler(path) {
        case let .response(status, headers, body):
            let head = "HTTP/1.1 \(status) Status\r\n" + headers.map { $0 + "\r\n" }.joined()
                + (headers.contains { $0.lowercased().hasPrefix("content-length:") } ? "" : "Content-Length: \(body.count)\r\n")
                + "Connection: close\r\n\r\n"
            send(connection, Array(head.utf8) + body)
        case .silence:
            while read(connection, &buffer, buffer.count) > 0 {}
        case let .dribble(interval):
            guard send(connection, Array("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n".utf8)) else { return }
            while send(connection, [UInt8(ascii: "x")]) {
                Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) * 1e-18)
            }
        case .stallAfterHeaders:
            guard send(connection, Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\nstart".utf8)) else { return }
            while read(connection, &buffer, buffer.count) > 0 {}
        case .reset:
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        case .endless:
            guard send(connection, Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8)) else { return }
            let chunk = Array("4000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 0x4000) + [13, 10]
            while send(connection, chunk) {}
        }
    }

    /// Writes all of `bytes`; false once the client has gone.
    @discardableResult
    private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
