-- Government-bought care services (3.3): the providers, each month's service to a person with
-- a disability (hours and cost), and the quality checks of a service.
CREATE TABLE service_providers (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL CONSTRAINT service_providers_name_key UNIQUE,
    -- Service kind codes joined with commas.
    kinds      TEXT NOT NULL,
    contact    TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- One provider's service of one kind to one person in one month.
CREATE TABLE service_records (
    id           BIGSERIAL PRIMARY KEY,
    provider_id  BIGINT NOT NULL REFERENCES service_providers (id),
    person_id    BIGINT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    month        TEXT NOT NULL,
    hours        BIGINT NOT NULL CHECK (hours >= 0),
    cost_fen     BIGINT NOT NULL CHECK (cost_fen >= 0),
    recorded_by  BIGINT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT service_records_once UNIQUE (month, person_id, provider_id, kind)
);
CREATE INDEX service_records_scope ON service_records (community, month);

CREATE TABLE service_checks (
    id          BIGSERIAL PRIMARY KEY,
    record_id   BIGINT NOT NULL REFERENCES service_records (id),
    checked_on  DATE NOT NULL,
    checker     TEXT NOT NULL,
    result      TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX service_checks_record ON service_checks (record_id);
