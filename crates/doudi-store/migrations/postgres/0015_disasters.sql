-- Disaster relief (2.3): an event with its area (communities and address keywords), the
-- households found in it and what was checked of each, the reliefs recorded for them, and
-- each month a relief is due. A relief is paid through the monthly payment run: `payments`
-- lines now come from an entitlement or from a relief's month, never both.
CREATE TABLE disasters (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    -- Community codes joined with commas; address keywords joined with line breaks.
    communities TEXT NOT NULL,
    keywords    TEXT NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE disaster_households (
    id           BIGSERIAL PRIMARY KEY,
    disaster_id  BIGINT NOT NULL REFERENCES disasters (id),
    household_id BIGINT NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    state        TEXT NOT NULL,
    damage       TEXT,
    dead         BIGINT NOT NULL DEFAULT 0,
    injured      BIGINT NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    updated_by   BIGINT,
    updated_at   TIMESTAMPTZ,
    CONSTRAINT disaster_households_once UNIQUE (disaster_id, household_id)
);
CREATE INDEX disaster_households_scope ON disaster_households (disaster_id, community);

-- One relief: its amount (transitional: per month), the first month it is due and how many.
CREATE TABLE disaster_reliefs (
    id           BIGSERIAL PRIMARY KEY,
    disaster_id  BIGINT NOT NULL REFERENCES disasters (id),
    household_id BIGINT NOT NULL REFERENCES households (id),
    kind         TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL CHECK (amount_fen > 0),
    from_month   TEXT NOT NULL,
    months       BIGINT NOT NULL CHECK (months >= 1),
    reason       TEXT NOT NULL,
    recorded_by  BIGINT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    -- A relief withdrawn (a mistake, or no one left to receive it): its unpaid months are
    -- removed, what was paid stays.
    cancelled_by BIGINT,
    cancelled_at TIMESTAMPTZ,
    cancel_reason TEXT
);
CREATE INDEX disaster_reliefs_disaster ON disaster_reliefs (disaster_id, household_id);

-- Each month a relief is due, with the programme its payment line carries: one per household,
-- programme and month, like the payment lines themselves, so that a relief never collides
-- with another line and the run makes each once.
CREATE TABLE relief_months (
    id           BIGSERIAL PRIMARY KEY,
    relief_id    BIGINT NOT NULL REFERENCES disaster_reliefs (id),
    household_id BIGINT NOT NULL,
    month        TEXT NOT NULL,
    program      TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL,
    CONSTRAINT relief_months_once UNIQUE (month, household_id, program)
);

-- A payment line comes from an entitlement or a relief month.
ALTER TABLE payments ALTER COLUMN entitlement_id DROP NOT NULL;
ALTER TABLE payments ADD COLUMN relief_month_id BIGINT REFERENCES relief_months (id);
ALTER TABLE payments ADD CONSTRAINT payments_source
    CHECK ((entitlement_id IS NULL) <> (relief_month_id IS NULL));
CREATE INDEX payments_relief_month ON payments (relief_month_id);
