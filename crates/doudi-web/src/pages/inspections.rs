//! Inspections and accountability (5.4) in the browser and as JSON: the plans (`/inspections`,
//! recorded by the auditor and the county approver), a plan's page with its spot-check sample,
//! findings, rectification tasks and accountability; the rectification tasks a township answers
//! (`/rectifications`, overdue ones red and counted); and the reports from the public as cases
//! (`/reports`). Each list exports to Excel. The store checks every role and scope.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use doudi_app::inspections::{AccountabilityInput, FindingInput, PlanInput, TaskInput};
use doudi_core::DivisionCode;
use doudi_store::inspections::{
    FindingCategory, InspectionKind, Measure, Plan, PlanDetail, Report, ReportFilter, ReportState,
    Severity, Task, TaskState, may_inspect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Chrome, ok, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::view::Divisions;

fn query<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

fn vocab<T: Copy>(
    all: &[T],
    code: fn(&T) -> &'static str,
    label: fn(&T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(v), label(v))).collect()
}

/// The townships' names of a plan, or 全县.
fn scope_words(plan: &Plan, divisions: &Divisions) -> String {
    if plan.townships.is_empty() {
        "全县".into()
    } else {
        plan.townships
            .iter()
            .map(|t| divisions.name(t).to_owned())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Where a code is: a township's name, or a community's township and name.
fn place(divisions: &Divisions, code: &str) -> String {
    if code.len() == 9 {
        divisions
            .get(code)
            .map_or_else(|| code.to_owned(), |d| d.name.clone())
    } else {
        divisions.place(code)
    }
}

/// A message of a refused form, if the error is one; other errors pass.
fn refused(e: doudi_app::Error) -> Result<String, AppError> {
    match AppError::from(e) {
        AppError::Invalid { message, .. } => Ok(message),
        AppError::Duplicate(message) => Ok(message),
        other => Err(other),
    }
}

struct PlanRow {
    id: i64,
    kind: &'static str,
    title: String,
    scope: String,
    period: String,
    inspectors: String,
    findings: i64,
    seed: String,
}

fn plan_row(p: &Plan, divisions: &Divisions) -> PlanRow {
    PlanRow {
        id: p.id,
        kind: p.kind.label(),
        title: p.title.clone(),
        scope: scope_words(p, divisions),
        period: format!("{} 至 {}", p.starts_on, p.ends_on),
        inspectors: p.inspectors.clone(),
        findings: p.findings,
        seed: p.sample_seed.map(|s| s.to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct PlansPage {
    chrome: Chrome,
    plans: Vec<PlanRow>,
    kinds: Vec<(&'static str, &'static str)>,
    townships: Vec<(String, String)>,
    error: Option<String>,
}

async fn plans_page(
    state: &AppState,
    session: &Session,
    error: Option<String>,
) -> Result<Response, AppError> {
    let plans = state.app.store().plans(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PlansPage {
            chrome: Chrome::new(session, "督查检查", "inspections").here(),
            plans: plans.iter().map(|p| plan_row(p, &divisions)).collect(),
            kinds: vocab(InspectionKind::ALL, |k| k.code(), |k| k.label()),
            townships: divisions
                .townships_in(&doudi_core::Scope::County)
                .map(|d| (d.code.to_string(), d.name.clone()))
                .collect(),
            error,
        },
    )
}

/// The inspection plans, with the form to record one.
pub(crate) async fn index(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    plans_page(&state, &session, None).await
}

fn plan_input(form: &FormInput) -> PlanInput {
    PlanInput {
        kind: form.get("kind").to_owned(),
        title: form.get("title").to_owned(),
        townships: form.all("townships"),
        starts_on: form.get("starts_on").to_owned(),
        ends_on: form.get("ends_on").to_owned(),
        inspectors: form.get("inspectors").to_owned(),
    }
}

/// Records a plan.
pub(crate) async fn create(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .create_plan(&session.actor, &plan_input(&form))
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
        Err(e) => plans_page(&state, &session, Some(refused(e)?)).await,
    }
}

/// The plans as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let plans = state.app.store().plans(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "督查计划",
            filter: String::new(),
            headers: vec![
                "编号",
                "督查类型",
                "标题",
                "督查范围",
                "督查期间",
                "督查人员",
                "问题数",
                "抽样种子",
            ],
            rows: plans
                .iter()
                .map(|p| {
                    let r = plan_row(p, &divisions);
                    super::export::text([
                        r.id.to_string(),
                        r.kind.to_owned(),
                        r.title,
                        r.scope,
                        r.period,
                        r.inspectors,
                        r.findings.to_string(),
                        r.seed,
                    ])
                })
                .collect(),
        },
    )
    .await
}

struct FindingView {
    id: i64,
    household: Option<(i64, String)>,
    account: String,
    category: &'static str,
    severity: &'static str,
    text: String,
    recorded: String,
    tasks: Vec<TaskRow>,
    accountability: Vec<(String, &'static str, String, String)>,
}

struct TaskRow {
    id: i64,
    plan: i64,
    finding: i64,
    category: &'static str,
    finding_text: String,
    township: String,
    unit: String,
    deadline: String,
    state: &'static str,
    open: bool,
    submitted: bool,
    overdue: bool,
    note: String,
    reply: String,
}

fn task_row(t: &Task, divisions: &Divisions, today: NaiveDate) -> TaskRow {
    TaskRow {
        id: t.id,
        plan: t.plan,
        finding: t.finding,
        category: t.category.label(),
        finding_text: t.finding_text.clone(),
        township: place(divisions, &t.township),
        unit: t.unit.clone(),
        deadline: t.deadline.to_string(),
        state: t.state.label(),
        open: t.state == TaskState::Open,
        submitted: t.state == TaskState::Submitted,
        overdue: t.overdue(today),
        note: t.note.clone().unwrap_or_default(),
        reply: t.reply.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct PlanPage {
    chrome: Chrome,
    plan: PlanRow,
    spot_check: bool,
    sample: Vec<(i64, i64, String, String)>,
    findings: Vec<FindingView>,
    categories: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
    measures: Vec<(&'static str, &'static str)>,
    townships: Vec<(String, String)>,
    household: String,
    today: String,
    error: Option<String>,
}

async fn plan_page(
    state: &AppState,
    session: &Session,
    id: i64,
    household: String,
    error: Option<String>,
) -> Result<Response, AppError> {
    let PlanDetail {
        plan,
        sample,
        findings,
        tasks,
        accountability,
    } = state.app.store().plan(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let today = state.today();
    let findings = findings
        .into_iter()
        .map(|f| FindingView {
            id: f.id,
            household: f
                .household
                .map(|h| (h.0, f.household_number.clone().unwrap_or_default())),
            account: f
                .account
                .map(|(u, n)| format!("{n}（{u}）"))
                .unwrap_or_default(),
            category: f.category.label(),
            severity: f.severity.label(),
            text: f.text,
            recorded: format!(
                "{} {}",
                f.recorded_by,
                crate::view::china_time(f.recorded_at)
            ),
            tasks: tasks
                .iter()
                .filter(|t| t.finding == f.id)
                .map(|t| task_row(t, &divisions, today))
                .collect(),
            accountability: accountability
                .iter()
                .filter(|a| a.finding == f.id)
                .map(|a| {
                    (
                        match &a.account {
                            Some(u) => format!("{}（{u}）", a.person),
                            None => a.person.clone(),
                        },
                        a.measure.label(),
                        a.decided_on.to_string(),
                        a.note.clone(),
                    )
                })
                .collect(),
        })
        .collect();
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PlanPage {
            chrome: Chrome::new(session, format!("督查计划 第{id}号"), "inspections")
                .crumb("督查检查", "/inspections")
                .here(),
            spot_check: plan.kind == InspectionKind::SpotCheck && plan.sample_seed.is_none(),
            plan: plan_row(&plan, &divisions),
            sample: sample
                .into_iter()
                .map(|s| {
                    (
                        s.position,
                        s.household.0,
                        s.number,
                        divisions.place(&s.community),
                    )
                })
                .collect(),
            findings,
            categories: vocab(FindingCategory::ALL, |k| k.code(), |k| k.label()),
            severities: vocab(Severity::ALL, |k| k.code(), |k| k.label()),
            measures: vocab(Measure::ALL, |k| k.code(), |k| k.label()),
            townships: divisions
                .townships_in(&doudi_core::Scope::County)
                .map(|d| (d.code.to_string(), d.name.clone()))
                .collect(),
            household,
            today: today.to_string(),
            error,
        },
    )
}

/// A plan with its sample, findings, tasks and accountability, and the forms to add to them
/// (`?household=` fills the finding form from the sample).
pub(crate) async fn detail(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let household: String = query(&pairs, "household")
        .chars()
        .filter(char::is_ascii_digit)
        .take(18)
        .collect();
    plan_page(&state, &session, id, household, None).await
}

/// Draws the spot check's sample.
pub(crate) async fn sample(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .draw_sample(&session.actor, id, form.get("size"), form.get("seed"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}#sample")).into_response()),
        Err(e) => plan_page(&state, &session, id, String::new(), Some(refused(e)?)).await,
    }
}

fn finding_input(form: &FormInput) -> FindingInput {
    FindingInput {
        household: form.get("household").to_owned(),
        account: form.get("account").to_owned(),
        category: form.get("category").to_owned(),
        severity: form.get("severity").to_owned(),
        text: form.get("text").replace("\r\n", "\n"),
    }
}

/// Records a finding under the plan.
pub(crate) async fn finding(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .record_finding(&session.actor, id, &finding_input(&form))
        .await
    {
        Ok(f) => Ok(Redirect::to(&format!("/inspections/{id}#finding-{f}")).into_response()),
        Err(e) => plan_page(&state, &session, id, String::new(), Some(refused(e)?)).await,
    }
}

/// The plan a finding's form came from (for the way back), if it says.
fn plan_of(form: &FormInput) -> Option<i64> {
    form.get("plan").trim().parse().ok()
}

/// Assigns a rectification task for a finding.
pub(crate) async fn task(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(finding): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = TaskInput {
        township: form.get("township").to_owned(),
        unit: form.get("unit").to_owned(),
        deadline: form.get("deadline").to_owned(),
    };
    let result = state.app.assign_task(&session.actor, finding, &input).await;
    back_to_plan(&state, &session, &form, finding, result).await
}

async fn back_to_plan(
    state: &AppState,
    session: &Session,
    form: &FormInput,
    finding: i64,
    result: Result<i64, doudi_app::Error>,
) -> Result<Response, AppError> {
    match (result, plan_of(form)) {
        (Ok(_), Some(plan)) => {
            Ok(Redirect::to(&format!("/inspections/{plan}#finding-{finding}")).into_response())
        }
        (Ok(_), None) => Ok(Redirect::to("/inspections").into_response()),
        (Err(e), Some(plan)) => {
            let message = refused(e)?;
            plan_page(state, session, plan, String::new(), Some(message)).await
        }
        (Err(e), None) => Err(e.into()),
    }
}

/// Records an accountability measure for a finding.
pub(crate) async fn accountability(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(finding): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = AccountabilityInput {
        person: form.get("person").to_owned(),
        account: form.get("account").to_owned(),
        measure: form.get("measure").to_owned(),
        decided_on: form.get("decided_on").to_owned(),
        note: form.get("note").to_owned(),
    };
    let result = state
        .app
        .record_accountability(&session.actor, finding, &input)
        .await;
    back_to_plan(&state, &session, &form, finding, result).await
}

/// A plan's findings, with their tasks and accountability, as Excel.
pub(crate) async fn findings_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let d = state.app.store().plan(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let rows = d
        .findings
        .iter()
        .map(|f| {
            let tasks: Vec<String> = d
                .tasks
                .iter()
                .filter(|t| t.finding == f.id)
                .map(|t| {
                    format!(
                        "{} {} 限{}前 {}",
                        place(&divisions, &t.township),
                        t.unit,
                        t.deadline,
                        t.state.label()
                    )
                })
                .collect();
            let measures: Vec<String> = d
                .accountability
                .iter()
                .filter(|a| a.finding == f.id)
                .map(|a| format!("{} {} {}", a.person, a.measure.label(), a.decided_on))
                .collect();
            super::export::text([
                f.id.to_string(),
                f.household_number.clone().unwrap_or_default(),
                f.account.as_ref().map(|a| a.0.clone()).unwrap_or_default(),
                f.category.label().to_owned(),
                f.severity.label().to_owned(),
                f.text.clone(),
                tasks.join("；"),
                measures.join("；"),
            ])
        })
        .collect();
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "督查问题",
            filter: format!("（督查计划{id}）"),
            headers: vec![
                "问题编号",
                "户编号",
                "涉及账号",
                "问题类别",
                "严重程度",
                "问题描述",
                "整改任务",
                "问责",
            ],
            rows,
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "rectifications.html")]
struct TasksPage {
    chrome: Chrome,
    tasks: Vec<TaskRow>,
    overdue: usize,
    can_inspect: bool,
    error: Option<String>,
}

async fn tasks_page(
    state: &AppState,
    session: &Session,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tasks = state.app.store().tasks(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let today = state.today();
    let rows: Vec<TaskRow> = tasks
        .iter()
        .map(|t| task_row(t, &divisions, today))
        .collect();
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &TasksPage {
            chrome: Chrome::new(session, "整改任务", "rectifications").here(),
            overdue: rows.iter().filter(|r| r.overdue).count(),
            tasks: rows,
            can_inspect: may_inspect(&session.actor),
            error,
        },
    )
}

/// The rectification tasks the caller sees (a township: its own), overdue ones counted.
pub(crate) async fn rectifications(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    tasks_page(&state, &session, None).await
}

/// Takes a step on a task: the township reports it done, the inspector closes or sends back.
pub(crate) async fn task_step(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .task_step(&session.actor, id, form.get("action"), form.get("note"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/rectifications#task-{id}")).into_response()),
        Err(e) => tasks_page(&state, &session, Some(refused(e)?)).await,
    }
}

/// The rectification tasks as Excel.
pub(crate) async fn rectifications_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let tasks = state.app.store().tasks(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let today = state.today();
    super::export::xlsx(
        &state,
        &session.actor,
        today,
        super::export::Export {
            name: "整改任务",
            filter: String::new(),
            headers: vec![
                "任务编号",
                "督查计划",
                "问题类别",
                "问题描述",
                "责任乡镇",
                "责任单位",
                "整改期限",
                "状态",
                "是否逾期",
                "整改情况",
                "核验意见",
            ],
            rows: tasks
                .iter()
                .map(|t| {
                    let r = task_row(t, &divisions, today);
                    super::export::text([
                        r.id.to_string(),
                        r.plan.to_string(),
                        r.category.to_owned(),
                        r.finding_text,
                        r.township,
                        r.unit,
                        r.deadline,
                        r.state.to_owned(),
                        if r.overdue { "逾期" } else { "" }.to_owned(),
                        r.note,
                        r.reply,
                    ])
                })
                .collect(),
        },
    )
    .await
}

struct ReportRow {
    id: i64,
    receipt: String,
    place: String,
    household_ref: String,
    category: &'static str,
    state: &'static str,
    closed: bool,
    filed_on: String,
    text: String,
}

fn report_row(r: &Report, divisions: &Divisions) -> ReportRow {
    ReportRow {
        id: r.id,
        receipt: r.receipt.clone(),
        place: place(divisions, r.community.as_deref().unwrap_or(&r.township)),
        household_ref: r.household_ref.clone(),
        category: r.category.label(),
        state: r.state.label(),
        closed: r.state.is_closed(),
        filed_on: r.filed_on.to_string(),
        text: r.text.clone(),
    }
}

fn report_filter(pairs: &[(String, String)]) -> ReportFilter {
    ReportFilter {
        state: ReportState::parse(query(pairs, "state")).ok(),
        township: DivisionCode::parse(query(pairs, "township"))
            .ok()
            .filter(|c| !c.is_community()),
    }
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Chrome,
    reports: Vec<ReportRow>,
    states: Vec<(&'static str, &'static str)>,
    state: String,
    townships: Vec<(String, String)>,
    township: String,
    query: String,
}

/// The reports from the public the caller sees, filtered by state and township.
pub(crate) async fn reports(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let filter = report_filter(&pairs);
    let list = state.app.store().reports(&session.actor, &filter).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let query_string = format!(
        "state={}&township={}",
        filter.state.map(|s| s.code()).unwrap_or_default(),
        filter
            .township
            .as_ref()
            .map(|t| t.as_str())
            .unwrap_or_default()
    );
    ok(&ReportsPage {
        chrome: Chrome::new(&session, "群众举报", "reports").here(),
        reports: list.iter().map(|r| report_row(r, &divisions)).collect(),
        states: vocab(ReportState::ALL, |k| k.code(), |k| k.label()),
        state: filter
            .state
            .map(|s| s.code().to_owned())
            .unwrap_or_default(),
        townships: divisions
            .townships_in(&session.actor.scope)
            .map(|d| (d.code.to_string(), d.name.clone()))
            .collect(),
        township: filter.township.map(|t| t.to_string()).unwrap_or_default(),
        query: query_string,
    })
}

/// The reports (with the page's filter) as Excel.
pub(crate) async fn reports_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let filter = report_filter(&pairs);
    let list = state.app.store().reports(&session.actor, &filter).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "群众举报",
            filter: String::new(),
            headers: vec![
                "编号",
                "回执号",
                "乡镇（街道）社区",
                "被反映家庭",
                "问题类别",
                "反映日期",
                "状态",
                "具体情况",
                "办理结果",
            ],
            rows: list
                .iter()
                .map(|r| {
                    let row = report_row(r, &divisions);
                    super::export::text([
                        row.id.to_string(),
                        row.receipt,
                        row.place,
                        row.household_ref,
                        row.category.to_owned(),
                        row.filed_on,
                        row.state.to_owned(),
                        row.text,
                        r.reply.clone().unwrap_or_default(),
                    ])
                })
                .collect(),
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportDetailPage {
    chrome: Chrome,
    r: ReportRow,
    contact: String,
    reply: String,
    received: bool,
    notes: Vec<(&'static str, String, String, String)>,
    can_handle: bool,
    error: Option<String>,
}

async fn report_page(
    state: &AppState,
    session: &Session,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (r, notes) = state.app.store().report(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &ReportDetailPage {
            chrome: Chrome::new(session, format!("群众举报 第{id}号"), "reports")
                .crumb("群众举报", "/reports")
                .here(),
            contact: r.contact.clone(),
            reply: r.reply.clone().unwrap_or_default(),
            received: r.state == ReportState::Received,
            r: report_row(&r, &divisions),
            notes: notes
                .into_iter()
                .map(|n| (n.state.label(), n.note, n.by, crate::view::china_time(n.at)))
                .collect(),
            can_handle: may_inspect(&session.actor),
            error,
        },
    )
}

/// One report with its notes and the forms to handle it.
pub(crate) async fn report(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    report_page(&state, &session, id, None).await
}

/// Accepts, notes or closes a report.
pub(crate) async fn report_step(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .report_step(&session.actor, id, form.get("action"), form.get("note"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}")).into_response()),
        Err(e) => report_page(&state, &session, id, Some(refused(e)?)).await,
    }
}

// ---- JSON ----

/// An inspection plan.
#[derive(Serialize, ToSchema)]
pub struct PlanDto {
    /// 编号。
    pub id: i64,
    /// 督查类型：concentrated、spot_check、patrol、unannounced。
    pub kind: String,
    /// 标题。
    pub title: String,
    /// 督查范围（乡镇代码；空为全县）。
    pub townships: Vec<String>,
    /// 开始日期。
    pub starts_on: NaiveDate,
    /// 结束日期。
    pub ends_on: NaiveDate,
    /// 督查人员。
    pub inspectors: String,
    /// 抽样种子（已抽样时）。
    pub sample_seed: Option<i64>,
    /// 问题数。
    pub findings: i64,
}

impl From<&Plan> for PlanDto {
    fn from(p: &Plan) -> PlanDto {
        PlanDto {
            id: p.id,
            kind: p.kind.code().to_owned(),
            title: p.title.clone(),
            townships: p.townships.iter().map(|t| t.to_string()).collect(),
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            inspectors: p.inspectors.clone(),
            sample_seed: p.sample_seed,
            findings: p.findings,
        }
    }
}

/// A plan to record.
#[derive(Deserialize, ToSchema)]
pub struct PlanRequest {
    /// 督查类型代码。
    #[serde(default)]
    pub kind: String,
    /// 标题。
    #[serde(default)]
    pub title: String,
    /// 督查范围（乡镇代码；不填为全县）。
    #[serde(default)]
    pub townships: Vec<String>,
    /// 开始日期。
    #[serde(default)]
    pub starts_on: String,
    /// 结束日期。
    #[serde(default)]
    pub ends_on: String,
    /// 督查人员。
    #[serde(default)]
    pub inspectors: String,
}

/// A finding of a plan.
#[derive(Serialize, ToSchema)]
pub struct FindingDto {
    /// 编号。
    pub id: i64,
    /// 涉及家庭。
    pub household_id: Option<i64>,
    /// 涉及工作人员账号。
    pub account: Option<String>,
    /// 问题类别代码。
    pub category: String,
    /// 严重程度代码。
    pub severity: String,
    /// 问题描述。
    pub text: String,
}

/// A rectification task.
#[derive(Serialize, ToSchema)]
pub struct TaskDto {
    /// 编号。
    pub id: i64,
    /// 问题编号。
    pub finding_id: i64,
    /// 督查计划编号。
    pub plan_id: i64,
    /// 责任乡镇代码。
    pub township: String,
    /// 责任单位。
    pub unit: String,
    /// 整改期限。
    pub deadline: NaiveDate,
    /// 状态：open（整改中）、submitted（已整改）、closed（已销号）。
    pub state: String,
    /// 是否逾期。
    pub overdue: bool,
    /// 整改情况。
    pub note: Option<String>,
    /// 核验意见。
    pub reply: Option<String>,
}

fn task_dto(t: &Task, today: NaiveDate) -> TaskDto {
    TaskDto {
        id: t.id,
        finding_id: t.finding,
        plan_id: t.plan,
        township: t.township.clone(),
        unit: t.unit.clone(),
        deadline: t.deadline,
        state: t.state.code().to_owned(),
        overdue: t.overdue(today),
        note: t.note.clone(),
        reply: t.reply.clone(),
    }
}

/// A plan with its findings and tasks.
#[derive(Serialize, ToSchema)]
pub struct PlanDetailDto {
    /// 计划。
    pub plan: PlanDto,
    /// 样本户（家庭编号，按抽取顺序）。
    pub sample: Vec<i64>,
    /// 问题。
    pub findings: Vec<FindingDto>,
    /// 整改任务。
    pub tasks: Vec<TaskDto>,
}

/// A step on a task or a report.
#[derive(Deserialize, ToSchema)]
pub struct StepRequest {
    /// 整改任务：submit、verify、send_back；举报：accept、note、founded、unfounded。
    #[serde(default)]
    pub action: String,
    /// 说明（办结时为答复举报人的办理结果）。
    #[serde(default)]
    pub note: String,
}

/// A report from the public, as the inspectors see it.
#[derive(Serialize, ToSchema)]
pub struct ReportDto {
    /// 编号。
    pub id: i64,
    /// 回执号。
    pub receipt: String,
    /// 乡镇代码。
    pub township: String,
    /// 社区代码。
    pub community: Option<String>,
    /// 被反映的家庭（公开名单中的写法）。
    pub household_ref: String,
    /// 问题类别代码。
    pub category: String,
    /// 具体情况。
    pub text: String,
    /// 状态：received、investigating、founded、unfounded。
    pub state: String,
    /// 办理结果。
    pub reply: Option<String>,
    /// 反映日期。
    pub filed_on: NaiveDate,
}

impl From<&Report> for ReportDto {
    fn from(r: &Report) -> ReportDto {
        ReportDto {
            id: r.id,
            receipt: r.receipt.clone(),
            township: r.township.clone(),
            community: r.community.clone(),
            household_ref: r.household_ref.clone(),
            category: r.category.code().to_owned(),
            text: r.text.clone(),
            state: r.state.code().to_owned(),
            reply: r.reply.clone(),
            filed_on: r.filed_on,
        }
    }
}

/// The inspection plans.
#[utoipa::path(get, path = "/api/inspections", tag = "oversight",
    responses((status = 200, description = "督查计划", body = [PlanDto]), (status = 403, description = "无权查看", body = ErrorBody)))]
pub(crate) async fn api_plans(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<PlanDto>>, AppError> {
    let plans = state.app.store().plans(&session.actor).await?;
    Ok(Json(plans.iter().map(PlanDto::from).collect()))
}

/// Records an inspection plan.
#[utoipa::path(post, path = "/api/inspections", tag = "oversight", request_body = PlanRequest,
    responses((status = 200, description = "已记录", body = PlanDto), (status = 403, description = "无权记录", body = ErrorBody), (status = 422, description = "填写有误", body = ErrorBody)))]
pub(crate) async fn api_create(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<PlanRequest>,
) -> Result<Json<PlanDto>, AppError> {
    let id = state
        .app
        .create_plan(
            &session.actor,
            &PlanInput {
                kind: body.kind,
                title: body.title,
                townships: body.townships,
                starts_on: body.starts_on,
                ends_on: body.ends_on,
                inspectors: body.inspectors,
            },
        )
        .await?;
    let d = state.app.store().plan(&session.actor, id).await?;
    Ok(Json(PlanDto::from(&d.plan)))
}

/// One plan with its sample, findings and tasks.
#[utoipa::path(get, path = "/api/inspections/{id}", tag = "oversight",
    params(("id" = i64, Path, description = "督查计划编号")),
    responses((status = 200, description = "督查计划", body = PlanDetailDto), (status = 403, description = "无权查看", body = ErrorBody), (status = 404, description = "不存在", body = ErrorBody)))]
pub(crate) async fn api_plan(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<PlanDetailDto>, AppError> {
    let d = state.app.store().plan(&session.actor, id).await?;
    let today = state.today();
    Ok(Json(PlanDetailDto {
        plan: PlanDto::from(&d.plan),
        sample: d.sample.iter().map(|s| s.household.0).collect(),
        findings: d
            .findings
            .iter()
            .map(|f| FindingDto {
                id: f.id,
                household_id: f.household.map(|h| h.0),
                account: f.account.as_ref().map(|a| a.0.clone()),
                category: f.category.code().to_owned(),
                severity: f.severity.code().to_owned(),
                text: f.text.clone(),
            })
            .collect(),
        tasks: d.tasks.iter().map(|t| task_dto(t, today)).collect(),
    }))
}

/// The rectification tasks the caller sees.
#[utoipa::path(get, path = "/api/rectifications", tag = "oversight",
    responses((status = 200, description = "整改任务", body = [TaskDto]), (status = 403, description = "无权查看", body = ErrorBody)))]
pub(crate) async fn api_tasks(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<TaskDto>>, AppError> {
    let tasks = state.app.store().tasks(&session.actor).await?;
    let today = state.today();
    Ok(Json(tasks.iter().map(|t| task_dto(t, today)).collect()))
}

/// Takes a step on a rectification task.
#[utoipa::path(post, path = "/api/rectifications/{id}", tag = "oversight", request_body = StepRequest,
    params(("id" = i64, Path, description = "整改任务编号")),
    responses((status = 200, description = "已办理", body = TaskDto), (status = 403, description = "无权办理", body = ErrorBody), (status = 404, description = "不存在或不在工作范围内", body = ErrorBody), (status = 422, description = "填写有误或不能办理这一步", body = ErrorBody)))]
pub(crate) async fn api_task_step(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<StepRequest>,
) -> Result<Json<TaskDto>, AppError> {
    let t = state
        .app
        .task_step(&session.actor, id, &body.action, &body.note)
        .await?;
    Ok(Json(task_dto(&t, state.today())))
}

/// The reports from the public the caller sees.
#[utoipa::path(get, path = "/api/reports", tag = "oversight",
    responses((status = 200, description = "群众举报", body = [ReportDto]), (status = 403, description = "无权查看", body = ErrorBody)))]
pub(crate) async fn api_reports(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<ReportDto>>, AppError> {
    let list = state
        .app
        .store()
        .reports(&session.actor, &report_filter(&pairs))
        .await?;
    Ok(Json(list.iter().map(ReportDto::from).collect()))
}

/// One report from the public.
#[utoipa::path(get, path = "/api/reports/{id}", tag = "oversight",
    params(("id" = i64, Path, description = "举报编号")),
    responses((status = 200, description = "群众举报", body = ReportDto), (status = 403, description = "无权查看", body = ErrorBody), (status = 404, description = "不存在或不在工作范围内", body = ErrorBody)))]
pub(crate) async fn api_report(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<ReportDto>, AppError> {
    let (r, _) = state.app.store().report(&session.actor, id).await?;
    Ok(Json(ReportDto::from(&r)))
}

/// Accepts, notes or closes a report from the public.
#[utoipa::path(post, path = "/api/reports/{id}", tag = "oversight", request_body = StepRequest,
    params(("id" = i64, Path, description = "举报编号")),
    responses((status = 200, description = "已办理", body = ReportDto), (status = 403, description = "无权办理", body = ErrorBody), (status = 404, description = "不存在", body = ErrorBody), (status = 422, description = "填写有误或不能办理这一步", body = ErrorBody)))]
pub(crate) async fn api_report_step(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<StepRequest>,
) -> Result<Json<ReportDto>, AppError> {
    let r = state
        .app
        .report_step(&session.actor, id, &body.action, &body.note)
        .await?;
    Ok(Json(ReportDto::from(&r)))
}
