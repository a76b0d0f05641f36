-- The households of a township current on a day (enrolled, not exited), found from an index
-- alone (an index-only scan once the table is vacuumed): the work list's coverage counts and
-- the household list's total read nothing else of the row, and `id` joins the pairings and
-- visits.
CREATE INDEX households_township_current ON households (township, exited_on, enrolled_on, id);
