//! The public disclosure (5.4), open without login: per township and month already paid, the
//! households and people by category, the amounts paid (the month's paid payment lines), and
//! the list the law asks for with names and identity numbers masked as the public notice masks
//! them; as a page, Excel and JSON. Beside it, the public's report form (throttled per client
//! address, size-limited, same-site only) and the receipt page that shows a report's state and
//! closing reply, nothing internal. Not audited per view (like the public notice); a report is
//! audited when filed.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::inspections::ReportInput;
use doudi_core::disaster::PaymentProgram;
use doudi_core::{DivisionCode, Money, Month};
use doudi_exchange::Table;
use doudi_exchange::write::OutCell;
use doudi_store::inspections::{Disclosure, ReportCategory};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Chrome, ok, page};
use crate::AppState;
use crate::auth::ClientAddr;
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::view::Divisions;

/// The largest report form accepted, in bytes (the text is at most 2,000 characters).
const MAX_REPORT_BYTES: u64 = 16 * 1024;

fn query<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// How to report a problem: the county's supervision phone (settings) or the fallback.
async fn phone(state: &AppState) -> Result<String, AppError> {
    Ok(state
        .app
        .store()
        .county_setting(doudi_store::CountySetting::SupervisionPhone)
        .await?
        .unwrap_or_else(|| super::settings::FALLBACK_PHONE.to_owned()))
}

#[derive(Template)]
#[template(path = "disclosure_index.html")]
struct IndexPage {
    chrome: Chrome,
    townships: Vec<(String, String)>,
    months: Vec<String>,
}

/// Choose a township and a month (or go straight there with `?township=&month=`).
pub(crate) async fn index(
    State(state): State<AppState>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let (t, m) = (query(&pairs, "township"), query(&pairs, "month"));
    if !t.is_empty() && !m.is_empty() {
        let t = DivisionCode::parse(t).map_err(|_| AppError::NotFound)?;
        let m = Month::parse(m).map_err(|_| AppError::NotFound)?;
        return Ok(Redirect::to(&format!("/disclosure/{}/{m}", t.as_str())).into_response());
    }
    let divisions = state.app.store().divisions().await?;
    let months = state.app.store().disclosed_months().await?;
    ok(&IndexPage {
        chrome: Chrome::bare("救助信息公开"),
        townships: divisions
            .iter()
            .filter(|d| !d.code.is_community())
            .map(|d| (d.code.to_string(), d.name.clone()))
            .collect(),
        months: months.iter().map(Month::to_string).collect(),
    })
}

struct Row {
    head: String,
    id_number: String,
    place: String,
    community: String,
    category: &'static str,
    people: i64,
    amount: String,
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct DisclosurePage {
    chrome: Chrome,
    township: String,
    township_name: String,
    month: String,
    d: Disclosure,
    dibao: String,
    tekun: String,
    total: String,
    rows: Vec<Row>,
    phone: String,
}

/// The township and month asked for, if both exist and the month was paid.
async fn load(
    state: &AppState,
    township: &str,
    month: &str,
) -> Result<(DivisionCode, Month, Disclosure, Divisions), AppError> {
    let code = DivisionCode::parse(township).map_err(|_| AppError::NotFound)?;
    let month = Month::parse(month).map_err(|_| AppError::NotFound)?;
    let divisions = Divisions::load(state.app.store()).await?;
    if code.is_community() || divisions.get(code.as_str()).is_none() {
        return Err(AppError::NotFound);
    }
    let d = state.app.disclosure(&code, month).await?;
    Ok((code, month, d, divisions))
}

fn rows(d: &Disclosure, divisions: &Divisions) -> Vec<Row> {
    d.rows
        .iter()
        .map(|r| Row {
            head: r.head_masked.clone(),
            id_number: r.id_masked.clone(),
            place: divisions.place(&r.community),
            community: r.community.clone(),
            category: r.program.label(),
            people: r.people,
            amount: Money::from_fen(r.amount_fen).to_string(),
        })
        .collect()
}

/// The disclosure of a township and month.
pub(crate) async fn show(
    State(state): State<AppState>,
    PathParams((township, month)): PathParams<(String, String)>,
) -> Result<Response, AppError> {
    let (code, month, d, divisions) = load(&state, &township, &month).await?;
    let name = divisions.name(&code).to_owned();
    ok(&DisclosurePage {
        chrome: Chrome::bare(&format!("{name}{month}城市低保、特困救助公开")),
        township: code.to_string(),
        township_name: name,
        month: month.to_string(),
        dibao: Money::from_fen(d.dibao_fen).to_string(),
        tekun: Money::from_fen(d.tekun_fen).to_string(),
        total: Money::from_fen(d.dibao_fen.saturating_add(d.tekun_fen)).to_string(),
        rows: rows(&d, &divisions),
        d,
        phone: phone(&state).await?,
    })
}

/// The public list of a township and month as Excel (masked like the page).
pub(crate) async fn export(
    State(state): State<AppState>,
    PathParams((township, month)): PathParams<(String, String)>,
) -> Result<Response, AppError> {
    let (code, month, d, divisions) = load(&state, &township, &month).await?;
    let table = Table {
        headers: [
            "户主",
            "身份证号码",
            "乡镇（街道）社区",
            "救助类别",
            "人数",
            "当月发放金额（元）",
        ]
        .iter()
        .map(|h| (*h).to_owned())
        .collect(),
        rows: rows(&d, &divisions)
            .into_iter()
            .map(|r| {
                vec![
                    OutCell::Text(r.head),
                    OutCell::Text(r.id_number),
                    OutCell::Text(r.place),
                    OutCell::Text(r.category.to_owned()),
                    OutCell::Text(r.people.to_string()),
                    OutCell::Text(r.amount),
                ]
            })
            .collect(),
    };
    let bytes = doudi_exchange::to_xlsx(&table, false)
        .map_err(|e| AppError::Internal(format!("writing the disclosure: {e}")))?;
    Ok(super::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("救助信息公开-{}-{month}.xlsx", code.as_str()),
    ))
}

/// One household of the public list, masked.
#[derive(Serialize, ToSchema)]
pub struct DisclosureRowDto {
    /// 户主姓名（已隐去部分）。
    pub head: String,
    /// 身份证号码（已隐去部分）。
    pub id_number: String,
    /// 社区代码。
    pub community: String,
    /// 类别：dibao 或 tekun。
    pub category: String,
    /// 人数。
    pub people: i64,
    /// 当月发放金额（分）。
    pub amount_fen: i64,
}

/// The disclosure of a township and month.
#[derive(Serialize, ToSchema)]
pub struct DisclosureDto {
    /// 乡镇（街道）代码。
    pub township: String,
    /// 月份。
    pub month: String,
    /// 城市低保户数。
    pub dibao_households: i64,
    /// 城市低保人数。
    pub dibao_people: i64,
    /// 城市低保发放金额（分）。
    pub dibao_fen: i64,
    /// 城市特困户数。
    pub tekun_households: i64,
    /// 城市特困人数。
    pub tekun_people: i64,
    /// 城市特困发放金额（分）。
    pub tekun_fen: i64,
    /// 名单（至多2000户）。
    pub rows: Vec<DisclosureRowDto>,
    /// 名单是否因超过上限而截断。
    pub truncated: bool,
}

/// The public disclosure of a township and a month already paid (no login needed).
#[utoipa::path(
    get,
    path = "/api/disclosure/{township}/{month}",
    tag = "oversight",
    params(
        ("township" = String, Path, description = "乡镇（街道）代码"),
        ("month" = String, Path, description = "月份，如 2026-10"),
    ),
    responses(
        (status = 200, description = "救助信息公开", body = DisclosureDto),
        (status = 404, description = "乡镇不存在或该月尚未发放", body = ErrorBody),
    )
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    PathParams((township, month)): PathParams<(String, String)>,
) -> Result<Json<DisclosureDto>, AppError> {
    let (code, month, d, _) = load(&state, &township, &month).await?;
    Ok(Json(DisclosureDto {
        township: code.to_string(),
        month: month.to_string(),
        dibao_households: d.dibao_households,
        dibao_people: d.dibao_people,
        dibao_fen: d.dibao_fen,
        tekun_households: d.tekun_households,
        tekun_people: d.tekun_people,
        tekun_fen: d.tekun_fen,
        truncated: d.truncated,
        rows: d
            .rows
            .into_iter()
            .map(|r| DisclosureRowDto {
                head: r.head_masked,
                id_number: r.id_masked,
                community: r.community,
                category: match r.program {
                    PaymentProgram::Tekun => "tekun",
                    _ => "dibao",
                }
                .to_owned(),
                people: r.people,
                amount_fen: r.amount_fen,
            })
            .collect(),
    }))
}

#[derive(Template)]
#[template(path = "disclosure_report.html")]
struct ReportPage {
    chrome: Chrome,
    townships: Vec<(String, String)>,
    communities: Vec<(String, String)>,
    categories: Vec<(&'static str, &'static str)>,
    typed: ReportInput,
    errors: Vec<(&'static str, String)>,
    phone: String,
}

async fn report_page(
    state: &AppState,
    typed: ReportInput,
    errors: Vec<(&'static str, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let divisions = state.app.store().divisions().await?;
    page(
        status,
        &ReportPage {
            chrome: Chrome::bare("反映问题（群众举报）"),
            townships: divisions
                .iter()
                .filter(|d| !d.code.is_community())
                .map(|d| (d.code.to_string(), d.name.clone()))
                .collect(),
            communities: divisions
                .iter()
                .filter(|d| d.code.is_community())
                .map(|d| (d.code.to_string(), d.name.clone()))
                .collect(),
            categories: ReportCategory::ALL
                .iter()
                .map(|c| (c.code(), c.label()))
                .collect(),
            typed,
            errors,
            phone: phone(state).await?,
        },
    )
}

/// The report form, filled from the disclosure row it was opened from
/// (`?township=&community=&household=`), or a receipt looked up (`?receipt=`).
pub(crate) async fn report_form(
    State(state): State<AppState>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let receipt = query(&pairs, "receipt");
    if !receipt.is_empty() {
        let clean: String = receipt
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect();
        return Ok(Redirect::to(&format!("/disclosure/report/{clean}")).into_response());
    }
    let typed = ReportInput {
        township: query(&pairs, "township").to_owned(),
        community: query(&pairs, "community").to_owned(),
        household_ref: query(&pairs, "household").chars().take(40).collect(),
        ..ReportInput::default()
    };
    report_page(&state, typed, Vec::new(), StatusCode::OK).await
}

/// Whether a form post comes from this site: a browser says so in `Sec-Fetch-Site`, or in
/// `Origin`; a request without either (an old browser, a script) is let through, since the
/// form changes nothing of anyone's and the throttle bounds it.
fn same_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "same-site" | "none")
    {
        return false;
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => {
            origin == "null"
                || origin
                    .split_once("://")
                    .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
        }
        _ => true,
    }
}

/// Files a report from the public; refused field by field, or when this address has filed too
/// many lately; answers with the receipt page.
pub(crate) async fn file_report(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    form: FormInput,
) -> Result<Response, AppError> {
    if !same_site(&headers) {
        return Err(AppError::Forbidden);
    }
    let size = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if size > MAX_REPORT_BYTES {
        return Err(AppError::BadRequest(
            "提交的内容过长，请精简后再提交".into(),
        ));
    }
    let input = ReportInput {
        township: form.get("township").to_owned(),
        community: form.get("community").to_owned(),
        household_ref: form.get("household_ref").to_owned(),
        category: form.get("category").to_owned(),
        text: form.get("text").replace("\r\n", "\n"),
        contact: form.get("contact").to_owned(),
    };
    match state.app.file_report(&client.0, &input).await {
        Ok(receipt) => {
            Ok(Redirect::to(&format!("/disclosure/report/{receipt}?new=1")).into_response())
        }
        Err(doudi_app::Error::Fields(errors)) => {
            report_page(&state, input, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(doudi_app::Error::Rules(message)) => {
            report_page(
                &state,
                input,
                vec![("", message)],
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "disclosure_receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    receipt: String,
    new: bool,
    category: &'static str,
    filed_on: String,
    state: &'static str,
    closed: bool,
    reply: String,
    phone: String,
}

/// A report's state and closing reply, by its receipt number.
pub(crate) async fn receipt(
    State(state): State<AppState>,
    PathParams(receipt): PathParams<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let view = state.app.receipt(&receipt).await?;
    ok(&ReceiptPage {
        chrome: Chrome::bare("举报办理情况"),
        receipt: receipt.trim().to_uppercase(),
        new: query(&pairs, "new") == "1",
        category: view.category.label(),
        filed_on: view.filed_on.to_string(),
        state: view.state.label(),
        closed: view.state.is_closed(),
        reply: view.reply.unwrap_or_default(),
        phone: phone(&state).await?,
    })
}
