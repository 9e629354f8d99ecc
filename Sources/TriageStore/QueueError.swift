/// Why the queue refused or could not do something. `description` is the
/// message for a person: it names the queue file, the case or the field.
public struct QueueError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The file exists but is not a triage queue (another program's database, or not SQLite).
        case notAQueue
        /// Written by a newer triage: this build does not know its schema.
        case newerSchema
        /// The connection could not be made durable (WAL, synchronous=FULL).
        case notDurable
        case unknownCase
        /// A state change that the case's state or holder does not allow.
        case refused
        /// An argument that cannot be used (an empty reason, an unknown band).
        case invalidArgument
        case database
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
