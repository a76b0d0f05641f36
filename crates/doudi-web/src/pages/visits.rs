//! Visits to households (走访记录), visit campaigns (走访活动) and coverage (3.3, 4.3
//! "帮困不漏户、户户见干部") in the browser and as JSON: the visit form of a household (kept as a
//! draft on the phone and queued while the network is down, by `static/visits.js`; a plain form
//! without JavaScript), the visits list, a campaign's progress per township and per cadre, and
//! the households without a cadre or without a recent visit, each with Excel and an `/api` twin.

use askama::Template;
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::visits::{CampaignInput, Coverage, Progress, VisitInput, new_draft_id};
use doudi_core::visits::{ATTACHMENT_TYPES, VisitKind, attachment_matches};
use doudi_core::{Actor, HouseholdId, Need};
use doudi_store::visits::{
    Campaign, CoveredHousehold, NewAttachment, Visit, VisitFilter, may_create_campaigns,
    may_record_visits,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Chrome, ok, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody, FieldErrors};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::upload::Upload;
use crate::view::Divisions;

// ---- shared rows ----

/// A visit as a row of a list or the household page.
pub(crate) struct VisitRow {
    pub(crate) id: i64,
    pub(crate) household: i64,
    pub(crate) number: String,
    pub(crate) place: String,
    pub(crate) day: String,
    pub(crate) kind: &'static str,
    pub(crate) found: String,
    pub(crate) needs: String,
    pub(crate) by: String,
    pub(crate) attachments: Vec<(i64, String)>,
}

fn needs_words(needs: &[Need]) -> String {
    if needs.is_empty() {
        "—".to_owned()
    } else {
        needs
            .iter()
            .map(|n| n.label())
            .collect::<Vec<_>>()
            .join("、")
    }
}

pub(crate) fn visit_row(v: &Visit, divisions: &Divisions) -> VisitRow {
    VisitRow {
        id: v.id,
        household: v.household.0,
        number: v.household_number.clone(),
        place: divisions.place(&v.community),
        day: v.visited_on.to_string(),
        kind: v.kind.label(),
        found: v.found.clone(),
        needs: needs_words(&v.needs),
        by: v.visited_by.clone(),
        attachments: v
            .attachments
            .iter()
            .map(|a| (a.id, a.file_name.clone()))
            .collect(),
    }
}

/// The visits of one household, newest first: its page's visit log (3.3).
pub(crate) async fn of_household(
    state: &AppState,
    actor: &Actor,
    household: HouseholdId,
) -> Result<Vec<Visit>, AppError> {
    Ok(state
        .app
        .visits(
            actor,
            &VisitFilter {
                household: Some(household),
                ..VisitFilter::default()
            },
        )
        .await?)
}

struct Choice {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

fn kind_choices(selected: &str) -> Vec<Choice> {
    VisitKind::ALL
        .iter()
        .map(|k| Choice {
            code: k.code(),
            label: k.label(),
            selected: k.code() == selected,
        })
        .collect()
}

// ---- the visit form ----

#[derive(Template)]
#[template(path = "visit_form.html")]
struct VisitFormPage {
    chrome: Chrome,
    household: i64,
    number: String,
    draft_id: String,
    visited_on: String,
    kinds: Vec<Choice>,
    needs: Vec<Choice>,
    found: String,
    error: Option<String>,
    errors: FieldErrors,
}

async fn render_form(
    state: &AppState,
    session: &Session,
    household: i64,
    typed: Option<(VisitInput, AppError)>,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    if !may_record_visits(actor) {
        return Err(AppError::Forbidden);
    }
    let record = state
        .app
        .store()
        .household(actor, HouseholdId(household))
        .await?;
    let number = record.household.fields.number.clone();
    let (input, status, error, errors) = match typed {
        Some((input, AppError::Invalid { message, fields })) => (
            input,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            fields,
        ),
        Some((input, AppError::Duplicate(message))) => (
            input,
            StatusCode::CONFLICT,
            Some(message),
            FieldErrors::new(),
        ),
        Some((_, other)) => return Err(other),
        None => (
            VisitInput {
                visited_on: state.today().to_string(),
                kind: VisitKind::Routine.code().to_owned(),
                draft_id: new_draft_id(),
                ..VisitInput::default()
            },
            StatusCode::OK,
            None,
            FieldErrors::new(),
        ),
    };
    page(
        status,
        &VisitFormPage {
            chrome: Chrome::new(session, format!("记录走访 {number}"), "visits")
                .crumb(format!("家庭 {number}"), format!("/households/{household}"))
                .here(),
            household,
            number,
            draft_id: if input.draft_id.is_empty() {
                new_draft_id()
            } else {
                input.draft_id.clone()
            },
            visited_on: input.visited_on.clone(),
            kinds: kind_choices(input.kind.trim()),
            needs: Need::ALL
                .iter()
                .map(|n| Choice {
                    code: n.code(),
                    label: n.label(),
                    selected: input.needs.iter().any(|x| x == n.code()),
                })
                .collect(),
            found: input.found.clone(),
            error,
            errors,
        },
    )
}

/// The visit form of a household, with a fresh draft id.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    render_form(&state, &session, id, None).await
}

/// A visit form as sent: URL-encoded (no attachments) or multipart (with photos).
pub(crate) struct VisitForm(VisitInput);

/// The media type of an attachment by its first bytes (what it says it is is not trusted).
fn sniff(bytes: &[u8]) -> &'static str {
    ATTACHMENT_TYPES
        .iter()
        .find(|t| attachment_matches(t, bytes))
        .copied()
        .unwrap_or("application/octet-stream")
}

fn input_of(fields: &[(String, String)], attachments: Vec<NewAttachment>) -> VisitInput {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    VisitInput {
        visited_on: get("visited_on"),
        kind: get("kind"),
        found: get("found"),
        needs: fields
            .iter()
            .filter(|(n, _)| n == "needs")
            .map(|(_, v)| v.clone())
            .collect(),
        draft_id: get("draft_id"),
        attachments,
    }
}

impl<S: Send + Sync> FromRequest<S> for VisitForm {
    type Rejection = AppError;

    async fn from_request(mut request: Request, state: &S) -> Result<VisitForm, AppError> {
        let multipart = request.extensions().get::<Upload>().is_some()
            || crate::upload::boundary(request.headers()).is_some();
        if multipart {
            let upload = Upload::from_request(request, state).await?;
            let attachments = upload
                .attachments
                .iter()
                .map(|f| NewAttachment {
                    file_name: f.name.clone(),
                    media_type: sniff(&f.bytes).to_owned(),
                    bytes: f.bytes.to_vec(),
                })
                .collect();
            Ok(VisitForm(input_of(&upload.fields, attachments)))
        } else {
            request.extensions_mut().remove::<Upload>();
            let FormInput(pairs) = FormInput::from_request(request, state).await?;
            Ok(VisitForm(input_of(&pairs, Vec::new())))
        }
    }
}

/// Records a visit from its form; a refused one shows the form again with the fields at fault
/// and what was typed. A resent draft (the same draft id) lands on the household page as well.
pub(crate) async fn record(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    VisitForm(input): VisitForm,
) -> Result<Response, AppError> {
    match state
        .app
        .record_visit(&session.actor, HouseholdId(id), &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/households/{id}#visits")).into_response()),
        Err(e) => match AppError::from(e) {
            e @ (AppError::Invalid { .. } | AppError::Duplicate(_)) => {
                let mut typed = input;
                typed.attachments.clear();
                render_form(&state, &session, id, Some((typed, e))).await
            }
            other => Err(other),
        },
    }
}

/// An attachment, to those who may read its household.
pub(crate) async fn attachment(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let (name, media_type, bytes) = state
        .app
        .store()
        .visit_attachment(&session.actor, id)
        .await?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "inline; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::view::url_encode(&name)
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&media_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---- the visits list ----

fn filter_of(query: &[(String, String)]) -> Result<VisitFilter, AppError> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
    };
    let mut fields = FieldErrors::new();
    let mut day = |name: &'static str, label: &str| {
        get(name).and_then(|t| match doudi_core::date::parse_day(&t) {
            Ok(d) => Some(d),
            Err(e) => {
                fields.add(name, format!("{label}：{e}"));
                None
            }
        })
    };
    let from = day("from", "开始日期");
    let to = day("to", "结束日期");
    let kind = match get("kind") {
        Some(k) => match VisitKind::parse(&k) {
            Ok(k) => Some(k),
            Err(e) => {
                fields.add("kind", format!("走访类型：{e}"));
                None
            }
        },
        None => None,
    };
    let household = match get("household") {
        Some(h) => match h.parse::<i64>() {
            Ok(h) => Some(HouseholdId(h)),
            Err(_) => {
                fields.add("household", "家庭ID：应为数字");
                None
            }
        },
        None => None,
    };
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    Ok(VisitFilter {
        household,
        division: get("township").filter(|d| d.chars().all(|c| c.is_ascii_digit())),
        kind,
        from,
        to,
    })
}

fn query_string(query: &[(String, String)]) -> String {
    query
        .iter()
        .filter(|(k, v)| k != "_csrf" && !v.is_empty())
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::view::url_encode(k),
                crate::view::url_encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Template)]
#[template(path = "visits.html")]
struct VisitsPage {
    chrome: Chrome,
    rows: Vec<VisitRow>,
    kinds: Vec<Choice>,
    townships: Vec<(String, String, bool)>,
    from: String,
    to: String,
    query: String,
    error: Option<String>,
}

/// The visits of the reader's scope (a cadre: of their households), newest first.
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map_or(String::new(), |(_, v)| v.trim().to_owned())
    };
    let divisions = Divisions::load(state.app.store()).await?;
    let (rows, error, status) = match filter_of(&query) {
        Ok(filter) => {
            let visits = state.app.visits(&session.actor, &filter).await?;
            (
                visits.iter().map(|v| visit_row(v, &divisions)).collect(),
                None,
                StatusCode::OK,
            )
        }
        Err(AppError::Invalid { message, .. }) => {
            (Vec::new(), Some(message), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e),
    };
    let township = get("township");
    page(
        status,
        &VisitsPage {
            chrome: Chrome::new(&session, "走访记录", "visits").here(),
            rows,
            kinds: kind_choices(&get("kind")),
            townships: divisions
                .townships_in(&session.actor.scope)
                .map(|d| {
                    (
                        d.code.to_string(),
                        d.name.clone(),
                        d.code.as_str() == township,
                    )
                })
                .collect(),
            from: get("from"),
            to: get("to"),
            query: query_string(&query),
            error,
        },
    )
}

/// The visits list as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let filter = filter_of(&query)?;
    let visits = state.app.visits(&session.actor, &filter).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "走访记录",
            filter: query_string(&query),
            headers: vec![
                "走访日期",
                "户编号",
                "乡镇（街道）社区",
                "走访类型",
                "走访情况",
                "提出的需求",
                "走访人",
                "附件数",
            ],
            rows: visits
                .iter()
                .map(|v| {
                    super::export::text([
                        v.visited_on.to_string(),
                        v.household_number.clone(),
                        divisions.place(&v.community),
                        v.kind.label().to_owned(),
                        v.found.clone(),
                        needs_words(&v.needs),
                        v.visited_by.clone(),
                        v.attachments.len().to_string(),
                    ])
                })
                .collect(),
        },
    )
    .await
}

// ---- coverage ----

fn days_of(query: &[(String, String)]) -> Result<Option<u32>, AppError> {
    match query
        .iter()
        .find(|(k, v)| k == "days" && !v.trim().is_empty())
    {
        None => Ok(None),
        Some((_, v)) => match v.trim().parse::<u32>() {
            Ok(d) => Ok(Some(d)),
            Err(_) => {
                let mut fields = FieldErrors::new();
                fields.add("days", "天数：请填写1至3660之间的整数");
                Err(AppError::invalid(fields))
            }
        },
    }
}

struct CoverageRow {
    household: i64,
    number: String,
    place: String,
    cadres: String,
    last_visit: String,
}

fn coverage_row(h: &CoveredHousehold, divisions: &Divisions) -> CoverageRow {
    CoverageRow {
        household: h.household.0,
        number: h.number.clone(),
        place: divisions.place(&h.community),
        cadres: if h.cadres.is_empty() {
            "未结对".to_owned()
        } else {
            h.cadres.join("、")
        },
        last_visit: h
            .last_visit
            .map_or_else(|| "期间内未走访".to_owned(), |d| d.to_string()),
    }
}

fn township_name(divisions: &Divisions, code: &str) -> String {
    divisions
        .get(code)
        .map_or_else(|| code.to_owned(), |d| d.name.clone())
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    chrome: Chrome,
    days: u32,
    since: String,
    households: usize,
    townships: Vec<(String, usize, usize, usize)>,
    unpaired: Vec<CoverageRow>,
    unvisited: Vec<CoverageRow>,
}

async fn coverage_of(
    state: &AppState,
    actor: &Actor,
    query: &[(String, String)],
) -> Result<Coverage, AppError> {
    let days = days_of(query)?;
    Ok(state.app.coverage(actor, days).await?)
}

/// The households of the reader's scope without a paired cadre or without a visit in the last
/// N days (`days`, default 90), per township and listed (4.3).
pub(crate) async fn coverage(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let c = coverage_of(&state, &session.actor, &query).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    ok(&CoveragePage {
        chrome: Chrome::new(&session, "帮扶覆盖", "coverage").here(),
        days: c.days,
        since: c.since.to_string(),
        households: c.households,
        townships: c
            .townships
            .iter()
            .map(|(t, n)| {
                (
                    township_name(&divisions, t),
                    n.households,
                    n.first,
                    n.second,
                )
            })
            .collect(),
        unpaired: c
            .unpaired
            .iter()
            .map(|h| coverage_row(h, &divisions))
            .collect(),
        unvisited: c
            .unvisited
            .iter()
            .map(|h| coverage_row(h, &divisions))
            .collect(),
    })
}

/// Coverage as Excel: every household without a cadre or a recent visit, with why.
pub(crate) async fn coverage_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let c = coverage_of(&state, &session.actor, &query).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let mut rows = Vec::new();
    for (why, list) in [
        ("未结对帮扶干部", &c.unpaired),
        ("近期未走访", &c.unvisited),
    ] {
        for h in list {
            let r = coverage_row(h, &divisions);
            rows.push(super::export::text([
                why.to_owned(),
                r.number,
                r.place,
                r.cadres,
                r.last_visit,
            ]));
        }
    }
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "帮扶覆盖",
            filter: format!("days={}", c.days),
            headers: vec![
                "情况",
                "户编号",
                "乡镇（街道）社区",
                "结对帮扶干部",
                "最近走访",
            ],
            rows,
        },
    )
    .await
}

// ---- campaigns ----

struct CampaignRow {
    id: i64,
    name: String,
    kind: &'static str,
    from: String,
    to: String,
    by: String,
}

fn campaign_row(c: &Campaign) -> CampaignRow {
    CampaignRow {
        id: c.id,
        name: c.name.clone(),
        kind: c.kind.label(),
        from: c.from.to_string(),
        to: c.to.to_string(),
        by: c.created_by.clone(),
    }
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    chrome: Chrome,
    rows: Vec<CampaignRow>,
    can_create: bool,
    kinds: Vec<Choice>,
    name: String,
    from: String,
    to: String,
    error: Option<String>,
}

async fn render_campaigns(
    state: &AppState,
    session: &Session,
    typed: Option<(CampaignInput, String)>,
) -> Result<Response, AppError> {
    let list = state.app.campaigns(&session.actor).await?;
    let (input, error, status) = match typed {
        Some((input, message)) => (input, Some(message), StatusCode::UNPROCESSABLE_ENTITY),
        None => (
            CampaignInput {
                kind: VisitKind::Holiday.code().to_owned(),
                ..CampaignInput::default()
            },
            None,
            StatusCode::OK,
        ),
    };
    page(
        status,
        &CampaignsPage {
            chrome: Chrome::new(session, "走访活动", "campaigns").here(),
            rows: list.iter().map(campaign_row).collect(),
            can_create: may_create_campaigns(&session.actor),
            kinds: kind_choices(input.kind.trim()),
            name: input.name,
            from: input.from,
            to: input.to,
            error,
        },
    )
}

/// The campaigns, with the county approver's form to start one.
pub(crate) async fn campaigns(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    render_campaigns(&state, &session, None).await
}

fn campaign_input(form: &FormInput) -> CampaignInput {
    CampaignInput {
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        from: form.get("from").to_owned(),
        to: form.get("to").to_owned(),
    }
}

/// Creates a campaign from the campaigns page.
pub(crate) async fn create_campaign(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = campaign_input(&form);
    match state.app.create_campaign(&session.actor, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/campaigns/{}", c.id)).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Invalid { message, .. } => {
                render_campaigns(&state, &session, Some((input, message))).await
            }
            other => Err(other),
        },
    }
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    chrome: Chrome,
    c: CampaignRow,
    households: usize,
    visited: usize,
    percent: String,
    townships: Vec<(String, usize, usize, String)>,
    cadres: Vec<(String, usize, usize, String)>,
    units: Vec<(String, usize, usize, String)>,
    pending: Vec<CoverageRow>,
}

/// A share as a percentage with one decimal, in integers.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    let tenths = part * 1000 / whole;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// A campaign's progress in the reader's scope, per township and per cadre.
pub(crate) async fn campaign(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let p = state.app.campaign_progress(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    ok(&CampaignPage {
        chrome: Chrome::new(&session, p.campaign.name.clone(), "campaigns")
            .crumb("走访活动", "/campaigns")
            .here(),
        c: campaign_row(&p.campaign),
        households: p.total.households,
        visited: p.total.first,
        percent: percent(p.total.first, p.total.households),
        townships: p
            .townships
            .iter()
            .map(|(t, n)| {
                (
                    township_name(&divisions, t),
                    n.households,
                    n.first,
                    percent(n.first, n.households),
                )
            })
            .collect(),
        cadres: p
            .cadres
            .iter()
            .map(|(name, n)| {
                (
                    name.clone(),
                    n.households,
                    n.first,
                    percent(n.first, n.households),
                )
            })
            .collect(),
        units: p
            .units
            .iter()
            .map(|(name, n)| {
                (
                    name.clone(),
                    n.households,
                    n.first,
                    percent(n.first, n.households),
                )
            })
            .collect(),
        pending: p
            .pending
            .iter()
            .map(|h| coverage_row(h, &divisions))
            .collect(),
    })
}

/// A campaign's progress as Excel: per township, per cadre, and the households not yet visited.
pub(crate) async fn campaign_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let p: Progress = state.app.campaign_progress(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let mut rows = Vec::new();
    for (t, n) in &p.townships {
        rows.push(super::export::text([
            "乡镇（街道）".to_owned(),
            township_name(&divisions, t),
            n.households.to_string(),
            n.first.to_string(),
            percent(n.first, n.households),
        ]));
    }
    for (name, n) in &p.cadres {
        rows.push(super::export::text([
            "结对帮扶干部".to_owned(),
            name.clone(),
            n.households.to_string(),
            n.first.to_string(),
            percent(n.first, n.households),
        ]));
    }
    for (name, n) in &p.units {
        rows.push(super::export::text([
            "责任单位".to_owned(),
            name.clone(),
            n.households.to_string(),
            n.first.to_string(),
            percent(n.first, n.households),
        ]));
    }
    for h in &p.pending {
        rows.push(super::export::text([
            "未走访家庭".to_owned(),
            format!("{}（{}）", h.number, divisions.place(&h.community)),
            "1".to_owned(),
            "0".to_owned(),
            "0.0%".to_owned(),
        ]));
    }
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "走访活动进度",
            filter: format!("campaign={id}"),
            headers: vec!["分组", "名称", "户数", "已走访户数", "完成率"],
            rows,
        },
    )
    .await
}

// ---- JSON ----

/// An attachment of a visit.
#[derive(Serialize, ToSchema)]
pub struct VisitAttachmentDto {
    /// 附件编号（下载：/visits/attachments/{id}）。
    pub id: i64,
    /// 文件名。
    pub file_name: String,
    /// 类型。
    pub media_type: String,
    /// 大小（字节）。
    pub size: i64,
}

/// A visit.
#[derive(Serialize, ToSchema)]
pub struct VisitDto {
    /// 走访记录编号。
    pub id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 社区代码。
    pub community: String,
    /// 走访日期。
    pub visited_on: String,
    /// 走访类型代码：routine、holiday、follow_up。
    pub kind: String,
    /// 走访情况。
    pub found: String,
    /// 提出的需求（代码）。
    pub needs: Vec<String>,
    /// 草稿编号。
    pub draft_id: String,
    /// 走访人。
    pub visited_by: String,
    /// 附件。
    pub attachments: Vec<VisitAttachmentDto>,
}

impl From<&Visit> for VisitDto {
    fn from(v: &Visit) -> VisitDto {
        VisitDto {
            id: v.id,
            household_id: v.household.0,
            household_number: v.household_number.clone(),
            community: v.community.clone(),
            visited_on: v.visited_on.to_string(),
            kind: v.kind.code().to_owned(),
            found: v.found.clone(),
            needs: v.needs.iter().map(|n| n.code().to_owned()).collect(),
            draft_id: v.draft_id.clone(),
            visited_by: v.visited_by.clone(),
            attachments: v
                .attachments
                .iter()
                .map(|a| VisitAttachmentDto {
                    id: a.id,
                    file_name: a.file_name.clone(),
                    media_type: a.media_type.clone(),
                    size: a.size,
                })
                .collect(),
        }
    }
}

/// A visit to record (attachments are sent with the page's form).
#[derive(Deserialize, ToSchema)]
pub struct VisitRequest {
    /// 走访日期，不填为今天。
    #[serde(default)]
    pub visited_on: String,
    /// 走访类型：routine、holiday、follow_up（或中文名称）。
    #[serde(default)]
    pub kind: String,
    /// 走访情况。
    #[serde(default)]
    pub found: String,
    /// 提出的需求（代码或中文名称）。
    #[serde(default)]
    pub needs: Vec<String>,
    /// 客户端生成的草稿编号（8至64位字母、数字或连字符）；同一编号重复提交只记录一次。
    #[serde(default)]
    pub draft_id: String,
}

/// Filters of the visits list.
// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitQuery {
    /// 走访类型代码。
    pub kind: Option<String>,
    /// 乡镇（街道）或社区代码。
    pub township: Option<String>,
    /// 起始日期。
    pub from: Option<String>,
    /// 截止日期。
    pub to: Option<String>,
    /// 家庭ID。
    pub household: Option<i64>,
}

/// The visits of the caller's scope (a paired cadre: of their households), newest first.
#[utoipa::path(
    get,
    path = "/api/visits",
    tag = "visits",
    params(VisitQuery),
    responses(
        (status = 200, description = "走访记录", body = [VisitDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 422, description = "筛选条件有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<VisitDto>>, AppError> {
    let visits = state
        .app
        .visits(&session.actor, &filter_of(&query)?)
        .await?;
    Ok(Json(visits.iter().map(VisitDto::from).collect()))
}

/// A household's visits, newest first.
#[utoipa::path(
    get,
    path = "/api/households/{id}/visits",
    tag = "visits",
    params(("id" = i64, Path, description = "家庭ID")),
    responses(
        (status = 200, description = "该户的走访记录", body = [VisitDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_household(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Vec<VisitDto>>, AppError> {
    let visits = state
        .app
        .visits(
            &session.actor,
            &VisitFilter {
                household: Some(HouseholdId(id)),
                ..VisitFilter::default()
            },
        )
        .await?;
    Ok(Json(visits.iter().map(VisitDto::from).collect()))
}

/// Records a visit to a household (3.3). The same draft id sent again returns the visit
/// already kept.
#[utoipa::path(
    post,
    path = "/api/households/{id}/visits",
    tag = "visits",
    params(("id" = i64, Path, description = "家庭ID")),
    request_body = VisitRequest,
    responses(
        (status = 200, description = "已记录", body = VisitDto),
        (status = 403, description = "无权记录", body = ErrorBody),
        (status = 404, description = "家庭不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "草稿编号已被另一户的记录使用", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_record(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<VisitRequest>,
) -> Result<Json<VisitDto>, AppError> {
    let v = state
        .app
        .record_visit(
            &session.actor,
            HouseholdId(id),
            &VisitInput {
                visited_on: body.visited_on,
                kind: body.kind,
                found: body.found,
                needs: body.needs,
                draft_id: body.draft_id,
                attachments: Vec::new(),
            },
        )
        .await?;
    Ok(Json(VisitDto::from(&v)))
}

/// A household in a coverage list.
#[derive(Serialize, ToSchema)]
pub struct CoveredHouseholdDto {
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 乡镇（街道）代码。
    pub township: String,
    /// 社区代码。
    pub community: String,
    /// 结对帮扶干部。
    pub cadres: Vec<String>,
    /// 期间内最近一次走访日期。
    pub last_visit: Option<String>,
}

impl From<&CoveredHousehold> for CoveredHouseholdDto {
    fn from(h: &CoveredHousehold) -> CoveredHouseholdDto {
        CoveredHouseholdDto {
            household_id: h.household.0,
            household_number: h.number.clone(),
            township: h.township.clone(),
            community: h.community.clone(),
            cadres: h.cadres.clone(),
            last_visit: h.last_visit.map(|d| d.to_string()),
        }
    }
}

/// One township's coverage.
#[derive(Serialize, ToSchema)]
pub struct TownshipCoverageDto {
    /// 乡镇（街道）代码。
    pub township: String,
    /// 在册家庭户数。
    pub households: usize,
    /// 未结对帮扶干部的户数。
    pub unpaired: usize,
    /// 期间内未走访的户数。
    pub unvisited: usize,
}

/// Coverage of the caller's scope (4.3).
#[derive(Serialize, ToSchema)]
pub struct CoverageDto {
    /// 回看天数。
    pub days: u32,
    /// 自此日起算近期走访。
    pub since: String,
    /// 在册家庭户数。
    pub households: usize,
    /// 各乡镇（街道）。
    pub townships: Vec<TownshipCoverageDto>,
    /// 未结对帮扶干部的家庭。
    pub unpaired: Vec<CoveredHouseholdDto>,
    /// 期间内未走访的家庭。
    pub unvisited: Vec<CoveredHouseholdDto>,
}

/// The look-back of coverage.
// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// 回看天数，默认90。
    pub days: Option<u32>,
}

/// Every current household of the caller's scope without a paired cadre or without a visit
/// in the last `days` days (4.3 "帮困不漏户、户户见干部").
#[utoipa::path(
    get,
    path = "/api/coverage",
    tag = "visits",
    params(CoverageQuery),
    responses(
        (status = 200, description = "帮扶覆盖", body = CoverageDto),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 422, description = "天数有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_coverage(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<CoverageDto>, AppError> {
    let c = coverage_of(&state, &session.actor, &query).await?;
    Ok(Json(CoverageDto {
        days: c.days,
        since: c.since.to_string(),
        households: c.households,
        townships: c
            .townships
            .iter()
            .map(|(t, n)| TownshipCoverageDto {
                township: t.clone(),
                households: n.households,
                unpaired: n.first,
                unvisited: n.second,
            })
            .collect(),
        unpaired: c.unpaired.iter().map(CoveredHouseholdDto::from).collect(),
        unvisited: c.unvisited.iter().map(CoveredHouseholdDto::from).collect(),
    }))
}

/// A campaign.
#[derive(Serialize, ToSchema)]
pub struct CampaignDto {
    /// 活动编号。
    pub id: i64,
    /// 名称。
    pub name: String,
    /// 计入的走访类型代码。
    pub kind: String,
    /// 开始日期。
    pub from: String,
    /// 结束日期。
    pub to: String,
    /// 创建人。
    pub created_by: String,
}

impl From<&Campaign> for CampaignDto {
    fn from(c: &Campaign) -> CampaignDto {
        CampaignDto {
            id: c.id,
            name: c.name.clone(),
            kind: c.kind.code().to_owned(),
            from: c.from.to_string(),
            to: c.to.to_string(),
            created_by: c.created_by.clone(),
        }
    }
}

/// A campaign to create.
#[derive(Deserialize, ToSchema)]
pub struct CampaignRequest {
    /// 名称，如“2027年春节走访”。
    #[serde(default)]
    pub name: String,
    /// 计入的走访类型：routine、holiday、follow_up。
    #[serde(default)]
    pub kind: String,
    /// 开始日期。
    #[serde(default)]
    pub from: String,
    /// 结束日期。
    #[serde(default)]
    pub to: String,
}

/// A group's progress.
#[derive(Serialize, ToSchema)]
pub struct ProgressGroupDto {
    /// 乡镇（街道）代码或干部姓名。
    pub name: String,
    /// 户数。
    pub households: usize,
    /// 已走访户数。
    pub visited: usize,
}

/// A campaign's progress.
#[derive(Serialize, ToSchema)]
pub struct CampaignProgressDto {
    /// 活动。
    pub campaign: CampaignDto,
    /// 在册家庭户数。
    pub households: usize,
    /// 已走访户数。
    pub visited: usize,
    /// 各乡镇（街道）。
    pub townships: Vec<ProgressGroupDto>,
    /// 各结对帮扶干部（未结对的家庭计入“（未结对）”）。
    pub cadres: Vec<ProgressGroupDto>,
    /// 各责任单位（按其结对的社区；仅县、乡镇和审计人员可见）。
    pub units: Vec<ProgressGroupDto>,
    /// 尚未走访的家庭。
    pub pending: Vec<CoveredHouseholdDto>,
}

/// Every campaign.
#[utoipa::path(
    get,
    path = "/api/campaigns",
    tag = "visits",
    responses(
        (status = 200, description = "走访活动", body = [CampaignDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_campaigns(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<CampaignDto>>, AppError> {
    let list = state.app.campaigns(&session.actor).await?;
    Ok(Json(list.iter().map(CampaignDto::from).collect()))
}

/// Creates a campaign (the county approver).
#[utoipa::path(
    post,
    path = "/api/campaigns",
    tag = "visits",
    request_body = CampaignRequest,
    responses(
        (status = 200, description = "已创建", body = CampaignDto),
        (status = 403, description = "无权创建", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_create_campaign(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<CampaignRequest>,
) -> Result<Json<CampaignDto>, AppError> {
    let c = state
        .app
        .create_campaign(
            &session.actor,
            &CampaignInput {
                name: body.name,
                kind: body.kind,
                from: body.from,
                to: body.to,
            },
        )
        .await?;
    Ok(Json(CampaignDto::from(&c)))
}

/// A campaign's progress in the caller's scope.
#[utoipa::path(
    get,
    path = "/api/campaigns/{id}",
    tag = "visits",
    params(("id" = i64, Path, description = "活动编号")),
    responses(
        (status = 200, description = "走访活动进度", body = CampaignProgressDto),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
    )
)]
pub(crate) async fn api_campaign(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<CampaignProgressDto>, AppError> {
    let p = state.app.campaign_progress(&session.actor, id).await?;
    let group = |(name, n): (&String, &doudi_app::visits::Tally)| ProgressGroupDto {
        name: name.clone(),
        households: n.households,
        visited: n.first,
    };
    Ok(Json(CampaignProgressDto {
        campaign: CampaignDto::from(&p.campaign),
        households: p.total.households,
        visited: p.total.first,
        townships: p.townships.iter().map(group).collect(),
        cadres: p.cadres.iter().map(group).collect(),
        units: p.units.iter().map(group).collect(),
        pending: p.pending.iter().map(CoveredHouseholdDto::from).collect(),
    }))
}

/// The counts of coverage for the work list's block (township caseworkers and community
/// workers): households without a cadre, households without a visit in 90 days.
pub(crate) async fn work_counts(
    state: &AppState,
    actor: &Actor,
) -> Result<Option<(u64, u64)>, AppError> {
    if !matches!(
        actor.role,
        doudi_core::Role::TownshipCaseworker | doudi_core::Role::CommunityWorker
    ) {
        return Ok(None);
    }
    let c = state.app.coverage_counts(actor).await?;
    Ok(Some((c.unpaired, c.unvisited)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_a_percentage_with_one_decimal() {
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(3, 3), "100.0%");
        assert_eq!(percent(0, 0), "—");
    }

    #[test]
    fn an_attachment_is_typed_by_its_bytes() {
        assert_eq!(sniff(b"%PDF-1.4"), "application/pdf");
        assert_eq!(sniff(b"<html>"), "application/octet-stream");
    }
}
