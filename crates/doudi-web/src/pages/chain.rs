//! A household's assistance chain (一户一条救助链): every application step, entitlement period,
//! payment, review proposal and department-data alert on one timeline, as a page, as Excel and
//! as JSON.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use doudi_core::HouseholdId;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::PathParams;

struct Row {
    on: String,
    kind: &'static str,
    text: String,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "chain.html")]
struct ChainPage {
    chrome: Chrome,
    id: i64,
    rows: Vec<Row>,
    /// Economic-status verification, for those who read cases: each difference in words.
    differences: Option<Vec<(&'static str, String)>>,
}

/// What the household declared against what departments say, for those who may read it.
async fn differences(
    state: &AppState,
    session: &crate::auth::Session,
    id: i64,
) -> Result<Option<Vec<doudi_app::discovery::Difference>>, AppError> {
    match state
        .app
        .verify_finances(&session.actor, HouseholdId(id))
        .await
    {
        Ok(list) => Ok(Some(list)),
        Err(doudi_app::Error::Store(doudi_store::StoreError::Forbidden)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The chain as a page, oldest first.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let events = state
        .app
        .assistance_chain(&session.actor, HouseholdId(id))
        .await?;
    ok(&ChainPage {
        chrome: Chrome::new(&session, "救助链", "households")
            .crumb("家庭档案", "/households")
            .crumb("家庭档案", format!("/households/{id}"))
            .here(),
        id,
        differences: differences(&state, &session, id)
            .await?
            .map(|list| list.into_iter().map(|d| (d.kind.label(), d.text)).collect()),
        rows: events
            .into_iter()
            .map(|e| Row {
                on: e.on.to_string(),
                kind: e.kind,
                text: e.text,
                href: e.href,
            })
            .collect(),
    })
}

/// The chain as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let rows = state
        .app
        .assistance_chain(&session.actor, HouseholdId(id))
        .await?
        .into_iter()
        .map(|e| super::export::text([e.on.to_string(), e.kind.to_owned(), e.text]))
        .collect();
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "救助链",
            filter: format!("家庭{id}"),
            headers: vec!["日期", "类别", "内容"],
            rows,
        },
    )
    .await
}

/// A difference between what a household declared and what a department says.
#[derive(Serialize, ToSchema)]
pub struct DifferenceDto {
    /// 部门数据类别代码。
    pub kind: String,
    /// 不一致之处。
    pub text: String,
}

/// Economic-status verification (经济状况核对): what the household declared against the
/// department records matched to its members, each difference in words.
#[utoipa::path(
    get,
    path = "/api/households/{id}/verification",
    tag = "discovery",
    params(("id" = i64, Path, description = "家庭ID")),
    responses(
        (status = 200, description = "不一致之处（空为一致）", body = [DifferenceDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn verification(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Vec<DifferenceDto>>, AppError> {
    let list = state
        .app
        .verify_finances(&session.actor, HouseholdId(id))
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|d| DifferenceDto {
                kind: d.kind.code().to_owned(),
                text: d.text,
            })
            .collect(),
    ))
}

/// One event of a household's assistance chain.
#[derive(Serialize, ToSchema)]
pub struct ChainEventDto {
    /// 日期（按月的事项为当月1日）。
    pub on: String,
    /// 类别：申请、待遇、发放、复核、提醒。
    pub kind: String,
    /// 内容。
    pub text: String,
}

/// A household's assistance chain, oldest first: application steps, entitlement periods,
/// payments, review proposals and department-data alerts, each as far as the caller may read.
#[utoipa::path(
    get,
    path = "/api/households/{id}/chain",
    tag = "casework",
    params(("id" = i64, Path, description = "家庭ID")),
    responses(
        (status = 200, description = "救助链", body = [ChainEventDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Vec<ChainEventDto>>, AppError> {
    let events = state
        .app
        .assistance_chain(&session.actor, HouseholdId(id))
        .await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| ChainEventDto {
                on: e.on.to_string(),
                kind: e.kind.to_owned(),
                text: e.text,
            })
            .collect(),
    ))
}
