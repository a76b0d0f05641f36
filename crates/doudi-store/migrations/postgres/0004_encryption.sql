-- Personal identifiers encrypted at rest (issue 4): identity numbers, phone numbers and bank
-- accounts hold sealed values (`v1:<key id>:<base64>`, AES-256-GCM) from now on, and identity
-- numbers are found through keyed blind indexes instead of their plaintext.
--
-- SQL cannot encrypt (the key never enters the database), so this migration only reshapes the
-- schema; the store seals the rows filed before it on its first start with a key, in one
-- transaction, and records the key's id in `data_key` (see `keys.rs` and `adopt_key`).

-- The backwards identity number gave the last digits away: it goes.
DROP INDEX persons_id_number_reversed;
ALTER TABLE persons DROP COLUMN id_number_reversed;

-- The identity number's column, with its UNIQUE constraint (persons_id_number_key), becomes the
-- blind index (HMAC of the whole number: uniqueness and exact search). Until the store's first
-- start with a key it still holds the plaintext of the rows filed before, whose sealed
-- `id_number` is NULL: that is how they are found.
ALTER TABLE persons RENAME COLUMN id_number TO id_number_bidx;
-- The identity number, sealed.
ALTER TABLE persons ADD COLUMN id_number TEXT;
-- HMAC of its last four characters: search by the last 4 to 8 digits finds the candidates
-- here, and the store decrypts them to compare longer tails.
ALTER TABLE persons ADD COLUMN id_tail_bidx TEXT COLLATE "C";
CREATE INDEX persons_id_tail_bidx ON persons (id_tail_bidx, household_id);

-- The id (a fingerprint, not the key) of the data key the sealed values were written with.
CREATE TABLE data_key (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    key_id   TEXT NOT NULL,
    since    TIMESTAMPTZ NOT NULL
);
