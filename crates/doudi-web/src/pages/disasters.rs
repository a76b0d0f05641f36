//! Disaster relief (2.3): the list of events with the form that records one, an event's page
//! (its households to confirm or remove, the relief form per household, its reliefs and what
//! has been paid of them, the cadres paired with its households), both lists as Excel, and their
//! JSON twins under `/api/disasters`. The use cases are `doudi_app::disaster`.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::disaster::{CheckInput, DisasterInput, ReliefInput};
use doudi_core::disaster::{AffectedState, Damage, DisasterKind, ReliefKind};
use doudi_core::{HouseholdId, Money};
use doudi_store::disaster::{Disaster, DisasterDetail};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Chrome, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::PathParams;
use crate::forms::FormInput;
use crate::view::Divisions;

fn yuan(fen: i64) -> String {
    Money::from_fen(fen).to_yuan_string()
}

/// The messages of a refused input, one per problem.
fn problems(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid { message, fields } if !fields.is_empty() => {
            let list: Vec<String> = fields.iter().map(|(_, m)| m.to_owned()).collect();
            if list.is_empty() {
                vec![message.clone()]
            } else {
                list
            }
        }
        other => vec![other.message()],
    }
}

/// Whether a refusal is the caller's to fix (shown on the page) rather than a failure.
fn is_input_error(e: &AppError) -> bool {
    matches!(e, AppError::Invalid { .. } | AppError::Duplicate(_))
}

struct EventRow {
    id: i64,
    name: String,
    kind: &'static str,
    occurred_on: String,
    area: String,
    households: i64,
    confirmed: i64,
    relief: String,
    recorded_by: String,
}

struct Choice {
    code: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "disasters.html")]
struct DisastersPage {
    chrome: Chrome,
    rows: Vec<EventRow>,
    can_record: bool,
    errors: Vec<String>,
    name: String,
    occurred_on: String,
    keywords: String,
    kinds: Vec<Choice>,
    communities: Vec<(String, Vec<Choice>)>,
}

fn area_words(d: &Disaster, divisions: &Divisions) -> String {
    let mut parts: Vec<String> = d.communities.iter().map(|c| divisions.place(c)).collect();
    if !d.keywords.is_empty() {
        parts.push(format!("地址含：{}", d.keywords.join("、")));
    }
    parts.join("；")
}

fn event_row(d: &Disaster, divisions: &Divisions) -> EventRow {
    EventRow {
        id: d.id,
        name: d.name.clone(),
        kind: d.kind.label(),
        occurred_on: d.occurred_on.to_string(),
        area: area_words(d, divisions),
        households: d.households,
        confirmed: d.confirmed,
        relief: yuan(d.relief_fen),
        recorded_by: d.recorded_by.clone(),
    }
}

async fn render_list(
    state: &AppState,
    session: &Session,
    input: &DisasterInput,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let list = state.app.disasters(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let can_record = doudi_core::disaster::may_record(&session.actor);
    let communities = divisions
        .townships_in(&doudi_core::Scope::County)
        .map(|t| {
            (
                t.name.clone(),
                divisions
                    .communities_in(&t.code, &doudi_core::Scope::County)
                    .map(|c| Choice {
                        code: c.code.to_string(),
                        label: c.name.clone(),
                        selected: input.communities.iter().any(|s| s == c.code.as_str()),
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, cs)| !cs.is_empty())
        .collect();
    page(
        status,
        &DisastersPage {
            chrome: Chrome::new(session, "灾害救助", "disasters").here(),
            rows: list.iter().map(|d| event_row(d, &divisions)).collect(),
            can_record,
            errors,
            name: input.name.clone(),
            occurred_on: input.occurred_on.clone(),
            keywords: input.keywords.clone(),
            kinds: DisasterKind::ALL
                .iter()
                .map(|k| Choice {
                    code: k.code().into(),
                    label: k.label().into(),
                    selected: input.kind == k.code(),
                })
                .collect(),
            communities,
        },
    )
}

/// The events, with the form that records one (for those who may).
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let input = DisasterInput {
        occurred_on: state.today().to_string(),
        ..DisasterInput::default()
    };
    render_list(&state, &session, &input, Vec::new(), StatusCode::OK).await
}

fn disaster_input(form: &FormInput) -> DisasterInput {
    DisasterInput {
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        occurred_on: form.get("occurred_on").to_owned(),
        communities: form.all("communities"),
        keywords: form.get("keywords").to_owned(),
    }
}

/// Records an event from the form and shows it; a refused form comes back with its errors.
pub(crate) async fn create(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = disaster_input(&form);
    match state.app.record_disaster(&session.actor, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/disasters/{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if is_input_error(&e) {
                let status = e.status();
                render_list(&state, &session, &input, problems(&e), status).await
            } else {
                Err(e)
            }
        }
    }
}

/// The events as Excel.
pub(crate) async fn list_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.disasters(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "灾害事件",
            filter: String::new(),
            headers: vec![
                "编号",
                "灾害名称",
                "灾害种类",
                "发生日期",
                "受灾区域",
                "受灾家庭（户）",
                "已确认（户）",
                "救助金额（元）",
                "登记人",
            ],
            rows: list
                .iter()
                .map(|d| {
                    let r = event_row(d, &divisions);
                    let mut cells = super::export::text([
                        r.id.to_string(),
                        r.name,
                        r.kind.to_owned(),
                        r.occurred_on,
                        r.area,
                        r.households.to_string(),
                        r.confirmed.to_string(),
                    ]);
                    cells.push(doudi_exchange::write::OutCell::Money(Money::from_fen(
                        d.relief_fen,
                    )));
                    cells.push(doudi_exchange::write::OutCell::Text(r.recorded_by));
                    cells
                })
                .collect(),
        },
    )
    .await
}

struct HouseholdRow {
    household: i64,
    number: String,
    place: String,
    address: String,
    head: String,
    category: &'static str,
    state: &'static str,
    state_code: &'static str,
    damage: String,
    damage_code: &'static str,
    dead: u32,
    injured: u32,
    note: String,
    cadres: String,
}

struct ReliefRow {
    id: i64,
    cancelled: Option<String>,
    household: i64,
    number: String,
    kind: &'static str,
    amount: String,
    months: String,
    total: String,
    paid: String,
    lines: i64,
    reason: String,
    by: String,
}

#[derive(Template)]
#[template(path = "disaster.html")]
struct DisasterPage {
    chrome: Chrome,
    id: i64,
    name: String,
    kind: &'static str,
    occurred_on: String,
    area: String,
    recorded_by: String,
    households: i64,
    confirmed: i64,
    relief_total: String,
    paid_total: String,
    rows: Vec<HouseholdRow>,
    reliefs: Vec<ReliefRow>,
    cadres: Vec<(i64, String, String)>,
    /// Households confirmed, for the relief form: id, number, deaths.
    confirmed_households: Vec<(i64, String, u32)>,
    can_check: bool,
    can_relieve: bool,
    errors: Vec<String>,
    damages: Vec<(&'static str, &'static str)>,
    relief_kinds: Vec<(&'static str, &'static str)>,
    current_month: String,
}

fn household_rows(d: &DisasterDetail, divisions: &Divisions) -> Vec<HouseholdRow> {
    d.households
        .iter()
        .map(|h| HouseholdRow {
            household: h.household.0,
            number: h.number.clone(),
            place: divisions.place(&h.community),
            address: h.address.clone(),
            head: h.head.clone(),
            category: h.category.label(),
            state: h.state.label(),
            state_code: h.state.code(),
            damage: h.damage.map(|d| d.label().to_owned()).unwrap_or_default(),
            damage_code: h.damage.map_or("", |d| d.code()),
            dead: h.dead,
            injured: h.injured,
            note: h.note.clone(),
            cadres: d
                .cadres
                .iter()
                .filter(|(id, _, _)| *id == h.household)
                .map(|(_, _, c)| c.as_str())
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect()
}

fn relief_rows(d: &DisasterDetail) -> Vec<ReliefRow> {
    d.reliefs
        .iter()
        .map(|r| ReliefRow {
            id: r.id,
            cancelled: r.cancelled.clone(),
            household: r.household.0,
            number: r.household_number.clone(),
            kind: r.kind.label(),
            amount: yuan(r.amount_fen),
            months: if r.months > 1 {
                format!(
                    "{}至{}，共{}个月",
                    r.from_month,
                    r.from_month.plus(r.months - 1),
                    r.months
                )
            } else {
                r.from_month.to_string()
            } + &if r.cancelled.is_some() {
                format!("（已撤销，保留{}个月）", r.kept_months)
            } else {
                String::new()
            },
            total: yuan(r.total_fen()),
            paid: yuan(r.paid_fen),
            lines: r.lines,
            reason: r.reason.clone(),
            by: r.recorded_by.clone(),
        })
        .collect()
}

async fn render_event(
    state: &AppState,
    session: &Session,
    id: i64,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let d = state.app.disaster(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let reliefs = relief_rows(&d);
    let paid: i64 = d.reliefs.iter().map(|r| r.paid_fen).sum();
    page(
        status,
        &DisasterPage {
            chrome: Chrome::new(session, d.disaster.name.clone(), "disasters")
                .crumb("灾害救助", "/disasters")
                .here(),
            id,
            name: d.disaster.name.clone(),
            kind: d.disaster.kind.label(),
            occurred_on: d.disaster.occurred_on.to_string(),
            area: area_words(&d.disaster, &divisions),
            recorded_by: d.disaster.recorded_by.clone(),
            households: d.disaster.households,
            confirmed: d.disaster.confirmed,
            relief_total: yuan(d.disaster.relief_fen),
            paid_total: yuan(paid),
            rows: household_rows(&d, &divisions),
            reliefs,
            cadres: d
                .cadres
                .iter()
                .map(|(h, n, c)| (h.0, n.clone(), c.clone()))
                .collect(),
            confirmed_households: d
                .households
                .iter()
                .filter(|h| h.state == AffectedState::Confirmed)
                .map(|h| (h.household.0, h.number.clone(), h.dead))
                .collect(),
            can_check: doudi_core::disaster::may_check(&session.actor),
            can_relieve: doudi_core::disaster::may_record(&session.actor),
            errors,
            damages: Damage::ALL.iter().map(|d| (d.code(), d.label())).collect(),
            relief_kinds: ReliefKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            current_month: doudi_core::Month::of(state.today()).to_string(),
        },
    )
}

/// One event: its households, the relief form, its reliefs and cadres.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    render_event(&state, &session, id, Vec::new(), StatusCode::OK).await
}

fn check_input(form: &FormInput) -> CheckInput {
    CheckInput {
        state: form.get("state").to_owned(),
        damage: form.get("damage").to_owned(),
        dead: form.get("dead").to_owned(),
        injured: form.get("injured").to_owned(),
        note: form.get("note").to_owned(),
    }
}

/// Confirms or removes a household of the event.
pub(crate) async fn check(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, household)): PathParams<(i64, i64)>,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .check_affected(
            &session.actor,
            id,
            HouseholdId(household),
            &check_input(&form),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/disasters/{id}#h-{household}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if is_input_error(&e) {
                let status = e.status();
                render_event(&state, &session, id, problems(&e), status).await
            } else {
                Err(e)
            }
        }
    }
}

fn relief_input(form: &FormInput) -> ReliefInput {
    ReliefInput {
        kind: form.get("kind").to_owned(),
        amount: form.get("amount").to_owned(),
        from_month: form.get("from_month").to_owned(),
        months: form.get("months").to_owned(),
        reason: form.get("reason").to_owned(),
    }
}

/// Records a relief for a confirmed household of the event.
pub(crate) async fn relieve(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    if !doudi_core::disaster::may_record(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let household = match form.get("household").trim().parse::<i64>() {
        Ok(h) => h,
        Err(_) => {
            return render_event(
                &state,
                &session,
                id,
                vec!["受灾家庭：请选择已确认受灾的家庭".into()],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state
        .app
        .record_relief(
            &session.actor,
            id,
            HouseholdId(household),
            &relief_input(&form),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/disasters/{id}#reliefs")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if is_input_error(&e) {
                let status = e.status();
                render_event(&state, &session, id, problems(&e), status).await
            } else {
                Err(e)
            }
        }
    }
}

/// Withdraws a relief's unpaid months.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, relief)): PathParams<(i64, i64)>,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .cancel_relief(&session.actor, id, relief, form.get("reason"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/disasters/{id}#reliefs")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if is_input_error(&e) {
                let status = e.status();
                render_event(&state, &session, id, problems(&e), status).await
            } else {
                Err(e)
            }
        }
    }
}

/// The event's households with their reliefs as Excel.
pub(crate) async fn event_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    use doudi_exchange::write::OutCell;
    let d = state.app.disaster(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let rows = household_rows(&d, &divisions);
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "受灾家庭",
            filter: format!("（灾害{id}）"),
            headers: vec![
                "户编号",
                "乡镇（街道）社区",
                "住址",
                "户主",
                "救助类别",
                "核实状态",
                "房屋受损",
                "死亡人数",
                "受伤人数",
                "核实情况说明",
                "结对帮扶干部",
                "登记救助（元）",
                "已发放（元）",
            ],
            rows: rows
                .into_iter()
                .map(|r| {
                    let (total, paid) = d
                        .reliefs
                        .iter()
                        .filter(|x| x.household.0 == r.household)
                        .fold((0i64, 0i64), |(t, p), x| {
                            (
                                t.saturating_add(x.total_fen()),
                                p.saturating_add(x.paid_fen),
                            )
                        });
                    let mut cells = super::export::text([
                        r.number,
                        r.place,
                        r.address,
                        r.head,
                        r.category.to_owned(),
                        r.state.to_owned(),
                        r.damage,
                        r.dead.to_string(),
                        r.injured.to_string(),
                        r.note,
                        r.cadres,
                    ]);
                    cells.push(OutCell::Money(Money::from_fen(total)));
                    cells.push(OutCell::Money(Money::from_fen(paid)));
                    cells
                })
                .collect(),
        },
    )
    .await
}

// ---- the JSON API ----

/// A disaster event.
#[derive(Serialize, ToSchema)]
pub struct DisasterDto {
    /// 编号。
    pub id: i64,
    /// 灾害名称。
    pub name: String,
    /// 灾害种类：flood、landslide、fire、earthquake、other。
    pub kind: String,
    /// 发生日期。
    pub occurred_on: String,
    /// 受灾社区代码。
    pub communities: Vec<String>,
    /// 地址关键词。
    pub keywords: Vec<String>,
    /// 登记人。
    pub recorded_by: String,
    /// 工作范围内的受灾家庭户数（不含已排除）。
    pub households: i64,
    /// 其中已确认受灾的户数。
    pub confirmed: i64,
    /// 工作范围内登记的救助金额（分，过渡期生活救助按全部月份计）。
    pub relief_fen: i64,
}

impl From<&Disaster> for DisasterDto {
    fn from(d: &Disaster) -> DisasterDto {
        DisasterDto {
            id: d.id,
            name: d.name.clone(),
            kind: d.kind.code().into(),
            occurred_on: d.occurred_on.to_string(),
            communities: d.communities.clone(),
            keywords: d.keywords.clone(),
            recorded_by: d.recorded_by.clone(),
            households: d.households,
            confirmed: d.confirmed,
            relief_fen: d.relief_fen,
        }
    }
}

/// A household found in a disaster's area.
#[derive(Serialize, ToSchema)]
pub struct AffectedHouseholdDto {
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 社区代码。
    pub community: String,
    /// 住址。
    pub address: String,
    /// 户主姓名（已遮蔽）。
    pub head: String,
    /// 救助类别：dibao 或 tekun。
    pub category: String,
    /// 核实状态：found（待核实）、confirmed（已确认受灾）、removed（已排除）。
    pub state: String,
    /// 房屋受损：collapsed、damaged、none；未核实时为空。
    pub damage: Option<String>,
    /// 死亡人数。
    pub dead: u32,
    /// 受伤人数。
    pub injured: u32,
    /// 核实情况说明。
    pub note: String,
    /// 结对帮扶干部。
    pub cadres: Vec<String>,
}

/// A relief recorded for a household.
#[derive(Serialize, ToSchema)]
pub struct ReliefDto {
    /// 编号。
    pub id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 救助类别：emergency、condolence、transitional。
    pub kind: String,
    /// 金额（分；过渡期生活救助为每月金额）。
    pub amount_fen: i64,
    /// 起始月份（随该月发放名册发放）。
    pub from_month: String,
    /// 月数。
    pub months: u32,
    /// 救助理由。
    pub reason: String,
    /// 登记人。
    pub recorded_by: String,
    /// 已生成的发放记录笔数。
    pub payment_lines: i64,
    /// 银行已发放成功的金额（分）。
    pub paid_fen: i64,
    /// 应发放（含已发放）的月数；撤销后少于 months。
    pub kept_months: i64,
    /// 撤销理由；未撤销为空。
    pub cancelled_reason: Option<String>,
}

/// A disaster event with its households and reliefs.
#[derive(Serialize, ToSchema)]
pub struct DisasterDetailDto {
    /// 灾害事件。
    pub disaster: DisasterDto,
    /// 工作范围内的受灾家庭。
    pub households: Vec<AffectedHouseholdDto>,
    /// 工作范围内登记的救助。
    pub reliefs: Vec<ReliefDto>,
}

fn detail_dto(d: &DisasterDetail) -> DisasterDetailDto {
    DisasterDetailDto {
        disaster: DisasterDto::from(&d.disaster),
        households: d
            .households
            .iter()
            .map(|h| AffectedHouseholdDto {
                household_id: h.household.0,
                household_number: h.number.clone(),
                community: h.community.clone(),
                address: h.address.clone(),
                head: h.head.clone(),
                category: h.category.code().into(),
                state: h.state.code().into(),
                damage: h.damage.map(|x| x.code().into()),
                dead: h.dead,
                injured: h.injured,
                note: h.note.clone(),
                cadres: d
                    .cadres
                    .iter()
                    .filter(|(id, _, _)| *id == h.household)
                    .map(|(_, _, c)| c.clone())
                    .collect(),
            })
            .collect(),
        reliefs: d
            .reliefs
            .iter()
            .map(|r| ReliefDto {
                id: r.id,
                household_id: r.household.0,
                household_number: r.household_number.clone(),
                kind: r.kind.code().into(),
                amount_fen: r.amount_fen,
                from_month: r.from_month.to_string(),
                months: r.months,
                reason: r.reason.clone(),
                recorded_by: r.recorded_by.clone(),
                payment_lines: r.lines,
                paid_fen: r.paid_fen,
                kept_months: r.kept_months,
                cancelled_reason: r.cancelled.clone(),
            })
            .collect(),
    }
}

/// The disaster events (2.3), newest first, with their figures in the caller's scope.
#[utoipa::path(
    get,
    path = "/api/disasters",
    tag = "disasters",
    responses(
        (status = 200, description = "灾害事件", body = [DisasterDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<DisasterDto>>, AppError> {
    let list = state.app.disasters(&session.actor).await?;
    Ok(Json(list.iter().map(DisasterDto::from).collect()))
}

/// A disaster event to record.
#[derive(Deserialize, ToSchema)]
pub struct NewDisasterBody {
    /// 灾害名称。
    pub name: String,
    /// 灾害种类：flood、landslide、fire、earthquake、other。
    pub kind: String,
    /// 发生日期，如 2026-07-01。
    pub occurred_on: String,
    /// 受灾社区代码（12位）。
    #[serde(default)]
    pub communities: Vec<String>,
    /// 地址关键词（住址含其一即视为在受灾区域）。
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// Records a disaster event (the emergency-management officer, the county approver): the
/// current households of its area are found and their townships warned.
#[utoipa::path(
    post,
    path = "/api/disasters",
    tag = "disasters",
    request_body = NewDisasterBody,
    responses(
        (status = 200, description = "已登记，返回事件及查到的受灾家庭", body = DisasterDetailDto),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_create(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<NewDisasterBody>,
) -> Result<Json<DisasterDetailDto>, AppError> {
    let input = DisasterInput {
        name: body.name,
        kind: body.kind,
        occurred_on: body.occurred_on,
        communities: body.communities,
        keywords: body.keywords.join("\n"),
    };
    let id = state.app.record_disaster(&session.actor, &input).await?;
    let d = state.app.disaster(&session.actor, id).await?;
    Ok(Json(detail_dto(&d)))
}

/// One disaster event with its households and reliefs in the caller's scope.
#[utoipa::path(
    get,
    path = "/api/disasters/{id}",
    tag = "disasters",
    params(("id" = i64, Path, description = "灾害编号")),
    responses(
        (status = 200, description = "灾害事件", body = DisasterDetailDto),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
    )
)]
pub(crate) async fn api_get(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<DisasterDetailDto>, AppError> {
    let d = state.app.disaster(&session.actor, id).await?;
    Ok(Json(detail_dto(&d)))
}

/// What was found at a household.
#[derive(Deserialize, ToSchema)]
pub struct CheckBody {
    /// confirmed（确认受灾）或 removed（排除，须写说明）。
    pub state: String,
    /// 房屋受损：collapsed、damaged、none。
    pub damage: String,
    /// 死亡人数。
    #[serde(default)]
    pub dead: u32,
    /// 受伤人数。
    #[serde(default)]
    pub injured: u32,
    /// 核实情况说明。
    #[serde(default)]
    pub note: String,
}

/// Confirms or removes a household of a disaster (the emergency officer, the county approver,
/// township caseworkers in scope).
#[utoipa::path(
    post,
    path = "/api/disasters/{id}/households/{household}",
    tag = "disasters",
    params(
        ("id" = i64, Path, description = "灾害编号"),
        ("household" = i64, Path, description = "家庭ID"),
    ),
    request_body = CheckBody,
    responses(
        (status = 200, description = "已核实，返回事件", body = DisasterDetailDto),
        (status = 403, description = "无权核实", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_check(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, household)): PathParams<(i64, i64)>,
    ApiJson(body): ApiJson<CheckBody>,
) -> Result<Json<DisasterDetailDto>, AppError> {
    let input = CheckInput {
        state: body.state,
        damage: body.damage,
        dead: body.dead.to_string(),
        injured: body.injured.to_string(),
        note: body.note,
    };
    state
        .app
        .check_affected(&session.actor, id, HouseholdId(household), &input)
        .await?;
    let d = state.app.disaster(&session.actor, id).await?;
    Ok(Json(detail_dto(&d)))
}

/// A relief to record.
#[derive(Deserialize, ToSchema)]
pub struct ReliefBody {
    /// 家庭ID（须已确认受灾）。
    pub household_id: i64,
    /// 救助类别：emergency（应急救助）、condolence（死亡抚慰金，须有死亡人员）、
    /// transitional（过渡期生活救助，按月）。
    pub kind: String,
    /// 金额（元；过渡期生活救助为每月金额）。政策未规定标准，由经办人员填写。
    pub amount: String,
    /// 过渡期生活救助的起始月份，如 2026-07，默认本月；其他类别为本月。
    #[serde(default)]
    pub from_month: String,
    /// 过渡期生活救助的月数（1至12）。
    #[serde(default)]
    pub months: Option<u32>,
    /// 救助理由。
    pub reason: String,
}

/// Records a relief for a confirmed household of a disaster (the emergency officer, the county
/// approver); it is paid by the payment run of each month it is due.
#[utoipa::path(
    post,
    path = "/api/disasters/{id}/relief",
    tag = "disasters",
    params(("id" = i64, Path, description = "灾害编号")),
    request_body = ReliefBody,
    responses(
        (status = 200, description = "已登记，返回事件", body = DisasterDetailDto),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "该户同月已有同类救助", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_relieve(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<ReliefBody>,
) -> Result<Json<DisasterDetailDto>, AppError> {
    let input = ReliefInput {
        kind: body.kind,
        amount: body.amount,
        from_month: body.from_month,
        months: body.months.map(|m| m.to_string()).unwrap_or_default(),
        reason: body.reason,
    };
    state
        .app
        .record_relief(&session.actor, id, HouseholdId(body.household_id), &input)
        .await?;
    let d = state.app.disaster(&session.actor, id).await?;
    Ok(Json(detail_dto(&d)))
}

/// Why a relief is withdrawn.
#[derive(Deserialize, ToSchema)]
pub struct CancelBody {
    /// 撤销理由。
    pub reason: String,
}

/// Withdraws a relief (the emergency officer, the county approver): its unpaid months, and
/// those whose payment line is still pending, are removed; what the bank paid stays.
#[utoipa::path(
    post,
    path = "/api/disasters/{id}/relief/{relief}/cancel",
    tag = "disasters",
    params(
        ("id" = i64, Path, description = "灾害编号"),
        ("relief" = i64, Path, description = "救助编号"),
    ),
    request_body = CancelBody,
    responses(
        (status = 200, description = "已撤销，返回事件", body = DisasterDetailDto),
        (status = 403, description = "无权撤销", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "未写理由、已撤销或已全部发放", body = ErrorBody),
    )
)]
pub(crate) async fn api_cancel(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, relief)): PathParams<(i64, i64)>,
    ApiJson(body): ApiJson<CancelBody>,
) -> Result<Json<DisasterDetailDto>, AppError> {
    state
        .app
        .cancel_relief(&session.actor, id, relief, &body.reason)
        .await?;
    let d = state.app.disaster(&session.actor, id).await?;
    Ok(Json(detail_dto(&d)))
}
