-- Accounts (5.1): the department of a department officer, disabled accounts, the lockout after
-- failed logins, the idle time of sessions, and the pairing of cadres with households.

-- The department code of a department officer; NULL for every other role.
ALTER TABLE users ADD COLUMN department TEXT;
-- A disabled account cannot log in and has no sessions.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
-- Failed logins in a row since the last successful one, and until when the account is locked.
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;

-- Sessions opened before idle expiry existed have no last request time: they end.
DELETE FROM sessions;
-- When the session last served a request (to the minute), for idle expiry.
ALTER TABLE sessions ADD COLUMN last_seen TEXT NOT NULL DEFAULT '';

-- Which cadres are paired with which households (结对帮扶, 3.2); a paired cadre reads only these.
CREATE TABLE pairings (
    household_id INTEGER NOT NULL REFERENCES households (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    created_by   INTEGER NOT NULL,
    CONSTRAINT pairings_key PRIMARY KEY (household_id, user_id)
) WITHOUT ROWID;

CREATE INDEX pairings_user ON pairings (user_id, household_id);
