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
mod api_discovery;
mod assets;
mod auth;
pub mod dto;
mod error;
mod extract;
mod forms;
mod input;
mod middleware;
mod pages;
mod routes;
mod upload;
mod view;
mod vocab;

use axum::Router;
use axum::middleware::from_fn;
use chrono::{DateTime, NaiveDate, Utc};
pub use doudi_app::{App, Clock};

pub use api::openapi;
pub use error::{ErrorBody, FieldErrors};
pub use middleware::CONTENT_SECURITY_POLICY;
pub use routes::{Permission, ROUTES, Route, api_routes};

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The use cases, with the store, the parameters in force and the clock.
    pub app: App,
    /// Configuration of the web layer.
    pub config: WebConfig,
    /// The household imports running or recently finished in this process.
    pub(crate) imports: pages::import::Imports,
}

/// Configuration of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Served behind a reverse proxy: the audit trail records the client address the proxy
    /// appended to `X-Forwarded-For` instead of the connection's (the proxy's) address.
    pub trust_proxy: bool,
    /// How long a request may take, from its headers to its answer, body included: a client
    /// that sends its body slowly (or never) is answered 408 and its connection's slot freed,
    /// and a half-done write is rolled back.
    pub request_timeout: std::time::Duration,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            secure_cookies: false,
            trust_proxy: false,
            request_timeout: std::time::Duration::from_secs(120),
        }
    }
}

impl AppState {
    /// The web application over `app`.
    pub(crate) fn new(app: App, config: WebConfig) -> AppState {
        AppState {
            app,
            config,
            imports: Default::default(),
        }
    }

    /// The time now, by the application's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.app.now()
    }

    /// Today's date in China, by the application's clock.
    pub fn today(&self) -> NaiveDate {
        self.app.today()
    }
}

/// The whole application over `app`: pages, API, static files, every route with its
/// permission.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState::new(app, config);
    routes::router(&state)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn(input::refuse_control_characters))
        .layer(from_fn(middleware::csrf))
        .layer(from_fn(input::catch_panic))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::time_limit,
        ))
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
