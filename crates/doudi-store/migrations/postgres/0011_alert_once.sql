-- Alerts a scan of the registry raises (a member turning 70, a zero-employment household)
-- carry what makes them the same alert (`dedupe`): scanning again raises nothing twice.
ALTER TABLE alerts ADD COLUMN dedupe TEXT;
CREATE UNIQUE INDEX alerts_once ON alerts (dedupe) WHERE dedupe IS NOT NULL;
