import Encoders
import Foundation
import HTTPTypes
import Hummingbird
import TriageEngine
import TriageModel

/// `POST /api/v1/referrals`, `POST /api/v1/referrals:batch` and
/// `GET /api/v1/referrals/{id}`: referrals in from flaggers and platforms,
/// durable in the intake log before they are acknowledged, and their
/// status after.
struct IntakeController {
    let store: any QueueStore
    let committer: IntakeCommitter
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    func register(_ api: RouterGroup<TriageRequestContext>) {
        api.post("referrals", use: submit)
        api.post("referrals:batch", use: submitBatch)
        api.get("referrals/{id}", use: status)
    }

    /// One referral: `202` once it is in the intake log, `200` if it was
    /// accepted before with the same content, `409` if with other content,
    /// `422` if it cannot be accepted.
    @Sendable func submit(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.submit, request)
        let body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        var parser = Self.parser(context)
        let referral: Referral
        switch parser.record(json: Array(buffer: body), line: 1) {
        case let .rejected(error):
            metrics.rejected(reason: "invalid")
            throw APIError.unprocessable(error.id.map { "referral \($0): " + error.reason } ?? error.reason)
        case let .referral(value, _): referral = value
        }
        let store = self.store
        let outcome = try await committer.accept(referral, actor: identity.actor)
        switch outcome {
        case .accepted:
            metrics.accepted(source: referral.source)
            return Self.json(.accepted, Self.statusObject(referral.id, status: .pending(receivedAt: store.now())),
                             headers: [.location: Self.statusURL(referral.id)])
        case let .alreadyAccepted(status):
            return Self.json(.ok, Self.statusObject(referral.id, status: status, alreadyAccepted: true))
        case let .conflict(reason):
            metrics.rejected(reason: "conflict")
            throw APIError(.conflict, "conflict", reason)
        }
    }

    /// NDJSON in, one NDJSON answer per line out, in order and as the body
    /// streams. Each referral goes to the group commit (`IntakeCommitter`)
    /// as soon as its line is parsed, while the next lines are read: up to
    /// `batchWindow` referrals or `batchWindowBytes` of them wait for their
    /// commit at once, so reading, parsing and the disk overlap and a
    /// transaction takes whatever arrived while the last one was syncing
    /// (committing each chunk's lines before reading on held the stream to
    /// one fsync per line or two, bench-serve). Memory is bounded by the
    /// window and a line. The last line is a summary.
    @Sendable func submitBatch(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.submit, request)
        let committer = self.committer, metrics = self.metrics, maxLine = configuration.maxBatchLineBytes
        let start = Self.parser(context)
        let body = ResponseBody { writer in
            var parser = start
            var splitter = LineSplitter(maxLine: maxLine)
            var counts = (accepted: 0, already: 0, rejected: 0, conflicts: 0)
            var window = BatchWindow()

            /// Answers the oldest lines: all of them when `all`, else until
            /// the window is back within its bounds.
            func answerOldest(all: Bool) async throws {
                var out: [UInt8] = []
                while let oldest = window.first, all || window.count > Self.batchWindow || window.bytes > Self.batchWindowBytes {
                    window.removeFirst()
                    out += try await answer(oldest).bytes
                    out.append(UInt8(ascii: "\n"))
                }
                if !out.isEmpty { try await writer.write(ByteBuffer(bytes: out)) }
            }

            func answer(_ entry: BatchWindow.Entry) async throws -> JSONObject {
                var object = JSONObject()
                switch entry {
                case let .rejected(line, id, reason):
                    object.add("id", string: id)
                    object.add("line", int: line)
                    object.add("reason", string: reason)
                    object.add("status", string: "rejected")
                    counts.rejected += 1
                    metrics.rejected(reason: "invalid")
                case let .accepting(line, id, source, _, task):
                    object.add("id", string: id)
                    object.add("line", int: line)
                    let outcome: AcceptOutcome
                    do { outcome = try await task.value } catch let error as QueueError where error.kind == .invalidArgument {
                        object.add("reason", string: error.message)
                        object.add("status", string: "rejected")
                        counts.rejected += 1
                        metrics.rejected(reason: "invalid")
                        return object
                    }
                    switch outcome {
                    case .accepted:
                        object.add("status", string: "accepted")
                        object.add("status_url", string: Self.statusURL(id))
                        counts.accepted += 1
                        metrics.accepted(source: source)
                    case .alreadyAccepted:
                        object.add("status", string: "already-accepted")
                        object.add("status_url", string: Self.statusURL(id))
                        counts.already += 1
                    case let .conflict(reason):
                        object.add("reason", string: reason)
                        object.add("status", string: "conflict")
                        counts.conflicts += 1
                        metrics.rejected(reason: "conflict")
                    }
                }
                return object
            }

            func take(_ lines: [LineSplitter.Line]) async throws {
                for line in lines {
                    switch line {
                    case let .tooLong(number):
                        window.append(.rejected(line: number, id: nil, reason: "the line is longer than \(maxLine) bytes"))
                    case let .text(number, bytes):
                        switch parser.record(json: bytes, line: number) {
                        case let .rejected(error):
                            window.append(.rejected(line: number, id: error.id, reason: error.reason))
                        case let .referral(referral, _):
                            let actor = identity.actor
                            let task = Task { try await committer.accept(referral, actor: actor) }
                            window.append(.accepting(line: number, id: referral.id, source: referral.source, bytes: bytes.count, task))
                        }
                    }
                }
                try await answerOldest(all: false)
            }

            // A stream that fails part way leaves what was committed
            // accepted (the client sends it again; accepting is idempotent).
            for try await chunk in request.body {
                let lines = splitter.push(chunk)
                if !lines.isEmpty { try await take(lines) }
            }
            try await take(splitter.finish())
            try await answerOldest(all: true)
            var summary = JSONObject()
            summary.add("accepted", int: counts.accepted)
            summary.add("already_accepted", int: counts.already)
            summary.add("conflicts", int: counts.conflicts)
            summary.add("rejected", int: counts.rejected)
            var last = JSONObject()
            last.add("summary", object: summary)
            try await writer.write(ByteBuffer(bytes: last.bytes + [UInt8(ascii: "\n")]))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    /// Referrals of a streamed batch waiting for their commit at most, and
    /// their lines' bytes at most.
    static let batchWindow = 1024
    static let batchWindowBytes = 32 << 20

    /// Pending, or assessed with its assessment and case. An intake token
    /// sees only the referrals it submitted (any other id is not found).
    @Sendable func status(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(context.identity?.may(.readQueue) == true ? .readQueue : .submit, request)
        let id = try context.parameters.require("id")
        let store = self.store
        let (status, accepter) = try await Blocking.run { (try store.intakeStatus(id), try store.acceptedBy(id)) }
        guard let status, identity.may(.readQueue) || accepter == identity.actor else {
            throw APIError.notFound("no referral \(id) was accepted" + (identity.may(.readQueue) ? "" : " from this token"))
        }
        guard case let .filed(caseID, filedAt) = status else { return Self.json(.ok, Self.statusObject(id, status: status)) }
        let detail = try await Blocking.run { try store.show(caseID) }
        var object = JSONObject()
        if let filed = detail.referrals.first(where: { $0.id == id }) { object.add("assessment", raw: filed.assessment.json()) }
        object.add("case", object: detail.queueCase.jsonObject)
        object.add("id", string: id)
        object.add("received_at", string: Timestamp(milliseconds: filedAt).iso8601Milliseconds)
        object.add("status", string: "assessed")
        object.add("status_url", string: Self.statusURL(id))
        return Self.json(.ok, object)
    }

    static func parser(_ context: TriageRequestContext) -> ReferralParser {
        var parser = ReferralParser(input: "request \(context.requestID)", paths: .refused)
        parser.refusesUnknownFields = true
        return parser
    }

    static func statusURL(_ id: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#%")
        return "/api/v1/referrals/" + (id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id)
    }

    /// Members in key order, as `JSONObject` requires.
    static func statusObject(_ id: String, status: IntakeStatus, alreadyAccepted: Bool = false) -> JSONObject {
        var object = JSONObject()
        if alreadyAccepted { object.add("already_accepted", bool: true) }
        switch status {
        case let .pending(at):
            object.add("id", string: id)
            object.add("received_at", string: Timestamp(milliseconds: at).iso8601Milliseconds)
            object.add("status", string: "pending")
        case let .filed(caseID, at):
            object.add("case_id", string: caseID)
            object.add("id", string: id)
            object.add("received_at", string: Timestamp(milliseconds: at).iso8601Milliseconds)
            object.add("status", string: "assessed")
        }
        object.add("status_url", string: statusURL(id))
        return object
    }

    static func json(_ status: HTTPResponse.Status, _ object: JSONObject, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: object.bytes + [UInt8(ascii: "\n")])))
    }
}

/// The lines of a streamed batch not answered yet, oldest first, with the
/// bytes of the referrals among them.
struct BatchWindow {
    enum Entry {
        case rejected(line: Int, id: String?, reason: String)
        /// Its commit under way (what answering it needs besides).
        case accepting(line: Int, id: String, source: Referral.Source, bytes: Int, Task<AcceptOutcome, any Error>)
    }

    private var entries: [Entry] = []
    private var head = 0
    private(set) var bytes = 0

    var count: Int { entries.count - head }
    var first: Entry? { head < entries.count ? entries[head] : nil }

    mutating func append(_ entry: Entry) {
        if case let .accepting(_, _, _, size, _) = entry { bytes += size }
        entries.append(entry)
    }

    mutating func removeFirst() {
        if case let .accepting(_, _, _, size, _) = entries[head] { bytes -= size }
        head += 1
        if head > 256 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
