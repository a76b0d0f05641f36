//! Casework pages: the public notice of a community (open without login, names and identity
//! numbers masked, 5.4), the logged-in user's work list, and a case with its steps.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doudi_core::DivisionCode;
use doudi_core::casework::next_task;
use doudi_store::casework::CaseId;

use crate::AppState;
use crate::api_casework::limits;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::PathParams;
use crate::pages::{Chrome, ok};

/// One household under notice, masked.
struct NoticeRow {
    case: i64,
    case_type: &'static str,
    head: String,
    id_number: String,
    members: usize,
    from: String,
    until: String,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesTemplate {
    chrome: Chrome,
    community_name: String,
    notices: Vec<NoticeRow>,
}

/// The public notice of a community: who is under notice, and how and until when to object.
pub(crate) async fn notices(
    State(state): State<AppState>,
    PathParams(community): PathParams<String>,
) -> Result<Response, AppError> {
    let code = DivisionCode::parse(&community).map_err(|_| AppError::NotFound)?;
    let divisions = state.store.divisions().await?;
    let Some(division) = divisions.iter().find(|d| d.code == code) else {
        return Err(AppError::NotFound);
    };
    let list = state.store.public_notices(&code, state.today()).await?;
    let notices = list
        .into_iter()
        .map(|n| NoticeRow {
            case: n.case.0,
            case_type: n.case_type.label(),
            head: n.head_masked,
            id_number: n.id_masked,
            members: n.members,
            from: n.from.to_string(),
            until: n.until.to_string(),
        })
        .collect();
    ok(&NoticesTemplate {
        chrome: Chrome::bare("申请公示"),
        community_name: division.name.clone(),
        notices,
    })
}

struct WorkRow {
    id: i64,
    household_number: String,
    case_type: &'static str,
    state: &'static str,
    next: &'static str,
    deadline: String,
    overdue: bool,
    notice: String,
}

struct ReviewRow {
    id: i64,
    household: i64,
    program: &'static str,
    amount: String,
    due: String,
}

#[derive(Template)]
#[template(path = "work.html")]
struct WorkTemplate {
    chrome: Chrome,
    today: String,
    limit: u32,
    limit_complex: u32,
    to_do: Vec<WorkRow>,
    overdue: Vec<WorkRow>,
    under_notice: Vec<WorkRow>,
    reviews: Vec<ReviewRow>,
}

/// The logged-in user's work list for today.
pub(crate) async fn work(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let today = state.today();
    let limits = limits(&state, today);
    let w = state
        .store
        .work_list(&session.actor, today, &limits)
        .await?;
    let row = |c: &doudi_store::casework::CaseSummary| WorkRow {
        id: c.id.0,
        household_number: c.household_number.clone(),
        case_type: c.case.case_type.label(),
        state: c.case.state.label(),
        next: next_task(&c.case, today).map_or("", |k| k.label()),
        deadline: c
            .case
            .deadline(&limits)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        overdue: c.case.is_overdue(&limits, today),
        notice: c
            .case
            .notice
            .map(|(a, b)| format!("{a} 至 {b}"))
            .unwrap_or_default(),
    };
    let template = WorkTemplate {
        chrome: Chrome::new(&session, "今日待办", "work").here(),
        today: today.to_string(),
        limit: limits.working_days,
        limit_complex: limits.working_days_complex,
        to_do: w.cases.iter().map(|(c, _)| row(c)).collect(),
        overdue: w.overdue.iter().map(row).collect(),
        under_notice: w.under_notice.iter().map(row).collect(),
        reviews: w
            .reviews_due
            .iter()
            .map(|e| ReviewRow {
                id: e.id,
                household: e.household.0,
                program: e.program.label(),
                amount: doudi_core::Money::from_fen(e.monthly_fen).to_string(),
                due: e.next_review.to_string(),
            })
            .collect(),
    };
    ok(&template)
}

#[derive(Template)]
#[template(path = "case.html")]
struct CaseTemplate {
    chrome: Chrome,
    id: i64,
    case_type: &'static str,
    household_number: String,
    state: &'static str,
    state_code: &'static str,
    submitted_on: String,
    deadline: String,
    overdue: bool,
    notice: String,
    version: i64,
    refusal: Option<String>,
    exclusions: Vec<(String, String)>,
    objections: Vec<(usize, String, String, String)>,
    steps: Vec<(String, &'static str, String, &'static str, String)>,
}

/// A case with its steps, objections and the members excluded from it.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let today = state.today();
    let limits = limits(&state, today);
    let r = state.store.case(&session.actor, CaseId(id)).await?;
    let template = CaseTemplate {
        chrome: Chrome::new(&session, format!("申请 {id}"), "work")
            .crumb("今日待办", "/work")
            .here(),
        id,
        case_type: r.case.case_type.label(),
        household_number: r.household_number.clone(),
        state: r.case.state.label(),
        state_code: r.case.state.code(),
        submitted_on: r.submitted_on.to_string(),
        deadline: r
            .case
            .deadline(&limits)
            .map(|d| d.to_string())
            .unwrap_or_else(|| "受理后起算".into()),
        overdue: r.case.is_overdue(&limits, today),
        notice: r
            .case
            .notice
            .map(|(a, b)| format!("{a} 至 {b}"))
            .unwrap_or_else(|| "未公示".into()),
        version: r.version,
        refusal: r.case.refusal.clone(),
        exclusions: r
            .exclusions
            .iter()
            .map(|x| (x.name_masked.clone(), x.reason.clone()))
            .collect(),
        objections: r
            .case
            .objections
            .iter()
            .map(|o| {
                (
                    o.number,
                    o.raised_on.to_string(),
                    o.text.clone(),
                    match &o.resolution {
                        None => "待处理".to_owned(),
                        Some((true, r)) => format!("成立：{r}"),
                        Some((false, r)) => format!("不成立：{r}"),
                    },
                )
            })
            .collect(),
        steps: r
            .steps
            .iter()
            .map(|s| {
                (
                    s.on.to_string(),
                    s.kind.label(),
                    s.actor_name.clone(),
                    s.state.label(),
                    s.detail.clone(),
                )
            })
            .collect(),
    };
    ok(&template)
}
