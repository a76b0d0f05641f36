-- Visits to households (走访记录) with their attachments, and visit campaigns (走访活动), 3.3
-- and 4.3. `community` is the household's community when visited: the visit's scope.
-- `draft_id` is the client's id of the draft: a resent visit is the same visit.
CREATE TABLE visits (
    id           BIGSERIAL PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    community    TEXT NOT NULL,
    visited_on   DATE NOT NULL,
    kind         TEXT NOT NULL,
    found        TEXT NOT NULL,
    needs        TEXT NOT NULL,
    draft_id     TEXT NOT NULL,
    visited_by   BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX visits_draft ON visits (draft_id);
CREATE INDEX visits_household ON visits (household_id, visited_on);
CREATE INDEX visits_community ON visits (community, visited_on);

CREATE TABLE visit_attachments (
    id         BIGSERIAL PRIMARY KEY,
    visit_id   BIGINT NOT NULL REFERENCES visits (id),
    file_name  TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes      BYTEA NOT NULL
);
CREATE INDEX visit_attachments_visit ON visit_attachments (visit_id);

CREATE TABLE visit_campaigns (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    from_on    DATE NOT NULL,
    to_on      DATE NOT NULL,
    created_by BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
