-- Funds supervision (5.2): budgets per programme and year (append-only: a new amount is a new
-- row, the newest of a programme and year is in force), each run of the audit checks with its
-- outcome, the findings (once per dedupe key) and the notes on them (append-only).
CREATE TABLE fund_budgets (
    id         INTEGER PRIMARY KEY,
    program    TEXT NOT NULL,
    year       INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    note       TEXT NOT NULL,
    set_by     INTEGER NOT NULL,
    set_at     TEXT NOT NULL
);
CREATE INDEX fund_budgets_year ON fund_budgets (year, program, id);

-- A run of the checks for a month: after a payment run or on demand; `ok` 0 with the error
-- when the checks failed (the payment run stands).
CREATE TABLE fund_check_runs (
    id        INTEGER PRIMARY KEY,
    month     TEXT NOT NULL,
    trigger   TEXT NOT NULL,
    ran_by    INTEGER NOT NULL,
    ran_at    TEXT NOT NULL,
    ok        INTEGER NOT NULL CHECK (ok IN (0, 1)),
    found     INTEGER NOT NULL,
    added     INTEGER NOT NULL,
    error     TEXT
);
CREATE INDEX fund_check_runs_month ON fund_check_runs (month, id);

-- A finding: which check, about which household (person, payment line), why; `community` is the
-- household's when found: the finding's scope.
CREATE TABLE fund_findings (
    id           INTEGER PRIMARY KEY,
    dedupe       TEXT NOT NULL CONSTRAINT fund_findings_once UNIQUE,
    check_kind   TEXT NOT NULL,
    month        TEXT NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    township     TEXT NOT NULL,
    person_id    INTEGER,
    payment_id   INTEGER,
    explanation  TEXT NOT NULL,
    state        TEXT NOT NULL,
    assignee     INTEGER,
    found_at     TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX fund_findings_scope ON fund_findings (community, state);
CREATE INDEX fund_findings_month ON fund_findings (month, check_kind);

-- Who did what to a finding, when: a note, an assignment, a change of state. Never updated.
CREATE TABLE fund_finding_notes (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES fund_findings (id),
    at         TEXT NOT NULL,
    user_id    INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    state      TEXT NOT NULL,
    assignee   INTEGER,
    note       TEXT NOT NULL
);
CREATE INDEX fund_finding_notes_finding ON fund_finding_notes (finding_id, id);
