//! The use cases of doudi: what a caseworker, the county or a command does, written once over
//! the store and the rules. The web crate turns HTTP requests into calls of [`App`] and its
//! results into pages and JSON; the binary turns command lines into the same calls.
//!
//! Where each capability lives (ARCHITECTURE.md has the whole map):
//! - [`accounts`]: passwords and their rules, logging in, sessions, logging out, accounts'
//!   passwords; [`throttle`] the limits on guessing passwords;
//! - [`casework`]: approval with a frozen decision, restatement, a member's death, reviews;
//! - [`entitlement`]: what a household is owed in a month, and why;
//! - [`care`]: tekun care (2.2.b): routing a centralisation to its institution, and the
//!   township's share of 失能 tekun in centralised care;
//! - [`frozen`]: the household as a decision froze it, replayable;
//! - [`registry`]: households in from a county's file and out to one;
//! - [`carried`]: the benefits a county brings, checked against the rules and confirmed;
//! - [`discovery`]: department data in, people matched, facts turned into alerts (5.3);
//! - [`exchange`]: the lists departments are owed, out (5.3);
//! - [`chain`]: one assistance chain per household, every event on one timeline;
//! - [`employment`]: the zero-employment households (2.7);
//! - [`figures`]: the departments' figures per township, counts only.
//!
//! **Invariant:** this crate knows nothing of HTTP, HTML or the command line (no axum, no
//! askama, no clap), and reads the time only from its [`Clock`].

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::Month;
pub use doudi_core::clock::Clock;
use doudi_policy::Resolved;
use doudi_policy::params::Parameters;
use doudi_store::{Store, StoreError};

pub mod accounts;
pub mod care;
pub mod carried;
pub mod casework;
pub mod chain;
pub mod dashboard;
pub mod disaster;
pub mod discovery;
pub mod employment;
pub mod entitlement;
pub mod exchange;
pub mod figures;
pub mod frozen;
pub mod funds;
pub mod housing;
pub mod inspections;
pub mod jobs;
pub mod medical;
pub mod pairing;
pub mod payments;
pub mod registry;
pub mod schooling;
pub mod services;
pub mod social;
pub mod throttle;
pub mod visits;

/// Why a use case could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store refused (not found, forbidden, a stale version, bad data…).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The rules refuse, said in Chinese for the caseworker.
    #[error("{0}")]
    Rules(String),
    /// An input is wrong: the field and what is wrong with it, in Chinese.
    #[error("{field}：{message}")]
    Invalid {
        /// The field (form field or JSON member) at fault.
        field: &'static str,
        /// What is wrong, in Chinese.
        message: String,
    },
    /// Several inputs are wrong: each field and what is wrong with it, in Chinese.
    #[error("{}", .0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；"))]
    Fields(Vec<(&'static str, String)>),
    /// Every password-checking slot stayed busy: try again shortly ([`throttle`]).
    #[error("服务器繁忙，请稍后再试")]
    Busy,
}

impl Error {
    /// An invalid input in `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// The application: the store, the policy parameters in force and the clock, shared by every
/// request and command (cheap to clone).
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    parameters: Arc<Parameters>,
    clock: Clock,
    logins: throttle::LoginThrottle,
    reports: inspections::ReportThrottle,
    idle: chrono::TimeDelta,
    dashboards: Arc<dashboard::Built>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.store.backend())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// The built-in Yunyang parameter set, parsed once per process.
pub fn yunyang() -> Arc<Parameters> {
    static BUILT_IN: OnceLock<Arc<Parameters>> = OnceLock::new();
    BUILT_IN
        .get_or_init(|| Arc::new(Parameters::yunyang()))
        .clone()
}

impl App {
    /// An application over `store` with `parameters` (`None`: the built-in Yunyang set),
    /// reading the time from `clock`.
    pub fn new(store: Arc<dyn Store>, parameters: Option<Arc<Parameters>>, clock: Clock) -> App {
        App {
            store,
            parameters: parameters.unwrap_or_else(yunyang),
            clock,
            logins: throttle::LoginThrottle::default(),
            reports: inspections::ReportThrottle::default(),
            idle: chrono::TimeDelta::minutes(accounts::IDLE_MINUTES),
            dashboards: Arc::default(),
        }
    }

    /// The same application whose sessions end after `idle` without a request (the default is
    /// [`accounts::IDLE_MINUTES`]); at least a minute.
    pub fn with_idle(mut self, idle: chrono::TimeDelta) -> App {
        self.idle = idle.max(chrono::TimeDelta::minutes(1));
        self
    }

    /// How long a session lasts without a request.
    pub fn idle(&self) -> chrono::TimeDelta {
        self.idle
    }

    /// The same application with other limits on guessing passwords (the default allows as
    /// many password checks at once as there are cores).
    pub fn with_login_throttle(mut self, logins: throttle::LoginThrottle) -> App {
        self.logins = logins;
        self
    }

    /// The limits on guessing passwords of this process.
    pub fn logins(&self) -> &throttle::LoginThrottle {
        &self.logins
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The store, to share.
    pub fn shared_store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The policy parameters in force.
    pub fn parameters(&self) -> &Parameters {
        &self.parameters
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The time now.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in China.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The parameters in force in `month`.
    pub fn resolved(&self, month: Month) -> Result<Resolved, Error> {
        Resolved::new(&self.parameters, month)
            .map_err(|e| Error::Rules(format!("{month}的政策参数无法使用：{e}")))
    }

    /// The casework limits (notice days, time limits) in force on `day`.
    pub fn case_limits(&self, day: NaiveDate) -> doudi_core::casework::Limits {
        Resolved::new(&self.parameters, Month::of(day))
            .map(|r| r.case_limits())
            .unwrap_or_default()
    }
}

/// Reads an optional month given as text (a form field or query parameter `field`): empty
/// means the month of `today`.
pub fn month_or_current(
    text: Option<&str>,
    today: NaiveDate,
    field: &'static str,
) -> Result<Month, Error> {
    match text.map(str::trim) {
        None | Some("") => Ok(Month::of(today)),
        Some(s) => Month::parse(s).map_err(|e| Error::invalid(field, e.to_string())),
    }
}
