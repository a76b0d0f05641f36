//! Pairing cadres with households (结对帮扶, 3.2), from the household page: the county approver
//! and township caseworkers add and remove the cadres paired with a household of their scope;
//! a paired cadre then reads that household, and only such households.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::HouseholdId;
use doudi_store::{Pairing, PairingFilter};

use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::PathParams;
use crate::forms::FormInput;

/// The cadres paired with a household the session's user may read (not found otherwise).
pub(crate) async fn of_household(
    state: &AppState,
    session: &Session,
    id: HouseholdId,
) -> Result<Vec<Pairing>, AppError> {
    // The household read checks scope and pairing, and is recorded like any other.
    state.app.store().household(&session.actor, id).await?;
    let filter = PairingFilter {
        household: Some(id),
        cadre: None,
    };
    Ok(state.app.store().pairings(&session.actor, filter).await?)
}

/// Pairs the cadre chosen in the form with the household.
pub(crate) async fn add(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let cadre: i64 = form
        .get("cadre")
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("请选择要结对的帮扶干部".into()))?;
    state
        .app
        .store()
        .pair(&session.actor, HouseholdId(id), cadre)
        .await?;
    Ok(Redirect::to(&format!("/households/{id}#pairings")).into_response())
}

/// Ends a pairing.
pub(crate) async fn remove(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, cadre)): PathParams<(i64, i64)>,
) -> Result<Response, AppError> {
    state
        .app
        .store()
        .unpair(&session.actor, HouseholdId(id), cadre)
        .await?;
    Ok(Redirect::to(&format!("/households/{id}#pairings")).into_response())
}

// ---- pairing management: units, pairing in bulk, hand-over (3.3, 4.3) ----

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use doudi_app::pairing::{Plan, Sharing};
use doudi_core::{DivisionCode, Role};
use doudi_store::units::{Unit, UnitKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Chrome, page};
use crate::api::ApiJson;
use crate::error::ErrorBody;
use crate::view::Divisions;

struct UnitView {
    id: i64,
    name: String,
    kind: &'static str,
    communities: String,
    members: String,
    community_options: Vec<(String, String, bool)>,
    member_options: Vec<(i64, String, bool)>,
}

struct LoadView {
    id: i64,
    name: String,
    place: String,
    load: i64,
}

#[derive(Template)]
#[template(path = "pairing.html")]
struct PairingPage {
    chrome: Chrome,
    can_edit_units: bool,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<UnitView>,
    loads: Vec<LoadView>,
    places: Vec<(String, String)>,
    form: PlanForm,
    notice: String,
    plan: Option<PlanView>,
}

struct PlanView {
    title: String,
    action: &'static str,
    assignments: Vec<(String, String)>,
    left: Vec<(String, String)>,
}

/// A plan form's values, shown again.
#[derive(Clone, Debug, Default)]
struct PlanForm {
    place: String,
    unit: String,
    cap: String,
    from: String,
    to: String,
}

fn plan_view(title: String, action: &'static str, plan: &Plan) -> PlanView {
    PlanView {
        title,
        action,
        assignments: plan
            .assignments
            .iter()
            .map(|a| (a.number.clone(), a.cadre_name.clone()))
            .collect(),
        left: plan.left.clone(),
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    form: PlanForm,
    notice: String,
    plan: Option<PlanView>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let divisions = Divisions::load(state.app.store()).await?;
    let units = state.app.store().units(actor).await?;
    let loads = state.app.store().cadre_loads(actor).await?;
    let mut places = Vec::new();
    for t in divisions.townships_in(&actor.scope) {
        if actor.scope.prefix().len() <= t.code.as_str().len() {
            places.push((t.code.to_string(), t.name.clone()));
        }
        for c in divisions.communities_in(&t.code, &actor.scope) {
            places.push((c.code.to_string(), format!("{} {}", t.name, c.name)));
        }
    }
    let unit_views = units
        .iter()
        .map(|u: &Unit| UnitView {
            id: u.id,
            name: u.name.clone(),
            kind: u.kind.label(),
            communities: u
                .communities
                .iter()
                .map(|c| divisions.place(c.as_str()))
                .collect::<Vec<_>>()
                .join("、"),
            members: u
                .members
                .iter()
                .map(|(_, _, n)| n.clone())
                .collect::<Vec<_>>()
                .join("、"),
            community_options: places
                .iter()
                .filter(|(code, _)| code.len() == 12)
                .map(|(code, name)| {
                    (
                        code.clone(),
                        name.clone(),
                        u.communities.iter().any(|c| c.as_str() == code),
                    )
                })
                .collect(),
            member_options: loads
                .iter()
                .map(|(id, _, name, _, _)| {
                    (*id, name.clone(), u.members.iter().any(|(m, ..)| m == id))
                })
                .collect(),
        })
        .collect();
    page(
        status,
        &PairingPage {
            chrome: Chrome::new(session, "结对管理", "pairing").here(),
            can_edit_units: actor.role == Role::CountyApprover,
            kinds: UnitKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            units: unit_views,
            loads: loads
                .into_iter()
                .map(|(id, _, name, scope, load)| LoadView {
                    id,
                    name,
                    place: if scope.is_empty() {
                        "全县".into()
                    } else {
                        divisions.place(&scope)
                    },
                    load,
                })
                .collect(),
            places,
            form,
            notice,
            plan,
        },
    )
}

/// Units, cadres' loads, and the forms that pair in bulk and hand over.
pub(crate) async fn manage(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    render(
        &state,
        &session,
        PlanForm {
            cap: "10".into(),
            ..PlanForm::default()
        },
        String::new(),
        None,
        StatusCode::OK,
    )
    .await
}

fn id_of(text: &str, field: &'static str, label: &str) -> Result<Option<i64>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::from(doudi_app::Error::invalid(field, format!("{label}无效")))),
    }
}

fn sharing_of(unit: &str, cadre: &str, cap: &str) -> Result<Sharing, AppError> {
    Ok(Sharing {
        unit: id_of(unit, "unit", "责任单位")?,
        cadre: id_of(cadre, "to", "接手干部")?,
        cap: cap.trim().parse().map_err(|_| {
            AppError::from(doudi_app::Error::invalid(
                "cap",
                "每名干部结对户数上限：应为1到1000的整数",
            ))
        })?,
    })
}

fn place_of(text: &str) -> Result<Option<DivisionCode>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => DivisionCode::parse(t).map(Some).map_err(|_| {
            AppError::from(doudi_app::Error::invalid("place", "乡镇（街道）或社区无效"))
        }),
    }
}

/// Shows what happened, or the page again with the problem (422).
async fn outcome(
    state: &AppState,
    session: &Session,
    form: PlanForm,
    result: Result<(String, Option<PlanView>), doudi_app::Error>,
) -> Result<Response, AppError> {
    match result {
        Ok((notice, plan)) => render(state, session, form, notice, plan, StatusCode::OK).await,
        Err(
            doudi_app::Error::Invalid { message, .. }
            | doudi_app::Error::Rules(message)
            | doudi_app::Error::Store(doudi_store::StoreError::Invalid(message)),
        ) => {
            render(
                state,
                session,
                form,
                format!("未完成：{message}"),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Pairs the households without a cadre of a place: `action=preview` shows the plan,
/// `action=apply` makes it.
pub(crate) async fn assign(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let values = PlanForm {
        place: form.get("place").to_owned(),
        unit: form.get("unit").to_owned(),
        cap: form.get("cap").to_owned(),
        ..PlanForm::default()
    };
    let place = place_of(&values.place)?;
    let sharing = sharing_of(&values.unit, "", &values.cap)?;
    let apply = form.get("action") == "apply";
    let result = if apply {
        state
            .app
            .assign(&session.actor, place, sharing)
            .await
            .map(|p| {
                (
                    format!(
                        "已结对{}户；另有{}户未能安排。",
                        p.assignments.len(),
                        p.left.len()
                    ),
                    Some(plan_view("已结对".into(), "", &p)),
                )
            })
    } else {
        state
            .app
            .assignment_plan(&session.actor, place, sharing)
            .await
            .map(|p| {
                (
                    String::new(),
                    Some(plan_view("结对方案（尚未结对）".into(), "assign", &p)),
                )
            })
    };
    outcome(&state, &session, values, result).await
}

/// Hands a leaving cadre's households over: `action=preview` shows the plan, `action=apply`
/// makes it (refused while any household would be left without a cadre).
pub(crate) async fn handover(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let values = PlanForm {
        unit: form.get("unit").to_owned(),
        cap: form.get("cap").to_owned(),
        from: form.get("from").to_owned(),
        to: form.get("to").to_owned(),
        ..PlanForm::default()
    };
    let Some(from) = id_of(&values.from, "from", "移交干部")? else {
        return outcome(
            &state,
            &session,
            values,
            Err(doudi_app::Error::invalid("from", "请选择要移交的干部")),
        )
        .await;
    };
    let sharing = sharing_of(&values.unit, &values.to, &values.cap)?;
    let apply = form.get("action") == "apply";
    let result = if apply {
        state
            .app
            .hand_over(&session.actor, from, sharing)
            .await
            .map(|p| {
                (
                    format!("已移交{}户，没有家庭失去结对干部。", p.assignments.len()),
                    Some(plan_view("已移交".into(), "", &p)),
                )
            })
    } else {
        state
            .app
            .handover_plan(&session.actor, from, sharing)
            .await
            .map(|p| {
                (
                    String::new(),
                    Some(plan_view("移交方案（尚未移交）".into(), "handover", &p)),
                )
            })
    };
    outcome(&state, &session, values, result).await
}

/// Creates a unit (the county approver).
pub(crate) async fn create_unit(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    if session.actor.role != Role::CountyApprover {
        return Err(AppError::Forbidden);
    }
    let kind = UnitKind::parse(form.get("kind").trim())
        .map_err(|_| AppError::from(doudi_app::Error::invalid("kind", "请选择单位类别")))?;
    let result = state
        .app
        .store()
        .create_unit(&session.actor, form.get("name"), kind)
        .await;
    match result {
        Ok(_) => Ok(Redirect::to("/pairing#units").into_response()),
        Err(doudi_store::StoreError::Duplicate(message)) => {
            outcome(
                &state,
                &session,
                PlanForm::default(),
                Err(doudi_app::Error::Rules(message)),
            )
            .await
        }
        Err(e) => outcome(&state, &session, PlanForm::default(), Err(e.into())).await,
    }
}

/// Sets a unit's communities and cadres (the county approver).
pub(crate) async fn set_unit(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    if session.actor.role != Role::CountyApprover {
        return Err(AppError::Forbidden);
    }
    let mut communities = Vec::new();
    let mut members = Vec::new();
    for (k, v) in &form.0 {
        match k.as_str() {
            "community" => communities.push(DivisionCode::parse(v.trim()).map_err(|_| {
                AppError::from(doudi_app::Error::invalid("community", "社区代码无效"))
            })?),
            "member" => members.push(
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| AppError::from(doudi_app::Error::invalid("member", "干部无效")))?,
            ),
            _ => {}
        }
    }
    match state
        .app
        .store()
        .set_unit(&session.actor, id, &communities, &members)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/pairing#unit-{id}")).into_response()),
        Err(e) => outcome(&state, &session, PlanForm::default(), Err(e.into())).await,
    }
}

/// Cadres and how many households each is paired with, as Excel.
pub(crate) async fn export_loads(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let loads = state.app.store().cadre_loads(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "结对干部及结对户数",
            filter: String::new(),
            headers: vec!["登录名", "姓名", "工作范围", "结对户数"],
            rows: loads
                .into_iter()
                .map(|(_, username, name, scope, load)| {
                    super::export::text([
                        username,
                        name,
                        if scope.is_empty() {
                            "全县".into()
                        } else {
                            divisions.place(&scope)
                        },
                        load.to_string(),
                    ])
                })
                .collect(),
        },
    )
    .await
}

// ---- the API ----

/// A unit.
#[derive(Serialize, ToSchema)]
pub struct UnitDto {
    /// 编号。
    pub id: i64,
    /// 名称。
    pub name: String,
    /// 类别代码。
    pub kind: String,
    /// 结对社区代码。
    pub communities: Vec<String>,
    /// 单位干部的账户编号。
    pub members: Vec<i64>,
}

/// The pairing units (those who manage pairings).
#[utoipa::path(
    get,
    path = "/api/units",
    tag = "pairings",
    responses(
        (status = 200, description = "结对责任单位", body = [UnitDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_units(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<UnitDto>>, AppError> {
    let units = state.app.store().units(&session.actor).await?;
    Ok(Json(
        units
            .into_iter()
            .map(|u| UnitDto {
                id: u.id,
                name: u.name,
                kind: u.kind.code().to_owned(),
                communities: u.communities.iter().map(ToString::to_string).collect(),
                members: u.members.iter().map(|(id, ..)| *id).collect(),
            })
            .collect(),
    ))
}

/// A unit to create, or a unit's communities and cadres.
#[derive(Deserialize, ToSchema)]
pub struct UnitBody {
    /// 名称（新建时）。
    #[serde(default)]
    pub name: String,
    /// 类别代码（新建时）：county_department、township_office、community。
    #[serde(default)]
    pub kind: String,
    /// 结对社区代码。
    #[serde(default)]
    pub communities: Vec<String>,
    /// 单位干部的账户编号。
    #[serde(default)]
    pub members: Vec<i64>,
}

/// Creates a unit with its communities and cadres (the county approver).
#[utoipa::path(
    post,
    path = "/api/units",
    tag = "pairings",
    request_body = UnitBody,
    responses(
        (status = 200, description = "新单位编号", body = i64),
        (status = 403, description = "无权新建", body = ErrorBody),
        (status = 409, description = "名称已有", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_create_unit(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<UnitBody>,
) -> Result<Json<i64>, AppError> {
    if session.actor.role != Role::CountyApprover {
        return Err(AppError::Forbidden);
    }
    let kind = UnitKind::parse(body.kind.trim())
        .map_err(|e| AppError::from(doudi_app::Error::invalid("kind", e.to_string())))?;
    let communities = body
        .communities
        .iter()
        .map(|c| DivisionCode::parse(c.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::from(doudi_app::Error::invalid("communities", "社区代码无效")))?;
    let store = state.app.store();
    let id = store.create_unit(&session.actor, &body.name, kind).await?;
    store
        .set_unit(&session.actor, id, &communities, &body.members)
        .await?;
    Ok(Json(id))
}

/// A bulk pairing or a hand-over.
#[derive(Deserialize, ToSchema)]
pub struct PlanBody {
    /// 乡镇（街道）或社区代码（批量结对；空为全部工作范围）。
    #[serde(default)]
    pub place: String,
    /// 移交干部的账户编号（移交时）。
    #[serde(default)]
    pub from: Option<i64>,
    /// 只由该单位的干部接手。
    #[serde(default)]
    pub unit: Option<i64>,
    /// 只由该干部接手（移交时）。
    #[serde(default)]
    pub to: Option<i64>,
    /// 每名干部结对户数上限。
    pub cap: i64,
    /// true：执行；false：只生成方案。
    #[serde(default)]
    pub apply: bool,
}

/// A plan, made or only shown.
#[derive(Serialize, ToSchema)]
pub struct PlanDto {
    /// 是否已执行。
    pub applied: bool,
    /// 结对：家庭编号、户编号、干部账户编号。
    pub assignments: Vec<(i64, String, i64)>,
    /// 未能安排的户编号与原因。
    pub left: Vec<(String, String)>,
}

fn plan_dto(applied: bool, p: &Plan) -> PlanDto {
    PlanDto {
        applied,
        assignments: p
            .assignments
            .iter()
            .map(|a| (a.household.0, a.number.clone(), a.cadre))
            .collect(),
        left: p.left.clone(),
    }
}

/// Pairs every household without a cadre of a place with the cadres (a unit's, or any whose
/// scope covers it), no cadre over `cap`; only the plan unless `apply`.
#[utoipa::path(
    post,
    path = "/api/pairings/assign",
    tag = "pairings",
    request_body = PlanBody,
    responses(
        (status = 200, description = "结对方案或结果", body = PlanDto),
        (status = 403, description = "无权结对", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_assign(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<PlanBody>,
) -> Result<Json<PlanDto>, AppError> {
    let place = place_of(&body.place)?;
    let sharing = Sharing {
        unit: body.unit,
        cadre: None,
        cap: body.cap,
    };
    let plan = if body.apply {
        state.app.assign(&session.actor, place, sharing).await?
    } else {
        state
            .app
            .assignment_plan(&session.actor, place, sharing)
            .await?
    };
    Ok(Json(plan_dto(body.apply, &plan)))
}

/// Hands a leaving cadre's households over to a cadre, or shares them among a unit's or any
/// covering cadres, no cadre over `cap`; refused while any would be left unpaired.
#[utoipa::path(
    post,
    path = "/api/pairings/handover",
    tag = "pairings",
    request_body = PlanBody,
    responses(
        (status = 200, description = "移交方案或结果", body = PlanDto),
        (status = 403, description = "无权移交", body = ErrorBody),
        (status = 422, description = "有家庭将失去结对干部，或填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_handover(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<PlanBody>,
) -> Result<Json<PlanDto>, AppError> {
    let Some(from) = body.from else {
        return Err(doudi_app::Error::invalid("from", "请给出移交干部").into());
    };
    let sharing = Sharing {
        unit: body.unit,
        cadre: body.to,
        cap: body.cap,
    };
    let plan = if body.apply {
        state.app.hand_over(&session.actor, from, sharing).await?
    } else {
        state
            .app
            .handover_plan(&session.actor, from, sharing)
            .await?
    };
    Ok(Json(plan_dto(body.apply, &plan)))
}
