import TriageModel
/// Why the queue refused or could not do something. `description` is the
/// message for a person: it names the queue file, the case or the field.
public struct QueueError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The file exists but is not a triage queue (another program's database, or not SQLite).
        case notAQueue
        /// Written by a newer triage: this build does not know its schema.
        case newerSchema
        /// Opened read-only, but written by an older triage: opening it for
        /// writing migrates it.
        case olderSchema
        /// The connection could not be made durable (WAL, synchronous=FULL).
        case notDurable
        /// Another process holds the queue's write lock (or, while a queue
        /// is created, its folder's lock) for longer than the wait allowed.
        case busy
        /// The queue cannot be written (file, folder or permissions), or was
        /// opened for reading only.
        case readOnly
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
