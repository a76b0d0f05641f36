//! The public notice (4.2.b, 5.4): open without login, found by township and community name,
//! each community's households under notice with names and identity numbers masked, what is
//! applied for, how long the notice runs and until when and where to object; laid out to print
//! on A4 for the notice board and to read on a phone.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doudi_core::clause::public_citation;
use doudi_core::{Division, DivisionCode, DivisionKind};

use crate::AppState;
use crate::error::AppError;
use crate::extract::{PathParams, QueryPairs};
use crate::pages::{Chrome, ok};

/// The unit that issues a township's notices: a street's office or a town's government.
fn issuing_unit(township: &Division) -> String {
    match township.kind {
        DivisionKind::Street => format!("云阳县{}办事处", township.name),
        _ => format!("云阳县{}人民政府", township.name),
    }
}

struct CommunityLink {
    code: String,
    name: String,
}

struct TownshipGroup {
    name: String,
    communities: Vec<CommunityLink>,
}

#[derive(Template)]
#[template(path = "notice_index.html")]
struct IndexTemplate {
    chrome: Chrome,
    query: String,
    groups: Vec<TownshipGroup>,
}

/// Every community by township, or those whose township's or own name holds `q`.
pub(crate) async fn index(
    State(state): State<AppState>,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let q = query
        .iter()
        .find(|(n, _)| n == "q")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let divisions = state.app.store().divisions().await?;
    let groups = divisions
        .iter()
        .filter(|d| !d.code.is_community())
        .filter_map(|t| {
            let township_matches = q.is_empty() || t.name.contains(q.as_str());
            let communities: Vec<CommunityLink> = divisions
                .iter()
                .filter(|c| c.code.is_community() && t.code.contains(&c.code))
                .filter(|c| township_matches || c.name.contains(q.as_str()))
                .map(|c| CommunityLink {
                    code: c.code.to_string(),
                    name: c.name.clone(),
                })
                .collect();
            (!communities.is_empty()).then(|| TownshipGroup {
                name: t.name.clone(),
                communities,
            })
        })
        .collect();
    ok(&IndexTemplate {
        chrome: Chrome::bare("申请公示"),
        query: q,
        groups,
    })
}

/// One household under notice, masked.
struct NoticeRow {
    case: i64,
    case_type: &'static str,
    head: String,
    id_number: String,
    members: usize,
    amount: String,
    from: String,
    until: String,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesTemplate {
    chrome: Chrome,
    township_name: String,
    community_name: String,
    issuing_unit: String,
    phone: String,
    citation: String,
    today: String,
    notices: Vec<NoticeRow>,
}

/// The public notice of a community: who is under notice, and how and until when to object.
pub(crate) async fn community(
    State(state): State<AppState>,
    PathParams(community): PathParams<String>,
) -> Result<Response, AppError> {
    let code = DivisionCode::parse(&community).map_err(|_| AppError::NotFound)?;
    if !code.is_community() {
        return Err(AppError::NotFound);
    }
    let divisions = state.app.store().divisions().await?;
    let find = |code: &DivisionCode| divisions.iter().find(|d| d.code == *code);
    let (Some(division), Some(township)) = (find(&code), find(&code.township())) else {
        return Err(AppError::NotFound);
    };
    let today = state.today();
    let list = state.app.public_notices(&code).await?;
    let notices = list
        .into_iter()
        .map(|(n, amount)| NoticeRow {
            amount: amount.map_or_else(
                || "—".to_owned(),
                |fen| format!("{}/月", doudi_core::Money::from_fen(fen)),
            ),
            case: n.case.0,
            case_type: n.case_type.label(),
            head: n.head_masked,
            id_number: n.id_masked,
            members: n.members,
            from: n.from.to_string(),
            until: n.until.to_string(),
        })
        .collect();
    ok(&NoticesTemplate {
        chrome: Chrome::bare(&format!("{}{}申请公示", township.name, division.name)),
        township_name: township.name.clone(),
        community_name: division.name.clone(),
        issuing_unit: issuing_unit(township),
        phone: state
            .app
            .store()
            .county_setting(doudi_store::CountySetting::SupervisionPhone)
            .await?
            .unwrap_or_else(|| super::settings::FALLBACK_PHONE.to_owned()),
        citation: public_citation("4.2.b").unwrap_or_default(),
        today: today.format("%Y年%-m月%-d日").to_string(),
        notices,
    })
}
