//! Every list exports to Excel: the rows the list's filter selects (all of them, not only the
//! page on screen), with the list's own Chinese headers and the same masking as the screen, as
//! an XLSX file named after the list and the day. Each export is recorded in the audit trail.

use axum::response::Response;
use chrono::NaiveDate;
use doudi_core::Actor;
use doudi_exchange::Table;
use doudi_exchange::write::OutCell;
use doudi_store::{AuditAction, Page};

use super::download;
use crate::AppState;
use crate::error::{AppError, FieldErrors};

/// The most rows one export holds: beyond, the caller is asked to narrow the filter.
pub(crate) const MAX_EXPORT_ROWS: i64 = 200_000;

/// A list to export: its name (for the file and the audit trail), headers and rows of text.
pub(crate) struct Export {
    /// What the list is, in Chinese: 家庭档案, 审计日志…
    pub name: &'static str,
    /// The filter as the user chose it, for the audit trail (no personal data).
    pub filter: String,
    /// Column headers.
    pub headers: Vec<&'static str>,
    /// Rows, as many cells as headers.
    pub rows: Vec<Vec<OutCell>>,
}

/// Rows fetched for an export a page of 500 at a time; `fetch` answers a page with the total
/// that match and the page's rows. More than [`MAX_EXPORT_ROWS`] is refused, asking to narrow
/// the filter (`what` names the rows, `how` says how to narrow).
pub(crate) async fn every_page<T, F, Fut>(
    mut fetch: F,
    what: &str,
    how: &str,
) -> Result<Vec<T>, AppError>
where
    F: FnMut(Page) -> Fut,
    Fut: std::future::Future<Output = Result<(i64, Vec<T>), AppError>>,
{
    const CHUNK: i64 = 500;
    let mut all = Vec::new();
    let mut page = Page {
        offset: 0,
        limit: CHUNK,
    };
    loop {
        let (total, rows) = fetch(page).await?;
        if total > MAX_EXPORT_ROWS {
            return Err(AppError::Invalid {
                message: format!(
                    "符合条件的{what}有{total}条，超过一次导出的上限{MAX_EXPORT_ROWS}条，请{how}"
                ),
                fields: FieldErrors::new(),
            });
        }
        let done = (rows.len() as i64) < CHUNK;
        all.extend(rows);
        if done {
            return Ok(all);
        }
        page.offset += CHUNK;
    }
}

/// Text cells.
pub(crate) fn text(cells: impl IntoIterator<Item = String>) -> Vec<OutCell> {
    cells.into_iter().map(OutCell::Text).collect()
}

/// Writes the export as an XLSX download and records it.
pub(crate) async fn xlsx(
    state: &AppState,
    actor: &Actor,
    today: NaiveDate,
    export: Export,
) -> Result<Response, AppError> {
    let rows = export.rows.len();
    let table = Table {
        headers: export.headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: export.rows,
    };
    let bytes = doudi_exchange::to_xlsx(&table, false)
        .map_err(|e| AppError::Internal(format!("writing the export: {e}")))?;
    state
        .app
        .store()
        .record_audit(
            actor,
            AuditAction::Export,
            export.name,
            &format!("导出{rows}行{}", export.filter),
        )
        .await?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}-{}.xlsx", export.name, today.format("%Y%m%d")),
    ))
}
