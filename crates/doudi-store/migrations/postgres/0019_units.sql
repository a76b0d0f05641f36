-- Pairing units (3.3: 每户有责任单位和责任人): county departments and township offices, each
-- paired with communities, and the cadres who belong to each.
CREATE TABLE units (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL CONSTRAINT units_name_key UNIQUE,
    kind       TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE unit_communities (
    unit_id   BIGINT NOT NULL REFERENCES units (id),
    community TEXT NOT NULL,
    CONSTRAINT unit_communities_key PRIMARY KEY (unit_id, community)
);

CREATE TABLE unit_members (
    unit_id BIGINT NOT NULL REFERENCES units (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    CONSTRAINT unit_members_key PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX unit_members_user ON unit_members (user_id);
