-- Policy pages and good cases for the public (3.4): written and published by the civil affairs
-- bureau; only published ones are shown without login.
CREATE TABLE publications (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    published  BIGINT NOT NULL CHECK (published IN (0, 1)),
    updated_by BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
