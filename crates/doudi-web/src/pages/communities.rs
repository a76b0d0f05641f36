//! The county's communities (社区), kept by administrators in the browser: every township of
//! the county's division table with the communities filed under it, a form to add one (or
//! rename it: the same code saved again), and the list as Excel. Households are filed under
//! communities, so a new county adds its communities before its first import (3.1).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::{Division, DivisionCode, DivisionKind};

use super::{Chrome, page};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::QueryPairs;
use crate::forms::FormInput;

struct TownshipRow {
    code: String,
    name: String,
    communities: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "communities.html")]
struct CommunitiesPage {
    chrome: Chrome,
    townships: Vec<TownshipRow>,
    total: usize,
    /// What the form held, when it is shown again with an error.
    township: String,
    suffix: String,
    name: String,
    error: Option<(&'static str, String)>,
    saved: Option<String>,
}

fn chrome(session: &Session) -> Chrome {
    Chrome::new(session, "社区管理", "communities").here()
}

/// The townships, each with its communities, in code order.
async fn townships(state: &AppState) -> Result<Vec<TownshipRow>, AppError> {
    let divisions = state.app.store().divisions().await?;
    let mut rows: Vec<TownshipRow> = divisions
        .iter()
        .filter(|d| d.kind != DivisionKind::Community)
        .map(|d| TownshipRow {
            code: d.code.to_string(),
            name: d.name.clone(),
            communities: Vec::new(),
        })
        .collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    for c in divisions
        .iter()
        .filter(|d| d.kind == DivisionKind::Community)
    {
        let township = c.code.township().to_string();
        if let Some(t) = rows.iter_mut().find(|t| t.code == township) {
            t.communities.push((c.code.to_string(), c.name.clone()));
        }
    }
    for t in &mut rows {
        t.communities.sort();
    }
    Ok(rows)
}

async fn render(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    form: (String, String, String),
    error: Option<(&'static str, String)>,
    saved: Option<String>,
) -> Result<Response, AppError> {
    let townships = townships(state).await?;
    let total = townships.iter().map(|t| t.communities.len()).sum();
    let (township, suffix, name) = form;
    let p = CommunitiesPage {
        chrome: chrome(session),
        townships,
        total,
        township,
        suffix,
        name,
        error,
        saved,
    };
    page(status, &p)
}

/// The list and the form.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let saved = query
        .iter()
        .find(|(k, _)| k == "saved")
        .and_then(|(_, v)| DivisionCode::parse(v).ok())
        .map(|c| c.to_string());
    render(
        &state,
        &session,
        StatusCode::OK,
        Default::default(),
        None,
        saved,
    )
    .await
}

/// What is wrong with the form, by field: the township (9 digits, known), the community's own
/// three digits, the name.
fn read(
    township: &str,
    suffix: &str,
    name: &str,
    known: &[TownshipRow],
) -> Result<Division, (&'static str, String)> {
    let township = township.trim();
    if !known.iter().any(|t| t.code == township) {
        return Err(("township", "请选择社区所属的乡镇（街道）".into()));
    }
    let suffix = suffix.trim();
    if suffix.len() != 3 || !suffix.bytes().all(|b| b.is_ascii_digit()) || suffix == "000" {
        return Err((
            "suffix",
            format!("社区代码的后三位应为3位数字（001至999），“{suffix}”不是"),
        ));
    }
    let code = DivisionCode::parse(&format!("{township}{suffix}"))
        .map_err(|e| ("suffix", e.to_string()))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(("name", "社区名称应为1至50个字".into()));
    }
    Ok(Division {
        parent: Some(code.township()),
        code,
        name: name.to_owned(),
        kind: DivisionKind::Community,
    })
}

/// Adds a community, or renames it when its code is already filed.
pub(crate) async fn save(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let entered = (
        form.get("township").trim().to_owned(),
        form.get("suffix").trim().to_owned(),
        form.get("name").trim().to_owned(),
    );
    let known = townships(&state).await?;
    let division = match read(&entered.0, &entered.1, &entered.2, &known) {
        Ok(d) => d,
        Err(problem) => {
            return render(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                entered,
                Some(problem),
                None,
            )
            .await;
        }
    };
    match state
        .app
        .store()
        .put_community(&session.actor, &division)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/admin/communities?saved={}#community-{}",
            division.code, division.code
        ))
        .into_response()),
        Err(doudi_store::StoreError::Invalid(message)) => {
            render(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                entered,
                Some(("name", message)),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Every community, as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let mut rows = Vec::new();
    for t in townships(&state).await? {
        for (code, name) in &t.communities {
            rows.push(super::export::text([
                t.code.clone(),
                t.name.clone(),
                code.clone(),
                name.clone(),
            ]));
        }
    }
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "社区名录",
            filter: String::new(),
            headers: vec!["乡镇（街道）代码", "乡镇（街道）", "社区代码", "社区名称"],
            rows,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<TownshipRow> {
        vec![TownshipRow {
            code: "500235002".into(),
            name: "青龙街道".into(),
            communities: Vec::new(),
        }]
    }

    #[test]
    fn a_community_is_a_known_township_three_digits_of_its_own_and_a_name() {
        let d = read("500235002", "007", " 复兴社区 ", &known()).unwrap();
        assert_eq!(
            (d.code.as_str(), d.name.as_str()),
            ("500235002007", "复兴社区")
        );
        assert_eq!(d.parent.unwrap().as_str(), "500235002");
        assert_eq!(
            read("500235099", "007", "x", &known()).unwrap_err().0,
            "township"
        );
        for bad in ["", "7", "0a7", "000", "1234"] {
            assert_eq!(
                read("500235002", bad, "x", &known()).unwrap_err().0,
                "suffix",
                "{bad}"
            );
        }
        assert_eq!(
            read("500235002", "007", "  ", &known()).unwrap_err().0,
            "name"
        );
        let long = "社".repeat(51);
        assert_eq!(
            read("500235002", "007", &long, &known()).unwrap_err().0,
            "name"
        );
    }
}
