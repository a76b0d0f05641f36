-- Inspections and accountability, reports from the public (5.4).
-- A plan: kind, title, townships covered (comma-separated codes, '' for the whole county),
-- period, inspectors, and the seed of its drawn sample (a spot check), once drawn.
CREATE TABLE inspection_plans (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    townships   TEXT NOT NULL,
    starts_on   DATE NOT NULL,
    ends_on     DATE NOT NULL,
    inspectors  TEXT NOT NULL,
    sample_seed BIGINT,
    created_by  BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
-- The households a spot check drew, in the order drawn.
CREATE TABLE inspection_samples (
    plan_id      BIGINT NOT NULL REFERENCES inspection_plans (id),
    position     BIGINT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households (id),
    PRIMARY KEY (plan_id, position)
);
-- A finding: about a household and/or a staff account, category, severity and text.
CREATE TABLE inspection_findings (
    id           BIGSERIAL PRIMARY KEY,
    plan_id      BIGINT NOT NULL REFERENCES inspection_plans (id),
    household_id BIGINT REFERENCES households (id),
    account_id   BIGINT REFERENCES users (id),
    category     TEXT NOT NULL,
    severity     TEXT NOT NULL,
    text         TEXT NOT NULL,
    recorded_by  BIGINT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX inspection_findings_plan ON inspection_findings (plan_id);
-- A rectification task: the responsible township and unit, the deadline, where it stands
-- ('open', 'submitted', 'closed'), the township's note and the inspector's reply.
CREATE TABLE rectification_tasks (
    id          BIGSERIAL PRIMARY KEY,
    finding_id  BIGINT NOT NULL REFERENCES inspection_findings (id),
    township    TEXT NOT NULL,
    unit        TEXT NOT NULL,
    deadline    DATE NOT NULL,
    state       TEXT NOT NULL,
    note        TEXT,
    reply       TEXT,
    created_by  BIGINT NOT NULL,
    updated_by  BIGINT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX rectification_tasks_township ON rectification_tasks (township, state);
-- Accountability (问责) per finding.
CREATE TABLE accountability_records (
    id          BIGSERIAL PRIMARY KEY,
    finding_id  BIGINT NOT NULL REFERENCES inspection_findings (id),
    person      TEXT NOT NULL,
    account_id  BIGINT REFERENCES users (id),
    measure     TEXT NOT NULL,
    decided_on  DATE NOT NULL,
    note        TEXT NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
-- Reports from the public: the receipt number given to the reporter (unique), township and
-- optional community, the household as the public list names it (masked), category, text,
-- optional contact, state and the closing reply the receipt page shows.
CREATE TABLE public_reports (
    id            BIGSERIAL PRIMARY KEY,
    receipt       TEXT NOT NULL UNIQUE,
    township      TEXT NOT NULL,
    community     TEXT,
    household_ref TEXT NOT NULL,
    category      TEXT NOT NULL,
    text          TEXT NOT NULL,
    contact       TEXT NOT NULL,
    state         TEXT NOT NULL,
    reply         TEXT,
    filed_on      DATE NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX public_reports_township ON public_reports (township, state);
-- Who did what on a report, when, and the state it left.
CREATE TABLE public_report_notes (
    id        BIGSERIAL PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES public_reports (id),
    state     TEXT NOT NULL,
    note      TEXT NOT NULL,
    by_user   BIGINT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX public_report_notes_report ON public_report_notes (report_id);
