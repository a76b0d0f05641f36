//! Housing assistance (2.6) in the browser and as JSON: the households owed priority, the
//! applications for public rental housing or a rent subsidy (ordered by the priority rule, with
//! filters, as Excel), an application's page with its decision forms, and the rent subsidies
//! owed month by month for finance.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::housing::{
    ApplicationInput, DecisionInput, PriorityHousehold, SubsidyMonths, area_words,
};
use doudi_core::housing::{HousingKind, HousingState, PRIORITY_RULE};
use doudi_core::{DivisionCode, Month};
use doudi_store::housing::{
    HousingApplication, HousingFilter, may_decide_housing, may_file_housing,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Chrome, ok, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::view::Divisions;

struct Choice {
    code: String,
    label: String,
    selected: bool,
}

struct PriorityRow {
    household: i64,
    number: String,
    place: String,
    head: String,
    category: &'static str,
    housing: &'static str,
    reason: String,
    application: Option<(i64, String)>,
}

struct ApplicationRow {
    id: i64,
    household: i64,
    number: String,
    place: String,
    kind: &'static str,
    state: &'static str,
    category: &'static str,
    housing: &'static str,
    filed_on: String,
    outcome: String,
}

#[derive(Template)]
#[template(path = "housing.html")]
struct HousingPage {
    chrome: Chrome,
    rule: &'static str,
    priority: Vec<PriorityRow>,
    /// Households owed priority per township: name and count.
    per_township: Vec<(String, usize)>,
    rows: Vec<ApplicationRow>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    townships: Vec<Choice>,
    query: String,
    can_file: bool,
    fileable: Vec<(i64, String)>,
}

/// The filter of the applications list from the query string.
fn filter_of(query: &[(String, String)]) -> HousingFilter {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    };
    HousingFilter {
        state: get("state").and_then(|s| HousingState::parse(s).ok()),
        kind: get("kind").and_then(|s| HousingKind::parse(s).ok()),
        division: get("township")
            .filter(|t| t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 12)
            .map(str::to_owned),
        household: None,
    }
}

/// The township or community of the filter, as a code.
fn division_of(filter: &HousingFilter) -> Option<DivisionCode> {
    filter
        .division
        .as_deref()
        .and_then(|d| DivisionCode::parse(d).ok())
}

/// What an application came to, in words.
fn outcome(a: &HousingApplication) -> String {
    match a.state {
        HousingState::Allocated => format!(
            "{}，{}，月租金{}，自{}起",
            a.unit.clone().unwrap_or_default(),
            a.area_centi_m2.map(area_words).unwrap_or_default(),
            a.rent.unwrap_or_default(),
            a.allocated_on.map(|d| d.to_string()).unwrap_or_default()
        ),
        HousingState::Subsidised => format!(
            "每月{}，{}至{}",
            a.subsidy.unwrap_or_default(),
            a.from_month.map(|m| m.to_string()).unwrap_or_default(),
            a.to_month.map(|m| m.to_string()).unwrap_or_default()
        ),
        HousingState::Refused | HousingState::Withdrawn => a.reason.clone().unwrap_or_default(),
        HousingState::Filed => String::new(),
    }
}

fn application_row(a: &HousingApplication, divisions: &Divisions) -> ApplicationRow {
    ApplicationRow {
        id: a.id,
        household: a.household.0,
        number: a.household_number.clone(),
        place: divisions.place(&a.community),
        kind: a.kind.label(),
        state: a.state.label(),
        category: a.category.label(),
        housing: a.housing.label(),
        filed_on: a.filed_on.to_string(),
        outcome: outcome(a),
    }
}

fn priority_row(p: &PriorityHousehold, divisions: &Divisions) -> PriorityRow {
    PriorityRow {
        household: p.household.0,
        number: p.number.clone(),
        place: divisions.place(&p.community),
        head: p.head.clone(),
        category: p.category.label(),
        housing: p.housing.label(),
        reason: p.reason.clone(),
        application: p
            .application
            .map(|(id, kind, state)| (id, format!("{}：{}", kind.label(), state.label()))),
    }
}

/// The housing page: the rule, the households owed priority, the applications.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let filter = filter_of(&query);
    let priority = state
        .app
        .housing_priority(actor, division_of(&filter).as_ref())
        .await?;
    let list = state.app.housing_applications(actor, &filter).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let choices = |all: &[(&'static str, &'static str)], chosen: Option<&'static str>| {
        all.iter()
            .map(|(code, label)| Choice {
                code: (*code).to_owned(),
                label: (*label).to_owned(),
                selected: chosen == Some(*code),
            })
            .collect::<Vec<_>>()
    };
    let states: Vec<(&str, &str)> = HousingState::ALL
        .iter()
        .map(|s| (s.code(), s.label()))
        .collect();
    let kinds: Vec<(&str, &str)> = HousingKind::ALL
        .iter()
        .map(|s| (s.code(), s.label()))
        .collect();
    let townships = divisions
        .townships_in(&actor.scope)
        .map(|d| Choice {
            code: d.code.to_string(),
            label: d.name.clone(),
            selected: filter.division.as_deref() == Some(d.code.as_str()),
        })
        .collect();
    let mut per_township: Vec<(String, usize)> = Vec::new();
    for p in &priority {
        let name = divisions
            .get(&p.township)
            .map_or_else(|| p.township.clone(), |d| d.name.clone());
        match per_township.iter_mut().find(|(t, _)| *t == name) {
            Some((_, n)) => *n += 1,
            None => per_township.push((name, 1)),
        }
    }
    per_township.sort();
    let fileable = priority
        .iter()
        .filter(|p| !p.application.is_some_and(|(_, _, s)| s.is_open()))
        .map(|p| {
            (
                p.household.0,
                format!("{}（{}，{}）", p.number, p.head, p.housing.label()),
            )
        })
        .collect();
    let query_string = query
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "state" | "kind" | "township"))
        .map(|(k, v)| format!("{k}={}", crate::view::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    ok(&HousingPage {
        chrome: Chrome::new(&session, "住房保障", "housing").here(),
        rule: PRIORITY_RULE,
        per_township,
        priority: priority
            .iter()
            .map(|p| priority_row(p, &divisions))
            .collect(),
        rows: list
            .iter()
            .map(|a| application_row(a, &divisions))
            .collect(),
        states: choices(&states, filter.state.map(|s| s.code())),
        kinds: choices(&kinds, filter.kind.map(|k| k.code())),
        townships,
        query: query_string,
        can_file: may_file_housing(actor),
        fileable,
    })
}

/// The applications (with the page's filter) as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let filter = filter_of(&query);
    let list = state
        .app
        .housing_applications(&session.actor, &filter)
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "住房保障申请",
            filter: String::new(),
            headers: vec![
                "申请编号",
                "户编号",
                "乡镇（街道）社区",
                "救助类别",
                "住房情况",
                "保障方式",
                "申请日期",
                "状态",
                "结果",
            ],
            rows: list
                .iter()
                .map(|a| {
                    let r = application_row(a, &divisions);
                    super::export::text([
                        r.id.to_string(),
                        r.number,
                        r.place,
                        r.category.to_owned(),
                        r.housing.to_owned(),
                        r.kind.to_owned(),
                        r.filed_on,
                        r.state.to_owned(),
                        r.outcome,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// The households owed priority as Excel.
pub(crate) async fn priority_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let filter = filter_of(&query);
    let list = state
        .app
        .housing_priority(&session.actor, division_of(&filter).as_ref())
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "住房保障优先对象",
            filter: String::new(),
            headers: vec![
                "户编号",
                "乡镇（街道）社区",
                "户主",
                "救助类别",
                "住房情况",
                "优先理由",
                "申请情况",
            ],
            rows: list
                .iter()
                .map(|p| {
                    let r = priority_row(p, &divisions);
                    super::export::text([
                        r.number,
                        r.place,
                        r.head,
                        r.category.to_owned(),
                        r.housing.to_owned(),
                        r.reason,
                        r.application
                            .map(|(_, s)| s)
                            .unwrap_or_else(|| "未申请".into()),
                    ])
                })
                .collect(),
        },
    )
    .await
}

fn application_input(form: &FormInput) -> ApplicationInput {
    ApplicationInput {
        household: form.get("household").to_owned(),
        kind: form.get("kind").to_owned(),
        note: form.get("note").to_owned(),
    }
}

fn decision_input(form: &FormInput) -> DecisionInput {
    DecisionInput {
        decision: form.get("decision").to_owned(),
        unit: form.get("unit").to_owned(),
        area_m2: form.get("area_m2").to_owned(),
        rent_yuan: form.get("rent_yuan").to_owned(),
        from_day: form.get("from_day").to_owned(),
        monthly_yuan: form.get("monthly_yuan").to_owned(),
        from_month: form.get("from_month").to_owned(),
        to_month: form.get("to_month").to_owned(),
        reason: form.get("reason").to_owned(),
    }
}

/// Files an application from the housing page.
pub(crate) async fn file(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let a = state
        .app
        .file_housing(&session.actor, &application_input(&form))
        .await?;
    Ok(Redirect::to(&format!("/housing/applications/{}", a.id)).into_response())
}

#[derive(Template)]
#[template(path = "housing_application.html")]
struct ApplicationPage {
    chrome: Chrome,
    a: ApplicationRow,
    note: String,
    filed_by: String,
    decided_by: String,
    open: bool,
    public_rental: bool,
    can_decide: bool,
    can_withdraw: bool,
    /// Why the decision just sent was refused, in Chinese, naming the fields.
    error: Option<String>,
    /// What was typed, to fill the forms again after a refusal.
    typed: DecisionInput,
}

/// Renders an application's page, after a refused decision with its error and what was typed.
async fn render_detail(
    state: &AppState,
    session: &crate::auth::Session,
    id: i64,
    refused: Option<(String, DecisionInput)>,
) -> Result<Response, AppError> {
    let a = state.app.housing_application(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let actor = &session.actor;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (error, typed) = match refused {
        Some((message, typed)) => (Some(message), typed),
        None => (None, DecisionInput::default()),
    };
    page(
        status,
        &ApplicationPage {
            chrome: Chrome::new(session, format!("住房保障申请 {}", a.id), "housing")
                .crumb("住房保障", "/housing")
                .here(),
            a: application_row(&a, &divisions),
            note: a.note.clone(),
            filed_by: a.filed_by.clone(),
            decided_by: a.decided_by.clone().unwrap_or_default(),
            open: a.state.is_open(),
            public_rental: a.kind == HousingKind::PublicRental,
            can_decide: may_decide_housing(actor),
            can_withdraw: may_file_housing(actor),
            error,
            typed,
        },
    )
}

/// An application with its decision forms.
pub(crate) async fn detail(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    render_detail(&state, &session, id, None).await
}

/// Decides an application from its page; a refused decision shows the page again with the
/// fields at fault named and what was typed kept.
pub(crate) async fn decide(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = decision_input(&form);
    match state.app.decide_housing(&session.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/housing/applications/{id}")).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Invalid { message, .. } => {
                render_detail(&state, &session, id, Some((message, input))).await
            }
            other => Err(other),
        },
    }
}

/// The month of the query string (`month=2026-12`), if any; a month that does not parse is a
/// field error.
fn month_of(query: &[(String, String)]) -> Result<Option<Month>, AppError> {
    match query
        .iter()
        .find(|(k, v)| k == "month" && !v.trim().is_empty())
    {
        None => Ok(None),
        Some((_, v)) => Month::parse(v).map(Some).map_err(|_| {
            AppError::from(doudi_app::Error::invalid(
                "month",
                format!(
                    "月份：“{}”不是月份，应写作2026-12",
                    v.trim().chars().take(20).collect::<String>()
                ),
            ))
        }),
    }
}

struct SubsidyRow {
    month: String,
    application: i64,
    household: i64,
    number: String,
    place: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "housing_subsidies.html")]
struct SubsidiesPage {
    chrome: Chrome,
    /// The month shown, or empty for every month.
    month: String,
    totals: Vec<(String, u32, String)>,
    rows: Vec<SubsidyRow>,
}

fn subsidy_rows(s: &SubsidyMonths, divisions: &Divisions) -> Vec<SubsidyRow> {
    s.lines
        .iter()
        .map(|l| SubsidyRow {
            month: l.month.to_string(),
            application: l.application,
            household: l.household.0,
            number: l.number.clone(),
            place: divisions.place(&l.community),
            amount: l.amount.to_string(),
        })
        .collect()
}

/// The rent subsidies owed, month by month, with totals.
pub(crate) async fn subsidies(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let month = month_of(&query)?;
    let s = state.app.rent_subsidies(&session.actor, month).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    ok(&SubsidiesPage {
        chrome: Chrome::new(&session, "租赁补贴发放明细", "housing")
            .crumb("住房保障", "/housing")
            .here(),
        month: month.map(|m| m.to_string()).unwrap_or_default(),
        totals: s
            .totals
            .iter()
            .map(|(m, n, t)| (m.to_string(), *n, t.to_string()))
            .collect(),
        rows: subsidy_rows(&s, &divisions),
    })
}

/// The rent subsidies owed as Excel, for finance: a line per household and month, then the
/// totals per month.
pub(crate) async fn subsidies_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    use doudi_exchange::write::OutCell;
    let month = month_of(&query)?;
    let s = state.app.rent_subsidies(&session.actor, month).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let mut rows: Vec<Vec<OutCell>> = s
        .lines
        .iter()
        .map(|l| {
            vec![
                OutCell::Text(l.month.to_string()),
                OutCell::Text(l.application.to_string()),
                OutCell::Text(l.number.clone()),
                OutCell::Text(divisions.place(&l.community)),
                OutCell::Money(l.amount),
            ]
        })
        .collect();
    for (m, n, total) in &s.totals {
        rows.push(vec![
            OutCell::Text(m.to_string()),
            OutCell::Text("合计".into()),
            OutCell::Text(format!("{n}户")),
            OutCell::Text(String::new()),
            OutCell::Money(*total),
        ]);
    }
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "租赁补贴发放明细",
            filter: String::new(),
            headers: vec![
                "月份",
                "申请编号",
                "户编号",
                "乡镇（街道）社区",
                "补贴金额（元）",
            ],
            rows,
        },
    )
    .await
}

// ---- the JSON API ----

/// A household owed priority for housing assistance (2.6).
#[derive(Serialize, ToSchema)]
pub struct HousingPriorityDto {
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 社区代码。
    pub community: String,
    /// 户主姓名（已遮蔽）。
    pub head: String,
    /// 救助类别代码（dibao、tekun）。
    pub category: String,
    /// 住房情况代码。
    pub housing: String,
    /// 优先理由（引用 2.6）。
    pub reason: String,
    /// 最近一次申请的编号，如有。
    pub application_id: Option<i64>,
    /// 最近一次申请的状态代码，如有。
    pub application_state: Option<String>,
}

/// A housing application.
#[derive(Serialize, ToSchema)]
pub struct HousingApplicationDto {
    /// 申请编号。
    pub id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 社区代码。
    pub community: String,
    /// 保障方式代码（public_rental 公租房实物配租、rent_subsidy 租赁补贴）。
    pub kind: String,
    /// 状态代码（filed、allocated、subsidised、refused、withdrawn）。
    pub state: String,
    /// 申请时的救助类别代码。
    pub category: String,
    /// 申请时的住房情况代码。
    pub housing: String,
    /// 申请日期。
    pub filed_on: String,
    /// 住房困难情况。
    pub note: String,
    /// 配租房源。
    pub unit: Option<String>,
    /// 面积（0.01平方米）。
    pub area_centi_m2: Option<i64>,
    /// 月租金（分）。
    pub rent_fen: Option<i64>,
    /// 起租日期。
    pub allocated_on: Option<String>,
    /// 每月租赁补贴（分）。
    pub subsidy_fen: Option<i64>,
    /// 补贴起始月。
    pub from_month: Option<String>,
    /// 补贴截止月。
    pub to_month: Option<String>,
    /// 不予保障或撤回的理由。
    pub reason: Option<String>,
}

impl From<&HousingApplication> for HousingApplicationDto {
    fn from(a: &HousingApplication) -> Self {
        HousingApplicationDto {
            id: a.id,
            household_id: a.household.0,
            household_number: a.household_number.clone(),
            community: a.community.clone(),
            kind: a.kind.code().to_owned(),
            state: a.state.code().to_owned(),
            category: a.category.code().to_owned(),
            housing: a.housing.code().to_owned(),
            filed_on: a.filed_on.to_string(),
            note: a.note.clone(),
            unit: a.unit.clone(),
            area_centi_m2: a.area_centi_m2,
            rent_fen: a.rent.map(|m| m.fen()),
            allocated_on: a.allocated_on.map(|d| d.to_string()),
            subsidy_fen: a.subsidy.map(|m| m.fen()),
            from_month: a.from_month.map(|m| m.to_string()),
            to_month: a.to_month.map(|m| m.to_string()),
            reason: a.reason.clone(),
        }
    }
}

/// An application to file.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct HousingApplicationRequest {
    /// 家庭ID。
    pub household_id: i64,
    /// 保障方式：public_rental（公租房实物配租）或 rent_subsidy（租赁补贴）。
    pub kind: String,
    /// 住房困难情况（可选，最多200字）。
    pub note: String,
}

/// A decision on a filed application. Amounts in fen and the area in hundredths of a square
/// metre, as everywhere in the API.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct HousingDecisionRequest {
    /// allocate（配租）、subsidise（发放租赁补贴）、refuse（不予保障）或 withdraw（撤回）。
    pub decision: String,
    /// 配租房源（allocate）。
    pub unit: String,
    /// 面积，0.01平方米（allocate），如 4550 即 45.50平方米。
    pub area_centi_m2: i64,
    /// 月租金，分（allocate）。
    pub rent_fen: i64,
    /// 起租日期（allocate）。
    pub from_day: String,
    /// 每月补贴，分（subsidise）。
    pub monthly_fen: i64,
    /// 补贴起始月，如 2026-01（subsidise）。
    pub from_month: String,
    /// 补贴截止月（subsidise）。
    pub to_month: String,
    /// 理由（refuse、withdraw）。
    pub reason: String,
}

impl HousingDecisionRequest {
    /// The decision as the use case reads it (text, as a form sends it).
    fn input(self) -> DecisionInput {
        let centi = self.area_centi_m2;
        DecisionInput {
            decision: self.decision,
            unit: self.unit,
            area_m2: if centi > 0 {
                format!("{}.{:02}", centi / 100, centi % 100)
            } else {
                centi.to_string()
            },
            rent_yuan: doudi_core::Money::from_fen(self.rent_fen).to_yuan_string(),
            from_day: self.from_day,
            monthly_yuan: doudi_core::Money::from_fen(self.monthly_fen).to_yuan_string(),
            from_month: self.from_month,
            to_month: self.to_month,
            reason: self.reason,
        }
    }
}

/// Field errors named as the API's members are.
fn api_fields(e: AppError) -> AppError {
    match e {
        AppError::Invalid { message, fields } => {
            let mut renamed = crate::error::FieldErrors::new();
            for (field, problem) in fields.iter() {
                let field = match field {
                    "area_m2" => "area_centi_m2",
                    "rent_yuan" => "rent_fen",
                    "monthly_yuan" => "monthly_fen",
                    other => other,
                };
                renamed.add(field, problem);
            }
            AppError::Invalid {
                message,
                fields: renamed,
            }
        }
        other => other,
    }
}

/// Filter of the households owed priority.
// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PriorityQuery {
    /// 乡镇（街道）或社区代码。
    pub township: Option<String>,
}

/// The month of the rent subsidies list.
// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubsidyQuery {
    /// 只列这个月份，如 2026-12；不填则列全部月份。
    pub month: Option<String>,
}

/// Filters of the applications list.
// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HousingQuery {
    /// 状态代码。
    pub state: Option<String>,
    /// 保障方式代码。
    pub kind: Option<String>,
    /// 乡镇（街道）或社区代码。
    pub township: Option<String>,
}

/// One month of rent subsidies owed.
#[derive(Serialize, ToSchema)]
pub struct SubsidyMonthDto {
    /// 月份。
    pub month: String,
    /// 户数。
    pub households: u32,
    /// 合计（分）。
    pub total_fen: i64,
    /// 各户明细：申请编号、家庭ID、户编号、金额（分）。
    pub lines: Vec<SubsidyLineDto>,
}

/// One household's rent subsidy in a month.
#[derive(Serialize, ToSchema)]
pub struct SubsidyLineDto {
    /// 申请编号。
    pub application_id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 金额（分）。
    pub amount_fen: i64,
}

/// The households owed priority (2.6), most pressing first.
#[utoipa::path(
    get,
    path = "/api/housing/priority",
    tag = "housing",
    params(PriorityQuery),
    responses(
        (status = 200, description = "住房保障优先对象", body = [HousingPriorityDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_priority(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<HousingPriorityDto>>, AppError> {
    let filter = filter_of(&query);
    let list = state
        .app
        .housing_priority(&session.actor, division_of(&filter).as_ref())
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|p| HousingPriorityDto {
                household_id: p.household.0,
                household_number: p.number,
                community: p.community,
                head: p.head,
                category: p.category.code().to_owned(),
                housing: p.housing.code().to_owned(),
                reason: p.reason,
                application_id: p.application.map(|(id, _, _)| id),
                application_state: p.application.map(|(_, _, s)| s.code().to_owned()),
            })
            .collect(),
    ))
}

/// The applications of the caller's scope: open ones in the order of the priority rule (2.6),
/// then decided ones, newest first.
#[utoipa::path(
    get,
    path = "/api/housing/applications",
    tag = "housing",
    params(HousingQuery),
    responses(
        (status = 200, description = "住房保障申请", body = [HousingApplicationDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<HousingApplicationDto>>, AppError> {
    let list = state
        .app
        .housing_applications(&session.actor, &filter_of(&query))
        .await?;
    Ok(Json(list.iter().map(HousingApplicationDto::from).collect()))
}

/// Files an application for a household whose housing is not secure (2.6).
#[utoipa::path(
    post,
    path = "/api/housing/applications",
    tag = "housing",
    request_body = HousingApplicationRequest,
    responses(
        (status = 200, description = "已受理", body = HousingApplicationDto),
        (status = 403, description = "无权申请", body = ErrorBody),
        (status = 404, description = "家庭不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "已有待审核的申请", body = ErrorBody),
        (status = 422, description = "填写有误或住房有保障", body = ErrorBody),
    )
)]
pub(crate) async fn api_file(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<HousingApplicationRequest>,
) -> Result<Json<HousingApplicationDto>, AppError> {
    let a = state
        .app
        .file_housing(
            &session.actor,
            &ApplicationInput {
                household: body.household_id.to_string(),
                kind: body.kind,
                note: body.note,
            },
        )
        .await?;
    Ok(Json(HousingApplicationDto::from(&a)))
}

/// One application.
#[utoipa::path(
    get,
    path = "/api/housing/applications/{id}",
    tag = "housing",
    params(("id" = i64, Path, description = "申请编号")),
    responses(
        (status = 200, description = "住房保障申请", body = HousingApplicationDto),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn api_get(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<HousingApplicationDto>, AppError> {
    let a = state.app.housing_application(&session.actor, id).await?;
    Ok(Json(HousingApplicationDto::from(&a)))
}

/// Decides a filed application: a flat allotted, a subsidy granted, refused or withdrawn.
#[utoipa::path(
    post,
    path = "/api/housing/applications/{id}/decision",
    tag = "housing",
    params(("id" = i64, Path, description = "申请编号")),
    request_body = HousingDecisionRequest,
    responses(
        (status = 200, description = "已决定", body = HousingApplicationDto),
        (status = 403, description = "无权决定", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "填写有误或已决定", body = ErrorBody),
    )
)]
pub(crate) async fn api_decide(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<HousingDecisionRequest>,
) -> Result<Json<HousingApplicationDto>, AppError> {
    let a = state
        .app
        .decide_housing(&session.actor, id, &body.input())
        .await
        .map_err(|e| api_fields(e.into()))?;
    Ok(Json(HousingApplicationDto::from(&a)))
}

/// The rent subsidies owed, month by month, with totals (2.6).
#[utoipa::path(
    get,
    path = "/api/housing/subsidies",
    tag = "housing",
    params(SubsidyQuery),
    responses(
        (status = 200, description = "租赁补贴按月明细与合计", body = [SubsidyMonthDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_subsidies(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<SubsidyMonthDto>>, AppError> {
    let month = month_of(&query)?;
    let s = state.app.rent_subsidies(&session.actor, month).await?;
    Ok(Json(
        s.totals
            .iter()
            .map(|(m, n, total)| SubsidyMonthDto {
                month: m.to_string(),
                households: *n,
                total_fen: total.fen(),
                lines: s
                    .lines
                    .iter()
                    .filter(|l| l.month == *m)
                    .map(|l| SubsidyLineDto {
                        application_id: l.application,
                        household_id: l.household.0,
                        household_number: l.number.clone(),
                        amount_fen: l.amount.fen(),
                    })
                    .collect(),
            })
            .collect(),
    ))
}
