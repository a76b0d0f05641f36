//! Static files, embedded in the binary and served with long cache lifetimes. Pages refer to them
//! with `?v=` and a hash of their contents, so a new build is fetched at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::AppError;

const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/app.js"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/htmx.min.js"),
    ),
    (
        "visits.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/visits.js"),
    ),
    (
        "dashboard.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/dashboard.js"),
    ),
    (
        "echarts.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/echarts.min.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../static/favicon.svg"),
    ),
];

/// A short hash of all static files, appended to their URLs to bust caches.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    for (name, _, body) in FILES {
        hasher.update(name.as_bytes());
        hasher.update(body.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
});

/// A static file by name.
pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    let Some((_, content_type, body)) = FILES.iter().find(|(name, _, _)| *name == file) else {
        return AppError::NotFound.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        *body,
    )
        .into_response()
}
