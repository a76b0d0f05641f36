//! The auditor's page (5.4): the audit trail, searchable by actor, action, target and date
//! range, newest first, 50 entries a page. Only auditors and administrators see it; the store
//! refuses everyone else and records every reading of the trail.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};
use doudi_core::HouseholdId;
use doudi_core::date::parse_day;
use doudi_store::{AuditAction, AuditEntry, AuditFilter, Page};

use super::export::{self, Export};
use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::QueryPairs;
use crate::view::{Divisions, url_encode};

/// Entries per page.
pub(crate) const PER_PAGE: i64 = 50;

/// China Standard Time, in which the auditor's dates are meant.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The stored target a typed one means: the kinds of object in words (家庭, 申请, 账户, 发放名册,
/// 社区, 家庭成员), or a stored target as it is (the page's links filter by those).
fn target_code(typed: &str) -> String {
    let typed = typed.trim();
    let kinds = [
        ("家庭成员", "person"),
        ("家庭档案", "household"),
        ("家庭", "household"),
        ("申请", "case"),
        ("账户", "user"),
        ("发放名册", "payments"),
        ("社区", "community"),
    ];
    for (word, code) in kinds {
        if let Some(rest) = typed.strip_prefix(word) {
            let rest = rest.trim();
            return if rest.is_empty() {
                code.to_owned()
            } else {
                format!("{code}:{rest}")
            };
        }
    }
    typed.to_owned()
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
            target: (!self.target.is_empty()).then(|| target_code(&self.target)),
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

    /// The Excel export of this filter.
    fn export_href(&self) -> String {
        let page = self.href(1);
        let query = page
            .strip_prefix("/audit?")
            .and_then(|q| q.strip_suffix("page=1"))
            .unwrap_or_default()
            .trim_end_matches('&');
        if query.is_empty() {
            "/audit/export.xlsx".to_owned()
        } else {
            format!("/audit/export.xlsx?{query}")
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
    target_href: Option<String>,
    /// The audit page filtered to this target's entries.
    target_filter: String,
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
    export_href: String,
    /// The result of checking the chain, when asked: intact or not, and what was found.
    verified: Option<(bool, String)>,
    /// A stored target the page is filtered by (from a row's link), in words; the box then
    /// holds it hidden, so that no code is shown.
    target_words: Option<String>,
}

/// The objects of entries in words: households by their file number, accounts by name,
/// applications, rosters and communities by what they are (never `household:5202`).
#[derive(Default)]
struct Names {
    households: HashMap<i64, String>,
    users: HashMap<i64, String>,
    divisions: Option<Divisions>,
}

impl Names {
    /// Looks up what the entries name.
    async fn of(
        state: &AppState,
        actor: &doudi_core::Actor,
        entries: &[AuditEntry],
    ) -> Result<Names, AppError> {
        let id_of = |e: &AuditEntry, kind: &str| {
            e.target
                .strip_prefix(kind)
                .and_then(|id| id.parse::<i64>().ok())
        };
        let mut households: Vec<HouseholdId> = entries
            .iter()
            .filter_map(|e| id_of(e, "household:").map(HouseholdId))
            .collect();
        households.sort_unstable_by_key(|h| h.0);
        households.dedup();
        let store = state.app.store();
        let mut names = Names {
            households: store
                .household_numbers(actor, &households)
                .await?
                .into_iter()
                .map(|(h, n)| (h.0, n))
                .collect(),
            ..Names::default()
        };
        let people = entries
            .iter()
            .filter_map(|e| id_of(e, "user:"))
            .chain(entries.iter().map(|e| e.actor_user_id).filter(|id| *id > 0));
        for id in people {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.users.entry(id)
                && let Some(u) = store.user_by_id(id).await?
            {
                slot.insert(format!("{}（{}）", u.display_name, u.username));
            }
        }
        if entries.iter().any(|e| e.target.starts_with("community:")) {
            names.divisions = Some(Divisions::load(store).await?);
        }
        Ok(names)
    }

    /// What a target is, in words, and the page that shows it (if any).
    fn describe(&self, target: &str) -> (String, Option<String>) {
        let (kind, rest) = target.split_once(':').unwrap_or((target, ""));
        let id = rest.parse::<i64>().ok();
        match (kind, id) {
            ("household", Some(id)) => (
                match self.households.get(&id) {
                    Some(number) => format!("家庭 {number}"),
                    None => format!("家庭（内部编号{id}）"),
                },
                Some(format!("/households/{id}")),
            ),
            ("household", None) => ("全部家庭".to_owned(), None),
            ("user", Some(id)) => (
                match self.users.get(&id) {
                    Some(name) => format!("账户 {name}"),
                    None => format!("账户（内部编号{id}）"),
                },
                None,
            ),
            ("user", None) if rest == "unknown" => ("不存在的账户名".to_owned(), None),
            ("case", Some(id)) => (format!("申请 第{id}号"), Some(format!("/cases/{id}"))),
            ("person", Some(id)) => (format!("家庭成员（内部编号{id}）"), None),
            ("job_opening", Some(id)) => (format!("岗位 第{id}号"), Some(format!("/jobs/{id}"))),
            ("payments", _) => (
                format!("{rest} 发放名册"),
                Some(format!("/payments?month={}", url_encode(rest))),
            ),
            ("community", _) => {
                let name = self
                    .divisions
                    .as_ref()
                    .and_then(|d| d.get(rest))
                    .map_or(rest, |d| d.name.as_str());
                (format!("社区 {name}"), None)
            }
            ("fund_budget", Some(id)) => (format!("资金预算 第{id}号"), Some("/funds".to_owned())),
            ("fund_check_run", Some(id)) => (
                format!("资金核查 第{id}次"),
                Some("/funds/findings".to_owned()),
            ),
            ("fund_finding", Some(id)) => (
                format!("核查发现 第{id}号"),
                Some(format!("/funds/findings/{id}")),
            ),
            ("route", _) => (format!("页面 {rest}"), None),
            ("feeds", _) => (
                format!(
                    "部门数据：{}",
                    doudi_core::discovery::FeedKind::parse(rest).map_or(rest, |k| k.label())
                ),
                Some("/feeds".to_owned()),
            ),
            ("settings", _) => ("系统设置".to_owned(), None),
            _ => (
                match target {
                    "tekun_care" => "特困人员供养方式",
                    "rural_registry" => "农村建档立卡名单",
                    "cases" => "救助申请清单",
                    "households" => "家庭档案清单",
                    "payments" => "发放名册",
                    "divisions" => "行政区划",
                    "entitlements" => "既有待遇",
                    "data_key" => "数据密钥",
                    "audit_log" => "审计日志",
                    "housing_applications" => "住房保障申请清单",
                    "job_referrals" => "岗位推荐清单",
                    "job_training" => "培训记录清单",
                    "fund_findings" => "资金核查发现清单",
                    other => other,
                }
                .to_owned(),
                None,
            ),
        }
    }
}

/// An entry as the page and the export show it.
fn row(e: &AuditEntry, names: &Names) -> Row {
    let (target, target_href) = names.describe(&e.target);
    let actor = names
        .users
        .get(&e.actor_user_id)
        .cloned()
        .unwrap_or_else(|| e.actor_name.clone());
    Row {
        seq: e.seq,
        at: local_time(e),
        actor,
        role: e.role_label().to_owned(),
        client: e.client.clone(),
        action: e.action_label().to_owned(),
        target,
        target_href,
        target_filter: format!("/audit?target={}", url_encode(&e.target)),
        detail: e.detail.clone(),
        purpose: e.purpose.clone(),
    }
}

/// The trail as filtered, every page of it, as an Excel file.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    if !session.actor.may_read_audit() {
        return Err(AppError::Forbidden);
    }
    let query = AuditQuery::from_pairs(&pairs);
    let filter = query.filter().map_err(|message| AppError::Invalid {
        message,
        fields: crate::error::FieldErrors::new(),
    })?;
    let (store, actor, filter) = (state.app.store(), &session.actor, &filter);
    let entries = export::every_page(
        |page| async move {
            let found = store.audit_entries(actor, filter, page).await?;
            Ok((found.total, found.rows))
        },
        "审计记录",
        "缩小日期范围",
    )
    .await?;
    let names = Names::of(&state, &session.actor, &entries).await?;
    let rows = entries
        .iter()
        .map(|e| {
            let r = row(e, &names);
            export::text([
                r.seq.to_string(),
                r.at,
                r.actor,
                r.role,
                r.client,
                r.action,
                r.target,
                r.detail,
                r.purpose,
            ])
        })
        .collect();
    export::xlsx(
        &state,
        &session.actor,
        state.today(),
        Export {
            name: "审计日志",
            filter: String::new(),
            headers: vec![
                "序号",
                "时间",
                "操作人",
                "角色",
                "来源地址",
                "操作",
                "对象",
                "说明",
                "目的",
            ],
            rows,
        },
    )
    .await
}

/// Checks the whole chain (every entry's MAC and its link to the one before) and shows the
/// trail with the result. Whether newest entries were cut off is found only against the anchor
/// outside the database (`doudi audit verify` on the server).
pub(crate) async fn verify(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    if !session.actor.may_read_audit() {
        return Err(AppError::Forbidden);
    }
    let report = state.app.store().verify_audit(None).await?;
    let verified = match &report.broken {
        None => (
            true,
            format!(
                "校验通过：共{}条记录，每条的校验码和前后链接都完好。",
                report.entries
            ),
        ),
        Some(broken) => (false, format!("发现篡改：{}。", broken.chinese())),
    };
    render(state, session, pairs, Some(verified)).await
}

pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    render(state, session, pairs, None).await
}

async fn render(
    state: AppState,
    session: crate::auth::Session,
    pairs: Vec<(String, String)>,
    verified: Option<(bool, String)>,
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
    let names = Names::of(&state, &session.actor, &entries).await?;
    let rows = entries.iter().map(|e| row(e, &names)).collect();
    let target_words = query
        .target
        .contains(':')
        .then(|| names.describe(&query.target).0);
    ok(&AuditPageTemplate {
        target_words,
        export_href: query.export_href(),
        verified,
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
        assert_eq!(q.export_href(), "/audit/export.xlsx?target=household%3A3");
        assert_eq!(
            AuditQuery::from_pairs(&[]).export_href(),
            "/audit/export.xlsx"
        );
    }
}
