import TriageModel
import Foundation

/// URLs as one case knows them: many reports of the same page arrive with
/// different spellings of its address.
public enum CanonicalURL {
    /// Query parameters that only track who clicked where: dropped.
    public static let trackingParameters: Set<String> = ["fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid",
                                                         "_ga", "_gl", "ref_src"]

    /// `url` with the scheme and host lower-cased, the default port, the
    /// fragment and tracking parameters (`utm_*` and `trackingParameters`)
    /// removed, and an empty path written `/`. Nil if it is not an absolute
    /// http(s) URL.
    public static func of(_ url: String) -> String? {
        guard var components = URLComponents(string: url.trimmingWhitespace),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host?.lowercased(), !host.isEmpty else { return nil }
        components.scheme = scheme
        components.host = host.hasSuffix(".") ? String(host.dropLast()) : host
        if (scheme == "http" && components.port == 80) || (scheme == "https" && components.port == 443) { components.port = nil }
        components.fragment = nil
        if components.path.isEmpty { components.path = "/" }
        if let items = components.queryItems {
            let kept = items.filter { item in
                let name = item.name.lowercased()
                return !name.hasPrefix("utm_") && !trackingParameters.contains(name)
            }
            components.queryItems = kept.isEmpty ? nil : kept
        }
        return components.string
    }
}
