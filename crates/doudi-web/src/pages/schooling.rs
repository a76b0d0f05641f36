//! Education aid delivered (2.5): the education commission's term book — every student owed
//! aid in a term with their school and each item delivered or not, what each school still owes,
//! and the forms that record a school and a delivery; as a page, Excel and JSON.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::schooling::{SchoolOwes, StudentLine, TermBook};
use doudi_core::date::parse_day;
use doudi_core::{HouseholdId, PersonId};
use doudi_policy::education::Term;
use doudi_store::delivery::may_deliver_education;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::exchange::term_of;
use super::{Chrome, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;

/// At most this many students on the page (the exports have all).
const SHOWN: usize = 300;

struct ItemView {
    code: &'static str,
    label: &'static str,
    amount: String,
    loan: bool,
    delivered: Option<(i64, String)>,
}

struct StudentView {
    household: i64,
    person: i64,
    number: String,
    name: String,
    stage: &'static str,
    school: String,
    items: Vec<ItemView>,
    explanation: String,
}

fn student_view(s: &StudentLine) -> StudentView {
    StudentView {
        household: s.household.0,
        person: s.person.0,
        number: s.number.clone(),
        name: s.name.clone(),
        stage: s.stage.label(),
        school: s.school.clone().unwrap_or_default(),
        items: s
            .items
            .iter()
            .map(|i| ItemView {
                code: i.kind.code(),
                label: i.kind.label(),
                amount: i.amount.to_string(),
                loan: i.kind.nature() == doudi_policy::education::Nature::Loan,
                delivered: i.delivered.as_ref().map(|d| {
                    (
                        d.id,
                        format!("{} 已发放（{}登记）", d.delivered_on, d.recorded_by),
                    )
                }),
            })
            .collect(),
        explanation: s.explanation.clone(),
    }
}

struct SchoolView {
    school: String,
    students: u32,
    items: u32,
    value: String,
    delivered: u32,
}

fn school_view(s: &SchoolOwes) -> SchoolView {
    SchoolView {
        school: if s.school.is_empty() {
            "（未登记学校）".into()
        } else {
            s.school.clone()
        },
        students: s.students,
        items: s.items,
        value: s.value.to_string(),
        delivered: s.delivered,
    }
}

#[derive(Template)]
#[template(path = "schooling.html")]
struct SchoolingPage {
    chrome: Chrome,
    term: String,
    term_code: String,
    previous: String,
    next: String,
    today: String,
    undelivered_only: bool,
    can_deliver: bool,
    notice: String,
    import_errors: Vec<String>,
    schools: Vec<SchoolView>,
    students: Vec<StudentView>,
    total: usize,
}

async fn render(
    state: &AppState,
    session: &Session,
    term: Term,
    undelivered_only: bool,
    notice: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    render_with(
        state,
        session,
        term,
        undelivered_only,
        notice,
        Vec::new(),
        status,
    )
    .await
}

async fn render_with(
    state: &AppState,
    session: &Session,
    term: Term,
    undelivered_only: bool,
    notice: String,
    import_errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let book = state.app.term_book(&session.actor, term).await?;
    let students: Vec<&StudentLine> = book
        .students
        .iter()
        .filter(|s| !undelivered_only || s.items.iter().any(|i| i.undelivered()))
        .collect();
    page(
        status,
        &SchoolingPage {
            chrome: Chrome::new(session, format!("{term}教育资助发放"), "education").here(),
            term: term.to_string(),
            term_code: term.code(),
            previous: term.neighbour(false).code(),
            next: term.neighbour(true).code(),
            today: state.today().to_string(),
            undelivered_only,
            can_deliver: may_deliver_education(&session.actor),
            notice,
            import_errors,
            schools: book.schools().iter().map(school_view).collect(),
            total: students.len(),
            students: students.into_iter().take(SHOWN).map(student_view).collect(),
        },
    )
}

/// The term book.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let term = term_of(&state, &pairs)?;
    let undelivered_only = pairs.iter().any(|(k, v)| k == "undelivered" && v == "1");
    let notice = if let Some((_, n)) = pairs.iter().find(|(k, _)| k == "imported") {
        format!("已从文件登记发放{}项。", n.parse::<usize>().unwrap_or(0))
    } else if pairs.iter().any(|(k, _)| k == "saved") {
        "已保存。".to_owned()
    } else {
        String::new()
    };
    render(
        &state,
        &session,
        term,
        undelivered_only,
        notice,
        StatusCode::OK,
    )
    .await
}

fn ids(form: &FormInput) -> Result<(HouseholdId, PersonId), AppError> {
    let id = |name: &'static str| {
        form.get(name)
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::from(doudi_app::Error::invalid(name, "成员或家庭编号无效")))
    };
    Ok((HouseholdId(id("household")?), PersonId(id("person")?)))
}

fn back(term: Term, form: &FormInput, person: i64) -> Response {
    Redirect::to(&format!(
        "/education?term={}{}&saved=1#student-{person}",
        term.code(),
        if form.get("undelivered") == "1" {
            "&undelivered=1"
        } else {
            ""
        }
    ))
    .into_response()
}

/// Shows the term book again with what went wrong (422), or the error page.
async fn refused(
    state: &AppState,
    session: &Session,
    term: Term,
    e: doudi_app::Error,
) -> Result<Response, AppError> {
    let message = match e {
        doudi_app::Error::Invalid { message, .. }
        | doudi_app::Error::Store(doudi_store::StoreError::Invalid(message))
        | doudi_app::Error::Store(doudi_store::StoreError::Duplicate(message)) => message,
        other => return Err(other.into()),
    };
    render(
        state,
        session,
        term,
        false,
        format!("未保存：{message}"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Records a student's school for the term.
pub(crate) async fn enrol(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_deliver_education(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let term = term_of(&state, &[("term".into(), form.get("term").to_owned())])?;
    let (household, person) = ids(&form)?;
    match state
        .app
        .enrol(&session.actor, household, person, term, form.get("school"))
        .await
    {
        Ok(()) => Ok(back(term, &form, person.0)),
        Err(e) => refused(&state, &session, term, e).await,
    }
}

/// Records an item delivered.
pub(crate) async fn deliver(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_deliver_education(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let term = term_of(&state, &[("term".into(), form.get("term").to_owned())])?;
    let (household, person) = ids(&form)?;
    let day = match parse_day(form.get("delivered_on")) {
        Ok(d) => d,
        Err(e) => {
            return refused(
                &state,
                &session,
                term,
                doudi_app::Error::invalid("delivered_on", format!("发放日期：{e}")),
            )
            .await;
        }
    };
    match state
        .app
        .deliver(
            &session.actor,
            household,
            person,
            term,
            form.get("item"),
            day,
            form.get("note"),
        )
        .await
    {
        Ok(_) => Ok(back(term, &form, person.0)),
        Err(e) => refused(&state, &session, term, e).await,
    }
}

/// Withdraws a delivery recorded by mistake.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    if !may_deliver_education(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let term = term_of(&state, &[("term".into(), form.get("term").to_owned())])?;
    match state
        .app
        .withdraw_delivery(&session.actor, id, form.get("reason"))
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/education?term={}&saved=1", term.code())).into_response())
        }
        Err(e) => refused(&state, &session, term, e).await,
    }
}

/// Records every delivery of a school's file, all or none; every bad row named.
pub(crate) async fn import(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    upload: crate::upload::Upload,
) -> Result<Response, AppError> {
    if !may_deliver_education(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let term = term_of(&state, &[("term".into(), upload.get("term").to_owned())])?;
    let outcome = match &upload.file {
        None => Err(doudi_app::Error::invalid(
            "file",
            "请选择发放记录文件（.xlsx 或 .csv）",
        )),
        Some(file) => {
            state
                .app
                .import_deliveries(&session.actor, &file.name, &file.bytes)
                .await
        }
    };
    let errors = match outcome {
        Ok(n) => {
            return Ok(
                Redirect::to(&format!("/education?term={}&imported={n}", term.code()))
                    .into_response(),
            );
        }
        Err(doudi_app::Error::Fields(list)) => list.into_iter().map(|(_, m)| m).collect(),
        Err(doudi_app::Error::Invalid { message, .. }) => vec![message],
        Err(e) => return Err(e.into()),
    };
    render_with(
        &state,
        &session,
        term,
        false,
        "文件有误，未登记任何发放。".into(),
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The template of a school's file of deliveries, as Excel.
pub(crate) async fn template(CurrentUser(_): CurrentUser) -> Result<Response, AppError> {
    let table = doudi_exchange::Table {
        headers: doudi_exchange::columns::DELIVERY_COLUMNS
            .iter()
            .map(|(_, names, _)| names[0].to_owned())
            .collect(),
        rows: vec![super::export::text([
            "11010520120501002X".to_owned(),
            "2026年秋季学期".into(),
            "寄宿生生活补助".into(),
            "2026-11-20".into(),
            "银行代发".into(),
        ])],
    };
    let bytes =
        doudi_exchange::to_xlsx(&table, false).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(super::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "教育资助发放模板.xlsx",
    ))
}

/// The undelivered items of the term as Excel: what each school still owes, student by student.
pub(crate) async fn export_undelivered(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let term = term_of(&state, &pairs)?;
    let book = state.app.term_book(&session.actor, term).await?;
    let mut rows = Vec::new();
    for s in &book.students {
        for i in s.items.iter().filter(|i| i.undelivered()) {
            rows.push(super::export::text([
                s.school.clone().unwrap_or_else(|| "（未登记学校）".into()),
                s.number.clone(),
                s.name.clone(),
                s.id_number.clone(),
                s.stage.label().to_owned(),
                i.kind.label().to_owned(),
                i.kind.nature().label().to_owned(),
                i.amount.to_string(),
            ]));
        }
    }
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "教育资助未发放清单",
            filter: term.to_string(),
            headers: vec![
                "学校",
                "户编号",
                "学生",
                "身份证号",
                "学段",
                "资助项目",
                "方式",
                "金额",
            ],
            rows,
        },
    )
    .await
}

/// What each school owes in the term as Excel.
pub(crate) async fn export_schools(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let term = term_of(&state, &pairs)?;
    let book = state.app.term_book(&session.actor, term).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "各校教育资助落实情况",
            filter: term.to_string(),
            headers: vec![
                "学校",
                "未落实学生",
                "未发放项目",
                "未发放金额",
                "已发放项目",
            ],
            rows: book
                .schools()
                .iter()
                .map(|s| {
                    let v = school_view(s);
                    super::export::text([
                        v.school,
                        v.students.to_string(),
                        v.items.to_string(),
                        v.value,
                        v.delivered.to_string(),
                    ])
                })
                .collect(),
        },
    )
    .await
}

// ---- the API ----

/// One item owed to a student.
#[derive(Serialize, ToSchema)]
pub struct ItemDto {
    /// 项目代码。
    pub item: String,
    /// 项目名称。
    pub label: String,
    /// 本学期金额（分；贷款为年度上限）。
    pub amount_fen: i64,
    /// 是否为助学贷款（学生自行申请，不登记发放）。
    pub loan: bool,
    /// 发放记录编号（未发放为空）。
    pub delivery: Option<i64>,
    /// 发放日期。
    pub delivered_on: Option<String>,
}

/// A student of the term.
#[derive(Serialize, ToSchema)]
pub struct StudentDto {
    /// 家庭编号。
    pub household: i64,
    /// 户编号。
    pub household_number: String,
    /// 成员编号。
    pub person: i64,
    /// 姓名（脱敏）。
    pub name: String,
    /// 学段代码。
    pub stage: String,
    /// 就读学校（未登记为空）。
    pub school: Option<String>,
    /// 应享资助项目。
    pub items: Vec<ItemDto>,
    /// 计算说明（政策条款与参数）。
    pub explanation: String,
}

fn student_dto(s: &StudentLine) -> StudentDto {
    StudentDto {
        household: s.household.0,
        household_number: s.number.clone(),
        person: s.person.0,
        name: s.name.clone(),
        stage: s.stage.code().to_owned(),
        school: s.school.clone(),
        items: s
            .items
            .iter()
            .map(|i| ItemDto {
                item: i.kind.code().to_owned(),
                label: i.kind.label().to_owned(),
                amount_fen: i.amount.fen(),
                loan: i.kind.nature() == doudi_policy::education::Nature::Loan,
                delivery: i.delivered.as_ref().map(|d| d.id),
                delivered_on: i.delivered.as_ref().map(|d| d.delivered_on.to_string()),
            })
            .collect(),
        explanation: s.explanation.clone(),
    }
}

/// What a school owes.
#[derive(Serialize, ToSchema)]
pub struct SchoolDto {
    /// 学校（未登记学校为空）。
    pub school: String,
    /// 有未发放项目的学生数。
    pub students: u32,
    /// 未发放项目数。
    pub items: u32,
    /// 未发放金额（分）。
    pub value_fen: i64,
    /// 已发放项目数。
    pub delivered: u32,
}

/// The students owed education aid in a term in the caller's part of the county, with their
/// school and each item delivered or not (2.5).
#[utoipa::path(
    get,
    path = "/api/education/students",
    tag = "departments",
    params(("term" = Option<String>, Query, description = "学期，如 2026-autumn，默认本学期")),
    responses(
        (status = 200, description = "学生与资助落实情况", body = [StudentDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_students(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<StudentDto>>, AppError> {
    let term = term_of(&state, &pairs)?;
    let book: TermBook = state.app.term_book(&session.actor, term).await?;
    Ok(Json(book.students.iter().map(student_dto).collect()))
}

/// What each school still owes in a term (2.5).
#[utoipa::path(
    get,
    path = "/api/education/schools",
    tag = "departments",
    params(("term" = Option<String>, Query, description = "学期，如 2026-autumn，默认本学期")),
    responses(
        (status = 200, description = "各校落实情况", body = [SchoolDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_schools(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<SchoolDto>>, AppError> {
    let term = term_of(&state, &pairs)?;
    let book = state.app.term_book(&session.actor, term).await?;
    Ok(Json(
        book.schools()
            .iter()
            .map(|s| SchoolDto {
                school: s.school.clone(),
                students: s.students,
                items: s.items,
                value_fen: s.value.fen(),
                delivered: s.delivered,
            })
            .collect(),
    ))
}

/// A delivery to record.
#[derive(Deserialize, ToSchema)]
pub struct DeliveryBody {
    /// 家庭编号。
    pub household: i64,
    /// 成员编号。
    pub person: i64,
    /// 学期，如 2026-autumn。
    pub term: String,
    /// 项目代码。
    pub item: String,
    /// 发放日期（YYYY-MM-DD）。
    pub delivered_on: String,
    /// 备注（凭证号等）。
    #[serde(default)]
    pub note: String,
}

/// A recorded delivery.
#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    /// 发放记录编号。
    pub id: i64,
}

/// Records an item delivered to a student at the value the rules give (the education
/// commission, the county, township caseworkers; in scope).
#[utoipa::path(
    post,
    path = "/api/education/deliveries",
    tag = "departments",
    request_body = DeliveryBody,
    responses(
        (status = 200, description = "已登记", body = DeliveryDto),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "已登记过", body = ErrorBody),
        (status = 422, description = "不应享此项、为贷款或日期有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_deliver(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<DeliveryBody>,
) -> Result<Json<DeliveryDto>, AppError> {
    if !may_deliver_education(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let term = term_of(&state, &[("term".into(), body.term.clone())])?;
    let day = parse_day(&body.delivered_on).map_err(|e| {
        AppError::from(doudi_app::Error::invalid(
            "delivered_on",
            format!("发放日期：{e}"),
        ))
    })?;
    let id = state
        .app
        .deliver(
            &session.actor,
            HouseholdId(body.household),
            PersonId(body.person),
            term,
            &body.item,
            day,
            &body.note,
        )
        .await?;
    Ok(Json(DeliveryDto { id }))
}

/// A student's school.
#[derive(Deserialize, ToSchema)]
pub struct EnrolmentBody {
    /// 家庭编号。
    pub household: i64,
    /// 成员编号。
    pub person: i64,
    /// 学期，如 2026-autumn。
    pub term: String,
    /// 学校名称。
    pub school: String,
}

/// Records the school a student attends in a term.
#[utoipa::path(
    post,
    path = "/api/education/enrolments",
    tag = "departments",
    request_body = EnrolmentBody,
    responses(
        (status = 204, description = "已登记"),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "不是本学期应享资助的学生或学校名称有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_enrol(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<EnrolmentBody>,
) -> Result<StatusCode, AppError> {
    if !may_deliver_education(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let term = term_of(&state, &[("term".into(), body.term.clone())])?;
    state
        .app
        .enrol(
            &session.actor,
            HouseholdId(body.household),
            PersonId(body.person),
            term,
            &body.school,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why a delivery is withdrawn.
#[derive(Deserialize, ToSchema)]
pub struct WithdrawBody {
    /// 撤回原因。
    pub reason: String,
}

/// Withdraws a delivery recorded by mistake (the reason goes to the audit trail).
#[utoipa::path(
    post,
    path = "/api/education/deliveries/{id}/withdraw",
    tag = "departments",
    params(("id" = i64, Path, description = "发放记录编号")),
    request_body = WithdrawBody,
    responses(
        (status = 204, description = "已撤回"),
        (status = 403, description = "无权撤回", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "未写原因", body = ErrorBody),
    )
)]
pub(crate) async fn api_withdraw(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<WithdrawBody>,
) -> Result<StatusCode, AppError> {
    if !may_deliver_education(&session.actor) {
        return Err(AppError::Forbidden);
    }
    state
        .app
        .withdraw_delivery(&session.actor, id, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
