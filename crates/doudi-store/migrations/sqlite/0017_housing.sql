-- Housing assistance (2.6): applications for public rental housing (实物配租) or a rent subsidy
-- (租赁补贴), with the household's category and housing situation when it filed (what the
-- priority rule reads), and the decision: a flat allotted (unit, area in hundredths of a square
-- metre, monthly rent in fen, from a day), a subsidy granted (monthly amount in fen, from and
-- to months 'YYYY-MM', both included), a refusal with its reason, or a withdrawal.
-- `community` is the household's community when it filed: the application's scope.
CREATE TABLE housing_applications (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households (id),
    community     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    category      TEXT NOT NULL,
    housing       TEXT NOT NULL,
    filed_on      TEXT NOT NULL,
    note          TEXT NOT NULL,
    unit          TEXT,
    area_centi_m2 INTEGER CHECK (area_centi_m2 > 0),
    rent_fen      INTEGER CHECK (rent_fen >= 0),
    allocated_on  TEXT,
    subsidy_fen   INTEGER CHECK (subsidy_fen > 0),
    from_month    TEXT,
    to_month      TEXT,
    reason        TEXT,
    filed_by      INTEGER NOT NULL,
    decided_by    INTEGER,
    decided_at    TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX housing_applications_scope ON housing_applications (community, state);
-- One open (filed, undecided) application per household.
CREATE UNIQUE INDEX housing_applications_one_open ON housing_applications (household_id)
    WHERE state = 'filed';
