//! End-to-end tests of the `doudi` binary: real processes, real databases (SQLite files and,
//! unless DOUDI_TEST_PG=skip, fresh PostgreSQL databases), real HTTP over loopback.

mod accounts;
mod audit;
mod backup;
mod browser;
mod casework;
mod cli;
mod crash;
mod http;
mod keys;
mod load;
mod policy;
mod support;
