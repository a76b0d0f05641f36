//! HTTP tests of the doudi web application: each calls the router directly on a fresh in-memory
//! SQLite store and checks what a caseworker (or an API client) would see.

mod accounts;
mod api;
mod audit;
mod casework;
mod clauses;
mod dashboard;
mod departments;
mod disasters;
mod discovery;
mod entitlement;
mod funds;
mod hostile;
mod households;
mod housing;
mod import;
mod inspections;
mod jobs;
mod list;
mod matrix;
mod measure;
mod pairing;
mod property;
mod publications;
mod security;
mod services;
mod session;
mod social;
mod support;
mod unmask;
mod visits;
