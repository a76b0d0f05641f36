//! Department data in the browser (5.3): an officer (or the county) uploads a department's file
//! of one kind, sets once how its columns are named, and sees what came of each import; the
//! township's caseworkers work the alerts the records raised (`/alerts`), each with its level,
//! reason and clause, from new to done or dismissed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::discovery::{AlertState, FeedKind};
use doudi_exchange::feed::{FeedMapping, Field};
use doudi_store::discovery::{AlertFilter, may_import};

use super::{Chrome, ok, page};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::AppError;
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::upload::Upload;

struct KindOption {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

struct MappingField {
    code: &'static str,
    label: &'static str,
    header: String,
}

struct ImportRow {
    id: i64,
    kind: &'static str,
    source: String,
    records: i64,
    linked: i64,
    unmatched: i64,
    alerts: i64,
    by: String,
    at: String,
}

/// What an upload did, as the page says it.
struct Report {
    already: bool,
    summary: String,
    deaths: Vec<String>,
    deaths_left: Vec<String>,
}

#[derive(Template)]
#[template(path = "feeds.html")]
struct FeedsPage {
    chrome: Chrome,
    kinds: Vec<KindOption>,
    kind: &'static str,
    kind_label: &'static str,
    mapping: Vec<MappingField>,
    imports: Vec<ImportRow>,
    report: Option<Report>,
    errors: Vec<String>,
    mapping_saved: bool,
}

fn kind_of(text: &str, session: &Session) -> FeedKind {
    FeedKind::parse(text.trim())
        .ok()
        .filter(|k| may_import(&session.actor, *k))
        .or_else(|| {
            FeedKind::ALL
                .iter()
                .copied()
                .find(|k| may_import(&session.actor, *k))
        })
        .unwrap_or(FeedKind::Death)
}

async fn render(
    state: &AppState,
    session: &Session,
    kind: FeedKind,
    report: Option<Report>,
    errors: Vec<String>,
    mapping_saved: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let stored = state.app.feed_mapping(kind).await?;
    let mapping = Field::ALL
        .into_iter()
        .filter(|f| f.used_by(kind))
        .map(|f| MappingField {
            code: f.code(),
            label: f.label(kind),
            header: stored.columns.get(&f).cloned().unwrap_or_default(),
        })
        .collect();
    let imports = state
        .app
        .store()
        .feed_imports(&session.actor)
        .await?
        .into_iter()
        .map(|i| ImportRow {
            id: i.id,
            kind: i.kind.label(),
            source: i.source,
            records: i.records,
            linked: i.linked,
            unmatched: i.unmatched,
            alerts: i.alerts,
            by: i.imported_by,
            at: crate::view::china_time(i.imported_at),
        })
        .collect();
    let p = FeedsPage {
        chrome: Chrome::new(session, "部门数据", "feeds").here(),
        kinds: FeedKind::ALL
            .iter()
            .filter(|k| may_import(&session.actor, **k))
            .map(|k| KindOption {
                code: k.code(),
                label: k.label(),
                selected: *k == kind,
            })
            .collect(),
        kind: kind.code(),
        kind_label: kind.label(),
        mapping,
        imports,
        report,
        errors,
        mapping_saved,
    };
    page(status, &p)
}

/// The upload form, the column names of the chosen kind, and the imports so far.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let kind = kind_of(get("kind"), &session);
    render(
        &state,
        &session,
        kind,
        None,
        Vec::new(),
        get("saved") == "mapping",
        StatusCode::OK,
    )
    .await
}

/// Imports an uploaded department file: matched, alerts raised, certain deaths recorded; a
/// file with bad rows is refused whole, every bad row named.
pub(crate) async fn upload(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    upload: Upload,
) -> Result<Response, AppError> {
    let kind = kind_of(upload.get("kind"), &session);
    let Some(file) = upload.file else {
        return render(
            &state,
            &session,
            kind,
            None,
            vec!["请选择部门数据文件（.xlsx 或 .csv）".into()],
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match state
        .app
        .import_feed_file(&session.actor, kind, &file.name, &file.bytes)
        .await
    {
        Ok(r) => {
            let summary = if r.already {
                format!(
                    "“{}”已于{}导入过（{}条），这次没有改变任何记录。",
                    r.import.source,
                    crate::view::china_time(r.import.imported_at),
                    r.import.records
                )
            } else {
                format!(
                    "已导入“{}”：{}条记录，匹配到本平台人员{}条，本平台无此人{}条，产生提醒{}条。",
                    r.import.source,
                    r.import.records,
                    r.import.linked,
                    r.import.unmatched,
                    r.import.alerts
                )
            };
            let report = Report {
                already: r.already,
                summary,
                deaths: r.deaths,
                deaths_left: r.deaths_left,
            };
            render(
                &state,
                &session,
                kind,
                Some(report),
                Vec::new(),
                false,
                StatusCode::OK,
            )
            .await
        }
        Err(doudi_app::Error::Fields(rows)) => {
            let mut errors = vec![format!(
                "“{}”有{}处问题，整个文件未导入：",
                file.name,
                rows.len()
            )];
            errors.extend(rows.into_iter().map(|(_, m)| m));
            render(
                &state,
                &session,
                kind,
                None,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(doudi_app::Error::Invalid { message, .. }) => {
            render(
                &state,
                &session,
                kind,
                None,
                vec![message],
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves how the department's files of a kind name their columns (empty: the usual name).
pub(crate) async fn save_mapping(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let kind = kind_of(form.get("kind"), &session);
    let mut mapping = FeedMapping::default();
    for field in Field::ALL.into_iter().filter(|f| f.used_by(kind)) {
        let header = form.get(&format!("col_{}", field.code())).trim();
        if header.chars().count() > 50 || header.contains(['\n', '\r', '=']) {
            return render(
                &state,
                &session,
                kind,
                None,
                vec![format!(
                    "“{}”的列名应为50字以内，不含换行和等号",
                    field.label(kind)
                )],
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        if !header.is_empty() {
            mapping.columns.insert(field, header.to_owned());
        }
    }
    state
        .app
        .set_feed_mapping(&session.actor, kind, &mapping)
        .await?;
    Ok(Redirect::to(&format!("/feeds?kind={}&saved=mapping", kind.code())).into_response())
}

struct AlertRow {
    id: i64,
    household: i64,
    household_number: String,
    rule: &'static str,
    level: &'static str,
    level_code: &'static str,
    reason: String,
    evidence: String,
    state: &'static str,
    open: bool,
    outcome: String,
    at: String,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    chrome: Chrome,
    rows: Vec<AlertRow>,
    all: bool,
    can_act: bool,
    can_scan: bool,
    scanned: Option<String>,
    error: Option<String>,
}

async fn alert_rows(
    state: &AppState,
    session: &Session,
    all: bool,
) -> Result<Vec<AlertRow>, AppError> {
    Ok(state
        .app
        .alerts(
            &session.actor,
            &AlertFilter {
                open_only: !all,
                household: None,
            },
        )
        .await?
        .into_iter()
        .map(|a| AlertRow {
            id: a.id,
            household: a.household.0,
            household_number: a.household_number,
            rule: a.rule.label(),
            level: a.level.label(),
            level_code: a.level.code(),
            reason: a.reason,
            evidence: a
                .record
                .map(|r| {
                    format!(
                        "{}：{}（{}，把握{}‰）",
                        r.kind.label(),
                        r.shown,
                        r.evidence,
                        r.permille
                    )
                })
                .unwrap_or_default(),
            state: a.state.label(),
            open: !a.state.is_closed(),
            outcome: a.outcome.unwrap_or_default(),
            at: crate::view::china_time(a.created_at),
        })
        .collect())
}

async fn render_alerts(
    state: &AppState,
    session: &Session,
    all: bool,
    error: Option<String>,
    scanned: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let p = AlertsPage {
        chrome: Chrome::new(session, "部门数据提醒", "alerts").here(),
        rows: alert_rows(state, session, all).await?,
        all,
        can_act: session.actor.may_keep_benefits(),
        can_scan: session.actor.may_pay(),
        scanned,
        error,
    };
    page(status, &p)
}

/// The alerts of one's part of the county: open ones first, red before amber before green.
pub(crate) async fn alerts(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let all = query.iter().any(|(k, v)| k == "all" && v == "1");
    let scanned = query
        .iter()
        .find(|(k, _)| k == "scanned")
        .map(|(_, v)| v.chars().take(100).collect());
    render_alerts(&state, &session, all, None, scanned, StatusCode::OK).await
}

/// The alerts as Excel.
pub(crate) async fn alerts_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let all = query.iter().any(|(k, v)| k == "all" && v == "1");
    let rows = alert_rows(&state, &session, all)
        .await?
        .into_iter()
        .map(|r| {
            super::export::text([
                r.id.to_string(),
                r.household_number,
                r.level.to_owned(),
                r.rule.to_owned(),
                r.reason,
                r.evidence,
                r.state.to_owned(),
                r.outcome,
                r.at,
            ])
        })
        .collect();
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "部门数据提醒",
            filter: if all {
                "全部".into()
            } else {
                "未办结".into()
            },
            headers: vec![
                "提醒编号",
                "户编号",
                "等级",
                "事项",
                "内容",
                "数据来源与匹配",
                "状态",
                "处理结果",
                "提醒时间",
            ],
            rows,
        },
    )
    .await
}

/// Moves an alert on from the list: in progress, done with its outcome, or dismissed with the
/// reason.
pub(crate) async fn update_alert(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let target = match AlertState::parse(form.get("state").trim()) {
        Ok(s) => s,
        Err(e) => return Err(AppError::BadRequest(e.to_string())),
    };
    match state
        .app
        .update_alert(&session.actor, id, target, form.get("outcome"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/alerts#alert-{id}")).into_response()),
        Err(doudi_app::Error::Store(doudi_store::StoreError::Invalid(message))) => {
            render_alerts(
                &state,
                &session,
                false,
                Some(message),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The county scans the registry for what no department sends (members turning 70,
/// zero-employment households).
pub(crate) async fn scan(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let r = state.app.scan_registry(&session.actor).await?;
    let said = format!(
        "已扫描{}户：应提醒{}条，其中新提醒{}条（此前已提醒的不重复）",
        r.households, r.found, r.raised
    );
    Ok(Redirect::to(&format!(
        "/alerts?scanned={}",
        crate::view::url_encode(&said)
    ))
    .into_response())
}

struct WatchRow {
    shown: String,
    date: String,
    amount: String,
    detail: String,
    source: String,
}

#[derive(Template)]
#[template(path = "watch.html")]
struct WatchPage {
    chrome: Chrome,
    threshold: String,
    rows: Vec<WatchRow>,
}

async fn watch_rows(
    state: &AppState,
    session: &Session,
) -> Result<(String, Vec<WatchRow>), AppError> {
    let (threshold, list) = state.app.watch_list(&session.actor).await?;
    Ok((
        threshold.to_string(),
        list.into_iter()
            .map(|r| WatchRow {
                shown: r.shown,
                date: r.date.map(|d| d.to_string()).unwrap_or_default(),
                amount: r
                    .amount_fen
                    .map(|f| doudi_core::Money::from_fen(f).to_string())
                    .unwrap_or_default(),
                detail: r.detail,
                source: r.source,
            })
            .collect(),
    ))
}

/// The near-poor watch list: people the platform does not know with a hospital bill at least
/// the dibao standard over the expenditure test's window.
pub(crate) async fn watch(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let (threshold, rows) = watch_rows(&state, &session).await?;
    ok(&WatchPage {
        chrome: Chrome::new(&session, "困难边缘名单", "watch").here(),
        threshold,
        rows,
    })
}

/// The watch list as Excel.
pub(crate) async fn watch_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let (threshold, rows) = watch_rows(&state, &session).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "困难边缘名单",
            filter: format!("住院自付不低于{threshold}"),
            headers: vec![
                "姓名与身份证号码（已遮蔽）",
                "出院日期",
                "个人自付",
                "医疗机构",
                "数据来源",
            ],
            rows: rows
                .into_iter()
                .map(|r| super::export::text([r.shown, r.date, r.amount, r.detail, r.source]))
                .collect(),
        },
    )
    .await
}

/// How many open alerts wait in the actor's scope, red ones apart (for the work list).
pub(crate) async fn open_counts(
    state: &AppState,
    session: &Session,
) -> Result<(u64, u64), AppError> {
    if !session.actor.may_read_cases() {
        return Ok((0, 0));
    }
    Ok(state.app.open_alert_counts(&session.actor).await?)
}
