//! The casework API (4.2.b, 4.2.c): applications and their steps, the county's approval,
//! entitlements, reviews, a member's death, and the monthly payment run. Every handler hands
//! the session's actor to the store, which checks the step's role and the scope.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use doudi_core::casework::CaseType;
use doudi_core::{HouseholdId, Month, PersonId};
use doudi_store::casework::{
    CaseFilter, CaseId, CaseRecord, CaseSummary, Entitlement, PaymentLine, Settlement, Stopped,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody, FieldErrors};
use crate::extract::{PathParams, QueryPairs};
use doudi_app::casework::{DeathEffect, StepInput};

/// One step of a case.
#[derive(Serialize, ToSchema)]
pub struct CaseStepDto {
    /// 记录时间（UTC）。
    pub at: String,
    /// 办理日期。
    pub on: NaiveDate,
    /// 经办人。
    pub actor_name: String,
    /// 经办人角色代码。
    pub actor_role: String,
    /// 环节代码。
    pub kind: String,
    /// 环节名称。
    pub kind_label: String,
    /// 办理后的状态代码。
    pub state: String,
    /// 记录内容。
    pub detail: String,
}

/// An objection raised during the notice.
#[derive(Serialize, ToSchema)]
pub struct ObjectionDto {
    /// 序号（从1起）。
    pub number: usize,
    /// 提出日期。
    pub raised_on: NaiveDate,
    /// 内容。
    pub text: String,
    /// 是否成立（未处理时为空）。
    pub upheld: Option<bool>,
    /// 处理结果。
    pub resolution: Option<String>,
}

/// A case.
#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    /// 申请ID。
    pub id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 社区代码。
    pub community: String,
    /// 版本号（办理下一环节时带上）。
    pub version: i64,
    /// 救助事项代码。
    pub case_type: String,
    /// 救助事项。
    pub case_type_label: String,
    /// 状态代码。
    pub state: String,
    /// 状态。
    pub state_label: String,
    /// 提交日期。
    pub submitted_on: NaiveDate,
    /// 受理日期。
    pub accepted_on: Option<NaiveDate>,
    /// 办理时限（最后一个工作日）。
    pub deadline: Option<NaiveDate>,
    /// 是否已超过办理时限。
    pub overdue: bool,
    /// 公示首日。
    pub notice_from: Option<NaiveDate>,
    /// 公示末日。
    pub notice_until: Option<NaiveDate>,
    /// 不予批准的理由。
    pub refusal: Option<String>,
    /// 下一步环节代码（今天需办理的，无则为空）。
    pub next_step: Option<String>,
    /// 异议。
    pub objections: Vec<ObjectionDto>,
    /// 办理记录（仅查看单件时）。
    pub steps: Vec<CaseStepDto>,
    /// 因已纳入农村建档立卡名单而不纳入本次申请的成员（依据 4.2.c）。
    pub exclusions: Vec<ExclusionDto>,
}

/// A member excluded from an application.
#[derive(Serialize, ToSchema)]
pub struct ExclusionDto {
    /// 成员ID。
    pub person_id: i64,
    /// 姓名（脱敏）。
    pub name_masked: String,
    /// 原因。
    pub reason: String,
}

fn case_dto(state: &AppState, s: CaseSummary) -> CaseDto {
    let today = state.today();
    let limits = limits(state, today);
    CaseDto {
        id: s.id.0,
        household_id: s.household.0,
        household_number: s.household_number,
        community: s.community.as_str().to_owned(),
        version: s.version,
        case_type: s.case.case_type.code().to_owned(),
        case_type_label: s.case.case_type.label().to_owned(),
        state: s.case.state.code().to_owned(),
        state_label: s.case.state.label().to_owned(),
        submitted_on: s.submitted_on,
        accepted_on: s.case.accepted_on,
        deadline: s.case.deadline(&limits),
        overdue: s.case.is_overdue(&limits, today),
        notice_from: s.case.notice.map(|n| n.0),
        notice_until: s.case.notice.map(|n| n.1),
        refusal: s.case.refusal.clone(),
        next_step: doudi_core::casework::next_task(&s.case, today).map(|k| k.code().to_owned()),
        objections: s
            .case
            .objections
            .iter()
            .map(|o| ObjectionDto {
                number: o.number,
                raised_on: o.raised_on,
                text: o.text.clone(),
                upheld: o.resolution.as_ref().map(|r| r.0),
                resolution: o.resolution.as_ref().map(|r| r.1.clone()),
            })
            .collect(),
        steps: Vec::new(),
        exclusions: Vec::new(),
    }
}

fn record_dto(state: &AppState, r: CaseRecord) -> CaseDto {
    let summary = CaseSummary {
        id: r.id,
        household: r.household,
        household_number: r.household_number,
        community: r.community,
        version: r.version,
        submitted_on: r.submitted_on,
        decided_on: r.decided_on,
        case: r.case,
    };
    let mut dto = case_dto(state, summary);
    dto.steps = r
        .steps
        .into_iter()
        .map(|s| CaseStepDto {
            at: s.at.to_rfc3339(),
            on: s.on,
            actor_name: s.actor_name,
            actor_role: s.actor_role,
            kind: s.kind.code().to_owned(),
            kind_label: s.kind.label().to_owned(),
            state: s.state.code().to_owned(),
            detail: s.detail,
        })
        .collect();
    dto.exclusions = r
        .exclusions
        .into_iter()
        .map(|x| ExclusionDto {
            person_id: x.person.0,
            name_masked: x.name_masked,
            reason: x.reason,
        })
        .collect();
    dto
}

/// The casework limits in force today.
pub(crate) fn limits(state: &AppState, today: NaiveDate) -> doudi_core::casework::Limits {
    state.app.case_limits(today)
}

/// A new application.
#[derive(Deserialize, ToSchema)]
pub struct SubmitRequest {
    /// 救助事项代码：dibao、expenditure_dibao、tekun、temporary_emergency、temporary_expenditure、medical、education、housing、employment。
    pub case_type: String,
}

/// Submits an application for a household (community workers, township caseworkers, the
/// county approver).
#[utoipa::path(
    post,
    path = "/api/households/{id}/cases",
    tag = "casework",
    params(("id" = i64, Path, description = "家庭ID")),
    request_body = SubmitRequest,
    responses(
        (status = 201, description = "已提交", body = CaseDto),
        (status = 403, description = "角色无权提交", body = ErrorBody),
        (status = 404, description = "家庭不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "该户已有同类申请在办", body = ErrorBody),
        (status = 422, description = "救助事项无法识别", body = ErrorBody),
    )
)]
pub(crate) async fn submit(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<SubmitRequest>,
) -> Result<Response, AppError> {
    let case_type = CaseType::parse(&body.case_type).map_err(|e| {
        let mut f = FieldErrors::new();
        f.add("case_type", e.to_string());
        AppError::invalid(f)
    })?;
    let record = state
        .app
        .submit_case(&session.actor, HouseholdId(id), case_type)
        .await?;
    Ok((StatusCode::CREATED, Json(record_dto(&state, record))).into_response())
}

/// A page of the case list.
#[derive(Serialize, ToSchema)]
pub struct CaseListDto {
    /// How many cases match, in all.
    pub total: i64,
    /// This page, from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// This page's cases, newest first.
    pub rows: Vec<CaseDto>,
}

/// A page of the applications of the user's scope, newest first, with how many there are.
#[utoipa::path(
    get,
    path = "/api/cases",
    tag = "casework",
    params(
        ("page" = Option<i64>, Query, description = "页码，从1起"),
        ("per_page" = Option<i64>, Query, description = "每页件数，1至500，默认50"),
    ),
    responses(
        (status = 200, description = "申请列表的一页", body = CaseListDto),
        (status = 403, description = "角色无权查看申请", body = ErrorBody),
        (status = 422, description = "页码或每页件数无效", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    crate::extract::QueryPairs(pairs): crate::extract::QueryPairs,
) -> Result<Json<CaseListDto>, AppError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut e = FieldErrors::new();
    let (page, per_page) = crate::dto::parse_paging(&mut e, get("page"), get("per_page"));
    if !e.is_empty() {
        return Err(AppError::invalid(e));
    }
    let list = state
        .app
        .store()
        .cases(
            &session.actor,
            &CaseFilter::default(),
            doudi_store::Page {
                offset: (page - 1).saturating_mul(per_page),
                limit: per_page,
            },
        )
        .await?;
    Ok(Json(CaseListDto {
        total: list.total,
        page,
        per_page,
        rows: list.rows.into_iter().map(|c| case_dto(&state, c)).collect(),
    }))
}

/// One application with its steps, objections and exclusions.
#[utoipa::path(
    get,
    path = "/api/cases/{id}",
    tag = "casework",
    params(("id" = i64, Path, description = "申请ID")),
    responses(
        (status = 200, description = "申请", body = CaseDto),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<CaseDto>, AppError> {
    let record = state.app.store().case(&session.actor, CaseId(id)).await?;
    Ok(Json(record_dto(&state, record)))
}

/// A step, by its code (`op`) and what it records.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StepRequest {
    /// 受理；complex 为真时适用40个工作日时限。
    Accept {
        /// 复杂案件。
        #[serde(default)]
        complex: bool,
    },
    /// 退回补正，列明缺少的材料。
    Return {
        /// 缺少的材料。
        missing: Vec<String>,
    },
    /// 补正后重新提交。
    Resubmit,
    /// 调查核实（入户调查、家庭经济状况核对；三清调查须已建档）。
    Investigate {
        /// 入户日期（如 2026-03-02、2026/3/2、2026年3月2日）。
        visited_on: String,
        /// 入户调查情况。
        visit_notes: String,
        /// 核对报告编号。
        finances_reference: String,
    },
    /// 民主评议。
    Appraise {
        /// 评议日期。
        held_on: String,
        /// 评议结论。
        conclusion: String,
    },
    /// 乡镇审核意见。
    TownshipOpinion {
        /// 是否同意上报。
        recommend: bool,
        /// 意见。
        opinion: String,
    },
    /// 开始公示。
    StartNotice {
        /// 公示首日（不早于今天）。
        from: String,
    },
    /// 登记异议。
    Object {
        /// 异议内容。
        text: String,
    },
    /// 处理异议。
    ResolveObjection {
        /// 异议序号。
        number: usize,
        /// 是否成立（成立则退回重新调查）。
        upheld: bool,
        /// 处理结果。
        resolution: String,
    },
    /// 不予批准。
    Refuse {
        /// 理由。
        reason: String,
    },
    /// 撤回申请。
    Withdraw,
}

impl From<StepRequest> for StepInput {
    fn from(r: StepRequest) -> StepInput {
        let op = |op: &str| StepInput {
            op: op.into(),
            ..StepInput::default()
        };
        match r {
            StepRequest::Accept { complex } => StepInput {
                complex,
                ..op("accept")
            },
            StepRequest::Return { missing } => StepInput {
                missing,
                ..op("return")
            },
            StepRequest::Resubmit => op("resubmit"),
            StepRequest::Investigate {
                visited_on,
                visit_notes,
                finances_reference,
            } => StepInput {
                visited_on,
                visit_notes,
                finances_reference,
                ..op("investigate")
            },
            StepRequest::Appraise {
                held_on,
                conclusion,
            } => StepInput {
                held_on,
                conclusion,
                ..op("appraise")
            },
            StepRequest::TownshipOpinion { recommend, opinion } => StepInput {
                recommend,
                opinion,
                ..op("township_opinion")
            },
            StepRequest::StartNotice { from } => StepInput {
                from,
                ..op("start_notice")
            },
            StepRequest::Object { text } => StepInput {
                text,
                ..op("object")
            },
            StepRequest::ResolveObjection {
                number,
                upheld,
                resolution,
            } => StepInput {
                number: number.to_string(),
                upheld,
                resolution,
                ..op("resolve_objection")
            },
            StepRequest::Refuse { reason } => StepInput {
                reason,
                ..op("refuse")
            },
            StepRequest::Withdraw => op("withdraw"),
        }
    }
}

/// A step with the version it was based on.
#[derive(Deserialize, ToSchema)]
pub struct StepBody {
    /// 读取时的版本号。
    pub version: i64,
    /// 环节。
    pub step: StepRequest,
}

/// Takes the next step of an application; an illegal step is refused (422) naming the current
/// state and the step.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/steps",
    tag = "casework",
    params(("id" = i64, Path, description = "申请ID")),
    request_body = StepBody,
    responses(
        (status = 200, description = "办理后的申请", body = CaseDto),
        (status = 403, description = "角色不能办理此环节", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "申请已被他人办理", body = ErrorBody),
        (status = 422, description = "当前状态不能办理此环节，或内容不全", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<StepBody>,
) -> Result<Json<CaseDto>, AppError> {
    let action = StepInput::from(body.step).action()?;
    let record = state
        .app
        .take_step(&session.actor, CaseId(id), body.version, &action)
        .await?;
    Ok(Json(record_dto(&state, record)))
}

/// The version an approval is based on.
#[derive(Deserialize, ToSchema)]
pub struct ApproveRequest {
    /// 读取时的版本号。
    pub version: i64,
}

/// What an approval froze.
#[derive(Serialize, ToSchema)]
pub struct ApprovalDto {
    /// 决定编号。
    pub decision_id: i64,
    /// 每月金额（分）。
    pub monthly_fen: i64,
    /// 起始月份。
    pub from_month: String,
    /// 核算结果与计算说明（doudi-policy 的 Outcome）。
    #[schema(value_type = Object)]
    pub outcome: serde_json::Value,
}

/// The county approves: the household is evaluated as it stands today with this month's
/// parameters; the decision is frozen and the entitlement starts this month.
#[utoipa::path(
    post,
    path = "/api/cases/{id}/approve",
    tag = "casework",
    params(("id" = i64, Path, description = "申请ID")),
    request_body = ApproveRequest,
    responses(
        (status = 200, description = "已批准", body = ApprovalDto),
        (status = 403, description = "只有县民政局审批人员可以批准", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
        (status = 409, description = "申请或家庭已被他人修改", body = ErrorBody),
        (status = 422, description = "公示未满、有未处理异议，或该户按现行参数不符合条件", body = ErrorBody),
    )
)]
pub(crate) async fn approve(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<ApproveRequest>,
) -> Result<Json<ApprovalDto>, AppError> {
    let today = state.today();
    let (decision_id, outcome) = state
        .app
        .approve(&session.actor, CaseId(id), body.version)
        .await?;
    Ok(Json(ApprovalDto {
        decision_id,
        monthly_fen: outcome.total_fen,
        from_month: Month::of(today).to_string(),
        outcome: serde_json::to_value(&outcome).map_err(|e| AppError::Internal(e.to_string()))?,
    }))
}

/// A monthly benefit over a period.
#[derive(Serialize, ToSchema)]
pub struct EntitlementPeriodDto {
    /// 待遇ID。
    pub id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 决定编号。
    pub decision_id: i64,
    /// 项目代码（dibao、tekun）。
    pub program: String,
    /// 每月金额（分）。
    pub monthly_fen: i64,
    /// 起始月份。
    pub from_month: String,
    /// 终止月份（含；在享为空）。
    pub until_month: Option<String>,
    /// 终止原因。
    pub end_reason: Option<String>,
    /// 复核类别代码。
    pub review_class: String,
    /// 下次复核日期。
    pub next_review: NaiveDate,
}

impl From<&Entitlement> for EntitlementPeriodDto {
    fn from(e: &Entitlement) -> EntitlementPeriodDto {
        EntitlementPeriodDto {
            id: e.id,
            household_id: e.household.0,
            decision_id: e.decision,
            program: e.program.code().to_owned(),
            monthly_fen: e.monthly_fen,
            from_month: e.from.to_string(),
            until_month: e.until.map(|m| m.to_string()),
            end_reason: e.end_reason.clone(),
            review_class: e.review_class.code().to_owned(),
            next_review: e.next_review,
        }
    }
}

/// The household's entitlement periods, oldest first.
#[utoipa::path(
    get,
    path = "/api/households/{id}/entitlements",
    tag = "casework",
    params(("id" = i64, Path, description = "家庭ID")),
    responses(
        (status = 200, description = "待遇期间", body = Vec<EntitlementPeriodDto>),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn entitlements(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<Vec<EntitlementPeriodDto>>, AppError> {
    let list = state
        .app
        .store()
        .entitlements(&session.actor, HouseholdId(id))
        .await?;
    Ok(Json(list.iter().map(EntitlementPeriodDto::from).collect()))
}

/// What stopped with an exit.
#[derive(Serialize, ToSchema)]
pub struct StoppedDto {
    /// 终止的待遇。
    pub entitlements: Vec<EntitlementPeriodDto>,
    /// 终止的在办申请（ID 与事项）。
    pub cases: Vec<(i64, String)>,
    /// 删除的未发放名册行数。
    pub payments_removed: u64,
}

impl From<&Stopped> for StoppedDto {
    fn from(s: &Stopped) -> StoppedDto {
        StoppedDto {
            entitlements: s
                .entitlements
                .iter()
                .map(EntitlementPeriodDto::from)
                .collect(),
            cases: s
                .cases
                .iter()
                .map(|(id, t)| (id.0, t.label().to_owned()))
                .collect(),
            payments_removed: s.payments_removed,
        }
    }
}

/// A review's result.
#[derive(Serialize, ToSchema)]
pub struct ReviewDto {
    /// 复核结论代码：continue、adjust、exit。
    pub result: String,
    /// 复核结论。
    pub result_label: String,
    /// 复核核定的每月金额（分；退出为0）。
    pub monthly_fen: i64,
    /// 复核前的每月金额（分）。
    pub current_fen: i64,
    /// 新金额起始月份，或退出后不再发放的第一个月（YYYY-MM）。
    pub from_month: String,
    /// 理由。
    pub reason: String,
    /// 是否须县民政局审批：乡镇提出的退出或降低金额须审批后才生效。
    pub needs_sign_off: bool,
    /// 已报县民政局审批时的复核提议ID（此时待遇尚未改变）。
    pub proposal_id: Option<i64>,
    /// 退出时终止的全部待遇（已生效时）。
    pub stopped: Option<StoppedDto>,
}

impl ReviewDto {
    fn new(
        preview: &doudi_app::casework::ReviewPreview,
        proposal: Option<i64>,
        stopped: Option<&doudi_store::casework::Stopped>,
    ) -> ReviewDto {
        ReviewDto {
            result: preview.result.code().to_owned(),
            result_label: preview.result.label().to_owned(),
            monthly_fen: preview.new_fen,
            current_fen: preview.entitlement.monthly_fen,
            from_month: preview.from.to_string(),
            reason: preview.reason.clone(),
            needs_sign_off: preview.needs_sign_off,
            proposal_id: proposal,
            stopped: stopped.map(StoppedDto::from),
        }
    }

    fn done(done: &doudi_app::casework::ReviewDone) -> ReviewDto {
        match done {
            doudi_app::casework::ReviewDone::Recorded { stopped, preview } => {
                ReviewDto::new(preview, None, Some(stopped))
            }
            doudi_app::casework::ReviewDone::Proposed { proposal, preview } => {
                ReviewDto::new(preview, Some(*proposal), None)
            }
        }
    }
}

/// Which household the reviewed entitlement belongs to.
#[derive(Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// 家庭ID。
    pub household_id: i64,
    /// 经办人说明（报县审批时随提议提交，可空）。
    #[serde(default)]
    pub note: String,
}

/// What a review would conclude today, before it is confirmed: the result, the new amount, the
/// reason and whether the county must sign off. Nothing is recorded.
#[utoipa::path(
    get,
    path = "/api/entitlements/{id}/review",
    tag = "casework",
    params(
        ("id" = i64, Path, description = "待遇ID"),
        ("household_id" = i64, Query, description = "家庭ID"),
    ),
    responses(
        (status = 200, description = "复核预览（未生效）", body = ReviewDto),
        (status = 403, description = "角色无权复核", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "待遇已结束", body = ErrorBody),
    )
)]
pub(crate) async fn review_preview(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<ReviewDto>, AppError> {
    let household = pairs
        .iter()
        .find(|(k, _)| k == "household_id")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            AppError::from(doudi_store::StoreError::Invalid(
                "查询参数 household_id（家庭ID）缺失或不是整数".into(),
            ))
        })?;
    let preview = state
        .app
        .review_preview(&session.actor, HouseholdId(household), id)
        .await?;
    Ok(Json(ReviewDto::new(&preview, None, None)))
}

/// Reviews an entitlement with the household's current data (应退尽退): continue or a higher
/// amount takes effect from next month at once; an exit or a lower amount proposed by a
/// township caseworker is filed for the county's sign-off (`proposal_id`), and nothing changes
/// until the county signs. The county approver's own review takes effect at once.
#[utoipa::path(
    post,
    path = "/api/entitlements/{id}/review",
    tag = "casework",
    params(("id" = i64, Path, description = "待遇ID")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "复核结果（已生效，或已报县审批）", body = ReviewDto),
        (status = 403, description = "角色无权复核", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "已有一项复核在等待县民政局审批", body = ErrorBody),
        (status = 422, description = "待遇已结束", body = ErrorBody),
    )
)]
pub(crate) async fn review(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<Json<ReviewDto>, AppError> {
    let done = state
        .app
        .review(
            &session.actor,
            HouseholdId(body.household_id),
            id,
            &body.note,
        )
        .await?;
    Ok(Json(ReviewDto::done(&done)))
}

/// A review proposal waiting for (or decided by) the county.
#[derive(Serialize, ToSchema)]
pub struct ReviewProposalDto {
    /// 提议ID。
    pub id: i64,
    /// 待遇ID。
    pub entitlement_id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 救助类别代码。
    pub program: String,
    /// 现每月金额（分）。
    pub current_fen: i64,
    /// 提议结论代码：adjust、exit。
    pub result: String,
    /// 提议的每月金额（分；退出为0）。
    pub monthly_fen: i64,
    /// 理由。
    pub reason: String,
    /// 经办人说明。
    pub note: String,
    /// 提出人。
    pub proposed_by: String,
    /// 提出时间。
    pub proposed_at: String,
    /// 状态代码：pending、approved、rejected、lapsed。
    pub state: String,
    /// 状态。
    pub state_label: String,
    /// 县民政局意见（不同意时）。
    pub decision_note: Option<String>,
}

impl From<&doudi_store::casework::ReviewProposal> for ReviewProposalDto {
    fn from(p: &doudi_store::casework::ReviewProposal) -> ReviewProposalDto {
        ReviewProposalDto {
            id: p.id,
            entitlement_id: p.entitlement,
            household_id: p.household.0,
            household_number: p.household_number.clone(),
            program: p.program.code().to_owned(),
            current_fen: p.current_fen,
            result: p.result.code().to_owned(),
            monthly_fen: p.monthly_fen,
            reason: p.reason.clone(),
            note: p.note.clone(),
            proposed_by: p.proposed_by.clone(),
            proposed_at: p.proposed_at.to_rfc3339(),
            state: p.state.code().to_owned(),
            state_label: p.state.label().to_owned(),
            decision_note: p.decision_note.clone(),
        }
    }
}

/// The review proposals waiting for the county in the caller's scope, newest first.
#[utoipa::path(
    get,
    path = "/api/review-proposals",
    tag = "casework",
    responses(
        (status = 200, description = "待县民政局审批的复核提议", body = [ReviewProposalDto]),
        (status = 403, description = "角色无权查看申请", body = ErrorBody),
    )
)]
pub(crate) async fn review_proposals(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<ReviewProposalDto>>, AppError> {
    let list = state
        .app
        .store()
        .review_proposals(&session.actor, None)
        .await?;
    Ok(Json(list.iter().map(ReviewProposalDto::from).collect()))
}

/// The county's answer to a review proposal.
#[derive(Deserialize, ToSchema)]
pub struct SignOffRequest {
    /// 家庭ID。
    pub household_id: i64,
    /// true：同意（按今天的数据重新测算，结论相同才生效）；false：不同意（须写明理由）。
    pub approve: bool,
    /// 不同意的理由。
    #[serde(default)]
    pub note: String,
}

/// The county signs off a township's review proposal (recomputed today; recorded only when the
/// result and amount are still those proposed) or does not (with a note; the entitlement
/// continues unchanged).
#[utoipa::path(
    post,
    path = "/api/review-proposals/{id}/decision",
    tag = "casework",
    params(("id" = i64, Path, description = "复核提议ID")),
    request_body = SignOffRequest,
    responses(
        (status = 200, description = "同意：复核已生效", body = ReviewDto),
        (status = 204, description = "不同意：待遇不变"),
        (status = 403, description = "仅县民政局审批人员", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "提议已处理、情况已变化或未写理由", body = ErrorBody),
    )
)]
pub(crate) async fn decide_review(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<SignOffRequest>,
) -> Result<Response, AppError> {
    if body.approve {
        let done = state
            .app
            .sign_off_review(&session.actor, HouseholdId(body.household_id), id)
            .await?;
        Ok(Json(ReviewDto::done(&done)).into_response())
    } else {
        state
            .app
            .reject_review(&session.actor, id, &body.note)
            .await?;
        Ok(StatusCode::NO_CONTENT.into_response())
    }
}

/// A member's death.
#[derive(Deserialize, ToSchema)]
pub struct DeathRequest {
    /// 家庭ID。
    pub household_id: i64,
    /// 读取时的家庭版本号。
    pub version: i64,
    /// 死亡日期。
    pub died_on: NaiveDate,
}

/// What a death changed.
#[derive(Serialize, ToSchema)]
pub struct DeathDto {
    /// 是否停发（唯一成员死亡）。
    pub stopped: bool,
    /// 次月起不再发放或按新金额发放的首月。
    pub first_month_changed: String,
    /// 调整后的每月金额（分；停发为0）。
    pub new_monthly_fen: Vec<i64>,
}

/// Records a member's death: the month of death is paid in full; from the month after, the
/// household is paid for its remaining members, or nothing when no one remains.
#[utoipa::path(
    post,
    path = "/api/members/{id}/death",
    tag = "casework",
    params(("id" = i64, Path, description = "成员ID")),
    request_body = DeathRequest,
    responses(
        (status = 200, description = "已登记", body = DeathDto),
        (status = 403, description = "角色无权登记死亡（仅乡镇经办人员、县级审批人员）", body = ErrorBody),
        (status = 422, description = "死亡日期晚于今天，或无法据此调整待遇", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "家庭已被他人修改", body = ErrorBody),
    )
)]
pub(crate) async fn death(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<DeathRequest>,
) -> Result<Json<DeathDto>, AppError> {
    let effect = state
        .app
        .record_death(
            &session.actor,
            PersonId(id),
            HouseholdId(body.household_id),
            body.version,
            body.died_on,
        )
        .await?;
    let first = Month::of(body.died_on).plus(1).to_string();
    Ok(Json(match effect {
        DeathEffect::Stopped(_) => DeathDto {
            stopped: true,
            first_month_changed: first,
            new_monthly_fen: vec![0],
        },
        DeathEffect::Restated(r) => DeathDto {
            stopped: false,
            first_month_changed: first,
            new_monthly_fen: r.iter().map(|x| x.decision.monthly_fen).collect(),
        },
    }))
}

fn month_param(s: &str) -> Result<Month, AppError> {
    Month::parse(s).map_err(|e| {
        let mut f = FieldErrors::new();
        f.add("month", e.to_string());
        AppError::invalid(f)
    })
}

/// What a payment run did.
#[derive(Serialize, ToSchema)]
pub struct PaymentRunDto {
    /// 月份。
    pub month: String,
    /// 本次新增笔数。
    pub created: u64,
    /// 此前已生成、未重复发放的笔数。
    pub existing: u64,
    /// 本次新增金额（分）。
    pub created_fen: i64,
}

/// Creates the month's payment lines, one per active entitlement; running it again adds only
/// what is missing (never pays twice).
#[utoipa::path(
    post,
    path = "/api/payments/{month}",
    tag = "casework",
    params(("month" = String, Path, description = "月份，如 2026-12")),
    responses(
        (status = 200, description = "生成结果", body = PaymentRunDto),
        (status = 403, description = "只有县民政局审批人员可以生成发放名册", body = ErrorBody),
        (status = 422, description = "月份尚未到来，或早于最早的待遇起始月份", body = ErrorBody),
    )
)]
pub(crate) async fn run_payments(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(month): PathParams<String>,
) -> Result<Json<PaymentRunDto>, AppError> {
    let m = month_param(&month)?;
    let run = state.app.run_payments(&session.actor, m).await?;
    Ok(Json(PaymentRunDto {
        month: m.to_string(),
        created: run.created,
        existing: run.existing,
        created_fen: run.created_fen,
    }))
}

/// One payment line.
#[derive(Serialize, ToSchema)]
pub struct PaymentLineDto {
    /// 名册行ID（银行回盘按此对应）。
    pub id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 项目代码。
    pub program: String,
    /// 金额（分）。
    pub amount_fen: i64,
    /// 状态代码：pending、paid、failed。
    pub status: String,
    /// 失败原因。
    pub failure: Option<String>,
}

impl From<&PaymentLine> for PaymentLineDto {
    fn from(p: &PaymentLine) -> PaymentLineDto {
        PaymentLineDto {
            id: p.id,
            household_id: p.household.0,
            household_number: p.household_number.clone(),
            program: p.program.code().to_owned(),
            amount_fen: p.amount_fen,
            status: p.status.code().to_owned(),
            failure: p.failure.clone(),
        }
    }
}

/// The month's payment lines (without names and accounts: the bank file is `doudi pay export`).
#[utoipa::path(
    get,
    path = "/api/payments/{month}",
    tag = "casework",
    params(("month" = String, Path, description = "月份")),
    responses(
        (status = 200, description = "发放名册", body = Vec<PaymentLineDto>),
        (status = 403, description = "只有县民政局审批人员可以查看", body = ErrorBody),
    )
)]
pub(crate) async fn payments(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(month): PathParams<String>,
) -> Result<Json<Vec<PaymentLineDto>>, AppError> {
    let m = month_param(&month)?;
    let lines = state.app.store().payments(&session.actor, m).await?;
    Ok(Json(lines.iter().map(PaymentLineDto::from).collect()))
}

/// The bank's result for one line.
#[derive(Deserialize, ToSchema)]
pub struct SettlementRequest {
    /// 名册行ID。
    pub payment_id: i64,
    /// 失败原因；成功为空。
    pub failure: Option<String>,
}

/// How many lines changed.
#[derive(Serialize, ToSchema)]
pub struct SettledDto {
    /// 更新笔数。
    pub settled: u64,
}

/// Records the bank's results (paid, or failed with the reason).
#[utoipa::path(
    post,
    path = "/api/payments/{month}/results",
    tag = "casework",
    params(("month" = String, Path, description = "月份")),
    request_body = Vec<SettlementRequest>,
    responses(
        (status = 200, description = "已更新", body = SettledDto),
        (status = 403, description = "只有县民政局审批人员可以导入", body = ErrorBody),
    )
)]
pub(crate) async fn settle(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(month): PathParams<String>,
    ApiJson(body): ApiJson<Vec<SettlementRequest>>,
) -> Result<Json<SettledDto>, AppError> {
    let m = month_param(&month)?;
    let results: Vec<Settlement> = body
        .into_iter()
        .map(|s| Settlement {
            payment: s.payment_id,
            failure: s.failure.filter(|f| !f.trim().is_empty()),
        })
        .collect();
    let settled = state
        .app
        .store()
        .settle_payments(&session.actor, m, &results)
        .await?;
    Ok(Json(SettledDto { settled }))
}

/// What the user has to do today.
#[derive(Serialize, ToSchema)]
pub struct WorkDto {
    /// 今日待办的申请（含下一环节代码 next_step）。
    pub to_do: Vec<CaseDto>,
    /// 公示中的申请。
    pub under_notice: Vec<CaseDto>,
    /// 已超过办理时限的申请。
    pub overdue: Vec<CaseDto>,
    /// 到期应复核的待遇（按应复核日期，最多1000项）。
    pub reviews_due: Vec<EntitlementPeriodDto>,
    /// 到期应复核的待遇共几项（多于 reviews_due 时列表只列出最早的1000项）。
    pub reviews_due_total: i64,
}

/// The user's work list: to accept, to investigate, under notice, to decide, overdue, reviews
/// due.
#[utoipa::path(
    get,
    path = "/api/work",
    tag = "casework",
    responses((status = 200, description = "待办", body = WorkDto))
)]
pub(crate) async fn work(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<WorkDto>, AppError> {
    let today = state.today();
    let w = state
        .app
        .store()
        .work_list(&session.actor, today, &limits(&state, today))
        .await?;
    Ok(Json(WorkDto {
        to_do: w
            .cases
            .into_iter()
            .map(|(c, _)| case_dto(&state, c))
            .collect(),
        under_notice: w
            .under_notice
            .into_iter()
            .map(|c| case_dto(&state, c))
            .collect(),
        overdue: w.overdue.into_iter().map(|c| case_dto(&state, c)).collect(),
        reviews_due: w
            .reviews_due
            .iter()
            .map(EntitlementPeriodDto::from)
            .collect(),
        reviews_due_total: w.reviews_due_total,
    }))
}

/// A tekun person's support mode.
#[derive(Deserialize, ToSchema)]
pub struct CareRequest {
    /// 家庭ID。
    pub household_id: i64,
    /// 是否集中供养（否为分散供养）。
    pub centralised: bool,
    /// 自何日起。
    pub since: NaiveDate,
}

/// Where the person is now cared for.
#[derive(Serialize, ToSchema)]
pub struct CareDto {
    /// 供养方式：centralised 或 dispersed。
    pub mode: String,
    /// 供养机构（按 2.2.b 由所在乡镇确定；分散供养为空）。
    pub institution: String,
}

/// Records a tekun person's change of support mode; a centralisation goes to the institution
/// 2.2.b names for the township (青龙、双江: the county home; elsewhere the township's own).
#[utoipa::path(
    post,
    path = "/api/members/{id}/care",
    tag = "casework",
    params(("id" = i64, Path, description = "成员ID")),
    request_body = CareRequest,
    responses(
        (status = 200, description = "已记录", body = CareDto),
        (status = 403, description = "角色无权记录供养方式", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "不是特困人员家庭的成员", body = ErrorBody),
    )
)]
pub(crate) async fn care(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<CareRequest>,
) -> Result<Json<CareDto>, AppError> {
    let care = state
        .app
        .record_care(
            &session.actor,
            HouseholdId(body.household_id),
            PersonId(id),
            body.centralised,
            body.since,
        )
        .await?;
    Ok(Json(CareDto {
        mode: if care.centralised {
            "centralised"
        } else {
            "dispersed"
        }
        .to_owned(),
        institution: care.institution,
    }))
}

/// One township's centralisation of 失能 tekun against the year's target.
#[derive(Serialize, ToSchema)]
pub struct CareKpiDto {
    /// 乡镇（街道）代码。
    pub township: String,
    /// 失能特困人员数。
    pub disabled: u32,
    /// 其中集中供养数。
    pub centralised: u32,
    /// 当年目标（万分比）。
    pub target_bp: i64,
    /// 集中供养率（万分比，无失能特困人员为空）。
    pub share_bp: Option<i64>,
    /// 是否达标。
    pub met: bool,
    /// 尚需集中供养人数。
    pub shortfall: u32,
}

/// The share of 失能 tekun in centralised care per township now, against the target of `year`
/// (40% in 2019, 50% in 2020, later a parameter; 2.2.b).
#[utoipa::path(
    get,
    path = "/api/care/kpi",
    tag = "casework",
    params(("year" = Option<i32>, Query, description = "考核年度（默认今年）")),
    responses((status = 200, description = "各乡镇（街道）集中供养率", body = Vec<CareKpiDto>))
)]
pub(crate) async fn care_kpi(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    crate::extract::QueryPairs(pairs): crate::extract::QueryPairs,
) -> Result<Json<Vec<CareKpiDto>>, AppError> {
    let year = pairs
        .iter()
        .find(|(k, _)| k == "year")
        .map(|(_, y)| doudi_app::care::parse_year(y))
        .transpose()?;
    let townships = state.app.care_kpi(&session.actor, year).await?;
    Ok(Json(
        townships
            .into_iter()
            .map(|t| CareKpiDto {
                township: t.township,
                disabled: t.kpi.disabled,
                centralised: t.kpi.centralised,
                target_bp: t.kpi.target.0,
                share_bp: t.kpi.share.map(|s| s.0),
                met: t.kpi.met,
                shortfall: t.kpi.shortfall,
            })
            .collect(),
    ))
}
