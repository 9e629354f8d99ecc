import Encoders
import HTTPTypes
import Hummingbird
import TriageEngine

/// An error the API answers with: an HTTP status, a stable code for
/// programs, and a message for a person. Every error response has one
/// shape, `{"error": {"code": …, "message": …, "request_id": …}}`
/// (`ErrorMiddleware` renders it, with the request's id).
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Seconds to wait before trying again (`429`, `503`).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad-request", message) }
    public static func unprocessable(_ message: String) -> APIError { APIError(.unprocessableContent, "invalid", message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, "not-found", message) }
    public static let unauthenticated = APIError(.unauthorized, "unauthenticated", "sign in, or send an API token as `Authorization: Bearer …`")
    public static func forbidden(_ permission: Permission) -> APIError {
        APIError(.forbidden, "forbidden", "this account or token may not \(permission.rawValue)")
    }

    /// The queue's refusal in HTTP terms: an unknown case is 404, a change
    /// its state or holder does not allow 409, an unusable argument 422, a
    /// queue busy or read-only 503.
    public init(_ error: QueueError) {
        switch error.kind {
        case .unknownCase: self.init(.notFound, "not-found", error.message)
        case .refused: self.init(.conflict, "conflict", error.message)
        case .invalidArgument: self.init(.unprocessableContent, "invalid", error.message)
        case .busy: self.init(.serviceUnavailable, "busy", error.message, retryAfter: 1)
        case .readOnly, .notDurable: self.init(.serviceUnavailable, "unavailable", error.message)
        case .notAQueue, .newerSchema, .olderSchema, .database: self.init(.internalServerError, "queue-error", error.message)
        }
    }

    /// The response body.
    func body(requestID: String) -> [UInt8] {
        var inner = JSONObject()
        inner.add("code", string: code)
        inner.add("message", string: message)
        inner.add("request_id", string: requestID)
        var outer = JSONObject()
        outer.add("error", object: inner)
        return outer.bytes + [UInt8(ascii: "\n")]
    }
}
