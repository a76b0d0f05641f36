//! The month's payment roster (4.3, county approver): what a run would pay before it runs
//! (count, total, and every household without a bank account, to be fixed first), the run
//! itself confirmed against that preview, the roster, the bank file to download with its
//! totals, and the bank's results to upload. The work is `doudi_app::payments`, shared with
//! `doudi pay`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::{BankAccount, Money, Month, PersonName};

use super::{Chrome, download, page};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::upload::Upload;

/// How many lines of a roster the page lists (the whole roster goes to the bank as a file).
const ROSTER_SHOWN: usize = 500;

/// One line of a month's payment roster, masked as every screen is.
struct PaymentRow {
    household: i64,
    number: String,
    payee: String,
    account: String,
    program: &'static str,
    amount: String,
    status: &'static str,
}

/// A household the run would pay without a bank account filed.
struct Unpayable {
    id: i64,
    number: String,
}

#[derive(Template)]
#[template(path = "payments.html")]
struct PaymentsTemplate {
    chrome: Chrome,
    month: String,
    ran: Option<String>,
    problems: Vec<String>,
    new_lines: u64,
    new_fen: i64,
    new_total: String,
    existing: u64,
    without_account: Vec<Unpayable>,
    lines: usize,
    total: String,
    pending: usize,
    paid: usize,
    failed: usize,
    rows: Vec<PaymentRow>,
}

fn month_of(text: Option<&str>, state: &AppState) -> Result<Month, AppError> {
    doudi_app::month_or_current(text, state.today(), "month").map_err(AppError::from)
}

/// The roster page of `month`, with a message after a run or upload and any problems.
async fn render(
    state: &AppState,
    session: &Session,
    month: Month,
    ran: Option<String>,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let preview = state.app.payment_preview(&session.actor, month).await?;
    let lines = state.app.store().payments(&session.actor, month).await?;
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let count =
        |s: doudi_store::casework::PaymentStatus| lines.iter().filter(|l| l.status == s).count();
    use doudi_store::casework::PaymentStatus as S;
    let rows = lines
        .iter()
        .take(ROSTER_SHOWN)
        .map(|l| PaymentRow {
            household: l.household.0,
            number: l.household_number.clone(),
            payee: PersonName::parse(&l.payee).map_or_else(|_| "—".into(), |n| n.masked()),
            account: BankAccount::parse(&l.bank_account)
                .map_or_else(|_| "未登记".into(), |b| b.masked()),
            program: l.program.label(),
            amount: Money::from_fen(l.amount_fen).to_string(),
            status: l.status.label(),
        })
        .collect();
    let template = PaymentsTemplate {
        chrome: Chrome::new(session, "发放名册", "payments").here(),
        month: month.to_string(),
        ran,
        problems,
        new_lines: preview.new_lines,
        new_fen: preview.new_fen,
        new_total: Money::from_fen(preview.new_fen).to_string(),
        existing: preview.existing,
        without_account: preview
            .without_account
            .into_iter()
            .map(|(id, number)| Unpayable { id: id.0, number })
            .collect(),
        lines: lines.len(),
        total: Money::from_fen(total).to_string(),
        pending: count(S::Pending),
        paid: count(S::Paid),
        failed: count(S::Failed),
        rows,
    };
    page(status, &template)
}

/// A month's payment roster.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let month = month_of(get("month").as_deref(), &state)?;
    render(
        &state,
        &session,
        month,
        get("ran"),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// Runs a month's payment batch, as the page previewed it: when what the run would pay has
/// changed since (another approver ran it, an entitlement changed), nothing runs and the page
/// shows the new preview to confirm. A month already run pays nothing twice.
pub(crate) async fn run(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let month =
        Month::parse(form.get("month").trim()).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let confirmed = (
        form.get("confirm_lines").trim().parse::<u64>().ok(),
        form.get("confirm_fen").trim().parse::<i64>().ok(),
    );
    // A form without the confirmation (an old page, a script) is shown the preview first.
    if let (Some(lines), Some(fen)) = confirmed {
        let preview = state.app.payment_preview(&session.actor, month).await?;
        if (preview.new_lines, preview.new_fen) != (lines, fen) {
            let problem = format!(
                "未生成：确认后名册已有变化（现为新增{}笔、合计{}），请核对后重新确认",
                preview.new_lines,
                Money::from_fen(preview.new_fen)
            );
            return render(
                &state,
                &session,
                month,
                None,
                vec![problem],
                StatusCode::CONFLICT,
            )
            .await;
        }
    } else {
        return render(
            &state,
            &session,
            month,
            None,
            vec!["请先核对本次将生成的笔数和金额，再点击确认生成".to_owned()],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let run = state.app.run_payments(&session.actor, month).await?;
    let ran = format!(
        "新生成{}笔（{}），已有{}笔未重复生成",
        run.created,
        Money::from_fen(run.created_fen),
        run.existing
    );
    let query = crate::view::url_encode(&ran);
    Ok(Redirect::to(&format!("/payments?month={month}&ran={query}")).into_response())
}

/// The bank file of a month (`/payments/{month}/bank.xlsx` or `.csv`), ended by the 合计 row.
pub(crate) async fn bank_file(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((month, format)): PathParams<(String, String)>,
) -> Result<Response, AppError> {
    let month = Month::parse(&month).map_err(|_| AppError::NotFound)?;
    let table = state.app.bank_file(&session.actor, month).await?;
    let name = format!("银行代发-{month}");
    match format.as_str() {
        "bank.xlsx" => Ok(download(
            doudi_exchange::to_xlsx(&table, false)
                .map_err(|e| AppError::Internal(format!("writing the bank file: {e}")))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
        )),
        "bank.csv" => Ok(download(
            doudi_exchange::to_csv(&table),
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
        )),
        _ => Err(AppError::NotFound),
    }
}

/// The entitlements paying in a month (`?month=`), as an Excel file: the county's list of who
/// receives what, by file number.
pub(crate) async fn entitlements_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let month_text = query
        .iter()
        .find(|(k, _)| k == "month")
        .map(|(_, v)| v.as_str());
    let month = month_of(month_text, &state)?;
    let open = state
        .app
        .store()
        .open_entitlements(&session.actor, month)
        .await?;
    let ids: Vec<doudi_core::HouseholdId> = open.iter().map(|e| e.household).collect();
    let numbers: std::collections::HashMap<i64, String> = state
        .app
        .store()
        .household_numbers(&session.actor, &ids)
        .await?
        .into_iter()
        .map(|(h, n)| (h.0, n))
        .collect();
    let rows = open
        .iter()
        .map(|e| {
            super::export::text([
                numbers.get(&e.household.0).cloned().unwrap_or_default(),
                e.program.label().to_owned(),
                Money::from_fen(e.monthly_fen).to_string(),
                e.from.to_string(),
                e.review_class.label().to_owned(),
                e.next_review.to_string(),
            ])
        })
        .collect();
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "在享待遇",
            filter: format!("（{month}）"),
            headers: vec![
                "户编号",
                "项目",
                "每月金额",
                "起始月份",
                "复核类别",
                "下次复核日期",
            ],
            rows,
        },
    )
    .await
}

/// Records the bank's results from an uploaded file (CSV or XLSX: 名册编号, 结果, 失败原因):
/// all or nothing, every bad row named on the page.
pub(crate) async fn results(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    upload: Upload,
) -> Result<Response, AppError> {
    let month = Month::parse(upload.get("month").trim())
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let Some(file) = upload.file else {
        return render(
            &state,
            &session,
            month,
            None,
            vec!["请选择银行回盘文件（.xlsx 或 .csv）".to_owned()],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match state
        .app
        .settle(&session.actor, month, &file.name, &file.bytes)
        .await
    {
        Ok(settled) => {
            let ran = format!(
                "已读取银行回盘{}笔，登记结果{}笔（已有结果的不重复登记）",
                settled.lines, settled.settled
            );
            let query = crate::view::url_encode(&ran);
            Ok(Redirect::to(&format!("/payments?month={month}&ran={query}")).into_response())
        }
        Err(doudi_app::Error::Fields(rows)) => {
            let mut problems = vec![format!(
                "“{}”有{}处问题，未登记任何结果：",
                file.name,
                rows.len()
            )];
            problems.extend(rows.into_iter().map(|(_, m)| m));
            render(
                &state,
                &session,
                month,
                None,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(doudi_app::Error::Invalid { message, .. }) => {
            render(
                &state,
                &session,
                month,
                None,
                vec![format!("“{}”无法读取：{message}", file.name)],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
