//! Medical assistance delivered (2.4): the medical insurance bureau settles inpatient stays with
//! the policy engine's computation (preview first, then record), the year's stays, and each
//! designated hospital's out-of-catalogue share against the 15% ceiling month by month; as
//! pages, Excel and JSON. Family-doctor signing and health records per member are in
//! `health.rs`.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use doudi_app::medical::{Settlement, ShareMonth, StayForm};
use doudi_core::{Money, SpecialDisease};
use doudi_policy::medical::Level;
use doudi_store::delivery::{StayRecord, may_settle_stays};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Chrome, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;

/// The year asked for (`year=2026`), or this year.
fn year_of(state: &AppState, pairs: &[(String, String)]) -> Result<i32, AppError> {
    let asked = pairs
        .iter()
        .find(|(k, _)| k == "year")
        .map_or("", |(_, v)| v.trim());
    if asked.is_empty() {
        return Ok(state.today().year());
    }
    match asked.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(AppError::from(doudi_app::Error::invalid(
            "year",
            format!(
                "年份“{}”无效，应为2000到2100之间的四位数字",
                asked.chars().take(10).collect::<String>()
            ),
        ))),
    }
}

fn yuan(fen: i64) -> String {
    Money::from_fen(fen).to_string()
}

fn level_label(code: &str) -> &'static str {
    Level::parse(code).map_or("未知级别", Level::label)
}

/// A stay as the list shows it.
struct StayRow {
    id: i64,
    household: i64,
    number: String,
    name: String,
    hospital: String,
    level: &'static str,
    dates: String,
    special: String,
    treat_first: bool,
    total: String,
    basic: String,
    critical: String,
    assistance: String,
    self_pay: String,
    explanation: String,
}

impl From<&StayRecord> for StayRow {
    fn from(s: &StayRecord) -> StayRow {
        StayRow {
            id: s.id,
            household: s.household.0,
            number: s.household_number.clone(),
            name: s.name.clone(),
            hospital: format!(
                "{}{}",
                s.hospital,
                if s.in_county {
                    "（县内）"
                } else {
                    "（县外）"
                }
            ),
            level: level_label(&s.level),
            dates: format!("{} 至 {}", s.admitted, s.discharged),
            special: s
                .special_disease
                .map(|d| d.label().to_owned())
                .unwrap_or_default(),
            treat_first: s.treat_first,
            total: yuan(s.total_fen),
            basic: yuan(s.basic_fen),
            critical: yuan(s.critical_fen),
            assistance: yuan(s.assistance_fen),
            self_pay: yuan(s.self_pay_fen),
            explanation: s.explanation.clone(),
        }
    }
}

/// One hospital-month of the watch.
struct WatchRow {
    month: String,
    hospital: String,
    stays: u32,
    total: String,
    out: String,
    share: String,
    limit: String,
    over: bool,
}

fn watch_rows(months: &[ShareMonth]) -> Vec<WatchRow> {
    months
        .iter()
        .flat_map(|m| {
            m.hospitals.iter().map(move |h| WatchRow {
                month: m.month.to_string(),
                hospital: h.hospital.clone(),
                stays: h.stays,
                total: h.total.to_string(),
                out: h.out_of_catalogue.to_string(),
                share: h.share.map_or("—".into(), |s| s.to_string()),
                limit: h.limit.to_string(),
                over: h.over_limit,
            })
        })
        .collect()
}

/// The settlement shown before it is recorded.
struct Preview {
    patient: String,
    lines: Vec<(&'static str, String)>,
    explanation: String,
}

fn preview_of(s: &Settlement) -> Preview {
    let d = &s.decision;
    Preview {
        patient: format!(
            "{}（户 {}，{}）",
            s.patient.name,
            s.patient.household_number,
            s.patient.category.label()
        ),
        lines: vec![
            ("住院总费用", s.stay.total.to_string()),
            ("医保目录外费用", d.out_of_catalogue.to_string()),
            ("基本医保报销", d.basic.to_string()),
            ("大病保险赔付", d.critical.to_string()),
            ("医疗救助", d.assistance.to_string()),
            ("个人自付", d.self_pay.to_string()),
        ],
        explanation: s.explanation.render(),
    }
}

/// The form's values, to show again.
#[derive(Default)]
struct FormValues {
    id_number: String,
    hospital: String,
    level: String,
    in_county: bool,
    admitted: String,
    discharged: String,
    total: String,
    in_catalogue: String,
    special_disease: String,
    treat_first: bool,
}

impl FormValues {
    fn of(f: &StayForm) -> FormValues {
        FormValues {
            id_number: f.id_number.clone(),
            hospital: f.hospital.clone(),
            level: f.level.clone(),
            in_county: f.in_county,
            admitted: f.admitted.clone(),
            discharged: f.discharged.clone(),
            total: f.total.clone(),
            in_catalogue: f.in_catalogue.clone(),
            special_disease: f.special_disease.clone(),
            treat_first: f.treat_first,
        }
    }
}

#[derive(Template)]
#[template(path = "medical.html")]
struct MedicalPage {
    chrome: Chrome,
    year: i32,
    can_settle: bool,
    levels: Vec<(&'static str, &'static str)>,
    diseases: Vec<(&'static str, &'static str)>,
    form: FormValues,
    errors: Vec<(&'static str, String)>,
    notice: String,
    import_errors: Vec<String>,
    preview: Option<Preview>,
    stays: Vec<StayRow>,
    watch: Vec<WatchRow>,
}

impl MedicalPage {
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "the page's parts, each computed by its caller"
)]
async fn render(
    state: &AppState,
    session: &Session,
    year: i32,
    form: FormValues,
    errors: Vec<(&'static str, String)>,
    notice: String,
    preview: Option<Preview>,
    status: StatusCode,
) -> Result<Response, AppError> {
    // Errors of a file are on `file`, each placed by row and column; a form's are per field.
    let (import_errors, errors): (Vec<_>, Vec<_>) =
        errors.into_iter().partition(|(f, _)| *f == "file");
    let import_errors = import_errors.into_iter().map(|(_, m)| m).collect();
    let stays = state.app.stays(&session.actor, year, None).await?;
    let watch = state
        .app
        .out_of_catalogue_watch(&session.actor, year)
        .await?;
    let form = if form.level.is_empty() && form.id_number.is_empty() {
        FormValues {
            level: Level::County.code().into(),
            in_county: true,
            treat_first: true,
            ..form
        }
    } else {
        form
    };
    page(
        status,
        &MedicalPage {
            chrome: Chrome::new(session, format!("{year}年住院医疗救助"), "medical").here(),
            year,
            can_settle: may_settle_stays(&session.actor),
            levels: Level::ALL.iter().map(|l| (l.code(), l.label())).collect(),
            diseases: SpecialDisease::ALL
                .iter()
                .map(|d| (d.code(), d.label()))
                .collect(),
            form,
            errors,
            notice,
            import_errors,
            preview,
            stays: stays.iter().map(StayRow::from).collect(),
            watch: watch_rows(&watch),
        },
    )
}

/// The year's stays and the out-of-catalogue watch, with the settlement form for those who
/// settle.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let year = year_of(&state, &pairs)?;
    let notice = pairs
        .iter()
        .find(|(k, _)| k == "recorded")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .map(|id| format!("已登记住院结算（编号 {id}）。"))
        .or_else(|| {
            pairs
                .iter()
                .find(|(k, _)| k == "imported")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .map(|n| format!("已从文件登记住院结算{n}条。"))
        })
        .unwrap_or_default();
    render(
        &state,
        &session,
        year,
        FormValues::default(),
        Vec::new(),
        notice,
        None,
        StatusCode::OK,
    )
    .await
}

fn stay_form(form: &FormInput) -> StayForm {
    StayForm {
        id_number: form.get("id_number").to_owned(),
        hospital: form.get("hospital").to_owned(),
        level: form.get("level").to_owned(),
        in_county: form.get("in_county") == "on",
        admitted: form.get("admitted").to_owned(),
        discharged: form.get("discharged").to_owned(),
        total: form.get("total").to_owned(),
        in_catalogue: form.get("in_catalogue").to_owned(),
        special_disease: form.get("special_disease").to_owned(),
        treat_first: form.get("treat_first") == "on",
    }
}

/// Settles a stay: `action=preview` shows the computation, `action=record` records it.
pub(crate) async fn settle(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_settle_stays(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let input = stay_form(&form);
    let record = form.get("action") == "record";
    let year = state.today().year();
    let outcome = if record {
        state
            .app
            .settle_stay(&session.actor, &input)
            .await
            .map(|(id, s)| (Some(id), s))
    } else {
        state
            .app
            .settle_preview(&session.actor, &input)
            .await
            .map(|s| (None, s))
    };
    match outcome {
        Ok((Some(id), s)) => Ok(Redirect::to(&format!(
            "/medical?year={}&recorded={id}#stay-{id}",
            s.stay.admitted.year()
        ))
        .into_response()),
        Ok((None, s)) => {
            render(
                &state,
                &session,
                s.stay.admitted.year(),
                FormValues::of(&input),
                Vec::new(),
                String::new(),
                Some(preview_of(&s)),
                StatusCode::OK,
            )
            .await
        }
        Err(doudi_app::Error::Fields(errors)) => {
            render(
                &state,
                &session,
                year,
                FormValues::of(&input),
                errors,
                "有填写错误，请修改后重新测算。".into(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(doudi_app::Error::Invalid { field, message }) => {
            render(
                &state,
                &session,
                year,
                FormValues::of(&input),
                vec![(field, message.clone())],
                message,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(doudi_app::Error::Store(doudi_store::StoreError::Invalid(message))) => {
            render(
                &state,
                &session,
                year,
                FormValues::of(&input),
                Vec::new(),
                message,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Settles every stay of an uploaded file of settlements, all or none; every bad row named.
pub(crate) async fn import(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    upload: crate::upload::Upload,
) -> Result<Response, AppError> {
    if !may_settle_stays(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let year = state.today().year();
    let outcome = match &upload.file {
        None => Err(doudi_app::Error::invalid(
            "file",
            "请选择住院结算文件（.xlsx 或 .csv）",
        )),
        Some(file) => {
            state
                .app
                .import_stays(&session.actor, &file.name, &file.bytes)
                .await
        }
    };
    match outcome {
        Ok(settled) => Ok(Redirect::to(&format!(
            "/medical?year={year}&imported={}",
            settled.len()
        ))
        .into_response()),
        Err(doudi_app::Error::Fields(errors)) => {
            render(
                &state,
                &session,
                year,
                FormValues::default(),
                errors,
                "文件有误，未登记任何住院结算。".into(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(doudi_app::Error::Invalid { message, .. }) => {
            render(
                &state,
                &session,
                year,
                FormValues::default(),
                vec![("file", message)],
                "文件有误，未登记任何住院结算。".into(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The template of a file of settlements, as Excel: the columns the import reads.
pub(crate) async fn template(CurrentUser(_): CurrentUser) -> Result<Response, AppError> {
    let table = doudi_exchange::Table {
        headers: doudi_exchange::columns::STAY_COLUMNS
            .iter()
            .map(|(_, names, _)| names[0].to_owned())
            .collect(),
        rows: vec![super::export::text([
            "11010519491231002X".to_owned(),
            "云阳县人民医院".into(),
            "县级医院".into(),
            "是".into(),
            "2026-10-01".into(),
            "2026-10-08".into(),
            "10000".into(),
            "9000".into(),
            String::new(),
            "是".into(),
        ])],
    };
    let bytes =
        doudi_exchange::to_xlsx(&table, false).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(super::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "住院结算模板.xlsx",
    ))
}

/// Cancels a stay recorded by mistake.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_settle_stays(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let year = year_of(&state, &[("year".into(), form.get("year").to_owned())])?;
    match state
        .app
        .cancel_stay(&session.actor, id, form.get("reason"))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/medical?year={year}")).into_response()),
        Err(doudi_app::Error::Store(doudi_store::StoreError::Invalid(message))) => {
            render(
                &state,
                &session,
                year,
                FormValues::default(),
                Vec::new(),
                format!("未撤销：{message}"),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The year's stays as Excel.
pub(crate) async fn export_stays(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let year = year_of(&state, &pairs)?;
    let stays = state.app.stays(&session.actor, year, None).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "住院医疗救助",
            filter: format!("{year}年"),
            headers: vec![
                "编号",
                "户编号",
                "姓名",
                "医院",
                "医院级别",
                "住院日期",
                "特殊病种",
                "先诊疗后付费",
                "住院总费用",
                "基本医保",
                "大病保险",
                "医疗救助",
                "个人自付",
            ],
            rows: stays
                .iter()
                .map(|s| {
                    let r = StayRow::from(s);
                    super::export::text([
                        r.id.to_string(),
                        r.number,
                        r.name,
                        r.hospital,
                        r.level.to_owned(),
                        r.dates,
                        r.special,
                        if r.treat_first { "是" } else { "否" }.to_owned(),
                        r.total,
                        r.basic,
                        r.critical,
                        r.assistance,
                        r.self_pay,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// The year's out-of-catalogue watch as Excel.
pub(crate) async fn export_watch(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let year = year_of(&state, &pairs)?;
    let watch = state
        .app
        .out_of_catalogue_watch(&session.actor, year)
        .await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "目录外费用占比",
            filter: format!("{year}年"),
            headers: vec![
                "入院月份",
                "医院",
                "住院人次",
                "住院总费用",
                "目录外费用",
                "目录外占比",
                "控制标准",
                "是否超标",
            ],
            rows: watch_rows(&watch)
                .into_iter()
                .map(|r| {
                    super::export::text([
                        r.month,
                        r.hospital,
                        r.stays.to_string(),
                        r.total,
                        r.out,
                        r.share,
                        r.limit,
                        if r.over { "超标" } else { "未超标" }.to_owned(),
                    ])
                })
                .collect(),
        },
    )
    .await
}

// ---- the API ----

/// A stay to settle.
#[derive(Deserialize, ToSchema)]
pub struct StayBody {
    /// 患者身份证号。
    pub id_number: String,
    /// 医院名称。
    pub hospital: String,
    /// 医院级别：township、county、municipal。
    pub level: String,
    /// 是否县内医院。
    #[serde(default)]
    pub in_county: bool,
    /// 入院日期（YYYY-MM-DD）。
    pub admitted: String,
    /// 出院日期（YYYY-MM-DD）。
    pub discharged: String,
    /// 住院总费用（元）。
    pub total: String,
    /// 医保目录内费用（元）。
    pub in_catalogue: String,
    /// 特殊病种：file（按档案，默认）、none 或病种代码。
    #[serde(default)]
    pub special_disease: String,
    /// 是否先诊疗后付费。
    #[serde(default)]
    pub treat_first: bool,
    /// true：只测算，不登记。
    #[serde(default)]
    pub preview: bool,
}

/// A settlement.
#[derive(Serialize, ToSchema)]
pub struct SettlementDto {
    /// 登记编号（只测算时为空）。
    pub id: Option<i64>,
    /// 户编号。
    pub household_number: String,
    /// 患者（脱敏）。
    pub name: String,
    /// 住院总费用（分）。
    pub total_fen: i64,
    /// 目录外费用（分）。
    pub out_of_catalogue_fen: i64,
    /// 基本医保（分）。
    pub basic_fen: i64,
    /// 大病保险（分）。
    pub critical_fen: i64,
    /// 医疗救助（分）。
    pub assistance_fen: i64,
    /// 个人自付（分）。
    pub self_pay_fen: i64,
    /// 计算说明（含政策条款与参数）。
    pub explanation: String,
}

/// A stay as recorded.
#[derive(Serialize, ToSchema)]
pub struct StayDto {
    /// 编号。
    pub id: i64,
    /// 家庭编号。
    pub household: i64,
    /// 户编号。
    pub household_number: String,
    /// 患者（脱敏）。
    pub name: String,
    /// 医院。
    pub hospital: String,
    /// 医院级别代码。
    pub level: String,
    /// 是否县内。
    pub in_county: bool,
    /// 入院日期。
    pub admitted: String,
    /// 出院日期。
    pub discharged: String,
    /// 特殊病种代码。
    pub special_disease: Option<String>,
    /// 先诊疗后付费。
    pub treat_first: bool,
    /// 住院总费用（分）。
    pub total_fen: i64,
    /// 目录内费用（分）。
    pub in_catalogue_fen: i64,
    /// 基本医保（分）。
    pub basic_fen: i64,
    /// 大病保险（分）。
    pub critical_fen: i64,
    /// 医疗救助（分）。
    pub assistance_fen: i64,
    /// 个人自付（分）。
    pub self_pay_fen: i64,
    /// 结算时的计算说明。
    pub explanation: String,
    /// 撤销原因（未撤销为空）。
    pub cancelled: Option<String>,
}

impl From<&StayRecord> for StayDto {
    fn from(s: &StayRecord) -> StayDto {
        StayDto {
            id: s.id,
            household: s.household.0,
            household_number: s.household_number.clone(),
            name: s.name.clone(),
            hospital: s.hospital.clone(),
            level: s.level.clone(),
            in_county: s.in_county,
            admitted: s.admitted.to_string(),
            discharged: s.discharged.to_string(),
            special_disease: s.special_disease.map(|d| d.code().to_owned()),
            treat_first: s.treat_first,
            total_fen: s.total_fen,
            in_catalogue_fen: s.in_catalogue_fen,
            basic_fen: s.basic_fen,
            critical_fen: s.critical_fen,
            assistance_fen: s.assistance_fen,
            self_pay_fen: s.self_pay_fen,
            explanation: s.explanation.clone(),
            cancelled: s.cancelled.clone(),
        }
    }
}

/// One hospital's out-of-catalogue share in one month.
#[derive(Serialize, ToSchema)]
pub struct HospitalShareDto {
    /// 入院月份（YYYY-MM）。
    pub month: String,
    /// 医院。
    pub hospital: String,
    /// 住院人次。
    pub stays: u32,
    /// 住院总费用（分）。
    pub total_fen: i64,
    /// 目录外费用（分）。
    pub out_of_catalogue_fen: i64,
    /// 目录外占比（万分比，四舍五入；无费用时为空）。
    pub share_bp: Option<i64>,
    /// 控制标准（万分比）。
    pub limit_bp: i64,
    /// 是否超过控制标准（精确比较）。
    pub over_limit: bool,
}

/// Settles an inpatient stay (the medical insurance bureau, the county approver): computes it
/// with the parameters of the month of admission and what the patient's earlier stays of the
/// year used, and records it unless `preview` is set.
#[utoipa::path(
    post,
    path = "/api/medical/stays",
    tag = "departments",
    request_body = StayBody,
    responses(
        (status = 200, description = "结算结果", body = SettlementDto),
        (status = 403, description = "无权结算", body = ErrorBody),
        (status = 422, description = "填写有误，或不是辖区内低保、特困人员", body = ErrorBody),
    )
)]
pub(crate) async fn api_settle(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<StayBody>,
) -> Result<Json<SettlementDto>, AppError> {
    if !may_settle_stays(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let preview = body.preview;
    let form = form_of(body);
    let (id, s) = if preview {
        (None, state.app.settle_preview(&session.actor, &form).await?)
    } else {
        let (id, s) = state.app.settle_stay(&session.actor, &form).await?;
        (Some(id), s)
    };
    Ok(Json(settlement_dto(id, &s)))
}

/// Settles and records a batch of stays, all or none (the medical insurance bureau, the county
/// approver): each is computed as `POST /api/medical/stays` computes one, counting the earlier
/// ones of the batch; every problem is named as 第N条.
#[utoipa::path(
    post,
    path = "/api/medical/stays/batch",
    tag = "departments",
    request_body = [StayBody],
    responses(
        (status = 200, description = "全部已登记", body = [SettlementDto]),
        (status = 403, description = "无权结算", body = ErrorBody),
        (status = 422, description = "有误，未登记任何一条", body = ErrorBody),
    )
)]
pub(crate) async fn api_batch(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<Vec<StayBody>>,
) -> Result<Json<Vec<SettlementDto>>, AppError> {
    if !may_settle_stays(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let forms: Vec<StayForm> = body.into_iter().map(form_of).collect();
    let settled = state.app.settle_batch(&session.actor, &forms).await?;
    Ok(Json(
        settled
            .iter()
            .map(|(id, s)| settlement_dto(Some(*id), s))
            .collect(),
    ))
}

fn form_of(body: StayBody) -> StayForm {
    StayForm {
        id_number: body.id_number,
        hospital: body.hospital,
        level: body.level,
        in_county: body.in_county,
        admitted: body.admitted,
        discharged: body.discharged,
        total: body.total,
        in_catalogue: body.in_catalogue,
        special_disease: body.special_disease,
        treat_first: body.treat_first,
    }
}

fn settlement_dto(id: Option<i64>, s: &Settlement) -> SettlementDto {
    let d = &s.decision;
    SettlementDto {
        id,
        household_number: s.patient.household_number.clone(),
        name: s.patient.name.clone(),
        total_fen: s.stay.total.fen(),
        out_of_catalogue_fen: d.out_of_catalogue.fen(),
        basic_fen: d.basic.fen(),
        critical_fen: d.critical.fen(),
        assistance_fen: d.assistance.fen(),
        self_pay_fen: d.self_pay.fen(),
        explanation: s.explanation.render(),
    }
}

/// The stays admitted in a year in the caller's part of the county, newest first.
#[utoipa::path(
    get,
    path = "/api/medical/stays",
    tag = "departments",
    params(("year" = Option<i32>, Query, description = "入院年份，默认今年")),
    responses(
        (status = 200, description = "住院结算", body = [StayDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_stays(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<StayDto>>, AppError> {
    let year = year_of(&state, &pairs)?;
    let stays = state.app.stays(&session.actor, year, None).await?;
    Ok(Json(stays.iter().map(StayDto::from).collect()))
}

/// Why a stay is cancelled.
#[derive(Deserialize, ToSchema)]
pub struct CancelBody {
    /// 撤销原因。
    pub reason: String,
}

/// Cancels a stay recorded by mistake: only the patient's latest stay of its year.
#[utoipa::path(
    post,
    path = "/api/medical/stays/{id}/cancel",
    tag = "departments",
    params(("id" = i64, Path, description = "住院结算编号")),
    request_body = CancelBody,
    responses(
        (status = 204, description = "已撤销"),
        (status = 403, description = "无权撤销", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "未写原因、已撤销或不是最近一次", body = ErrorBody),
    )
)]
pub(crate) async fn api_cancel(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<CancelBody>,
) -> Result<StatusCode, AppError> {
    if !may_settle_stays(&session.actor) {
        return Err(AppError::Forbidden);
    }
    state
        .app
        .cancel_stay(&session.actor, id, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Each hospital's out-of-catalogue share month by month in a year, against the ceiling (2.4).
#[utoipa::path(
    get,
    path = "/api/medical/watch",
    tag = "departments",
    params(("year" = Option<i32>, Query, description = "入院年份，默认今年")),
    responses(
        (status = 200, description = "目录外费用占比", body = [HospitalShareDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_watch(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<HospitalShareDto>>, AppError> {
    let year = year_of(&state, &pairs)?;
    let watch = state
        .app
        .out_of_catalogue_watch(&session.actor, year)
        .await?;
    Ok(Json(
        watch
            .iter()
            .flat_map(|m| {
                m.hospitals.iter().map(move |h| HospitalShareDto {
                    month: m.month.to_string(),
                    hospital: h.hospital.clone(),
                    stays: h.stays,
                    total_fen: h.total.fen(),
                    out_of_catalogue_fen: h.out_of_catalogue.fen(),
                    share_bp: h.share.map(|s| s.0),
                    limit_bp: h.limit.0,
                    over_limit: h.over_limit,
                })
            })
            .collect(),
    ))
}

// ---- the special-disease register ----

struct SpecialRow {
    household: i64,
    number: String,
    place: String,
    name: String,
    disease: &'static str,
    stays: u32,
    assistance: String,
}

#[derive(Template)]
#[template(path = "special.html")]
struct SpecialPage {
    chrome: Chrome,
    year: i32,
    rows: Vec<SpecialRow>,
}

async fn special_rows(state: &AppState, session: &Session) -> Result<Vec<SpecialRow>, AppError> {
    let cases = state.app.special_disease_register(&session.actor).await?;
    let divisions = crate::view::Divisions::load(state.app.store()).await?;
    Ok(cases
        .into_iter()
        .map(|c| SpecialRow {
            household: c.household.0,
            number: c.number,
            place: divisions.place(&c.community),
            name: c.name,
            disease: c.disease.label(),
            stays: c.stays,
            assistance: c.assistance.to_string(),
        })
        .collect())
}

/// The special-disease register (2.4), with this year's stays and assistance per member.
pub(crate) async fn special(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    super::ok(&SpecialPage {
        chrome: Chrome::new(&session, "特殊病种名册", "medical")
            .crumb("住院医疗救助", "/medical")
            .here(),
        year: state.today().year(),
        rows: special_rows(&state, &session).await?,
    })
}

/// The special-disease register as Excel.
pub(crate) async fn export_special(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let rows = special_rows(&state, &session).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "特殊病种名册",
            filter: String::new(),
            headers: vec![
                "户编号",
                "乡镇（街道）社区",
                "姓名",
                "特殊病种",
                "今年住院人次",
                "今年医疗救助",
            ],
            rows: rows
                .into_iter()
                .map(|r| {
                    super::export::text([
                        r.number,
                        r.place,
                        r.name,
                        r.disease.to_owned(),
                        r.stays.to_string(),
                        r.assistance,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// A member on the special-disease register.
#[derive(Serialize, ToSchema)]
pub struct SpecialCaseDto {
    /// 家庭编号。
    pub household: i64,
    /// 户编号。
    pub household_number: String,
    /// 成员编号。
    pub person: i64,
    /// 姓名（脱敏）。
    pub name: String,
    /// 特殊病种代码。
    pub disease: String,
    /// 今年住院人次。
    pub stays: u32,
    /// 今年医疗救助（分）。
    pub assistance_fen: i64,
}

/// The special-disease register of the caller's part of the county (2.4), with this year's
/// stays and medical assistance per member.
#[utoipa::path(
    get,
    path = "/api/medical/special",
    tag = "departments",
    responses(
        (status = 200, description = "特殊病种名册", body = [SpecialCaseDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_special(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<SpecialCaseDto>>, AppError> {
    let cases = state.app.special_disease_register(&session.actor).await?;
    Ok(Json(
        cases
            .into_iter()
            .map(|c| SpecialCaseDto {
                household: c.household.0,
                household_number: c.number,
                person: c.person.0,
                name: c.name,
                disease: c.disease.code().to_owned(),
                stays: c.stays,
                assistance_fen: c.assistance.fen(),
            })
            .collect(),
    ))
}
