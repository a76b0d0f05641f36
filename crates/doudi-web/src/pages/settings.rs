//! The county's settings, kept by administrators (5.1): what the public notice gives as the
//! phone for objections and complaints (5.4). Unset, the notice gives the national 12345
//! government service hotline.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_store::CountySetting;

use super::{Chrome, ok, page};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::forms::FormInput;

/// What the notice gives when the county has set no phone.
pub(crate) const FALLBACK_PHONE: &str = "12345（政务服务便民热线）";

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    phone: String,
    error: Option<String>,
    saved: bool,
}

fn chrome(session: &Session) -> Chrome {
    Chrome::new(session, "县级设置", "settings").here()
}

/// Whether `phone` reads as a phone number: digits, with spaces, hyphens or parentheses, 3 to
/// 20 digits in all (12345, 023-55556666, 400 …).
fn phone_problem(phone: &str) -> Option<&'static str> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " -()（）".contains(c));
    (!allowed || !(3..=20).contains(&digits))
        .then_some("请填写电话号码，如 023-55556666（只含数字、空格、横线和括号）")
}

/// The settings form.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    crate::extract::QueryPairs(query): crate::extract::QueryPairs,
) -> Result<Response, AppError> {
    let phone = state
        .app
        .store()
        .county_setting(CountySetting::SupervisionPhone)
        .await?
        .unwrap_or_default();
    ok(&SettingsPage {
        chrome: chrome(&session),
        phone,
        error: None,
        saved: query.iter().any(|(k, v)| k == "done" && v == "saved"),
    })
}

/// Saves the settings.
pub(crate) async fn save(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let phone = form.get("phone").trim().to_owned();
    if !phone.is_empty()
        && let Some(problem) = phone_problem(&phone)
    {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SettingsPage {
                chrome: chrome(&session),
                phone,
                error: Some(problem.to_owned()),
                saved: false,
            },
        );
    }
    state
        .app
        .store()
        .put_county_setting(&session.actor, CountySetting::SupervisionPhone, &phone)
        .await?;
    Ok(Redirect::to("/admin/settings?done=saved").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_supervision_phone_is_digits_with_the_usual_separators() {
        for good in [
            "12345",
            "023-55556666",
            "(023) 5555 6666",
            "（023）55556666",
        ] {
            assert_eq!(phone_problem(good), None, "{good}");
        }
        for bad in [
            "12",
            "请拨打民政局",
            "023-5555-6666-7777-8888-99",
            "javascript:",
        ] {
            assert!(phone_problem(bad).is_some(), "{bad}");
        }
    }
}
