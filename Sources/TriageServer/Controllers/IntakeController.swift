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
    let intake: IntakeService
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
            intake.wake()
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
    /// streams: lines are accepted a chunk at a time (one transaction each),
    /// so a body of any length needs only a line's worth of memory. The
    /// last line is a summary.
    @Sendable func submitBatch(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.submit, request)
        let store = self.store, intake = self.intake, metrics = self.metrics, maxLine = configuration.maxBatchLineBytes
        let start = Self.parser(context)
        let body = ResponseBody { writer in
            var parser = start
            var splitter = LineSplitter(maxLine: maxLine)
            var counts = (accepted: 0, already: 0, rejected: 0, conflicts: 0)
            /// Answers the lines of one chunk: rejections as they are, the rest accepted together.
            func answer(_ lines: [LineSplitter.Line]) async throws {
                var answers: [JSONObject?] = []
                var referrals: [(index: Int, referral: Referral)] = []
                for line in lines {
                    var object = JSONObject()
                    switch line {
                    case let .tooLong(number):
                        object.add("line", int: number)
                        object.add("reason", string: "the line is longer than \(maxLine) bytes")
                        object.add("status", string: "rejected")
                        counts.rejected += 1
                        metrics.rejected(reason: "invalid")
                        answers.append(object)
                    case let .text(number, bytes):
                        switch parser.record(json: bytes, line: number) {
                        case let .rejected(error):
                            object.add("id", string: error.id)
                            object.add("line", int: number)
                            object.add("reason", string: error.reason)
                            object.add("status", string: "rejected")
                            counts.rejected += 1
                            metrics.rejected(reason: "invalid")
                            answers.append(object)
                        case let .referral(referral, _):
                            referrals.append((answers.count, referral))
                            answers.append(nil)
                        }
                    }
                }
                if !referrals.isEmpty {
                    let batch = referrals.map { (referral: $0.referral, actor: identity.actor) }
                    let outcomes = try await Blocking.run { try store.accept(batch) }
                    for ((index, referral), outcome) in zip(referrals, outcomes) {
                        var object = JSONObject()
                        object.add("id", string: referral.id)
                        object.add("line", int: lines[index].number)
                        switch outcome {
                        case .accepted:
                            object.add("status", string: "accepted")
                            object.add("status_url", string: Self.statusURL(referral.id))
                            counts.accepted += 1
                            metrics.accepted(source: referral.source)
                        case .alreadyAccepted:
                            object.add("status", string: "already-accepted")
                            object.add("status_url", string: Self.statusURL(referral.id))
                            counts.already += 1
                        case let .conflict(reason):
                            // Keys in order: `reason` sorts before `status`.
                            object = JSONObject()
                            object.add("id", string: referral.id)
                            object.add("line", int: lines[index].number)
                            object.add("reason", string: reason)
                            object.add("status", string: "conflict")
                            counts.conflicts += 1
                            metrics.rejected(reason: "conflict")
                        }
                        answers[index] = object
                    }
                    if counts.accepted > 0 { intake.wake() }
                }
                var out: [UInt8] = []
                for object in answers { out += object!.bytes + [UInt8(ascii: "\n")] }
                if !out.isEmpty { try await writer.write(ByteBuffer(bytes: out)) }
            }
            for try await chunk in request.body {
                let lines = splitter.push(chunk.readableBytesView)
                if !lines.isEmpty { try await answer(lines) }
            }
            try await answer(splitter.finish())
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
