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
//
//     serve-load --read --port P --token T [--clients 16] [--seconds 20] IDS
//
// Reads instead, for --seconds: each client in turn, at random, asks for a
// page of 50 cases (`GET /api/v1/cases?limit=50`, following the cursor four
// times in five) or one case by an id from the file IDS (one a line), and
// checks the answer (50 cases; the case asked for). Prints lists, details,
// their p50 and p99, and requests a second; exits 1 on a wrong answer.
import Foundation

struct Options {
    var host = "127.0.0.1"
    var port = 0
    var token = ""
    var clients = 64
    var file = ""
    /// `read`: GET case lists and cases for `seconds` instead of posting.
    var read = false
    var seconds = 20.0

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
            case "--read": read = true
            case "--seconds": seconds = Double(value(argument)) ?? 20
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
        exchangeReading(head: head, body: body).status
    }

    /// Sends `head` and `body`; the answer's status code and body.
    func exchangeReading(head: [UInt8], body: UnsafeRawBufferPointer) -> (status: Int, body: ArraySlice<UInt8>) {
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
        let answer = pending[headEnd!..<headEnd! + length]
        pending.removeFirst(headEnd! + length)
        return (status, answer)
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
if options.read { readLoad(options) }
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

/// The read load (`--read`); does not return.
func readLoad(_ options: Options) -> Never {
    guard let text = try? String(contentsOfFile: options.file, encoding: .utf8) else { fail("cannot read \(options.file)") }
    let ids = text.split(separator: "\n").map(String.init)
    guard !ids.isEmpty else { fail("no case ids in \(options.file)") }
    final class Reads: @unchecked Sendable {
        let lock = NSLock()
        var lists: [Double] = [], details: [Double] = [], wrong: [String] = []
    }
    let reads = Reads()
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(options.seconds * 1e9)
    let done = DispatchGroup()
    for seed in 0..<options.clients {
        done.enter()
        Thread {
            var rng = SplitMix(seed: UInt64(seed) + 1)
            let connection = Connection(host: options.host, port: options.port)
            var lists: [Double] = [], details: [Double] = [], wrong: [String] = []
            var cursor: String?
            while DispatchTime.now().uptimeNanoseconds < deadline {
                let list = rng.next() % 2 == 0
                let id = ids[Int(rng.next() % UInt64(ids.count))]
                let path = list ? "/api/v1/cases?limit=50" + (cursor.map { "&cursor=" + $0 } ?? "") : "/api/v1/cases/" + id
                let head = Array("GET \(path) HTTP/1.1\r\nHost: \(options.host)\r\nAuthorization: Bearer \(options.token)\r\n\r\n".utf8)
                let began = DispatchTime.now().uptimeNanoseconds
                let (status, body) = connection.exchangeReading(head: head, body: UnsafeRawBufferPointer(start: nil, count: 0))
                let ms = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6
                let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
                if list {
                    lists.append(ms)
                    if status != 200 || (object?["cases"] as? [Any])?.count != 50 { wrong.append("a page of \(path): \(status)") }
                    cursor = rng.next() % 5 == 0 ? nil : object?["next_cursor"] as? String
                } else {
                    details.append(ms)
                    if status != 200 || (object?["case"] as? [String: Any])?["id"] as? String != id { wrong.append("case \(id): \(status)") }
                }
            }
            reads.lock.lock()
            reads.lists += lists
            reads.details += details
            reads.wrong += wrong
            reads.lock.unlock()
            done.leave()
        }.start()
    }
    done.wait()
    let lists = reads.lists.sorted(), details = reads.details.sorted()
    func percentile(_ values: [Double], _ q: Double) -> Double { values.isEmpty ? 0 : values[min(values.count - 1, Int(Double(values.count) * q))] }
    print("{\"lists\": \(lists.count), \"details\": \(details.count), \"list_p50\": \(percentile(lists, 0.5)), "
          + "\"list_p99\": \(percentile(lists, 0.99)), \"detail_p50\": \(percentile(details, 0.5)), "
          + "\"detail_p99\": \(percentile(details, 0.99)), \"per_s\": \(Double(lists.count + details.count) / options.seconds), "
          + "\"wrong\": \(reads.wrong.count)}")
    if let first = reads.wrong.first { fail("\(reads.wrong.count) wrong answers, the first: \(first)") }
    exit(0)
}

/// A small seeded generator (each client its own sequence).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
