import GRDB

/// The queue's tables, as an append-only list of migrations: a released
/// migration is never edited, a change is a new one at the end. A test
/// migrates from every earlier version to the latest and compares the result
/// with a queue created new.
enum QueueSchema {
    /// `PRAGMA application_id`: "TRQU". A database without it is not ours.
    static let applicationID: Int32 = 0x5452_5155

    /// Migrations in order; the schema version is how many have run.
    static let migrations: [(id: String, sql: String)] = [
        ("v1-cases-referrals-audit", """
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
            """),
    ]

    static var version: Int { migrations.count }

    /// A migrator for the first `count` migrations (all by default).
    static func migrator(upTo count: Int = migrations.count) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (id, sql) in migrations.prefix(count) {
            migrator.registerMigration(id) { db in try db.execute(sql: sql) }
        }
        return migrator
    }
}
