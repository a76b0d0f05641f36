//! The conformance suite of doudi's stores: every case is written once against `dyn Store` and
//! runs on SQLite (in memory) and on PostgreSQL (a fresh database per case). A few cases only
//! make sense for a SQLite file, and one ignored case measures a county-sized registry.

mod support;

mod access;
mod accounts;
mod audit;
mod casework;
mod counties;
mod dashboard;
mod delivery;
mod disasters;
mod discovery;
mod encryption;
mod finances;
mod funds;
mod households;
mod housing;
mod import;
mod inspections;
mod jobs;
mod maintenance;
mod measure;
mod members;
mod records;
mod schema;
mod scope;
mod search;
mod services;
mod social;
mod sqlite_file;
mod units;
mod users;
mod visits;
