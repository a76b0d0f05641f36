//! Policy pages and good cases (3.4): open to the public without login once published, written
//! and published by the civil affairs bureau (the county approver) in plain text, paragraphs
//! separated by blank lines; as pages and JSON.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_store::publications::{NewPublication, Publication, PublicationKind};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Chrome, ok, page};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::PathParams;
use crate::forms::FormInput;

struct Item {
    id: i64,
    kind: &'static str,
    title: String,
    paragraphs: Vec<String>,
    published: bool,
    updated: String,
}

fn item(p: &Publication) -> Item {
    Item {
        id: p.id,
        kind: p.kind.label(),
        title: p.title.clone(),
        paragraphs: p
            .body
            .split("\n\n")
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        published: p.published,
        updated: crate::view::china_time(p.updated_at),
    }
}

#[derive(Template)]
#[template(path = "publications.html")]
struct PublicIndex {
    chrome: Chrome,
    policies: Vec<Item>,
    stories: Vec<Item>,
}

/// The published policy pages and good cases, for everyone.
pub(crate) async fn index(State(state): State<AppState>) -> Result<Response, AppError> {
    let all = state.app.store().publications(None, false).await?;
    let (policies, stories): (Vec<&Publication>, Vec<&Publication>) =
        all.iter().partition(|p| p.kind == PublicationKind::Policy);
    ok(&PublicIndex {
        chrome: Chrome::bare("政策解读与典型案例"),
        policies: policies.into_iter().map(item).collect(),
        stories: stories.into_iter().map(item).collect(),
    })
}

#[derive(Template)]
#[template(path = "publication.html")]
struct PublicPage {
    chrome: Chrome,
    item: Item,
}

/// One published page, for everyone (404 for a draft).
pub(crate) async fn show(
    State(state): State<AppState>,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let all = state.app.store().publications(None, false).await?;
    let p = all.iter().find(|p| p.id == id).ok_or(AppError::NotFound)?;
    ok(&PublicPage {
        chrome: Chrome::bare(&p.title),
        item: item(p),
    })
}

#[derive(Template)]
#[template(path = "publications_admin.html")]
struct AdminPage {
    chrome: Chrome,
    items: Vec<Item>,
    kinds: Vec<(&'static str, &'static str)>,
    editing: Option<(i64, String, String, String, bool)>,
    error: String,
}

async fn admin_page(
    state: &AppState,
    session: &Session,
    editing: Option<(i64, String, String, String, bool)>,
    error: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let all = state
        .app
        .store()
        .publications(Some(&session.actor), true)
        .await?;
    page(
        status,
        &AdminPage {
            chrome: Chrome::new(session, "政策解读与典型案例", "publications").here(),
            items: all.iter().map(item).collect(),
            kinds: PublicationKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            editing,
            error,
        },
    )
}

/// Every publication, drafts too, with the form to write one (or change `?edit=ID`).
pub(crate) async fn admin(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    crate::extract::QueryPairs(pairs): crate::extract::QueryPairs,
) -> Result<Response, AppError> {
    let editing = match pairs.iter().find(|(k, _)| k == "edit") {
        Some((_, v)) => {
            let id: i64 = v.trim().parse().map_err(|_| AppError::NotFound)?;
            let all = state
                .app
                .store()
                .publications(Some(&session.actor), true)
                .await?;
            let p = all.iter().find(|p| p.id == id).ok_or(AppError::NotFound)?;
            Some((
                p.id,
                p.kind.code().to_owned(),
                p.title.clone(),
                p.body.clone(),
                p.published,
            ))
        }
        None => None,
    };
    admin_page(&state, &session, editing, String::new(), StatusCode::OK).await
}

/// Saves a new publication (`id` 0) or changes one.
pub(crate) async fn save(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let id = match form.get("id").trim() {
        "" | "0" => None,
        t => Some(t.parse::<i64>().map_err(|_| AppError::NotFound)?),
    };
    let kind = PublicationKind::parse(form.get("kind").trim())
        .map_err(|e| AppError::from(doudi_app::Error::invalid("kind", e.to_string())))?;
    let new = NewPublication {
        kind,
        title: form.get("title").to_owned(),
        body: form.get("body").replace("\r\n", "\n"),
        published: form.get("published") == "on",
    };
    match state
        .app
        .store()
        .save_publication(&session.actor, id, &new)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/publications").into_response()),
        Err(doudi_store::StoreError::Invalid(message)) => {
            admin_page(
                &state,
                &session,
                Some((
                    id.unwrap_or(0),
                    kind.code().to_owned(),
                    new.title,
                    new.body,
                    new.published,
                )),
                message,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A published page.
#[derive(Serialize, ToSchema)]
pub struct PublicationDto {
    /// 编号。
    pub id: i64,
    /// 类别：policy（政策解读）或 story（典型案例）。
    pub kind: String,
    /// 标题。
    pub title: String,
    /// 正文（空行分段）。
    pub body: String,
}

/// The published policy pages and good cases (no login needed).
#[utoipa::path(
    get,
    path = "/api/publications",
    tag = "meta",
    responses(
        (status = 200, description = "已公开的政策解读与典型案例", body = [PublicationDto]),
        (status = 500, description = "服务器错误", body = ErrorBody),
    )
)]
pub(crate) async fn api(
    State(state): State<AppState>,
) -> Result<Json<Vec<PublicationDto>>, AppError> {
    let all = state.app.store().publications(None, false).await?;
    Ok(Json(
        all.into_iter()
            .map(|p| PublicationDto {
                id: p.id,
                kind: p.kind.code().to_owned(),
                title: p.title,
                body: p.body,
            })
            .collect(),
    ))
}
