-- Employment help (2.7): openings (job vacancies and public-welfare posts, from enterprises
-- too), referrals of members to them with their outcome, and training courses members took.
CREATE TABLE job_openings (
    id             INTEGER PRIMARY KEY,
    employer       TEXT NOT NULL,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    township       TEXT NOT NULL,
    community      TEXT,
    hours_per_week INTEGER NOT NULL CHECK (hours_per_week BETWEEN 1 AND 84),
    pay_fen        INTEGER NOT NULL CHECK (pay_fen >= 0),
    places         INTEGER NOT NULL CHECK (places >= 1),
    skills         TEXT NOT NULL,
    partial_ok     INTEGER NOT NULL CHECK (partial_ok IN (0, 1)),
    disability_ok  INTEGER NOT NULL CHECK (disability_ok IN (0, 1)),
    is_open        INTEGER NOT NULL CHECK (is_open IN (0, 1)),
    created_by     INTEGER NOT NULL,
    created_at     TEXT NOT NULL
);

-- A member referred to an opening, and what came of it. `community` is the household's
-- community when referred: the referral's scope. One referral of a member to an opening.
CREATE TABLE job_referrals (
    id           INTEGER PRIMARY KEY,
    opening_id   INTEGER NOT NULL REFERENCES job_openings (id),
    person_id    INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    state        TEXT NOT NULL,
    note         TEXT,
    referred_by  INTEGER NOT NULL,
    referred_on  TEXT NOT NULL,
    decided_by   INTEGER,
    decided_at   TEXT
);
CREATE UNIQUE INDEX job_referrals_once ON job_referrals (opening_id, person_id);
CREATE INDEX job_referrals_scope ON job_referrals (community);
CREATE INDEX job_referrals_household ON job_referrals (household_id);

-- A training course a member took.
CREATE TABLE job_training (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    course       TEXT NOT NULL,
    provider     TEXT NOT NULL,
    started_on   TEXT NOT NULL,
    ended_on     TEXT,
    completed    INTEGER NOT NULL CHECK (completed IN (0, 1)),
    recorded_by  INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX job_training_person ON job_training (person_id);
CREATE INDEX job_training_scope ON job_training (community);
