-- A review that would end an entitlement or lower its amount is proposed by the township and
-- waits here for the county's sign-off (4.2.b: the county decides); nothing changes for the
-- household until the county signs. Continuing or raising the amount takes effect at once.
CREATE TABLE review_proposals (
    id             INTEGER PRIMARY KEY,
    entitlement_id INTEGER NOT NULL REFERENCES entitlements (id),
    household_id   INTEGER NOT NULL REFERENCES households (id),
    result         TEXT NOT NULL,
    monthly_fen    INTEGER NOT NULL CHECK (monthly_fen >= 0),
    reason         TEXT NOT NULL,
    note           TEXT NOT NULL,
    proposed_by    INTEGER NOT NULL,
    proposed_at    TEXT NOT NULL,
    state          TEXT NOT NULL,
    decided_by     INTEGER,
    decided_at     TEXT,
    decision_note  TEXT
);
CREATE INDEX review_proposals_household ON review_proposals (household_id);
-- One proposal waiting per entitlement period.
CREATE UNIQUE INDEX review_proposals_one_pending ON review_proposals (entitlement_id)
    WHERE state = 'pending';
