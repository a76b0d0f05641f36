//! The social-forces platform (3.1, 3.2) in the browser and as JSON: a participant's own
//! dashboard (registration, offers, matches to deliver, donations accounted), the de-identified
//! needs, the participants the county verifies, and the matches caseworkers confirm and
//! acknowledge. Every list has an Excel export and a JSON twin. A need carries only its opaque
//! id, township, kind, size bracket and urgency: never the household.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::social::{OfferInput, ParticipantInput, ProposalView};
use doudi_core::Role;
use doudi_core::social::{MatchState, OfferKind, ParticipantKind};
use doudi_store::social::{
    Match, NewMatch, Offer, Participant, PublicNeed, may_acknowledge, may_confirm_matches,
    may_verify_participants,
};
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

fn township_name(divisions: &Divisions, code: Option<&str>) -> String {
    match code {
        None => "全县".into(),
        Some(c) => divisions
            .get(c)
            .map_or_else(|| c.to_owned(), |d| d.name.clone()),
    }
}

/// A published need: only the opaque id, township, kind, size bracket and urgency.
#[derive(Serialize, ToSchema)]
pub(crate) struct NeedDto {
    /// 需求编号（随机生成，不是家庭编号）。
    need_id: String,
    /// 乡镇（街道）名称。
    township: String,
    /// 需求类别。
    kind: String,
    /// 家庭规模（区间）。
    size: String,
    /// 紧急程度。
    urgency: String,
    /// 发布日期。
    published_on: String,
}

fn need_dto(n: &PublicNeed, divisions: &Divisions) -> NeedDto {
    NeedDto {
        need_id: n.token.clone(),
        township: township_name(divisions, Some(&n.township)),
        kind: n.kind.label().into(),
        size: n.size.label().into(),
        urgency: n.urgency.label().into(),
        published_on: n.published_on.to_string(),
    }
}

/// An offer.
#[derive(Serialize, ToSchema)]
pub(crate) struct OfferDto {
    /// 资源编号。
    id: i64,
    /// 参与主体。
    participant: String,
    /// 资源类型代码。
    kind_code: String,
    /// 资源类型。
    kind: String,
    /// 资源说明。
    description: String,
    /// 乡镇（街道）代码，空为全县。
    township_code: String,
    /// 范围。
    township: String,
    /// 可帮扶户数。
    capacity: u32,
    /// 剩余户数。
    capacity_left: u32,
    /// 捐赠金额（分）。
    amount_fen: i64,
    /// 捐赠金额。
    amount: String,
    /// 有效期至。
    valid_until: String,
    /// 是否开放。
    open: bool,
}

fn offer_dto(o: &Offer, divisions: &Divisions) -> OfferDto {
    let f = &o.fields;
    OfferDto {
        id: o.id,
        participant: o.participant_name.clone(),
        kind_code: f.kind.code().into(),
        kind: f.kind.label().into(),
        description: f.description.clone(),
        township_code: f.township.clone().unwrap_or_default(),
        township: township_name(divisions, f.township.as_deref()),
        capacity: f.capacity,
        capacity_left: o.capacity_left(),
        amount_fen: f.amount.fen(),
        amount: f.amount.to_string(),
        valid_until: f.valid_until.to_string(),
        open: o.open,
    }
}

/// A participant with its donations accounted.
#[derive(Serialize, ToSchema)]
pub(crate) struct ParticipantDto {
    /// 编号。
    id: i64,
    /// 类型。
    kind: String,
    /// 名称。
    name: String,
    /// 联系人及电话。
    contact: String,
    /// 统一社会信用代码。
    credit_code: String,
    /// 是否已核实。
    verified: bool,
    /// 发布资源数。
    offers: i64,
    /// 认捐金额（分）。
    pledged_fen: i64,
    /// 已交付金额（分）。
    delivered_fen: i64,
    /// 已确认收到金额（分）。
    acknowledged_fen: i64,
    /// 认捐金额。
    pledged: String,
    /// 已交付金额。
    delivered: String,
    /// 已确认收到金额。
    acknowledged: String,
}

fn participant_dto(p: &Participant) -> ParticipantDto {
    ParticipantDto {
        id: p.id,
        kind: p.kind.label().into(),
        name: p.name.clone(),
        contact: p.contact.clone(),
        credit_code: p.credit_code.clone().unwrap_or_default(),
        verified: p.verified,
        offers: p.offers,
        pledged_fen: p.pledged.fen(),
        delivered_fen: p.delivered.fen(),
        acknowledged_fen: p.acknowledged.fen(),
        pledged: p.pledged.to_string(),
        delivered: p.delivered.to_string(),
        acknowledged: p.acknowledged.to_string(),
    }
}

/// A match of an offer to a need (the need de-identified).
#[derive(Serialize, ToSchema)]
pub(crate) struct MatchDto {
    /// 对接编号。
    id: i64,
    /// 需求。
    need: NeedDto,
    /// 资源编号。
    offer: i64,
    /// 资源。
    offer_description: String,
    /// 资源类型。
    offer_kind: String,
    /// 参与主体。
    participant: String,
    /// 金额（分）。
    amount_fen: i64,
    /// 金额。
    amount: String,
    /// 状态代码。
    state_code: String,
    /// 状态。
    state: String,
    /// 匹配理由。
    reasons: String,
    /// 交付情况。
    delivery_note: String,
}

fn match_dto(m: &Match, divisions: &Divisions) -> MatchDto {
    MatchDto {
        id: m.id,
        need: need_dto(&m.need, divisions),
        offer: m.offer,
        offer_description: m.offer_description.clone(),
        offer_kind: m.offer_kind.label().into(),
        participant: m.participant_name.clone(),
        amount_fen: m.amount.fen(),
        amount: m.amount.to_string(),
        state_code: m.state.code().into(),
        state: m.state.label().into(),
        reasons: m.reasons.clone(),
        delivery_note: m.delivery_note.clone().unwrap_or_default(),
    }
}

/// An offer proposed for a need, with the reasons.
#[derive(Serialize, ToSchema)]
pub(crate) struct ProposalDto {
    /// 需求。
    need: NeedDto,
    /// 资源。
    offer: OfferDto,
    /// 理由。
    reasons: String,
}

fn proposal_dto(p: &ProposalView, divisions: &Divisions) -> ProposalDto {
    ProposalDto {
        need: need_dto(&p.need, divisions),
        offer: offer_dto(&p.offer, divisions),
        reasons: p.reasons.join("；"),
    }
}

struct Choice {
    code: String,
    label: String,
}

fn offer_kinds() -> Vec<Choice> {
    OfferKind::ALL
        .iter()
        .map(|k| Choice {
            code: k.code().into(),
            label: k.label().into(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "social.html")]
struct SocialPage {
    chrome: Chrome,
    is_participant_role: bool,
    me: Option<ParticipantDto>,
    offers: Vec<OfferDto>,
    matches: Vec<MatchDto>,
    participant_kinds: Vec<Choice>,
    kinds: Vec<Choice>,
    townships: Vec<Choice>,
    error: Option<String>,
}

async fn render_dashboard(
    state: &AppState,
    session: &Session,
    error: Option<String>,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let store = state.app.store();
    let divisions = Divisions::load(store).await?;
    let me = store.own_participant(actor).await?;
    let offers = store.offers(actor).await?;
    let matches = store.matches(actor).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        status,
        &SocialPage {
            chrome: Chrome::new(session, "社会力量", "social").here(),
            is_participant_role: actor.role == Role::SocialOrganisation,
            me: me.as_ref().map(participant_dto),
            offers: offers.iter().map(|o| offer_dto(o, &divisions)).collect(),
            matches: matches.iter().map(|m| match_dto(m, &divisions)).collect(),
            participant_kinds: ParticipantKind::ALL
                .iter()
                .map(|k| Choice {
                    code: k.code().into(),
                    label: k.label().into(),
                })
                .collect(),
            kinds: offer_kinds(),
            townships: divisions
                .townships_in(&doudi_core::Scope::County)
                .map(|d| Choice {
                    code: d.code.to_string(),
                    label: d.name.clone(),
                })
                .collect(),
            error,
        },
    )
}

/// Turns a refused form into the dashboard with the message, anything else into the error.
async fn refused(
    state: &AppState,
    session: &Session,
    e: doudi_app::Error,
) -> Result<Response, AppError> {
    match AppError::from(e) {
        AppError::Invalid { message, .. } => render_dashboard(state, session, Some(message)).await,
        other => Err(other),
    }
}

/// The participant's own dashboard (others: the verified participants' offers).
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    render_dashboard(&state, &session, None).await
}

fn participant_input(form: &FormInput) -> ParticipantInput {
    ParticipantInput {
        kind: form.get("kind").to_owned(),
        name: form.get("name").to_owned(),
        contact: form.get("contact").to_owned(),
        credit_code: form.get("credit_code").to_owned(),
    }
}

fn offer_input(form: &FormInput) -> OfferInput {
    OfferInput {
        kind: form.get("kind").to_owned(),
        description: form.get("description").to_owned(),
        township: form.get("township").to_owned(),
        capacity: form.get("capacity").to_owned(),
        amount_yuan: form.get("amount_yuan").to_owned(),
        valid_until: form.get("valid_until").to_owned(),
    }
}

/// Registers the social organisation's participant record.
pub(crate) async fn register(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .register_participant(&session.actor, &participant_input(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to("/social").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

/// Posts an offer.
pub(crate) async fn add_offer(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .add_offer(&session.actor, &offer_input(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to("/social").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

/// Edits one of the participant's own offers.
pub(crate) async fn update_offer(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .update_offer(&session.actor, id, &offer_input(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to("/social").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

/// Opens or closes one of the participant's own offers.
pub(crate) async fn set_offer_open(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    state
        .app
        .store()
        .set_offer_open(&session.actor, id, form.get("open") == "1")
        .await?;
    Ok(Redirect::to("/social").into_response())
}

/// The offers the caller sees, as Excel.
pub(crate) async fn offers_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let offers = state.app.store().offers(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "社会力量帮扶资源",
            filter: String::new(),
            headers: vec![
                "资源编号",
                "参与主体",
                "类型",
                "说明",
                "范围",
                "可帮扶户数",
                "剩余户数",
                "金额",
                "有效期至",
                "状态",
            ],
            rows: offers
                .iter()
                .map(|o| {
                    let d = offer_dto(o, &divisions);
                    super::export::text([
                        d.id.to_string(),
                        d.participant,
                        d.kind,
                        d.description,
                        d.township,
                        d.capacity.to_string(),
                        d.capacity_left.to_string(),
                        d.amount,
                        d.valid_until,
                        if d.open { "开放" } else { "已关闭" }.to_owned(),
                    ])
                })
                .collect(),
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "social_needs.html")]
struct NeedsPage {
    chrome: Chrome,
    needs: Vec<NeedDto>,
    can_publish: bool,
}

/// The open needs, de-identified.
pub(crate) async fn needs(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.store().open_needs(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    page(
        StatusCode::OK,
        &NeedsPage {
            chrome: Chrome::new(&session, "帮扶需求（脱敏）", "social")
                .crumb("社会力量", "/social")
                .here(),
            needs: list.iter().map(|n| need_dto(n, &divisions)).collect(),
            can_publish: may_confirm_matches(&session.actor),
        },
    )
}

/// The open needs as Excel.
pub(crate) async fn needs_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.store().open_needs(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "脱敏帮扶需求",
            filter: String::new(),
            headers: vec![
                "需求编号",
                "乡镇（街道）",
                "需求类别",
                "家庭规模",
                "紧急程度",
                "发布日期",
            ],
            rows: list
                .iter()
                .map(|n| {
                    let d = need_dto(n, &divisions);
                    super::export::text([
                        d.need_id,
                        d.township,
                        d.kind,
                        d.size,
                        d.urgency,
                        d.published_on,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// Publishes the needs raised in the files of the caller's scope.
pub(crate) async fn publish(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    state.app.store().publish_needs(&session.actor).await?;
    Ok(Redirect::to("/social/needs").into_response())
}

#[derive(Template)]
#[template(path = "social_participants.html")]
struct ParticipantsPage {
    chrome: Chrome,
    rows: Vec<ParticipantDto>,
    can_verify: bool,
}

/// The participants with their donations accounted; the county verifies.
pub(crate) async fn participants(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.store().participants(&session.actor).await?;
    page(
        StatusCode::OK,
        &ParticipantsPage {
            chrome: Chrome::new(&session, "参与主体", "social")
                .crumb("社会力量", "/social")
                .here(),
            rows: list.iter().map(participant_dto).collect(),
            can_verify: may_verify_participants(&session.actor),
        },
    )
}

/// The participants as Excel.
pub(crate) async fn participants_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.store().participants(&session.actor).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "社会力量参与主体",
            filter: String::new(),
            headers: vec![
                "编号",
                "类型",
                "名称",
                "联系人及电话",
                "统一社会信用代码",
                "核实",
                "资源数",
                "认捐金额",
                "已交付金额",
                "已确认收到金额",
            ],
            rows: list
                .iter()
                .map(|p| {
                    let d = participant_dto(p);
                    super::export::text([
                        d.id.to_string(),
                        d.kind,
                        d.name,
                        d.contact,
                        d.credit_code,
                        if d.verified { "已核实" } else { "待核实" }.to_owned(),
                        d.offers.to_string(),
                        d.pledged,
                        d.delivered,
                        d.acknowledged,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// Verifies (or withdraws the verification of) a participant.
pub(crate) async fn verify(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    state
        .app
        .store()
        .verify_participant(&session.actor, id, form.get("verified") != "0")
        .await?;
    Ok(Redirect::to("/social/participants").into_response())
}

#[derive(Template)]
#[template(path = "social_matches.html")]
struct MatchesPage {
    chrome: Chrome,
    proposals: Vec<ProposalDto>,
    matches: Vec<MatchDto>,
    can_confirm: bool,
    can_acknowledge: bool,
}

/// Proposals to confirm and matches to acknowledge.
pub(crate) async fn matches(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let divisions = Divisions::load(state.app.store()).await?;
    let list = state.app.store().matches(actor).await?;
    let proposals = if may_confirm_matches(actor) {
        state.app.social_proposals(actor).await?
    } else {
        Vec::new()
    };
    page(
        StatusCode::OK,
        &MatchesPage {
            chrome: Chrome::new(&session, "对接与交付", "social")
                .crumb("社会力量", "/social")
                .here(),
            proposals: proposals
                .iter()
                .map(|p| proposal_dto(p, &divisions))
                .collect(),
            matches: list.iter().map(|m| match_dto(m, &divisions)).collect(),
            can_confirm: may_confirm_matches(actor),
            can_acknowledge: may_acknowledge(actor),
        },
    )
}

/// The matches as Excel.
pub(crate) async fn matches_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.store().matches(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "社会力量对接记录",
            filter: String::new(),
            headers: vec![
                "对接编号",
                "需求编号",
                "乡镇（街道）",
                "需求类别",
                "紧急程度",
                "参与主体",
                "资源",
                "金额",
                "状态",
                "交付情况",
            ],
            rows: list
                .iter()
                .map(|m| {
                    let d = match_dto(m, &divisions);
                    super::export::text([
                        d.id.to_string(),
                        d.need.need_id,
                        d.need.township,
                        d.need.kind,
                        d.need.urgency,
                        d.participant,
                        d.offer_description,
                        d.amount,
                        d.state,
                        d.delivery_note,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// Confirms a proposal: an offer for a need.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_confirm_matches(&session.actor) {
        return Err(doudi_store::StoreError::Forbidden.into());
    }
    let offer =
        form.get("offer").trim().parse::<i64>().map_err(|_| {
            AppError::from(doudi_app::Error::invalid("offer", "资源编号：应为数字"))
        })?;
    state
        .app
        .confirm_social_match(
            &session.actor,
            &NewMatch {
                need: form.get("need").trim().to_owned(),
                offer,
                reasons: form.get("reasons").to_owned(),
            },
        )
        .await?;
    Ok(Redirect::to("/social/matches").into_response())
}

/// The participant records delivery.
pub(crate) async fn deliver(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    match state
        .app
        .store()
        .deliver_match(&session.actor, id, form.get("note"))
        .await
    {
        Ok(_) => Ok(Redirect::to("/social").into_response()),
        Err(e) => refused(&state, &session, e.into()).await,
    }
}

/// The household's cadre or a caseworker acknowledges a delivery.
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    state
        .app
        .store()
        .acknowledge_match(&session.actor, id)
        .await?;
    Ok(Redirect::to("/social/matches").into_response())
}

// ---- JSON API ----

/// The open needs, de-identified (3.1).
#[utoipa::path(get, path = "/api/social/needs", tag = "social",
    responses((status = 200, description = "脱敏需求", body = [NeedDto]),
              (status = 403, description = "无权查看", body = ErrorBody)))]
pub(crate) async fn api_needs(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<NeedDto>>, AppError> {
    let list = state.app.store().open_needs(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(Json(list.iter().map(|n| need_dto(n, &divisions)).collect()))
}

/// The offers the caller sees: a participant its own, others verified participants'.
#[utoipa::path(get, path = "/api/social/offers", tag = "social",
    responses((status = 200, description = "帮扶资源", body = [OfferDto]),
              (status = 403, description = "无权查看", body = ErrorBody)))]
pub(crate) async fn api_offers(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<OfferDto>>, AppError> {
    let list = state.app.store().offers(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(Json(
        list.iter().map(|o| offer_dto(o, &divisions)).collect(),
    ))
}

/// An offer to post.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default)]
pub(crate) struct OfferRequest {
    /// 资源类型代码：money、goods、services、jobs、training、pairing。
    kind: String,
    /// 资源说明。
    description: String,
    /// 乡镇（街道）代码，空为全县。
    #[serde(default)]
    township: String,
    /// 可帮扶户数。
    capacity: u32,
    /// 捐赠金额（分），仅资金类。
    #[serde(default)]
    amount_fen: i64,
    /// 有效期至（YYYY-MM-DD）。
    valid_until: String,
}

/// Posts an offer of the caller's verified participant.
#[utoipa::path(post, path = "/api/social/offers", tag = "social", request_body = OfferRequest,
    responses((status = 200, description = "已发布", body = OfferDto),
              (status = 403, description = "无权发布", body = ErrorBody),
              (status = 422, description = "填写有误或尚未核实", body = ErrorBody)))]
pub(crate) async fn api_add_offer(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<OfferRequest>,
) -> Result<Json<OfferDto>, AppError> {
    let amount = doudi_core::Money::from_fen(body.amount_fen);
    let o = state
        .app
        .add_offer(
            &session.actor,
            &OfferInput {
                kind: body.kind,
                description: body.description,
                township: body.township,
                capacity: body.capacity.to_string(),
                amount_yuan: if body.amount_fen == 0 {
                    String::new()
                } else {
                    amount.to_yuan_string()
                },
                valid_until: body.valid_until,
            },
        )
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(Json(offer_dto(&o, &divisions)))
}

/// The participants (a participant: its own) with donations accounted.
#[utoipa::path(get, path = "/api/social/participants", tag = "social",
    responses((status = 200, description = "参与主体", body = [ParticipantDto]),
              (status = 403, description = "无权查看", body = ErrorBody)))]
pub(crate) async fn api_participants(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<ParticipantDto>>, AppError> {
    let list = state.app.store().participants(&session.actor).await?;
    Ok(Json(list.iter().map(participant_dto).collect()))
}

/// A participant's registration.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default)]
pub(crate) struct ParticipantRequest {
    /// 类型代码：enterprise、organisation、foundation、volunteer。
    kind: String,
    /// 名称。
    name: String,
    /// 联系人及电话。
    contact: String,
    /// 统一社会信用代码（可空）。
    credit_code: String,
}

/// Registers the caller's (a social organisation account's) participant record, unverified.
#[utoipa::path(post, path = "/api/social/participants", tag = "social",
    request_body = ParticipantRequest,
    responses((status = 200, description = "已登记，待核实", body = ParticipantDto),
              (status = 403, description = "无权登记", body = ErrorBody),
              (status = 409, description = "已登记", body = ErrorBody),
              (status = 422, description = "填写有误", body = ErrorBody)))]
pub(crate) async fn api_register(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<ParticipantRequest>,
) -> Result<Json<ParticipantDto>, AppError> {
    let p = state
        .app
        .register_participant(
            &session.actor,
            &ParticipantInput {
                kind: body.kind,
                name: body.name,
                contact: body.contact,
                credit_code: body.credit_code,
            },
        )
        .await?;
    Ok(Json(participant_dto(&p)))
}

/// A verification.
#[derive(Deserialize, ToSchema)]
pub(crate) struct VerifyRequest {
    /// 是否核实通过（false 为撤销核实）。
    #[serde(default = "yes")]
    verified: bool,
}

fn yes() -> bool {
    true
}

/// The county approver verifies (or withdraws the verification of) a participant.
#[utoipa::path(post, path = "/api/social/participants/{id}/verify", tag = "social",
    params(("id" = i64, Path, description = "参与主体编号")), request_body = VerifyRequest,
    responses((status = 200, description = "已核实", body = ParticipantDto),
              (status = 403, description = "无权核实", body = ErrorBody),
              (status = 404, description = "不存在", body = ErrorBody)))]
pub(crate) async fn api_verify(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<VerifyRequest>,
) -> Result<Json<ParticipantDto>, AppError> {
    let p = state
        .app
        .store()
        .verify_participant(&session.actor, id, body.verified)
        .await?;
    Ok(Json(participant_dto(&p)))
}

/// The matches the caller sees.
#[utoipa::path(get, path = "/api/social/matches", tag = "social",
    responses((status = 200, description = "对接记录", body = [MatchDto]),
              (status = 403, description = "无权查看", body = ErrorBody)))]
pub(crate) async fn api_matches(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<MatchDto>>, AppError> {
    let list = state.app.store().matches(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(Json(
        list.iter().map(|m| match_dto(m, &divisions)).collect(),
    ))
}

/// Offers proposed for open needs, with reasons (caseworkers and the county).
#[utoipa::path(get, path = "/api/social/proposals", tag = "social",
    responses((status = 200, description = "匹配建议", body = [ProposalDto]),
              (status = 403, description = "无权查看", body = ErrorBody)))]
pub(crate) async fn api_proposals(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<ProposalDto>>, AppError> {
    if !may_confirm_matches(&session.actor) {
        return Err(doudi_store::StoreError::Forbidden.into());
    }
    let list = state.app.social_proposals(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(Json(
        list.iter().map(|p| proposal_dto(p, &divisions)).collect(),
    ))
}

/// A proposal to confirm.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default)]
pub(crate) struct ConfirmRequest {
    /// 需求编号。
    need_id: String,
    /// 资源编号。
    offer: i64,
    /// 理由。
    #[serde(default)]
    reasons: String,
}

/// Confirms an offer for a need (caseworkers in scope, the county).
#[utoipa::path(post, path = "/api/social/matches", tag = "social", request_body = ConfirmRequest,
    responses((status = 200, description = "已确认", body = MatchDto),
              (status = 403, description = "无权确认", body = ErrorBody),
              (status = 404, description = "需求或资源不存在", body = ErrorBody),
              (status = 422, description = "不符合对接条件", body = ErrorBody)))]
pub(crate) async fn api_confirm(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<ConfirmRequest>,
) -> Result<Json<MatchDto>, AppError> {
    let m = state
        .app
        .confirm_social_match(
            &session.actor,
            &NewMatch {
                need: body.need_id,
                offer: body.offer,
                reasons: body.reasons,
            },
        )
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(Json(match_dto(&m, &divisions)))
}

/// A delivery to record.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default)]
pub(crate) struct DeliverRequest {
    /// 交付情况。
    note: String,
}

/// The participant records delivery of a confirmed match.
#[utoipa::path(post, path = "/api/social/matches/{id}/deliver", tag = "social",
    params(("id" = i64, Path, description = "对接编号")), request_body = DeliverRequest,
    responses((status = 200, description = "已登记交付", body = MatchDto),
              (status = 403, description = "无权登记", body = ErrorBody),
              (status = 404, description = "不存在", body = ErrorBody),
              (status = 422, description = "状态不符", body = ErrorBody)))]
pub(crate) async fn api_deliver(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<DeliverRequest>,
) -> Result<Json<MatchDto>, AppError> {
    let m = state
        .app
        .store()
        .deliver_match(&session.actor, id, &body.note)
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(Json(match_dto(&m, &divisions)))
}

/// The household's cadre or a caseworker acknowledges a delivery.
#[utoipa::path(post, path = "/api/social/matches/{id}/acknowledge", tag = "social",
    params(("id" = i64, Path, description = "对接编号")),
    responses((status = 200, description = "已确认收到", body = MatchDto),
              (status = 403, description = "无权确认", body = ErrorBody),
              (status = 404, description = "不存在", body = ErrorBody),
              (status = 422, description = "尚未交付", body = ErrorBody)))]
pub(crate) async fn api_acknowledge(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<MatchDto>, AppError> {
    let m = state
        .app
        .store()
        .acknowledge_match(&session.actor, id)
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(Json(match_dto(&m, &divisions)))
}

impl MatchDto {
    /// Whether it waits for the participant's delivery.
    fn waiting(&self) -> bool {
        self.state_code == MatchState::Confirmed.code()
    }

    /// Whether it waits for acknowledgement.
    fn delivered(&self) -> bool {
        self.state_code == MatchState::Delivered.code()
    }
}
