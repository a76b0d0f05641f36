-- Inpatient stays of dibao and tekun members (2.4), settled when recorded: basic insurance,
-- critical-illness insurance and medical assistance as the policy engine computed them with the
-- parameters of the month of admission, with the explanation as it was then (never recomputed).
-- A stay is settled against the person's stays of the same year recorded before it (the yearly
-- critical-illness deductible and assistance cap), so a stay is never changed: a mistake is
-- cancelled with its reason and recorded again.
CREATE TABLE inpatient_stays (
    id               BIGSERIAL PRIMARY KEY,
    household_id     BIGINT NOT NULL REFERENCES households (id),
    person_id        BIGINT NOT NULL,
    hospital         TEXT NOT NULL,
    level            TEXT NOT NULL,
    in_county        BIGINT NOT NULL CHECK (in_county IN (0, 1)),
    admitted         DATE NOT NULL,
    discharged       DATE NOT NULL,
    category         TEXT NOT NULL,
    special_disease  TEXT,
    treat_first      BIGINT NOT NULL CHECK (treat_first IN (0, 1)),
    total_fen        BIGINT NOT NULL CHECK (total_fen >= 0),
    in_catalogue_fen BIGINT NOT NULL CHECK (in_catalogue_fen BETWEEN 0 AND total_fen),
    basic_fen        BIGINT NOT NULL,
    critical_fen     BIGINT NOT NULL,
    counted_fen      BIGINT NOT NULL,
    assistance_fen   BIGINT NOT NULL,
    self_pay_fen     BIGINT NOT NULL,
    explanation      TEXT NOT NULL,
    recorded_by      BIGINT NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL,
    cancelled_reason TEXT,
    cancelled_by     BIGINT,
    cancelled_at     TIMESTAMPTZ
);
CREATE INDEX inpatient_stays_person ON inpatient_stays (person_id, admitted);
CREATE INDEX inpatient_stays_admitted ON inpatient_stays (admitted);
