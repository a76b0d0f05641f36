//! The route × role matrix (5.1): every page and API route, called by the public and by every
//! role, for a household inside the caller's part of the county and one outside it, against a
//! table written here independently of the routes' declared permissions. A route without a row
//! fails the test, so that a new route cannot go in without someone deciding who may call it.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use doudi_core::{Department, DivisionCode, HouseholdId, PersonId, Role, SchoolStage, Scope};
use serde_json::{Value, json};

use crate::support::*;

/// Who calls, in the order of the table's columns.
const WHO: [&str; 9] = [
    "public",
    "admin",
    "county",
    "auditor",
    "township",
    "community",
    "education",
    "cadre",
    "social",
];

/// What a call came to: `L` sent to log in (401, or a redirect to /login), `F` forbidden (403),
/// `N` not found (404), `R` reached (anything else: the page, a validation error, a conflict).
/// A cell of two letters is (inside, outside) for routes about one household; one letter
/// stands for both.
const MATRIX: &[(&str, &str)] = &[
    //                                                 public admin county auditor township community education cadre social
    ("get /login", "R R R R R R R R R"),
    ("post /login", "R R R R R R R R R"),
    ("get /static/{file}", "R R R R R R R R R"),
    ("post /api/login", "R R R R R R R R R"),
    ("get /api/schemas/household.json", "R R R R R R R R R"),
    ("get /api/openapi.json", "R R R R R R R R R"),
    ("get /api/health", "R R R R R R R R R"),
    ("get /notices", "R R R R R R R R R"),
    ("get /notices/{community}", "R R R R R R R R R"),
    ("get /policy", "R R R R R R R R R"),
    ("get /policy/{id}", "N N N N N N N N N"),
    ("get /api/publications", "R R R R R R R R R"),
    // The public disclosure and reports (5.4): open to all; a township or month that is not
    // there (the calls name none that is) is not found, and so is a receipt nobody was given.
    ("get /disclosure", "R R R R R R R R R"),
    ("get /disclosure/report", "R R R R R R R R R"),
    ("post /disclosure/report", "R R R R R R R R R"),
    ("get /disclosure/report/{receipt}", "N N N N N N N N N"),
    ("get /disclosure/{township}/{month}", "N N N N N N N N N"),
    (
        "get /disclosure/{township}/{month}/list.xlsx",
        "N N N N N N N N N",
    ),
    (
        "get /api/disclosure/{township}/{month}",
        "N N N N N N N N N",
    ),
    ("post /logout", "L R R R R R R R R"),
    ("post /logout/all", "L R R R R R R R R"),
    ("get /password", "L R R R R R R R R"),
    ("post /password", "L R R R R R R R R"),
    ("post /api/logout", "L R R R R R R R R"),
    ("post /api/logout/all", "L R R R R R R R R"),
    ("get /api/me", "L R R R R R R R R"),
    ("get /", "L R R R R R R R R"),
    ("get /api/divisions", "L R R R R R R R R"),
    // The policy coverage page (every clause, what implements and tests it): any logged-in user.
    ("get /clauses", "L R R R R R R R R"),
    ("get /clauses.xlsx", "L R R R R R R R R"),
    ("get /api/clauses", "L R R R R R R R R"),
    ("get /households", "L F R R R R R R F"),
    ("get /households/export.xlsx", "L F R R R R R R F"),
    ("get /households/{id}", "L F R RR RN RN RN RN F"),
    ("get /api/households", "L F R R R R R R F"),
    ("get /api/households/{id}", "L F R RR RN RN RN RN F"),
    ("get /households/{id}/entitlement", "L F R R RN RN F RN F"),
    ("get /api/households/{id}/history", "L F R R RN RN F RN F"),
    (
        "get /api/households/{id}/entitlement",
        "L F R R RN RN F RN F",
    ),
    ("get /api/households/{id}/pairings", "L F R R RN RN F RN F"),
    ("post /households/{id}/unmask", "L F R R RN RN F F F"),
    ("post /api/households/{id}/unmask", "L F R R RN RN F F F"),
    ("get /import/template.xlsx", "L F R F R R F F F"),
    ("get /import/template.csv", "L F R F R R F F F"),
    ("get /households/import", "L F R F R R F F F"),
    ("post /households/import", "L F R F R R F F F"),
    // A job nobody started (each is only its starter's) is not found.
    ("get /households/import/{job}", "L F N F N N F F F"),
    (
        "get /households/import/{job}/errors.xlsx",
        "L F N F N N F F F",
    ),
    (
        "get /households/import/{job}/errors.csv",
        "L F N F N N F F F",
    ),
    ("get /households/new", "L F R F R R F F F"),
    ("post /households/new", "L F R F R R F F F"),
    ("get /households/{id}/edit", "L F R F RN RN F F F"),
    ("post /households/{id}/edit", "L F R F RN RN F F F"),
    ("get /households/{id}/members/new", "L F R F RN RN F F F"),
    ("post /households/{id}/members/new", "L F R F RN RN F F F"),
    (
        "get /households/{id}/members/{person}/edit",
        "L F R F RN RN F F F",
    ),
    (
        "post /households/{id}/members/{person}/edit",
        "L F R F RN RN F F F",
    ),
    (
        "get /households/{id}/members/{person}/remove",
        "L F R F RN RN F F F",
    ),
    (
        "post /households/{id}/members/{person}/remove",
        "L F R F RN RN F F F",
    ),
    (
        "get /households/{id}/finances/{kind}/new",
        "L F R F RN RN F F F",
    ),
    (
        "post /households/{id}/finances/{kind}/new",
        "L F R F RN RN F F F",
    ),
    (
        "post /households/{id}/finances/{kind}/delete",
        "L F R F RN RN F F F",
    ),
    ("get /households/{id}/surveys/new", "L F R F RN RN F F F"),
    ("post /households/{id}/surveys/new", "L F R F RN RN F F F"),
    ("post /api/households", "L F R F R R F F F"),
    ("put /api/households/{id}", "L F R F RN RN F F F"),
    ("post /api/households/{id}/members", "L F R F RN RN F F F"),
    ("put /api/members/{id}", "L F R F RN RN F F F"),
    ("delete /api/members/{id}", "L F R F RN RN F F F"),
    ("post /api/households/{id}/finances", "L F R F RN RN F F F"),
    ("post /api/households/{id}/surveys", "L F R F RN RN F F F"),
    ("post /households/{id}/pairings", "L F R F RN F F F F"),
    (
        "post /households/{id}/pairings/{cadre}/remove",
        "L F R F RN F F F F",
    ),
    ("post /api/households/{id}/pairings", "L F R F RN F F F F"),
    (
        "delete /api/households/{id}/pairings/{cadre}",
        "L F R F RN F F F F",
    ),
    ("get /api/cadres", "L F R F R F F F F"),
    ("get /work", "L R R R R R R R R"),
    ("get /work/count", "L R R R R R R R R"),
    ("get /work/export.xlsx", "L R R R R R R R R"),
    ("get /api/work", "L R R R R R R R R"),
    // Case routes take a case id, and the calls use household ids: the routes are called in the
    // order of the route table, so a case exists for an id once `post /households/{id}/cases`
    // (declared after the first three below) has filed one for the caller's household.
    ("get /cases", "L F R R R R F F F"),
    ("get /cases/export.xlsx", "L F R R R R F F F"),
    ("get /cases/{id}", "L F N N N N F F F"),
    ("post /cases/{id}/steps", "L F F F N N F F F"),
    ("post /cases/{id}/approve", "L F N F F F F F F"),
    ("post /households/{id}/cases", "L F R F RN RN F F F"),
    ("get /api/cases", "L F R R R R F F F"),
    ("get /api/cases/{id}", "L F RN RN RN RN F F F"),
    ("post /api/households/{id}/cases", "L F R F RN RN F F F"),
    ("post /api/cases/{id}/steps", "L F F F RN RN F F F"),
    ("post /api/cases/{id}/approve", "L F RN F F F F F F"),
    (
        "get /api/households/{id}/entitlements",
        "L F R R RN RN F RN F",
    ),
    ("get /api/entitlements/{id}/review", "L F R F R R F F F"),
    ("post /api/entitlements/{id}/review", "L F N F N F F F F"),
    ("get /api/review-proposals", "L F R R R R F F F"),
    (
        "post /api/review-proposals/{id}/decision",
        "L F N F F F F F F",
    ),
    (
        "post /households/{id}/review-proposals/{proposal}/approve",
        "L F N F F F F F F",
    ),
    (
        "post /households/{id}/review-proposals/{proposal}/reject",
        "L F N F F F F F F",
    ),
    ("get /households/{id}/entitlements", "L F R R RN RN F RN F"),
    ("get /households/{id}/chain", "L F R R RN RN F RN F"),
    ("get /households/{id}/chain.xlsx", "L F R R RN RN F RN F"),
    ("get /api/households/{id}/chain", "L F R R RN RN F RN F"),
    (
        "get /api/households/{id}/verification",
        "L F R R RN RN F F F",
    ),
    (
        "post /households/{id}/entitlements/{entitlement}/review",
        "L F N F N F F F F",
    ),
    ("post /api/members/{id}/death", "L F R F RN F F F F"),
    ("post /api/members/{id}/care", "L F R F RN FN F F F"),
    ("get /api/care/kpi", "L F R R R R F F F"),
    ("get /payments", "L F R F F F F F F"),
    ("get /entitlements/carried", "L F R F F F F F F"),
    ("get /entitlements/export.xlsx", "L F R F F F F F F"),
    ("post /entitlements/carried", "L F R F F F F F F"),
    ("post /payments", "L F R F F F F F F"),
    ("post /payments/results", "L F R F F F F F F"),
    // The matrix names the file app.css: not a bank file, so not found even for the county.
    ("get /payments/{month}/{file}", "L F N F F F F F F"),
    ("post /api/payments/{month}", "L F R F F F F F F"),
    ("get /api/payments/{month}", "L F R F F F F F F"),
    ("post /api/payments/{month}/results", "L F R F F F F F F"),
    ("get /audit", "L R F R F F F F F"),
    ("get /audit/export.xlsx", "L R F R F F F F F"),
    ("get /audit/verify", "L R F R F F F F F"),
    ("get /api/audit", "L R F R F F F F F"),
    ("get /admin/users", "L R F F F F F F F"),
    ("get /admin/settings", "L R F F F F F F F"),
    ("post /admin/settings", "L R F F F F F F F"),
    ("get /admin/communities", "L R F F F F F F F"),
    ("get /feeds", "L F R F F F R F F"),
    ("post /feeds", "L F R F F F R F F"),
    ("post /feeds/mapping", "L F R F F F R F F"),
    ("get /alerts", "L F R R R R F F F"),
    ("get /alerts/export.xlsx", "L F R R R R F F F"),
    ("post /alerts/scan", "L F R F F F F F F"),
    ("get /watch", "L F R F F F F F F"),
    ("get /watch.xlsx", "L F R F F F F F F"),
    ("post /alerts/{id}", "L F R F R R F F F"),
    ("post /api/feeds/{kind}", "L F R F F F R F F"),
    ("get /api/feeds", "L F R F F F R F F"),
    ("get /api/alerts", "L F R R R R F F F"),
    ("get /exchange/education", "L F R R R R R R F"),
    ("get /employment/zero", "L F R R R R R R F"),
    ("get /figures", "L F R R R F R F F"),
    ("get /figures.xlsx", "L F R R R F R F F"),
    ("get /api/figures", "L F R R R F R F F"),
    ("get /dashboard", "L F R R R F F F F"),
    ("get /dashboard.xlsx", "L F R R R F F F F"),
    ("get /api/dashboard", "L F R R R F F F F"),
    ("get /dashboard/guarantees", "L F R R R F F F F"),
    ("get /dashboard/guarantees.xlsx", "L F R R R F F F F"),
    ("get /ledgers", "L F R R R F F F F"),
    ("get /ledgers/{ledger}", "L F R R R F F F F"),
    ("get /employment/zero.xlsx", "L F R R R R R R F"),
    ("get /api/employment/zero", "L F R R R R R R F"),
    ("get /exchange/education.xlsx", "L F R R R R R R F"),
    ("get /api/exchange/education", "L F R R R R R R F"),
    ("post /api/alerts/{id}", "L F R F R R F F F"),
    ("get /pairing", "L F R F R F F F F"),
    ("get /admin/publications", "L F R F F F F F F"),
    ("post /admin/publications", "L F R F F F F F F"),
    ("post /pairing/assign", "L F R F R F F F F"),
    ("post /pairing/handover", "L F R F R F F F F"),
    ("post /pairing/units", "L F R F F F F F F"),
    ("post /pairing/units/{id}", "L F N F F F F F F"),
    ("get /pairing/cadres.xlsx", "L F R F R F F F F"),
    ("get /api/units", "L F R F R F F F F"),
    ("post /api/units", "L F R F F F F F F"),
    ("post /api/pairings/assign", "L F R F R F F F F"),
    ("post /api/pairings/handover", "L F R F R F F F F"),
    ("get /medical", "L F R R R F F F F"),
    ("post /medical/stays", "L F R F F F F F F"),
    ("post /medical/stays/import", "L F R F F F F F F"),
    ("get /medical/stays-template.xlsx", "L F R R R R R R F"),
    ("post /api/medical/stays/batch", "L F R F F F F F F"),
    ("post /medical/stays/{id}/cancel", "L F N F F F F F F"),
    ("get /medical/stays.xlsx", "L F R R R F F F F"),
    ("get /medical/watch.xlsx", "L F R R R F F F F"),
    ("get /api/medical/stays", "L F R R R F F F F"),
    ("post /api/medical/stays", "L F R F F F F F F"),
    ("post /api/medical/stays/{id}/cancel", "L F N F F F F F F"),
    ("get /api/medical/watch", "L F R R R F F F F"),
    ("get /medical/special", "L F R R R F F F F"),
    ("get /medical/special.xlsx", "L F R R R F F F F"),
    ("get /api/medical/special", "L F R R R F F F F"),
    ("get /medical/health", "L F R R R R R R F"),
    ("post /medical/health/{person}", "L F R F RN F F F F"),
    ("get /medical/health.xlsx", "L F R R R R R R F"),
    ("get /api/medical/health", "L F R R R R R R F"),
    (
        "post /api/persons/{person}/health-services",
        "L F R F RN F F F F",
    ),
    ("get /education", "L F R R R F R F F"),
    ("post /education/enrol", "L F R F R F R F F"),
    ("post /education/deliver", "L F R F R F R F F"),
    ("post /education/deliveries/import", "L F R F R F R F F"),
    (
        "get /education/deliveries-template.xlsx",
        "L F R R R R R R F",
    ),
    (
        "post /education/deliveries/{id}/withdraw",
        "L F N F N F N F F",
    ),
    ("get /education/undelivered.xlsx", "L F R R R F R F F"),
    ("get /education/schools.xlsx", "L F R R R F R F F"),
    ("get /api/education/students", "L F R R R F R F F"),
    ("get /api/education/schools", "L F R R R F R F F"),
    ("post /api/education/deliveries", "L F R F RN F R F F"),
    ("post /api/education/enrolments", "L F R F RN F R F F"),
    (
        "post /api/education/deliveries/{id}/withdraw",
        "L F N F N F N F F",
    ),
    ("post /admin/communities", "L R F F F F F F F"),
    ("get /admin/communities/export.xlsx", "L R F F F F F F F"),
    ("get /admin/users/new", "L R F F F F F F F"),
    ("post /admin/users/new", "L R F F F F F F F"),
    ("get /admin/users/{id}", "L R F F F F F F F"),
    ("post /admin/users/{id}", "L R F F F F F F F"),
    ("post /admin/users/{id}/disable", "L R F F F F F F F"),
    ("post /admin/users/{id}/enable", "L R F F F F F F F"),
    ("get /admin/users/{id}/password", "L R F F F F F F F"),
    ("post /admin/users/{id}/password", "L R F F F F F F F"),
    // Disaster relief (2.3): no event exists with a household's id, so its pages are not
    // found; a township checks households but records neither events nor reliefs; a body the
    // API cannot read is refused (422) before anyone's role is looked at.
    ("get /disasters", "L F R R R F F F F"),
    ("post /disasters", "L F R F F F F F F"),
    ("get /disasters.xlsx", "L F R R R F F F F"),
    ("get /disasters/{id}", "L F N N N F F F F"),
    ("get /disasters/{id}/export.xlsx", "L F N N N F F F F"),
    (
        "post /disasters/{id}/households/{household}",
        "L F N F N F F F F",
    ),
    ("post /disasters/{id}/relief", "L F N F F F F F F"),
    ("get /api/disasters", "L F R R R F F F F"),
    ("post /api/disasters", "L F R R R F F F F"),
    ("get /api/disasters/{id}", "L F N N N F F F F"),
    (
        "post /api/disasters/{id}/households/{household}",
        "L F R R R F F F F",
    ),
    ("post /api/disasters/{id}/relief", "L F R R R F F F F"),
    // No relief exists: the county is told so; a form without a reason is refused as input.
    (
        "post /disasters/{id}/relief/{relief}/cancel",
        "L F N F F F F F F",
    ),
    (
        "post /api/disasters/{id}/relief/{relief}/cancel",
        "L F R R R F F F F",
    ),
    // Bought care services (3.3): a form's input is checked before the record is looked for,
    // so a check of a record that does not exist is refused as input (422) by those who may.
    ("get /services", "L F R R R F F F F"),
    ("post /services", "L F R F R F F F F"),
    ("get /services.xlsx", "L F R R R F F F F"),
    ("post /services/{id}/checks", "L F R F R F F F F"),
    ("get /services/providers", "L F R R R F F F F"),
    ("post /services/providers", "L F R F F F F F F"),
    ("get /services/providers.xlsx", "L F R R R F F F F"),
    ("get /api/services", "L F R R R F F F F"),
    ("post /api/services", "L F R R R F F F F"),
    ("post /api/services/{id}/checks", "L F R R R F F F F"),
    ("get /api/services/providers", "L F R R R F F F F"),
    ("post /api/services/providers", "L F R R R F F F F"),
    // Funds supervision (5.2): the county and auditors read funds and run the checks; only the
    // county sets budgets; townships read their findings; auditors and the county note them.
    ("get /funds", "L F R R F F F F F"),
    ("get /funds.xlsx", "L F R R F F F F F"),
    ("post /funds/budgets", "L F R F F F F F F"),
    ("get /funds/payments", "L F R R F F F F F"),
    ("get /funds/payments.xlsx", "L F R R F F F F F"),
    ("post /funds/checks", "L F R R F F F F F"),
    ("get /funds/findings", "L F R R R F F F F"),
    ("get /funds/findings.xlsx", "L F R R R F F F F"),
    ("get /funds/findings/{id}", "L F N N N F F F F"),
    ("post /funds/findings/{id}", "L F N N F F F F F"),
    ("get /api/funds", "L F R R F F F F F"),
    ("post /api/funds/budgets", "L F R F F F F F F"),
    ("get /api/funds/payments", "L F R R F F F F F"),
    ("post /api/funds/checks", "L F R R F F F F F"),
    ("get /api/funds/findings", "L F R R R F F F F"),
    ("get /api/funds/findings/{id}", "L F N N N F F F F"),
    ("post /api/funds/findings/{id}", "L F R R F F F F F"),
    // Housing assistance (2.6): the housing officer, the county, auditors, townships and
    // communities read; townships and the county file; no other department. No application
    // exists under a household's id, and the forms' empty fields write nothing.
    ("get /housing", "L F R R R R F F F"),
    ("get /housing.xlsx", "L F R R R R F F F"),
    ("get /housing/priority.xlsx", "L F R R R R F F F"),
    ("post /housing/applications", "L F R F R F F F F"),
    ("get /housing/applications/{id}", "L F N N N N F F F"),
    // A refused decision shows the application's page again: none exists, so not found.
    (
        "post /housing/applications/{id}/decision",
        "L F N F N F F F F",
    ),
    ("get /housing/subsidies", "L F R R R R F F F"),
    ("get /housing/subsidies.xlsx", "L F R R R R F F F"),
    ("get /api/housing/priority", "L F R R R R F F F"),
    ("get /api/housing/applications", "L F R R R R F F F"),
    ("post /api/housing/applications", "L F R F R F F F F"),
    ("get /api/housing/applications/{id}", "L F N N N N F F F"),
    (
        "post /api/housing/applications/{id}/decision",
        "L F R F R F F F F",
    ),
    ("get /api/housing/subsidies", "L F R R R R F F F"),
    // Inspections (5.4): the auditor and the county plan and record; townships answer their
    // rectification tasks and read their reports. Ids are household ids, no such plan, task or
    // report exists: not found for those who may look.
    ("get /inspections", "L F R R F F F F F"),
    ("post /inspections", "L F R R F F F F F"),
    ("get /inspections.xlsx", "L F R R F F F F F"),
    ("get /inspections/{id}", "L F N N F F F F F"),
    ("get /inspections/{id}/findings.xlsx", "L F N N F F F F F"),
    ("post /inspections/{id}/sample", "L F N N F F F F F"),
    ("post /inspections/{id}/findings", "L F N N F F F F F"),
    ("post /inspections/findings/{id}/tasks", "L F R R F F F F F"),
    (
        "post /inspections/findings/{id}/accountability",
        "L F R R F F F F F",
    ),
    ("get /rectifications", "L F R R R F F F F"),
    ("get /rectifications.xlsx", "L F R R R F F F F"),
    ("post /rectifications/{id}", "L F R R R F F F F"),
    ("get /reports", "L F R R R F F F F"),
    ("get /reports.xlsx", "L F R R R F F F F"),
    ("get /reports/{id}", "L F N N N F F F F"),
    ("post /reports/{id}", "L F N N F F F F F"),
    ("get /api/inspections", "L F R R F F F F F"),
    ("post /api/inspections", "L F R R F F F F F"),
    ("get /api/inspections/{id}", "L F N N F F F F F"),
    ("get /api/rectifications", "L F R R R F F F F"),
    ("post /api/rectifications/{id}", "L F R R R F F F F"),
    ("get /api/reports", "L F R R R F F F F"),
    ("get /api/reports/{id}", "L F N N N F F F F"),
    ("post /api/reports/{id}", "L F R R F F F F F"),
    // Employment help (2.7): the human-resources officer, the county, auditors, townships and
    // communities read; the county records openings; townships and the county refer. No
    // opening exists under a household's id.
    ("get /jobs", "L F R R R R F F F"),
    ("post /jobs", "L F R F F F F F F"),
    ("get /jobs.xlsx", "L F R R R R F F F"),
    ("get /jobs/match", "L F R R R R F F F"),
    ("get /jobs/referrals", "L F R R R R F F F"),
    ("get /jobs/referrals.xlsx", "L F R R R R F F F"),
    ("post /jobs/referrals/{id}", "L F R F R F F F F"),
    ("post /jobs/training", "L F R F R F F F F"),
    ("get /jobs/training", "L F R R R R F F F"),
    ("get /jobs/training.xlsx", "L F R R R R F F F"),
    ("get /jobs/{id}", "L F N N N N F F F"),
    ("get /jobs/{id}/candidates.xlsx", "L F N N N N F F F"),
    ("post /jobs/{id}/open", "L F N F F F F F F"),
    ("post /jobs/{id}/referrals", "L F R F R F F F F"),
    ("get /api/jobs/openings", "L F R R R R F F F"),
    ("post /api/jobs/openings", "L F R F F F F F F"),
    ("get /api/jobs/openings/{id}", "L F N N N N F F F"),
    ("get /api/jobs/households/{id}", "L F R R RN RN F F F"),
    ("get /api/jobs/referrals", "L F R R R R F F F"),
    ("post /api/jobs/referrals", "L F R F R F F F F"),
    ("post /api/jobs/referrals/{id}/outcome", "L F R F R F F F F"),
    ("post /api/jobs/training", "L F R F R F F F F"),
    ("get /api/jobs/training", "L F R R R R F F F"),
    ("get /social", "L F R R R R F R R"),
    ("post /social/participant", "L F F F F F F F R"),
    ("post /social/offers", "L F F F F F F F R"),
    ("get /social/offers.xlsx", "L F R R R R F R R"),
    ("post /social/offers/{id}", "L F F F F F F F R"),
    ("post /social/offers/{id}/open", "L F F F F F F F R"),
    ("get /social/needs", "L F R R R R F R R"),
    ("get /social/needs.xlsx", "L F R R R R F R R"),
    ("post /social/needs/publish", "L F R F R F F F F"),
    ("get /social/participants", "L F R R R R F R R"),
    ("get /social/participants.xlsx", "L F R R R R F R R"),
    ("post /social/participants/{id}/verify", "L F N F F F F F F"),
    ("get /social/matches", "L F R R R R F R R"),
    ("post /social/matches", "L F R F R F F F F"),
    ("get /social/matches.xlsx", "L F R R R R F R R"),
    ("post /social/matches/{id}/deliver", "L F F F F F F F R"),
    ("post /social/matches/{id}/acknowledge", "L F N F N F F N F"),
    ("get /api/social/needs", "L F R R R R F R R"),
    ("get /api/social/offers", "L F R R R R F R R"),
    ("post /api/social/offers", "L F F F F F F F R"),
    ("get /api/social/participants", "L F R R R R F R R"),
    ("post /api/social/participants", "L F F F F F F F R"),
    (
        "post /api/social/participants/{id}/verify",
        "L F N F F F F F F",
    ),
    ("get /api/social/matches", "L F R R R R F R R"),
    ("post /api/social/matches", "L F N F N F F F F"),
    ("get /api/social/proposals", "L F R F R F F F F"),
    ("post /api/social/matches/{id}/deliver", "L F F F F F F F R"),
    (
        "post /api/social/matches/{id}/acknowledge",
        "L F N F N F F N F",
    ),
    // Visits, campaigns and coverage (3.3, 4.3): whole-household readers in their scope (a
    // cadre: their pairings); auditors read but do not record; the county approver alone
    // starts a campaign. A campaign or attachment numbered as a household is not found.
    ("get /visits", "L F R R R R F R F"),
    ("get /visits.xlsx", "L F R R R R F R F"),
    ("get /visits/attachments/{id}", "L F N N N N F N F"),
    ("get /households/{id}/visits/new", "L F R F RN RN F RN F"),
    ("post /households/{id}/visits", "L F R F RN RN F RN F"),
    ("get /coverage", "L F R R R R F R F"),
    ("get /coverage.xlsx", "L F R R R R F R F"),
    ("get /campaigns", "L F R R R R F R F"),
    ("post /campaigns", "L F R F F F F F F"),
    ("get /campaigns/{id}", "L F N N N N F N F"),
    ("get /campaigns/{id}/export.xlsx", "L F N N N N F N F"),
    ("get /api/visits", "L F R R R R F R F"),
    ("get /api/households/{id}/visits", "L F R R RN RN F RN F"),
    ("post /api/households/{id}/visits", "L F R F R R F R F"),
    ("get /api/coverage", "L F R R R R F R F"),
    ("get /api/campaigns", "L F R R R R F R F"),
    ("post /api/campaigns", "L F R F F F F F F"),
    ("get /api/campaigns/{id}", "L F N N N N F N F"),
];

/// One caller: their login (none for the public), and a household inside and one outside
/// their part of the county, each with a member.
struct Caller {
    username: Option<&'static str>,
    client: Option<Client>,
    inside: (HouseholdId, PersonId),
    outside: (HouseholdId, PersonId),
}

/// Everything the calls need besides the callers.
struct World {
    app: App,
    /// The fields of each household, for a well-formed update.
    fields: HashMap<i64, Value>,
    /// An account the administrator's routes act on.
    target: i64,
    /// A cadre paired (again, before every call) with every household, to be unpaired.
    spare_cadre: i64,
    /// A cadre to pair with.
    new_cadre: i64,
}

fn expected(cell: &str, inside: bool) -> char {
    let mut letters = cell.chars();
    let first = letters.next().expect("a cell has a letter");
    match letters.next() {
        Some(second) if !inside => second,
        _ => first,
    }
}

fn classify(reply: &Reply) -> char {
    // Logging out also leads to the login page, but clears the cookie on the way.
    let logged_out = reply.set_cookie().starts_with("doudi_session=;");
    match reply.status {
        StatusCode::UNAUTHORIZED => 'L',
        StatusCode::SEE_OTHER if reply.location().starts_with("/login") && !logged_out => 'L',
        StatusCode::FORBIDDEN => 'F',
        StatusCode::NOT_FOUND => 'N',
        _ => 'R',
    }
}

async fn first_member(app: &App, household: HouseholdId, head: bool) -> PersonId {
    let record = app.store.household(&system(), household).await.unwrap();
    record
        .members
        .iter()
        .find(|p| (p.fields.relation == doudi_core::Relation::Head) == head)
        .or(record.members.first())
        .unwrap()
        .id
}

fn person_body(sequence: u16) -> Value {
    json!({
        "name": "郑十一", "id_number": id_number((1980, 3, 3), sequence).as_str(), "relation": "other",
        "self_care": "full", "work_capacity": "full", "employment": "unemployed", "insurance": "resident"
    })
}

/// The request of a route for a caller and a household (and its member).
async fn call(world: &World, caller: &Caller, method: &str, path: &str, inside: bool) -> Reply {
    let app = &world.app;
    let (household, person) = if inside {
        caller.inside
    } else {
        caller.outside
    };
    let id = if path.starts_with("/api/members/") {
        person.0
    } else if path.starts_with("/admin/users/") {
        world.target
    } else {
        household.0
    };
    let uri = path
        .replace("{id}", &id.to_string())
        .replace("{person}", &person.0.to_string())
        .replace("{kind}", "incomes")
        .replace("{cadre}", &world.spare_cadre.to_string())
        .replace("{file}", "app.css")
        .replace("{community}", QINGLONG_1)
        .replace("{month}", "2026-11")
        .replace("{entitlement}", "999999")
        .replace("{proposal}", "999999")
        .replace("{job}", "12345")
        .replace("{household}", &household.0.to_string())
        .replace("{relief}", "999999")
        .replace("{ledger}", "dibao");
    if path.contains("{cadre}") {
        for h in [caller.inside.0, caller.outside.0] {
            let _ = app.store.pair(&system(), h, world.spare_cadre).await;
        }
    }
    let client = caller.client.as_ref();
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    if method == Method::GET {
        return app.get(client, &uri).await;
    }
    if path.starts_with("/api/") {
        let version = 0;
        let body = match path {
            "/api/login" => json!({"username": QINGLONG_CASEWORKER, "password": PASSWORD}),
            "/api/households/{id}" => {
                json!({"version": version, "fields": world.fields[&household.0]})
            }
            "/api/households/{id}/members" | "/api/members/{id}" => {
                json!({"version": version, "fields": person_body(77)})
            }
            "/api/households/{id}/finances" => json!({"version": version, "change": {
                "op": "put_income", "person_id": person.0, "month": "2026-10", "kind": "wages", "amount_fen": 1
            }}),
            "/api/households/{id}/surveys" => json!({"version": version, "survey": {
                "family_situation": "清", "poverty_cause": "清", "help_needed": "清",
                "surveyed_by": "张", "surveyed_on": "2026-11-01"
            }}),
            "/api/households/{id}/pairings" => json!({"cadre_id": world.new_cadre}),
            "/api/households/{id}/cases" => json!({"case_type": "medical"}),
            "/api/cases/{id}/steps" => json!({"version": 0, "step": {"op": "withdraw"}}),
            "/api/cases/{id}/approve" => json!({"version": 0}),
            "/api/entitlements/{id}/review" => json!({"household_id": household.0}),
            "/api/units" => json!({"name": "矩阵测试单位", "kind": "county_department"}),
            "/api/pairings/assign" => json!({"place": "", "cap": 5}),
            "/api/pairings/handover" => json!({"from": world.spare_cadre, "cap": 5}),
            "/api/medical/stays" => {
                json!({"id_number": id_number((1948, 2, 3), 31).as_str(), "hospital": "云阳县人民医院",
                "level": "county", "admitted": "2026-10-01", "discharged": "2026-10-02",
                "total": "100", "in_catalogue": "100", "preview": true})
            }
            "/api/medical/stays/{id}/cancel" | "/api/education/deliveries/{id}/withdraw" => {
                json!({"reason": "矩阵测试"})
            }
            "/api/persons/{person}/health-services" => {
                json!({"family_doctor": true, "health_record": true})
            }
            "/api/education/deliveries" => json!({"household": household.0, "person": person.0,
                "term": "2026-autumn", "item": "boarding_subsidy", "delivered_on": "2026-11-01"}),
            "/api/education/enrolments" => json!({"household": household.0, "person": person.0,
                "term": "2026-autumn", "school": "矩阵中学"}),
            "/api/review-proposals/{id}/decision" => {
                json!({"household_id": household.0, "approve": false, "note": "不同意"})
            }
            "/api/members/{id}/death" => {
                json!({"household_id": household.0, "version": 0, "died_on": "2026-11-01"})
            }
            "/api/payments/{month}/results" => json!([]),
            "/api/members/{id}/care" => {
                json!({"household_id": household.0, "centralised": true, "since": "2026-11-01"})
            }
            _ => json!({}),
        };
        let body = if method == Method::DELETE && path == "/api/members/{id}" {
            json!({"version": version, "reason": "迁出"})
        } else {
            body
        };
        return app.json(client, method, &uri, &body).await;
    }
    let new_cadre = world.new_cadre.to_string();
    let person_id = person.0.to_string();
    // A well-formed household form, so that an edit reaches the store.
    let household_form: Vec<(String, String)> = world.fields[&household.0]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(k, v)| match v {
            Value::Array(items) => items
                .iter()
                .map(|i| (k.clone(), i.as_str().unwrap_or_default().to_owned()))
                .collect::<Vec<_>>(),
            Value::String(s) => vec![(k.clone(), s.clone())],
            _ => Vec::new(),
        })
        .collect();
    let mut fields: Vec<(&str, &str)> = match path {
        "/login" => vec![("username", QINGLONG_CASEWORKER), ("password", PASSWORD)],
        "/households/{id}/pairings" => vec![("cadre", new_cadre.as_str())],
        "/households/{id}/edit" => household_form
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        "/households/{id}/finances/{kind}/delete" => {
            vec![
                ("person", person_id.as_str()),
                ("month", "2026-10"),
                ("kind", "wages"),
            ]
        }
        "/cases/{id}/steps" => vec![("op", "withdraw")],
        "/households/{id}/cases" => vec![("case_type", "medical")],
        _ => vec![("reason", "迁出")],
    };
    fields.push(("version", "0"));
    match client {
        Some(c) => app.post_form(c, &uri, &fields).await,
        None => {
            app.send(form_request(Method::POST, &uri, None, &fields))
                .await
        }
    }
}

#[tokio::test]
async fn every_route_admits_exactly_the_roles_the_matrix_says_and_only_for_their_households() {
    let app = App::new().await;
    let township = |c: &str| Scope::Division(DivisionCode::parse(c).unwrap());
    app.add_user("admin", Role::Admin, Scope::County, None)
        .await;
    app.add_user("fuxing", Role::CommunityWorker, township(QINGLONG_1), None)
        .await;
    app.add_user(
        "jiaoyu",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Education),
    )
    .await;
    let cadre = app
        .add_user("cadre", Role::PairedCadre, Scope::County, None)
        .await;
    app.add_user("social", Role::SocialOrganisation, Scope::County, None)
        .await;
    let target = app
        .add_user("target", Role::Auditor, Scope::County, None)
        .await;
    let spare_cadre = app
        .add_user("cadre2", Role::PairedCadre, Scope::County, None)
        .await;
    let new_cadre = app
        .add_user("cadre3", Role::PairedCadre, Scope::County, None)
        .await;
    app.store.pair(&system(), app.zhang, cadre).await.unwrap();
    // 张三丰's son goes to school, so that education has a household to see.
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let son = zhang
        .members
        .iter()
        .find(|p| p.fields.name.as_str() == "张小明")
        .unwrap();
    let mut fields = son.fields.clone();
    fields.school_stage = Some(SchoolStage::Junior);
    app.store
        .update_member(&system(), son.id, zhang.household.version, &fields)
        .await
        .unwrap();

    let county = app.login(COUNTY).await;
    let mut household_fields = HashMap::new();
    for h in [app.zhang, app.li, app.wang] {
        let dto = app
            .get(Some(&county), &format!("/api/households/{}", h.0))
            .await
            .json();
        household_fields.insert(h.0, dto["fields"].clone());
    }
    let zhang_son = first_member(&app, app.zhang, false).await;
    let li_head = first_member(&app, app.li, true).await;
    let wang_head = first_member(&app, app.wang, true).await;
    let (zhang, li, wang) = (
        (app.zhang, zhang_son),
        (app.li, li_head),
        (app.wang, wang_head),
    );

    let logins: [(Option<&'static str>, _); 9] = [
        (None, wang),
        (Some("admin"), wang),
        (Some(COUNTY), wang),
        (Some(AUDITOR), wang),
        (Some(QINGLONG_CASEWORKER), wang),
        (Some("fuxing"), li),
        (Some("jiaoyu"), wang),
        (Some("cadre"), wang),
        (Some("social"), wang),
    ];
    let mut callers = Vec::new();
    for (username, outside) in logins {
        let client = match username {
            Some(u) => Some(app.login(u).await),
            None => None,
        };
        callers.push(Caller {
            username,
            client,
            inside: zhang,
            outside,
        });
    }
    let world = World {
        app,
        fields: household_fields,
        target,
        spare_cadre,
        new_cadre,
    };

    let rows: HashMap<(&str, &str), Vec<&str>> = MATRIX
        .iter()
        .map(|(route, cells)| {
            let (method, path) = route.split_once(' ').unwrap();
            let cells: Vec<&str> = cells.split_whitespace().collect();
            assert_eq!(cells.len(), WHO.len(), "{route} needs a cell per caller");
            ((method, path), cells)
        })
        .collect();
    assert_eq!(rows.len(), MATRIX.len(), "a route is in the matrix twice");
    for key in rows.keys() {
        assert!(
            doudi_web::ROUTES.iter().any(|r| (r.method, r.path) == *key),
            "the matrix has a row for {key:?}, which is not a route"
        );
    }

    let mut wrong = Vec::new();
    let mut english = Vec::new();
    for route in doudi_web::ROUTES {
        let cells = rows.get(&(route.method, route.path)).unwrap_or_else(|| {
            panic!(
                "{} {} has no row in the matrix: decide who may call it",
                route.method, route.path
            )
        });
        let about_a_household = route.path.contains("{id}") && !route.path.starts_with("/admin/");
        for (i, caller) in callers.iter_mut().enumerate() {
            let sides: &[bool] = if about_a_household {
                &[true, false]
            } else {
                &[true]
            };
            for &inside in sides {
                let reply = call(&world, caller, route.method, route.path, inside).await;
                let html = reply
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| t.starts_with("text/html"));
                if html {
                    for word in english_words(&reply.body) {
                        english.push(format!(
                            "{} {} by {}: “{word}”",
                            route.method, route.path, WHO[i]
                        ));
                    }
                }
                let (want, got) = (expected(cells[i], inside), classify(&reply));
                if want != got {
                    wrong.push(format!(
                        "{} {} by {} ({}): expected {want}, got {got} ({})",
                        route.method,
                        route.path,
                        WHO[i],
                        if inside { "inside" } else { "outside" },
                        reply.status
                    ));
                }
                // Logging out ends the caller's session: log in again for the next route.
                if route.path.contains("logout")
                    && let Some(username) = caller.username
                {
                    caller.client = Some(world.app.login(username).await);
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    english.sort();
    english.dedup();
    assert!(
        english.is_empty(),
        "pages show English to Chinese users (9):\n{}",
        english.join("\n")
    );
}

/// Words of English a person would read on a page: in its text and in the attributes that are
/// shown (placeholders, titles, labels), outside scripts, styles and code (a file or a test's
/// name on the policy coverage page is a reference, not a word). File formats and a few names
/// everyone here uses are allowed.
fn english_words(html: &str) -> Vec<String> {
    const ALLOWED: &[&str] = &[
        "Excel", "XLSX", "xlsx", "CSV", "csv", "ID", "A4", "PDF", "GB18030", "UTF", "MB",
        // Pinyin initials, as the search box's example says (张三丰).
        "zsf",
    ];
    // Data, not words: the test county's login names and household-number prefixes.
    const DATA: &[&str] = &[
        "admin", "auditor", "county", "qinglong", "renhe", "fuxing", "jiaoyu", "cadre", "cadre2",
        "cadre3", "social", "target", "newcomer", "QL", "RH",
    ];
    let mut shown = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        shown.push_str(&rest[..open]);
        shown.push(' ');
        let tag = &rest[open..];
        let lower = tag.get(..7).unwrap_or(tag).to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            tag.find("</script>").map(|at| at + "</script>".len() - 1)
        } else if lower.starts_with("<style") {
            tag.find("</style>").map(|at| at + "</style>".len() - 1)
        } else if lower.starts_with("<code>") {
            tag.find("</code>").map(|at| at + "</code>".len() - 1)
        } else {
            None
        };
        let end = match skip_to {
            Some(at) => at,
            None => tag.find('>').unwrap_or(tag.len() - 1),
        };
        let inside = &tag[..end];
        for attribute in ["placeholder=\"", "title=\"", "aria-label=\"", "alt=\""] {
            let mut at = inside;
            while let Some(i) = at.find(attribute) {
                let value = &at[i + attribute.len()..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                shown.push_str(value);
                shown.push(' ');
                at = &at[i + attribute.len()..];
            }
        }
        rest = &tag[(end + 1).min(tag.len())..];
    }
    shown.push_str(rest);
    // Character references are not words.
    let mut text = String::new();
    let mut chars = shown.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '&' {
            while let Some(&n) = chars.peek() {
                chars.next();
                if n == ';' || n.is_whitespace() {
                    break;
                }
            }
            text.push(' ');
        } else {
            text.push(c);
        }
    }
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 2)
        .filter(|w| !ALLOWED.contains(w) && !DATA.contains(w))
        .map(str::to_owned)
        .collect()
}
