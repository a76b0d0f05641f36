-- The schemas of both backends made equal (the schema comparison test checks them).

-- `settings.name` is the key: NOT NULL, as in PostgreSQL (a SQLite key that is not the rowid
-- would otherwise take NULL). SQLite cannot add NOT NULL to a column, so the table is rebuilt.
CREATE TABLE settings_rebuilt (
    name   TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
);
INSERT INTO settings_rebuilt (name, value) SELECT name, value FROM settings WHERE name IS NOT NULL;
DROP TABLE settings;
ALTER TABLE settings_rebuilt RENAME TO settings;
