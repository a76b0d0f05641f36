//! Exchange out (5.3): the education bureau's list of students owed aid in a term (2.5), as a
//! page, as Excel and as JSON, each read through the reader's scope and department view.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use doudi_policy::education::Term;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::QueryPairs;

/// The term asked for (`2026-autumn`, `2026-spring`), or the term of today.
pub(crate) fn term_of(state: &AppState, pairs: &[(String, String)]) -> Result<Term, AppError> {
    let asked = pairs
        .iter()
        .find(|(k, _)| k == "term")
        .map_or("", |(_, v)| v.trim());
    if asked.is_empty() {
        return Ok(Term::of(doudi_core::Month::of(state.today())));
    }
    Term::parse(asked).ok_or_else(|| {
        AppError::from(doudi_app::Error::invalid(
            "term",
            format!(
                "学期“{}”无效，应如 2026-autumn（秋季学期）或 2026-spring（春季学期）",
                asked.chars().take(20).collect::<String>()
            ),
        ))
    })
}

/// A student owed aid in a term.
#[derive(Serialize, ToSchema)]
pub struct StudentOwedDto {
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 乡镇（街道）代码。
    pub township: String,
    /// 社区代码。
    pub community: String,
    /// 学生姓名（已遮蔽）。
    pub name: String,
    /// 身份证号码（已遮蔽）。
    pub id_number: String,
    /// 学段代码。
    pub stage: String,
    /// 学段。
    pub stage_label: String,
    /// 是否寄宿。
    pub boarding: bool,
    /// 各项资助（名称、本学期金额，分；助学贷款为年度上限）。
    pub items: Vec<(String, i64)>,
    /// 本学期合计（分，不含贷款）。
    pub total_fen: i64,
}

struct Row {
    number: String,
    household: i64,
    place: String,
    name: String,
    id_number: String,
    stage: &'static str,
    boarding: bool,
    items: String,
    total: String,
}

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangePage {
    chrome: Chrome,
    term: String,
    term_code: String,
    previous: String,
    next: String,
    rows: Vec<Row>,
    total: String,
}

async fn roll(
    state: &AppState,
    session: &Session,
    term: Term,
) -> Result<Vec<doudi_app::exchange::StudentOwed>, AppError> {
    Ok(state.app.education_roll(&session.actor, term).await?)
}

/// The students owed education aid in a term, in one's part of the county.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let term = term_of(&state, &pairs)?;
    let divisions = crate::view::Divisions::load(state.app.store()).await?;
    let list = roll(&state, &session, term).await?;
    let total: doudi_core::Money = list.iter().map(|s| s.total).sum();
    let rows = list
        .into_iter()
        .map(|s| Row {
            number: s.number,
            household: s.household.0,
            place: divisions.place(&s.community),
            name: s.name,
            id_number: s.id_number,
            stage: s.stage.label(),
            boarding: s.boarding,
            items: s
                .items
                .iter()
                .map(|(label, amount)| format!("{label} {amount}"))
                .collect::<Vec<_>>()
                .join("；"),
            total: s.total.to_string(),
        })
        .collect();
    ok(&ExchangePage {
        chrome: Chrome::new(&session, "学生资助名单", "exchange").here(),
        term: term.to_string(),
        term_code: term.code(),
        previous: term.neighbour(false).code(),
        next: term.neighbour(true).code(),
        rows,
        total: total.to_string(),
    })
}

/// The same list as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let term = term_of(&state, &pairs)?;
    let divisions = crate::view::Divisions::load(state.app.store()).await?;
    let rows = roll(&state, &session, term)
        .await?
        .into_iter()
        .map(|s| {
            super::export::text([
                s.number,
                divisions.place(&s.community),
                s.name,
                s.id_number,
                s.stage.label().to_owned(),
                if s.boarding { "是" } else { "否" }.to_owned(),
                s.items
                    .iter()
                    .map(|(label, amount)| format!("{label} {amount}"))
                    .collect::<Vec<_>>()
                    .join("；"),
                s.total.to_string(),
            ])
        })
        .collect();
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "学生资助名单",
            filter: term.to_string(),
            headers: vec![
                "户编号",
                "乡镇（街道）社区",
                "学生",
                "身份证号码",
                "学段",
                "寄宿",
                "资助项目",
                "本学期合计",
            ],
            rows,
        },
    )
    .await
}

/// The students owed education aid in a term (`term`: `2026-autumn`, `2026-spring`; default the
/// current term), in the caller's part of the county, names and numbers masked.
#[utoipa::path(
    get,
    path = "/api/exchange/education",
    tag = "discovery",
    params(("term" = Option<String>, Query, description = "学期，如 2026-autumn、2026-spring；默认当前学期")),
    responses(
        (status = 200, description = "学生资助名单", body = [StudentOwedDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 422, description = "学期无效", body = ErrorBody),
    )
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<StudentOwedDto>>, AppError> {
    let term = term_of(&state, &pairs)?;
    let list = roll(&state, &session, term).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| StudentOwedDto {
                household_id: s.household.0,
                household_number: s.number,
                township: s.township,
                community: s.community,
                name: s.name,
                id_number: s.id_number,
                stage: s.stage.code().to_owned(),
                stage_label: s.stage.label().to_owned(),
                boarding: s.boarding,
                items: s
                    .items
                    .iter()
                    .map(|(label, amount)| ((*label).to_owned(), amount.fen()))
                    .collect(),
                total_fen: s.total.fen(),
            })
            .collect(),
    ))
}
