//! The auditor's page (5.4): the audit trail, searchable by actor, action, target and date
//! range, newest first, 50 entries a page. Only auditors and administrators see it; the store
//! refuses everyone else and records every reading of the trail.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
use doudi_core::date::parse_day;
use doudi_store::{AuditAction, AuditEntry, AuditFilter, Page};

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::QueryPairs;
use crate::view::url_encode;

/// Entries per page.
pub(crate) const PER_PAGE: i64 = 50;

/// China Standard Time, in which the auditor's dates are meant.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The audit page's query as typed, and the filter it means.
#[derive(Clone, Debug, Default)]
pub(crate) struct AuditQuery {
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) target: String,
    pub(crate) from: String,
    pub(crate) until: String,
    pub(crate) page: i64,
}

impl AuditQuery {
    /// Reads `actor`, `action`, `target`, `from`, `until` (dates, China time, both inclusive)
    /// and `page` from the query string.
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> AuditQuery {
        let mut q = AuditQuery {
            page: 1,
            ..AuditQuery::default()
        };
        for (name, value) in pairs {
            let value = value.trim().to_owned();
            match name.as_str() {
                "actor" => q.actor = value,
                "action" => q.action = value,
                "target" => q.target = value,
                "from" => q.from = value,
                "until" => q.until = value,
                "page" => q.page = value.parse().unwrap_or(1),
                _ => {}
            }
        }
        q.page = q.page.max(1);
        q
    }

    /// The store's filter; a mistake is a message for the auditor.
    pub(crate) fn filter(&self) -> Result<AuditFilter, String> {
        let date = |s: &str, what: &str| -> Result<Option<NaiveDate>, String> {
            if s.is_empty() {
                return Ok(None);
            }
            parse_day(s).map(Some).map_err(|e| format!("{what}：{e}"))
        };
        let start_of = |d: NaiveDate| -> DateTime<Utc> {
            d.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_local_timezone(china())
                .single()
                .expect("UTC+8 has no gaps")
                .with_timezone(&Utc)
        };
        let action = if self.action.is_empty() {
            None
        } else {
            Some(AuditAction::parse(&self.action).map_err(|e| e.to_string())?)
        };
        Ok(AuditFilter {
            actor: (!self.actor.is_empty()).then(|| self.actor.clone()),
            action,
            target: (!self.target.is_empty()).then(|| self.target.clone()),
            from: date(&self.from, "起始日期")?.map(start_of),
            until: date(&self.until, "截止日期")?.map(|d| start_of(d) + TimeDelta::days(1)),
        })
    }

    /// The store's page.
    pub(crate) fn store_page(&self) -> Page {
        Page {
            offset: (self.page - 1).saturating_mul(PER_PAGE),
            limit: PER_PAGE,
        }
    }

    /// The query string of this filter on another page.
    fn href(&self, page: i64) -> String {
        let mut parts = Vec::new();
        for (name, value) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("target", &self.target),
            ("from", &self.from),
            ("until", &self.until),
        ] {
            if !value.is_empty() {
                parts.push(format!("{name}={}", url_encode(value)));
            }
        }
        parts.push(format!("page={page}"));
        format!("/audit?{}", parts.join("&"))
    }
}

/// An entry's time as the auditor reads it: China time, to the second.
pub(crate) fn local_time(e: &AuditEntry) -> String {
    e.at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    role: String,
    client: String,
    action: String,
    target: String,
    detail: String,
    purpose: String,
}

struct ActionOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPageTemplate {
    chrome: Chrome,
    query: AuditQuery,
    actions: Vec<ActionOption>,
    error: Option<String>,
    total: i64,
    page: i64,
    pages: i64,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    if !session.actor.may_read_audit() {
        return Err(AppError::Forbidden);
    }
    let query = AuditQuery::from_pairs(&pairs);
    let chrome = Chrome::new(&session, "审计日志", "audit").here();
    let actions = AuditAction::ALL
        .iter()
        .map(|a| ActionOption {
            value: a.code(),
            label: a.label(),
            selected: a.code() == query.action,
        })
        .collect();
    let (error, found) = match query.filter() {
        Ok(filter) => (
            None,
            Some(
                state
                    .app
                    .store()
                    .audit_entries(&session.actor, &filter, query.store_page())
                    .await?,
            ),
        ),
        Err(message) => (Some(message), None),
    };
    let (total, entries) = found.map_or((0, Vec::new()), |p| (p.total, p.rows));
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let rows = entries
        .iter()
        .map(|e| Row {
            seq: e.seq,
            at: local_time(e),
            actor: e.actor_name.clone(),
            role: e.role_label().to_owned(),
            client: e.client.clone(),
            action: e.action_label().to_owned(),
            target: e.target.clone(),
            detail: e.detail.clone(),
            purpose: e.purpose.clone(),
        })
        .collect();
    ok(&AuditPageTemplate {
        previous: (query.page > 1).then(|| query.href(query.page - 1)),
        next: (query.page < pages).then(|| query.href(query.page + 1)),
        page: query.page,
        chrome,
        actions,
        error,
        total,
        pages,
        rows,
        query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_date_range_covers_whole_days_in_china_time() {
        let q = AuditQuery::from_pairs(&pairs(&[("from", "2026-05-01"), ("until", "2026-05-01")]));
        let f = q.filter().unwrap();
        assert_eq!(f.from.unwrap().to_rfc3339(), "2026-04-30T16:00:00+00:00");
        assert_eq!(f.until.unwrap().to_rfc3339(), "2026-05-01T16:00:00+00:00");
    }

    #[test]
    fn a_bad_date_or_action_is_a_message_not_an_error_page() {
        assert!(
            AuditQuery::from_pairs(&pairs(&[("from", "5/1")]))
                .filter()
                .is_err()
        );
        assert!(
            AuditQuery::from_pairs(&pairs(&[("action", "peek")]))
                .filter()
                .is_err()
        );
    }

    #[test]
    fn page_links_keep_the_filter() {
        let q = AuditQuery::from_pairs(&pairs(&[("target", "household:3"), ("page", "2")]));
        assert_eq!(q.href(3), "/audit?target=household%3A3&page=3");
    }
}
