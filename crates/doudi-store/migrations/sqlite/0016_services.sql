-- Government-bought care services (3.3): the providers, each month's service to a person with
-- a disability (hours and cost), and the quality checks of a service.
CREATE TABLE service_providers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CONSTRAINT service_providers_name_key UNIQUE,
    -- Service kind codes joined with commas.
    kinds      TEXT NOT NULL,
    contact    TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- One provider's service of one kind to one person in one month.
CREATE TABLE service_records (
    id           INTEGER PRIMARY KEY,
    provider_id  INTEGER NOT NULL REFERENCES service_providers (id),
    person_id    INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    month        TEXT NOT NULL,
    hours        INTEGER NOT NULL CHECK (hours >= 0),
    cost_fen     INTEGER NOT NULL CHECK (cost_fen >= 0),
    recorded_by  INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL,
    CONSTRAINT service_records_once UNIQUE (month, person_id, provider_id, kind)
);
CREATE INDEX service_records_scope ON service_records (community, month);

CREATE TABLE service_checks (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES service_records (id),
    checked_on  TEXT NOT NULL,
    checker     TEXT NOT NULL,
    result      TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX service_checks_record ON service_checks (record_id);
