-- Employment help (2.7): openings (job vacancies and public-welfare posts, from enterprises
-- too), referrals of members to them with their outcome, and training courses members took.
CREATE TABLE job_openings (
    id             BIGSERIAL PRIMARY KEY,
    employer       TEXT NOT NULL,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    township       TEXT NOT NULL,
    community      TEXT,
    hours_per_week BIGINT NOT NULL CHECK (hours_per_week BETWEEN 1 AND 84),
    pay_fen        BIGINT NOT NULL CHECK (pay_fen >= 0),
    places         BIGINT NOT NULL CHECK (places >= 1),
    skills         TEXT NOT NULL,
    partial_ok     BOOLEAN NOT NULL,
    disability_ok  BOOLEAN NOT NULL,
    is_open        BOOLEAN NOT NULL,
    created_by     BIGINT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

-- A member referred to an opening, and what came of it. `community` is the household's
-- community when referred: the referral's scope. One referral of a member to an opening.
CREATE TABLE job_referrals (
    id           BIGSERIAL PRIMARY KEY,
    opening_id   BIGINT NOT NULL REFERENCES job_openings (id),
    person_id    BIGINT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    state        TEXT NOT NULL,
    note         TEXT,
    referred_by  BIGINT NOT NULL,
    referred_on  DATE NOT NULL,
    decided_by   BIGINT,
    decided_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX job_referrals_once ON job_referrals (opening_id, person_id);
CREATE INDEX job_referrals_scope ON job_referrals (community);
CREATE INDEX job_referrals_household ON job_referrals (household_id);

-- A training course a member took.
CREATE TABLE job_training (
    id           BIGSERIAL PRIMARY KEY,
    person_id    BIGINT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    course       TEXT NOT NULL,
    provider     TEXT NOT NULL,
    started_on   DATE NOT NULL,
    ended_on     DATE,
    completed    BOOLEAN NOT NULL,
    recorded_by  BIGINT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX job_training_person ON job_training (person_id);
CREATE INDEX job_training_scope ON job_training (community);
