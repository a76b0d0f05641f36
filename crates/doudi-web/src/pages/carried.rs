//! The caseload a county brings (4.2.b), for the county approver: each benefit filed as already
//! received beside what the rules give this month, the differences marked, to confirm on the
//! filed amount or on the rules' amount (or leave for later, e.g. for a review). A confirmed
//! benefit is paid from the next payment run.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::carried::Basis;
use doudi_core::{HouseholdId, Money};

use super::{Chrome, page};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::QueryPairs;
use crate::forms::FormInput;
use crate::view::Divisions;

struct Row {
    household: i64,
    number: String,
    community: String,
    program: &'static str,
    filed: String,
    computed: String,
    difference: Option<String>,
    problem: Option<String>,
    from: String,
    reference: String,
    agrees: bool,
}

#[derive(Template)]
#[template(path = "carried.html")]
struct CarriedPage {
    chrome: Chrome,
    rows: Vec<Row>,
    agreeing: usize,
    done: Option<String>,
    problems: Vec<String>,
}

async fn render(
    state: &AppState,
    session: &Session,
    done: Option<String>,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let checks = state.app.carried_checks(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let rows: Vec<Row> = checks
        .iter()
        .map(|c| {
            let filed = c.claim.claim.monthly.fen();
            Row {
                household: c.claim.household.0,
                number: c.claim.number.clone(),
                community: divisions.name(&c.claim.community).to_owned(),
                program: c.claim.claim.program.label(),
                filed: Money::from_fen(filed).to_string(),
                computed: c
                    .computed
                    .as_ref()
                    .map_or_else(|_| "—".to_owned(), |f| Money::from_fen(*f).to_string()),
                difference: match &c.computed {
                    Ok(f) if *f != filed => Some(format!(
                        "{}{}",
                        if *f > filed {
                            "规则多 "
                        } else {
                            "规则少 "
                        },
                        Money::from_fen((f - filed).abs())
                    )),
                    _ => None,
                },
                problem: c.computed.as_ref().err().cloned(),
                from: c.claim.claim.from.to_string(),
                reference: c.claim.claim.reference.clone(),
                agrees: c.agrees(),
            }
        })
        .collect();
    let agreeing = rows.iter().filter(|r| r.agrees).count();
    page(
        status,
        &CarriedPage {
            chrome: Chrome::new(session, "现享待遇确认", "carried").here(),
            rows,
            agreeing,
            done,
            problems,
        },
    )
}

/// The claims waiting, checked.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let done = query
        .iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v.clone());
    render(&state, &session, done, Vec::new(), StatusCode::OK).await
}

/// Confirms the rows chosen: each row's `basis-<household>` is `filed`, `computed` or empty
/// (left for later).
pub(crate) async fn confirm(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let mut choices = Vec::new();
    for (name, value) in &form.0 {
        let Some(id) = name.strip_prefix("basis-") else {
            continue;
        };
        let Ok(id) = id.parse::<i64>() else {
            return Err(AppError::BadRequest(format!("无法识别的字段“{name}”")));
        };
        let basis = match value.as_str() {
            "filed" => Basis::Filed,
            "computed" => Basis::Computed,
            "" | "later" => continue,
            other => return Err(AppError::BadRequest(format!("无法识别的确认方式“{other}”"))),
        };
        choices.push((HouseholdId(id), basis));
    }
    match state.app.confirm_carried(&session.actor, &choices).await {
        Ok(n) => {
            let done = crate::view::url_encode(&format!(
                "已确认{n}户的现享待遇，自下一次生成发放名册起按月发放"
            ));
            Ok(Redirect::to(&format!("/entitlements/carried?done={done}")).into_response())
        }
        Err(doudi_app::Error::Rules(m) | doudi_app::Error::Invalid { message: m, .. }) => {
            render(
                &state,
                &session,
                None,
                vec![m],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
