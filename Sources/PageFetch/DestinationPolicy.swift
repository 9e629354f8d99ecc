/// Which addresses a fetch may connect to. A referral's URL is chosen by
/// someone who may be hostile: it must not reach the unit's own network,
/// the machine itself or a cloud provider's metadata service. Addresses are
/// judged as numbers, after resolution, on the address a socket is about to
/// connect to, so no spelling of a host (`2130706433`, `0x7f.1`, `127.1`,
/// `[::ffff:7f00:1]`) and no DNS answer that changes between lookups can
/// slip past.
public struct DestinationPolicy: Sendable, Equatable {
    /// Admits one loopback port: for tests, which run their own server on
    /// 127.0.0.1. Never set in production.
    public var allowedLoopbackPort: UInt16?

    public init(allowedLoopbackPort: UInt16? = nil) {
        self.allowedLoopbackPort = allowedLoopbackPort
    }

    /// Why an address is refused, or nil when it is a public unicast address.
    public enum Refusal: String, Sendable, Equatable {
        case unspecified, loopback, `private`, linkLocal = "link-local", carrierGradeNAT = "carrier-grade-nat", multicast, reserved
        case documentation, benchmarking, sharedTranslation = "ipv4-ipv6-translation", uniqueLocal = "unique-local", broadcast
    }

    /// The verdict on connecting to `address` (4 or 16 bytes) on `port`.
    public func refusal(_ address: [UInt8], port: UInt16) -> Refusal? {
        let verdict = Self.classify(address)
        if verdict == .loopback, let allowed = allowedLoopbackPort, allowed == port { return nil }
        return verdict
    }

    /// What kind of address this is; nil for public unicast.
    public static func classify(_ address: [UInt8]) -> Refusal? {
        switch address.count {
        case 4: return classify(ipv4: address)
        case 16: return classify(ipv6: address)
        default: return .reserved
        }
    }

    static func classify(ipv4 a: [UInt8]) -> Refusal? {
        let value = UInt32(a[0]) << 24 | UInt32(a[1]) << 16 | UInt32(a[2]) << 8 | UInt32(a[3])
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { bits == 0 || value >> (32 - bits) == base >> (32 - bits) }
        if value == 0xFFFF_FFFF { return .broadcast }
        if within(0x0000_0000, 8) { return .unspecified }  // 0.0.0.0/8: "this network"
        if within(0x7F00_0000, 8) { return .loopback }
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) { return .private }
        if within(0xA9FE_0000, 16) { return .linkLocal }  // 169.254/16, cloud metadata 169.254.169.254 among them
        if within(0x6440_0000, 10) { return .carrierGradeNAT }  // 100.64/10
        if within(0xC000_0000, 24) { return .reserved }  // 192.0.0/24: IETF protocol assignments
        if within(0xC000_0200, 24) || within(0xC633_6400, 24) || within(0xCB00_7100, 24) { return .documentation }
        if within(0xC612_0000, 15) { return .benchmarking }  // 198.18/15
        if within(0xC058_6300, 24) { return .reserved }  // 192.88.99/24: former 6to4 relays
        if within(0xE000_0000, 4) { return .multicast }
        if within(0xF000_0000, 4) { return .reserved }  // 240/4
        return nil
    }

    static func classify(ipv6 a: [UInt8]) -> Refusal? {
        func prefix(_ bytes: [UInt8], bits: Int) -> Bool {
            for i in 0..<(bits / 8) where a[i] != bytes[i] { return false }
            let rest = bits % 8
            guard rest > 0 else { return true }
            let mask = UInt8(0xFF) << (8 - rest)
            return a[bits / 8] & mask == bytes[bits / 8] & mask
        }
        if a.allSatisfy({ $0 == 0 }) { return .unspecified }
        if a[0..<15].allSatisfy({ $0 == 0 }) && a[15] == 1 { return .loopback }
        // IPv4 embedded in IPv6: judged as the IPv4 address it carries.
        if a[0..<10].allSatisfy({ $0 == 0 }) && a[10] == 0xFF && a[11] == 0xFF { return classify(ipv4: Array(a[12..<16])) }  // ::ffff:0:0/96
        if a[0..<12].allSatisfy({ $0 == 0 }) { return classify(ipv4: Array(a[12..<16])) ?? .reserved }  // ::/96, IPv4-compatible (deprecated)
        if prefix([0x00, 0x64, 0xFF, 0x9B], bits: 32) && a[4..<12].allSatisfy({ $0 == 0 }) {  // 64:ff9b::/96, NAT64
            return classify(ipv4: Array(a[12..<16]))
        }
        if prefix([0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01], bits: 48) { return .sharedTranslation }  // 64:ff9b:1::/48, local NAT64
        if prefix([0x20, 0x02], bits: 16) { return classify(ipv4: Array(a[2..<6])) }  // 2002::/16, 6to4
        if prefix([0x20, 0x01, 0x00, 0x00], bits: 32) { return .sharedTranslation }  // 2001::/32, Teredo
        if prefix([0x20, 0x01, 0x0D, 0xB8], bits: 32) || prefix([0x3F, 0xFF], bits: 20) { return .documentation }
        if prefix([0x20, 0x01, 0x00, 0x02, 0x00, 0x00], bits: 48) { return .benchmarking }
        if prefix([0x01, 0x00, 0, 0, 0, 0, 0, 0], bits: 64) { return .reserved }  // 100::/64, discard-only
        if prefix([0xFC], bits: 7) { return .uniqueLocal }
        if prefix([0xFE, 0x80], bits: 10) { return .linkLocal }
        if prefix([0xFE, 0xC0], bits: 10) { return .private }  // deprecated site-local
        if prefix([0xFF], bits: 8) { return .multicast }
        if !prefix([0x20], bits: 3) { return .reserved }  // only 2000::/3 is global unicast
        return nil
    }
}
