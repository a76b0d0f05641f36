//! Limits on guessing passwords, kept in the memory of one server process.
//!
//! A login attempt passes three limits before its password is checked, and each counts the
//! attempt as a failure when it lets it through (a success then takes it back), so that a
//! burst of simultaneous guesses is counted in full before any of them is checked:
//!
//! - **by address**: [`ADDRESS_LIMIT`] failures from one client address within
//!   [`ADDRESS_WINDOW`] stop every further attempt from that address, whatever the login name,
//!   until the window ends. This bounds what one machine can try (and what it can write into
//!   the audit trail) across many names.
//! - **by login name and address**: [`LOCKOUT_THRESHOLD`] failures in a row of one name from
//!   one address lock that name *for that address*, a minute, doubling up to an hour
//!   ([`lockout_after`]). A stranger who guesses a colleague's password locks only
//!   themselves out; the colleague, at another address, logs in as usual.
//! - **by account**, in the database ([`doudi_store::Store::reserve_login`]): only after
//!   [`doudi_core::access::ACCOUNT_LOCKOUT_THRESHOLD`] failures in a row from anywhere is the
//!   account locked for everyone, which the two limits above keep out of reach of one
//!   address. For a login name without an account the same count is kept here
//!   ([`LoginThrottle::reserve_name`]), so that the answers for a name that exists and one
//!   that does not are the same: same status, same message, same checks.
//!
//! The password check itself (argon2, about 19 MiB and tens of milliseconds of CPU each) runs
//! on the blocking threads, at most [`LoginThrottle::hashing_slots`] at a time (the number of
//! cores); an attempt waits at most [`HASH_WAIT`] for a slot and is otherwise answered 503
//! ("busy"), so that a flood of logins cannot exhaust memory.
//!
//! The first two limits and the count for unknown names live in this process: several server
//! processes behind one address each allow their own share, and a restart forgets them. The
//! account's count is in the database and holds across processes and restarts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use doudi_core::access::{account_lockout_after, lockout_after};
use doudi_store::LoginReservation;
use tokio::sync::Semaphore;

pub use doudi_core::access::LOCKOUT_THRESHOLD;

/// How many failed logins one client address may make within [`ADDRESS_WINDOW`].
pub const ADDRESS_LIMIT: u32 = 30;
/// The window of [`ADDRESS_LIMIT`].
pub const ADDRESS_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// How long an attempt waits for a free password-checking slot before it is answered "busy".
pub const HASH_WAIT: Duration = Duration::from_secs(5);
/// Above this many remembered names and addresses, those without a live lock or window that
/// have been quiet for an hour are forgotten, so that a stream of invented names cannot grow
/// the tables without bound.
const PRUNE_ABOVE: usize = 10_000;

/// Why an attempt is refused before its password is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures from this client address: refused until then, whatever the name.
    Address(DateTime<Utc>),
    /// This name is locked (for this address, or everywhere) until then.
    Locked(DateTime<Utc>),
}

/// The limits of one server (shared by the clones of its [`crate::App`]).
#[derive(Clone, Debug)]
pub struct LoginThrottle(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    hashing: Arc<Semaphore>,
    slots: usize,
    /// Password checks running now, and the most ever running at once (for tests and for
    /// whoever wants to see the bound hold).
    running: AtomicUsize,
    most_running: AtomicUsize,
    tables: Mutex<Tables>,
}

#[derive(Debug, Default)]
struct Tables {
    /// (login name, client address) → failures in a row.
    pairs: HashMap<(String, String), Streak>,
    /// Login names without an account → failures in a row (an account's are in the database).
    names: HashMap<String, Streak>,
    /// Client address → failures in the current window.
    addresses: HashMap<String, Window>,
}

#[derive(Clone, Copy, Debug)]
struct Streak {
    failures: i64,
    locked_until: Option<DateTime<Utc>>,
    last: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug)]
struct Window {
    started: DateTime<Utc>,
    failures: u32,
}

/// An attempt let through the limits by address and by name and address; give it back with
/// [`LoginThrottle::succeeded`] or [`LoginThrottle::not_checked`].
#[derive(Debug)]
pub struct Ticket {
    name: String,
    address: String,
    /// Failures in a row of this name from this address, this attempt included.
    pub failures: i64,
    /// Until when this name is locked for this address, if this attempt's count locked it.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The password check could not start in time: too many attempts are being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

impl Default for LoginThrottle {
    fn default() -> LoginThrottle {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        LoginThrottle::with_slots(cores)
    }
}

impl LoginThrottle {
    /// Limits with this many simultaneous password checks (at least one).
    pub fn with_slots(slots: usize) -> LoginThrottle {
        let slots = slots.max(1);
        LoginThrottle(Arc::new(Inner {
            hashing: Arc::new(Semaphore::new(slots)),
            slots,
            running: AtomicUsize::new(0),
            most_running: AtomicUsize::new(0),
            tables: Mutex::new(Tables::default()),
        }))
    }

    /// How many passwords may be checked at once.
    pub fn hashing_slots(&self) -> usize {
        self.0.slots
    }

    /// The most password checks that ever ran at once.
    pub fn most_running(&self) -> usize {
        self.0.most_running.load(Ordering::SeqCst)
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        // A panic while holding the lock leaves counts that are still counts: go on with them.
        self.0
            .tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lets an attempt of `name` from `address` through the limits by address and by name and
    /// address, counting it as a failure of both, or says why not.
    pub fn reserve(
        &self,
        name: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Ticket, Refusal> {
        let mut guard = self.tables();
        let t = &mut *guard;
        if t.pairs.len() + t.names.len() + t.addresses.len() > PRUNE_ABOVE {
            t.prune(now);
        }
        let window = t.addresses.entry(address.to_owned()).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now >= window.started + ADDRESS_WINDOW {
            *window = Window {
                started: now,
                failures: 0,
            };
        }
        if window.failures >= ADDRESS_LIMIT {
            return Err(Refusal::Address(window.started + ADDRESS_WINDOW));
        }
        // Names are counted without case, so that "Admin" and "ADMIN" are one name here
        // whatever the accounts table makes of them.
        let name = name.to_lowercase();
        let streak = t
            .pairs
            .entry((name.clone(), address.to_owned()))
            .or_insert(Streak::new(now));
        if let Some(until) = streak.locked_until.filter(|u| *u > now) {
            // Refused attempts count against the address, so that hammering a locked name
            // soon stops the address altogether.
            if let Some(w) = t.addresses.get_mut(address) {
                w.failures += 1;
            }
            return Err(Refusal::Locked(until));
        }
        let locked_until = streak.fail(now, lockout_after);
        let failures = streak.failures;
        if let Some(w) = t.addresses.get_mut(address) {
            w.failures += 1;
        }
        Ok(Ticket {
            name,
            address: address.to_owned(),
            failures,
            locked_until,
        })
    }

    /// The account-wide count for a login name without an account, kept like an account's
    /// ([`doudi_store::Store::reserve_login`]) so that it answers alike.
    pub fn reserve_name(&self, name: &str, now: DateTime<Utc>) -> LoginReservation {
        let mut t = self.tables();
        let streak = t
            .names
            .entry(name.to_lowercase())
            .or_insert(Streak::new(now));
        if let Some(until) = streak.locked_until.filter(|u| *u > now) {
            return LoginReservation::Locked(until);
        }
        let locked_until = streak.fail(now, account_lockout_after);
        LoginReservation::Reserved {
            failures: streak.failures,
            locked_until,
        }
    }

    /// The attempt logged in: its name and address start again from zero, and it is not a
    /// failure of the address.
    pub fn succeeded(&self, ticket: Ticket) {
        let mut guard = self.tables();
        let t = &mut *guard;
        t.pairs.remove(&(ticket.name, ticket.address.clone()));
        if let Some(w) = t.addresses.get_mut(&ticket.address) {
            w.failures = w.failures.saturating_sub(1);
        }
    }

    /// The attempt's password was never checked (the server was busy): it is not counted.
    pub fn not_checked(&self, ticket: Ticket) {
        let mut guard = self.tables();
        let t = &mut *guard;
        if let Some(s) = t.pairs.get_mut(&(ticket.name, ticket.address.clone())) {
            s.failures = (s.failures - 1).max(0);
            if ticket.locked_until.is_some() && s.locked_until == ticket.locked_until {
                s.locked_until = None;
            }
        }
        if let Some(w) = t.addresses.get_mut(&ticket.address) {
            w.failures = w.failures.saturating_sub(1);
        }
    }

    /// Checks a password against a hash on a blocking thread, waiting at most [`HASH_WAIT`]
    /// for one of the [`LoginThrottle::hashing_slots`].
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, Busy> {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        self.hashing(move || crate::accounts::verify_password(&password, &hash))
            .await
    }

    /// Hashes a new password ([`crate::accounts::hash_password`]) in one of the same slots, so that
    /// password changes and resets share the bound with logins.
    pub async fn hash(&self, password: &str) -> Result<String, Busy> {
        let password = password.to_owned();
        self.hashing(move || crate::accounts::hash_password(&password))
            .await
    }

    async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = tokio::time::timeout(HASH_WAIT, self.0.hashing.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let now = inner.running.fetch_add(1, Ordering::SeqCst) + 1;
            inner.most_running.fetch_max(now, Ordering::SeqCst);
            let out = work();
            inner.running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            out
        })
        .await
        .map_err(|_| Busy)
    }
}

impl Streak {
    fn new(now: DateTime<Utc>) -> Streak {
        Streak {
            failures: 0,
            locked_until: None,
            last: now,
        }
    }

    /// Counts a failure; returns the new lock if this count sets one.
    fn fail(
        &mut self,
        now: DateTime<Utc>,
        back_off: fn(i64) -> Option<TimeDelta>,
    ) -> Option<DateTime<Utc>> {
        self.failures = self.failures.saturating_add(1);
        self.last = now;
        let until = back_off(self.failures).map(|lock| now + lock);
        if until.is_some() {
            self.locked_until = until;
        }
        until
    }
}

impl Tables {
    fn prune(&mut self, now: DateTime<Utc>) {
        let quiet = |s: &Streak| {
            s.locked_until.is_none_or(|u| u <= now) && now - s.last > TimeDelta::hours(1)
        };
        self.pairs.retain(|_, s| !quiet(s));
        self.names.retain(|_, s| !quiet(s));
        self.addresses
            .retain(|_, w| now < w.started + ADDRESS_WINDOW);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap()
    }

    #[test]
    fn a_name_locks_for_the_address_that_failed_only() {
        let throttle = LoginThrottle::with_slots(1);
        for i in 1..LOCKOUT_THRESHOLD {
            let ticket = throttle.reserve("admin", "10.0.0.66", t0()).unwrap();
            assert_eq!((ticket.failures, ticket.locked_until), (i, None));
        }
        let fifth = throttle.reserve("admin", "10.0.0.66", t0()).unwrap();
        assert_eq!(fifth.locked_until, Some(t0() + TimeDelta::minutes(1)));
        assert_eq!(
            throttle.reserve("admin", "10.0.0.66", t0()).unwrap_err(),
            Refusal::Locked(t0() + TimeDelta::minutes(1))
        );
        let colleague = throttle.reserve("admin", "10.0.0.7", t0()).unwrap();
        assert_eq!(colleague.failures, 1, "another address is not locked");
        throttle.succeeded(colleague);
    }

    #[test]
    fn an_address_that_fails_too_often_is_stopped_for_every_name_until_its_window_ends() {
        let throttle = LoginThrottle::with_slots(1);
        for i in 0..ADDRESS_LIMIT {
            throttle
                .reserve(&format!("name{i}"), "10.0.0.66", t0())
                .unwrap();
        }
        let until = t0() + ADDRESS_WINDOW;
        assert_eq!(
            throttle.reserve("someone", "10.0.0.66", t0()).unwrap_err(),
            Refusal::Address(until)
        );
        assert!(throttle.reserve("someone", "10.0.0.7", t0()).is_ok());
        assert!(throttle.reserve("someone", "10.0.0.66", until).is_ok());
    }

    #[test]
    fn a_success_does_not_count_against_the_address() {
        let throttle = LoginThrottle::with_slots(1);
        for _ in 0..ADDRESS_LIMIT * 2 {
            let ticket = throttle.reserve("qinglong", "10.0.0.1", t0()).unwrap();
            throttle.succeeded(ticket);
        }
        assert!(throttle.reserve("qinglong", "10.0.0.1", t0()).is_ok());
    }

    #[test]
    fn an_unknown_name_is_counted_like_an_account() {
        let throttle = LoginThrottle::with_slots(1);
        let threshold = doudi_core::access::ACCOUNT_LOCKOUT_THRESHOLD;
        for _ in 1..threshold {
            assert!(matches!(
                throttle.reserve_name("nobody", t0()),
                LoginReservation::Reserved {
                    locked_until: None,
                    ..
                }
            ));
        }
        let until = t0() + TimeDelta::minutes(1);
        assert_eq!(
            throttle.reserve_name("nobody", t0()),
            LoginReservation::Reserved {
                failures: threshold,
                locked_until: Some(until)
            }
        );
        assert_eq!(
            throttle.reserve_name("nobody", t0()),
            LoginReservation::Locked(until)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_passwords_are_checked_at_once_than_there_are_slots() {
        let throttle = LoginThrottle::with_slots(2);
        let hash = crate::accounts::hash_password("云阳2026!");
        let checks: Vec<_> = (0..12)
            .map(|i| {
                let (throttle, hash) = (throttle.clone(), hash.clone());
                tokio::spawn(async move { throttle.verify(&format!("guess {i}"), &hash).await })
            })
            .collect();
        for check in checks {
            assert_eq!(check.await.unwrap(), Ok(false));
        }
        assert!(throttle.most_running() >= 1);
        assert!(
            throttle.most_running() <= 2,
            "{} checks ran at once",
            throttle.most_running()
        );
    }
}
