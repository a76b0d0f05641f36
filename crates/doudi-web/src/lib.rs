//! The doudi web application: the pages caseworkers of Yunyang County use to file and keep up to
//! date urban households in special hardship (城市低保, 城市特困; 3.1, 4.2.a), and the same
//! operations as a JSON API with an OpenAPI document.
//!
//! [`router`] builds the whole application from one table of routes, each with its permission
//! ([`ROUTES`]). Every page and API call resolves the session to an [`doudi_core::Actor`] and
//! hands it to every store call; the store decides what the actor may see and do (5.1).
//!
//! **Invariant:** no handler reads or writes household data except through [`doudi_store::Store`]
//! with the session's actor; the web layer adds no access rule the store does not also enforce.
//!
//! **Invariant:** pages contain no inline script or style; the Content-Security-Policy forbids
//! them, and every state-changing request with a session carries its CSRF token.

mod api;
mod api_casework;
mod assets;
pub mod auth;
pub mod casework;
pub mod dto;
mod error;
mod extract;
mod forms;
mod input;
mod middleware;
mod pages;
mod routes;
pub mod throttle;
mod view;
mod vocab;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::middleware::from_fn;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

pub use api::openapi;
pub use error::{ErrorBody, FieldErrors};
pub use middleware::CONTENT_SECURITY_POLICY;
pub use routes::{Permission, ROUTES, Route, api_routes};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn doudi_store::Store>,
    /// Configuration.
    pub config: WebConfig,
}

/// Configuration of the web application.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// A fixed "today", for tests; `None` means today in China (UTC+8).
    pub today: Option<NaiveDate>,
    /// The policy parameters in force; `None` means the built-in Yunyang set.
    pub parameters: Option<Arc<doudi_policy::params::Parameters>>,
    /// Served behind a reverse proxy: the audit trail records the client address the proxy
    /// appended to `X-Forwarded-For` instead of the connection's (the proxy's) address.
    pub trust_proxy: bool,
    /// Where sessions and the login lockout read the time.
    pub clock: Clock,
    /// The limits on guessing passwords (by address, by name and address) and on password
    /// checks at once; clones share them.
    pub login_throttle: throttle::LoginThrottle,
}

/// The time as sessions and the login lockout see it: the system clock, or (in tests) a clock
/// that stands still until it is moved, so that expiry and lockout are tested without waiting.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    /// A clock that reads `at` until it is moved.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock(Some(Arc::new(Mutex::new(at))))
    }

    /// The time now.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(at) => *at.lock().expect("nothing panics while holding the clock"),
        }
    }

    /// Moves a fixed clock forward (the system clock moves by itself).
    pub fn advance(&self, by: TimeDelta) {
        if let Some(at) = &self.0 {
            *at.lock().expect("nothing panics while holding the clock") += by;
        }
    }
}

impl AppState {
    /// The time now, by the configured clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    /// Today's date in China, unless the configuration fixes it.
    pub fn today(&self) -> NaiveDate {
        self.config
            .today
            .unwrap_or_else(|| (Utc::now() + TimeDelta::hours(8)).date_naive())
    }
}

/// The whole application: pages, API, static files, every route with its permission.
pub fn router(state: AppState) -> Router {
    routes::router(&state)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn(input::refuse_control_characters))
        .layer(from_fn(middleware::csrf))
        .layer(from_fn(input::catch_panic))
        .layer(from_fn(error::render_errors))
        .layer(from_fn(middleware::security_headers))
        .layer(from_fn(middleware::request_span))
        .with_state(state)
}

async fn not_found() -> error::AppError {
    error::AppError::NotFound
}

async fn method_not_allowed() -> error::AppError {
    error::AppError::MethodNotAllowed
}
