//! Importing a county's household file in the browser (4.2.a): upload an XLSX or CSV file in the
//! template's layout, choose all-or-nothing or only the good households, watch it being checked
//! and written, see every bad row with its column and reason, and download them as a file to fix
//! and upload again. The work is [`doudi_app::App::import_households`], the same as `doudi
//! import`; it runs in the background while the page shows how far it has come (refreshing
//! itself without JavaScript), so a large file never hits a request timeout.
//!
//! Jobs live in this process's memory, each visible only to the account that started it, and
//! are forgotten an hour after they end. The store writes an import in one transaction: a server
//! killed mid-import has written nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, TimeDelta, Utc};
use doudi_app::registry::{ImportMode, ImportStage};
use doudi_store::ImportCounts;

use super::{Chrome, download, ok, page};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::PathParams;
use crate::upload::Upload;

/// How many finished and running imports are remembered at most.
const MAX_JOBS: usize = 200;
/// How long a finished import's result stays available.
const KEEP_FOR: TimeDelta = TimeDelta::hours(1);
/// How many problems the page lists (all of them are in the downloadable file).
const SHOWN_PROBLEMS: usize = 200;

/// The imports of this server process.
#[derive(Clone, Default)]
pub(crate) struct Imports(Arc<Mutex<HashMap<u64, Job>>>);

struct Job {
    user_id: i64,
    file_name: String,
    mode: ImportMode,
    started: DateTime<Utc>,
    stage: Option<ImportStage>,
    finished: Option<(DateTime<Utc>, Result<Finished, String>)>,
}

struct Finished {
    rows: usize,
    good: usize,
    carried: usize,
    written: Option<ImportCounts>,
    problems: Vec<Problem>,
    problem_count: usize,
    rejected_rows: usize,
    errors_xlsx: Option<Vec<u8>>,
    errors_csv: Option<Vec<u8>>,
}

struct Problem {
    row: usize,
    column: String,
    message: String,
}

impl Imports {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Job>> {
        // A panic while holding the lock leaves plain data behind: still usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers a new job, forgetting those that ended over an hour ago (and, above
    /// [`MAX_JOBS`], the oldest finished ones).
    fn start(&self, job: Job, now: DateTime<Utc>) -> Result<u64, AppError> {
        let mut jobs = self.lock();
        jobs.retain(|_, j| {
            j.finished
                .as_ref()
                .is_none_or(|(at, _)| now - *at < KEEP_FOR)
        });
        if jobs.len() >= MAX_JOBS {
            let oldest = jobs
                .iter()
                .filter(|(_, j)| j.finished.is_some())
                .min_by_key(|(_, j)| j.started)
                .map(|(id, _)| *id);
            match oldest {
                Some(id) => {
                    jobs.remove(&id);
                }
                None => return Err(AppError::Busy),
            }
        }
        // 52 random bits (from a fresh session token's hex): not guessable, and a whole number
        // in JavaScript too.
        let token = doudi_app::accounts::new_session_token();
        let id = u64::from_str_radix(&token[..13], 16).unwrap_or_default();
        jobs.insert(id, job);
        Ok(id)
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    error: Option<String>,
}

fn import_chrome(session: &Session) -> Chrome {
    Chrome::new(session, "导入家庭档案", "import")
        .crumb("家庭档案", "/households")
        .here()
}

/// The upload form.
pub(crate) async fn form(CurrentUser(session): CurrentUser) -> Result<Response, AppError> {
    ok(&ImportPage {
        chrome: import_chrome(&session),
        error: None,
    })
}

/// Starts an import of the uploaded file and sends the browser to watch it.
pub(crate) async fn start(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    upload: Upload,
) -> Result<Response, AppError> {
    let refuse = |message: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                chrome: import_chrome(&session),
                error: Some(message.to_owned()),
            },
        )
    };
    let mode = upload.get("mode").to_owned();
    let Some(file) = upload.file else {
        return refuse("请选择要导入的文件（.xlsx 或 .csv）");
    };
    let lower = file.name.to_lowercase();
    if !(lower.ends_with(".xlsx") || lower.ends_with(".csv")) {
        return refuse(&format!(
            "“{}”不是 .xlsx 或 .csv 文件：请用导入模板填写，另存为 Excel 工作簿（.xlsx）或 CSV 后上传",
            file.name
        ));
    }
    if file.bytes.is_empty() {
        return refuse(&format!("“{}”是空文件", file.name));
    }
    let mode = match mode.as_str() {
        "" | "all" => ImportMode::AllOrNothing,
        "good" => ImportMode::GoodOnly,
        _ => return refuse("请选择导入方式"),
    };
    let now = state.now();
    let id = state.imports.start(
        Job {
            user_id: session.user.id,
            file_name: file.name.clone(),
            mode,
            started: now,
            stage: None,
            finished: None,
        },
        now,
    )?;
    let imports = state.imports.clone();
    let app = state.app.clone();
    let actor = session.actor.clone();
    tokio::spawn(async move {
        let progress_to = imports.clone();
        let mut progress = move |stage: ImportStage| {
            if let Some(job) = progress_to.lock().get_mut(&id) {
                job.stage = Some(stage);
            }
        };
        let result = app
            .import_households(&actor, &file.name, &file.bytes, mode, &mut progress)
            .await;
        let finished = match result {
            Ok(report) => {
                let table = report.error_table();
                Ok(Finished {
                    rows: report.sheet.rows.len(),
                    good: report.good,
                    carried: report.carried,
                    written: report.written,
                    problem_count: report.errors.len(),
                    rejected_rows: report.rejected_rows.len(),
                    problems: report
                        .errors
                        .iter()
                        .take(SHOWN_PROBLEMS)
                        .map(|e| Problem {
                            row: e.row,
                            column: e.column.clone(),
                            message: e.message.clone(),
                        })
                        .collect(),
                    errors_xlsx: table
                        .as_ref()
                        .and_then(|t| doudi_exchange::to_xlsx(t, false).ok()),
                    errors_csv: table.as_ref().map(doudi_exchange::to_csv),
                })
            }
            Err(e) => {
                tracing::warn!(job = id, "import failed: {}", kind_of(&e));
                Err(AppError::from(e).message())
            }
        };
        if let Some(job) = imports.lock().get_mut(&id) {
            job.finished = Some((app.now(), finished));
        }
    });
    Ok(Redirect::to(&format!("/households/import/{id}")).into_response())
}

/// What kind of failure, for the log (never its message, which may quote the file).
fn kind_of(e: &doudi_app::Error) -> &'static str {
    match e {
        doudi_app::Error::Store(_) => "store",
        doudi_app::Error::Invalid { .. } | doudi_app::Error::Fields(_) => "file",
        doudi_app::Error::Rules(_) => "rules",
        doudi_app::Error::Busy => "busy",
    }
}

/// The job `id` if `session`'s user started it; anyone else's, like one that never was, is not
/// found.
fn own_job<'a>(
    jobs: &'a HashMap<u64, Job>,
    id: u64,
    session: &Session,
) -> Result<&'a Job, AppError> {
    jobs.get(&id)
        .filter(|j| j.user_id == session.user.id)
        .ok_or(AppError::NotFound)
}

struct ProblemRow {
    row: usize,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    chrome: Chrome,
    id: u64,
    file_name: String,
    mode: &'static str,
    running: bool,
    /// Steps done of four, and what is happening now.
    step: u8,
    doing: &'static str,
    failed: Option<String>,
    rows: usize,
    good: usize,
    carried: usize,
    written: Option<ImportCounts>,
    all_or_nothing: bool,
    problem_count: usize,
    rejected_rows: usize,
    problems: Vec<ProblemRow>,
    has_error_file: bool,
}

/// How far an import has come, or what came of it.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<u64>,
) -> Result<Response, AppError> {
    let jobs = state.imports.lock();
    let job = own_job(&jobs, id, &session)?;
    let (step, doing) = match job.stage {
        None => (0, "正在读取文件…"),
        Some(ImportStage::Read { .. }) => (1, "正在逐格检查…"),
        Some(ImportStage::Checked { .. }) => (2, "正在与已登记的家庭和人员比对…"),
        Some(ImportStage::Compared) => (3, "正在写入…"),
        Some(ImportStage::Written) => (4, "已写入"),
    };
    let mut view = JobPage {
        chrome: Chrome::new(&session, "导入家庭档案", "import")
            .crumb("家庭档案", "/households")
            .crumb("导入家庭档案", "/households/import")
            .here(),
        id,
        file_name: job.file_name.clone(),
        mode: match job.mode {
            ImportMode::AllOrNothing => "全部正确才导入",
            ImportMode::GoodOnly => "只导入正确的家庭",
        },
        running: job.finished.is_none(),
        step,
        doing,
        failed: None,
        rows: 0,
        good: 0,
        carried: 0,
        written: None,
        all_or_nothing: job.mode == ImportMode::AllOrNothing,
        problem_count: 0,
        rejected_rows: 0,
        problems: Vec::new(),
        has_error_file: false,
    };
    match &job.finished {
        None => {}
        Some((_, Err(message))) => view.failed = Some(message.clone()),
        Some((_, Ok(done))) => {
            view.rows = done.rows;
            view.good = done.good;
            view.carried = done.carried;
            view.written = done.written;
            view.problem_count = done.problem_count;
            view.rejected_rows = done.rejected_rows;
            view.has_error_file = done.errors_xlsx.is_some() || done.errors_csv.is_some();
            view.problems = done
                .problems
                .iter()
                .map(|p| ProblemRow {
                    row: p.row,
                    column: p.column.clone(),
                    message: p.message.clone(),
                })
                .collect();
        }
    }
    drop(jobs);
    ok(&view)
}

fn error_file(
    state: &AppState,
    session: &Session,
    id: u64,
    xlsx: bool,
) -> Result<Response, AppError> {
    let jobs = state.imports.lock();
    let job = own_job(&jobs, id, session)?;
    let Some((_, Ok(done))) = &job.finished else {
        return Err(AppError::NotFound);
    };
    let stem = job
        .file_name
        .rsplit_once('.')
        .map_or(job.file_name.as_str(), |(stem, _)| stem);
    let stem: String = stem
        .chars()
        .filter(|c| !matches!(c, '"' | '\\' | '/' | ';'))
        .collect();
    if xlsx {
        let bytes = done.errors_xlsx.clone().ok_or(AppError::NotFound)?;
        Ok(download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}-问题行.xlsx"),
        ))
    } else {
        let bytes = done.errors_csv.clone().ok_or(AppError::NotFound)?;
        Ok(download(
            bytes,
            "text/csv; charset=utf-8",
            &format!("{stem}-问题行.csv"),
        ))
    }
}

/// The rejected rows with their reasons, as XLSX.
pub(crate) async fn errors_xlsx(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<u64>,
) -> Result<Response, AppError> {
    error_file(&state, &session, id, true)
}

/// The rejected rows with their reasons, as CSV.
pub(crate) async fn errors_csv(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<u64>,
) -> Result<Response, AppError> {
    error_file(&state, &session, id, false)
}
