-- Social forces (3.1, 3.2): participants (linked to a social-organisation account, verified by
-- the county), their offers, households' needs as published (de-identified: the household is
-- kept only to check scope and acknowledge delivery, and never leaves the store), and matches
-- of offers to needs through delivery and acknowledgement.
CREATE TABLE social_participants (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL CONSTRAINT social_participants_user_key UNIQUE,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    contact      TEXT NOT NULL,
    credit_code  TEXT,
    verified     INTEGER NOT NULL CHECK (verified IN (0, 1)),
    verified_by  INTEGER,
    verified_at  TEXT,
    created_at   TEXT NOT NULL
);

CREATE TABLE social_offers (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES social_participants (id),
    kind           TEXT NOT NULL,
    description    TEXT NOT NULL,
    township       TEXT,
    capacity       INTEGER NOT NULL CHECK (capacity >= 1),
    amount_fen     INTEGER NOT NULL CHECK (amount_fen >= 0),
    valid_until    TEXT NOT NULL,
    is_open        INTEGER NOT NULL CHECK (is_open IN (0, 1)),
    created_at     TEXT NOT NULL
);
CREATE INDEX social_offers_participant ON social_offers (participant_id);

-- `token` is the opaque id shown outside; one published need per household and kind of need.
CREATE TABLE social_needs (
    id           INTEGER PRIMARY KEY,
    token        TEXT NOT NULL CONSTRAINT social_needs_token_key UNIQUE,
    household_id INTEGER NOT NULL REFERENCES households (id),
    need         TEXT NOT NULL,
    township     TEXT NOT NULL,
    community    TEXT NOT NULL,
    size_bracket TEXT NOT NULL,
    urgency      TEXT NOT NULL,
    is_open      INTEGER NOT NULL CHECK (is_open IN (0, 1)),
    published_at TEXT NOT NULL
);
CREATE UNIQUE INDEX social_needs_once ON social_needs (household_id, need);

CREATE TABLE social_matches (
    id              INTEGER PRIMARY KEY,
    need_id         INTEGER NOT NULL CONSTRAINT social_matches_need_key UNIQUE REFERENCES social_needs (id),
    offer_id        INTEGER NOT NULL REFERENCES social_offers (id),
    amount_fen      INTEGER NOT NULL CHECK (amount_fen >= 0),
    state           TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    confirmed_by    INTEGER NOT NULL,
    confirmed_at    TEXT NOT NULL,
    delivery_note   TEXT,
    delivered_at    TEXT,
    acknowledged_by INTEGER,
    acknowledged_at TEXT
);
CREATE INDEX social_matches_offer ON social_matches (offer_id);
