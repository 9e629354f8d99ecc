import GRDB
import TriageModel
import TriageEngine

/// The queue's tables, as an append-only list of migrations: a released
/// migration is never edited, a change is a new one at the end. A test
/// migrates from every earlier version to the latest and compares the result
/// with a queue created new.
enum QueueSchema {
    /// `PRAGMA application_id`: "TRQU". A database without it is not ours.
    static let applicationID: Int32 = 0x5452_5155

    /// Migrations in order; the schema version is how many have run.
    static let migrations: [(id: String, migrate: @Sendable (Database) throws -> Void)] = [
        ("v1-cases-referrals-audit", { try $0.execute(sql: v1) }),
        ("v2-case-numbers-intake-entries", migrateToV2),
        ("v3-pending-intake", { try $0.execute(sql: v3) }),
        ("v4-accounts", { try $0.execute(sql: v4) }),
    ]

    /// Who may use a server over the queue (`AccountStore`): users with a
    /// bcrypt password hash and a role, their sessions (by the SHA-256 of
    /// the cookie's id, never the id) and API tokens (by the SHA-256 of the
    /// token, shown once when made). Changes to users and tokens are in the
    /// audit log; sign-ins and sessions are not (they change no case).
    static let v4 = """
            CREATE TABLE users (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
                password_hash TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                failed_logins INTEGER NOT NULL DEFAULT 0,
                locked_until INTEGER,
                last_login_at INTEGER
            );
            CREATE TABLE sessions (
                id_hash TEXT PRIMARY KEY,
                user TEXT NOT NULL REFERENCES users (name),
                csrf_token TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL
            );
            CREATE INDEX sessions_by_user ON sessions (user);
            CREATE TABLE api_tokens (
                hash TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                scope TEXT NOT NULL CHECK (scope IN ('intake', 'read', 'review', 'admin')),
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                last_used_at INTEGER,
                revoked_at INTEGER
            );
            CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
            """

    /// Referrals accepted (a server's `202 Accepted`) and not yet filed:
    /// the record that makes an acknowledgement durable. A worker leases
    /// pending rows (`worker`, `lease_until`); a lease that ended returns
    /// them, so a process killed mid-assessment loses nothing. Filing a
    /// referral marks its row `filed` in the same transaction that inserts
    /// the referral, so a restart files each exactly once. The content is
    /// dropped once filed (the evidence table holds it by hash); rows
    /// accepted by later builds never hold it: it goes straight into the
    /// evidence table, once.
    static let v3 = """
            CREATE TABLE intake_pending (
                seq INTEGER PRIMARY KEY,
                referral_id TEXT NOT NULL UNIQUE,
                url TEXT,
                content_kind TEXT CHECK (content_kind IN ('html', 'text', 'bytes')),
                content BLOB,
                content_type TEXT,
                content_sha256 TEXT,
                source TEXT NOT NULL,
                reported_at TEXT,
                reporter_note TEXT,
                platform TEXT,
                received_at INTEGER NOT NULL,
                accepted_by TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'filed')),
                worker TEXT,
                lease_until INTEGER,
                case_id TEXT,
                filed_at INTEGER
            );
            CREATE INDEX intake_pending_waiting ON intake_pending (seq) WHERE state = 'pending';
            """

    static let v1 = """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            -- Rule sets by the fingerprint of their sources: cases and
            -- referrals name theirs by number.
            CREATE TABLE rule_sets (
                id INTEGER PRIMARY KEY,
                fingerprint TEXT NOT NULL UNIQUE
            );
            -- One row per case. band_rank orders bands (P1 = 0); state is
            -- new, in-review (officer and lease_until set) or decided.
            CREATE TABLE cases (
                id TEXT PRIMARY KEY,
                state TEXT NOT NULL CHECK (state IN ('new', 'in-review', 'decided')),
                band TEXT NOT NULL,
                band_rank INTEGER NOT NULL,
                score INTEGER NOT NULL,
                primary_category TEXT,
                referral_count INTEGER NOT NULL,
                url TEXT,
                rule_set INTEGER NOT NULL REFERENCES rule_sets (id),
                opened_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                officer TEXT,
                lease_until INTEGER,
                decision TEXT,
                duplicate_of TEXT,
                decided_at INTEGER,
                decided_by TEXT,
                decided_band_rank INTEGER
            );
            -- Claiming reads this index in order: the first new case is the next one.
            CREATE INDEX cases_order ON cases (state, band_rank, score DESC, opened_at, id);
            CREATE INDEX cases_leases ON cases (lease_until) WHERE state = 'in-review';
            -- 'url:<canonical url>' or 'content:<sha-256 of the normalised text>'.
            CREATE TABLE case_keys (
                key TEXT PRIMARY KEY,
                case_id TEXT NOT NULL REFERENCES cases (id)
            ) WITHOUT ROWID;
            CREATE TABLE referrals (
                id TEXT PRIMARY KEY,
                case_id TEXT NOT NULL REFERENCES cases (id),
                received_at INTEGER NOT NULL,
                url TEXT,
                source TEXT NOT NULL,
                reported_at TEXT,
                reporter_note TEXT,
                platform TEXT,
                content_sha256 TEXT,
                band TEXT NOT NULL,
                score INTEGER NOT NULL,
                rule_set INTEGER NOT NULL REFERENCES rule_sets (id),
                policy TEXT NOT NULL,
                -- The assessment's JSON, zlib-compressed (see Deflate).
                assessment BLOB NOT NULL
            );
            CREATE INDEX referrals_case ON referrals (case_id);
            -- Active rules that held, for per-rule counts and precision.
            CREATE TABLE referral_rules (
                referral_id TEXT NOT NULL REFERENCES referrals (id),
                rule TEXT NOT NULL,
                category TEXT NOT NULL,
                PRIMARY KEY (referral_id, rule)
            ) WITHOUT ROWID;
            -- Page bytes by their SHA-256: stored once however often captured.
            CREATE TABLE evidence (
                sha256 TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                bytes BLOB NOT NULL
            );
            -- Each time bytes were read for a case; never overwritten. A later
            -- capture of the same case points at the one before it.
            CREATE TABLE captures (
                id INTEGER PRIMARY KEY,
                case_id TEXT NOT NULL REFERENCES cases (id),
                referral_id TEXT NOT NULL REFERENCES referrals (id),
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                content_type TEXT,
                captured_at INTEGER NOT NULL,
                previous_id INTEGER REFERENCES captures (id),
                purged_at INTEGER,
                -- When the engine fetched the bytes: the fetch record (JSON).
                fetch TEXT,
                -- For a recheck: present, changed, removed or failed.
                recheck TEXT
            );
            CREATE INDEX captures_case ON captures (case_id);
            CREATE TABLE notes (
                id INTEGER PRIMARY KEY,
                case_id TEXT NOT NULL REFERENCES cases (id),
                officer TEXT NOT NULL,
                at INTEGER NOT NULL,
                text TEXT NOT NULL
            );
            CREATE INDEX notes_case ON notes (case_id);
            -- Append-only: each entry's hash covers the previous entry's hash.
            CREATE TABLE audit (
                seq INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                case_id TEXT,
                referral_id TEXT,
                from_state TEXT,
                to_state TEXT,
                reason TEXT,
                rules TEXT,
                digest TEXT,
                hash BLOB NOT NULL
            );
            CREATE INDEX audit_case ON audit (case_id);
            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
                BEGIN SELECT RAISE(ABORT, 'evidence is never overwritten'); END;
            """

    /// Version 2: what intake writes is appended rather than scattered, so
    /// filing stays fast at millions of cases (DESIGN.md, "Intake").
    /// - Cases are numbered in the order they opened (`no`, the rowid) and
    ///   referrals name their case by number: the index of referrals by case
    ///   grows at its end. A case's public id (`case-` and 16 hex digits, the
    ///   hash of the first key it was filed under) stays in `id`, unindexed:
    ///   it is found through `case_index`, where its own key is.
    /// - `case_keys` (text keys) becomes `case_index`: the first 8 bytes of a
    ///   key's SHA-256 as an integer, the same hash that names a case. New
    ///   keys go to `case_index_recent`, merged into `case_index` in key
    ///   order when it grows large (see `SQLiteQueue.recentKeys(cases:)`): keys are
    ///   random, so adding them one by one to a large index would rewrite a
    ///   page of it for nearly every key.
    /// - A referral records the audit entry that filed it (`intake`): one
    ///   entry per intake transaction, whose digest covers every referral row
    ///   it filed, instead of one entry per referral. Referrals filed before
    ///   (version 1) keep their own entries (`intake` NULL).
    /// - Its case's size when it joined (`case_size`): the stored assessment
    ///   no longer carries the case, so it can be serialised before the case
    ///   is known, away from the queue's single writer.
    /// - Captures and notes name their case by public id.
    @Sendable static func migrateToV2(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE cases_v2 (
                no INTEGER PRIMARY KEY,
                id TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('new', 'in-review', 'decided')),
                band TEXT NOT NULL,
                band_rank INTEGER NOT NULL,
                score INTEGER NOT NULL,
                primary_category TEXT,
                referral_count INTEGER NOT NULL,
                url TEXT,
                rule_set INTEGER NOT NULL REFERENCES rule_sets (id),
                opened_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                officer TEXT,
                lease_until INTEGER,
                decision TEXT,
                duplicate_of TEXT,
                decided_at INTEGER,
                decided_by TEXT,
                decided_band_rank INTEGER
            );
            INSERT INTO cases_v2 (no, id, state, band, band_rank, score, primary_category, referral_count, url, rule_set, opened_at,
                                  updated_at, officer, lease_until, decision, duplicate_of, decided_at, decided_by, decided_band_rank)
                SELECT rowid, id, state, band, band_rank, score, primary_category, referral_count, url, rule_set, opened_at,
                       updated_at, officer, lease_until, decision, duplicate_of, decided_at, decided_by, decided_band_rank
                FROM cases ORDER BY opened_at, rowid;
            CREATE TABLE case_index (
                key_hash INTEGER PRIMARY KEY,
                case_no INTEGER NOT NULL REFERENCES cases_v2 (no)
            );
            CREATE TABLE case_index_recent (
                key_hash INTEGER PRIMARY KEY,
                case_no INTEGER NOT NULL REFERENCES cases_v2 (no)
            );
            CREATE TABLE referrals_v2 (
                id TEXT PRIMARY KEY,
                case_no INTEGER NOT NULL REFERENCES cases_v2 (no),
                case_size INTEGER,
                intake INTEGER,
                received_at INTEGER NOT NULL,
                url TEXT,
                source TEXT NOT NULL,
                reported_at TEXT,
                reporter_note TEXT,
                platform TEXT,
                content_sha256 TEXT,
                band TEXT NOT NULL,
                score INTEGER NOT NULL,
                rule_set INTEGER NOT NULL REFERENCES rule_sets (id),
                policy TEXT NOT NULL,
                assessment BLOB NOT NULL
            );
            INSERT INTO referrals_v2 (rowid, id, case_no, received_at, url, source, reported_at, reporter_note, platform, content_sha256,
                                      band, score, rule_set, policy, assessment)
                SELECT r.rowid, r.id, c.no, r.received_at, r.url, r.source, r.reported_at, r.reporter_note, r.platform, r.content_sha256,
                       r.band, r.score, r.rule_set, r.policy, r.assessment
                FROM referrals r JOIN cases_v2 c ON c.id = r.case_id ORDER BY r.rowid;
            CREATE TABLE captures_v2 (
                id INTEGER PRIMARY KEY,
                case_id TEXT NOT NULL,
                referral_id TEXT NOT NULL REFERENCES referrals_v2 (id),
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                content_type TEXT,
                captured_at INTEGER NOT NULL,
                previous_id INTEGER REFERENCES captures_v2 (id),
                purged_at INTEGER,
                fetch TEXT,
                recheck TEXT
            );
            INSERT INTO captures_v2 SELECT * FROM captures ORDER BY id;
            CREATE TABLE notes_v2 (
                id INTEGER PRIMARY KEY,
                case_id TEXT NOT NULL,
                officer TEXT NOT NULL,
                at INTEGER NOT NULL,
                text TEXT NOT NULL
            );
            INSERT INTO notes_v2 SELECT * FROM notes ORDER BY id;
            """)
        // Keys by hash: SQLite has no SHA-256, so in Swift.
        let keys = try Row.fetchAll(db, sql: "SELECT k.key, c.no FROM case_keys k JOIN cases_v2 c ON c.id = k.case_id")
        for row in keys {
            try db.execute(sql: "INSERT OR IGNORE INTO case_index (key_hash, case_no) VALUES (?, ?)",
                           arguments: [CaseBook.keyHash(row["key"] as String), row["no"] as Int64])
        }
        try db.execute(sql: """
            DROP TABLE notes;
            DROP TABLE captures;
            DROP TABLE referrals;
            DROP TABLE case_keys;
            DROP TABLE cases;
            ALTER TABLE cases_v2 RENAME TO cases;
            ALTER TABLE referrals_v2 RENAME TO referrals;
            ALTER TABLE captures_v2 RENAME TO captures;
            ALTER TABLE notes_v2 RENAME TO notes;
            CREATE INDEX cases_order ON cases (state, band_rank, score DESC, opened_at, no);
            CREATE INDEX cases_leases ON cases (lease_until) WHERE state = 'in-review';
            CREATE INDEX referrals_case ON referrals (case_no);
            CREATE INDEX captures_case ON captures (case_id);
            CREATE INDEX notes_case ON notes (case_id);
            """)
    }

    static var version: Int { migrations.count }

    /// A migrator for the first `count` migrations (all by default).
    static func migrator(upTo count: Int = migrations.count) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (id, migrate) in migrations.prefix(count) {
            migrator.registerMigration(id, migrate: migrate)
        }
        return migrator
    }
}
