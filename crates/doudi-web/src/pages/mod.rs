//! The server-rendered pages, in Simplified Chinese. Every page works without JavaScript; htmx
//! only makes the household list update as the caseworker types.

pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod carried;
pub(crate) mod cases;
pub(crate) mod casework;
pub(crate) mod chain;
pub(crate) mod clauses;
pub(crate) mod communities;
pub(crate) mod dashboard;
pub(crate) mod detail;
pub(crate) mod disasters;
pub(crate) mod disclosure;
pub(crate) mod edit;
pub(crate) mod employment;
pub(crate) mod entitlement;
pub(crate) mod exchange;
pub(crate) mod export;
pub(crate) mod feeds;
pub(crate) mod figures;
pub(crate) mod finance;
pub(crate) mod funds;
pub(crate) mod health;
pub(crate) mod housing;
pub(crate) mod import;
pub(crate) mod inspections;
pub(crate) mod jobs;
pub(crate) mod list;
pub(crate) mod medical;
pub(crate) mod members;
pub(crate) mod notices;
pub(crate) mod overview;
pub(crate) mod pairings;
pub(crate) mod payments;
pub(crate) mod publications;
pub(crate) mod schooling;
pub(crate) mod services;
pub(crate) mod session;
pub(crate) mod settings;
pub(crate) mod social;
pub(crate) mod visits;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::{CurrentUser, Session};
use crate::error::AppError;

/// The import template as XLSX, with a sheet explaining every column (the layout of
/// `doudi import`).
pub(crate) async fn template_xlsx(CurrentUser(_): CurrentUser) -> Result<Response, AppError> {
    let bytes = doudi_exchange::to_xlsx(&doudi_exchange::template_table(), true)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "doudi-import-template.xlsx",
    ))
}

/// The import template as CSV (UTF-8 with a byte-order mark, for Excel).
pub(crate) async fn template_csv(CurrentUser(_): CurrentUser) -> Response {
    download(
        doudi_exchange::to_csv(&doudi_exchange::template_table()),
        "text/csv; charset=utf-8",
        "doudi-import-template.csv",
    )
}

/// A file to save: `file_name` may be Chinese (sent as RFC 6266's `filename*`, with an ASCII
/// stand-in for old clients).
pub(crate) fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    crate::view::url_encode(file_name)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The logged-in user as the top bar shows them.
pub struct UserBar {
    /// Display name.
    pub display_name: String,
    /// Seconds without a request before the session ends (the page warns before).
    pub idle_seconds: i64,
    /// Role, in Chinese.
    pub role: &'static str,
    /// Whether they may read applications.
    pub can_read_cases: bool,
    /// Whether they may file and edit households.
    pub can_write: bool,
    /// Whether they may read the audit trail.
    pub can_audit: bool,
    /// Whether they may read household data at all.
    pub can_read: bool,
    /// Whether they manage accounts.
    pub can_manage_accounts: bool,
    /// May run the month's payments (the county approver).
    pub can_pay: bool,
    /// May send department data.
    pub can_import_feeds: bool,
    /// May read the departments' figures per township.
    pub can_read_figures: bool,
    /// May read inpatient stays (2.4).
    pub can_read_stays: bool,
    /// Manages pairings (the county approver, township caseworkers).
    pub can_manage_pairings: bool,
    /// May read education aid delivered (2.5).
    pub can_read_education: bool,
    /// May read disaster relief (2.3).
    pub can_disasters: bool,
    /// May read bought care services (3.3).
    pub can_services: bool,
    /// May read housing assistance (2.6).
    /// Funds supervision (5.2): budgets, traced payments and findings.
    pub can_read_funds: bool,
    /// The audit findings of 5.2 only (township caseworkers read their township's).
    pub can_read_findings: bool,
    pub can_read_housing: bool,
    /// May read employment help (2.7).
    pub can_read_jobs: bool,
    /// May use the social-forces platform (3.1, 3.2).
    pub can_social: bool,
    /// May read visits, campaigns and coverage (3.3, 4.3).
    pub can_read_visits: bool,
    /// Plans inspections and records findings and accountability (5.4).
    pub can_inspect: bool,
    /// Reads rectification tasks and reports from the public (5.4).
    pub can_oversee: bool,
    /// May read the work dashboard, 两不愁三保障 and the classified ledgers (1.3, 4.2.a, 4.4).
    pub can_read_dashboard: bool,
}

/// One step of the breadcrumb.
pub struct Crumb {
    /// Its text.
    pub label: String,
    /// Where it leads; none for the current page.
    pub href: Option<String>,
}

/// What every page's layout needs: title, top bar, breadcrumb, the CSRF token for its forms.
pub struct Chrome {
    /// The page title.
    pub title: String,
    /// The logged-in user, if any.
    pub user: Option<UserBar>,
    /// The session's CSRF token, for the hidden field of every form.
    pub csrf: String,
    /// The breadcrumb after 首页.
    pub crumbs: Vec<Crumb>,
    /// Which main-menu entry is current: `overview`, `households`, `new`, `audit`, `users`.
    pub nav: &'static str,
    /// The static files' version, for cache busting.
    pub assets: &'static str,
}

impl Chrome {
    /// The main menu's group of the current entry ([`Chrome::nav`]), whose heading the menu
    /// marks: `casework`, `departments`, `helpers`, `oversight`, `admin`, or none.
    pub fn group(&self) -> &'static str {
        match self.nav {
            "households" | "cases" | "new" | "import" | "carried" | "alerts" | "watch"
            | "payments" => "casework",
            "figures" | "medical" | "education" | "exchange" | "employment" | "jobs"
            | "housing" | "disasters" | "services" | "feeds" => "departments",
            "pairing" | "visits" | "campaigns" | "coverage" | "social" | "publications" => {
                "helpers"
            }
            "audit" | "clauses" | "inspections" | "rectifications" | "reports" | "funds"
            | "dashboard" | "guarantees" | "ledgers" => "oversight",
            "users" | "communities" | "settings" => "admin",
            _ => "",
        }
    }

    /// A layout without a user (login and error pages).
    pub fn bare(title: &str) -> Chrome {
        Chrome {
            title: title.to_owned(),
            user: None,
            csrf: String::new(),
            crumbs: Vec::new(),
            nav: "",
            assets: crate::assets::VERSION.as_str(),
        }
    }

    /// The layout of a page seen by a logged-in user.
    pub fn new(session: &Session, title: impl Into<String>, nav: &'static str) -> Chrome {
        Chrome {
            title: title.into(),
            user: Some(UserBar {
                display_name: session.user.display_name.clone(),
                idle_seconds: session.idle_seconds,
                role: session.user.role.label(),
                can_write: session.actor.may_write_households(),
                can_audit: session.actor.may_read_audit(),
                can_read: session.actor.may_read_households(),
                can_manage_accounts: crate::Permission::ManageAccounts.allows(&session.actor),
                can_pay: crate::Permission::Pay.allows(&session.actor),
                can_read_cases: crate::Permission::ReadCases.allows(&session.actor),
                can_import_feeds: crate::Permission::ImportFeeds.allows(&session.actor),
                can_read_figures: matches!(
                    session.actor.role,
                    doudi_core::Role::DepartmentOfficer
                        | doudi_core::Role::CountyApprover
                        | doudi_core::Role::Auditor
                        | doudi_core::Role::TownshipCaseworker
                ),
                can_read_stays: doudi_store::delivery::may_read_stays(&session.actor),
                can_manage_pairings: session.actor.may_manage_pairings(),
                can_read_education: doudi_store::delivery::may_read_education(&session.actor),
                can_disasters: doudi_core::disaster::may_read(&session.actor),
                can_services: doudi_core::services::may_read(&session.actor),
                can_read_housing: doudi_store::housing::may_read_housing(&session.actor),
                can_read_funds: doudi_core::funds::may_read_funds(&session.actor),
                can_read_findings: doudi_core::funds::may_read_findings(&session.actor),
                can_read_jobs: doudi_store::jobs::may_read_jobs(&session.actor),
                can_social: doudi_store::social::may_read_social(&session.actor),
                can_read_visits: doudi_store::visits::may_read_visits(&session.actor),
                can_inspect: doudi_store::inspections::may_inspect(&session.actor),
                can_oversee: doudi_store::inspections::may_read_oversight(&session.actor),
                can_read_dashboard: crate::Permission::Dashboard.allows(&session.actor),
            }),
            csrf: session.csrf.clone(),
            crumbs: Vec::new(),
            nav,
            assets: crate::assets::VERSION.as_str(),
        }
    }

    /// Adds a breadcrumb step that links somewhere.
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Chrome {
        self.crumbs.push(Crumb {
            label: label.into(),
            href: Some(href.into()),
        });
        self
    }

    /// Whether the user may file and edit households.
    pub fn can_write(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.can_write)
    }

    /// Ends the breadcrumb with the current page (its title).
    pub fn here(mut self) -> Chrome {
        self.crumbs.push(Crumb {
            label: self.title.clone(),
            href: None,
        });
        self
    }
}

/// Renders a page with a status.
pub(crate) fn page(status: StatusCode, template: &impl Template) -> Result<Response, AppError> {
    Ok((status, Html(template.render()?)).into_response())
}

/// Renders a page with 200 OK.
pub(crate) fn ok(template: &impl Template) -> Result<Response, AppError> {
    page(StatusCode::OK, template)
}

/// Refuses a form to a role that may only read, before the store would.
pub(crate) fn require_writer(session: &Session) -> Result<(), AppError> {
    if session.actor.may_write_households() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What a form says when someone else saved the household first.
pub(crate) fn conflict_notice(expected: i64, current: i64, with_stored_values: bool) -> String {
    let mut notice = format!(
        "未保存：该户数据已被他人修改（您打开表单时为第{expected}版，现为第{current}版）。"
    );
    notice.push_str(if with_stored_values {
        "您填写的内容仍在下方，有差异的项旁标出了当前已保存的值；请核对后再次保存。"
    } else {
        "您填写的内容仍在下方；请先在家庭页面查看最新数据，核对后再次保存。"
    });
    notice
}
