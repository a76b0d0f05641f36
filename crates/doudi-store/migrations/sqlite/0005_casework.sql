-- Casework (4.2.b, 4.2.c): applications and their steps, objections during the public notice,
-- the rural poverty registry, frozen decisions, entitlements and monthly payments.

-- An application. `community` is the household's community when it was submitted: the scope
-- of the case and the public notice page it appears on.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    case_type    TEXT NOT NULL,
    state        TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    accepted_on  TEXT,
    complex      INTEGER NOT NULL DEFAULT 0 CHECK (complex IN (0, 1)),
    notice_from  TEXT,
    notice_until TEXT,
    refusal      TEXT,
    decided_on   TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX cases_community_state ON cases (community, state);
CREATE INDEX cases_household ON cases (household_id);

-- Every step of a case: who, when, what.
CREATE TABLE case_steps (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    at         TEXT NOT NULL,
    on_date    TEXT NOT NULL,
    user_id    INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_id, id);

-- Objections raised during a public notice.
CREATE TABLE case_objections (
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    number     INTEGER NOT NULL,
    raised_on  TEXT NOT NULL,
    text       TEXT NOT NULL,
    upheld     INTEGER CHECK (upheld IN (0, 1)),
    resolution TEXT,
    CONSTRAINT case_objections_key PRIMARY KEY (case_id, number)
);

-- Members of an application excluded from it, with the reason (4.2.c: already covered by the
-- rural poverty registry).
CREATE TABLE case_exclusions (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    person_id INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    CONSTRAINT case_exclusions_key PRIMARY KEY (case_id, person_id)
);

-- The rural poverty registry (4.2.c): each identity number sealed with the data key, like the
-- registry's own, and found through a keyed blind index (HMAC), so that neither the table nor
-- a copy of it gives the numbers away; a key rotation re-seals and re-indexes it.
CREATE TABLE rural_registry (
    id_key      TEXT PRIMARY KEY NOT NULL,
    id_number   TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

-- A frozen decision: what the household looked like, which parameters were in force, the
-- explanation, and the amount. Never updated.
CREATE TABLE decisions (
    id                INTEGER PRIMARY KEY,
    household_id      INTEGER NOT NULL REFERENCES households (id),
    case_id           INTEGER REFERENCES cases (id),
    kind              TEXT NOT NULL,
    params_month      TEXT NOT NULL,
    params_version    TEXT NOT NULL,
    household_version INTEGER NOT NULL,
    snapshot          TEXT NOT NULL,
    explanation       TEXT NOT NULL,
    monthly_fen       INTEGER NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    decided_by        INTEGER NOT NULL,
    decided_at        TEXT NOT NULL
);
CREATE INDEX decisions_household ON decisions (household_id, id);

-- A monthly benefit over a period of months ('YYYY-MM', both ends included; open when
-- `until_month` is NULL). A period is closed, never rewritten: a new amount is a new period.
CREATE TABLE entitlements (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    decision_id  INTEGER NOT NULL REFERENCES decisions (id),
    program      TEXT NOT NULL,
    monthly_fen  INTEGER NOT NULL CHECK (monthly_fen >= 0),
    from_month   TEXT NOT NULL,
    until_month  TEXT,
    end_reason   TEXT,
    review_class TEXT NOT NULL,
    next_review  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX entitlements_household ON entitlements (household_id, from_month);
CREATE INDEX entitlements_period ON entitlements (from_month, until_month);

-- One payment line per household, programme and month: running a month again pays nothing
-- twice.
CREATE TABLE payments (
    id             INTEGER PRIMARY KEY,
    month          TEXT NOT NULL,
    entitlement_id INTEGER NOT NULL REFERENCES entitlements (id),
    household_id   INTEGER NOT NULL,
    program        TEXT NOT NULL,
    amount_fen     INTEGER NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending',
    failure        TEXT,
    created_at     TEXT NOT NULL,
    settled_at     TEXT,
    CONSTRAINT payments_once UNIQUE (month, household_id, program)
);
CREATE INDEX payments_household ON payments (household_id, month);

-- Tekun support (2.2.b): each change of a tekun person's support mode and institution, newest
-- last; the current mode is the newest row. A person without rows is in dispersed care.
CREATE TABLE tekun_care (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    mode        TEXT NOT NULL CHECK (mode IN ('dispersed', 'centralised')),
    institution TEXT NOT NULL,
    since       TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX tekun_care_person ON tekun_care (person_id, id);
