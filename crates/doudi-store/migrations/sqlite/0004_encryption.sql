-- Personal identifiers encrypted at rest (issue 4): identity numbers, phone numbers and bank
-- accounts hold sealed values (`v1:<key id>:<base64>`, AES-256-GCM) from now on, and identity
-- numbers are found through keyed blind indexes instead of their plaintext.
--
-- SQL cannot encrypt (the key never enters the database), so this migration only reshapes the
-- schema; the store seals the rows filed before it on its first start with a key, in one
-- transaction, and records the key's id in `data_key` (see `keys.rs` and `seal_plaintext`).
-- Until then `persons.id_number_bidx` is NULL for those rows, which is how they are found.

-- The backwards identity number gave the last digits away: it goes.
DROP INDEX persons_id_number_reversed;
ALTER TABLE persons DROP COLUMN id_number_reversed;

-- HMAC of the whole identity number: uniqueness and exact search.
ALTER TABLE persons ADD COLUMN id_number_bidx TEXT;
CREATE UNIQUE INDEX persons_id_number_bidx_key ON persons (id_number_bidx);
-- HMAC of its last four characters: search by the last 4 to 8 digits finds the candidates
-- here, and the store decrypts them to compare longer tails.
ALTER TABLE persons ADD COLUMN id_tail_bidx TEXT;
CREATE INDEX persons_id_tail_bidx ON persons (id_tail_bidx, household_id);

-- (The UNIQUE constraint of 0001 on persons.id_number stays: SQLite cannot drop it without
-- rebuilding the table, and on sealed values, each with its own random nonce, it never fires.)

-- The id (a fingerprint, not the key) of the data key the sealed values were written with.
CREATE TABLE data_key (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    key_id   TEXT NOT NULL,
    since    TEXT NOT NULL
);
