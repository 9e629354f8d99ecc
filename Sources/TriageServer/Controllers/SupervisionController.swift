import Foundation
import Hummingbird
import TriageEngine
import TriageModel

/// What supervisors and admins do beyond the queue's daily work:
///
///     GET  /api/v1/export?format=csv|ndjson&since=DATE&aggregate=true   supervise
///     GET  /api/v1/service-levels                                       read-queue
///     PUT  /api/v1/service-levels/{band}   {"seconds": N}               supervise
///     POST /api/v1/admin/purge             {"older_than_days": N}       administer
struct SupervisionController {
    let store: any QueueStore

    func register(_ api: RouterGroup<TriageRequestContext>) {
        api.get("export", use: export)
        api.get("service-levels", use: serviceLevels)
        api.put("service-levels/{band}", use: setServiceLevel)
        api.post("admin/purge", use: purge)
    }

    /// Streams the export as the CLI writes it, a few chunks in flight at most.
    @Sendable func export(_ request: Request, context: TriageRequestContext) async throws -> Response {
        _ = try context.require(.supervise, request)
        let parameters = request.uri.queryParameters
        let csv: Bool
        switch parameters["format"] {
        case nil, "csv": csv = true
        case "ndjson": csv = false
        case let other?: throw APIError.unprocessable("unknown format `\(other)` (csv, ndjson)")
        }
        let since = try parameters["since"].map { text -> Int64 in
            guard let time = Timestamp.parse(String(text)) else { throw APIError.unprocessable("`since` must be a date (YYYY-MM-DD) or an ISO 8601 time") }
            return time.milliseconds
        }
        let aggregate = try QueueController.flag(parameters["aggregate"], "aggregate")
        let store = self.store
        let pipe = ChunkPipe()
        let producer = Thread {
            var chunk: [UInt8] = []
            func emit(_ text: String) throws {
                chunk.append(contentsOf: text.utf8)
                if chunk.count >= 64 << 10 {
                    guard pipe.put(chunk) else { throw CancellationError() }
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            do {
                if aggregate {
                    if csv { try emit("group,key,count\n") }
                    for (group, key, count) in try store.aggregate(since: since) {
                        try emit(ExportRow.aggregateLine(group: group, key: key, count: count, csv: csv))
                    }
                } else {
                    if csv { try emit(ExportRow.csvHeader) }
                    try store.export(since: since) { row in try emit(csv ? row.csvLine : row.jsonLine) }
                }
                if !chunk.isEmpty { _ = pipe.put(chunk) }
                pipe.finish()
            } catch {
                pipe.finish(error)
            }
        }
        producer.start()
        let body = ResponseBody { writer in
            do {
                while let chunk = try await Blocking.run({ try pipe.take() }) { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            } catch {
                pipe.close()
                throw error
            }
        }
        let type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment"], body: body)
    }

    @Sendable func serviceLevels(_ request: Request, context: TriageRequestContext) async throws -> Response {
        _ = try context.require(.readQueue, request)
        let store = self.store
        let levels = try await Blocking.run { try store.serviceLevels() }
        return QueueController.json("{" + Band.allCases.compactMap { band in levels.seconds[band].map { "\"\(band.rawValue)\":\($0)" } }
            .joined(separator: ",") + "}")
    }

    /// `{"seconds": N}`: the band's service level, recorded in the audit log.
    @Sendable func setServiceLevel(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.supervise, request)
        let name = try context.parameters.require("band")
        guard let band = Band(rawValue: name.uppercased()) else { throw APIError.notFound("no band \(name)") }
        let seconds = try await JSONBody.read(request, limit: 16 << 10, allowed: ["seconds"]).int("seconds", in: 60...(365 * 86_400))
        guard let seconds else { throw APIError.unprocessable("`seconds` is required") }
        let store = self.store
        try await Blocking.run { try store.setServiceLevel(band, seconds: Int64(seconds), officer: identity.actor) }
        return try await serviceLevels(request, context: context)
    }

    /// `{"older_than_days": N}`: removes the evidence of cases closed with no
    /// further action that long ago (recorded in the audit log).
    @Sendable func purge(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let identity = try context.require(.administer, request)
        let days = try await JSONBody.read(request, limit: 16 << 10, allowed: ["older_than_days"]).int("older_than_days", in: 1...36_500)
        guard let days else { throw APIError.unprocessable("`older_than_days` is required") }
        let store = self.store
        let report = try await Blocking.run { try store.purge(olderThanDays: days, officer: identity.actor) }
        return QueueController.json(#"{"bytes":\#(report.bytes),"captures":\#(report.captures),"cases":\#(report.cases)}"#)
    }
}
