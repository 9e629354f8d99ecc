import Foundation
import HTTPTypes
import Hummingbird
import TriageEngine
import TriageModel

/// `GET /report` and `POST /report`: the form a member of the public
/// reports a page with. No account: a CSRF token tied to a cookie (the
/// double-submit pattern), a size limit, and a limit per client address.
/// The thank-you page shows a reference number and nothing of the
/// assessment. Referrals from it have source `public`.
struct ReportController {
    static let csrfCookie = "triage_report_csrf"

    let committer: IntakeCommitter
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let limiter: RateLimiter

    func register(_ router: Router<TriageRequestContext>) {
        router.get("report", use: form)
        router.post("report", use: submit)
    }

    @Sendable func form(_ request: Request, context: TriageRequestContext) async throws -> Response {
        let token = Accounts.secret()
        var response = Self.page(.ok, title: "Report online terrorist content", body: Self.formHTML(token: token))
        response.setCookie(Cookie(name: Self.csrfCookie, value: token, maxAge: 3600, path: "/report", secure: configuration.tls != nil,
                                  httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func submit(_ request: Request, context: TriageRequestContext) async throws -> Response {
        if let retry = limiter.take(context.remoteAddress ?? "unknown") {
            var response = Self.page(.tooManyRequests, title: "Too many reports",
                                     body: "<p>Too many reports have come from this address in a short time. Please try again in a few minutes.</p>")
            response.headers[.retryAfter] = String(retry)
            return response
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: configuration.maxReportBytes) } catch {
            return Self.page(.contentTooLarge, title: "Report too long",
                             body: "<p>The report is longer than this form accepts. Please shorten the pasted text.</p>")
        }
        let fields = Self.formFields(String(buffer: body))
        guard let cookie = request.cookies[Self.csrfCookie]?.value, let sent = fields["csrf_token"], !cookie.isEmpty,
              Accounts.constantTimeEqual(cookie, sent) else {
            return Self.page(.forbidden, title: "Form expired",
                             body: #"<p>This form has expired or did not come from this site. <a href="/report">Open it again</a>.</p>"#)
        }
        let url = fields["url"]?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let text = fields["text"]?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let note = fields["note"]?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        var problems: [String] = []
        if url == nil && text == nil { problems.append("Give the address of the page, or paste what it says.") }
        if let url, !(url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://")) || url.utf8.count > 4096 {
            problems.append("The address must start with http:// or https://.")
        }
        if (note?.utf8.count ?? 0) > 4096 { problems.append("The note is too long (4,096 characters at most).") }
        guard problems.isEmpty else {
            let token = Accounts.secret()
            var response = Self.page(.unprocessableContent, title: "Report online terrorist content",
                                     body: "<ul class=\"problems\">" + problems.map { "<li>\(escapeHTML($0))</li>" }.joined() + "</ul>"
                                        + Self.formHTML(token: token, url: url, text: text, note: note))
            response.setCookie(Cookie(name: Self.csrfCookie, value: token, maxAge: 3600, path: "/report", secure: configuration.tls != nil,
                                      httpOnly: true, sameSite: .strict))
            return response
        }
        let reference = "public-" + Accounts.secret().prefix(12).lowercased().filter { $0.isLetter || $0.isNumber }
        let referral = Referral(id: reference, url: url, content: text.map { .text(Array($0.utf8)) } ?? .none, source: .public,
                                reportedAt: Timestamp.now.iso8601, reporterNote: note)
        _ = try await committer.accept(referral, actor: "public-form")
        metrics.accepted(source: .public)
        return Self.page(.ok, title: "Thank you", body: """
            <p>Thank you. Your report has been received and will be reviewed.</p>
            <p>Your reference number is <strong>\(escapeHTML(reference))</strong>. Quote it if you contact us about this report.</p>
            <p><a href="/report">Report another page</a></p>
            """)
    }

    static func formHTML(token: String, url: String? = nil, text: String? = nil, note: String? = nil) -> String {
        """
        <p>Use this form to report material online that you think may be terrorist content. Reports are reviewed by police officers. \
        You do not need to give your name.</p>
        <form method="post" action="/report">
          <input type="hidden" name="csrf_token" value="\(escapeHTML(token))">
          <p><label for="url">Address of the page (URL)</label><br>
          <input type="url" id="url" name="url" size="60" maxlength="4096" value="\(escapeHTML(url ?? ""))"></p>
          <p><label for="text">Or paste what the page says (optional)</label><br>
          <textarea id="text" name="text" rows="8" cols="60">\(escapeHTML(text ?? ""))</textarea></p>
          <p><label for="note">Anything else we should know (optional)</label><br>
          <textarea id="note" name="note" rows="3" cols="60" maxlength="4096">\(escapeHTML(note ?? ""))</textarea></p>
          <p><button type="submit">Send report</button></p>
        </form>
        <p>If someone is in immediate danger, call 999.</p>
        """
    }

    static func page(_ status: HTTPResponse.Status, title: String, body: String) -> Response {
        let html = """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>\(escapeHTML(title))</title></head>
            <body>
            <main>
            <h1>\(escapeHTML(title))</h1>
            \(body)
            </main>
            </body>
            </html>

            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `application/x-www-form-urlencoded` fields; a repeated field keeps its first value.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? { String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let key = parts.first.flatMap(decode), fields[key] == nil else { continue }
            fields[key] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }
}

/// Text made safe to put in HTML, in element content and in quoted attributes.
func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(character)
        }
    }
    return out
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
