//! Funds supervision (5.2) in the browser and as JSON: budgets per programme and year against
//! spending month by month (`/funds`), a month's payment lines traced to their decisions
//! (`/funds/payments`), running the audit checks (`POST /funds/checks`), and the findings with
//! their page where auditors assign, note and close them (`/funds/findings`). Every list has its
//! Excel; the store decides who reads and writes.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::funds::{
    BudgetInput, FindingInput, FundsYear, parse_check, parse_month, parse_state,
};
use doudi_core::funds::{
    CheckKind, FindingState, LineSource, may_note_findings, may_run_checks, may_set_budget,
    may_work_findings,
};
use doudi_core::{Money, Month};
use doudi_exchange::write::OutCell;
use doudi_store::funds::{CheckRun, Finding, FindingFilter, FindingNote, TracedPayment};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Chrome, ok, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;

fn get<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

fn year_of(state: &AppState, query: &[(String, String)]) -> Result<i32, AppError> {
    match get(query, "year") {
        None => Ok(Month::of(state.today()).year()),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| {
                doudi_app::Error::invalid("year", "年度应为2000至2100之间的年份").into()
            }),
    }
}

fn month_of(state: &AppState, query: &[(String, String)]) -> Result<Month, AppError> {
    match get(query, "month") {
        None => Ok(Month::of(state.today())),
        Some(m) => Ok(parse_month("month", m)?),
    }
}

struct Choice {
    code: String,
    label: String,
    selected: bool,
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    chosen: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|&v| Choice {
            code: code(v).to_owned(),
            label: label(v).to_owned(),
            selected: chosen == Some(v),
        })
        .collect()
}

// ---- budgets and spending ----

struct ProgrammeRow {
    program: &'static str,
    budget: String,
    spent: String,
    left: String,
    over: bool,
    monthly: Vec<String>,
}

struct BudgetRow {
    program: &'static str,
    amount: String,
    note: String,
    set_by: String,
    set_at: String,
}

fn programme_rows(y: &FundsYear) -> Vec<ProgrammeRow> {
    y.programmes
        .iter()
        .map(|p| ProgrammeRow {
            program: p.program.label(),
            budget: p
                .budget
                .as_ref()
                .map_or_else(|| "未设置".into(), |b| b.amount.to_string()),
            spent: p.spent.to_string(),
            left: p.left.map_or_else(|| "—".into(), |l| l.to_string()),
            over: p.over,
            monthly: p.monthly.iter().map(Money::to_string).collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    chrome: Chrome,
    year: i32,
    rows: Vec<ProgrammeRow>,
    history: Vec<BudgetRow>,
    programs: Vec<Choice>,
    can_set: bool,
    can_check: bool,
    month: String,
    error: Option<String>,
}

async fn render_funds(
    state: &AppState,
    session: &crate::auth::Session,
    year: i32,
    error: Option<String>,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let y = state.app.funds_year(actor, year).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        status,
        &FundsPage {
            chrome: Chrome::new(session, "资金监管", "funds").here(),
            year,
            rows: programme_rows(&y),
            history: y
                .history
                .iter()
                .map(|b| BudgetRow {
                    program: b.program.label(),
                    amount: b.amount.to_string(),
                    note: b.note.clone(),
                    set_by: b.set_by.clone(),
                    set_at: b.set_at.format("%Y-%m-%d %H:%M").to_string(),
                })
                .collect(),
            programs: choices(
                doudi_core::disaster::PaymentProgram::ALL,
                |p| p.code(),
                |p| p.label(),
                None,
            ),
            can_set: may_set_budget(actor),
            can_check: may_run_checks(actor),
            month: Month::of(state.today()).to_string(),
            error,
        },
    )
}

/// The funds page: per programme the budget, spending by month and what is left.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let year = year_of(&state, &query)?;
    render_funds(&state, &session, year, None).await
}

fn budget_input(form: &FormInput) -> BudgetInput {
    BudgetInput {
        program: form.get("program").to_owned(),
        year: form.get("year").to_owned(),
        amount_yuan: form.get("amount_yuan").to_owned(),
        note: form.get("note").to_owned(),
    }
}

/// Sets a budget from the form.
pub(crate) async fn set_budget(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_set_budget(&session.actor) {
        return Err(doudi_store::StoreError::Forbidden.into());
    }
    let input = budget_input(&form);
    match state.app.set_budget(&session.actor, &input).await {
        Ok(b) => Ok(Redirect::to(&format!("/funds?year={}", b.year)).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Invalid { message, .. } => {
                let year = year_of(&state, &[])?;
                render_funds(&state, &session, year, Some(message)).await
            }
            other => Err(other),
        },
    }
}

/// The funds of the year as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let year = year_of(&state, &query)?;
    let y = state.app.funds_year(&session.actor, year).await?;
    let rows = y
        .programmes
        .iter()
        .map(|p| {
            let mut r = vec![
                OutCell::Text(year.to_string()),
                OutCell::Text(p.program.label().to_owned()),
                p.budget.as_ref().map_or_else(
                    || OutCell::Text("未设置".into()),
                    |b| OutCell::Money(b.amount),
                ),
            ];
            r.extend(p.monthly.iter().map(|m| OutCell::Money(*m)));
            r.push(OutCell::Money(p.spent));
            r.push(
                p.left
                    .map_or_else(|| OutCell::Text("—".into()), OutCell::Money),
            );
            r.push(OutCell::Text(if p.over { "超预算" } else { "" }.into()));
            r
        })
        .collect();
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "资金监管",
            filter: format!("year={year}"),
            headers: vec![
                "年度",
                "发放项目",
                "预算（元）",
                "1月",
                "2月",
                "3月",
                "4月",
                "5月",
                "6月",
                "7月",
                "8月",
                "9月",
                "10月",
                "11月",
                "12月",
                "已支出（元）",
                "结余（元）",
                "提示",
            ],
            rows,
        },
    )
    .await
}

// ---- payments traced ----

struct TraceRow {
    id: i64,
    household: i64,
    number: String,
    township: String,
    program: &'static str,
    amount: String,
    status: &'static str,
    source: String,
    decided_on: String,
    untraced: bool,
}

fn trace_words(t: &TracedPayment) -> (String, String) {
    match &t.line.source {
        LineSource::Entitlement {
            entitlement_id,
            decision_id,
            decided_on,
            case,
            decision_kind,
            ..
        } => {
            let case = match case {
                Some(c) => format!("，申请案件{}（{}）", c.case_id, c.case_type.label()),
                None if decision_kind == "import" => "，原系统结转".to_owned(),
                None => "，无审批案件".to_owned(),
            };
            (
                format!("待遇期间{entitlement_id} ← 决定{decision_id}{case}"),
                decided_on.to_string(),
            )
        }
        LineSource::Relief {
            relief_id,
            kind,
            recorded_on,
            ..
        } => (
            format!("救助记录{relief_id}（{}）", kind.label()),
            recorded_on.to_string(),
        ),
        LineSource::Untraced => ("无可追溯的决定".to_owned(), String::new()),
    }
}

fn trace_row(t: &TracedPayment) -> TraceRow {
    let (source, decided_on) = trace_words(t);
    TraceRow {
        id: t.line.payment_id,
        household: t.line.household,
        number: t.line.household_number.clone(),
        township: t.line.township_name.clone(),
        program: t.line.program.label(),
        amount: t.line.amount.to_string(),
        status: t.status.label(),
        source,
        decided_on,
        untraced: matches!(t.line.source, LineSource::Untraced),
    }
}

#[derive(Template)]
#[template(path = "funds_payments.html")]
struct PaymentsPage {
    chrome: Chrome,
    month: String,
    rows: Vec<TraceRow>,
    total: String,
}

/// A month's payment lines with the decision each comes from.
pub(crate) async fn payments(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let month = month_of(&state, &query)?;
    let lines = state.app.traced_payments(&session.actor, month).await?;
    let total = lines
        .iter()
        .fold(Money::ZERO, |a, l| a.saturating_add(l.line.amount));
    ok(&PaymentsPage {
        chrome: Chrome::new(&session, "发放追溯", "funds")
            .crumb("资金监管", "/funds")
            .here(),
        month: month.to_string(),
        rows: lines.iter().map(trace_row).collect(),
        total: total.to_string(),
    })
}

/// The traced lines as Excel.
pub(crate) async fn payments_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let month = month_of(&state, &query)?;
    let lines = state.app.traced_payments(&session.actor, month).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "发放追溯",
            filter: format!("month={month}"),
            headers: vec![
                "发放编号",
                "户编号",
                "乡镇（街道）",
                "发放项目",
                "金额（元）",
                "状态",
                "依据",
                "决定日期",
            ],
            rows: lines
                .iter()
                .map(|t| {
                    let r = trace_row(t);
                    vec![
                        OutCell::Text(r.id.to_string()),
                        OutCell::Text(r.number),
                        OutCell::Text(r.township),
                        OutCell::Text(r.program.to_owned()),
                        OutCell::Money(t.line.amount),
                        OutCell::Text(r.status.to_owned()),
                        OutCell::Text(r.source),
                        OutCell::Text(r.decided_on),
                    ]
                })
                .collect(),
        },
    )
    .await
}

// ---- checks and findings ----

/// Runs the checks of a month from the form, then shows its findings.
pub(crate) async fn run_checks(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_run_checks(&session.actor) {
        return Err(doudi_store::StoreError::Forbidden.into());
    }
    let month = parse_month("month", form.get("month"))?;
    state.app.run_checks(&session.actor, month).await?;
    Ok(Redirect::to(&format!("/funds/findings?month={month}")).into_response())
}

struct FindingRow {
    id: i64,
    check: &'static str,
    month: String,
    household: i64,
    number: String,
    township: String,
    explanation: String,
    state: &'static str,
    assignee: String,
}

fn finding_row(f: &Finding) -> FindingRow {
    FindingRow {
        id: f.id,
        check: f.check.label(),
        month: f.month.to_string(),
        household: f.household.0,
        number: f.household_number.clone(),
        township: f.township_name.clone(),
        explanation: f.explanation.clone(),
        state: f.state.label(),
        assignee: f.assignee_name.clone().unwrap_or_default(),
    }
}

struct RunRow {
    month: String,
    trigger: &'static str,
    ran_by: String,
    ran_at: String,
    outcome: String,
    ok: bool,
}

fn run_row(r: &CheckRun) -> RunRow {
    RunRow {
        month: r.month.to_string(),
        trigger: if r.trigger == doudi_store::funds::TRIGGER_RUN {
            "发放后自动核查"
        } else {
            "手动核查"
        },
        ran_by: r.ran_by.clone(),
        ran_at: r.ran_at.format("%Y-%m-%d %H:%M").to_string(),
        outcome: match &r.error {
            None => format!("发现{}条，新增{}条", r.found, r.added),
            Some(e) => format!("核查未完成：{e}"),
        },
        ok: r.ok,
    }
}

fn finding_filter(query: &[(String, String)]) -> Result<FindingFilter, AppError> {
    Ok(FindingFilter {
        state: parse_state("state", get(query, "state").unwrap_or(""))?,
        check: parse_check("check", get(query, "check").unwrap_or(""))?,
        division: get(query, "township")
            .filter(|t| t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 12)
            .map(str::to_owned),
        month: match get(query, "month") {
            Some(m) => Some(parse_month("month", m)?),
            None => None,
        },
    })
}

#[derive(Template)]
#[template(path = "funds_findings.html")]
struct FindingsPage {
    chrome: Chrome,
    rows: Vec<FindingRow>,
    runs: Vec<RunRow>,
    states: Vec<Choice>,
    checks: Vec<Choice>,
    townships: Vec<Choice>,
    month: String,
    query: String,
    can_check: bool,
    check_month: String,
}

/// The findings list with its filter and the latest runs of the checks.
pub(crate) async fn findings(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let filter = finding_filter(&query)?;
    let list = state.app.findings(actor, &filter).await?;
    let runs = state.app.check_runs(actor, filter.month).await?;
    let divisions = crate::view::Divisions::load(state.app.store()).await?;
    let townships = divisions
        .townships_in(&actor.scope)
        .map(|d| Choice {
            code: d.code.to_string(),
            label: d.name.clone(),
            selected: filter.division.as_deref() == Some(d.code.as_str()),
        })
        .collect();
    let query_string = query
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "state" | "check" | "township" | "month"))
        .map(|(k, v)| format!("{k}={}", crate::view::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let chrome = Chrome::new(&session, "资金核查发现", "funds");
    // Township caseworkers read findings but not the county's funds page.
    let chrome = if doudi_core::funds::may_read_funds(actor) {
        chrome.crumb("资金监管", "/funds")
    } else {
        chrome
    };
    ok(&FindingsPage {
        chrome: chrome.here(),
        rows: list.iter().map(finding_row).collect(),
        runs: runs.iter().map(run_row).collect(),
        states: choices(FindingState::ALL, |s| s.code(), |s| s.label(), filter.state),
        checks: choices(CheckKind::ALL, |s| s.code(), |s| s.label(), filter.check),
        townships,
        month: filter.month.map(|m| m.to_string()).unwrap_or_default(),
        query: query_string,
        can_check: may_run_checks(actor),
        check_month: filter
            .month
            .unwrap_or_else(|| Month::of(state.today()))
            .to_string(),
    })
}

/// The findings (with the page's filter) as Excel.
pub(crate) async fn findings_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let filter = finding_filter(&query)?;
    let list = state.app.findings(&session.actor, &filter).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "资金核查发现",
            filter: String::new(),
            headers: vec![
                "编号",
                "核查规则",
                "月份",
                "户编号",
                "乡镇（街道）",
                "说明",
                "状态",
                "核查人",
            ],
            rows: list
                .iter()
                .map(|f| {
                    let r = finding_row(f);
                    super::export::text([
                        r.id.to_string(),
                        r.check.to_owned(),
                        r.month,
                        r.number,
                        r.township,
                        r.explanation,
                        r.state.to_owned(),
                        r.assignee,
                    ])
                })
                .collect(),
        },
    )
    .await
}

struct NoteRow {
    at: String,
    actor: String,
    state: &'static str,
    assignee: String,
    note: String,
}

#[derive(Template)]
#[template(path = "funds_finding.html")]
struct FindingPage {
    chrome: Chrome,
    f: FindingRow,
    payment: String,
    notes: Vec<NoteRow>,
    closed: bool,
    can_note: bool,
    can_work: bool,
    auditors: Vec<(i64, String, bool)>,
    moves: Vec<Choice>,
    error: Option<String>,
}

async fn render_finding(
    state: &AppState,
    session: &crate::auth::Session,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let (f, notes) = state.app.finding(actor, id).await?;
    let can_work = may_work_findings(actor);
    let auditors = if can_work && !f.state.is_closed() {
        state
            .app
            .auditors(actor)
            .await?
            .into_iter()
            .map(|(uid, name)| {
                let me = uid == actor.user_id;
                (uid, name, f.assignee.map_or(me, |a| a == uid))
            })
            .collect()
    } else {
        Vec::new()
    };
    let moves = FindingState::ALL
        .iter()
        .filter(|s| f.state.may_become(**s))
        .map(|s| Choice {
            code: s.code().to_owned(),
            label: s.label().to_owned(),
            selected: false,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        status,
        &FindingPage {
            chrome: Chrome::new(session, format!("核查发现 {}", f.id), "funds")
                .crumb("资金核查发现", "/funds/findings")
                .here(),
            payment: f.payment.map(|p| p.to_string()).unwrap_or_default(),
            closed: f.state.is_closed(),
            f: finding_row(&f),
            notes: notes.iter().map(note_row).collect(),
            can_note: may_note_findings(actor),
            can_work,
            auditors,
            moves,
            error,
        },
    )
}

fn note_row(n: &FindingNote) -> NoteRow {
    NoteRow {
        at: n.at.format("%Y-%m-%d %H:%M").to_string(),
        actor: n.actor_name.clone(),
        state: n.state.label(),
        assignee: n.assignee_name.clone().unwrap_or_default(),
        note: n.note.clone(),
    }
}

/// A finding's page: what was found, its notes, and the auditor's forms.
pub(crate) async fn finding(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    render_finding(&state, &session, id, None).await
}

fn finding_input(form: &FormInput) -> FindingInput {
    FindingInput {
        action: form.get("action").to_owned(),
        assignee: form.get("assignee").to_owned(),
        note: form.get("note").to_owned(),
    }
}

/// Notes on, assigns or moves a finding from its page.
pub(crate) async fn change(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_note_findings(&session.actor) {
        return Err(doudi_store::StoreError::Forbidden.into());
    }
    let input = finding_input(&form);
    match state.app.change_finding(&session.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/funds/findings/{id}")).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Invalid { message, .. } => {
                render_finding(&state, &session, id, Some(message)).await
            }
            other => Err(other),
        },
    }
}

// ---- the JSON API ----

#[derive(Serialize, ToSchema)]
pub struct ProgrammeFundsDto {
    pub program: String,
    pub budget_fen: Option<i64>,
    pub monthly_fen: Vec<i64>,
    pub spent_fen: i64,
    pub left_fen: Option<i64>,
    pub over_budget: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BudgetDto {
    pub id: i64,
    pub program: String,
    pub year: i32,
    pub amount_fen: i64,
    pub note: String,
    pub set_by: String,
    pub set_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct FundsDto {
    pub year: i32,
    pub programmes: Vec<ProgrammeFundsDto>,
    pub history: Vec<BudgetDto>,
}

fn budget_dto(b: &doudi_store::funds::Budget) -> BudgetDto {
    BudgetDto {
        id: b.id,
        program: b.program.code().to_owned(),
        year: b.year,
        amount_fen: b.amount.fen(),
        note: b.note.clone(),
        set_by: b.set_by.clone(),
        set_at: b.set_at.to_rfc3339(),
    }
}

// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// Budgets and spending per programme of a year (5.2).
#[utoipa::path(
    get,
    path = "/api/funds",
    tag = "funds",
    params(YearQuery),
    responses(
        (status = 200, description = "预算与支出", body = FundsDto),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_funds(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<FundsDto>, AppError> {
    let year = year_of(&state, &query)?;
    let y = state.app.funds_year(&session.actor, year).await?;
    Ok(Json(FundsDto {
        year,
        programmes: y
            .programmes
            .iter()
            .map(|p| ProgrammeFundsDto {
                program: p.program.code().to_owned(),
                budget_fen: p.budget.as_ref().map(|b| b.amount.fen()),
                monthly_fen: p.monthly.iter().map(|m| m.fen()).collect(),
                spent_fen: p.spent.fen(),
                left_fen: p.left.map(Money::fen),
                over_budget: p.over,
            })
            .collect(),
        history: y.history.iter().map(budget_dto).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct BudgetRequest {
    pub program: String,
    pub year: i32,
    pub amount_fen: i64,
    pub note: String,
}

/// Sets a programme's budget for a year (the county approver; a new row, history kept).
#[utoipa::path(
    post,
    path = "/api/funds/budgets",
    tag = "funds",
    request_body = BudgetRequest,
    responses(
        (status = 200, description = "已设置", body = BudgetDto),
        (status = 403, description = "无权设置", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_set_budget(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<BudgetRequest>,
) -> Result<Json<BudgetDto>, AppError> {
    if !may_set_budget(&session.actor) {
        return Err(doudi_store::StoreError::Forbidden.into());
    }
    let input = BudgetInput {
        program: body.program,
        year: body.year.to_string(),
        amount_yuan: Money::from_fen(body.amount_fen).to_yuan_string(),
        note: body.note,
    };
    let b = state.app.set_budget(&session.actor, &input).await?;
    Ok(Json(budget_dto(&b)))
}

#[derive(Serialize, ToSchema)]
pub struct TracedPaymentDto {
    pub payment_id: i64,
    pub month: String,
    pub household_id: i64,
    pub household_number: String,
    pub township: String,
    pub program: String,
    pub amount_fen: i64,
    pub status: String,
    pub entitlement_id: Option<i64>,
    pub decision_id: Option<i64>,
    pub case_id: Option<i64>,
    pub relief_id: Option<i64>,
    pub decided_on: Option<String>,
    pub traced: bool,
    pub source: String,
}

// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    pub month: Option<String>,
}

/// A month's payment lines traced to their decisions (5.2).
#[utoipa::path(
    get,
    path = "/api/funds/payments",
    tag = "funds",
    params(MonthQuery),
    responses(
        (status = 200, description = "发放追溯", body = [TracedPaymentDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 422, description = "月份有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_payments(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<TracedPaymentDto>>, AppError> {
    let month = month_of(&state, &query)?;
    let lines = state.app.traced_payments(&session.actor, month).await?;
    Ok(Json(
        lines
            .iter()
            .map(|t| {
                let (source, decided_on) = trace_words(t);
                let (entitlement_id, decision_id, case_id, relief_id) = match &t.line.source {
                    LineSource::Entitlement {
                        entitlement_id,
                        decision_id,
                        case,
                        ..
                    } => (
                        Some(*entitlement_id),
                        Some(*decision_id),
                        case.as_ref().map(|c| c.case_id),
                        None,
                    ),
                    LineSource::Relief { relief_id, .. } => (None, None, None, Some(*relief_id)),
                    LineSource::Untraced => (None, None, None, None),
                };
                TracedPaymentDto {
                    payment_id: t.line.payment_id,
                    month: t.line.month.to_string(),
                    household_id: t.line.household,
                    household_number: t.line.household_number.clone(),
                    township: t.line.township.clone(),
                    program: t.line.program.code().to_owned(),
                    amount_fen: t.line.amount.fen(),
                    status: t.status.code().to_owned(),
                    entitlement_id,
                    decision_id,
                    case_id,
                    relief_id,
                    decided_on: (!decided_on.is_empty()).then_some(decided_on),
                    traced: !matches!(t.line.source, LineSource::Untraced),
                    source,
                }
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ChecksRequest {
    pub month: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckRunDto {
    pub id: i64,
    pub month: String,
    pub trigger: String,
    pub ok: bool,
    pub found: i64,
    pub added: i64,
    pub error: Option<String>,
}

/// Runs the six audit checks for a month; findings already kept are not added again.
#[utoipa::path(
    post,
    path = "/api/funds/checks",
    tag = "funds",
    request_body = ChecksRequest,
    responses(
        (status = 200, description = "已核查", body = CheckRunDto),
        (status = 403, description = "无权核查", body = ErrorBody),
        (status = 422, description = "月份有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_run_checks(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<ChecksRequest>,
) -> Result<Json<CheckRunDto>, AppError> {
    if !may_run_checks(&session.actor) {
        return Err(doudi_store::StoreError::Forbidden.into());
    }
    let month = parse_month("month", &body.month)?;
    let r = state.app.run_checks(&session.actor, month).await?;
    Ok(Json(CheckRunDto {
        id: r.id,
        month: r.month.to_string(),
        trigger: r.trigger,
        ok: r.ok,
        found: r.found,
        added: r.added,
        error: r.error,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FindingDto {
    pub id: i64,
    pub check: String,
    pub month: String,
    pub household_id: i64,
    pub household_number: String,
    pub township: String,
    pub person_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub explanation: String,
    pub state: String,
    pub assignee_id: Option<i64>,
    pub assignee: Option<String>,
}

fn finding_dto(f: &Finding) -> FindingDto {
    FindingDto {
        id: f.id,
        check: f.check.code().to_owned(),
        month: f.month.to_string(),
        household_id: f.household.0,
        household_number: f.household_number.clone(),
        township: f.township.clone(),
        person_id: f.person,
        payment_id: f.payment,
        explanation: f.explanation.clone(),
        state: f.state.code().to_owned(),
        assignee_id: f.assignee,
        assignee: f.assignee_name.clone(),
    }
}

// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    pub state: Option<String>,
    pub check: Option<String>,
    pub township: Option<String>,
    pub month: Option<String>,
}

/// The findings of the caller's scope.
#[utoipa::path(
    get,
    path = "/api/funds/findings",
    tag = "funds",
    params(FindingQuery),
    responses(
        (status = 200, description = "核查发现", body = [FindingDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_findings(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<FindingDto>>, AppError> {
    let filter = finding_filter(&query)?;
    let list = state.app.findings(&session.actor, &filter).await?;
    Ok(Json(list.iter().map(finding_dto).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct FindingNoteDto {
    pub at: String,
    pub by: String,
    pub state: String,
    pub assignee: Option<String>,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct FindingDetailDto {
    pub finding: FindingDto,
    pub notes: Vec<FindingNoteDto>,
}

/// One finding with its notes.
#[utoipa::path(
    get,
    path = "/api/funds/findings/{id}",
    tag = "funds",
    params(("id" = i64, Path, description = "发现编号")),
    responses(
        (status = 200, description = "核查发现", body = FindingDetailDto),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn api_finding(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<FindingDetailDto>, AppError> {
    let (f, notes) = state.app.finding(&session.actor, id).await?;
    Ok(Json(FindingDetailDto {
        finding: finding_dto(&f),
        notes: notes
            .iter()
            .map(|n| FindingNoteDto {
                at: n.at.to_rfc3339(),
                by: n.actor_name.clone(),
                state: n.state.code().to_owned(),
                assignee: n.assignee_name.clone(),
                note: n.note.clone(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct FindingChangeRequest {
    /// `note`, `assign`, `investigating`, `confirmed` or `dismissed`.
    pub action: String,
    pub assignee_id: Option<i64>,
    pub note: String,
}

/// Notes on (auditors, the county approver), assigns or moves (auditors) a finding.
#[utoipa::path(
    post,
    path = "/api/funds/findings/{id}",
    tag = "funds",
    params(("id" = i64, Path, description = "发现编号")),
    request_body = FindingChangeRequest,
    responses(
        (status = 200, description = "已记录", body = FindingDto),
        (status = 403, description = "无权操作", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "填写有误或状态不允许", body = ErrorBody),
    )
)]
pub(crate) async fn api_change(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<FindingChangeRequest>,
) -> Result<Json<FindingDto>, AppError> {
    if !may_note_findings(&session.actor) {
        return Err(doudi_store::StoreError::Forbidden.into());
    }
    let input = FindingInput {
        action: body.action,
        assignee: body.assignee_id.map(|a| a.to_string()).unwrap_or_default(),
        note: body.note,
    };
    let f = state.app.change_finding(&session.actor, id, &input).await?;
    Ok(Json(finding_dto(&f)))
}
