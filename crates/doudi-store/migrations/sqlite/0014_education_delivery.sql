-- Education aid delivered (2.5): the school a student attends in a term, and each item the
-- policy engine says the student is owed in that term, once delivered: when, how much and by
-- whom. What is owed is never stored; it is derived from the file each time, so an item owed
-- and not in this table is undelivered.
CREATE TABLE enrolments (
    person_id    INTEGER NOT NULL,
    term         TEXT NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    school       TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, term)
);

CREATE TABLE education_deliveries (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL,
    term         TEXT NOT NULL,
    item         TEXT NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),
    delivered_on TEXT NOT NULL,
    school       TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX education_deliveries_once ON education_deliveries (person_id, term, item);
CREATE INDEX education_deliveries_term ON education_deliveries (term);
