-- Facts about the database itself, by name. `demo` is written by `doudi serve --demo` when it
-- creates the database, and only then: the demo logins (published password) are made only on
-- a database that carries it.
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
