//! Pairing cadres with households (结对帮扶, 3.2), from the household page: the county approver
//! and township caseworkers add and remove the cadres paired with a household of their scope;
//! a paired cadre then reads that household, and only such households.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::HouseholdId;
use doudi_store::{Pairing, PairingFilter};

use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::PathParams;
use crate::forms::FormInput;

/// The cadres paired with a household the session's user may read (not found otherwise).
pub(crate) async fn of_household(
    state: &AppState,
    session: &Session,
    id: HouseholdId,
) -> Result<Vec<Pairing>, AppError> {
    // The household read checks scope and pairing, and is recorded like any other.
    state.app.store().household(&session.actor, id).await?;
    let filter = PairingFilter {
        household: Some(id),
        cadre: None,
    };
    Ok(state.app.store().pairings(&session.actor, filter).await?)
}

/// Pairs the cadre chosen in the form with the household.
pub(crate) async fn add(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let cadre: i64 = form
        .get("cadre")
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("请选择要结对的帮扶干部".into()))?;
    state
        .app
        .store()
        .pair(&session.actor, HouseholdId(id), cadre)
        .await?;
    Ok(Redirect::to(&format!("/households/{id}#pairings")).into_response())
}

/// Ends a pairing.
pub(crate) async fn remove(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, cadre)): PathParams<(i64, i64)>,
) -> Result<Response, AppError> {
    state
        .app
        .store()
        .unpair(&session.actor, HouseholdId(id), cadre)
        .await?;
    Ok(Redirect::to(&format!("/households/{id}#pairings")).into_response())
}
