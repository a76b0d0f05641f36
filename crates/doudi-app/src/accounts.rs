//! Accounts and sessions, the part that is not HTTP: passwords and their rules, logging in
//! through the limits on guessing, sessions by the hash of their token, logging out, changing
//! one's own password, and the administrator's temporary passwords. The web crate keeps the
//! cookie, the CSRF token and the client address; the binary's `doudi user` commands call the
//! same functions.
//!
//! A session is a random 32-byte token ([`new_session_token`]). It ends [`SESSION_HOURS`] after
//! login however busy it is (absolute expiry), after [`IDLE_MINUTES`] without a request (idle
//! expiry), when its user logs out everywhere or changes the password, and when an
//! administrator disables, resets or reassigns the account; all of this is checked by the store
//! on every request. The database keeps only the token's SHA-256 ([`token_hash`]), so a copy
//! of the database does not let anyone log in.
//!
//! Five failed logins in a row lock the name for a minute, each further failure doubles the lock
//! up to an hour ([`doudi_core::access::lockout_after`]); see [`crate::throttle`] for the three
//! limits an attempt passes before its password is checked.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, TimeDelta, Utc};
use doudi_core::{Actor, Role, Scope};
use doudi_store::{AccountChange, AuditAction, LoginReservation, NewUser, UserRecord};
use sha2::{Digest, Sha256};

use crate::throttle::{Busy, Refusal};
use crate::{App, Error};

/// How long a session lasts at most.
pub const SESSION_HOURS: i64 = 8;
/// How long a session lasts without a request, unless the server is told otherwise
/// ([`App::with_idle`]).
pub const IDLE_MINUTES: i64 = 30;
/// The fewest characters a password may have (the initial, temporary and own passwords alike).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most characters a password may have: argon2 takes any length, but a megabyte of
/// "password" is an attack on the hashing slots, not a password.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Hashes a password with argon2id (default parameters, random salt) into a PHC string. Slow
/// on purpose (tens of milliseconds): a server hashes through [`App::hash_password`], which
/// takes one of the limited hashing slots.
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

/// What is wrong with `password` as a new password, in Chinese (`what` names it: 新密码,
/// 临时密码, 初始密码), or `None` when the rules accept it. The one place the password rules
/// live: the password page, the administrator's pages and `doudi user` all ask here.
pub fn password_problem(password: &str, what: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Some(format!("{what}至少{MIN_PASSWORD_CHARS}个字符"))
    } else if chars > MAX_PASSWORD_CHARS {
        Some(format!("{what}最多{MAX_PASSWORD_CHARS}个字符"))
    } else if password.trim() != password {
        Some(format!("{what}不能以空格开头或结尾"))
    } else {
        None
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
pub fn new_session_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random numbers");
    hex(&bytes)
}

/// What the database stores for a session token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Another SHA-256 of a session token, with its own prefix (`purpose`), so that it cannot be
/// computed from the stored [`token_hash`]: the web's CSRF token is one.
pub fn derived_token(purpose: &str, session_token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(purpose.as_bytes());
    hasher.update(session_token.as_bytes());
    hex(&hasher.finalize())
}

/// What came of a login attempt.
#[derive(Debug)]
pub enum LoginOutcome {
    /// Logged in: the user and the new session token.
    LoggedIn(Box<UserRecord>, String),
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

/// A new account, with its initial password in clear (checked and hashed by
/// [`App::create_user`]).
#[derive(Debug)]
pub struct NewAccount {
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Scope.
    pub scope: Scope,
    /// Department (department officers only).
    pub department: Option<doudi_core::Department>,
    /// The initial password, to be changed at first login.
    pub password: String,
}

/// A user's own password change, as typed.
#[derive(Debug)]
pub struct PasswordChange<'a> {
    /// The current password.
    pub current: &'a str,
    /// The new password.
    pub new: &'a str,
    /// The new password again.
    pub confirm: &'a str,
}

/// The actor `actor`, acting from `client` (an address, for the audit trail).
fn from(client: &str, mut actor: Actor) -> Actor {
    actor.client = client.to_owned();
    actor
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

impl App {
    /// Checks a login name and password and, when they match, opens a session. The attempt
    /// first passes the limits of [`crate::throttle`] (by address, by name and address, by
    /// account), each of which counts it as a failure before the password is checked, so that
    /// simultaneous guesses are all counted; a success takes the counts back. While a limit
    /// holds the password is not even checked. Every attempt that fails is recorded in the
    /// audit trail (never with the password), except those refused for their address, which
    /// would otherwise let one machine grow the trail without bound. A login name without an
    /// account is answered exactly as one with an account: the same limits, a check against a
    /// dummy hash, the same messages. `client` is the address the attempt came from.
    pub async fn log_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<LoginOutcome, Error> {
        let now = self.now();
        let name = username.trim();
        let throttle = &self.logins;
        let store = self.store();
        let user = store.user_by_username(name).await?;
        let failed = |detail: String| {
            let (actor, target) = match &user {
                Some(u) => (from(client, u.actor()), format!("user:{}", u.id)),
                // An unknown login name is recorded without the name, since people type
                // passwords into the wrong field.
                None => (from(client, unknown_actor()), "user:unknown".to_owned()),
            };
            async move {
                store
                    .record_audit(&actor, AuditAction::LoginFailed, &target, &detail)
                    .await
            }
        };
        let ticket = match throttle.reserve(name, client, now) {
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
            Some(u) => store.reserve_login(u.id, now).await?,
            None => throttle.reserve_name(name, now),
        };
        let account_lock = match account {
            LoginReservation::Locked(until) => {
                // The ticket stays counted against the name and the address, so that hammering
                // a locked account soon stops the address (and its audit entries).
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
                return Err(Error::Busy);
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
        store.login_succeeded(user.id).await?;
        let token = new_session_token();
        let expires = now + TimeDelta::hours(SESSION_HOURS);
        store
            .create_session(&token_hash(&token), user.id, now, expires)
            .await?;
        store
            .record_audit(
                &from(client, user.actor()),
                AuditAction::Login,
                &format!("user:{}", user.id),
                "",
            )
            .await?;
        tracing::info!(user_id = user.id, "logged in");
        Ok(LoginOutcome::LoggedIn(Box::new(user.clone()), token))
    }

    /// The user of a live session with this token (`None`: no such session, or it has ended),
    /// with the token's stored hash. Using it keeps the session alive.
    pub async fn session(&self, token: &str) -> Result<Option<(UserRecord, String)>, Error> {
        let hash = token_hash(token);
        let user = self
            .store()
            .session_user(&hash, self.now(), self.idle())
            .await?;
        Ok(user.map(|u| (u, hash)))
    }

    /// Ends the session whose token hashes to `token_hash`, and records it.
    pub async fn log_out(&self, actor: &Actor, token_hash: &str) -> Result<(), Error> {
        self.store().delete_session(token_hash).await?;
        self.store()
            .record_audit(
                actor,
                AuditAction::Logout,
                &format!("user:{}", actor.user_id),
                "",
            )
            .await?;
        Ok(())
    }

    /// Ends every session of the actor's user, the current one included, and records it;
    /// returns how many sessions ended.
    pub async fn log_out_everywhere(&self, actor: &Actor) -> Result<u64, Error> {
        let ended = self.store().end_sessions(actor.user_id, None).await?;
        self.store()
            .record_audit(
                actor,
                AuditAction::Logout,
                &format!("user:{}", actor.user_id),
                &format!("在所有设备上退出，结束{ended}个会话"),
            )
            .await?;
        tracing::info!(user_id = actor.user_id, ended, "logged out everywhere");
        Ok(ended)
    }

    /// Hashes a new password in one of the server's hashing slots ([`crate::throttle`]), after
    /// checking it against the rules ([`password_problem`]; `field` and `what` name it in the
    /// error).
    pub async fn hash_password(
        &self,
        password: &str,
        field: &'static str,
        what: &str,
    ) -> Result<String, Error> {
        if let Some(problem) = password_problem(password, what) {
            return Err(Error::invalid(field, problem));
        }
        self.logins.hash(password).await.map_err(|Busy| Error::Busy)
    }

    /// Changes the user's own password: the current one must be right, the new one follow the
    /// rules, differ from the current one and be typed twice alike. Every problem is reported
    /// at once, by field (`current`, `new`, `confirm`). The user's other sessions end; the one
    /// whose token hashes to `keep` goes on.
    pub async fn change_own_password(
        &self,
        user: &UserRecord,
        keep: &str,
        change: PasswordChange<'_>,
    ) -> Result<(), Error> {
        let mut problems = Vec::new();
        if let Some(problem) = password_problem(change.new, "新密码") {
            problems.push(("new", problem));
        } else if change.new == change.current {
            problems.push(("new", "新密码不能与当前密码相同".to_owned()));
        }
        if change.confirm != change.new {
            problems.push(("confirm", "两次输入的新密码不一致".to_owned()));
        }
        let current_ok = self
            .logins
            .verify(change.current, &user.password_hash)
            .await
            .map_err(|Busy| Error::Busy)?;
        if !current_ok {
            problems.push(("current", "当前密码不正确".to_owned()));
        }
        if !problems.is_empty() {
            return Err(Error::Fields(problems));
        }
        let hash = self
            .logins
            .hash(change.new)
            .await
            .map_err(|Busy| Error::Busy)?;
        self.store()
            .set_password(user.id, &hash, Some(keep))
            .await?;
        tracing::info!(user_id = user.id, "password changed");
        Ok(())
    }

    /// Creates an account whose initial password must be changed at first login; returns its
    /// id. The password follows the rules ([`password_problem`]); the store checks the role,
    /// scope and department together and that the actor may create accounts.
    pub async fn create_user(&self, actor: &Actor, account: NewAccount) -> Result<i64, Error> {
        let password_hash = self
            .hash_password(&account.password, "password", "初始密码")
            .await?;
        let user = NewUser {
            username: account.username,
            display_name: account.display_name,
            role: account.role,
            scope: account.scope,
            department: account.department,
            password_hash,
            must_change_password: true,
        };
        Ok(self.store().create_user(actor, &user).await?)
    }

    /// Gives an account a temporary password, to be changed at the next login; its sessions
    /// end.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        user_id: i64,
        password: &str,
    ) -> Result<UserRecord, Error> {
        let password_hash = self.hash_password(password, "password", "临时密码").await?;
        Ok(self
            .store()
            .change_user(
                actor,
                user_id,
                &AccountChange::ResetPassword { password_hash },
            )
            .await?)
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
        assert_ne!(derived_token("csrf", &a), token_hash(&a));
        assert_eq!(derived_token("csrf", &a), derived_token("csrf", &a));
    }

    #[test]
    fn the_password_rules_name_the_password_and_what_is_wrong() {
        for (password, problem) in [
            ("短密码123", Some("新密码至少10个字符")),
            ("云阳县民政局2026年", None),
            ("abcdefghij", None),
            (" abcdefghij", Some("新密码不能以空格开头或结尾")),
            ("abcdefghij\t", Some("新密码不能以空格开头或结尾")),
        ] {
            assert_eq!(
                password_problem(password, "新密码").as_deref(),
                problem,
                "{password:?}"
            );
        }
        assert_eq!(
            password_problem(&"密".repeat(129), "临时密码").as_deref(),
            Some("临时密码最多128个字符")
        );
        assert_eq!(password_problem(&"密".repeat(128), "临时密码"), None);
    }
}
