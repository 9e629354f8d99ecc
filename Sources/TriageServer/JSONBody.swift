import Foundation
import Hummingbird

/// A small JSON object from a request body, read strictly: an object, no
/// field the route does not know, each field of the type it must be. What
/// the queue's routes take (a decision, a note), where a misspelt field
/// silently ignored would be a decision recorded without its reason.
struct JSONBody {
    private let object: [String: Value]

    /// A member's value, as far as a route needs to tell.
    enum Value: Decodable {
        case null, bool(Bool), int(Int), number(Double), string(String), array, object

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
            else if let int = try? container.decode(Int.self) { self = .int(int) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else if let string = try? container.decode(String.self) { self = .string(string) }
            else if (try? container.decode([Value].self)) != nil { self = .array }
            else { _ = try container.decode([String: Value].self); self = .object }
        }
    }

    /// Collects at most `limit` bytes (413 beyond) and parses them; an empty
    /// body is an empty object.
    static func read(_ request: Request, limit: Int, allowed: Set<String>) async throws -> JSONBody {
        let buffer = try await request.body.collect(upTo: limit)
        if buffer.readableBytes == 0 { return JSONBody(object: [:]) }
        let data = Data(buffer.readableBytesView)
        guard let parsed = try? JSONDecoder().decode(Value.self, from: data) else { throw APIError.badRequest("the body is not valid JSON") }
        guard case .object = parsed, let object = try? JSONDecoder().decode([String: Value].self, from: data) else {
            throw APIError.badRequest("the body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.unprocessable("unknown field `\(unknown)` (this route takes \(allowed.sorted().map { "`\($0)`" }.joined(separator: ", ")))")
        }
        return JSONBody(object: object)
    }

    func string(_ key: String) throws -> String? {
        switch object[key] {
        case nil, .null: return nil
        case let .string(string): return string
        default: throw APIError.unprocessable("`\(key)` must be a string")
        }
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        let int: Int
        switch object[key] {
        case nil, .null: return nil
        case let .int(value): int = value
        default: throw APIError.unprocessable("`\(key)` must be a whole number")
        }
        guard range.contains(int) else { throw APIError.unprocessable("`\(key)` must be within \(range.lowerBound)...\(range.upperBound)") }
        return int
    }
}
