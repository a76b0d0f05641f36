//! Guards at the edge that no handler has to remember: text with control characters is refused
//! before any handler sees it, and a handler that panics still answers with the Chinese error
//! page (or JSON body) instead of dropping the connection.
//!
//! Why control characters are refused in one place: PostgreSQL's `text` cannot hold a NUL byte,
//! so a NUL in any field (a login name, a search, a household's address) made the database call
//! fail and the request answer 500; SQLite would store it, invisible on every screen. No field of
//! the registry has a use for control characters other than tab and line breaks, so the address,
//! the query string and form and JSON bodies are checked here, and the caller is told which field
//! holds one.

use std::panic::AssertUnwindSafe;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use serde_json::Value;

use crate::error::{AppError, FieldErrors};

/// The largest form or JSON body read to be checked; larger bodies are refused (axum's own
/// limit for forms and JSON is the same 2 MiB).
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// What a field holding a control character is told.
const CONTROL_MESSAGE: &str = "不能含有控制字符（如空字符 NUL、退格等不可见字符）";

/// Whether a character is a control character no field may hold: every C0 and C1 control
/// character and DEL, except tab, line feed and carriage return (a multi-line text area sends
/// `\r\n`).
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Refuses a request whose address, query string, form body or JSON body holds a control
/// character ([`is_forbidden`]): 400 for the address, 422 naming the field otherwise.
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    if has_forbidden(&percent_decode(request.uri().path().as_bytes(), false)) {
        return AppError::BadRequest("网址中含有控制字符（如空字符 NUL），无法处理".into())
            .into_response();
    }
    if let Some(query) = request.uri().query()
        && let Some(field) = forbidden_pair(query.as_bytes())
    {
        return refused(field);
    }
    let kind = body_kind(&request);
    if kind == BodyKind::Other {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) if crate::upload::over_limit(&e) => {
            return AppError::TooLarge(format!(
                "提交的内容过大：一次最多{} MB，请分批提交，本次未保存任何内容",
                MAX_BODY_BYTES / 1024 / 1024
            ))
            .into_response();
        }
        Err(_) => {
            return AppError::BadRequest("提交的内容不完整（连接中断），未保存任何内容".into())
                .into_response();
        }
    };
    let field = match kind {
        BodyKind::Form => forbidden_pair(&bytes),
        // A body that is not JSON at all is left to the handler, which says so.
        // Parsed to name the field only when the raw text could hold one: almost every body
        // is then parsed once, by its handler.
        BodyKind::Json if json_may_hold_forbidden(&bytes) => {
            serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|value| forbidden_in_json(&value, String::new()))
        }
        BodyKind::Json => None,
        BodyKind::Other => None,
    };
    match field {
        Some(field) => refused(field),
        None => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    }
}

/// Answers a panic anywhere below with [`AppError::Internal`], which [`crate::error::render_errors`]
/// turns into the Chinese 500 page or JSON body. The panic's message is dropped unread: it may
/// quote input, and the binary's panic hook has already logged where it happened.
///
/// This is the last line of defence, not a way of handling errors: every panic it catches is a
/// defect, and the property test over the OpenAPI document fails on any 500.
pub async fn catch_panic(request: Request, next: Next) -> Response {
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => AppError::Internal("a handler panicked".into()).into_response(),
    }
}

/// 422 naming the field, in the summary too: an error page shows only the summary.
fn refused(field: String) -> Response {
    let message = format!("“{field}”{CONTROL_MESSAGE}");
    let mut fields = FieldErrors::new();
    fields.add(field, CONTROL_MESSAGE);
    AppError::Invalid { message, fields }.into_response()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        BodyKind::Form
    } else if content_type.starts_with("application/json") || content_type.contains("+json") {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

/// Whether JSON text could decode to a forbidden character: one written raw (a C0 control
/// other than the whitespace JSON allows between tokens, DEL, or a C1 control, which UTF-8
/// writes as `C2 80`–`C2 9F`), or any `\u` escape. False means no string in it holds one.
fn json_may_hold_forbidden(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => false,
        0x00..=0x1f | 0x7f => true,
        0xc2 => bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)),
        b'\\' => bytes.get(i + 1) == Some(&b'u'),
        _ => false,
    })
}

fn has_forbidden(text: &str) -> bool {
    text.chars().any(is_forbidden)
}

/// The name of the first field of a URL-encoded list of pairs (a query string or a form) whose
/// name or value holds a forbidden character.
fn forbidden_pair(encoded: &[u8]) -> Option<String> {
    encoded
        .split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .find_map(|pair| {
            let (name, value) = match pair.iter().position(|b| *b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            let name = percent_decode(name, true);
            let value = percent_decode(value, true);
            (has_forbidden(&name) || has_forbidden(&value)).then(|| printable(&name))
        })
}

/// The JSON path (`members[0].name`) of the first string, or object key, that holds a
/// forbidden character.
fn forbidden_in_json(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) => has_forbidden(s).then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| forbidden_in_json(item, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let inner = if path.is_empty() {
                printable(key)
            } else {
                format!("{path}.{}", printable(key))
            };
            if has_forbidden(key) {
                Some(inner)
            } else {
                forbidden_in_json(item, inner)
            }
        }),
        _ => None,
    }
}

/// A field name as it can be shown: forbidden characters escaped, at most 64 characters.
fn printable(name: &str) -> String {
    let shown: String = name
        .chars()
        .take(64)
        .flat_map(|c| {
            if is_forbidden(c) {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if shown.is_empty() {
        "（空字段名）".into()
    } else {
        shown
    }
}

/// Decodes `%XX` escapes (and `+` as a space in forms and query strings); bytes that are not
/// UTF-8 become U+FFFD, as axum's own decoding does.
fn percent_decode(bytes: &[u8], plus_is_space: bool) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            // Two hex digits make at most 255.
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nul_anywhere_in_a_form_names_its_field() {
        assert_eq!(
            forbidden_pair(b"a=1&username=x%00y&b=2").as_deref(),
            Some("username")
        );
        assert_eq!(
            forbidden_pair(b"pass%00word=1").as_deref(),
            Some("pass\\u{0}word")
        );
        assert_eq!(forbidden_pair(b"note=%08").as_deref(), Some("note"));
        assert_eq!(forbidden_pair(b"=%00").as_deref(), Some("（空字段名）"));
    }

    #[test]
    fn tabs_line_breaks_and_chinese_pass() {
        assert_eq!(
            forbidden_pair(b"address=%E6%BB%A8%E6%B1%9F%0D%0A%09+x&y"),
            None
        );
        assert_eq!(forbidden_pair(b"a=%&b=%0&c=%zz&d=100%25"), None);
        assert_eq!(forbidden_pair(b""), None);
    }

    #[test]
    fn only_json_that_could_hold_a_control_character_is_parsed_again() {
        assert!(!json_may_hold_forbidden(
            "{\"name\": \"张三\",\n\t\"n\": 1}".as_bytes()
        ));
        assert!(json_may_hold_forbidden(br#"{"name": "a\u0000"}"#));
        assert!(json_may_hold_forbidden(b"{\"name\": \"a\x01\"}"));
        assert!(json_may_hold_forbidden(
            "{\"name\": \"a\u{85}\"}".as_bytes()
        ));
        assert!(!json_may_hold_forbidden(br#"{"path": "a\\b"}"#));
    }

    #[test]
    fn a_control_character_in_json_is_named_by_its_path() {
        let body = json!({"fields": {"number": "QL-1"}, "members": [{"name": "张三"}, {"name": "李\u{0}四"}]});
        assert_eq!(
            forbidden_in_json(&body, String::new()).as_deref(),
            Some("members[1].name")
        );
        assert_eq!(
            forbidden_in_json(&json!({"a\u{7f}": 1}), String::new()).as_deref(),
            Some("a\\u{7f}")
        );
        assert_eq!(
            forbidden_in_json(&json!(["ok", "\u{1b}[31m"]), String::new()).as_deref(),
            Some("[1]")
        );
        assert_eq!(
            forbidden_in_json(&json!({"note": "第一行\r\n第二行\t"}), String::new()),
            None
        );
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_the_chinese_500_page_and_json_body() {
        use axum::http::StatusCode;
        use axum::middleware::from_fn;
        use tower::{Layer, ServiceExt, service_fn};

        // A bare service rather than a router: only the route table builds routers.
        let boom = service_fn(|_: Request| async {
            if true {
                panic!("a defect with 500235195612150133 in its message");
            }
            Ok::<Response, std::convert::Infallible>(Response::default())
        });
        let service = from_fn(crate::error::render_errors).layer(from_fn(catch_panic).layer(boom));
        for (uri, expected) in [("/page", "系统错误"), ("/api/thing", "系统内部错误")] {
            let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
            let response = service.clone().oneshot(request).await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "{uri}"
            );
            let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
            let body = String::from_utf8_lossy(&body);
            assert!(body.contains(expected), "{uri}: {body}");
            assert!(!body.contains("500235"), "{uri} shows the panic's message");
        }
    }

    #[test]
    fn percent_decoding_never_panics_on_a_truncated_escape() {
        assert_eq!(percent_decode(b"%", true), "%");
        assert_eq!(percent_decode(b"%4", true), "%4");
        assert_eq!(percent_decode(b"%41+%e5%b9%b4", true), "A 年");
        assert_eq!(percent_decode(b"%ff", false), "\u{fffd}");
        assert_eq!(percent_decode(b"a+b", false), "a+b");
    }
}
