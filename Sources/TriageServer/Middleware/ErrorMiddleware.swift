import HTTPTypes
import Hummingbird
import Logging
import TriageEngine

/// Turns every error a route or middleware throws into the API's one error
/// shape (`APIError`): the queue's refusals by their kind, Hummingbird's
/// own (no route, a body too large, a malformed request) by their status,
/// anything else as a 500 that is logged with the request id and says
/// nothing of its cause to the caller.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = TriageRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(error, request: request)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            return Self.response(apiError, requestID: context.requestID)
        }
    }

    static func apiError(_ error: any Error, request: Request) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as QueueError: return APIError(error)
        case let error as HTTPError: return fromStatus(error.status, error.body, request: request)
        // NIO's "too many bytes" from a body collected up to a limit, and the like.
        case let error as any HTTPResponseError: return fromStatus(error.status, nil, request: request)
        default:
            return APIError(.internalServerError, "internal", "the server could not complete the request; it is logged under this request id")
        }
    }

    static func fromStatus(_ status: HTTPResponse.Status, _ message: String?, request: Request) -> APIError {
        switch status {
        case .notFound: return .notFound("no such route: \(request.method) \(request.uri.path)")
        case .methodNotAllowed: return APIError(.methodNotAllowed, "method-not-allowed", "\(request.method) is not allowed on \(request.uri.path)")
        case .contentTooLarge: return APIError(.contentTooLarge, "too-large", message ?? "the request body is larger than this route accepts")
        default: return APIError(status, status.code >= 500 ? "internal" : "bad-request", message ?? status.reasonPhrase)
        }
    }

    static func response(_ error: APIError, requestID: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retry = error.retryAfter { headers[.retryAfter] = String(retry) }
        let body = error.body(requestID: requestID)
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
