-- The schemas of both backends made equal (the schema comparison test checks them), and two
-- rules of casework kept by the database itself, not only by the store's checks.

-- `settings.name` is the key: NOT NULL, as in PostgreSQL (a SQLite key that is not the rowid
-- would otherwise take NULL). SQLite cannot add NOT NULL to a column, so the table is rebuilt.
CREATE TABLE settings_rebuilt (
    name   TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
);
INSERT INTO settings_rebuilt (name, value) SELECT name, value FROM settings WHERE name IS NOT NULL;
DROP TABLE settings;
ALTER TABLE settings_rebuilt RENAME TO settings;

-- One open case of each type per household (4.2.b: an application is not submitted twice
-- while one is in progress): open is any state but the three final ones.
CREATE UNIQUE INDEX cases_one_open_per_type ON cases (household_id, case_type)
    WHERE state NOT IN ('approved', 'refused', 'withdrawn');

-- One open entitlement period per household: a period is open while `until_month` is NULL,
-- and a new amount closes the old period before it opens the new one.
CREATE UNIQUE INDEX entitlements_one_open ON entitlements (household_id)
    WHERE until_month IS NULL;
