//! Every route of the application, pages and API alike, with the permission it requires: one
//! table ([`ROUTES`]) from which the router is built, so that a route cannot exist without a
//! permission, and which the route × role test walks (5.1).
//!
//! The permission is checked by [`guard`] before the handler runs: a request without a session
//! for a route that needs one is sent to log in (401 for the API), a user whose role lacks the
//! permission gets 403, and one who must still change the initial password is sent to do that.
//! The session it resolved is handed to the handler (the `CurrentUser` and `AnySession`
//! extractors), so that a handler cannot ask for a session its route did not declare.
//!
//! The permission is the role-level check only. Which households a role sees within it (its
//! scope, a cadre's pairings, a department's concern) is decided by the store, for every call.
//!
//! **Invariant:** this module is the only place that registers routes (a test checks the
//! sources); everything else in the router is middleware and fallbacks.

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use doudi_core::{Actor, Role, Scope};
use doudi_store::AuditAction;

use crate::auth::Session;
use crate::error::AppError;
use crate::{AppState, api, api_casework, api_discovery, assets, pages};

/// What a route requires of whoever calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Anyone, logged in or not (the public): logging in, static files, the API's description.
    Public,
    /// Any logged-in user, even one who must still change the initial password: logging out,
    /// changing the password, who am I.
    Session,
    /// Any logged-in user.
    LoggedIn,
    /// Roles that read household data (each as far as the store lets it).
    ReadHouseholds,
    /// Roles that read whole households: history, entitlements, pairings (not departments).
    ReadWholeHouseholds,
    /// Roles that file and edit households.
    WriteHouseholds,
    /// Auditors and administrators: the audit trail.
    ReadAudit,
    /// Administrators: accounts.
    ManageAccounts,
    /// Roles that read applications (the county, auditors, townships, communities).
    ReadCases,
    /// Roles that take casework steps (the store checks each step's role and the scope).
    ActOnCases,
    /// The county approver: payments and entitlements.
    Pay,
    /// The county approver and township caseworkers: pairing cadres with households.
    ManagePairings,
    /// Roles that may show a household's identifiers in full, for a stated purpose.
    Unmask,
    /// Roles that send department data: the county approver and department officers (the
    /// store checks each kind against the officer's department).
    ImportFeeds,
    /// Roles that settle inpatient stays: the county approver and the medical insurance
    /// bureau's officers (2.4).
    SettleStays,
    /// Roles that record education aid delivered: the county approver, township caseworkers
    /// and the education commission's officers (2.5).
    DeliverEducation,
    /// Those who read disaster relief (2.3): the emergency-management officer, the county
    /// approver, auditors and township caseworkers (the store checks each write's role and
    /// the scope).
    Disasters,
    /// Those who read bought care services (3.3): the disabled persons' federation, the
    /// county approver, auditors and township caseworkers (the store checks each write).
    Services,
    /// The civil affairs bureau's approver: policy pages and good cases (3.4).
    Publish,
    /// The auditor and the county approver: inspections, findings, accountability (5.4).
    Inspect,
    /// The inspectors and township caseworkers: rectification tasks and reports from the
    /// public (5.4; the store keeps a township to its own and the writes to their roles).
    Oversight,
    /// Funds supervision (5.2): budgets, spending, traced payments, running the checks (the
    /// county approver and auditors).
    Funds,
    /// Setting a programme's budget (the county approver).
    SetBudget,
    /// Reading audit findings (auditors, the county approver, township caseworkers).
    Findings,
    /// Noting on, assigning or closing a finding (auditors; the county approver notes).
    NoteFindings,
    /// The work dashboard, 两不愁三保障 and the classified ledgers (1.3, 4.2.a, 4.4): the county
    /// approver, auditors and township caseworkers.
    Dashboard,
}

impl Permission {
    /// Whether a logged-in actor has this permission (the rules themselves live with the actor,
    /// in doudi-core, where the store reads them too).
    pub fn allows(self, actor: &Actor) -> bool {
        match self {
            Permission::Public | Permission::Session | Permission::LoggedIn => true,
            Permission::ReadHouseholds => actor.may_read_households(),
            Permission::ReadWholeHouseholds => actor.sees_whole_households(),
            Permission::WriteHouseholds => actor.may_write_households(),
            Permission::ReadAudit => actor.may_read_audit(),
            Permission::ManageAccounts => actor.role == Role::Admin,
            Permission::ManagePairings => actor.may_manage_pairings(),
            Permission::Unmask => actor.may_unmask(),
            Permission::ReadCases => actor.may_read_cases(),
            Permission::ActOnCases => actor.may_act_on_cases(),
            Permission::Pay => actor.may_pay(),
            Permission::ImportFeeds => doudi_core::discovery::FeedKind::ALL
                .iter()
                .any(|k| doudi_store::discovery::may_import(actor, *k)),
            Permission::SettleStays => doudi_store::delivery::may_settle_stays(actor),
            Permission::DeliverEducation => doudi_store::delivery::may_deliver_education(actor),
            Permission::Publish => doudi_store::publications::may_publish(actor),
            Permission::Disasters => doudi_core::disaster::may_read(actor),
            Permission::Services => doudi_core::services::may_read(actor),
            Permission::Inspect => doudi_store::inspections::may_inspect(actor),
            Permission::Oversight => doudi_store::inspections::may_read_oversight(actor),
            Permission::Funds => doudi_core::funds::may_read_funds(actor),
            Permission::SetBudget => doudi_core::funds::may_set_budget(actor),
            Permission::Findings => doudi_core::funds::may_read_findings(actor),
            Permission::NoteFindings => doudi_core::funds::may_note_findings(actor),
            Permission::Dashboard => doudi_store::dashboard::may_read_dashboard(actor),
        }
    }

    /// Whether a user of this role (anywhere) has the permission.
    pub fn allows_role(self, role: Role) -> bool {
        self.allows(&Actor {
            role,
            scope: Scope::County,
            ..Actor::system("")
        })
    }
}

/// One route: method, path (in axum's and OpenAPI's `{param}` syntax) and permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// Lower-case HTTP method.
    pub method: &'static str,
    /// Path.
    pub path: &'static str,
    /// What it requires.
    pub permission: Permission,
}

/// Declares [`ROUTES`] and the router built from exactly those routes, each behind [`guard`].
macro_rules! routes {
    ($($method:ident $path:literal => $handler:path, $permission:ident;)*) => {
        /// Every route of the application with its permission.
        pub const ROUTES: &[Route] = &[$(Route {
            method: stringify!($method),
            path: $path,
            permission: Permission::$permission,
        }),*];

        /// The router of every route in [`ROUTES`].
        pub(crate) fn router(state: &AppState) -> Router<AppState> {
            let mut router = Router::new();
            $(
                router = router.route(
                    $path,
                    axum::routing::$method($handler).route_layer(from_fn_with_state(
                        (state.clone(), Permission::$permission),
                        guard,
                    )),
                );
            )*
            router
        }
    };
}

routes! {
    // ---- the public ----
    get "/login" => pages::session::login_form, Public;
    post "/login" => pages::session::login, Public;
    get "/static/{file}" => assets::serve, Public;
    post "/api/login" => api::login, Public;
    get "/api/schemas/household.json" => api::household_schema, Public;
    get "/api/openapi.json" => api::openapi_json, Public;
    get "/api/health" => api::health, Public;
    get "/notices" => pages::notices::index, Public;
    get "/notices/{community}" => pages::notices::community, Public;
    get "/policy" => pages::publications::index, Public;
    get "/policy/{id}" => pages::publications::show, Public;
    get "/api/publications" => pages::publications::api, Public;
    // ---- public disclosure and reports from the public (5.4), no login ----
    get "/disclosure" => pages::disclosure::index, Public;
    get "/disclosure/report" => pages::disclosure::report_form, Public;
    post "/disclosure/report" => pages::disclosure::file_report, Public;
    get "/disclosure/report/{receipt}" => pages::disclosure::receipt, Public;
    get "/disclosure/{township}/{month}" => pages::disclosure::show, Public;
    get "/disclosure/{township}/{month}/list.xlsx" => pages::disclosure::export, Public;
    get "/api/disclosure/{township}/{month}" => pages::disclosure::api, Public;

    // ---- one's own session ----
    post "/logout" => pages::session::logout, Session;
    post "/logout/all" => pages::session::logout_everywhere, Session;
    get "/password" => pages::session::password_form, Session;
    post "/password" => pages::session::change_password, Session;
    post "/api/logout" => api::logout, Session;
    post "/api/logout/all" => api::logout_everywhere, Session;
    get "/api/me" => api::me, Session;

    // ---- every logged-in user ----
    get "/" => pages::overview::show, LoggedIn;
    get "/clauses" => pages::clauses::page, LoggedIn;
    get "/clauses.xlsx" => pages::clauses::xlsx, LoggedIn;
    get "/api/clauses" => pages::clauses::api, LoggedIn;
    get "/api/divisions" => api::divisions, LoggedIn;

    // ---- households ----
    get "/households" => pages::list::show, ReadHouseholds;
    get "/households/export.xlsx" => pages::list::export, ReadHouseholds;
    get "/households/{id}" => pages::detail::show, ReadHouseholds;
    get "/api/households" => api::list_households, ReadHouseholds;
    get "/api/households/{id}" => api::get_household, ReadHouseholds;
    get "/households/{id}/entitlement" => pages::entitlement::show, ReadWholeHouseholds;
    get "/api/households/{id}/history" => api::household_history, ReadWholeHouseholds;
    get "/api/households/{id}/entitlement" => api::household_entitlement, ReadWholeHouseholds;
    get "/api/households/{id}/pairings" => api::household_pairings, ReadWholeHouseholds;
    post "/households/{id}/unmask" => pages::detail::unmask, Unmask;
    post "/api/households/{id}/unmask" => api::unmask_household, Unmask;

    get "/import/template.xlsx" => pages::template_xlsx, WriteHouseholds;
    get "/import/template.csv" => pages::template_csv, WriteHouseholds;
    get "/households/import" => pages::import::form, WriteHouseholds;
    post "/households/import" => pages::import::start, WriteHouseholds;
    get "/households/import/{job}" => pages::import::show, WriteHouseholds;
    get "/households/import/{job}/errors.xlsx" => pages::import::errors_xlsx, WriteHouseholds;
    get "/households/import/{job}/errors.csv" => pages::import::errors_csv, WriteHouseholds;
    get "/households/new" => pages::edit::new_form, WriteHouseholds;
    post "/households/new" => pages::edit::create, WriteHouseholds;
    get "/households/{id}/edit" => pages::edit::edit_form, WriteHouseholds;
    post "/households/{id}/edit" => pages::edit::update, WriteHouseholds;
    get "/households/{id}/members/new" => pages::members::new_form, WriteHouseholds;
    post "/households/{id}/members/new" => pages::members::add, WriteHouseholds;
    get "/households/{id}/members/{person}/edit" => pages::members::edit_form, WriteHouseholds;
    post "/households/{id}/members/{person}/edit" => pages::members::update, WriteHouseholds;
    get "/households/{id}/members/{person}/remove" => pages::members::remove_form, WriteHouseholds;
    post "/households/{id}/members/{person}/remove" => pages::members::remove, WriteHouseholds;
    get "/households/{id}/finances/{kind}/new" => pages::finance::put_form, WriteHouseholds;
    post "/households/{id}/finances/{kind}/new" => pages::finance::put, WriteHouseholds;
    post "/households/{id}/finances/{kind}/delete" => pages::finance::delete, WriteHouseholds;
    get "/households/{id}/surveys/new" => pages::finance::survey_form, WriteHouseholds;
    post "/households/{id}/surveys/new" => pages::finance::record_survey, WriteHouseholds;
    post "/api/households" => api::create_household, WriteHouseholds;
    put "/api/households/{id}" => api::update_household, WriteHouseholds;
    post "/api/households/{id}/members" => api::add_member, WriteHouseholds;
    put "/api/members/{id}" => api::update_member, WriteHouseholds;
    delete "/api/members/{id}" => api::remove_member, WriteHouseholds;
    post "/api/households/{id}/finances" => api::change_finances, WriteHouseholds;
    post "/api/households/{id}/surveys" => api::record_survey, WriteHouseholds;

    // ---- pairings of cadres with households ----
    post "/households/{id}/pairings" => pages::pairings::add, ManagePairings;
    post "/households/{id}/pairings/{cadre}/remove" => pages::pairings::remove, ManagePairings;
    post "/api/households/{id}/pairings" => api::pair, ManagePairings;
    delete "/api/households/{id}/pairings/{cadre}" => api::unpair, ManagePairings;
    get "/pairing" => pages::pairings::manage, ManagePairings;
    get "/admin/publications" => pages::publications::admin, Publish;
    post "/admin/publications" => pages::publications::save, Publish;
    post "/pairing/assign" => pages::pairings::assign, ManagePairings;
    post "/pairing/handover" => pages::pairings::handover, ManagePairings;
    post "/pairing/units" => pages::pairings::create_unit, ManagePairings;
    post "/pairing/units/{id}" => pages::pairings::set_unit, ManagePairings;
    get "/pairing/cadres.xlsx" => pages::pairings::export_loads, ManagePairings;
    get "/api/units" => pages::pairings::api_units, ManagePairings;
    post "/api/units" => pages::pairings::api_create_unit, ManagePairings;
    post "/api/pairings/assign" => pages::pairings::api_assign, ManagePairings;
    post "/api/pairings/handover" => pages::pairings::api_handover, ManagePairings;
    get "/api/cadres" => api::cadres, ManagePairings;

    // ---- casework (4.2.b) ----
    get "/work" => pages::casework::work, LoggedIn;
    get "/work/export.xlsx" => pages::casework::work_export, LoggedIn;
    get "/work/count" => pages::casework::work_count, LoggedIn;
    get "/api/work" => api_casework::work, LoggedIn;
    get "/cases" => pages::cases::list, ReadCases;
    get "/cases/export.xlsx" => pages::cases::export, ReadCases;
    get "/cases/{id}" => pages::casework::show, ReadCases;
    post "/cases/{id}/steps" => pages::casework::step, ActOnCases;
    post "/cases/{id}/approve" => pages::casework::approve, ActOnCases;
    post "/households/{id}/cases" => pages::casework::submit, ActOnCases;
    get "/households/{id}/entitlements" => pages::casework::entitlements, ReadWholeHouseholds;
    get "/households/{id}/chain" => pages::chain::show, ReadWholeHouseholds;
    get "/households/{id}/chain.xlsx" => pages::chain::export, ReadWholeHouseholds;
    get "/api/households/{id}/chain" => pages::chain::api, ReadWholeHouseholds;
    get "/api/households/{id}/verification" => pages::chain::verification, ReadCases;
    post "/households/{id}/entitlements/{entitlement}/review" => pages::casework::review, ActOnCases;
    post "/households/{id}/review-proposals/{proposal}/approve" => pages::casework::sign_off_review, Pay;
    post "/households/{id}/review-proposals/{proposal}/reject" => pages::casework::reject_review, Pay;
    get "/api/cases" => api_casework::list, ReadCases;
    get "/api/cases/{id}" => api_casework::get, ReadCases;
    post "/api/households/{id}/cases" => api_casework::submit, ActOnCases;
    post "/api/cases/{id}/steps" => api_casework::step, ActOnCases;
    post "/api/cases/{id}/approve" => api_casework::approve, ActOnCases;
    get "/api/households/{id}/entitlements" => api_casework::entitlements, ReadWholeHouseholds;
    get "/api/entitlements/{id}/review" => api_casework::review_preview, ActOnCases;
    post "/api/entitlements/{id}/review" => api_casework::review, ActOnCases;
    get "/api/review-proposals" => api_casework::review_proposals, ReadCases;
    post "/api/review-proposals/{id}/decision" => api_casework::decide_review, Pay;
    post "/api/members/{id}/death" => api_casework::death, WriteHouseholds;
    post "/api/members/{id}/care" => api_casework::care, ActOnCases;
    get "/api/care/kpi" => api_casework::care_kpi, ReadCases;
    get "/entitlements/carried" => pages::carried::show, Pay;
    get "/entitlements/export.xlsx" => pages::payments::entitlements_export, Pay;
    post "/entitlements/carried" => pages::carried::confirm, Pay;
    get "/payments" => pages::payments::show, Pay;
    post "/payments" => pages::payments::run, Pay;
    post "/payments/results" => pages::payments::results, Pay;
    get "/payments/{month}/{file}" => pages::payments::bank_file, Pay;
    post "/api/payments/{month}" => api_casework::run_payments, Pay;
    get "/api/payments/{month}" => api_casework::payments, Pay;
    post "/api/payments/{month}/results" => api_casework::settle, Pay;

    // ---- the audit trail ----
    get "/audit" => pages::audit::show, ReadAudit;
    get "/audit/export.xlsx" => pages::audit::export, ReadAudit;
    get "/audit/verify" => pages::audit::verify, ReadAudit;
    get "/api/audit" => api::audit_entries, ReadAudit;

    // ---- accounts ----
    get "/admin/users" => pages::accounts::list, ManageAccounts;
    get "/admin/settings" => pages::settings::show, ManageAccounts;
    get "/admin/communities" => pages::communities::show, ManageAccounts;
    get "/feeds" => pages::feeds::show, ImportFeeds;
    post "/feeds" => pages::feeds::upload, ImportFeeds;
    post "/feeds/mapping" => pages::feeds::save_mapping, ImportFeeds;
    get "/alerts" => pages::feeds::alerts, ReadCases;
    get "/alerts/export.xlsx" => pages::feeds::alerts_export, ReadCases;
    post "/alerts/scan" => pages::feeds::scan, Pay;
    get "/watch" => pages::feeds::watch, Pay;
    get "/watch.xlsx" => pages::feeds::watch_export, Pay;
    post "/alerts/{id}" => pages::feeds::update_alert, ActOnCases;
    post "/api/feeds/{kind}" => api_discovery::import, ImportFeeds;
    get "/api/feeds" => api_discovery::imports, ImportFeeds;
    get "/api/alerts" => api_discovery::alerts, ReadCases;
    get "/exchange/education" => pages::exchange::show, ReadHouseholds;
    get "/employment/zero" => pages::employment::show, ReadHouseholds;
    get "/figures" => pages::figures::show, ReadHouseholds;
    get "/figures.xlsx" => pages::figures::export, ReadHouseholds;
    get "/api/figures" => pages::figures::api, ReadHouseholds;
    // ---- the work dashboard (4.4), 两不愁三保障 (1.3), classified ledgers (4.2.a) ----
    get "/dashboard" => pages::dashboard::show, Dashboard;
    get "/dashboard.xlsx" => pages::dashboard::export, Dashboard;
    get "/api/dashboard" => pages::dashboard::api, Dashboard;
    get "/dashboard/guarantees" => pages::dashboard::guarantees, Dashboard;
    get "/dashboard/guarantees.xlsx" => pages::dashboard::guarantees_export, Dashboard;
    get "/ledgers" => pages::dashboard::ledgers, Dashboard;
    get "/ledgers/{ledger}" => pages::dashboard::ledger, Dashboard;
    get "/employment/zero.xlsx" => pages::employment::export, ReadHouseholds;
    get "/api/employment/zero" => pages::employment::api, ReadHouseholds;
    get "/exchange/education.xlsx" => pages::exchange::export, ReadHouseholds;
    get "/api/exchange/education" => pages::exchange::api, ReadHouseholds;
    post "/api/alerts/{id}" => api_discovery::update_alert, ActOnCases;
    // ---- departments' delivery: medical (2.4), education (2.5) ----
    get "/medical" => pages::medical::show, ReadHouseholds;
    post "/medical/stays" => pages::medical::settle, SettleStays;
    post "/medical/stays/import" => pages::medical::import, SettleStays;
    get "/medical/stays-template.xlsx" => pages::medical::template, ReadHouseholds;
    post "/api/medical/stays/batch" => pages::medical::api_batch, SettleStays;
    post "/medical/stays/{id}/cancel" => pages::medical::cancel, SettleStays;
    get "/medical/stays.xlsx" => pages::medical::export_stays, ReadHouseholds;
    get "/medical/watch.xlsx" => pages::medical::export_watch, ReadHouseholds;
    get "/api/medical/stays" => pages::medical::api_stays, ReadHouseholds;
    post "/api/medical/stays" => pages::medical::api_settle, SettleStays;
    post "/api/medical/stays/{id}/cancel" => pages::medical::api_cancel, SettleStays;
    get "/api/medical/watch" => pages::medical::api_watch, ReadHouseholds;
    get "/medical/special" => pages::medical::special, ReadHouseholds;
    get "/medical/special.xlsx" => pages::medical::export_special, ReadHouseholds;
    get "/api/medical/special" => pages::medical::api_special, ReadHouseholds;
    get "/medical/health" => pages::health::show, ReadHouseholds;
    post "/medical/health/{person}" => pages::health::save, ReadHouseholds;
    get "/medical/health.xlsx" => pages::health::export, ReadHouseholds;
    get "/api/medical/health" => pages::health::api_list, ReadHouseholds;
    post "/api/persons/{person}/health-services" => pages::health::api_save, ReadHouseholds;
    get "/education" => pages::schooling::show, ReadHouseholds;
    post "/education/enrol" => pages::schooling::enrol, ReadHouseholds;
    post "/education/deliver" => pages::schooling::deliver, ReadHouseholds;
    post "/education/deliveries/import" => pages::schooling::import, DeliverEducation;
    get "/education/deliveries-template.xlsx" => pages::schooling::template, ReadHouseholds;
    post "/education/deliveries/{id}/withdraw" => pages::schooling::withdraw, ReadHouseholds;
    get "/education/undelivered.xlsx" => pages::schooling::export_undelivered, ReadHouseholds;
    get "/education/schools.xlsx" => pages::schooling::export_schools, ReadHouseholds;
    get "/api/education/students" => pages::schooling::api_students, ReadHouseholds;
    get "/api/education/schools" => pages::schooling::api_schools, ReadHouseholds;
    post "/api/education/deliveries" => pages::schooling::api_deliver, ReadHouseholds;
    post "/api/education/enrolments" => pages::schooling::api_enrol, ReadHouseholds;
    post "/api/education/deliveries/{id}/withdraw" => pages::schooling::api_withdraw, ReadHouseholds;
    post "/admin/communities" => pages::communities::save, ManageAccounts;
    get "/admin/communities/export.xlsx" => pages::communities::export, ManageAccounts;
    post "/admin/settings" => pages::settings::save, ManageAccounts;
    get "/admin/users/new" => pages::accounts::new_form, ManageAccounts;
    post "/admin/users/new" => pages::accounts::create, ManageAccounts;
    get "/admin/users/{id}" => pages::accounts::edit_form, ManageAccounts;
    post "/admin/users/{id}" => pages::accounts::update, ManageAccounts;
    post "/admin/users/{id}/disable" => pages::accounts::disable, ManageAccounts;
    post "/admin/users/{id}/enable" => pages::accounts::enable, ManageAccounts;
    get "/admin/users/{id}/password" => pages::accounts::reset_form, ManageAccounts;
    post "/admin/users/{id}/password" => pages::accounts::reset, ManageAccounts;

    // ---- disaster relief (2.3) ----
    get "/disasters" => pages::disasters::list, Disasters;
    post "/disasters" => pages::disasters::create, Disasters;
    get "/disasters.xlsx" => pages::disasters::list_export, Disasters;
    get "/disasters/{id}" => pages::disasters::show, Disasters;
    get "/disasters/{id}/export.xlsx" => pages::disasters::event_export, Disasters;
    post "/disasters/{id}/households/{household}" => pages::disasters::check, Disasters;
    post "/disasters/{id}/relief" => pages::disasters::relieve, Disasters;
    get "/api/disasters" => pages::disasters::api_list, Disasters;
    post "/api/disasters" => pages::disasters::api_create, Disasters;
    get "/api/disasters/{id}" => pages::disasters::api_get, Disasters;
    post "/api/disasters/{id}/households/{household}" => pages::disasters::api_check, Disasters;
    post "/api/disasters/{id}/relief" => pages::disasters::api_relieve, Disasters;
    post "/disasters/{id}/relief/{relief}/cancel" => pages::disasters::cancel, Disasters;
    post "/api/disasters/{id}/relief/{relief}/cancel" => pages::disasters::api_cancel, Disasters;

    // ---- bought care services (3.3) ----
    get "/services" => pages::services::show, Services;
    post "/services" => pages::services::record, Services;
    get "/services.xlsx" => pages::services::export, Services;
    post "/services/{id}/checks" => pages::services::check, Services;
    get "/services/providers" => pages::services::providers, Services;
    post "/services/providers" => pages::services::add_provider, Services;
    get "/services/providers.xlsx" => pages::services::providers_export, Services;
    get "/api/services" => pages::services::api_list, Services;
    post "/api/services" => pages::services::api_record, Services;
    post "/api/services/{id}/checks" => pages::services::api_check, Services;
    get "/api/services/providers" => pages::services::api_providers, Services;
    post "/api/services/providers" => pages::services::api_add_provider, Services;

    // ---- funds supervision (5.2): budgets, traced payments, audit checks and findings ----
    get "/funds" => pages::funds::show, Funds;
    get "/funds.xlsx" => pages::funds::export, Funds;
    post "/funds/budgets" => pages::funds::set_budget, SetBudget;
    get "/funds/payments" => pages::funds::payments, Funds;
    get "/funds/payments.xlsx" => pages::funds::payments_export, Funds;
    post "/funds/checks" => pages::funds::run_checks, Funds;
    get "/funds/findings" => pages::funds::findings, Findings;
    get "/funds/findings.xlsx" => pages::funds::findings_export, Findings;
    get "/funds/findings/{id}" => pages::funds::finding, Findings;
    post "/funds/findings/{id}" => pages::funds::change, NoteFindings;
    get "/api/funds" => pages::funds::api_funds, Funds;
    post "/api/funds/budgets" => pages::funds::api_set_budget, SetBudget;
    get "/api/funds/payments" => pages::funds::api_payments, Funds;
    post "/api/funds/checks" => pages::funds::api_run_checks, Funds;
    get "/api/funds/findings" => pages::funds::api_findings, Findings;
    get "/api/funds/findings/{id}" => pages::funds::api_finding, Findings;
    post "/api/funds/findings/{id}" => pages::funds::api_change, NoteFindings;

    // ---- housing assistance (2.6): the store decides who reads, files and decides ----
    get "/housing" => pages::housing::show, ReadHouseholds;
    get "/housing.xlsx" => pages::housing::export, ReadHouseholds;
    get "/housing/priority.xlsx" => pages::housing::priority_export, ReadHouseholds;
    post "/housing/applications" => pages::housing::file, ReadHouseholds;
    get "/housing/applications/{id}" => pages::housing::detail, ReadHouseholds;
    post "/housing/applications/{id}/decision" => pages::housing::decide, ReadHouseholds;
    get "/housing/subsidies" => pages::housing::subsidies, ReadHouseholds;
    get "/housing/subsidies.xlsx" => pages::housing::subsidies_export, ReadHouseholds;
    get "/api/housing/priority" => pages::housing::api_priority, ReadHouseholds;
    get "/api/housing/applications" => pages::housing::api_list, ReadHouseholds;
    post "/api/housing/applications" => pages::housing::api_file, ReadHouseholds;
    get "/api/housing/applications/{id}" => pages::housing::api_get, ReadHouseholds;
    post "/api/housing/applications/{id}/decision" => pages::housing::api_decide, ReadHouseholds;
    get "/api/housing/subsidies" => pages::housing::api_subsidies, ReadHouseholds;
    // ---- inspections and accountability, rectification, reports (5.4) ----
    get "/inspections" => pages::inspections::index, Inspect;
    post "/inspections" => pages::inspections::create, Inspect;
    get "/inspections.xlsx" => pages::inspections::export, Inspect;
    get "/inspections/{id}" => pages::inspections::detail, Inspect;
    get "/inspections/{id}/findings.xlsx" => pages::inspections::findings_export, Inspect;
    post "/inspections/{id}/sample" => pages::inspections::sample, Inspect;
    post "/inspections/{id}/findings" => pages::inspections::finding, Inspect;
    post "/inspections/findings/{id}/tasks" => pages::inspections::task, Inspect;
    post "/inspections/findings/{id}/accountability" => pages::inspections::accountability, Inspect;
    get "/rectifications" => pages::inspections::rectifications, Oversight;
    get "/rectifications.xlsx" => pages::inspections::rectifications_export, Oversight;
    post "/rectifications/{id}" => pages::inspections::task_step, Oversight;
    get "/reports" => pages::inspections::reports, Oversight;
    get "/reports.xlsx" => pages::inspections::reports_export, Oversight;
    get "/reports/{id}" => pages::inspections::report, Oversight;
    post "/reports/{id}" => pages::inspections::report_step, Oversight;
    get "/api/inspections" => pages::inspections::api_plans, Inspect;
    post "/api/inspections" => pages::inspections::api_create, Inspect;
    get "/api/inspections/{id}" => pages::inspections::api_plan, Inspect;
    get "/api/rectifications" => pages::inspections::api_tasks, Oversight;
    post "/api/rectifications/{id}" => pages::inspections::api_task_step, Oversight;
    get "/api/reports" => pages::inspections::api_reports, Oversight;
    get "/api/reports/{id}" => pages::inspections::api_report, Oversight;
    post "/api/reports/{id}" => pages::inspections::api_report_step, Oversight;

    // ---- employment help (2.7): the store decides who reads, records and refers ----
    get "/jobs" => pages::jobs::show, ReadHouseholds;
    post "/jobs" => pages::jobs::add, ReadHouseholds;
    get "/jobs.xlsx" => pages::jobs::export, ReadHouseholds;
    get "/jobs/match" => pages::jobs::matches, ReadHouseholds;
    get "/jobs/referrals" => pages::jobs::referrals, ReadHouseholds;
    get "/jobs/referrals.xlsx" => pages::jobs::referrals_export, ReadHouseholds;
    post "/jobs/referrals/{id}" => pages::jobs::outcome, ReadHouseholds;
    post "/jobs/training" => pages::jobs::train, ReadHouseholds;
    get "/jobs/training" => pages::jobs::training_list, ReadHouseholds;
    get "/jobs/training.xlsx" => pages::jobs::training_export, ReadHouseholds;
    get "/jobs/{id}" => pages::jobs::detail, ReadHouseholds;
    get "/jobs/{id}/candidates.xlsx" => pages::jobs::candidates_export, ReadHouseholds;
    post "/jobs/{id}/open" => pages::jobs::set_open, ReadHouseholds;
    post "/jobs/{id}/referrals" => pages::jobs::refer, ReadHouseholds;
    get "/api/jobs/openings" => pages::jobs::api_openings, ReadHouseholds;
    post "/api/jobs/openings" => pages::jobs::api_add_opening, ReadHouseholds;
    get "/api/jobs/openings/{id}" => pages::jobs::api_opening, ReadHouseholds;
    get "/api/jobs/households/{id}" => pages::jobs::api_household, ReadHouseholds;
    get "/api/jobs/referrals" => pages::jobs::api_referrals, ReadHouseholds;
    post "/api/jobs/referrals" => pages::jobs::api_refer, ReadHouseholds;
    post "/api/jobs/referrals/{id}/outcome" => pages::jobs::api_outcome, ReadHouseholds;
    post "/api/jobs/training" => pages::jobs::api_train, ReadHouseholds;
    get "/api/jobs/training" => pages::jobs::api_trainings, ReadHouseholds;
    get "/social" => pages::social::show, LoggedIn;
    post "/social/participant" => pages::social::register, LoggedIn;
    post "/social/offers" => pages::social::add_offer, LoggedIn;
    get "/social/offers.xlsx" => pages::social::offers_export, LoggedIn;
    post "/social/offers/{id}" => pages::social::update_offer, LoggedIn;
    post "/social/offers/{id}/open" => pages::social::set_offer_open, LoggedIn;
    get "/social/needs" => pages::social::needs, LoggedIn;
    get "/social/needs.xlsx" => pages::social::needs_export, LoggedIn;
    post "/social/needs/publish" => pages::social::publish, LoggedIn;
    get "/social/participants" => pages::social::participants, LoggedIn;
    get "/social/participants.xlsx" => pages::social::participants_export, LoggedIn;
    post "/social/participants/{id}/verify" => pages::social::verify, LoggedIn;
    get "/social/matches" => pages::social::matches, LoggedIn;
    post "/social/matches" => pages::social::confirm, LoggedIn;
    get "/social/matches.xlsx" => pages::social::matches_export, LoggedIn;
    post "/social/matches/{id}/deliver" => pages::social::deliver, LoggedIn;
    post "/social/matches/{id}/acknowledge" => pages::social::acknowledge, LoggedIn;
    get "/api/social/needs" => pages::social::api_needs, LoggedIn;
    get "/api/social/offers" => pages::social::api_offers, LoggedIn;
    post "/api/social/offers" => pages::social::api_add_offer, LoggedIn;
    get "/api/social/participants" => pages::social::api_participants, LoggedIn;
    post "/api/social/participants" => pages::social::api_register, LoggedIn;
    post "/api/social/participants/{id}/verify" => pages::social::api_verify, LoggedIn;
    get "/api/social/matches" => pages::social::api_matches, LoggedIn;
    post "/api/social/matches" => pages::social::api_confirm, LoggedIn;
    get "/api/social/proposals" => pages::social::api_proposals, LoggedIn;
    post "/api/social/matches/{id}/deliver" => pages::social::api_deliver, LoggedIn;
    post "/api/social/matches/{id}/acknowledge" => pages::social::api_acknowledge, LoggedIn;

    // ---- visits, campaigns and coverage (3.3, 4.3): the store decides who reads and records ----
    get "/visits" => pages::visits::list, ReadWholeHouseholds;
    get "/visits.xlsx" => pages::visits::export, ReadWholeHouseholds;
    get "/visits/attachments/{id}" => pages::visits::attachment, ReadWholeHouseholds;
    get "/households/{id}/visits/new" => pages::visits::new_form, ReadWholeHouseholds;
    post "/households/{id}/visits" => pages::visits::record, ReadWholeHouseholds;
    get "/coverage" => pages::visits::coverage, ReadWholeHouseholds;
    get "/coverage.xlsx" => pages::visits::coverage_export, ReadWholeHouseholds;
    get "/campaigns" => pages::visits::campaigns, ReadWholeHouseholds;
    post "/campaigns" => pages::visits::create_campaign, ReadWholeHouseholds;
    get "/campaigns/{id}" => pages::visits::campaign, ReadWholeHouseholds;
    get "/campaigns/{id}/export.xlsx" => pages::visits::campaign_export, ReadWholeHouseholds;
    get "/api/visits" => pages::visits::api_list, ReadWholeHouseholds;
    get "/api/households/{id}/visits" => pages::visits::api_household, ReadWholeHouseholds;
    post "/api/households/{id}/visits" => pages::visits::api_record, ReadWholeHouseholds;
    get "/api/coverage" => pages::visits::api_coverage, ReadWholeHouseholds;
    get "/api/campaigns" => pages::visits::api_campaigns, ReadWholeHouseholds;
    post "/api/campaigns" => pages::visits::api_create_campaign, ReadWholeHouseholds;
    get "/api/campaigns/{id}" => pages::visits::api_campaign, ReadWholeHouseholds;
}

/// The routes of the JSON API.
pub fn api_routes() -> impl Iterator<Item = &'static Route> {
    ROUTES.iter().filter(|r| r.path.starts_with("/api/"))
}

/// Checks a route's permission before its handler runs (see the module documentation), and
/// hands the resolved session to the handler. A logged-in user refused a household route is
/// recorded in the audit trail, as a read outside the scope is.
async fn guard(
    State((state, permission)): State<(AppState, Permission)>,
    request: Request,
    next: Next,
) -> Response {
    if permission == Permission::Public {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let session = match Session::resolve(&parts, &state).await {
        Ok(session) => session,
        Err(e) => return e.into_response(),
    };
    if permission != Permission::Session && session.user.must_change_password {
        return AppError::MustChangePassword.into_response();
    }
    if !permission.allows(&session.actor) {
        if matches!(
            permission,
            Permission::ReadHouseholds | Permission::ReadWholeHouseholds
        ) {
            let target = denied_target(parts.uri.path());
            if let Err(e) = state
                .app
                .store()
                .record_audit(
                    &session.actor,
                    AuditAction::ReadDenied,
                    &target,
                    "角色无权查看家庭档案",
                )
                .await
            {
                return AppError::from(e).into_response();
            }
        }
        return AppError::Forbidden.into_response();
    }
    parts.extensions.insert(session);
    next.run(Request::from_parts(parts, body)).await
}

/// What a refused request asked for, for the audit trail: `household:12` for a household's
/// pages, else the path (paths hold ids, never personal data; the query is left out).
fn denied_target(path: &str) -> String {
    let rest = path
        .strip_prefix("/api/households/")
        .or_else(|| path.strip_prefix("/households/"));
    if let Some(id) = rest.and_then(|r| r.split('/').next())
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
    {
        return format!("household:{id}");
    }
    format!("route:{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_declared_once() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert((r.method, r.path)), "{r:?} is declared twice");
        }
    }

    #[test]
    fn nothing_but_the_route_table_registers_routes() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.clone()];
        let mut offenders = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    files.push(entry.unwrap().path());
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("routes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for needle in [
                ".route(",
                ".route_service(",
                ".nest_service(",
                ".merge(",
                "Router::new(",
                "axum::routing",
            ] {
                if text.contains(needle) {
                    offenders.push(format!("{} uses {needle}", path.display()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "routes registered outside the table: {offenders:?}"
        );
    }

    #[test]
    fn a_refused_household_address_is_recorded_by_its_household() {
        assert_eq!(denied_target("/households/12/edit"), "household:12");
        assert_eq!(denied_target("/api/households/7"), "household:7");
        assert_eq!(denied_target("/households"), "route:/households");
        assert_eq!(denied_target("/households/new"), "route:/households/new");
    }
}
