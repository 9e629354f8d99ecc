import Crypto

/// Lower-case hex SHA-256 of `bytes`: how evidence, content fingerprints and
/// fetched bodies are named everywhere.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    Hex.lowercase(SHA256.hash(data: bytes))
}
