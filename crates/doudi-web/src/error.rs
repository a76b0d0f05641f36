//! The web layer's one error type, [`AppError`], and the middleware that turns it into a Chinese
//! error page or a JSON body.
//!
//! Handlers and extractors return `AppError`; its `IntoResponse` only sets the status and puts the
//! error into the response's extensions. [`render_errors`] then writes the body, because only it
//! knows whether the request was for a page or for the API, and it logs internal errors once,
//! inside the request's span, without details that could carry personal data.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doudi_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::pages::Chrome;

/// Field-level problems with a form or a JSON body: field name → Chinese message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// No errors.
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    /// Records a problem with a field; the first problem found for a field is the one shown.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// The problem with a field, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many fields are wrong.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds another set of errors under a prefix: `members[0]` + `name` → `members[0].name`.
    pub fn nest(&mut self, prefix: &str, other: FieldErrors) {
        for (field, message) in other.0 {
            self.add(format!("{prefix}.{field}"), message);
        }
    }

    /// Every (field, message).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }
}

/// Everything a request can fail with.
#[derive(Clone, Debug)]
pub enum AppError {
    /// No valid session: pages redirect to the login page, the API answers 401.
    Unauthenticated,
    /// A wrong login name or password (the API's login; the login page says it in the form).
    LoginFailed,
    /// Too many failed logins in a row: the account is locked until this moment.
    AccountLocked(chrono::DateTime<chrono::Utc>),
    /// Too many failed logins from the client's address: refused until then, whatever the name.
    AddressLimited(chrono::DateTime<chrono::Utc>),
    /// Too many logins are having their passwords checked: try again shortly.
    Busy,
    /// The account is disabled.
    AccountDisabled,
    /// The user must change the initial password before doing anything else.
    MustChangePassword,
    /// A state-changing request without the session's CSRF token.
    CsrfRejected,
    /// Nothing here, or not within the actor's scope (the store says the same for both).
    NotFound,
    /// The actor's role may not do this.
    Forbidden,
    /// The household changed since the actor read it.
    Conflict {
        /// The version the edit was based on.
        expected: i64,
        /// The version now stored.
        current: i64,
    },
    /// Input that does not parse or does not fit together, with a message per field.
    Invalid {
        /// A summary.
        message: String,
        /// Per-field messages.
        fields: FieldErrors,
    },
    /// Something is already filed (an identity number, a household number, a login name).
    Duplicate(String),
    /// A request that cannot be read at all (malformed JSON, wrong content type).
    BadRequest(String),
    /// A body over what the address reads (the message says the limit).
    TooLarge(String),
    /// A method the address does not accept (a bookmarked `/logout`, say).
    MethodNotAllowed,
    /// Our fault. The string says what failed, never with personal data; it is logged, not shown.
    Internal(String),
}

impl AppError {
    /// Field errors of a nested part of a request (`fields`, `change`, `survey`), reported under
    /// that part's name.
    pub fn invalid_in(part: &'static str) -> impl FnOnce(FieldErrors) -> AppError {
        move |f| {
            let mut nested = FieldErrors::new();
            nested.nest(part, f);
            AppError::invalid(nested)
        }
    }

    /// Field errors with the usual summary.
    pub fn invalid(fields: FieldErrors) -> AppError {
        AppError::Invalid {
            message: format!("有{}项填写有误，请修改后重新提交", fields.len()),
            fields,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::LoginFailed => StatusCode::UNAUTHORIZED,
            AppError::AccountLocked(_) | AppError::AddressLimited(_) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::AccountDisabled => StatusCode::FORBIDDEN,
            AppError::MustChangePassword | AppError::CsrfRejected | AppError::Forbidden => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } | AppError::Duplicate(_) => StatusCode::CONFLICT,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a caseworker reads.
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "请先登录".into(),
            AppError::LoginFailed => "用户名或密码错误".into(),
            AppError::AccountLocked(until) => format!(
                "连续登录失败次数过多，账户已锁定至{}（北京时间），请到时再试；如忘记密码，请联系系统管理员重置",
                crate::view::china_time(*until)
            ),
            AppError::AddressLimited(until) => format!(
                "您所在的网络地址登录失败次数过多，已暂停从该地址登录至{}（北京时间），请到时再试",
                crate::view::china_time(*until)
            ),
            AppError::Busy => "登录的人数过多，系统繁忙，请稍后再试".into(),
            AppError::AccountDisabled => "该账户已停用，请联系系统管理员".into(),
            AppError::MustChangePassword => "请先修改初始密码".into(),
            AppError::CsrfRejected => "页面已过期或安全校验未通过，请返回并刷新页面后重试".into(),
            AppError::NotFound => "记录不存在，或不在您的工作范围内".into(),
            AppError::Forbidden => "您的角色无权执行此操作".into(),
            AppError::Conflict { expected, current } => StoreError::Conflict {
                expected: *expected,
                current: *current,
            }
            .to_string(),
            AppError::Invalid { message, .. } => message.clone(),
            AppError::Duplicate(message)
            | AppError::BadRequest(message)
            | AppError::TooLarge(message) => message.clone(),
            AppError::MethodNotAllowed => "该地址不支持这种请求方式".into(),
            AppError::Internal(_) => {
                "系统内部错误，请稍后重试；如多次出现，请联系系统管理员".into()
            }
        }
    }

    /// The JSON body of an API error.
    pub fn body(&self) -> ErrorBody {
        let (expected_version, current_version) = match self {
            AppError::Conflict { expected, current } => (Some(*expected), Some(*current)),
            _ => (None, None),
        };
        ErrorBody {
            error: self.message(),
            fields: match self {
                AppError::Invalid { fields, .. } => Some(
                    fields
                        .iter()
                        .map(|(f, m)| (f.to_owned(), m.to_owned()))
                        .collect(),
                ),
                _ => None,
            },
            expected_version,
            current_version,
        }
    }
}

impl From<doudi_app::Error> for AppError {
    fn from(e: doudi_app::Error) -> AppError {
        match e {
            doudi_app::Error::Store(e) => e.into(),
            doudi_app::Error::Rules(message) => AppError::Invalid {
                message,
                fields: FieldErrors::new(),
            },
            doudi_app::Error::Invalid { field, message } => {
                // The message itself is shown too: a page without that field's form still says
                // what was wrong.
                let mut fields = FieldErrors::new();
                fields.add(field, message.clone());
                AppError::Invalid { message, fields }
            }
            doudi_app::Error::Fields(problems) => {
                let message = problems
                    .iter()
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join("；");
                let mut fields = FieldErrors::new();
                for (field, problem) in problems {
                    fields.add(field, problem);
                }
                AppError::Invalid { message, fields }
            }
            doudi_app::Error::Busy => AppError::Busy,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Conflict { expected, current } => AppError::Conflict { expected, current },
            StoreError::Duplicate(message) => AppError::Duplicate(message),
            StoreError::Invalid(message) => AppError::Invalid {
                message,
                fields: FieldErrors::new(),
            },
            // Corrupt data messages may quote stored values, so only the kind is logged.
            StoreError::Corrupt(_) => AppError::Internal("store: stored data is corrupt".into()),
            other => AppError::Internal(format!("store: {other}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// The JSON body of every API error.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in Chinese.
    #[schema(example = "有1项填写有误，请修改后重新提交")]
    pub error: String,
    /// For 422: a message per field (JSON path of the field → message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// For 409 conflicts: the version the request was based on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    /// For 409 conflicts: the version now stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    heading: &'static str,
    message: String,
}

/// Whether a path belongs to the JSON API.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Renders an [`AppError`] left in a response's extensions as a page or a JSON body.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let api = is_api_path(request.uri().path());
    let htmx = request.headers().contains_key("hx-request");
    let back_to = (request.method() == Method::GET)
        .then(|| {
            request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
        })
        .flatten();
    let response = next.run(request).await;
    let Some(error) = response.extensions().get::<AppError>().cloned() else {
        return response;
    };
    if let AppError::Internal(what) = &error {
        tracing::error!(error = %what, "request failed");
    }
    if api {
        let mut response = (error.status(), axum::Json(error.body())).into_response();
        if matches!(error, AppError::Unauthenticated) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Cookie"));
        }
        return response;
    }
    match error {
        AppError::Unauthenticated => {
            let login = match back_to.filter(|p| p != "/") {
                Some(path) => format!("/login?next={}", crate::view::url_encode(&path)),
                None => "/login".to_owned(),
            };
            if htmx {
                // An htmx request would otherwise swap the login page into part of the page.
                let mut response = StatusCode::UNAUTHORIZED.into_response();
                if let Ok(value) = HeaderValue::from_str(&login) {
                    response.headers_mut().insert("hx-redirect", value);
                }
                response
            } else {
                Redirect::to(&login).into_response()
            }
        }
        AppError::MustChangePassword => Redirect::to("/password").into_response(),
        error => {
            let status = error.status();
            let heading = match status {
                StatusCode::NOT_FOUND => "未找到",
                StatusCode::FORBIDDEN => "无权访问",
                StatusCode::CONFLICT => "数据已变化",
                StatusCode::INTERNAL_SERVER_ERROR => "系统错误",
                _ => "无法处理该请求",
            };
            let page = ErrorPage {
                chrome: Chrome::bare(heading),
                status: status.as_u16(),
                heading,
                message: error.message(),
            };
            match page.render() {
                Ok(html) => (status, Html(html)).into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "error page failed to render");
                    (status, error.message()).into_response()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_message_for_a_field_is_kept() {
        let mut errors = FieldErrors::new();
        errors.add("name", "姓名为空");
        errors.add("name", "姓名过长");
        assert_eq!(errors.get("name"), Some("姓名为空"));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn nested_errors_carry_their_json_path() {
        let mut member = FieldErrors::new();
        member.add("id_number", "身份证号码为空");
        let mut errors = FieldErrors::new();
        errors.nest("members[1]", member);
        assert_eq!(errors.get("members[1].id_number"), Some("身份证号码为空"));
    }

    #[test]
    fn a_conflict_body_names_both_versions() {
        let body = AppError::Conflict {
            expected: 3,
            current: 5,
        }
        .body();
        assert_eq!(
            (body.expected_version, body.current_version),
            (Some(3), Some(5))
        );
        assert!(body.error.contains("当前版本5"));
    }
}
