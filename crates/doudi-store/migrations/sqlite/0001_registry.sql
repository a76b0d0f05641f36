-- The registry schema for SQLite: divisions, households with their members, finances, surveys
-- and history, and the accounts that work on them.
--
-- Dates are TEXT 'YYYY-MM-DD', timestamps TEXT RFC 3339 in UTC (as sqlx writes them), money
-- INTEGER fen, booleans INTEGER 0/1, closed vocabularies their stable codes. Unique constraints
-- are named so that the store can tell which rule a violation broke.

CREATE TABLE divisions (
    code    TEXT PRIMARY KEY NOT NULL,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    -- The township a community belongs to; NULL for townships.
    parent  TEXT REFERENCES divisions (code),
    -- The version of the code table a township comes from; NULL for communities the county adds.
    version TEXT
) WITHOUT ROWID;

CREATE INDEX divisions_parent ON divisions (parent, code);

CREATE TABLE households (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL CONSTRAINT households_number_key UNIQUE,
    township     TEXT NOT NULL REFERENCES divisions (code),
    community    TEXT NOT NULL,
    category     TEXT NOT NULL,
    enrolled_on  TEXT NOT NULL,
    exited_on    TEXT,
    address      TEXT NOT NULL,
    phone        TEXT,
    bank_account TEXT,
    housing      TEXT NOT NULL,
    -- Stable codes joined with commas, such as 'illness,old_age'.
    causes       TEXT NOT NULL DEFAULT '',
    needs        TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- The household list pages by township or community in file-number order.
CREATE INDEX households_township_number ON households (township, number);
CREATE INDEX households_community_number ON households (community, number);
-- The overview counts households per township and category, and the list filters by category.
CREATE INDEX households_township_category ON households (township, category, exited_on);

CREATE TABLE persons (
    id                 INTEGER PRIMARY KEY,
    household_id       INTEGER NOT NULL REFERENCES households (id),
    position           INTEGER NOT NULL,
    name               TEXT NOT NULL,
    -- Lower-case pinyin initials of the name, for search.
    initials           TEXT NOT NULL,
    id_number          TEXT NOT NULL CONSTRAINT persons_id_number_key UNIQUE,
    -- The identity number backwards, so that a search by its last digits is an index range.
    id_number_reversed TEXT NOT NULL,
    relation           TEXT NOT NULL,
    disability_kind    TEXT,
    disability_grade   TEXT,
    serious_illness    INTEGER NOT NULL CHECK (serious_illness IN (0, 1)),
    disease            TEXT NOT NULL DEFAULT '',
    special_disease    TEXT,
    self_care          TEXT NOT NULL,
    work_capacity      TEXT NOT NULL,
    willing_to_work    INTEGER NOT NULL CHECK (willing_to_work IN (0, 1)),
    employment         TEXT NOT NULL,
    school_stage       TEXT,
    boarding           INTEGER NOT NULL CHECK (boarding IN (0, 1)),
    insurance          TEXT NOT NULL,
    family_doctor      INTEGER NOT NULL CHECK (family_doctor IN (0, 1)),
    health_record      INTEGER NOT NULL CHECK (health_record IN (0, 1)),
    phone              TEXT,
    CHECK ((disability_kind IS NULL) = (disability_grade IS NULL))
);

CREATE INDEX persons_household ON persons (household_id, position);
-- Search indexes carry the household id, so that a search reads the index alone.
CREATE INDEX persons_initials ON persons (initials, household_id);
CREATE INDEX persons_name ON persons (name, household_id);
CREATE INDEX persons_id_number_reversed ON persons (id_number_reversed, household_id);

-- One row per member, month and kind; the key is the table (no rowid), in member order.
CREATE TABLE incomes (
    person_id  INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    month      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    CONSTRAINT incomes_key PRIMARY KEY (person_id, month, kind)
) WITHOUT ROWID;

CREATE TABLE expenses (
    person_id  INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    month      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    CONSTRAINT expenses_key PRIMARY KEY (person_id, month, kind)
) WITHOUT ROWID;

CREATE TABLE assets (
    household_id INTEGER NOT NULL REFERENCES households (id),
    kind         TEXT NOT NULL,
    description  TEXT NOT NULL,
    value_fen    INTEGER NOT NULL CHECK (value_fen >= 0),
    CONSTRAINT assets_key PRIMARY KEY (household_id, kind, description)
) WITHOUT ROWID;

CREATE TABLE surveys (
    id               INTEGER PRIMARY KEY,
    household_id     INTEGER NOT NULL REFERENCES households (id),
    family_situation TEXT NOT NULL,
    poverty_cause    TEXT NOT NULL,
    help_needed      TEXT NOT NULL,
    surveyed_by      TEXT NOT NULL,
    surveyed_on      TEXT NOT NULL
);

CREATE INDEX surveys_household ON surveys (household_id, surveyed_on);

CREATE TABLE change_log (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households (id),
    at            TEXT NOT NULL,
    actor_user_id INTEGER NOT NULL,
    actor_name    TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    field         TEXT NOT NULL,
    old_value     TEXT NOT NULL,
    new_value     TEXT NOT NULL
);

CREATE INDEX change_log_household ON change_log (household_id, id);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL CONSTRAINT users_username_key UNIQUE,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL,
    -- '' for the whole county, else the township or community code.
    scope                TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    created_at           TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id);
