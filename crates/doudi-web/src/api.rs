//! The JSON API under `/api`: the same operations as the pages, for other systems and scripts.
//!
//! Authentication is the session cookie of `POST /api/login`; every POST, PUT and DELETE with a
//! session must carry the session's CSRF token (returned by login and `GET /api/me`) in the
//! `X-CSRF-Token` header. Errors are JSON bodies with a Chinese `error` message ([`ErrorBody`]).
//! The routes are listed with the pages' in one table (`crate::routes::ROUTES`, each with its
//! permission), which both registers them and lets a test check that the OpenAPI document
//! describes every one.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use doudi_core::access::{Purpose, Shown};
use doudi_core::{HouseholdFields, HouseholdId, NewHousehold, PersonFields, PersonId, Survey};
use doudi_store::FinanceChange;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;
use crate::auth::{self, AnySession, CurrentUser};
use crate::dto::{
    AuditEntryDto, AuditListDto, CadreDto, DivisionDto, EntitlementDto, FinanceRequest,
    HistoryEntryDto, HouseholdDto, HouseholdListDto, HouseholdRowDto, ListParams, LoginRequest,
    MeDto, MemberAddedDto, MemberRequest, NewHouseholdDto, NewHouseholdInput, PairRequest,
    PairingDto, PersonInput, RemoveMemberRequest, SessionsEndedDto, SurveyInput, SurveyRequest,
    UnmaskRequest, UpdateHouseholdDto,
};
use crate::error::{AppError, ErrorBody, FieldErrors};
use crate::extract::{PathParams, QueryPairs};
use crate::view::Divisions;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "doudi 云阳县城市困难群众精准救助帮扶平台 API",
        description = "城市低保、城市特困家庭建档立卡（3.1）与三清调查（4.2.a）的接口。\
            先以 POST /api/login 登录（会话 Cookie doudi_session），之后每个 POST、PUT、DELETE \
            请求须在 X-CSRF-Token 头中带上登录返回的 csrf_token。修改类请求须带上读取时的 version，\
            数据已被他人修改时返回 409。金额一律以分为单位（*_fen），日期为 ISO 格式。"
    ),
    paths(
        crate::api_casework::submit,
        crate::api_casework::list,
        crate::api_casework::get,
        crate::api_casework::step,
        crate::api_casework::approve,
        crate::api_casework::entitlements,
        crate::api_casework::review_preview,
        crate::api_casework::review,
        crate::api_casework::review_proposals,
        crate::api_casework::decide_review,
        crate::api_casework::death,
        crate::api_casework::run_payments,
        crate::api_casework::payments,
        crate::api_casework::settle,
        crate::api_casework::work,
        crate::api_casework::care,
        crate::api_casework::care_kpi,
        crate::api_discovery::import,
        crate::api_discovery::imports,
        crate::api_discovery::alerts,
        crate::api_discovery::update_alert,
        crate::pages::exchange::api,
        crate::pages::employment::api,
        crate::pages::figures::api,
        crate::pages::clauses::api,
        crate::pages::dashboard::api,
        crate::pages::medical::api_settle,
        crate::pages::publications::api,
        crate::pages::pairings::api_units,
        crate::pages::pairings::api_create_unit,
        crate::pages::pairings::api_assign,
        crate::pages::pairings::api_handover,
        crate::pages::medical::api_batch,
        crate::pages::medical::api_stays,
        crate::pages::medical::api_cancel,
        crate::pages::medical::api_watch,
        crate::pages::medical::api_special,
        crate::pages::health::api_list,
        crate::pages::health::api_save,
        crate::pages::schooling::api_students,
        crate::pages::schooling::api_schools,
        crate::pages::schooling::api_deliver,
        crate::pages::schooling::api_enrol,
        crate::pages::schooling::api_withdraw,
        crate::pages::chain::api,
        crate::pages::chain::verification,
        crate::pages::disasters::api_list,
        crate::pages::disasters::api_create,
        crate::pages::disasters::api_get,
        crate::pages::disasters::api_check,
        crate::pages::disasters::api_relieve,
        crate::pages::disasters::api_cancel,
        crate::pages::services::api_list,
        crate::pages::services::api_record,
        crate::pages::services::api_check,
        crate::pages::services::api_providers,
        crate::pages::services::api_add_provider,
        crate::pages::housing::api_priority,
        crate::pages::disclosure::api,
        crate::pages::inspections::api_plans,
        crate::pages::inspections::api_create,
        crate::pages::inspections::api_plan,
        crate::pages::inspections::api_tasks,
        crate::pages::inspections::api_task_step,
        crate::pages::inspections::api_reports,
        crate::pages::inspections::api_report,
        crate::pages::inspections::api_report_step,
        crate::pages::housing::api_list,
        crate::pages::housing::api_file,
        crate::pages::housing::api_get,
        crate::pages::housing::api_decide,
        crate::pages::housing::api_subsidies,
        crate::pages::funds::api_funds,
        crate::pages::funds::api_set_budget,
        crate::pages::funds::api_payments,
        crate::pages::funds::api_run_checks,
        crate::pages::funds::api_findings,
        crate::pages::funds::api_finding,
        crate::pages::funds::api_change,
        crate::pages::jobs::api_openings,
        crate::pages::jobs::api_add_opening,
        crate::pages::jobs::api_opening,
        crate::pages::jobs::api_household,
        crate::pages::jobs::api_referrals,
        crate::pages::jobs::api_refer,
        crate::pages::jobs::api_outcome,
        crate::pages::jobs::api_train,
        crate::pages::jobs::api_trainings,
        crate::pages::social::api_needs,
        crate::pages::social::api_offers,
        crate::pages::social::api_add_offer,
        crate::pages::social::api_participants,
        crate::pages::social::api_register,
        crate::pages::social::api_verify,
        crate::pages::social::api_matches,
        crate::pages::social::api_confirm,
        crate::pages::social::api_proposals,
        crate::pages::social::api_deliver,
        crate::pages::social::api_acknowledge,
        crate::pages::visits::api_list,
        crate::pages::visits::api_household,
        crate::pages::visits::api_record,
        crate::pages::visits::api_coverage,
        crate::pages::visits::api_campaigns,
        crate::pages::visits::api_create_campaign,
        crate::pages::visits::api_campaign,
        login,
        logout,
        logout_everywhere,
        me,
        divisions,
        list_households,
        create_household,
        get_household,
        unmask_household,
        update_household,
        household_history,
        household_entitlement,
        household_schema,
        health,
        add_member,
        update_member,
        remove_member,
        change_finances,
        record_survey,
        household_pairings,
        pair,
        unpair,
        cadres,
        audit_entries,
        openapi_json,
    ),
    modifiers(&SessionSecurity),
    security(("session" = [], "csrf" = [])),
    tags(
        (name = "session", description = "登录与会话"),
        (name = "households", description = "家庭档案"),
        (name = "members", description = "家庭成员"),
        (name = "divisions", description = "行政区划"),
        (name = "meta", description = "接口说明"),
        (name = "policy", description = "政策测算（应享待遇与计算说明）"),
        (name = "audit", description = "审计日志（仅监督审计人员与系统管理员）"),
        (name = "casework", description = "救助申请办理、审批、待遇、复核与发放（4.2.b、4.2.c）"),
        (name = "discovery", description = "部门数据导入、人员比对与提醒（5.3）"),
        (name = "departments", description = "部门工作：住院医疗救助结算、家庭医生签约（2.4），教育资助发放（2.5）"),
        (name = "pairings", description = "结对帮扶干部与家庭的结对（县民政局审批人员、乡镇经办人员维护）"),
        (name = "disasters", description = "灾害救助：灾害事件、受灾家庭核实与救助登记（2.3）"),
        (name = "services", description = "政府购买服务：残疾人居家照护、机构托养、康复服务及质量检查（3.3）"),
        (name = "housing", description = "住房保障：优先对象、公租房与租赁补贴申请（2.6）"),
        (name = "funds", description = "资金监管：预算与支出、发放追溯、资金核查与核查发现（5.2）"),
        (name = "jobs", description = "就业帮扶：岗位、匹配、推荐与培训（2.7）"),
        (name = "social", description = "社会力量：参与主体、帮扶资源、脱敏需求、对接与交付（3.1、3.2）"),
        (name = "visits", description = "走访记录、走访活动与帮扶覆盖（3.3、4.3）"),
        (name = "oversight", description = "督查检查、整改、问责，救助信息公开与群众举报（5.4）"),
    )
)]
struct ApiDoc;

struct SessionSecurity;

impl Modify for SessionSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                auth::SESSION_COOKIE,
                "POST /api/login 设置的会话 Cookie；登录8小时后或30分钟无操作即失效",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "登录或 GET /api/me 返回的 csrf_token；POST、PUT、DELETE 必须携带",
            ))),
        );
    }
}

/// A page of the audit trail, newest first, 50 entries a page. Only auditors and
/// administrators may read it, and every reading is itself recorded.
#[utoipa::path(
    get,
    path = "/api/audit",
    tag = "audit",
    params(
        ("actor" = Option<String>, Query, description = "操作人登录名"),
        ("action" = Option<String>, Query, description = "操作代码：read、list、bulk_read、read_denied、create、update、delete、import、export、login、login_failed、logout、unmask、rotate_keys"),
        ("target" = Option<String>, Query, description = "对象，如 household:12；只写 household 表示全部家庭"),
        ("from" = Option<String>, Query, description = "起始日期（含，北京时间），如 2026-05-01"),
        ("until" = Option<String>, Query, description = "截止日期（含，北京时间）"),
        ("page" = Option<i64>, Query, description = "页码，从1开始"),
    ),
    responses(
        (status = 200, description = "一页审计记录", body = AuditListDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权查看审计日志", body = ErrorBody),
        (status = 422, description = "查询参数有误", body = ErrorBody),
    )
)]
pub(crate) async fn audit_entries(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<AuditListDto>, AppError> {
    let query = crate::pages::audit::AuditQuery::from_pairs(&pairs);
    let filter = query
        .filter()
        .map_err(|message| AppError::from(doudi_store::StoreError::Invalid(message)))?;
    let found = state
        .app
        .store()
        .audit_entries(&session.actor, &filter, query.store_page())
        .await?;
    Ok(Json(AuditListDto {
        total: found.total,
        page: query.page,
        per_page: crate::pages::audit::PER_PAGE,
        rows: found.rows.iter().map(AuditEntryDto::from).collect(),
    }))
}

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// A JSON body whose problems become [`AppError`]s: a missing or mistyped field is a 422 naming
/// the field, unreadable JSON a 400.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => {
                let text = e.body_text();
                let detail = text
                    .split_once("target type: ")
                    .map_or(text.as_str(), |(_, d)| d);
                Err(AppError::Invalid {
                    message: format!("请求内容不符合接口格式：{detail}"),
                    fields: data_error_fields(detail),
                })
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest(
                "请求须为 JSON（Content-Type: application/json）".into(),
            )),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::TooLarge(format!(
                    "提交的内容过大：一次最多{} MB，请分批提交，本次未保存任何内容",
                    crate::input::MAX_BODY_BYTES / 1024 / 1024
                )))
            }
            Err(e) => Err(AppError::BadRequest(format!(
                "无法读取 JSON 请求：{}",
                e.body_text()
            ))),
        }
    }
}

/// The field a serde error is about: `fields.number: missing field …` or
/// `members[0]: missing field `name``.
fn data_error_fields(detail: &str) -> FieldErrors {
    let mut fields = FieldErrors::new();
    let (path, message) = detail.split_once(": ").unwrap_or((".", detail));
    let path = if path == "." { "" } else { path };
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        let field = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        fields.add(field, "缺少此项");
    } else if !path.is_empty() {
        fields.add(path, format!("类型或取值不正确（{message}）"));
    }
    fields
}

/// Whether the API's household shows names masked: it is read to be edited (5.1).
fn masked(session: &auth::Session) -> bool {
    session.actor.visibility(Purpose::Edit).names != Shown::Full
}

async fn household_dto(
    state: &AppState,
    session: &auth::Session,
    id: HouseholdId,
) -> Result<HouseholdDto, AppError> {
    let record = state.app.store().household(&session.actor, id).await?;
    Ok(
        HouseholdDto::for_reading(&record, !masked(session), state.today())
            .seen_by(session.actor.department_view()),
    )
}

/// Logs in and sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/login",
    tag = "session",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "已登录；响应设置 doudi_session Cookie", body = MeDto),
        (status = 401, description = "用户名或密码错误", body = ErrorBody),
        (status = 403, description = "账户已停用", body = ErrorBody),
        (status = 429, description = "连续失败次数过多，账户暂时锁定，或所在地址暂停登录（消息说明至何时）；不存在的用户名得到同样的回答", body = ErrorBody),
        (status = 503, description = "同时核对密码的请求过多，请稍后再试", body = ErrorBody),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    client: auth::ClientAddr,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    let (user, token) = match auth::log_in(&state, &body.username, &body.password, &client).await? {
        auth::LoginOutcome::LoggedIn(user, token) => (user, token),
        auth::LoginOutcome::Failed => return Err(AppError::LoginFailed),
        auth::LoginOutcome::Locked(until) => return Err(AppError::AccountLocked(until)),
        auth::LoginOutcome::AddressLimited(until) => return Err(AppError::AddressLimited(until)),
        auth::LoginOutcome::Disabled => return Err(AppError::AccountDisabled),
    };
    let expires = state.now() + TimeDelta::hours(doudi_app::accounts::SESSION_HOURS);
    let me = MeDto::new(&user, auth::csrf_token(&token), Some(expires));
    let mut response = Json(me).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie(&token, state.config.secure_cookies),
    );
    Ok(response)
}

/// Ends the session.
#[utoipa::path(
    post,
    path = "/api/logout",
    tag = "session",
    responses(
        (status = 204, description = "已退出"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少或错误的 X-CSRF-Token", body = ErrorBody),
    )
)]
pub(crate) async fn logout(
    State(state): State<AppState>,
    AnySession(session): AnySession,
) -> Result<Response, AppError> {
    auth::log_out(&state, &session, StatusCode::NO_CONTENT.into_response()).await
}

/// Ends every session of the user, this one included (log out everywhere): after a shared PC
/// was left logged in, or a phone was lost.
#[utoipa::path(
    post,
    path = "/api/logout/all",
    tag = "session",
    responses(
        (status = 200, description = "已在所有设备上退出", body = SessionsEndedDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少或错误的 X-CSRF-Token", body = ErrorBody),
    )
)]
pub(crate) async fn logout_everywhere(
    State(state): State<AppState>,
    AnySession(session): AnySession,
) -> Result<Response, AppError> {
    let ended = state.app.log_out_everywhere(&session.actor).await?;
    Ok(auth::cookie_cleared(
        &state,
        Json(SessionsEndedDto { ended }).into_response(),
    ))
}

/// The logged-in user and the session's CSRF token.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "session",
    responses(
        (status = 200, description = "当前用户", body = MeDto),
        (status = 401, description = "未登录", body = ErrorBody),
    )
)]
pub(crate) async fn me(AnySession(session): AnySession) -> Json<MeDto> {
    Json(MeDto::new(&session.user, session.csrf.clone(), None))
}

/// The townships and communities.
#[utoipa::path(
    get,
    path = "/api/divisions",
    tag = "divisions",
    responses(
        (status = 200, description = "乡镇（街道）在前，各按代码排序", body = Vec<DivisionDto>),
        (status = 401, description = "未登录", body = ErrorBody),
    )
)]
pub(crate) async fn divisions(
    State(state): State<AppState>,
    CurrentUser(_session): CurrentUser,
) -> Result<Json<Vec<DivisionDto>>, AppError> {
    Ok(Json(
        state
            .app
            .store()
            .divisions()
            .await?
            .iter()
            .map(DivisionDto::from)
            .collect(),
    ))
}

/// A page of the households within the user's scope, by 户编号. Names and identity numbers are
/// masked.
#[utoipa::path(
    get,
    path = "/api/households",
    tag = "households",
    params(ListParams),
    responses(
        (status = 200, description = "一页家庭", body = HouseholdListDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 422, description = "查询参数有误", body = ErrorBody),
    )
)]
pub(crate) async fn list_households(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<HouseholdListDto>, AppError> {
    let query = ListParams::from_pairs(&pairs)
        .parse(true)
        .map_err(AppError::invalid)?;
    let found = state
        .app
        .store()
        .households(&session.actor, &query.filter, query.store_page())
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let rows = found
        .rows
        .iter()
        .map(|s| {
            let (t, c) = (divisions.name(&s.township), divisions.name(&s.community));
            HouseholdRowDto::from_summary(s, t, c)
        })
        .collect();
    Ok(Json(HouseholdListDto {
        total: found.total,
        page: query.page,
        per_page: query.per_page,
        rows,
    }))
}

/// Files a new household with its members (exactly one head) and, optionally, its finances and
/// survey.
#[utoipa::path(
    post,
    path = "/api/households",
    tag = "households",
    request_body = NewHouseholdDto,
    responses(
        (status = 201, description = "已建档；Location 指向新家庭", body = HouseholdDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权建档或缺少 CSRF 令牌", body = ErrorBody),
        (status = 409, description = "户编号或身份证号码已登记", body = ErrorBody),
        (status = 422, description = "字段有误，fields 逐项说明", body = ErrorBody),
    )
)]
pub(crate) async fn create_household(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<NewHouseholdDto>,
) -> Result<Response, AppError> {
    let new = NewHousehold::try_from(NewHouseholdInput {
        dto: &body,
        today: state.today(),
    })
    .map_err(AppError::invalid)?;
    let id = state
        .app
        .store()
        .create_household(&session.actor, &new)
        .await?;
    let dto = household_dto(&state, &session, id).await?;
    let location = format!("/api/households/{}", id.0);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    )
        .into_response())
}

/// One household with everything filed about it. Personal identifiers are in full for roles
/// that may edit, masked (`masked: true`) for the others.
#[utoipa::path(
    get,
    path = "/api/households/{id}",
    tag = "households",
    params(("id" = i64, Path, description = "家庭ID")),
    responses(
        (status = 200, description = "家庭", body = HouseholdDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn get_household(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<HouseholdDto>, AppError> {
    Ok(Json(
        household_dto(&state, &session, HouseholdId(id)).await?,
    ))
}

/// The household with every personal identifier in full (names, identity numbers, phones, bank
/// accounts), for a stated purpose. Allowed to caseworkers, community workers and approvers
/// within their scope and to auditors; the audit trail records who asked, why and for which
/// household (never the values) before the values are returned.
#[utoipa::path(
    post,
    path = "/api/households/{id}/unmask",
    tag = "households",
    params(("id" = i64, Path, description = "家庭ID")),
    request_body = UnmaskRequest,
    responses(
        (status = 200, description = "家庭，个人信息完整显示（masked 为 false）", body = HouseholdDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权查看完整信息或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "未填写用途（2至200个字）", body = ErrorBody),
    )
)]
pub(crate) async fn unmask_household(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<UnmaskRequest>,
) -> Result<Json<HouseholdDto>, AppError> {
    let record = state
        .app
        .store()
        .unmask(&session.actor, HouseholdId(id), &body.purpose)
        .await?;
    let masked = session.actor.visibility(Purpose::Unmask).identifiers != Shown::Full;
    Ok(Json(HouseholdDto::from_record(
        &record,
        masked,
        state.today(),
    )))
}

/// Changes a household's fields. `version` is the version the change is based on.
#[utoipa::path(
    put,
    path = "/api/households/{id}",
    tag = "households",
    params(("id" = i64, Path, description = "家庭ID")),
    request_body = UpdateHouseholdDto,
    responses(
        (status = 200, description = "修改后的家庭", body = HouseholdDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权修改或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "数据已被他人修改（含 expected_version、current_version）", body = ErrorBody),
        (status = 422, description = "字段有误", body = ErrorBody),
    )
)]
pub(crate) async fn update_household(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<UpdateHouseholdDto>,
) -> Result<Json<HouseholdDto>, AppError> {
    let id = HouseholdId(id);
    // The phone and account as they were shown (masked) mean "unchanged".
    let stored = state.app.store().household(&session.actor, id).await?;
    let mut sent = body.fields.clone();
    sent.keep_unchanged(&stored.household.fields);
    let fields = HouseholdFields::try_from(&sent).map_err(AppError::invalid_in("fields"))?;
    state
        .app
        .store()
        .update_household(&session.actor, id, body.version, &fields)
        .await?;
    Ok(Json(household_dto(&state, &session, id).await?))
}

/// The household's change history, newest first.
#[utoipa::path(
    get,
    path = "/api/households/{id}/history",
    tag = "households",
    params(("id" = i64, Path, description = "家庭ID")),
    responses(
        (status = 200, description = "变更记录", body = Vec<HistoryEntryDto>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn household_history(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Vec<HistoryEntryDto>>, AppError> {
    let history = state
        .app
        .store()
        .history(&session.actor, HouseholdId(id))
        .await?;
    Ok(Json(history.iter().map(HistoryEntryDto::from).collect()))
}

/// What a household is owed in a month under its category's rule (2.1.a dibao or 2.2.a tekun),
/// with the explanation tree (clauses, parameters with dates and sources, arithmetic).
#[utoipa::path(
    get,
    path = "/api/households/{id}/entitlement",
    tag = "policy",
    params(
        ("id" = i64, Path, description = "家庭ID"),
        ("month" = Option<String>, Query, description = "计算月份 YYYY-MM，默认本月"),
    ),
    responses(
        (status = 200, description = "应享待遇及计算说明", body = EntitlementDto),
        (status = 400, description = "月份无效", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn household_entitlement(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<EntitlementDto>, AppError> {
    let month = pairs
        .iter()
        .find(|(k, _)| k == "month")
        .map(|(_, v)| v.as_str());
    let evaluation = state
        .app
        .entitlement(&session.actor, HouseholdId(id), month)
        .await?;
    let (month, o) = (evaluation.month, evaluation.monthly);
    let explanation = o
        .explanation
        .as_ref()
        .ok_or_else(|| AppError::Internal("the evaluation gave no explanation".into()))?;
    Ok(Json(EntitlementDto {
        month: month.to_string(),
        program: o.program.to_owned(),
        eligible: o.eligible,
        refusal: o.refusal.map(str::to_owned),
        base_fen: o.base_fen,
        extras_fen: o.extras_fen,
        total_fen: o.total_fen,
        illustrative: o.illustrative,
        explanation_text: explanation.render(),
        explanation: serde_json::to_value(explanation)
            .map_err(|e| AppError::Internal(e.to_string()))?,
    }))
}

/// Whether the server and its database answer, for a load balancer's or a monitor's health
/// check: 200 with the backend's name, or 503 when the database does not answer (the cause
/// goes to the log, not to the caller). Open to anyone; it reads nothing of anyone's.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "meta",
    security(()),
    responses(
        (status = 200, description = "正常：服务与数据库均有响应", body = crate::dto::HealthDto),
        (status = 503, description = "数据库无响应", body = crate::dto::HealthDto)
    )
)]
pub(crate) async fn health(State(state): State<AppState>) -> Response {
    let store = state.app.store();
    match store.ping().await {
        Ok(()) => Json(crate::dto::HealthDto {
            status: "ok".into(),
            backend: store.backend().into(),
        })
        .into_response(),
        Err(e) => {
            tracing::error!("health check: the database does not answer: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(crate::dto::HealthDto {
                    status: "数据库无响应".into(),
                    backend: store.backend().into(),
                }),
            )
                .into_response()
        }
    }
}

/// The JSON Schema of one household line for `doudi eval --input`.
#[utoipa::path(
    get,
    path = "/api/schemas/household.json",
    tag = "policy",
    responses((status = 200, description = "JSON Schema (draft 2020-12)", content_type = "application/schema+json"))
)]
pub(crate) async fn household_schema() -> Response {
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        doudi_policy::jsonl::SCHEMA,
    )
        .into_response()
}

fn person_fields(body: &MemberRequest, state: &AppState) -> Result<PersonFields, AppError> {
    PersonFields::try_from(PersonInput {
        dto: &body.fields,
        today: state.today(),
    })
    .map_err(AppError::invalid_in("fields"))
}

/// Adds a member to a household.
#[utoipa::path(
    post,
    path = "/api/households/{id}/members",
    tag = "members",
    params(("id" = i64, Path, description = "家庭ID")),
    request_body = MemberRequest,
    responses(
        (status = 201, description = "已添加", body = MemberAddedDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权修改或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "数据已被他人修改，或身份证号码已登记", body = ErrorBody),
        (status = 422, description = "字段有误", body = ErrorBody),
    )
)]
pub(crate) async fn add_member(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<MemberRequest>,
) -> Result<Response, AppError> {
    let fields = person_fields(&body, &state)?;
    let id = HouseholdId(id);
    let person = state
        .app
        .store()
        .add_member(&session.actor, id, body.version, &fields)
        .await?;
    let household = household_dto(&state, &session, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(MemberAddedDto {
            person_id: person.0,
            household,
        }),
    )
        .into_response())
}

/// Changes a member's fields.
#[utoipa::path(
    put,
    path = "/api/members/{id}",
    tag = "members",
    params(("id" = i64, Path, description = "成员ID")),
    request_body = MemberRequest,
    responses(
        (status = 200, description = "修改后的家庭", body = HouseholdDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权修改或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "数据已被他人修改，或身份证号码已登记", body = ErrorBody),
        (status = 422, description = "字段有误", body = ErrorBody),
    )
)]
pub(crate) async fn update_member(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(mut body): ApiJson<MemberRequest>,
) -> Result<Json<HouseholdDto>, AppError> {
    // The identity number and phone as they were shown (masked) mean "unchanged".
    let household = state
        .app
        .store()
        .member_household(&session.actor, PersonId(id))
        .await?;
    let stored = state
        .app
        .store()
        .household(&session.actor, household)
        .await?;
    if let Some(person) = stored.members.iter().find(|p| p.id == PersonId(id)) {
        body.fields.keep_unchanged(&person.fields);
    }
    let fields = person_fields(&body, &state)?;
    let household = state
        .app
        .store()
        .update_member(&session.actor, PersonId(id), body.version, &fields)
        .await?;
    Ok(Json(household_dto(&state, &session, household.id).await?))
}

/// Removes a member (moved out, died …) with the reason, which history records.
#[utoipa::path(
    delete,
    path = "/api/members/{id}",
    tag = "members",
    params(("id" = i64, Path, description = "成员ID")),
    request_body = RemoveMemberRequest,
    responses(
        (status = 200, description = "移除后的家庭", body = HouseholdDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权修改或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "数据已被他人修改", body = ErrorBody),
        (status = 422, description = "缺少原因，或户主在仍有其他成员时不能移除", body = ErrorBody),
    )
)]
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<RemoveMemberRequest>,
) -> Result<Json<HouseholdDto>, AppError> {
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        let mut fields = FieldErrors::new();
        fields.add("reason", "请填写移除原因（最多200个字）");
        return Err(AppError::invalid(fields));
    }
    let household = state
        .app
        .store()
        .remove_member(&session.actor, PersonId(id), body.version, reason)
        .await?;
    Ok(Json(household_dto(&state, &session, household.id).await?))
}

/// Adds, replaces or deletes one income, expense or asset.
#[utoipa::path(
    post,
    path = "/api/households/{id}/finances",
    tag = "households",
    params(("id" = i64, Path, description = "家庭ID")),
    request_body = FinanceRequest,
    responses(
        (status = 200, description = "修改后的家庭", body = HouseholdDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权修改或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "数据已被他人修改", body = ErrorBody),
        (status = 422, description = "字段有误", body = ErrorBody),
    )
)]
pub(crate) async fn change_finances(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<FinanceRequest>,
) -> Result<Json<HouseholdDto>, AppError> {
    let change = FinanceChange::try_from(&body.change).map_err(AppError::invalid_in("change"))?;
    let id = HouseholdId(id);
    state
        .app
        .store()
        .change_finances(&session.actor, id, body.version, &change)
        .await?;
    Ok(Json(household_dto(&state, &session, id).await?))
}

/// Records a 三清 survey (4.2.a); earlier surveys are kept.
#[utoipa::path(
    post,
    path = "/api/households/{id}/surveys",
    tag = "households",
    params(("id" = i64, Path, description = "家庭ID")),
    request_body = SurveyRequest,
    responses(
        (status = 201, description = "已记录；返回家庭", body = HouseholdDto),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权修改或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "数据已被他人修改", body = ErrorBody),
        (status = 422, description = "字段有误", body = ErrorBody),
    )
)]
pub(crate) async fn record_survey(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<SurveyRequest>,
) -> Result<Response, AppError> {
    let survey = Survey::try_from(SurveyInput {
        dto: &body.survey,
        today: state.today(),
    })
    .map_err(AppError::invalid_in("survey"))?;
    let id = HouseholdId(id);
    state
        .app
        .store()
        .record_survey(&session.actor, id, body.version, &survey)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(household_dto(&state, &session, id).await?),
    )
        .into_response())
}

/// The cadres paired with a household.
#[utoipa::path(
    get,
    path = "/api/households/{id}/pairings",
    tag = "pairings",
    params(("id" = i64, Path, description = "家庭ID")),
    responses(
        (status = 200, description = "结对帮扶干部", body = Vec<PairingDto>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权查看", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn household_pairings(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Vec<PairingDto>>, AppError> {
    let pairings = crate::pages::pairings::of_household(&state, &session, HouseholdId(id)).await?;
    Ok(Json(pairings.iter().map(PairingDto::from).collect()))
}

/// Pairs a cadre with a household of the user's scope.
#[utoipa::path(
    post,
    path = "/api/households/{id}/pairings",
    tag = "pairings",
    params(("id" = i64, Path, description = "家庭ID")),
    request_body = PairRequest,
    responses(
        (status = 201, description = "已结对；返回该户全部结对", body = Vec<PairingDto>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权维护结对或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "家庭不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "已结对", body = ErrorBody),
        (status = 422, description = "该账户不是结对帮扶干部、已停用或工作范围不含该户", body = ErrorBody),
    )
)]
pub(crate) async fn pair(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<PairRequest>,
) -> Result<Response, AppError> {
    let id = HouseholdId(id);
    state
        .app
        .store()
        .pair(&session.actor, id, body.cadre_id)
        .await?;
    let pairings = crate::pages::pairings::of_household(&state, &session, id).await?;
    let dto: Vec<PairingDto> = pairings.iter().map(PairingDto::from).collect();
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// Ends a pairing.
#[utoipa::path(
    delete,
    path = "/api/households/{id}/pairings/{cadre}",
    tag = "pairings",
    params(
        ("id" = i64, Path, description = "家庭ID"),
        ("cadre" = i64, Path, description = "结对帮扶干部的用户ID"),
    ),
    responses(
        (status = 204, description = "已解除结对"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权维护结对或缺少 CSRF 令牌", body = ErrorBody),
        (status = 404, description = "没有这一结对，或家庭不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn unpair(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, cadre)): PathParams<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    state
        .app
        .store()
        .unpair(&session.actor, HouseholdId(id), cadre)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The cadre accounts the user may pair households with.
#[utoipa::path(
    get,
    path = "/api/cadres",
    tag = "pairings",
    responses(
        (status = 200, description = "可结对的结对帮扶干部", body = Vec<CadreDto>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色无权维护结对", body = ErrorBody),
    )
)]
pub(crate) async fn cadres(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<CadreDto>>, AppError> {
    let cadres = state.app.store().cadres(&session.actor).await?;
    Ok(Json(
        cadres
            .into_iter()
            .map(|u| CadreDto {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                scope: match u.scope {
                    doudi_core::Scope::County => None,
                    doudi_core::Scope::Division(code) => Some(code.to_string()),
                },
            })
            .collect(),
    ))
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1 文档", content_type = "application/json"))
)]
pub(crate) async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_named_by_its_path() {
        let f = data_error_fields("fields: missing field `number` at line 1 column 20");
        assert_eq!(f.get("fields.number"), Some("缺少此项"));
        let f = data_error_fields("missing field `version` at line 1 column 2");
        assert_eq!(f.get("version"), Some("缺少此项"));
        let f = data_error_fields("version: invalid type: string \"x\", expected i64");
        assert!(f.get("version").unwrap().contains("类型"));
    }
}
