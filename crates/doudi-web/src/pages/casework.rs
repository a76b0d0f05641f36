//! Casework pages: the logged-in user's work list, and a case with its steps (the public notice
//! is [`super::notices`]).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::HouseholdId;
use doudi_core::casework::{CaseType, next_task};
use doudi_store::casework::CaseId;

use doudi_app::casework::StepInput;

use crate::AppState;
use crate::api_casework::limits;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::pages::{Chrome, ok, page};

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
    /// How many reviews are due in all (more than `reviews` when the list is cut).
    reviews_total: i64,
    /// Review proposals waiting for the county's sign-off (the county approver's list).
    proposals: Vec<ProposalWorkRow>,
    /// Open department-data alerts in scope, and how many of them are red.
    alerts: (u64, u64),
    /// Coverage (4.3) for township and community workers: households without a cadre, and
    /// without a visit in 90 days.
    coverage: Option<(u64, u64)>,
}

struct ProposalWorkRow {
    id: i64,
    household: i64,
    household_number: String,
    result: &'static str,
    current: String,
    amount: String,
}

/// The logged-in user's work list for today.
pub(crate) async fn work(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    ok(&work_view(&state, &session).await?)
}

/// The badge of 今日待办 in the menu (fetched by htmx after the page loads, so no page waits
/// for it): how many applications wait for the user, the overdue ones counted apart; nothing
/// when none do.
pub(crate) async fn work_count(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let today = state.today();
    let limits = limits(&state, today);
    let w = state
        .app
        .store()
        .work_list(&session.actor, today, &limits)
        .await?;
    let proposals = if session.actor.may_pay() {
        state
            .app
            .store()
            .review_proposals(&session.actor, None)
            .await?
            .len()
    } else {
        0
    };
    let alerts = if session.actor.may_keep_benefits() {
        usize::try_from(super::feeds::open_counts(&state, &session).await?.0).unwrap_or(usize::MAX)
    } else {
        0
    };
    let waiting = w.cases.len() + proposals + alerts;
    let overdue = w
        .cases
        .iter()
        .filter(|(c, _)| c.case.is_overdue(&limits, today))
        .count();
    let html = match (waiting, overdue) {
        (0, _) => String::new(),
        (n, 0) => format!(r#"<span class="badge" id="work-count" title="待办{n}件">{n}</span>"#),
        (n, o) => format!(
            r#"<span class="badge badge-danger" id="work-count" title="待办{n}件，其中超期{o}件">{n}</span>"#
        ),
    };
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

/// The work list as an Excel file: one sheet, a row per item, its list named in the first
/// column.
pub(crate) async fn work_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let w = work_view(&state, &session).await?;
    let mut rows = Vec::new();
    for (list, items) in [
        ("待办", &w.to_do),
        ("已超期", &w.overdue),
        ("公示中", &w.under_notice),
    ] {
        for r in items {
            rows.push(super::export::text([
                list.to_owned(),
                format!("申请第{}号", r.id),
                r.household_number.clone(),
                r.case_type.to_owned(),
                r.state.to_owned(),
                r.next.to_owned(),
                r.deadline.clone(),
                r.notice.clone(),
            ]));
        }
    }
    for p in &w.proposals {
        rows.push(super::export::text([
            "复核待审批".to_owned(),
            format!("复核提议第{}号", p.id),
            p.household_number.clone(),
            p.result.to_owned(),
            format!("每月{}→{}", p.current, p.amount),
            "县民政局审批".to_owned(),
            String::new(),
            String::new(),
        ]));
    }
    for r in &w.reviews {
        rows.push(super::export::text([
            "待复核".to_owned(),
            format!("待遇第{}号", r.id),
            r.household.to_string(),
            r.program.to_owned(),
            format!("每月{}", r.amount),
            "复核".to_owned(),
            r.due.clone(),
            String::new(),
        ]));
    }
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "今日待办",
            filter: String::new(),
            headers: vec![
                "清单",
                "编号",
                "户编号",
                "事项",
                "状态",
                "下一步",
                "时限",
                "公示期",
            ],
            rows,
        },
    )
    .await
}

/// What the work page shows.
async fn work_view(state: &AppState, session: &Session) -> Result<WorkTemplate, AppError> {
    let today = state.today();
    let limits = limits(state, today);
    let w = state
        .app
        .store()
        .work_list(&session.actor, today, &limits)
        .await?;
    let proposals = if session.actor.may_pay() {
        state
            .app
            .store()
            .review_proposals(&session.actor, None)
            .await?
            .into_iter()
            .map(|p| ProposalWorkRow {
                id: p.id,
                household: p.household.0,
                household_number: p.household_number,
                result: p.result.label(),
                current: doudi_core::Money::from_fen(p.current_fen).to_string(),
                amount: doudi_core::Money::from_fen(p.monthly_fen).to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
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
    Ok(WorkTemplate {
        chrome: Chrome::new(session, "今日待办", "work").here(),
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
        reviews_total: w.reviews_due_total,
        proposals,
        alerts: super::feeds::open_counts(state, session).await?,
        coverage: super::visits::work_counts(state, &session.actor).await?,
    })
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
    household: i64,
    refusal: Option<String>,
    error: Option<String>,
    can_act: bool,
    can_decide: bool,
    /// What approving would decide, shown before the click: a summary and its explanation.
    approval: Option<(String, Vec<super::entitlement::Line>)>,
    /// Why the rules would not let it be approved.
    approval_refused: Option<String>,
    today: String,
    exclusions: Vec<(String, String)>,
    objections: Vec<(usize, String, String, String)>,
    steps: Vec<(String, &'static str, String, &'static str, String)>,
}

/// A case with its steps, objections and the members excluded from it, and the forms of the
/// steps that may follow.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    render(&state, &session, id, StatusCode::OK, None).await
}

async fn render(
    state: &AppState,
    session: &Session,
    id: i64,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, AppError> {
    let today = state.today();
    let limits = limits(state, today);
    let r = state.app.store().case(&session.actor, CaseId(id)).await?;
    let can_decide = session.actor.may_pay() && !r.case.state.is_final();
    let deciding = can_decide
        && matches!(
            r.case.state,
            doudi_core::casework::CaseState::UnderNotice
                | doudi_core::casework::CaseState::TownshipReviewed
        );
    let (mut approval, mut approval_refused) = (None, None);
    if deciding {
        match state.app.approval_preview(&session.actor, CaseId(id)).await {
            Ok(outcome) => {
                let month = doudi_core::Month::of(today);
                let summary = if r.case.case_type.monthly_category().is_some() {
                    format!(
                        "批准后自{month}起每月发放 {}（基本 {} + {} {}）",
                        doudi_core::Money::from_fen(outcome.total_fen),
                        doudi_core::Money::from_fen(outcome.base_fen),
                        if outcome.program == "tekun" {
                            "照料护理补贴"
                        } else {
                            "分类救助"
                        },
                        doudi_core::Money::from_fen(outcome.extras_fen)
                    )
                } else {
                    format!("批准后按{month}现行参数办理（本事项不按月发放）")
                };
                let lines = outcome
                    .explanation
                    .as_ref()
                    .map(super::entitlement::lines)
                    .unwrap_or_default();
                approval = Some((summary, lines));
            }
            Err(doudi_app::Error::Rules(message)) => approval_refused = Some(message),
            Err(e) => return Err(e.into()),
        }
    }
    let template = CaseTemplate {
        approval,
        approval_refused,
        chrome: Chrome::new(session, format!("申请 {id}"), "work")
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
        household: r.household.0,
        refusal: r.case.refusal.clone(),
        error,
        can_act: session.actor.may_act_on_cases() && !r.case.state.is_final(),
        can_decide,
        today: today.to_string(),
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
    page(status, &template)
}

/// The step a case form asks for, as text; [`StepInput::action`] reads it.
fn step_input(form: &FormInput) -> StepInput {
    let text = |name: &str| form.get(name).to_owned();
    StepInput {
        op: text("op"),
        complex: form.get("complex") == "on",
        missing: form.get("missing").lines().map(String::from).collect(),
        visited_on: text("visited_on"),
        visit_notes: text("visit_notes"),
        finances_reference: text("finances_reference"),
        held_on: text("held_on"),
        conclusion: text("conclusion"),
        recommend: form.get("recommend") == "yes",
        opinion: text("opinion"),
        from: text("from"),
        text: text("text"),
        number: text("number"),
        upheld: form.get("upheld") == "yes",
        resolution: text("resolution"),
        reason: text("reason"),
    }
}

/// What a refused form says, and with which status; other errors pass through.
fn form_error(e: AppError) -> Result<(StatusCode, String), AppError> {
    match e {
        AppError::Invalid { message, .. } => Ok((StatusCode::UNPROCESSABLE_ENTITY, message)),
        AppError::Conflict { expected, current } => Ok((
            StatusCode::CONFLICT,
            format!(
                "未办理：该申请已被他人办理（您打开页面时为第{expected}版，现为第{current}版），请查看最新记录后再办理"
            ),
        )),
        other => Err(other),
    }
}

/// Takes a step from the case page's forms; a refusal shows the page again with the reason.
pub(crate) async fn step(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let version: i64 = form.get("version").trim().parse().unwrap_or(0);
    let result = match step_input(&form).action() {
        Err(e) => Err(AppError::from(e)),
        Ok(action) => state
            .app
            .take_step(&session.actor, CaseId(id), version, &action)
            .await
            .map(|_| ())
            .map_err(AppError::from),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e) => {
            let (status, message) = form_error(e)?;
            render(&state, &session, id, status, Some(message)).await
        }
    }
}

/// The county's approval from the case page.
pub(crate) async fn approve(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let version: i64 = form.get("version").trim().parse().unwrap_or(0);
    let result = state.app.approve(&session.actor, CaseId(id), version).await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e) => {
            let (status, message) = form_error(e.into())?;
            render(&state, &session, id, status, Some(message)).await
        }
    }
}

/// Submits an application from the household page.
pub(crate) async fn submit(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let case_type =
        CaseType::parse(form.get("case_type")).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let case = state
        .app
        .submit_case(&session.actor, HouseholdId(id), case_type)
        .await?;
    Ok(Redirect::to(&format!("/cases/{}", case.id.0)).into_response())
}

/// One entitlement period on the household's page of entitlements.
struct PeriodRow {
    id: i64,
    program: &'static str,
    amount: String,
    from: String,
    until: String,
    open: bool,
}

/// What a review decided, as the page shows it.
struct ReviewShown {
    result: &'static str,
    code: &'static str,
    amount: String,
    reason: String,
    /// Filed for the county's sign-off: nothing changed yet.
    proposed: Option<i64>,
    stopped: Vec<String>,
}

impl ReviewShown {
    fn new(done: &doudi_app::casework::ReviewDone) -> ReviewShown {
        use doudi_app::casework::ReviewDone;
        let (preview, proposed, stopped) = match done {
            ReviewDone::Recorded { stopped, preview } => (preview, None, Some(stopped)),
            ReviewDone::Proposed { proposal, preview } => (preview, Some(*proposal), None),
        };
        let mut lines: Vec<String> = Vec::new();
        if let Some(stopped) = stopped {
            lines.extend(stopped.entitlements.iter().map(|e| {
                format!(
                    "{}（每月{}）自{}起停发",
                    e.program.label(),
                    doudi_core::Money::from_fen(e.monthly_fen),
                    e.until
                        .map_or_else(|| "—".to_owned(), |m| m.plus(1).to_string())
                )
            }));
            lines.extend(
                stopped
                    .cases
                    .iter()
                    .map(|(case, t)| format!("未办结的{}申请（编号{}）已撤回", t.label(), case.0)),
            );
            if stopped.payments_removed > 0 {
                lines.push(format!(
                    "已撤销尚未发放的{}笔发放记录",
                    stopped.payments_removed
                ));
            }
        }
        ReviewShown {
            result: preview.result.label(),
            code: preview.result.code(),
            amount: doudi_core::Money::from_fen(preview.new_fen).to_string(),
            reason: preview.reason.clone(),
            proposed,
            stopped: lines,
        }
    }
}

/// What a review would conclude, shown before it is confirmed.
struct ReviewPreviewShown {
    entitlement: i64,
    result: &'static str,
    code: &'static str,
    current: String,
    amount: String,
    from: String,
    reason: String,
    needs_sign_off: bool,
    lines: Vec<super::entitlement::Line>,
}

impl ReviewPreviewShown {
    fn new(p: &doudi_app::casework::ReviewPreview) -> ReviewPreviewShown {
        ReviewPreviewShown {
            entitlement: p.entitlement.id,
            result: p.result.label(),
            code: p.result.code(),
            current: doudi_core::Money::from_fen(p.entitlement.monthly_fen).to_string(),
            amount: doudi_core::Money::from_fen(p.new_fen).to_string(),
            from: p.from.to_string(),
            reason: p.reason.clone(),
            needs_sign_off: p.needs_sign_off,
            lines: p
                .outcome
                .explanation
                .as_ref()
                .map(super::entitlement::lines)
                .unwrap_or_default(),
        }
    }
}

/// A review proposal as the household's page of entitlements lists it.
struct ProposalRow {
    id: i64,
    entitlement: i64,
    result: &'static str,
    current: String,
    amount: String,
    reason: String,
    note: String,
    proposed: String,
    state: &'static str,
    pending: bool,
    decision_note: String,
}

/// What the page of entitlements shows besides the periods.
struct EntitlementsView {
    status: StatusCode,
    preview: Option<ReviewPreviewShown>,
    done: Option<ReviewShown>,
    notice: Option<String>,
    error: Option<String>,
}

impl EntitlementsView {
    /// The view after a use case: `shown` of what it gave, or its refusal said on the page
    /// (other errors pass through).
    fn after<T>(
        result: Result<T, doudi_app::Error>,
        shown: impl FnOnce(T) -> EntitlementsView,
    ) -> Result<EntitlementsView, AppError> {
        match result {
            Ok(value) => Ok(shown(value)),
            Err(e) => {
                let (status, message) = form_error(e.into())?;
                Ok(EntitlementsView {
                    status,
                    error: Some(message),
                    ..EntitlementsView::default()
                })
            }
        }
    }
}

impl Default for EntitlementsView {
    fn default() -> EntitlementsView {
        EntitlementsView {
            status: StatusCode::OK,
            preview: None,
            done: None,
            notice: None,
            error: None,
        }
    }
}

#[derive(Template)]
#[template(path = "entitlements.html")]
struct EntitlementsTemplate {
    chrome: Chrome,
    id: i64,
    periods: Vec<PeriodRow>,
    can_review: bool,
    can_sign_off: bool,
    view: EntitlementsView,
    proposals: Vec<ProposalRow>,
    /// For the county approver: what each pending proposal would conclude today, by proposal.
    current: Vec<(i64, ReviewPreviewShown)>,
}

async fn render_entitlements(
    state: &AppState,
    session: &Session,
    id: i64,
    view: EntitlementsView,
) -> Result<Response, AppError> {
    let periods = state
        .app
        .store()
        .entitlements(&session.actor, HouseholdId(id))
        .await?
        .into_iter()
        .map(|e| PeriodRow {
            id: e.id,
            program: e.program.label(),
            amount: doudi_core::Money::from_fen(e.monthly_fen).to_string(),
            from: e.from.to_string(),
            until: e.until.map_or_else(|| "—".to_owned(), |m| m.to_string()),
            open: e.until.is_none(),
        })
        .collect();
    let can_review = session.actor.may_act_on_cases();
    let can_sign_off = session.actor.may_pay();
    let mut proposals = Vec::new();
    let mut current = Vec::new();
    if session.actor.may_read_cases() {
        for p in state
            .app
            .store()
            .review_proposals(&session.actor, Some(HouseholdId(id)))
            .await?
        {
            let pending = p.state == doudi_store::casework::ProposalState::Pending;
            if pending && can_sign_off {
                // The county sees what the review concludes today beside what was proposed.
                if let Ok(preview) = state
                    .app
                    .review_preview(&session.actor, HouseholdId(id), p.entitlement)
                    .await
                {
                    current.push((p.id, ReviewPreviewShown::new(&preview)));
                }
            }
            proposals.push(ProposalRow {
                id: p.id,
                entitlement: p.entitlement,
                result: p.result.label(),
                current: doudi_core::Money::from_fen(p.current_fen).to_string(),
                amount: doudi_core::Money::from_fen(p.monthly_fen).to_string(),
                reason: p.reason,
                note: p.note,
                proposed: format!(
                    "{}（{}）",
                    p.proposed_by,
                    crate::view::china_time(p.proposed_at)
                ),
                state: p.state.label(),
                pending,
                decision_note: match (p.decided_by, p.decision_note) {
                    (Some(by), Some(note)) => format!("{by}：{note}"),
                    (Some(by), None) => by,
                    _ => String::new(),
                },
            });
        }
    }
    let template = EntitlementsTemplate {
        chrome: Chrome::new(session, "待遇期间与复核", "households")
            .crumb("家庭档案", "/households")
            .crumb("家庭档案", format!("/households/{id}"))
            .here(),
        id,
        periods,
        can_review,
        can_sign_off,
        proposals,
        current,
        view,
    };
    page(template.view.status, &template)
}

/// The household's entitlement periods (every period, oldest first), with a review for each
/// open one (应退尽退): `?review=` an open period shows what the review would conclude, with its
/// explanation, before it is confirmed. Review proposals waiting for the county are listed,
/// with the county approver's sign-off forms.
pub(crate) async fn entitlements(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let asked = pairs
        .iter()
        .find(|(k, _)| k == "review")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok());
    let mut view = EntitlementsView::default();
    if let Some(entitlement) = asked.filter(|_| session.actor.may_act_on_cases()) {
        let result = state
            .app
            .review_preview(&session.actor, HouseholdId(id), entitlement)
            .await;
        view = EntitlementsView::after(result, |preview| EntitlementsView {
            preview: Some(ReviewPreviewShown::new(&preview)),
            ..EntitlementsView::default()
        })?;
    }
    render_entitlements(&state, &session, id, view).await
}

/// Confirms a review from the preview: recorded at once (continue, a higher amount, or the
/// county's own review), or filed for the county's sign-off (an exit or a lower amount by the
/// township), with every benefit that stops listed.
pub(crate) async fn review(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, entitlement)): PathParams<(i64, i64)>,
    form: FormInput,
) -> Result<Response, AppError> {
    let result = state
        .app
        .review(
            &session.actor,
            HouseholdId(id),
            entitlement,
            form.get("note"),
        )
        .await;
    let view = EntitlementsView::after(result, |done| EntitlementsView {
        done: Some(ReviewShown::new(&done)),
        ..EntitlementsView::default()
    })?;
    render_entitlements(&state, &session, id, view).await
}

/// The county signs off a township's review proposal (evaluated again today).
pub(crate) async fn sign_off_review(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, proposal)): PathParams<(i64, i64)>,
) -> Result<Response, AppError> {
    let result = state
        .app
        .sign_off_review(&session.actor, HouseholdId(id), proposal)
        .await;
    let view = EntitlementsView::after(result, |done| EntitlementsView {
        done: Some(ReviewShown::new(&done)),
        ..EntitlementsView::default()
    })?;
    render_entitlements(&state, &session, id, view).await
}

/// The county does not sign off a township's review proposal, saying why.
pub(crate) async fn reject_review(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, proposal)): PathParams<(i64, i64)>,
    form: FormInput,
) -> Result<Response, AppError> {
    let result = state
        .app
        .reject_review(&session.actor, proposal, form.get("note"))
        .await;
    let view = EntitlementsView::after(result, |()| EntitlementsView {
        notice: Some(format!(
            "已不同意复核提议{proposal}：待遇不变，乡镇可据您的意见重新复核"
        )),
        ..EntitlementsView::default()
    })?;
    render_entitlements(&state, &session, id, view).await
}
