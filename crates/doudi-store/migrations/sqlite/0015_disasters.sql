-- Disaster relief (2.3): an event with its area (communities and address keywords), the
-- households found in it and what was checked of each, the reliefs recorded for them, and
-- each month a relief is due. A relief is paid through the monthly payment run: `payments`
-- lines now come from an entitlement or from a relief's month, never both.
CREATE TABLE disasters (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    -- Community codes joined with commas; address keywords joined with line breaks.
    communities TEXT NOT NULL,
    keywords    TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE disaster_households (
    id           INTEGER PRIMARY KEY,
    disaster_id  INTEGER NOT NULL REFERENCES disasters (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    state        TEXT NOT NULL,
    damage       TEXT,
    dead         INTEGER NOT NULL DEFAULT 0,
    injured      INTEGER NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    updated_by   INTEGER,
    updated_at   TEXT,
    CONSTRAINT disaster_households_once UNIQUE (disaster_id, household_id)
);
CREATE INDEX disaster_households_scope ON disaster_households (disaster_id, community);

-- One relief: its amount (transitional: per month), the first month it is due and how many.
CREATE TABLE disaster_reliefs (
    id           INTEGER PRIMARY KEY,
    disaster_id  INTEGER NOT NULL REFERENCES disasters (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    kind         TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
    from_month   TEXT NOT NULL,
    months       INTEGER NOT NULL CHECK (months >= 1),
    reason       TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL,
    -- A relief withdrawn (a mistake, or no one left to receive it): its unpaid months are
    -- removed, what was paid stays.
    cancelled_by INTEGER,
    cancelled_at TEXT,
    cancel_reason TEXT
);
CREATE INDEX disaster_reliefs_disaster ON disaster_reliefs (disaster_id, household_id);

-- Each month a relief is due, with the programme its payment line carries: one per household,
-- programme and month, like the payment lines themselves, so that a relief never collides
-- with another line and the run makes each once.
CREATE TABLE relief_months (
    id           INTEGER PRIMARY KEY,
    relief_id    INTEGER NOT NULL REFERENCES disaster_reliefs (id),
    household_id INTEGER NOT NULL,
    month        TEXT NOT NULL,
    program      TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL,
    CONSTRAINT relief_months_once UNIQUE (month, household_id, program)
);

-- SQLite cannot drop a NOT NULL: the payment lines are copied into a table whose line comes
-- from an entitlement or a relief month.
CREATE TABLE payments_new (
    id              INTEGER PRIMARY KEY,
    month           TEXT NOT NULL,
    entitlement_id  INTEGER REFERENCES entitlements (id),
    household_id    INTEGER NOT NULL,
    program         TEXT NOT NULL,
    amount_fen      INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    failure         TEXT,
    created_at      TEXT NOT NULL,
    settled_at      TEXT,
    relief_month_id INTEGER REFERENCES relief_months (id),
    CONSTRAINT payments_once UNIQUE (month, household_id, program),
    CONSTRAINT payments_source CHECK ((entitlement_id IS NULL) <> (relief_month_id IS NULL))
);
INSERT INTO payments_new (id, month, entitlement_id, household_id, program, amount_fen, status,
    failure, created_at, settled_at)
SELECT id, month, entitlement_id, household_id, program, amount_fen, status, failure,
    created_at, settled_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_household ON payments (household_id, month);
CREATE INDEX payments_relief_month ON payments (relief_month_id);
