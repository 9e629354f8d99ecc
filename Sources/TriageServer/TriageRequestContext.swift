import Hummingbird
import Logging

/// Each request's context: Hummingbird's core (logger with the request id,
/// route parameters) and who the caller is, once `AuthenticationMiddleware`
/// has looked.
public struct TriageRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil for anonymous requests (health, the
    /// public report form, sign-in).
    public var identity: Identity?
    /// Whether the identity came from a session cookie (so unsafe methods
    /// need the session's CSRF token).
    public var viaCookie = false
    /// Whether the request carried the session's CSRF token (a header, or a
    /// form's field that its route checked).
    public var csrfVerified = false
    /// Bodies are collected by each route with its own limit
    /// (`ServerConfiguration.maxBodyBytes`); this is Hummingbird's default
    /// for anything that decodes without one.
    public var maxUploadSize: Int { 1 << 20 }

    /// The client's address (the TCP peer: with a proxy in front, the proxy).
    public let remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The request id: in every log line of the request, in the
    /// `X-Request-Id` header of the response, and in every error body.
    public var requestID: String { logger[metadataKey: "hb.request.id"]?.description ?? "-" }
}
