//! Sessions over HTTP: the cookie, the CSRF token, the client address and the extractors that
//! resolve a request to its user.
//!
//! A session's token (see [`doudi_app::accounts`] for how long it lives and how logging in is
//! limited) travels in the `doudi_session` cookie (HttpOnly, SameSite=Strict, Secure when
//! configured); whether it is live is checked by the store on every request, never by the
//! cookie's lifetime alone. The CSRF token of a session is another SHA-256 of the token, with a
//! different prefix, so it cannot be computed from the stored hash either.
//!
//! Every handler that shows or changes household data takes a [`CurrentUser`], which resolves the
//! session to the user and the [`Actor`] that every store call receives, with the client
//! address the audit trail records: the connection's peer address, or, when the server is
//! configured to trust a reverse proxy (`WebConfig::trust_proxy`), the last address of the
//! `X-Forwarded-For` header, which is the one that proxy added. (Earlier addresses in that header
//! come from the client and could be anything, so they are never used.)

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
pub(crate) use doudi_app::accounts::LoginOutcome;
use doudi_app::accounts::{SESSION_HOURS, derived_token};
use doudi_core::Actor;
use doudi_store::UserRecord;

use crate::AppState;
use crate::error::AppError;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "doudi_session";
/// The header API clients send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The hidden form field pages send the CSRF token in.
pub const CSRF_FIELD: &str = "_csrf";

/// The CSRF token of the session with this token.
pub(crate) fn csrf_token(session_token: &str) -> String {
    derived_token("doudi csrf v1\n", session_token)
}

/// Compares two tokens in time that does not depend on where they differ.
pub(crate) fn tokens_match(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session token from the request's cookies, if it looks like one of ours.
pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `Set-Cookie` value that starts a session.
pub(crate) fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = SESSION_HOURS * 3600;
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("a hex token makes a valid header")
}

/// The `Set-Cookie` value that ends a session.
pub(crate) fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .expect("a constant makes a valid header")
}

/// Logs in ([`doudi_app::App::log_in`]) from the request's address.
pub(crate) async fn log_in(
    state: &AppState,
    username: &str,
    password: &str,
    client: &ClientAddr,
) -> Result<LoginOutcome, AppError> {
    Ok(state.app.log_in(username, password, &client.0).await?)
}

/// Ends the request's session and answers with `response`, which clears the cookie.
pub(crate) async fn log_out(
    state: &AppState,
    session: &Session,
    response: Response,
) -> Result<Response, AppError> {
    state
        .app
        .log_out(&session.actor, &session.token_hash)
        .await?;
    Ok(cookie_cleared(state, response))
}

/// `response`, which also clears the session cookie.
pub(crate) fn cookie_cleared(state: &AppState, mut response: Response) -> Response {
    response.headers_mut().insert(
        header::SET_COOKIE,
        clear_cookie(state.config.secure_cookies),
    );
    response
}

/// The address a request came from, for the audit trail (see the module documentation); empty
/// when unknown (as in tests that call the router directly).
#[derive(Clone, Debug, Default)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    fn of(parts: &Parts, state: &AppState) -> ClientAddr {
        if state.config.trust_proxy
            && let Some(ip) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        {
            return ClientAddr(ip.to_string());
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        ClientAddr(peer.unwrap_or_default())
    }

    /// The actor, acting from this address.
    pub fn applied_to(&self, mut actor: Actor) -> Actor {
        actor.client = self.0.clone();
        actor
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(parts, state))
    }
}

/// The logged-in user of a request.
#[derive(Clone, Debug)]
pub struct Session {
    /// The user as stored.
    pub user: UserRecord,
    /// Who acts: passed to every store call.
    pub actor: Actor,
    /// The session's CSRF token, for forms and for API clients.
    pub csrf: String,
    /// The stored hash of the session token, to end the session.
    pub(crate) token_hash: String,
    /// How many seconds without a request end the session (the page warns before).
    pub idle_seconds: i64,
}

impl Session {
    /// The session of a request: its cookie's session, if live (see the module documentation).
    pub(crate) async fn resolve(parts: &Parts, state: &AppState) -> Result<Session, AppError> {
        let token = session_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
        let (user, token_hash) = state
            .app
            .session(&token)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let client = ClientAddr::of(parts, state);
        Ok(Session {
            actor: client.applied_to(user.actor()),
            csrf: csrf_token(&token),
            user,
            token_hash,
            idle_seconds: state.app.idle().num_seconds(),
        })
    }

    /// The session the route's guard resolved. A handler that asks for a session on a route
    /// declared public is a mistake in the route table, refused loudly.
    fn from_guard(parts: &Parts) -> Result<Session, AppError> {
        parts.extensions.get::<Session>().cloned().ok_or_else(|| {
            AppError::Internal("a handler needs a session its route does not declare".into())
        })
    }
}

/// A logged-in user who may use the application (the route's guard has sent one who still has
/// to change the initial password to do that first).
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Session);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        let session = Session::from_guard(parts)?;
        if session.user.must_change_password {
            return Err(AppError::MustChangePassword);
        }
        Ok(CurrentUser(session))
    }
}

/// Any logged-in user, including one who must change the initial password: for the password
/// page and for logging out.
#[derive(Clone, Debug)]
pub struct AnySession(pub Session);

impl FromRequestParts<AppState> for AnySession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        Session::from_guard(parts).map(AnySession)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let token = doudi_app::accounts::new_session_token();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("theme=dark; {SESSION_COOKIE}={token}")).unwrap(),
        );
        assert_eq!(session_token(&headers), Some(token));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("doudi_session=short"),
        );
        assert_eq!(session_token(&headers), None);
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_when_asked() {
        let cookie = session_cookie(&doudi_app::accounts::new_session_token(), true);
        let cookie = cookie.to_str().unwrap();
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Max-Age=28800",
            "Path=/",
        ] {
            assert!(cookie.contains(part), "{cookie} lacks {part}");
        }
        assert!(
            !session_cookie("ab", false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }
}
