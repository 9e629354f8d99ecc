import Encoders
import Foundation

/// What a fetch saw, kept as evidence with the bytes: where it went, what
/// answered, when, and the SHA-256 of the body exactly as received.
public struct FetchRecord: Sendable, Equatable, Codable {
    /// One redirect: the URL asked for, the status that answered and where it pointed.
    public struct Hop: Sendable, Equatable, Codable {
        public var url: String
        public var status: Int
        public var location: String

        public init(url: String, status: Int, location: String) {
            self.url = url
            self.status = status
            self.location = location
        }
    }

    public struct Header: Sendable, Equatable, Codable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var requestedURL: String
    public var hops: [Hop] = []
    /// The URL of the response whose body was kept.
    public var finalURL: String?
    public var status: Int?
    public var headers: [Header] = []
    /// The address and port actually connected to for the final response.
    public var primaryIP: String?
    public var primaryPort: Int?
    /// UTC, ISO 8601 with milliseconds.
    public var startedAt: String
    public var endedAt: String
    /// For https: whether the certificate chain and name verified.
    public var tlsVerified: Bool?
    /// Body bytes kept (at most the limit) and bytes the server sent before
    /// the fetch stopped reading.
    public var bodyBytes: Int = 0
    /// Hex SHA-256 of the body as kept.
    public var sha256: String?
    /// The body is partial: cut at the size limit, or stopped by the clock
    /// or a broken connection part-way (`truncation` says which).
    public var truncated = false
    public var failure: FetchFailure?
    /// A sentence for a person: what went wrong, with the address or limit.
    public var failureDetail: String?
    public var curlVersion: String

    /// A record of a fetch just started: what was asked for, when, by which libcurl.
    public init(requestedURL: String, startedAt: String, endedAt: String, curlVersion: String) {
        self.requestedURL = requestedURL
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.curlVersion = curlVersion
    }

    enum CodingKeys: String, CodingKey {
        case requestedURL = "requested_url", hops, finalURL = "final_url", status, headers, primaryIP = "primary_ip", primaryPort = "primary_port"
        case startedAt = "started_at", endedAt = "ended_at", tlsVerified = "tls_verified", bodyBytes = "body_bytes", sha256, truncated
        case failure, failureDetail = "failure_detail", curlVersion = "curl_version"
    }

    /// Why the body is partial, as WARC's `WARC-Truncated` names it
    /// ("length", "time", "disconnect", "unspecified"); nil if it is whole.
    public var truncation: String? {
        guard truncated else { return nil }
        switch failure {
        case .tooLarge?: return "length"
        case .timeout?: return "time"
        case .connection?: return "disconnect"
        default: return "unspecified"
        }
    }

    /// The record as one line of JSON, keys sorted and slashes unescaped (as
    /// assessments are written): how it is stored, exported and embedded.
    /// Written by hand, byte for byte what `JSONEncoder` writes with
    /// `.sortedKeys, .withoutEscapingSlashes` (a test holds them equal), at a
    /// tenth of its cost: one is written for every fetched page.
    public var json: String {
        var out = JSONWriter(reservingCapacity: 1024)
        write(to: &out)
        return out.text
    }

    /// Writes the record as an object into `out` (to embed it in another).
    public func write(to out: inout JSONWriter) {
        out.beginObject()
        out.member("body_bytes", int: bodyBytes)
        out.member("curl_version", string: curlVersion)
        out.member("ended_at", string: endedAt)
        out.member("failure", string: failure?.rawValue)
        out.member("failure_detail", string: failureDetail)
        out.member("final_url", string: finalURL)
        out.key("headers")
        out.beginArray()
        for header in headers {
            out.beginObject()
            out.member("name", string: header.name)
            out.member("value", string: header.value)
            out.endObject()
        }
        out.endArray()
        out.key("hops")
        out.beginArray()
        for hop in hops {
            out.beginObject()
            out.member("location", string: hop.location)
            out.member("status", int: hop.status)
            out.member("url", string: hop.url)
            out.endObject()
        }
        out.endArray()
        out.member("primary_ip", string: primaryIP)
        out.member("primary_port", int: primaryPort)
        out.member("requested_url", string: requestedURL)
        out.member("sha256", string: sha256)
        out.member("started_at", string: startedAt)
        out.member("status", int: status)
        out.member("tls_verified", bool: tlsVerified)
        out.member("truncated", bool: truncated)
        out.endObject()
    }

    /// The response's content type, if it gave one.
    public var contentType: String? { header("content-type") }

    /// The value of the response's last header called `name` (any case).
    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Why a fetch produced no usable page.
public enum FetchFailure: String, Sendable, Codable, CaseIterable {
    /// Not http or https (the first URL or a redirect).
    case scheme
    case badURL = "bad-url"
    case dns
    case refused
    /// The destination is an address the policy refuses (loopback, private, …).
    case blockedDestination = "blocked-destination"
    case timeout
    /// The body passed the size limit (what came before it is kept).
    case tooLarge = "too-large"
    case tooManyRedirects = "too-many-redirects"
    case tls
    /// The server answered 4xx or 5xx (its body is still kept).
    case httpStatus = "http-status"
    /// The connection broke or the server sent nothing.
    case connection
    case other
}
