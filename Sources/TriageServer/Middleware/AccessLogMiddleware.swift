import Hummingbird
import Logging

/// One log line per request, with its request id, method, path (never the
/// query: it may carry a URL someone reported), status and duration; who
/// made it, when known.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = TriageRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        metrics.request(method: request.method.rawValue, status: response.status.code, elapsed: elapsed)
        context.logger.info("request", metadata: [
            "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
        return response
    }
}
