-- Inspections and accountability, reports from the public (5.4).
-- A plan: kind, title, townships covered (comma-separated codes, '' for the whole county),
-- period, inspectors, and the seed of its drawn sample (a spot check), once drawn.
CREATE TABLE inspection_plans (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    townships   TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    inspectors  TEXT NOT NULL,
    sample_seed INTEGER,
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
-- The households a spot check drew, in the order drawn.
CREATE TABLE inspection_samples (
    plan_id      INTEGER NOT NULL REFERENCES inspection_plans (id),
    position     INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    PRIMARY KEY (plan_id, position)
);
-- A finding: about a household and/or a staff account, category, severity and text.
CREATE TABLE inspection_findings (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES inspection_plans (id),
    household_id INTEGER REFERENCES households (id),
    account_id   INTEGER REFERENCES users (id),
    category     TEXT NOT NULL,
    severity     TEXT NOT NULL,
    text         TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX inspection_findings_plan ON inspection_findings (plan_id);
-- A rectification task: the responsible township and unit, the deadline, where it stands
-- ('open', 'submitted', 'closed'), the township's note and the inspector's reply.
CREATE TABLE rectification_tasks (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES inspection_findings (id),
    township    TEXT NOT NULL,
    unit        TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    state       TEXT NOT NULL,
    note        TEXT,
    reply       TEXT,
    created_by  INTEGER NOT NULL,
    updated_by  INTEGER NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX rectification_tasks_township ON rectification_tasks (township, state);
-- Accountability (问责) per finding.
CREATE TABLE accountability_records (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES inspection_findings (id),
    person      TEXT NOT NULL,
    account_id  INTEGER REFERENCES users (id),
    measure     TEXT NOT NULL,
    decided_on  TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
-- Reports from the public: the receipt number given to the reporter (unique), township and
-- optional community, the household as the public list names it (masked), category, text,
-- optional contact, state and the closing reply the receipt page shows.
CREATE TABLE public_reports (
    id            INTEGER PRIMARY KEY,
    receipt       TEXT NOT NULL UNIQUE,
    township      TEXT NOT NULL,
    community     TEXT,
    household_ref TEXT NOT NULL,
    category      TEXT NOT NULL,
    text          TEXT NOT NULL,
    contact       TEXT NOT NULL,
    state         TEXT NOT NULL,
    reply         TEXT,
    filed_on      TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX public_reports_township ON public_reports (township, state);
-- Who did what on a report, when, and the state it left.
CREATE TABLE public_report_notes (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES public_reports (id),
    state     TEXT NOT NULL,
    note      TEXT NOT NULL,
    by_user   INTEGER NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX public_report_notes_report ON public_report_notes (report_id);
