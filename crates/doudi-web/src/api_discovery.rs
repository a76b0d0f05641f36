//! The department-data API (5.3): departments send records of a kind as JSON (the same checks,
//! matching and alerts as a file), list their imports; townships read and work their alerts.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use doudi_core::discovery::{AlertState, FeedKind};
use doudi_exchange::feed::FeedRecord;
use doudi_store::discovery::{Alert, AlertFilter, FeedImport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};

/// One record a department sends.
#[derive(Deserialize, ToSchema)]
pub struct FeedRecordInput {
    /// 部门记录编号（可空，默认为序号）。
    #[serde(default)]
    pub record_id: String,
    /// 身份证号码（可空或不规范，系统会识别）。
    #[serde(default)]
    pub id_number: String,
    /// 姓名（可空）。
    #[serde(default)]
    pub name: String,
    /// 出生日期。
    pub birth: Option<NaiveDate>,
    /// 该类数据的日期（死亡日期、登记日期、出院日期……；死亡、住院必填）。
    pub date: Option<NaiveDate>,
    /// 该类数据的金额（分；工资、养老金、住院自付必填）。
    pub amount_fen: Option<i64>,
    /// 该类数据的说明（号牌、坐落、企业名称、医疗机构、学段、残疾类别等级……）。
    #[serde(default)]
    pub detail: String,
}

/// A batch of department records.
#[derive(Deserialize, ToSchema)]
pub struct FeedBatch {
    /// 来源说明（如“公安户籍2026年11月死亡名单”）。
    #[serde(default)]
    pub source: String,
    /// 记录。
    pub records: Vec<FeedRecordInput>,
}

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct FeedImportDto {
    /// 导入编号。
    pub id: i64,
    /// 数据类别代码。
    pub kind: String,
    /// 来源。
    pub source: String,
    /// 记录数。
    pub records: i64,
    /// 匹配到本平台人员的记录数。
    pub linked: i64,
    /// 本平台无此人的记录数。
    pub unmatched: i64,
    /// 产生的提醒数。
    pub alerts: i64,
    /// 导入人。
    pub imported_by: String,
    /// 导入时间。
    pub imported_at: String,
    /// 同样的数据此前已导入，本次未改变任何记录。
    pub already: bool,
    /// 自动登记的死亡。
    pub deaths: Vec<String>,
    /// 未能自动登记、须经办人员处理的死亡。
    pub deaths_left: Vec<String>,
}

impl FeedImportDto {
    fn of(i: &FeedImport) -> FeedImportDto {
        FeedImportDto {
            id: i.id,
            kind: i.kind.code().to_owned(),
            source: i.source.clone(),
            records: i.records,
            linked: i.linked,
            unmatched: i.unmatched,
            alerts: i.alerts,
            imported_by: i.imported_by.clone(),
            imported_at: i.imported_at.to_rfc3339(),
            already: false,
            deaths: Vec::new(),
            deaths_left: Vec::new(),
        }
    }
}

/// Imports department records of a kind: checked, matched to registry people, alerts raised
/// for the households' townships, deaths certain by identity number and name recorded. The
/// same batch again changes nothing (`already`).
#[utoipa::path(
    post,
    path = "/api/feeds/{kind}",
    tag = "discovery",
    params(("kind" = String, Path, description = "数据类别：death、vehicle、real_estate、business、pension、wages、hospital、school、disability")),
    request_body = FeedBatch,
    responses(
        (status = 200, description = "已导入（或此前已导入）", body = FeedImportDto),
        (status = 403, description = "无权导入该类数据", body = ErrorBody),
        (status = 422, description = "类别不存在或记录有误（逐条列明）", body = ErrorBody),
    )
)]
pub(crate) async fn import(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(kind): PathParams<String>,
    ApiJson(batch): ApiJson<FeedBatch>,
) -> Result<Json<FeedImportDto>, AppError> {
    let kind = FeedKind::parse(&kind)
        .map_err(|e| AppError::from(doudi_app::Error::invalid("kind", e.to_string())))?;
    if batch.records.len() > 100_000 {
        return Err(doudi_app::Error::invalid("records", "一次最多10万条，请分批发送").into());
    }
    let records: Vec<FeedRecord> = batch
        .records
        .into_iter()
        .enumerate()
        .map(|(i, r)| FeedRecord {
            row: i + 1,
            record_id: if r.record_id.trim().is_empty() {
                (i + 1).to_string()
            } else {
                r.record_id
            },
            id_number: r.id_number,
            name: r.name,
            birth: r.birth,
            date: r.date,
            amount_fen: r.amount_fen,
            detail: r.detail,
        })
        .collect();
    let digest = doudi_app::discovery::records_digest(kind, &records);
    let source = if batch.source.trim().is_empty() {
        "接口".to_owned()
    } else {
        batch.source
    };
    let r = state
        .app
        .import_feed(&session.actor, kind, &source, &digest, &records)
        .await?;
    Ok(Json(FeedImportDto {
        already: r.already,
        deaths: r.deaths,
        deaths_left: r.deaths_left,
        ..FeedImportDto::of(&r.import)
    }))
}

/// The imports the caller may see, newest first.
#[utoipa::path(
    get,
    path = "/api/feeds",
    tag = "discovery",
    responses(
        (status = 200, description = "导入记录", body = [FeedImportDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn imports(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<FeedImportDto>>, AppError> {
    let list = state.app.store().feed_imports(&session.actor).await?;
    Ok(Json(list.iter().map(FeedImportDto::of).collect()))
}

/// An alert.
#[derive(Serialize, ToSchema)]
pub struct AlertDto {
    /// 提醒编号。
    pub id: i64,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 成员ID。
    pub person_id: Option<i64>,
    /// 事项代码：death、review、medical、school、disability、match。
    pub rule: String,
    /// 事项。
    pub rule_label: String,
    /// 依据条款。
    pub clause: String,
    /// 等级代码：red、amber、green。
    pub level: String,
    /// 内容。
    pub reason: String,
    /// 数据来源（部门记录，姓名和号码已遮蔽）与匹配依据。
    pub evidence: Option<String>,
    /// 匹配把握（‰）。
    pub permille: Option<u16>,
    /// 状态代码：new、in_progress、done、dismissed。
    pub state: String,
    /// 处理结果或排除理由。
    pub outcome: Option<String>,
    /// 提醒时间。
    pub created_at: String,
}

impl From<&Alert> for AlertDto {
    fn from(a: &Alert) -> AlertDto {
        AlertDto {
            id: a.id,
            household_id: a.household.0,
            household_number: a.household_number.clone(),
            person_id: a.person.map(|p| p.0),
            rule: a.rule.code().to_owned(),
            rule_label: a.rule.label().to_owned(),
            clause: a.rule.clause().to_owned(),
            level: a.level.code().to_owned(),
            reason: a.reason.clone(),
            evidence: a
                .record
                .as_ref()
                .map(|r| format!("{}：{}（{}）", r.kind.label(), r.shown, r.evidence)),
            permille: a.record.as_ref().map(|r| r.permille),
            state: a.state.code().to_owned(),
            outcome: a.outcome.clone(),
            created_at: a.created_at.to_rfc3339(),
        }
    }
}

/// The alerts of the caller's part of the county: open ones (`?all=1`: every one).
#[utoipa::path(
    get,
    path = "/api/alerts",
    tag = "discovery",
    params(("all" = Option<String>, Query, description = "1：含已办结、已排除的")),
    responses(
        (status = 200, description = "提醒", body = [AlertDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn alerts(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<AlertDto>>, AppError> {
    let all = query.iter().any(|(k, v)| k == "all" && v == "1");
    let list = state
        .app
        .alerts(
            &session.actor,
            &AlertFilter {
                open_only: !all,
                household: None,
            },
        )
        .await?;
    Ok(Json(list.iter().map(AlertDto::from).collect()))
}

/// How an alert moves on.
#[derive(Deserialize, ToSchema)]
pub struct AlertUpdate {
    /// in_progress、done（须写处理结果）或 dismissed（须写理由）。
    pub state: String,
    /// 处理结果或排除理由。
    #[serde(default)]
    pub outcome: String,
}

/// Moves an alert on (township caseworkers and the county approver, in scope).
#[utoipa::path(
    post,
    path = "/api/alerts/{id}",
    tag = "discovery",
    params(("id" = i64, Path, description = "提醒编号")),
    request_body = AlertUpdate,
    responses(
        (status = 200, description = "已更新", body = AlertDto),
        (status = 403, description = "无权处理", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "状态有误、已办结或未写结果", body = ErrorBody),
    )
)]
pub(crate) async fn update_alert(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<AlertUpdate>,
) -> Result<Json<AlertDto>, AppError> {
    let target = AlertState::parse(body.state.trim())
        .map_err(|e| AppError::from(doudi_app::Error::invalid("state", e.to_string())))?;
    let a = state
        .app
        .update_alert(&session.actor, id, target, &body.outcome)
        .await?;
    Ok(Json(AlertDto::from(&a)))
}
