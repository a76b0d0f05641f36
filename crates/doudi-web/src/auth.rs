//! Passwords, sessions and CSRF tokens.
//!
//! A session is a random 32-byte token in the `doudi_session` cookie (HttpOnly, SameSite=Strict,
//! Secure when configured). It ends 8 hours after login however busy it is (absolute expiry),
//! after 30 minutes without a request (idle expiry), when its user logs out everywhere or
//! changes the password, and when an administrator disables, resets or reassigns the account;
//! all of this is checked by the store on every request, never by the cookie's lifetime alone.
//! The database keeps only the token's SHA-256, so a copy of the database does not let anyone
//! log in.
//!
//! Five failed logins in a row lock the account for a minute, each further failure doubles the
//! lock up to an hour ([`doudi_core::access::lockout_after`]); the count lives in the database,
//! so it holds across processes, and a successful login resets it. The CSRF token of a session is another SHA-256 of the
//! token, with a different prefix, so it cannot be computed from the stored hash either.
//!
//! Every handler that shows or changes household data takes a [`CurrentUser`], which resolves the
//! session to the user and the [`Actor`] that every store call receives, with the client
//! address the audit trail records: the connection's peer address, or, when the server is
//! configured to trust a reverse proxy (`WebConfig::trust_proxy`), the last address of the
//! `X-Forwarded-For` header, which is the one that proxy added. (Earlier addresses in that header
//! come from the client and could be anything, so they are never used.)

use std::net::{IpAddr, SocketAddr};
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{DateTime, TimeDelta, Utc};
use doudi_core::{Actor, Role, Scope};
use doudi_store::{AuditAction, LoginReservation, UserRecord};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::AppError;
use crate::throttle::{Busy, Refusal};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "doudi_session";
/// The header API clients send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The hidden form field pages send the CSRF token in.
pub const CSRF_FIELD: &str = "_csrf";
/// How long a session lasts at most.
pub const SESSION_HOURS: i64 = 8;
/// How long a session lasts without a request.
pub const IDLE_MINUTES: i64 = 30;

/// Hashes a password with argon2id (default parameters, random salt) into a PHC string.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system provides random numbers");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password")
        .to_string()
}

/// Whether a password matches a PHC string from [`hash_password`]; false for a malformed hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the login name does not exist, so that a wrong name takes as
/// long as a wrong password and does not reveal which names exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("doudi 并不存在的用户"));

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// A new random session token: 32 bytes, hex-encoded.
pub(crate) fn new_session_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random numbers");
    hex(&bytes)
}

/// What the database stores for a session token.
pub(crate) fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The CSRF token of the session with this token.
pub(crate) fn csrf_token(session_token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"doudi csrf v1\n");
    hasher.update(session_token.as_bytes());
    hex(&hasher.finalize())
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

/// What came of a login attempt.
pub(crate) enum LoginOutcome {
    /// Logged in: the user and the new session token.
    LoggedIn(UserRecord, String),
    /// A wrong name or password (which of the two, neither page nor API reveals).
    Failed,
    /// Too many failures in a row of this name (from this address, or from everywhere):
    /// locked until then (also when this failure locked it). Said alike for a name without an
    /// account.
    Locked(DateTime<Utc>),
    /// Too many failures from the client's address, whatever the name: refused until then.
    AddressLimited(DateTime<Utc>),
    /// The right password for a disabled account.
    Disabled,
}

/// Checks a login name and password and, when they match, opens a session. The attempt first
/// passes the limits of [`crate::throttle`] (by address, by name and address, by account),
/// each of which counts it as a failure before the password is checked, so that simultaneous
/// guesses are all counted; a success takes the counts back. While a limit holds the password
/// is not even checked. Every attempt that fails is recorded in the audit trail (never with
/// the password), except those refused for their address, which would otherwise let one
/// machine grow the trail without bound. A login name without an account is answered exactly
/// as one with an account: the same limits, a check against a dummy hash, the same messages.
pub(crate) async fn log_in(
    state: &AppState,
    username: &str,
    password: &str,
    client: &ClientAddr,
) -> Result<LoginOutcome, AppError> {
    let now = state.now();
    let name = username.trim();
    let throttle = &state.config.login_throttle;
    let user = state.app.store().user_by_username(name).await?;
    let failed = |detail: String| {
        let (actor, target) = match &user {
            Some(u) => (client.applied_to(u.actor()), format!("user:{}", u.id)),
            // An unknown login name is recorded without the name, since people type passwords
            // into the wrong field.
            None => (
                client.applied_to(unknown_actor()),
                "user:unknown".to_owned(),
            ),
        };
        async move {
            state
                .app
                .store()
                .record_audit(&actor, AuditAction::LoginFailed, &target, &detail)
                .await
        }
    };
    let ticket = match throttle.reserve(name, &client.0, now) {
        Ok(ticket) => ticket,
        Err(Refusal::Address(until)) => {
            tracing::warn!("login refused: too many failures from the client address");
            return Ok(LoginOutcome::AddressLimited(until));
        }
        Err(Refusal::Locked(until)) => {
            failed("账户锁定中（该地址），未核对密码".into()).await?;
            return Ok(LoginOutcome::Locked(until));
        }
    };
    // The account-wide count: in the database for an account, here for a name without one.
    let account = match &user {
        Some(u) => state.app.store().reserve_login(u.id, now).await?,
        None => throttle.reserve_name(name, now),
    };
    let account_lock = match account {
        LoginReservation::Locked(until) => {
            // The ticket stays counted against the name and the address, so that hammering a
            // locked account soon stops the address (and its audit entries).
            failed("账户锁定中，未核对密码".into()).await?;
            return Ok(LoginOutcome::Locked(until));
        }
        LoginReservation::Reserved { locked_until, .. } => locked_until,
    };
    let hash = user
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let matches = match throttle.verify(password, &hash).await {
        Ok(matches) => matches,
        Err(Busy) => {
            // Not checked, so not a failure of this address. The account's count keeps it:
            // the limits by address already bound how many such attempts anyone can make.
            throttle.not_checked(ticket);
            return Err(AppError::Busy);
        }
    };
    let lock = ticket.locked_until.max(account_lock);
    let Some(user) = user.as_ref().filter(|_| matches) else {
        failed(format!(
            "密码错误或账户不存在（该地址连续第{}次）",
            ticket.failures
        ))
        .await?;
        return Ok(match lock {
            Some(until) => LoginOutcome::Locked(until),
            None => LoginOutcome::Failed,
        });
    };
    if user.disabled {
        failed("账户已停用".into()).await?;
        return Ok(LoginOutcome::Disabled);
    }
    throttle.succeeded(ticket);
    state.app.store().login_succeeded(user.id).await?;
    let token = new_session_token();
    let expires = now + TimeDelta::hours(SESSION_HOURS);
    state
        .app
        .store()
        .create_session(&token_hash(&token), user.id, now, expires)
        .await?;
    state
        .app
        .store()
        .record_audit(
            &client.applied_to(user.actor()),
            AuditAction::Login,
            &format!("user:{}", user.id),
            "",
        )
        .await?;
    tracing::info!(user_id = user.id, "logged in");
    Ok(LoginOutcome::LoggedIn(user.clone(), token))
}

/// Ends every session of the session's user, this one included, and records it; returns how
/// many sessions ended.
pub(crate) async fn log_out_everywhere(
    state: &AppState,
    session: &Session,
) -> Result<u64, AppError> {
    let ended = state
        .app
        .store()
        .end_sessions(session.user.id, None)
        .await?;
    state
        .app
        .store()
        .record_audit(
            &session.actor,
            AuditAction::Logout,
            &format!("user:{}", session.user.id),
            &format!("在所有设备上退出，结束{ended}个会话"),
        )
        .await?;
    tracing::info!(user_id = session.user.id, ended, "logged out everywhere");
    Ok(ended)
}

/// Whoever tried to log in with a login name that does not exist.
fn unknown_actor() -> Actor {
    Actor {
        user_id: 0,
        username: String::new(),
        display_name: String::new(),
        role: Role::System,
        scope: Scope::County,
        department: None,
        client: String::new(),
        purpose: String::new(),
    }
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
}

impl Session {
    /// The session of a request: its cookie's session, if live (see the module documentation).
    pub(crate) async fn resolve(parts: &Parts, state: &AppState) -> Result<Session, AppError> {
        let token = session_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
        let token_hash = token_hash(&token);
        let user = state
            .app
            .store()
            .session_user(&token_hash, state.now(), TimeDelta::minutes(IDLE_MINUTES))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let client = ClientAddr::of(parts, state);
        Ok(Session {
            actor: client.applied_to(user.actor()),
            csrf: csrf_token(&token),
            user,
            token_hash,
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
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("云阳2026!");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("云阳2026!", &hash));
        assert!(!verify_password("云阳2025!", &hash));
        assert!(!verify_password("云阳2026!", "not a hash"));
    }

    #[test]
    fn session_tokens_are_random_and_only_their_hash_is_stored() {
        let (a, b) = (new_session_token(), new_session_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_ne!(csrf_token(&a), token_hash(&a));
        assert_eq!(csrf_token(&a), csrf_token(&a));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let token = new_session_token();
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
        let cookie = session_cookie(&new_session_token(), true);
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
