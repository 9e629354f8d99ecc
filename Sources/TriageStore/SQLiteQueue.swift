import Foundation
import GRDB
import Logging
import Codecs
import TriageModel
import TriageEngine

/// The review queue in one SQLite file: cases, referrals with their
/// assessments, evidence, notes and a hash-chained audit log.
///
/// Durability: the file is in WAL mode with `synchronous=FULL` on every
/// connection (GRDB's pool sets NORMAL on its writer when it turns WAL on, so
/// it is set again and checked after opening), and a busy timeout, so several
/// processes (a batch, officers claiming) share it safely. Every change is
/// one IMMEDIATE transaction that also appends its audit entries: a change
/// and its record commit together or not at all.
public final class SQLiteQueue: QueueStore, @unchecked Sendable {
    /// The file, or nil for an in-memory queue (tests).
    public let path: String?
    let writer: any DatabaseWriter
    /// Milliseconds since 1970; injected so tests can move time.
    let clock: @Sendable () -> Int64

    public static let systemClock: @Sendable () -> Int64 = { Timestamp.now.milliseconds }

    /// How long a writer waits for another process's transaction.
    public static let busyTimeout: TimeInterval = 10

    let logger: Logger

    /// Whether this value may change the queue.
    public let readOnly: Bool

    /// Opens the queue at `path`, creating it (and its folder) if missing,
    /// and migrating it to this build's schema.
    ///
    /// Several processes may open a new queue at the same moment: creating
    /// and migrating happen under an exclusive lock on the queue's folder
    /// (`FolderLock`), so one process creates the file and the others wait,
    /// then find it ready. An up-to-date queue is opened without writing,
    /// so opening works while another process holds the write lock.
    ///
    /// With `readOnly`, the queue is opened for reading only (a file or
    /// folder this user cannot write): nothing is created or migrated, and
    /// every change is refused in words.
    ///
    /// `logger` gets each intake transaction (`info`) and migrations (`notice`).
    public init(path: String, readOnly: Bool = false, clock: @escaping @Sendable () -> Int64 = SQLiteQueue.systemClock,
                logger: Logger = Logger(label: "triage.queue", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        self.path = path
        self.logger = logger
        self.clock = clock
        self.readOnly = readOnly
        try Self.checkHeader(path)
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        if !readOnly {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw QueueError(.readOnly, "\(path): its folder \(folder) cannot be created: \(error.localizedDescription)")
            }
        }
        let lock = try FolderLock(folder, exclusive: !readOnly, timeout: Self.busyTimeout, queue: path)
        defer { lock.unlock() }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.readonly = readOnly
        configuration.prepareDatabase { db in
            guard !readOnly else { return }
            // 16 KiB pages for a new file (SQLite's default is 4): intake's
            // cost goes mostly per page written, and at a million cases
            // bench-queue filed 17.1k/s with 4 KiB pages against 21.4k/s.
            // Without effect on an existing file.
            try db.execute(sql: "PRAGMA page_size = 16384")
            try Self.makeDurable(db)
        }
        do {
            if readOnly {
                writer = try Self.openReadOnly(path, configuration)
            } else {
                let pool = try DatabasePool(path: path, configuration: configuration)
                // The pool's writer turned WAL on after `prepareDatabase`, and
                // with it synchronous=NORMAL: set FULL again, and check.
                try pool.writeWithoutTransaction { db in try Self.makeDurable(db) }
                writer = pool
            }
        } catch let error as DatabaseError {
            throw Self.queueError(error, name: path, readOnly: readOnly)
        } catch let error as QueueError {
            throw error
        } catch {
            throw QueueError(.database, "\(path): \(error)")
        }
        try prepareSchema()
    }

    /// A queue in memory, gone when the value is (tests).
    public init(inMemory clock: @escaping @Sendable () -> Int64 = SQLiteQueue.systemClock, logger: Logger = Logger(label: "triage.queue", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        path = nil
        self.logger = logger
        self.clock = clock
        readOnly = false
        writer = try DatabaseQueue()
        try prepareSchema()
    }

    /// The documented default: `$TRIAGE_DB`, else
    /// `$XDG_DATA_HOME/triage/queue.sqlite`, else
    /// `~/.local/share/triage/queue.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["TRIAGE_DB"], !path.isEmpty { return path }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return data + "/triage/queue.sqlite"
    }

    var name: String { path ?? "the in-memory queue" }

    public var location: String { name }

    public func now() -> Int64 { clock() }

    // MARK: - Opening

    /// A connection that only reads. SQLite reads a WAL-mode file only
    /// where it can use (or make) the `-shm` file beside it; where this user
    /// can do neither, the file is read as immutable, which is sound only
    /// while no `-wal` file holds changes not yet in it.
    private static func openReadOnly(_ path: String, _ configuration: Configuration) throws -> DatabaseQueue {
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        } catch let error as DatabaseError where [.SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode) {
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            guard wal == 0 else {
                throw QueueError(.readOnly, "\(path) cannot be read by this user now: another process's changes are in "
                                     + "\(path)-wal, and reading them needs \(path)-shm, which this user cannot write")
            }
            // A URI filename (SQLite's USE_URI, which Debian's library has):
            // the path's own `?`, `#` and `%` are escaped.
            var escaped = ""
            for scalar in path.unicodeScalars {
                switch scalar {
                case "?", "#", "%": escaped += String(format: "%%%02X", scalar.value)
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return try DatabaseQueue(path: "file:" + escaped + "?immutable=1", configuration: configuration)
        }
    }

    /// A file that exists and is not empty must be SQLite (its first 16 bytes
    /// say so) before SQLite is let near it.
    private static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if !head.isEmpty && head != Data("SQLite format 3\0".utf8) {
            throw QueueError(.notAQueue, "\(path) is not a triage queue: not an SQLite database")
        }
    }

    private static func makeDurable(_ db: Database) throws {
        try db.execute(sql: "PRAGMA synchronous = FULL")
        // 64 MiB of page cache a connection (SQLite's default is 2 MiB):
        // intake updates several indexes at random places, and at a million
        // cases they no longer fit the default. Bounded, whatever the queue's size.
        try db.execute(sql: "PRAGMA cache_size = -65536")
        // Checkpoint when the log reaches 8,192 pages, 128 MiB (SQLite's
        // default is 1,000): intake rewrites the same index pages transaction
        // after transaction, and a checkpoint copies a page once however
        // often it was logged.
        try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
        let level = try Int.fetchOne(db, sql: "PRAGMA synchronous")
        guard level == 2 else {
            throw QueueError(.notDurable, "\(db.description): synchronous is \(level.map(String.init) ?? "unknown"), not FULL (2)")
        }
    }

    /// Claims a new file as ours, refuses another program's database or a
    /// newer schema, and runs the migrations this file has not had. It
    /// reads first and writes only what is missing, so opening an
    /// up-to-date queue takes no write lock. (Callers hold `FolderLock`, so
    /// no other process migrates meanwhile.)
    private func prepareSchema() throws {
        let migrator = QueueSchema.migrator()
        try mapErrors {
            let (claimed, current) = try writer.read { db -> (Bool, Bool) in
                let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") ?? 0
                if applicationID != QueueSchema.applicationID && !(applicationID == 0 && tables == 0) {
                    throw QueueError(.notAQueue, "\(self.name) is not a triage queue: it is another program's SQLite database")
                }
                if try migrator.hasBeenSuperseded(db) {
                    let applied = try migrator.appliedIdentifiers(db).count
                    throw QueueError(.newerSchema, "\(self.name) was written by a newer triage (schema version \(applied); "
                                         + "this build knows up to \(QueueSchema.version)): use that version")
                }
                let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                return (applicationID == QueueSchema.applicationID,
                        try migrator.hasCompletedMigrations(db) && userVersion == QueueSchema.version)
            }
            if claimed && current { return }
            guard !readOnly else {
                throw QueueError(.olderSchema, "\(self.name) needs migrating to this build's schema (version \(QueueSchema.version)), "
                                     + "and it is opened read-only: open it once with a command that can write it")
            }
            try writer.writeWithoutTransaction { db in
                if !claimed { try db.execute(sql: "PRAGMA application_id = \(QueueSchema.applicationID)") }
            }
            let before = try writer.read { db in try migrator.appliedIdentifiers(db) }
            try migrator.migrate(writer)
            logger.notice(claimed ? "migrated" : "created", metadata: [
                "queue": "\(name)", "schema": "\(QueueSchema.version)",
                "migrations": "\(QueueSchema.version - before.count)"])
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA user_version = \(QueueSchema.version)")
            }
        }
    }

    // MARK: - Transactions

    /// `body` in one IMMEDIATE transaction: the write lock is taken first, so
    /// two processes never both read a case as free and then both take it.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try mapErrors {
            try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mapErrors { try writer.read { db in try body(db) } }
    }

    func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as QueueError { throw error } catch let error as DatabaseError {
            throw Self.queueError(error, name: name, readOnly: readOnly)
        }
    }

    /// SQLite's error in words: which file, and what happened to it.
    static func queueError(_ error: DatabaseError, name: String, readOnly: Bool) -> QueueError {
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return QueueError(.notAQueue, "\(name) is not a triage queue: not an SQLite database")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return QueueError(.busy, "\(name) is locked by another process, which has held it for more than "
                                  + "\(Int(busyTimeout)) s (a batch filing, or a program with it open): nothing was changed; "
                                  + "try again when that process has finished")
        case .SQLITE_READONLY:
            return QueueError(.readOnly, readOnly
                ? "\(name) is opened read-only: this command changes the queue"
                : "\(name) is read-only (this user cannot write the file, its folder, or its -wal and -shm files): "
                    + "nothing was changed; reading commands (list, show, stats, export, verify) still work")
        case .SQLITE_CANTOPEN:
            return QueueError(.readOnly, "\(name) cannot be opened: the file or its folder cannot be read or written by this user "
                                      + "(SQLite needs to write the -wal and -shm files beside it)")
        case .SQLITE_PERM, .SQLITE_AUTH:
            return QueueError(.readOnly, "\(name): permission denied")
        case .SQLITE_FULL:
            return QueueError(.database, "\(name): the disk is full: nothing was changed")
        case .SQLITE_CORRUPT:
            return QueueError(.database, "\(name) is damaged (SQLite reports corruption): \(error.message ?? "")")
        default:
            return QueueError(.database, "\(name): \(error.message ?? "\(error)")")
        }
    }

    /// `PRAGMA synchronous` on the writer and on a reader connection (2 is FULL).
    public func synchronousLevels() throws -> (writer: Int, reader: Int) {
        let w = try writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        let r = try writer.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        return (w, r)
    }

    public func journalMode() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}

extension Band {
    init(rank: Int) { self = Band.allCases[min(max(rank, 0), Band.allCases.count - 1)] }
}

extension SQLiteQueue {
    /// Merges the recent case keys into the main key index now, however few
    /// (tests; intake merges at `recentKeys(cases:)`).
    func mergeRecentKeys() throws {
        try write { db in try Self.mergeRecentKeys(db, atLeast: 1) }
    }

    /// Moves the write-ahead log into the database file (for measuring its size).
    public func checkpoint() throws {
        try mapErrors { try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") } }
    }

    /// Bytes of evidence stored (page bytes, each once).
    public func evidenceBytes() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM evidence") ?? 0 }
    }
}
