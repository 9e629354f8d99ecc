// serve-load: bench-serve's load generator for single posts. Each line of
// an NDJSON file is posted as one `POST /api/v1/referrals` by one of
// `--clients` threads, each on its own keep-alive connection, every line
// once; each request is timed from its first byte sent to its answer's last
// byte read. In Swift over plain sockets, so that the client costs the
// two cores it shares with the server as little as it can (the Python
// client it replaces spent a core of its own).
//
//     serve-load --port P --token T [--host 127.0.0.1] [--clients 64] FILE
//
// Prints one JSON object: requests, accepted (202), other statuses, seconds,
// p50_ms, p99_ms. Exits 1 if a request failed or was not answered 202.
import Foundation

struct Options {
    var host = "127.0.0.1"
    var port = 0
    var token = ""
    var clients = 64
    var file = ""

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        func value(_ name: String) -> String {
            guard let v = rest.popFirst() else { fail("\(name) needs a value") }
            return v
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--host": host = value(argument)
            case "--port": port = Int(value(argument)) ?? 0
            case "--token": token = value(argument)
            case "--clients": clients = max(1, Int(value(argument)) ?? 64)
            default: file = argument
            }
        }
        guard port > 0, !token.isEmpty, !file.isEmpty else { fail("usage: serve-load --port P --token T [--host H] [--clients N] FILE") }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("serve-load: " + message + "\n").utf8))
    exit(2)
}

/// One keep-alive HTTP/1.1 connection.
final class Connection {
    private let socket: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var pending: [UInt8] = []

    init(host: String, port: Int) {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { fail("cannot connect to \(host):\(port): errno \(errno)") }
    }

    deinit { close(socket) }

    /// Sends `head` and `body`; the answer's status code.
    func exchange(head: [UInt8], body: UnsafeRawBufferPointer) -> Int {
        head.withUnsafeBytes { sendAll($0) }
        sendAll(body)
        // The head of the answer, then Content-Length bytes of body.
        var headEnd: Int?
        while true {
            if let end = Self.find([13, 10, 13, 10], in: pending) {
                headEnd = end + 4
                break
            }
            read()
        }
        let headText = String(decoding: pending[..<headEnd!], as: UTF8.self)
        let lines = headText.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "), let status = Int(statusLine.dropFirst(9).prefix(3)) else {
            fail("not an HTTP/1.1 answer: \(headText.prefix(80))")
        }
        var length = 0
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].lowercased()
            if name == "content-length" { length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0 }
            if name == "transfer-encoding" { fail("a chunked answer: serve-load reads only Content-Length bodies") }
        }
        while pending.count < headEnd! + length { read() }
        pending.removeFirst(headEnd! + length)
        return status
    }

    private func sendAll(_ bytes: UnsafeRawBufferPointer) {
        var sent = 0
        while sent < bytes.count {
            let n = send(socket, bytes.baseAddress! + sent, bytes.count - sent, 0)
            guard n > 0 else { fail("send failed: errno \(errno)") }
            sent += n
        }
    }

    private func read() {
        let n = recv(socket, &buffer, buffer.count, 0)
        guard n > 0 else { fail("the server closed the connection") }
        pending += buffer[..<n]
    }

    /// Where `needle` first is in `haystack` (answers' heads are short).
    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        haystack.withUnsafeBufferPointer { hay in
            guard hay.count >= needle.count else { return nil }
            outer: for i in 0...(hay.count - needle.count) {
                for j in 0..<needle.count where hay[i + j] != needle[j] { continue outer }
                return i
            }
            return nil
        }
    }
}

let options = Options(CommandLine.arguments)
guard let data = FileManager.default.contents(atPath: options.file) else { fail("cannot read \(options.file)") }
/// The file's bytes, and where each non-empty line is in them.
nonisolated(unsafe) let file = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 1)
data.copyBytes(to: file.bindMemory(to: UInt8.self))
var lines: [Range<Int>] = []
var lineStart = 0
while lineStart < file.count {
    let end = memchr(file.baseAddress! + lineStart, 0x0A, file.count - lineStart).map { file.baseAddress!.distance(to: $0) } ?? file.count
    if end > lineStart { lines.append(lineStart..<end) }
    lineStart = end + 1
}
let bodies = lines
/// What the client threads share, behind a lock.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private(set) var latencies: [Double] = []
    private(set) var statuses: [Int: Int] = [:]

    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        return next - 1
    }

    func add(_ latencies: [Double], _ statuses: [Int: Int]) {
        lock.lock()
        defer { lock.unlock() }
        self.latencies += latencies
        self.statuses.merge(statuses, uniquingKeysWith: +)
    }
}

let tally = Tally()
let start = Date()
let done = DispatchGroup()
for _ in 0..<options.clients {
    done.enter()
    Thread {
        let connection = Connection(host: options.host, port: options.port)
        var mine: [Double] = []
        var mineStatuses: [Int: Int] = [:]
        while case let i = tally.take(), i < bodies.count {
            let head = Array(("POST /api/v1/referrals HTTP/1.1\r\nHost: \(options.host)\r\nAuthorization: Bearer \(options.token)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(bodies[i].count)\r\n\r\n").utf8)
            let began = DispatchTime.now().uptimeNanoseconds
            let status = connection.exchange(head: head, body: UnsafeRawBufferPointer(rebasing: file[bodies[i]]))
            mine.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)
            mineStatuses[status, default: 0] += 1
        }
        tally.add(mine, mineStatuses)
        done.leave()
    }.start()
}
done.wait()
let seconds = Date().timeIntervalSince(start)
let latencies = tally.latencies.sorted()
let statuses = tally.statuses
func percentile(_ q: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
let other = statuses.filter { $0.key != 202 }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
print("{\"requests\": \(latencies.count), \"accepted\": \(statuses[202] ?? 0), \"other\": {\(other)}, \"seconds\": \(seconds), "
      + "\"p50_ms\": \(percentile(0.5)), \"p99_ms\": \(percentile(0.99))}")
exit(statuses.keys.allSatisfy { $0 == 202 } ? 0 : 1)
