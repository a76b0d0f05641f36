-- A caseworker's answer to "is this department record this person?", remembered under a keyed
-- fingerprint of the record's identifying fields (never the fields themselves), so that the
-- same record in a later feed is not asked again (5.3). Forgotten when the data key rotates.
ALTER TABLE feed_records ADD COLUMN fingerprint TEXT;
CREATE TABLE link_decisions (
    fingerprint TEXT NOT NULL,
    person_id   BIGINT NOT NULL,
    same        BOOLEAN NOT NULL,
    decided_by  BIGINT NOT NULL,
    decided_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (fingerprint, person_id)
);
