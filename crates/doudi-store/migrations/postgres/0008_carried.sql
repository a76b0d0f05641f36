-- Benefits households already received when the county started using the platform, as filed
-- with the household (4.2.b): each waits here until the county checks it against the rules and
-- confirms it, which turns it into an entitlement period and removes it.
CREATE TABLE carried_entitlements (
    household_id BIGINT PRIMARY KEY REFERENCES households (id),
    program      TEXT NOT NULL,
    monthly_fen  BIGINT NOT NULL CHECK (monthly_fen > 0),
    from_month   TEXT NOT NULL,
    reference    TEXT NOT NULL,
    filed_by     BIGINT NOT NULL,
    filed_at     TIMESTAMPTZ NOT NULL
);
