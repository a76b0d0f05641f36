//! The applications (4.2.b): every case of the user's part of the county, filtered by state and
//! township, 50 a page, newest first, the overdue ones marked; finished cases stay findable
//! (state 已批准, 不予批准, 已撤回). A household's page links here for its own cases. The list
//! exports to Excel as filtered.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use doudi_core::casework::CaseState;
use doudi_core::{DivisionCode, HouseholdId};
use doudi_store::Page;
use doudi_store::casework::{CaseFilter, CaseSummary};

use super::export::{self, Export};
use super::{Chrome, ok};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::QueryPairs;
use crate::forms::Opt;
use crate::view::{Divisions, url_encode};

/// Cases a page.
const PER_PAGE: i64 = 50;

/// The list's query as typed.
#[derive(Default)]
struct Query {
    /// `open` (still being handled), `` (all) or a state's code.
    state: String,
    township: String,
    household: Option<i64>,
    page: i64,
}

impl Query {
    fn from_pairs(pairs: &[(String, String)]) -> Query {
        let mut q = Query {
            state: "open".into(),
            page: 1,
            ..Query::default()
        };
        for (name, value) in pairs {
            let value = value.trim();
            match name.as_str() {
                "state" => q.state = value.to_owned(),
                "township" => q.township = value.to_owned(),
                "household" => q.household = value.parse().ok(),
                "page" => q.page = value.parse().unwrap_or(1),
                _ => {}
            }
        }
        q.page = q.page.clamp(1, 1_000_000);
        q
    }

    /// The store's filter, or what is wrong with the query.
    fn filter(&self) -> Result<CaseFilter, AppError> {
        let states = match self.state.as_str() {
            "" | "all" => Vec::new(),
            "open" => CaseState::ALL
                .iter()
                .copied()
                .filter(|s| !s.is_final())
                .collect(),
            code => vec![CaseState::parse(code).map_err(|e| AppError::BadRequest(e.to_string()))?],
        };
        let division = if self.township.is_empty() {
            None
        } else {
            Some(
                DivisionCode::parse(&self.township)
                    .map_err(|e| AppError::BadRequest(e.to_string()))?,
            )
        };
        Ok(CaseFilter {
            states,
            household: self.household.map(HouseholdId),
            division,
        })
    }

    /// The query string of this filter (for another page or the export).
    fn query_string(&self, page: Option<i64>) -> String {
        let mut parts = vec![format!("state={}", url_encode(&self.state))];
        if !self.township.is_empty() {
            parts.push(format!("township={}", url_encode(&self.township)));
        }
        if let Some(h) = self.household {
            parts.push(format!("household={h}"));
        }
        if let Some(p) = page {
            parts.push(format!("page={p}"));
        }
        parts.join("&")
    }
}

struct Row {
    id: i64,
    household: i64,
    number: String,
    community: String,
    case_type: &'static str,
    state: &'static str,
    submitted: String,
    deadline: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    chrome: Chrome,
    states: Vec<Opt>,
    townships: Vec<Opt>,
    household: Option<i64>,
    total: i64,
    page: i64,
    pages: i64,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
    export_href: String,
}

/// A case as the list and the export show it; `limits` are today's (resolved once per list).
fn row(
    c: &CaseSummary,
    divisions: &Divisions,
    today: NaiveDate,
    limits: &doudi_core::casework::Limits,
) -> Row {
    Row {
        id: c.id.0,
        household: c.household.0,
        number: c.household_number.clone(),
        community: divisions.name(&c.community).to_owned(),
        case_type: c.case.case_type.label(),
        state: c.case.state.label(),
        submitted: c.submitted_on.to_string(),
        deadline: if c.case.state.is_final() {
            c.decided_on
                .map_or_else(String::new, |d| format!("{d} 办结"))
        } else {
            c.case
                .deadline(limits)
                .map_or_else(|| "受理后起算".to_owned(), |d| d.to_string())
        },
        overdue: c.case.is_overdue(limits, today),
    }
}

/// The applications, filtered.
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let query = Query::from_pairs(&pairs);
    let filter = query.filter()?;
    let found = state
        .app
        .store()
        .cases(
            &session.actor,
            &filter,
            Page {
                offset: (query.page - 1) * PER_PAGE,
                limit: PER_PAGE,
            },
        )
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let today = state.today();
    let limits = state.app.case_limits(today);
    let pages = ((found.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let mut states = vec![
        Opt {
            value: "open".into(),
            label: "办理中（未办结）".into(),
            selected: query.state == "open",
        },
        Opt {
            value: "all".into(),
            label: "全部（含已办结）".into(),
            selected: query.state == "all" || query.state.is_empty(),
        },
    ];
    states.extend(CaseState::ALL.iter().map(|s| Opt {
        value: s.code().into(),
        label: s.label().into(),
        selected: query.state == s.code(),
    }));
    let townships = divisions
        .townships_in(&session.actor.scope)
        .map(|t| Opt {
            value: t.code.to_string(),
            label: t.name.clone(),
            selected: query.township == t.code.as_str(),
        })
        .collect();
    ok(&CasesPage {
        chrome: chrome(&session),
        states,
        townships,
        household: query.household,
        total: found.total,
        page: query.page,
        pages,
        rows: found
            .rows
            .iter()
            .map(|c| row(c, &divisions, today, &limits))
            .collect(),
        previous: (query.page > 1)
            .then(|| format!("/cases?{}", query.query_string(Some(query.page - 1)))),
        next: (query.page < pages)
            .then(|| format!("/cases?{}", query.query_string(Some(query.page + 1)))),
        export_href: format!("/cases/export.xlsx?{}", query.query_string(None)),
    })
}

fn chrome(session: &Session) -> Chrome {
    Chrome::new(session, "救助申请", "cases").here()
}

/// The applications as filtered, every page, as an Excel file.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let query = Query::from_pairs(&pairs);
    let filter = query.filter()?;
    let (store, actor, filter_ref) = (state.app.store(), &session.actor, &filter);
    let cases = export::every_page(
        |page| async move {
            let found = store.cases(actor, filter_ref, page).await?;
            Ok((found.total, found.rows))
        },
        "申请",
        "先按状态或乡镇（街道）筛选",
    )
    .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let today = state.today();
    let limits = state.app.case_limits(today);
    let rows = cases
        .iter()
        .map(|c| {
            let r = row(c, &divisions, today, &limits);
            export::text([
                r.id.to_string(),
                r.number,
                r.community,
                r.case_type.to_owned(),
                r.state.to_owned(),
                r.submitted,
                r.deadline,
                if r.overdue { "已超期" } else { "" }.to_owned(),
            ])
        })
        .collect();
    export::xlsx(
        &state,
        &session.actor,
        state.today(),
        Export {
            name: "救助申请",
            filter: format!(
                "（状态={}）",
                query.state.chars().take(30).collect::<String>()
            ),
            headers: vec![
                "申请编号",
                "户编号",
                "社区",
                "救助事项",
                "状态",
                "提交日期",
                "办理时限",
                "超期",
            ],
            rows,
        },
    )
    .await
}
