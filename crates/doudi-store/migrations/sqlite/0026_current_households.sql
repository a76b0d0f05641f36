-- The households of a township current on a day (enrolled, not exited), found from an index
-- alone: the work list's coverage counts and the household list's total read nothing else of
-- the row, and `id` joins the pairings and visits. (`id` is the rowid, which every SQLite
-- index carries anyway; it is named so that both backends' indexes are the same.)
CREATE INDEX households_township_current ON households (township, exited_on, enrolled_on, id);
