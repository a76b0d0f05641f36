-- The audit trail (5.4): who read or changed what, when, from where and why. Append-only and
-- hash-chained: `hash` is SHA-256 over the entry's fields and `prev_hash`, the hash of the entry
-- before it, so that an edited, inserted or deleted entry breaks the chain (`doudi audit verify`).
-- `seq` is assigned by the store, one more than the last entry, never by the database: a rolled
-- back write leaves no gap, so a gap means a deleted entry.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_user_id INTEGER NOT NULL,
    actor_name    TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    client        TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);

CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_name, seq);

-- The application never changes or removes an entry; these triggers stop anyone else doing so
-- by accident. (Someone who drops them can still tamper, which the hash chain then reveals.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
