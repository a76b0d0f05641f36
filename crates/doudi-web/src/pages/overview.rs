//! The overview: households and people per township (城市低保 and 城市特困), linking into the
//! list.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::view::Divisions;

struct Row {
    code: String,
    name: String,
    dibao: i64,
    tekun: i64,
    households: i64,
    people: i64,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    chrome: Chrome,
    may_read: bool,
    rows: Vec<Row>,
    total: Row,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(&session, "工作概览", "overview");
    let actor = &session.actor;
    let mut total = Row {
        code: String::new(),
        name: "合计".into(),
        dibao: 0,
        tekun: 0,
        households: 0,
        people: 0,
    };
    if !actor.may_read_households() {
        return ok(&OverviewPage {
            chrome,
            may_read: false,
            rows: Vec::new(),
            total,
        });
    }
    let divisions = Divisions::load(state.app.store()).await?;
    let counts = state.app.store().township_counts(actor).await?;
    // Every township of the actor's scope gets a row, those without households too, so that a
    // missing township is visible as a zero rather than as an absence.
    let rows: Vec<Row> = divisions
        .townships_in(&actor.scope)
        .map(|t| {
            let c = counts.iter().find(|c| c.township == t.code);
            let (dibao, tekun, people) = c.map_or((0, 0, 0), |c| {
                (c.dibao_households, c.tekun_households, c.people)
            });
            Row {
                code: t.code.to_string(),
                name: t.name.clone(),
                dibao,
                tekun,
                households: dibao + tekun,
                people,
            }
        })
        .collect();
    for r in &rows {
        total.dibao += r.dibao;
        total.tekun += r.tekun;
        total.households += r.households;
        total.people += r.people;
    }
    ok(&OverviewPage {
        chrome,
        may_read: true,
        rows,
        total,
    })
}
