-- Casework (4.2.b, 4.2.c): applications and their steps, objections during the public notice,
-- the rural poverty registry, frozen decisions, entitlements and monthly payments.

-- An application. `community` is the household's community when it was submitted: the scope
-- of the case and the public notice page it appears on.
CREATE TABLE cases (
    id           BIGSERIAL PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    case_type    TEXT NOT NULL,
    state        TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    accepted_on  DATE,
    complex      BOOLEAN NOT NULL DEFAULT FALSE,
    notice_from  DATE,
    notice_until DATE,
    refusal      TEXT,
    decided_on   DATE,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_community_state ON cases (community, state);
CREATE INDEX cases_household ON cases (household_id);

-- Every step of a case: who, when, what.
CREATE TABLE case_steps (
    id         BIGSERIAL PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    at         TIMESTAMPTZ NOT NULL,
    on_date    DATE NOT NULL,
    user_id    BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_id, id);

-- Objections raised during a public notice.
CREATE TABLE case_objections (
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    number     BIGINT NOT NULL,
    raised_on  DATE NOT NULL,
    text       TEXT NOT NULL,
    upheld     BOOLEAN,
    resolution TEXT,
    CONSTRAINT case_objections_key PRIMARY KEY (case_id, number)
);

-- Members of an application excluded from it, with the reason (4.2.c: already covered by the
-- rural poverty registry).
CREATE TABLE case_exclusions (
    case_id   BIGINT NOT NULL REFERENCES cases (id),
    person_id BIGINT NOT NULL,
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
    imported_at TIMESTAMPTZ NOT NULL
);

-- A frozen decision: what the household looked like, which parameters were in force, the
-- explanation, and the amount. Never updated.
CREATE TABLE decisions (
    id                BIGSERIAL PRIMARY KEY,
    household_id      BIGINT NOT NULL REFERENCES households (id),
    case_id           BIGINT REFERENCES cases (id),
    kind              TEXT NOT NULL,
    params_month      TEXT NOT NULL,
    params_version    TEXT NOT NULL,
    household_version BIGINT NOT NULL,
    snapshot          TEXT NOT NULL,
    explanation       TEXT NOT NULL,
    monthly_fen       BIGINT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    decided_by        BIGINT NOT NULL,
    decided_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX decisions_household ON decisions (household_id, id);

-- A monthly benefit over a period of months ('YYYY-MM', both ends included; open when
-- `until_month` is NULL). A period is closed, never rewritten: a new amount is a new period.
CREATE TABLE entitlements (
    id           BIGSERIAL PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    decision_id  BIGINT NOT NULL REFERENCES decisions (id),
    program      TEXT NOT NULL,
    monthly_fen  BIGINT NOT NULL CHECK (monthly_fen >= 0),
    from_month   TEXT NOT NULL,
    until_month  TEXT,
    end_reason   TEXT,
    review_class TEXT NOT NULL,
    next_review  DATE NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX entitlements_household ON entitlements (household_id, from_month);
CREATE INDEX entitlements_period ON entitlements (from_month, until_month);

-- One payment line per household, programme and month: running a month again pays nothing
-- twice.
CREATE TABLE payments (
    id             BIGSERIAL PRIMARY KEY,
    month          TEXT NOT NULL,
    entitlement_id BIGINT NOT NULL REFERENCES entitlements (id),
    household_id   BIGINT NOT NULL,
    program        TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending',
    failure        TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    settled_at     TIMESTAMPTZ,
    CONSTRAINT payments_once UNIQUE (month, household_id, program)
);
CREATE INDEX payments_household ON payments (household_id, month);

-- Tekun support (2.2.b): each change of a tekun person's support mode and institution, newest
-- last; the current mode is the newest row. A person without rows is in dispersed care.
CREATE TABLE tekun_care (
    id          BIGSERIAL PRIMARY KEY,
    person_id   BIGINT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households (id),
    mode        TEXT NOT NULL CHECK (mode IN ('dispersed', 'centralised')),
    institution TEXT NOT NULL,
    since       DATE NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tekun_care_person ON tekun_care (person_id, id);
