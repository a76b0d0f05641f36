//! Middleware that applies to every request: a tracing span, security headers, and the CSRF check
//! of state-changing requests.

use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::auth::{self, CSRF_FIELD, CSRF_HEADER};
use crate::error::AppError;

/// The Content-Security-Policy of every response: only our own scripts and styles, no inline
/// code of any kind, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The largest form body the CSRF check reads.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// One span per request, named by the route pattern, never by the concrete path or the query
/// (which can hold a searched name or identity number).
pub async fn request_span(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let span = tracing::info_span!("request", method = %request.method(), route = %route);
    async move {
        let started = Instant::now();
        let response = next.run(request).await;
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "handled"
        );
        response
    }
    .instrument(span)
    .await
}

/// Answers 408 when a request takes longer than the configured time, body included (see
/// [`crate::WebConfig::request_timeout`]); the handler's future is dropped, which rolls back
/// any transaction it had open.
pub(crate) async fn time_limit(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(state.config.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            axum::http::StatusCode::REQUEST_TIMEOUT,
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            "请求超时：请求在规定时间内没有完成（可能是网络太慢或文件太大），没有保存任何内容，请重试。",
        )
            .into_response(),
    }
}

/// Security headers, and `no-store` for everything that is not a static file: pages hold
/// personal data and the PCs they are read on are shared.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert_with(|| HeaderValue::from_static("no-store"));
    response
}

/// Requires the session's CSRF token on every state-changing request that carries a session
/// cookie: in the `X-CSRF-Token` header, or in the `_csrf` field of a form.
///
/// A request without a session cookie passes through: its handler refuses it as unauthenticated.
/// Logging in is exempt, since there is no session yet.
pub async fn csrf(request: Request, next: Next) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    let path = request.uri().path();
    // The public's report form carries no session token: it is anonymous, checked as
    // same-site by its handler and throttled per address (`pages::disclosure`).
    if path == "/login" || path == "/api/login" || path == "/disclosure/report" {
        return next.run(request).await;
    }
    let Some(token) = auth::session_token(request.headers()) else {
        return next.run(request).await;
    };
    let expected = auth::csrf_token(&token);
    if let Some(given) = request.headers().get(CSRF_HEADER) {
        return if auth::tokens_match(given.as_bytes(), expected.as_bytes()) {
            next.run(request).await
        } else {
            AppError::CsrfRejected.into_response()
        };
    }
    if let Some(boundary) = crate::upload::boundary(request.headers()) {
        // A file upload: the token is the form's `_csrf` field, as in any form.
        let (mut parts, body) = request.into_parts();
        let bytes = match crate::upload::read_body(body).await {
            Ok(bytes) => bytes,
            Err(e) => return e.into_response(),
        };
        let upload = match crate::upload::parse(&boundary, bytes.clone()).await {
            Ok(upload) => upload,
            Err(e) => return e.into_response(),
        };
        if !auth::tokens_match(upload.get(CSRF_FIELD).as_bytes(), expected.as_bytes()) {
            return AppError::CsrfRejected.into_response();
        }
        // The handler's `Upload` takes the form read here instead of reading it again.
        parts.extensions.insert(upload);
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return AppError::CsrfRejected.into_response();
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::BadRequest("提交的表单过大或不完整".into()).into_response(),
    };
    if !auth::tokens_match(form_token(&bytes).unwrap_or_default(), expected.as_bytes()) {
        return AppError::CsrfRejected.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The value of the `_csrf` field of a URL-encoded form. The token is hex, so it needs no
/// decoding, and the field name has no characters that would be encoded.
fn form_token(body: &[u8]) -> Option<&[u8]> {
    let prefix = format!("{CSRF_FIELD}=");
    body.split(|b| *b == b'&')
        .find_map(|pair| pair.strip_prefix(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_field_is_found_anywhere_in_a_form() {
        assert_eq!(form_token(b"a=1&_csrf=abc&b=2"), Some(&b"abc"[..]));
        assert_eq!(form_token(b"_csrf=abc"), Some(&b"abc"[..]));
        assert_eq!(form_token(b"x_csrf=abc"), None);
        assert_eq!(form_token(b""), None);
    }

    #[test]
    fn the_policy_allows_no_inline_code() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
    }
}
