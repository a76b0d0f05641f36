-- Policy pages and good cases for the public (3.4): written and published by the civil affairs
-- bureau; only published ones are shown without login.
CREATE TABLE publications (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    published  INTEGER NOT NULL CHECK (published IN (0, 1)),
    updated_by INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
