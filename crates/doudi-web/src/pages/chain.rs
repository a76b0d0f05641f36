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
