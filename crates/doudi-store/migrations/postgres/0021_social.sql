-- Social forces (3.1, 3.2): participants (linked to a social-organisation account, verified by
-- the county), their offers, households' needs as published (de-identified: the household is
-- kept only to check scope and acknowledge delivery, and never leaves the store), and matches
-- of offers to needs through delivery and acknowledgement.
CREATE TABLE social_participants (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL CONSTRAINT social_participants_user_key UNIQUE,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    contact      TEXT NOT NULL,
    credit_code  TEXT,
    verified BOOLEAN NOT NULL,
    verified_by  BIGINT,
    verified_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE social_offers (
    id             BIGSERIAL PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES social_participants (id),
    kind           TEXT NOT NULL,
    description    TEXT NOT NULL,
    township       TEXT,
    capacity       BIGINT NOT NULL CHECK (capacity >= 1),
    amount_fen     BIGINT NOT NULL CHECK (amount_fen >= 0),
    valid_until    DATE NOT NULL,
    is_open BOOLEAN NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX social_offers_participant ON social_offers (participant_id);

-- `token` is the opaque id shown outside; one published need per household and kind of need.
CREATE TABLE social_needs (
    id           BIGSERIAL PRIMARY KEY,
    token        TEXT NOT NULL CONSTRAINT social_needs_token_key UNIQUE,
    household_id BIGINT NOT NULL REFERENCES households (id),
    need         TEXT NOT NULL,
    township     TEXT NOT NULL,
    community    TEXT NOT NULL,
    size_bracket TEXT NOT NULL,
    urgency      TEXT NOT NULL,
    is_open BOOLEAN NOT NULL,
    published_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX social_needs_once ON social_needs (household_id, need);

CREATE TABLE social_matches (
    id              BIGSERIAL PRIMARY KEY,
    need_id         BIGINT NOT NULL CONSTRAINT social_matches_need_key UNIQUE REFERENCES social_needs (id),
    offer_id        BIGINT NOT NULL REFERENCES social_offers (id),
    amount_fen      BIGINT NOT NULL CHECK (amount_fen >= 0),
    state           TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    confirmed_by    BIGINT NOT NULL,
    confirmed_at    TIMESTAMPTZ NOT NULL,
    delivery_note   TEXT,
    delivered_at    TIMESTAMPTZ,
    acknowledged_by BIGINT,
    acknowledged_at TIMESTAMPTZ
);
CREATE INDEX social_matches_offer ON social_matches (offer_id);
