//! Government-bought care services (3.3): the services of one's part of the county with filters
//! by month, provider and unchecked, their totals per provider and per township, the form that
//! records a month's service and the quality check of each; the providers; both lists as
//! Excel; and their JSON twins under `/api/services`. The use cases are `doudi_app::services`.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::services::{CheckInput, ProviderInput, ServiceInput, ServiceTotal, totals};
use doudi_core::services::{CheckResult, ServiceKind};
use doudi_core::{Money, Month};
use doudi_exchange::write::OutCell;
use doudi_store::services::{Provider, ServiceFilter, ServiceRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Chrome, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::view::Divisions;

fn yuan(fen: i64) -> String {
    Money::from_fen(fen).to_yuan_string()
}

/// The messages of a refused input, one per problem.
fn problems(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid { message, fields } => {
            let list: Vec<String> = fields.iter().map(|(_, m)| m.to_owned()).collect();
            if list.is_empty() {
                vec![message.clone()]
            } else {
                list
            }
        }
        other => vec![other.message()],
    }
}

fn is_input_error(e: &AppError) -> bool {
    matches!(e, AppError::Invalid { .. } | AppError::Duplicate(_))
}

/// The list's filter from the query, with what was asked for as typed.
fn filter_of(
    query: &[(String, String)],
) -> Result<(ServiceFilter, String, String, bool), AppError> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
            .trim()
            .to_owned()
    };
    let month_text = get("month");
    let provider_text = get("provider");
    let month = if month_text.is_empty() {
        None
    } else {
        Some(Month::parse(&month_text).map_err(|_| {
            AppError::from(doudi_app::Error::invalid(
                "month",
                "服务月份：应为如 2026-07 的月份",
            ))
        })?)
    };
    let provider = if provider_text.is_empty() {
        None
    } else {
        Some(provider_text.parse::<i64>().map_err(|_| {
            AppError::from(doudi_app::Error::invalid(
                "provider",
                "服务机构：编号应为数字",
            ))
        })?)
    };
    let unchecked = matches!(get("unchecked").as_str(), "1" | "true" | "on");
    Ok((
        ServiceFilter {
            month,
            provider,
            unchecked,
        },
        month_text,
        provider_text,
        unchecked,
    ))
}

struct RecordRow {
    id: i64,
    household: i64,
    number: String,
    place: String,
    name: String,
    provider: String,
    kind: &'static str,
    month: String,
    hours: u32,
    cost: String,
    check: String,
}

struct TotalRow {
    what: String,
    records: i64,
    hours: i64,
    cost: String,
}

struct Choice {
    code: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    chrome: Chrome,
    rows: Vec<RecordRow>,
    by_provider: Vec<TotalRow>,
    by_township: Vec<TotalRow>,
    total_cost: String,
    month: String,
    unchecked: bool,
    providers: Vec<Choice>,
    persons: Vec<Choice>,
    kinds: Vec<(&'static str, &'static str)>,
    results: Vec<(&'static str, &'static str)>,
    can_record: bool,
    errors: Vec<String>,
    export_query: String,
    current_month: String,
    today: String,
}

fn record_row(r: &ServiceRecord, divisions: &Divisions) -> RecordRow {
    RecordRow {
        id: r.id,
        household: r.household.0,
        number: r.number.clone(),
        place: divisions.place(&r.community),
        name: r.name.clone(),
        provider: r.provider_name.clone(),
        kind: r.kind.label(),
        month: r.month.to_string(),
        hours: r.hours,
        cost: yuan(r.cost_fen),
        check: match &r.check {
            Some(c) => format!(
                "{}（{}，{}）{}",
                c.result.label(),
                c.checked_on,
                c.checker,
                c.note
            ),
            None => "未检查".into(),
        },
    }
}

fn total_rows(list: Vec<ServiceTotal>, name: impl Fn(&str) -> String) -> Vec<TotalRow> {
    list.into_iter()
        .map(|t| TotalRow {
            what: name(&t.what),
            records: t.records,
            hours: t.hours,
            cost: yuan(t.cost_fen),
        })
        .collect()
}

async fn render(
    state: &AppState,
    session: &Session,
    query: &[(String, String)],
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (filter, month, provider, unchecked) = filter_of(query)?;
    let records = state.app.service_records(&session.actor, &filter).await?;
    let providers = state.app.providers(&session.actor).await?;
    let can_record = doudi_core::services::may_record(&session.actor);
    let persons = if can_record {
        state.app.served_persons(&session.actor).await?
    } else {
        Vec::new()
    };
    let divisions = Divisions::load(state.app.store()).await?;
    let (by_provider, by_township) = totals(&records);
    let total: i64 = records
        .iter()
        .map(|r| r.cost_fen)
        .fold(0, i64::saturating_add);
    let export_query = format!(
        "month={}&provider={}&unchecked={}",
        crate::view::url_encode(&month),
        crate::view::url_encode(&provider),
        if unchecked { "1" } else { "" }
    );
    page(
        status,
        &ServicesPage {
            chrome: Chrome::new(session, "购买服务", "services").here(),
            rows: records.iter().map(|r| record_row(r, &divisions)).collect(),
            by_provider: total_rows(by_provider, str::to_owned),
            by_township: total_rows(by_township, |code| {
                divisions
                    .get(code)
                    .map_or(code.to_owned(), |d| d.name.clone())
            }),
            total_cost: yuan(total),
            month,
            unchecked,
            providers: providers
                .iter()
                .map(|p| Choice {
                    code: p.id.to_string(),
                    label: p.name.clone(),
                    selected: p.id.to_string() == provider,
                })
                .collect(),
            persons: persons
                .iter()
                .map(|p| Choice {
                    code: p.person.0.to_string(),
                    label: format!("{} {}（{}）", p.number, p.name, p.disability),
                    selected: false,
                })
                .collect(),
            kinds: ServiceKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            results: CheckResult::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            can_record,
            errors,
            export_query,
            current_month: Month::of(state.today()).to_string(),
            today: state.today().to_string(),
        },
    )
}

/// The services with filters, totals and the forms.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    render(&state, &session, &query, Vec::new(), StatusCode::OK).await
}

/// Records a month's service from the form.
pub(crate) async fn record(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = ServiceInput {
        provider: form.get("provider").to_owned(),
        person: form.get("person").to_owned(),
        kind: form.get("kind").to_owned(),
        month: form.get("month").to_owned(),
        hours: form.get("hours").to_owned(),
        cost: form.get("cost").to_owned(),
    };
    match state.app.record_service(&session.actor, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/services#s-{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if is_input_error(&e) {
                let status = e.status();
                render(&state, &session, &[], problems(&e), status).await
            } else {
                Err(e)
            }
        }
    }
}

/// Records a quality check of a service from the form.
pub(crate) async fn check(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = CheckInput {
        checked_on: form.get("checked_on").to_owned(),
        checker: form.get("checker").to_owned(),
        result: form.get("result").to_owned(),
        note: form.get("note").to_owned(),
    };
    match state.app.check_service(&session.actor, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/services#s-{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if is_input_error(&e) {
                let status = e.status();
                render(&state, &session, &[], problems(&e), status).await
            } else {
                Err(e)
            }
        }
    }
}

/// The services of the filter as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let (filter, month, provider, unchecked) = filter_of(&query)?;
    let records = state.app.service_records(&session.actor, &filter).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "购买服务记录",
            filter: format!(
                "（月份{}，机构{}{}）",
                if month.is_empty() { "全部" } else { &month },
                if provider.is_empty() {
                    "全部"
                } else {
                    &provider
                },
                if unchecked { "，仅未检查" } else { "" }
            ),
            headers: vec![
                "户编号",
                "乡镇（街道）社区",
                "服务对象",
                "服务机构",
                "服务类别",
                "服务月份",
                "服务时长（小时）",
                "费用（元）",
                "质量检查",
            ],
            rows: records
                .iter()
                .map(|r| {
                    let row = record_row(r, &divisions);
                    let mut cells = super::export::text([
                        row.number,
                        row.place,
                        row.name,
                        row.provider,
                        row.kind.to_owned(),
                        row.month,
                        row.hours.to_string(),
                    ]);
                    cells.push(OutCell::Money(Money::from_fen(r.cost_fen)));
                    cells.push(OutCell::Text(row.check));
                    cells
                })
                .collect(),
        },
    )
    .await
}

struct ProviderRow {
    id: i64,
    name: String,
    kinds: String,
    contact: String,
    records: i64,
    cost: String,
}

#[derive(Template)]
#[template(path = "service_providers.html")]
struct ProvidersPage {
    chrome: Chrome,
    rows: Vec<ProviderRow>,
    can_manage: bool,
    errors: Vec<String>,
    kinds: Vec<(&'static str, &'static str)>,
    name: String,
    contact: String,
}

fn kinds_words(p: &Provider) -> String {
    p.kinds
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join("、")
}

async fn render_providers(
    state: &AppState,
    session: &Session,
    input: &ProviderInput,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let providers = state.app.providers(&session.actor).await?;
    page(
        status,
        &ProvidersPage {
            chrome: Chrome::new(session, "服务机构", "services")
                .crumb("购买服务", "/services")
                .here(),
            rows: providers
                .iter()
                .map(|p| ProviderRow {
                    id: p.id,
                    name: p.name.clone(),
                    kinds: kinds_words(p),
                    contact: p.contact.clone(),
                    records: p.records,
                    cost: yuan(p.cost_fen),
                })
                .collect(),
            can_manage: doudi_core::services::may_manage_providers(&session.actor),
            errors,
            kinds: ServiceKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            name: input.name.clone(),
            contact: input.contact.clone(),
        },
    )
}

/// The providers, with the form that adds one (for those who may).
pub(crate) async fn providers(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    render_providers(
        &state,
        &session,
        &ProviderInput::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// Adds a provider from the form.
pub(crate) async fn add_provider(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = ProviderInput {
        name: form.get("name").to_owned(),
        kinds: form.all("kinds"),
        contact: form.get("contact").to_owned(),
    };
    match state.app.add_provider(&session.actor, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/services/providers#p-{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if is_input_error(&e) {
                let status = e.status();
                render_providers(&state, &session, &input, problems(&e), status).await
            } else {
                Err(e)
            }
        }
    }
}

/// The providers as Excel.
pub(crate) async fn providers_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let providers = state.app.providers(&session.actor).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "购买服务机构",
            filter: String::new(),
            headers: vec![
                "机构名称",
                "服务类别",
                "联系方式",
                "服务记录（条）",
                "费用（元）",
            ],
            rows: providers
                .iter()
                .map(|p| {
                    let mut cells = super::export::text([
                        p.name.clone(),
                        kinds_words(p),
                        p.contact.clone(),
                        p.records.to_string(),
                    ]);
                    cells.push(OutCell::Money(Money::from_fen(p.cost_fen)));
                    cells
                })
                .collect(),
        },
    )
    .await
}

// ---- the JSON API ----

/// A service provider.
#[derive(Serialize, ToSchema)]
pub struct ProviderDto {
    /// 编号。
    pub id: i64,
    /// 机构名称。
    pub name: String,
    /// 服务类别：home_care、institutional_care、rehabilitation。
    pub kinds: Vec<String>,
    /// 联系方式。
    pub contact: String,
    /// 工作范围内的服务记录条数。
    pub records: i64,
    /// 其费用（分）。
    pub cost_fen: i64,
}

impl From<&Provider> for ProviderDto {
    fn from(p: &Provider) -> ProviderDto {
        ProviderDto {
            id: p.id,
            name: p.name.clone(),
            kinds: p.kinds.iter().map(|k| k.code().to_owned()).collect(),
            contact: p.contact.clone(),
            records: p.records,
            cost_fen: p.cost_fen,
        }
    }
}

/// The providers (3.3).
#[utoipa::path(
    get,
    path = "/api/services/providers",
    tag = "services",
    responses(
        (status = 200, description = "服务机构", body = [ProviderDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_providers(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<ProviderDto>>, AppError> {
    let list = state.app.providers(&session.actor).await?;
    Ok(Json(list.iter().map(ProviderDto::from).collect()))
}

/// A provider to add.
#[derive(Deserialize, ToSchema)]
pub struct ProviderBody {
    /// 机构名称（不可重名）。
    pub name: String,
    /// 服务类别：home_care、institutional_care、rehabilitation。
    pub kinds: Vec<String>,
    /// 联系人及电话。
    pub contact: String,
}

/// Adds a provider (the county approver, the disabled persons' federation).
#[utoipa::path(
    post,
    path = "/api/services/providers",
    tag = "services",
    request_body = ProviderBody,
    responses(
        (status = 200, description = "已添加，返回全部服务机构", body = [ProviderDto]),
        (status = 403, description = "无权添加", body = ErrorBody),
        (status = 409, description = "名称已存在", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_add_provider(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<ProviderBody>,
) -> Result<Json<Vec<ProviderDto>>, AppError> {
    let input = ProviderInput {
        name: body.name,
        kinds: body.kinds,
        contact: body.contact,
    };
    state.app.add_provider(&session.actor, &input).await?;
    let list = state.app.providers(&session.actor).await?;
    Ok(Json(list.iter().map(ProviderDto::from).collect()))
}

/// A month's service.
#[derive(Serialize, ToSchema)]
pub struct ServiceDto {
    /// 编号。
    pub id: i64,
    /// 服务机构编号。
    pub provider_id: i64,
    /// 服务机构名称。
    pub provider: String,
    /// 服务对象的成员ID。
    pub person_id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 社区代码。
    pub community: String,
    /// 服务对象姓名（已遮蔽）。
    pub name: String,
    /// 服务类别。
    pub kind: String,
    /// 服务月份。
    pub month: String,
    /// 服务时长（小时）。
    pub hours: u32,
    /// 费用（分）。
    pub cost_fen: i64,
    /// 最近一次质量检查结果：pass、fail；未检查为空。
    pub check_result: Option<String>,
    /// 最近一次检查日期。
    pub checked_on: Option<String>,
}

impl From<&ServiceRecord> for ServiceDto {
    fn from(r: &ServiceRecord) -> ServiceDto {
        ServiceDto {
            id: r.id,
            provider_id: r.provider,
            provider: r.provider_name.clone(),
            person_id: r.person.0,
            household_id: r.household.0,
            household_number: r.number.clone(),
            community: r.community.clone(),
            name: r.name.clone(),
            kind: r.kind.code().into(),
            month: r.month.to_string(),
            hours: r.hours,
            cost_fen: r.cost_fen,
            check_result: r.check.as_ref().map(|c| c.result.code().to_owned()),
            checked_on: r.check.as_ref().map(|c| c.checked_on.to_string()),
        }
    }
}

/// The list's filter, as the OpenAPI document describes it (the handler reads the pairs
/// through `filter_of`, as the page does).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ServiceQuery {
    /// 服务月份，如 2026-07。
    pub month: Option<String>,
    /// 服务机构编号。
    pub provider: Option<i64>,
    /// 为 1 时只列出未经质量检查的记录。
    pub unchecked: Option<String>,
}

/// The services of the caller's part of the county (3.3), newest month first.
#[utoipa::path(
    get,
    path = "/api/services",
    tag = "services",
    params(ServiceQuery),
    responses(
        (status = 200, description = "购买服务记录", body = [ServiceDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 422, description = "筛选条件有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<ServiceDto>>, AppError> {
    let (filter, ..) = filter_of(&query)?;
    let list = state.app.service_records(&session.actor, &filter).await?;
    Ok(Json(list.iter().map(ServiceDto::from).collect()))
}

/// A month's service to record.
#[derive(Deserialize, ToSchema)]
pub struct ServiceBody {
    /// 服务机构编号。
    pub provider_id: i64,
    /// 服务对象的成员ID（须为在册家庭的残疾成员）。
    pub person_id: i64,
    /// 服务类别：home_care、institutional_care、rehabilitation。
    pub kind: String,
    /// 服务月份，如 2026-07。
    pub month: String,
    /// 服务时长（小时）。
    pub hours: u32,
    /// 费用（元）。
    pub cost: String,
}

/// Records a month's service (the federation, the county approver, township caseworkers in
/// scope).
#[utoipa::path(
    post,
    path = "/api/services",
    tag = "services",
    request_body = ServiceBody,
    responses(
        (status = 200, description = "已登记", body = ServiceDto),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 404, description = "服务对象不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "已登记过", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_record(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<ServiceBody>,
) -> Result<Json<ServiceDto>, AppError> {
    let input = ServiceInput {
        provider: body.provider_id.to_string(),
        person: body.person_id.to_string(),
        kind: body.kind,
        month: body.month,
        hours: body.hours.to_string(),
        cost: body.cost,
    };
    let id = state.app.record_service(&session.actor, &input).await?;
    let list = state
        .app
        .service_records(&session.actor, &ServiceFilter::default())
        .await?;
    let r = list.iter().find(|r| r.id == id).ok_or(AppError::NotFound)?;
    Ok(Json(ServiceDto::from(r)))
}

/// A quality check to record.
#[derive(Deserialize, ToSchema)]
pub struct CheckBody {
    /// 检查日期。
    pub checked_on: String,
    /// 检查人。
    pub checker: String,
    /// 检查结果：pass（合格）、fail（不合格，须写说明）。
    pub result: String,
    /// 情况说明。
    #[serde(default)]
    pub note: String,
}

/// Records a quality check of a service.
#[utoipa::path(
    post,
    path = "/api/services/{id}/checks",
    tag = "services",
    params(("id" = i64, Path, description = "服务记录编号")),
    request_body = CheckBody,
    responses(
        (status = 204, description = "已登记"),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_check(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<CheckBody>,
) -> Result<StatusCode, AppError> {
    let input = CheckInput {
        checked_on: body.checked_on,
        checker: body.checker,
        result: body.result,
        note: body.note,
    };
    state.app.check_service(&session.actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
