-- Department data (5.3): each file or API batch a department sends, kept once per content
-- (`feed_imports_once`: the same content again changes nothing), with what came of it.
CREATE TABLE feed_imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    digest      TEXT NOT NULL,
    records     INTEGER NOT NULL,
    linked      INTEGER NOT NULL,
    unmatched   INTEGER NOT NULL,
    alerts      INTEGER NOT NULL,
    imported_by INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE UNIQUE INDEX feed_imports_once ON feed_imports (kind, digest);

-- Each record of an import: whom it was matched to (if anyone), how sure (per mille) and why.
-- Names and identity numbers are kept only masked, as `shown`.
CREATE TABLE feed_records (
    id           INTEGER PRIMARY KEY,
    import_id    INTEGER NOT NULL REFERENCES feed_imports (id),
    record_id    TEXT NOT NULL,
    person_id    INTEGER,
    household_id INTEGER REFERENCES households (id),
    permille     INTEGER NOT NULL CHECK (permille BETWEEN 0 AND 1000),
    evidence     TEXT NOT NULL,
    shown        TEXT NOT NULL,
    record_date  TEXT,
    amount_fen   INTEGER,
    detail       TEXT NOT NULL
);
CREATE INDEX feed_records_import ON feed_records (import_id);
CREATE INDEX feed_records_household ON feed_records (household_id);

-- What a record means for a household, for the caseworker of its township to act on.
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    person_id    INTEGER,
    community    TEXT NOT NULL,
    rule         TEXT NOT NULL,
    level        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    record_id    INTEGER REFERENCES feed_records (id),
    state        TEXT NOT NULL,
    outcome      TEXT,
    created_at   TEXT NOT NULL,
    updated_by   INTEGER,
    updated_at   TEXT
);
CREATE INDEX alerts_scope ON alerts (community, state);
CREATE INDEX alerts_household ON alerts (household_id);

-- How a department's files name their columns, set once per kind and reused.
CREATE TABLE feed_mappings (
    kind       TEXT PRIMARY KEY NOT NULL,
    mapping    TEXT NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
