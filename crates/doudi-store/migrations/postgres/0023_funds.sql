-- Funds supervision (5.2): budgets per programme and year (append-only: a new amount is a new
-- row, the newest of a programme and year is in force), each run of the audit checks with its
-- outcome, the findings (once per dedupe key) and the notes on them (append-only).
CREATE TABLE fund_budgets (
    id         BIGSERIAL PRIMARY KEY,
    program    TEXT NOT NULL,
    year       BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    note       TEXT NOT NULL,
    set_by     BIGINT NOT NULL,
    set_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX fund_budgets_year ON fund_budgets (year, program, id);

-- A run of the checks for a month: after a payment run or on demand; `ok` 0 with the error
-- when the checks failed (the payment run stands).
CREATE TABLE fund_check_runs (
    id        BIGSERIAL PRIMARY KEY,
    month     TEXT NOT NULL,
    trigger   TEXT NOT NULL,
    ran_by    BIGINT NOT NULL,
    ran_at    TIMESTAMPTZ NOT NULL,
    ok        BIGINT NOT NULL CHECK (ok IN (0, 1)),
    found     BIGINT NOT NULL,
    added     BIGINT NOT NULL,
    error     TEXT
);
CREATE INDEX fund_check_runs_month ON fund_check_runs (month, id);

-- A finding: which check, about which household (person, payment line), why; `community` is the
-- household's when found: the finding's scope.
CREATE TABLE fund_findings (
    id           BIGSERIAL PRIMARY KEY,
    dedupe       TEXT NOT NULL CONSTRAINT fund_findings_once UNIQUE,
    check_kind   TEXT NOT NULL,
    month        TEXT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    township     TEXT NOT NULL,
    person_id    BIGINT,
    payment_id   BIGINT,
    explanation  TEXT NOT NULL,
    state        TEXT NOT NULL,
    assignee     BIGINT,
    found_at     TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX fund_findings_scope ON fund_findings (community, state);
CREATE INDEX fund_findings_month ON fund_findings (month, check_kind);

-- Who did what to a finding, when: a note, an assignment, a change of state. Never updated.
CREATE TABLE fund_finding_notes (
    id         BIGSERIAL PRIMARY KEY,
    finding_id BIGINT NOT NULL REFERENCES fund_findings (id),
    at         TIMESTAMPTZ NOT NULL,
    user_id    BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    state      TEXT NOT NULL,
    assignee   BIGINT,
    note       TEXT NOT NULL
);
CREATE INDEX fund_finding_notes_finding ON fund_finding_notes (finding_id, id);
