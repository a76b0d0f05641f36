//! Logging in and out, and changing the initial password.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Chrome, ok, page};
use crate::AppState;
use doudi_app::accounts::PasswordChange;

use crate::auth::{self, AnySession};
use crate::error::{AppError, FieldErrors};
use crate::extract::QueryPairs;
use crate::forms::{FormInput, FormPage, password_sections};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    next: String,
    error: Option<String>,
}

/// Only a path on this site may be returned to after logging in, never another site: one `/`
/// then anything but a second `/`, with no backslash, control character or whitespace, neither
/// as given nor once percent-decoded. Browsers drop tabs and newlines from a URL and read `\`
/// as `/`, so `/\t/evil` or `/\\evil` would become `//evil`, another site; `next` is decoded once
/// already when read from the query or the form, and checking the decoded form as well covers
/// a value decoded twice on its way.
fn safe_next(next: &str) -> &str {
    fn same_site_path(path: &str) -> bool {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path
                .chars()
                .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    }
    if same_site_path(next) && same_site_path(&percent_decoded(next)) {
        next
    } else {
        "/"
    }
}

/// `s` with every `%XX` replaced by the byte it encodes (invalid UTF-8 replaced, so that a
/// strange byte is still seen by the check rather than dropped).
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (Some(&b), _, _) => {
                out.push(b);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let next = query
        .into_iter()
        .find(|(n, _)| n == "next")
        .map(|(_, v)| v)
        .unwrap_or_default();
    // Someone already logged in who comes here by a bookmark goes straight on.
    if let Some(token) = auth::session_token(&headers)
        && state.app.session(&token).await?.is_some()
    {
        return Ok(Redirect::to(safe_next(&next)).into_response());
    }
    ok(&LoginPage {
        chrome: Chrome::bare("登录"),
        username: String::new(),
        next,
        error: None,
    })
}

pub(crate) async fn login(
    State(state): State<AppState>,
    client: auth::ClientAddr,
    form: FormInput,
) -> Result<Response, AppError> {
    let username = form.get("username").trim().to_owned();
    let next = form.get("next").to_owned();
    let refused = |error: String| {
        page(
            StatusCode::OK,
            &LoginPage {
                chrome: Chrome::bare("登录"),
                username: username.clone(),
                next: next.clone(),
                error: Some(error),
            },
        )
    };
    match auth::log_in(&state, &username, form.get("password"), &client).await? {
        auth::LoginOutcome::Failed => refused(AppError::LoginFailed.message()),
        auth::LoginOutcome::Locked(until) => refused(AppError::AccountLocked(until).message()),
        auth::LoginOutcome::AddressLimited(until) => {
            refused(AppError::AddressLimited(until).message())
        }
        auth::LoginOutcome::Disabled => refused(AppError::AccountDisabled.message()),
        auth::LoginOutcome::LoggedIn(user, token) => {
            let to = if user.must_change_password {
                "/password"
            } else {
                safe_next(&next)
            };
            let mut response = Redirect::to(to).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                auth::session_cookie(&token, state.config.secure_cookies),
            );
            Ok(response)
        }
    }
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    AnySession(session): AnySession,
) -> Result<Response, AppError> {
    auth::log_out(&state, &session, Redirect::to("/login").into_response()).await
}

/// Logs out on every device (every session of the user ends, this one too).
pub(crate) async fn logout_everywhere(
    State(state): State<AppState>,
    AnySession(session): AnySession,
) -> Result<Response, AppError> {
    state.app.log_out_everywhere(&session.actor).await?;
    Ok(auth::cookie_cleared(
        &state,
        Redirect::to("/login").into_response(),
    ))
}

fn password_page(session: &auth::Session, errors: &FieldErrors) -> FormPage {
    let intro = if session.user.must_change_password {
        "首次登录须先修改初始密码，修改后方可使用系统。"
    } else {
        "修改后，您在其他设备上的登录将全部失效，请在那里使用新密码重新登录。"
    };
    FormPage::new(
        Chrome::new(session, "修改密码", "").here(),
        "修改密码",
        "/password",
        password_sections(errors),
        "保存新密码",
        "/",
    )
    .intro(intro)
}

pub(crate) async fn password_form(AnySession(session): AnySession) -> Result<Response, AppError> {
    ok(&password_page(&session, &FieldErrors::new()))
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    AnySession(session): AnySession,
    form: FormInput,
) -> Result<Response, AppError> {
    let change = PasswordChange {
        current: form.get("current"),
        new: form.get("new"),
        confirm: form.get("confirm"),
    };
    match state
        .app
        .change_own_password(&session.user, &session.token_hash, change)
        .await
    {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        Err(doudi_app::Error::Fields(problems)) => {
            let mut errors = FieldErrors::new();
            for (field, message) in problems {
                errors.add(field, message);
            }
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &password_page(&session, &errors),
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_next("/households?page=2"), "/households?page=2");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
    }

    #[test]
    fn only_a_path_on_this_site_is_returned_to() {
        for good in ["/", "/households?category=dibao", "/households/3"] {
            assert_eq!(safe_next(good), good, "{good}");
        }
        for bad in [
            "//evil.example/",
            "/\t/evil",
            "/\n/evil",
            "/%09/evil",
            "/%2F/evil",
            "/\\evil",
            "/%5Cevil",
            "/ /evil",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil",
            "",
            "/\u{3000}/evil",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
