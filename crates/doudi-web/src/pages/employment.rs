//! Employment help (2.7): the zero-employment households of one's part of the county, with how
//! many each township has, as a page, as Excel and as JSON.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::view::Divisions;

struct Row {
    household: i64,
    number: String,
    place: String,
    able: String,
    /// The household's referrals so far (2.7), in words, for readers of employment help.
    referrals: String,
}

#[derive(Template)]
#[template(path = "employment.html")]
struct EmploymentPage {
    chrome: Chrome,
    townships: Vec<(String, usize)>,
    rows: Vec<Row>,
    /// Whether the reader works employment help (2.7): each household links to its matches.
    jobs: bool,
}

fn able_words(able: &[(String, u32, doudi_core::WorkCapacity)]) -> String {
    able.iter()
        .map(|(name, age, capacity)| format!("{name}（{age}岁，{}）", capacity.label()))
        .collect::<Vec<_>>()
        .join("、")
}

/// The zero-employment households, with a count per township.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.zero_employment(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let mut townships: Vec<(String, usize)> = Vec::new();
    for z in &list {
        let name = divisions
            .get(&z.township)
            .map_or(z.township.clone(), |d| d.name.clone());
        match townships.iter_mut().find(|(t, _)| *t == name) {
            Some((_, n)) => *n += 1,
            None => townships.push((name, 1)),
        }
    }
    townships.sort();
    let jobs = doudi_store::jobs::may_read_jobs(&session.actor);
    let referrals = if jobs {
        jobs_path(&state, &session.actor).await?
    } else {
        std::collections::HashMap::new()
    };
    ok(&EmploymentPage {
        chrome: Chrome::new(&session, "零就业家庭", "employment").here(),
        jobs,
        townships,
        rows: list
            .into_iter()
            .map(|z| Row {
                household: z.household.0,
                place: divisions.place(&z.community),
                able: able_words(&z.able),
                referrals: referrals.get(&z.household.0).map_or_else(
                    || "尚未推荐".to_owned(),
                    |(n, open)| format!("已推荐{n}次，{open}次待结果"),
                ),
                number: z.number,
            })
            .collect(),
    })
}

/// Per household, the referrals made (2.7) and how many still wait for their outcome: the
/// list's view of each household's path off it (a hire takes it off).
async fn jobs_path(
    state: &AppState,
    actor: &doudi_core::Actor,
) -> Result<std::collections::HashMap<i64, (usize, usize)>, AppError> {
    let mut by: std::collections::HashMap<i64, (usize, usize)> = std::collections::HashMap::new();
    for r in state
        .app
        .referrals(actor, &doudi_store::jobs::ReferralFilter::default())
        .await?
    {
        let e = by.entry(r.household.0).or_default();
        e.0 += 1;
        e.1 += usize::from(r.state == doudi_core::jobs::ReferralState::Referred);
    }
    Ok(by)
}

/// The list as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.zero_employment(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "零就业家庭",
            filter: String::new(),
            headers: vec!["户编号", "乡镇（街道）社区", "有劳动能力和就业意愿的成员"],
            rows: list
                .into_iter()
                .map(|z| {
                    super::export::text([
                        z.number.clone(),
                        divisions.place(&z.community),
                        able_words(&z.able),
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// A zero-employment household.
#[derive(Serialize, ToSchema)]
pub struct ZeroEmploymentDto {
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 乡镇（街道）代码。
    pub township: String,
    /// 社区代码。
    pub community: String,
    /// 劳动年龄内有劳动能力和就业意愿的成员（姓名已遮蔽）。
    pub able: Vec<String>,
}

/// The zero-employment households of the caller's part of the county (2.7): a member of
/// working age can and will work, and nobody is employed.
#[utoipa::path(
    get,
    path = "/api/employment/zero",
    tag = "discovery",
    responses(
        (status = 200, description = "零就业家庭", body = [ZeroEmploymentDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<ZeroEmploymentDto>>, AppError> {
    let list = state.app.zero_employment(&session.actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|z| ZeroEmploymentDto {
                household_id: z.household.0,
                household_number: z.number,
                township: z.township,
                community: z.community,
                able: z
                    .able
                    .iter()
                    .map(|(name, age, capacity)| format!("{name}（{age}岁，{}）", capacity.label()))
                    .collect(),
            })
            .collect(),
    ))
}
