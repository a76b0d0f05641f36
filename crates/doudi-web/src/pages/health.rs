//! Family-doctor signing and electronic health records per member (2.4: for every household),
//! kept by the health commission: the members of one's part of the county (a township at a
//! time for the county), who has signed and who has a record, marked per member; as a page,
//! Excel and JSON.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::{DivisionCode, PersonId};
use doudi_store::HouseholdFilter;
use doudi_store::delivery::may_keep_health_services;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Chrome, ok};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::view::Divisions;

/// At most this many members on the page (the export has all).
const SHOWN: usize = 500;

/// A member's signing and record.
#[derive(Serialize, ToSchema)]
pub struct HealthServicesDto {
    /// 成员编号。
    pub person: i64,
    /// 家庭编号。
    pub household: i64,
    /// 户编号。
    pub household_number: String,
    /// 社区代码。
    pub community: String,
    /// 姓名（脱敏）。
    pub name: String,
    /// 是否签约家庭医生。
    pub family_doctor: bool,
    /// 是否建立电子健康档案。
    pub health_record: bool,
}

/// Which members to list: the township (required for a county-wide reader) and whether only
/// those missing a signing or a record.
struct Query {
    township: Option<DivisionCode>,
    missing_only: bool,
}

fn query_of(pairs: &[(String, String)]) -> Result<Query, AppError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    };
    let township = match get("township") {
        "" => None,
        t => Some(DivisionCode::parse(t).map_err(|_| {
            AppError::from(doudi_app::Error::invalid(
                "township",
                "乡镇（街道）代码无效，应为9位数字",
            ))
        })?),
    };
    Ok(Query {
        township,
        missing_only: get("missing") == "1",
    })
}

async fn members(
    state: &AppState,
    session: &Session,
    q: &Query,
) -> Result<Vec<HealthServicesDto>, AppError> {
    let township = q
        .township
        .clone()
        .or_else(|| Divisions::scope_township(&session.actor.scope));
    let records = state
        .app
        .store()
        .records(
            &session.actor,
            &HouseholdFilter {
                township,
                ..HouseholdFilter::default()
            },
        )
        .await
        .map_err(doudi_app::Error::from)?;
    Ok(records
        .iter()
        .flat_map(|r| {
            r.members.iter().map(move |m| HealthServicesDto {
                person: m.id.0,
                household: r.household.id.0,
                household_number: r.household.fields.number.clone(),
                community: r.household.fields.community.to_string(),
                // Masked, as every list is (`Actor::visibility(Purpose::List)`).
                name: m.fields.name.masked(),
                family_doctor: m.fields.family_doctor,
                health_record: m.fields.health_record,
            })
        })
        .filter(|m| !(q.missing_only && m.family_doctor && m.health_record))
        .collect())
}

struct Row {
    person: i64,
    household: i64,
    number: String,
    place: String,
    name: String,
    family_doctor: bool,
    health_record: bool,
}

#[derive(Template)]
#[template(path = "health.html")]
struct HealthPage {
    chrome: Chrome,
    townships: Vec<(String, String, bool)>,
    township: String,
    missing_only: bool,
    can_keep: bool,
    total: usize,
    signed: usize,
    recorded: usize,
    rows: Vec<Row>,
    more: usize,
    query: String,
    saved: bool,
}

/// The members with their signing and record, with a form per member for those who keep them.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let q = query_of(&pairs)?;
    let divisions = Divisions::load(state.app.store()).await?;
    let townships: Vec<(String, String, bool)> = divisions
        .townships_in(&session.actor.scope)
        .map(|d| {
            let code = d.code.to_string();
            let selected = q.township.as_ref().is_some_and(|t| t.to_string() == code);
            (code, d.name.clone(), selected)
        })
        .collect();
    // A county-wide reader picks a township first; one township's reader sees theirs.
    let list = if q.township.is_some() || Divisions::scope_township(&session.actor.scope).is_some()
    {
        members(&state, &session, &q).await?
    } else {
        Vec::new()
    };
    let total = list.len();
    let signed = list.iter().filter(|m| m.family_doctor).count();
    let recorded = list.iter().filter(|m| m.health_record).count();
    let township = q
        .township
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let query = format!(
        "township={township}{}",
        if q.missing_only { "&missing=1" } else { "" }
    );
    let rows: Vec<Row> = list
        .into_iter()
        .take(SHOWN)
        .map(|m| Row {
            person: m.person,
            household: m.household,
            number: m.household_number,
            place: divisions.place(&m.community),
            name: m.name,
            family_doctor: m.family_doctor,
            health_record: m.health_record,
        })
        .collect();
    ok(&HealthPage {
        chrome: Chrome::new(&session, "家庭医生签约与健康档案", "medical")
            .crumb("住院医疗救助", "/medical")
            .here(),
        townships,
        township,
        missing_only: q.missing_only,
        can_keep: may_keep_health_services(&session.actor),
        total,
        signed,
        recorded,
        more: total.saturating_sub(rows.len()),
        rows,
        query,
        saved: pairs.iter().any(|(k, _)| k == "saved"),
    })
}

/// Marks one member's signing and record, back to the list.
pub(crate) async fn save(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(person): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_keep_health_services(&session.actor) {
        return Err(AppError::Forbidden);
    }
    state
        .app
        .set_health_services(
            &session.actor,
            PersonId(person),
            form.get("family_doctor") == "on",
            form.get("health_record") == "on",
        )
        .await?;
    let back = query_of(&[
        ("township".into(), form.get("township").to_owned()),
        ("missing".into(), form.get("missing").to_owned()),
    ])?;
    Ok(Redirect::to(&format!(
        "/medical/health?township={}{}&saved=1#person-{person}",
        back.township.map(|t| t.to_string()).unwrap_or_default(),
        if back.missing_only { "&missing=1" } else { "" }
    ))
    .into_response())
}

/// The members as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let q = query_of(&pairs)?;
    let list = members(&state, &session, &q).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let yes = |b: bool| if b { "是" } else { "否" }.to_owned();
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "家庭医生签约与健康档案",
            filter: if q.missing_only {
                "仅未签约或未建档".into()
            } else {
                String::new()
            },
            headers: vec![
                "户编号",
                "乡镇（街道）社区",
                "姓名",
                "家庭医生签约",
                "电子健康档案",
            ],
            rows: list
                .into_iter()
                .map(|m| {
                    super::export::text([
                        m.household_number,
                        divisions.place(&m.community),
                        m.name,
                        yes(m.family_doctor),
                        yes(m.health_record),
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// Members of the caller's part of the county (or of one township) with their family-doctor
/// signing and health record (2.4).
#[utoipa::path(
    get,
    path = "/api/medical/health",
    tag = "departments",
    params(
        ("township" = Option<String>, Query, description = "乡镇（街道）代码"),
        ("missing" = Option<String>, Query, description = "1：只列未签约或未建档的成员"),
    ),
    responses(
        (status = 200, description = "成员签约与建档情况", body = [HealthServicesDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<HealthServicesDto>>, AppError> {
    let q = query_of(&pairs)?;
    Ok(Json(members(&state, &session, &q).await?))
}

/// A member's signing and record.
#[derive(Deserialize, ToSchema)]
pub struct HealthServicesBody {
    /// 是否签约家庭医生。
    pub family_doctor: bool,
    /// 是否建立电子健康档案。
    pub health_record: bool,
}

/// Records a member's family-doctor signing and health record (the health commission, the
/// county approver, township caseworkers; in scope), with history.
#[utoipa::path(
    post,
    path = "/api/persons/{person}/health-services",
    tag = "departments",
    params(("person" = i64, Path, description = "成员编号")),
    request_body = HealthServicesBody,
    responses(
        (status = 204, description = "已登记"),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn api_save(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(person): PathParams<i64>,
    ApiJson(body): ApiJson<HealthServicesBody>,
) -> Result<StatusCode, AppError> {
    if !may_keep_health_services(&session.actor) {
        return Err(AppError::Forbidden);
    }
    state
        .app
        .set_health_services(
            &session.actor,
            PersonId(person),
            body.family_doctor,
            body.health_record,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
