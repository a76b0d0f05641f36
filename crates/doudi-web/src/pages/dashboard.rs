//! The work dashboard over time (工作看板, 4.4), 两不愁三保障 (1.3) and the classified ledgers
//! (分类台账, 4.2.a) as pages, Excel and JSON.
//!
//! Each block of a page is a table; its chart (ECharts, vendored, loaded only on these pages by
//! `static/dashboard.js`) is drawn from the JSON in the chart's `data-chart` attribute, which is
//! built from the very rows of the table beneath it: `x` is the table's first column and each
//! series names the column it is drawn from. Without JavaScript the tables are the page.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use doudi_app::dashboard::{Dashboard, Failing, Guarantees, LedgerKind};
use doudi_core::guarantees::Dimension;
use doudi_core::{DivisionCode, Money, Month};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, ErrorBody};
use crate::extract::QueryPairs;
use crate::forms::Opt;
use crate::view::{Divisions, url_encode};

/// Failing households a page of the guarantee list.
const PER_PAGE: usize = 50;

/// What a chart is drawn from: the table's first column and some of its other columns.
#[derive(Serialize)]
struct Chart {
    /// `bar` or `line`.
    kind: &'static str,
    /// The first column's cells.
    x: Vec<String>,
    /// One series per charted column.
    series: Vec<Series>,
}

#[derive(Serialize)]
struct Series {
    /// The column's header.
    name: String,
    /// The column's index in the table.
    column: usize,
    /// The column's cells.
    data: Vec<String>,
}

/// One block: a table, its chart and its Excel download.
pub(crate) struct Block {
    id: &'static str,
    title: String,
    note: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The chart's JSON; empty for a block without a chart.
    chart: String,
    export_href: String,
}

impl Block {
    fn new(
        id: &'static str,
        title: impl Into<String>,
        headers: &[&str],
        rows: Vec<Vec<String>>,
    ) -> Block {
        Block {
            id,
            title: title.into(),
            note: String::new(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            chart: String::new(),
            export_href: String::new(),
        }
    }

    /// Draws `columns` of the table as a chart of `kind`.
    fn chart(mut self, kind: &'static str, columns: &[usize]) -> Block {
        let chart = Chart {
            kind,
            x: self
                .rows
                .iter()
                .map(|r| r.first().cloned().unwrap_or_default())
                .collect(),
            series: columns
                .iter()
                .map(|&c| Series {
                    name: self.headers.get(c).cloned().unwrap_or_default(),
                    column: c,
                    data: self
                        .rows
                        .iter()
                        .map(|r| r.get(c).cloned().unwrap_or_default())
                        .collect(),
                })
                .collect(),
        };
        self.chart = serde_json::to_string(&chart).unwrap_or_default();
        self
    }

    fn note(mut self, note: impl Into<String>) -> Block {
        self.note = note.into();
        self
    }
}

/// Yuan for a cell a chart reads: digits and two decimals, no separators.
fn yuan(m: Money) -> String {
    let fen = m.fen();
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `part ÷ whole` in percent with one decimal (rounded half up), `-` without a whole.
fn percent(part: u32, whole: u32) -> String {
    match doudi_policy::share(i64::from(part), i64::from(whole)) {
        None => "-".into(),
        Some(r) => {
            // Basis points to tenths of a percent, half up.
            let tenths = (r.0 + 5) / 10;
            format!("{}.{}", tenths / 10, tenths % 10)
        }
    }
}

/// A ratio in percent with one decimal.
fn ratio_percent(r: doudi_policy::params::Ratio) -> String {
    let tenths = (r.0 + 5) / 10;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The dashboard's query as typed.
struct Query {
    township: Option<DivisionCode>,
    month: Option<Month>,
    block: String,
    page: usize,
    township_text: String,
    month_text: String,
}

fn query(pairs: &[(String, String)]) -> Result<Query, AppError> {
    let get = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let township_text = get("township");
    let month_text = get("month");
    let township = doudi_app::dashboard::parse_township(Some(&township_text))?;
    let month = if month_text.is_empty() {
        None
    } else {
        Some(Month::parse(&month_text).map_err(|_| {
            AppError::from(doudi_app::Error::invalid("month", "月份格式应为 2026-11"))
        })?)
    };
    Ok(Query {
        township,
        month,
        block: get("block"),
        page: get("page").parse().unwrap_or(1).clamp(1, 1_000_000),
        township_text,
        month_text,
    })
}

/// The query string that keeps the filter (`township`, `month`), starting with `?`.
fn filter_query(q: &Query) -> String {
    format!(
        "?township={}&month={}",
        url_encode(&q.township_text),
        url_encode(&q.month_text)
    )
}

fn township_name(divisions: &Divisions, code: &str) -> String {
    divisions
        .get(code)
        .map_or_else(|| code.to_owned(), |d| d.name.clone())
}

/// The dashboard's blocks, in page order.
fn blocks(d: &Dashboard, divisions: &Divisions) -> Vec<Block> {
    let categories = Block::new(
        "categories",
        "低保、特困户数和人数（按月）",
        &["月份", "低保户数", "低保人数", "特困户数", "特困人数"],
        d.categories
            .iter()
            .map(|c| {
                vec![
                    c.month.to_string(),
                    c.dibao_households.to_string(),
                    c.dibao_people.to_string(),
                    c.tekun_households.to_string(),
                    c.tekun_people.to_string(),
                ]
            })
            .collect(),
    )
    .note("每月在享待遇（当月有效的保障期）的家庭及其现有成员（依据 1.2、4.4）。")
    .chart("line", &[1, 2, 3, 4]);
    let payments = Block::new(
        "payments",
        "资金发放（按月）",
        &[
            "月份",
            "发放笔数",
            "发放金额（元）",
            "低保金（元）",
            "特困供养金（元）",
            "灾害救助（元）",
        ],
        d.payments
            .iter()
            .map(|p| {
                vec![
                    p.month.to_string(),
                    p.lines.to_string(),
                    yuan(p.amount),
                    yuan(p.dibao),
                    yuan(p.tekun),
                    yuan(p.relief),
                ]
            })
            .collect(),
    )
    .note("每月生成的发放明细（含待发放、已发放和发放失败），按救助项目（依据 5.2）。")
    .chart("bar", &[3, 4, 5]);
    let causes = Block::new(
        "causes",
        "致困原因（现有家庭）",
        &["致困原因", "户数"],
        d.causes
            .iter()
            .map(|(c, n)| vec![c.label().to_owned(), n.to_string()])
            .collect(),
    )
    .note("一户有多项致困原因的，每项各计一次（依据 4.2.a 三清）。")
    .chart("bar", &[1]);
    let needs = Block::new(
        "needs",
        "帮扶需求（现有家庭）",
        &["帮扶需求", "户数"],
        d.needs
            .iter()
            .map(|(n, c)| vec![n.label().to_owned(), c.to_string()])
            .collect(),
    )
    .note("一户有多项帮扶需求的，每项各计一次（依据 4.2.a 三清）。")
    .chart("bar", &[1]);
    let care_target = d
        .kpis
        .iter()
        .find_map(|k| k.care.as_ref().map(|c| ratio_percent(c.target)))
        .unwrap_or_else(|| "-".into());
    let kpis = Block::new(
        "kpis",
        "各乡镇（街道）工作指标",
        &[
            "乡镇（街道）",
            "户数",
            "失能特困人数",
            "集中供养人数",
            "集中供养率（%）",
            "集中供养目标（%）",
            "家庭医生签约率（%）",
            "零就业家庭（户，目标0）",
            "结对覆盖率（%，目标100）",
            "走访覆盖率（%，目标100）",
            "教育资助未发放（项，目标0）",
            "住院目录外费用占比（%）",
            "超期办理案件（件，目标0）",
        ],
        d.kpis
            .iter()
            .map(|k| {
                let (disabled, centralised, share, target) = match &k.care {
                    Some(c) => (
                        c.disabled.to_string(),
                        c.centralised.to_string(),
                        percent(c.centralised, c.disabled),
                        ratio_percent(c.target),
                    ),
                    None => ("0".into(), "0".into(), "-".into(), care_target.clone()),
                };
                vec![
                    township_name(divisions, &k.township),
                    k.households.to_string(),
                    disabled,
                    centralised,
                    share,
                    target,
                    percent(k.family_doctor, k.members),
                    k.zero_employment.to_string(),
                    percent(k.paired, k.households),
                    percent(k.visited, k.households),
                    k.undelivered_items.to_string(),
                    match doudi_policy::share(k.out_of_catalogue.fen(), k.stay_total.fen()) {
                        Some(r) => ratio_percent(r),
                        None => "-".into(),
                    },
                    k.overdue.to_string(),
                ]
            })
            .collect(),
    )
    .note(format!(
        "目标：失能特困人员集中供养率{}年不低于{}%（依据 2.2.b，2019年40%、2020年起50%）；家庭医生签约全覆盖（依据 2.4）；\
         零就业家庭动态清零（依据 2.7）；户户结对、{}天内走访（依据 4.3）；教育资助应发尽发（依据 2.5）；\
         住院目录外费用占比不超过{}%（依据 2.4）；案件在办理时限内办结（依据 4.2.b）。",
        d.care_year,
        care_target,
        d.visit_days,
        ratio_percent(d.out_limit),
    ))
    .chart("bar", &[4, 6, 8, 9, 11]);
    vec![categories, payments, causes, needs, kpis]
}

fn township_options(
    divisions: &Divisions,
    session: &Session,
    chosen: Option<&DivisionCode>,
) -> Vec<Opt> {
    divisions
        .townships_in(&session.actor.scope)
        .map(|t| Opt {
            value: t.code.to_string(),
            label: t.name.clone(),
            selected: chosen == Some(&t.code),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    /// When the figures were computed, in China's time.
    built: String,
    month: String,
    townships: Vec<Opt>,
    blocks: Vec<Block>,
}

/// The dashboard page.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let q = query(&pairs)?;
    let d = state
        .app
        .dashboard(&session.actor, q.township.as_ref(), q.month)
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let mut blocks = blocks(&d, &divisions);
    let keep = filter_query(&q);
    for b in &mut blocks {
        b.export_href = format!("/dashboard.xlsx{keep}&block={}", b.id);
    }
    ok(&DashboardPage {
        chrome: Chrome::new(&session, "工作看板", "dashboard").here(),
        built: crate::view::china_time(d.built_at),
        month: d.month.to_string(),
        townships: township_options(&divisions, &session, d.township.as_ref()),
        blocks,
    })
}

/// Writes a block's table as an XLSX download, recorded like every list export.
async fn block_xlsx(
    state: &AppState,
    session: &Session,
    name: &'static str,
    filter: String,
    block: Block,
) -> Result<Response, AppError> {
    let count = block.rows.len();
    let table = doudi_exchange::Table {
        headers: block.headers,
        rows: block.rows.into_iter().map(super::export::text).collect(),
    };
    let bytes = doudi_exchange::to_xlsx(&table, false)
        .map_err(|e| AppError::Internal(format!("writing the export: {e}")))?;
    state
        .app
        .store()
        .record_audit(
            &session.actor,
            doudi_store::AuditAction::Export,
            name,
            &format!("导出{count}行{filter}"),
        )
        .await?;
    Ok(super::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{name}-{}.xlsx", state.today().format("%Y%m%d")),
    ))
}

/// One block of the dashboard as Excel (`block=categories|payments|causes|needs|kpis`).
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let q = query(&pairs)?;
    let d = state
        .app
        .dashboard(&session.actor, q.township.as_ref(), q.month)
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let Some(block) = blocks(&d, &divisions).into_iter().find(|b| b.id == q.block) else {
        return Err(AppError::from(doudi_app::Error::invalid(
            "block",
            "请选择要导出的表格",
        )));
    };
    let filter = format!("：{}，截至{}", block.title, d.month);
    block_xlsx(&state, &session, "工作看板", filter, block).await
}

/// One month of the dashboard's series.
#[derive(Serialize, ToSchema)]
pub struct DashboardMonthDto {
    /// 月份（YYYY-MM）。
    pub month: String,
    /// 低保户数。
    pub dibao_households: u32,
    /// 低保人数。
    pub dibao_people: u32,
    /// 特困户数。
    pub tekun_households: u32,
    /// 特困人数。
    pub tekun_people: u32,
    /// 发放笔数。
    pub payment_lines: u32,
    /// 发放金额（分）。
    pub payment_fen: i64,
    /// 低保金（分）。
    pub dibao_fen: i64,
    /// 特困供养金（分）。
    pub tekun_fen: i64,
    /// 灾害救助（分）。
    pub relief_fen: i64,
}

/// A count under a label.
#[derive(Serialize, ToSchema)]
pub struct LabelCountDto {
    /// 代码。
    pub code: String,
    /// 名称。
    pub label: String,
    /// 户数。
    pub households: u32,
}

/// One township's KPIs.
#[derive(Serialize, ToSchema)]
pub struct TownshipKpisDto {
    /// 乡镇（街道）代码。
    pub township: String,
    /// 户数。
    pub households: u32,
    /// 人数。
    pub members: u32,
    /// 失能特困人数。
    pub disabled_tekun: u32,
    /// 其中集中供养人数。
    pub centralised: u32,
    /// 集中供养目标（基点，万分之一）。
    pub centralised_target_bp: Option<i64>,
    /// 是否达到集中供养目标。
    pub centralised_met: Option<bool>,
    /// 家庭医生签约人数。
    pub family_doctor: u32,
    /// 零就业家庭户数。
    pub zero_employment: u32,
    /// 已结对户数。
    pub paired: u32,
    /// 近期（visit_days 天内）已走访户数。
    pub visited: u32,
    /// 本学期教育资助未发放项目数。
    pub undelivered_items: u32,
    /// 今年住院总费用（分）。
    pub stay_total_fen: i64,
    /// 其中目录外费用（分）。
    pub out_of_catalogue_fen: i64,
    /// 目录外费用占比是否超过控制标准。
    pub out_over_limit: bool,
    /// 超期办理案件数。
    pub overdue: u32,
}

/// The dashboard as JSON.
#[derive(Serialize, ToSchema)]
pub struct DashboardDto {
    /// 截至月份。
    pub month: String,
    /// 所选乡镇（街道）代码，全部时为空。
    pub township: Option<String>,
    /// 近12个月。
    pub months: Vec<DashboardMonthDto>,
    /// 致困原因（现有家庭）。
    pub causes: Vec<LabelCountDto>,
    /// 帮扶需求（现有家庭）。
    pub needs: Vec<LabelCountDto>,
    /// 各乡镇（街道）指标。
    pub townships: Vec<TownshipKpisDto>,
    /// 集中供养考核年度。
    pub care_year: i32,
    /// 目录外费用控制标准（基点）。
    pub out_of_catalogue_limit_bp: i64,
    /// 走访覆盖的天数。
    pub visit_days: u32,
}

/// The work dashboard over the 12 months up to `month` (this month by default), for the
/// caller's part of the county or one township of it (county approver, auditors, township
/// caseworkers); counts only.
#[utoipa::path(
    get,
    path = "/api/dashboard",
    tag = "discovery",
    params(
        ("township" = Option<String>, Query, description = "乡镇（街道）代码，空为全部"),
        ("month" = Option<String>, Query, description = "截至月份，如 2026-11，空为本月"),
    ),
    responses(
        (status = 200, description = "工作看板", body = DashboardDto),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 422, description = "乡镇或月份无效", body = ErrorBody),
    )
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<DashboardDto>, AppError> {
    let q = query(&pairs)?;
    let d = state
        .app
        .dashboard(&session.actor, q.township.as_ref(), q.month)
        .await?;
    let months = d
        .categories
        .iter()
        .zip(&d.payments)
        .map(|(c, p)| DashboardMonthDto {
            month: c.month.to_string(),
            dibao_households: c.dibao_households,
            dibao_people: c.dibao_people,
            tekun_households: c.tekun_households,
            tekun_people: c.tekun_people,
            payment_lines: p.lines,
            payment_fen: p.amount.fen(),
            dibao_fen: p.dibao.fen(),
            tekun_fen: p.tekun.fen(),
            relief_fen: p.relief.fen(),
        })
        .collect();
    Ok(Json(DashboardDto {
        month: d.month.to_string(),
        township: d.township.as_ref().map(|t| t.to_string()),
        months,
        causes: d
            .causes
            .iter()
            .map(|(c, n)| LabelCountDto {
                code: c.code().to_owned(),
                label: c.label().to_owned(),
                households: *n,
            })
            .collect(),
        needs: d
            .needs
            .iter()
            .map(|(c, n)| LabelCountDto {
                code: c.code().to_owned(),
                label: c.label().to_owned(),
                households: *n,
            })
            .collect(),
        townships: d
            .kpis
            .iter()
            .map(|k| TownshipKpisDto {
                township: k.township.clone(),
                households: k.households,
                members: k.members,
                disabled_tekun: k.care.as_ref().map_or(0, |c| c.disabled),
                centralised: k.care.as_ref().map_or(0, |c| c.centralised),
                centralised_target_bp: k.care.as_ref().map(|c| c.target.0),
                centralised_met: k.care.as_ref().map(|c| c.met),
                family_doctor: k.family_doctor,
                zero_employment: k.zero_employment,
                paired: k.paired,
                visited: k.visited,
                undelivered_items: k.undelivered_items,
                stay_total_fen: k.stay_total.fen(),
                out_of_catalogue_fen: k.out_of_catalogue.fen(),
                out_over_limit: k.out_over_limit,
                overdue: k.overdue,
            })
            .collect(),
        care_year: d.care_year,
        out_of_catalogue_limit_bp: d.out_limit.0,
        visit_days: d.visit_days,
    }))
}

// ---- 两不愁三保障 (1.3) ----

/// The per-township counts as a block.
fn guarantee_block(g: &Guarantees, divisions: &Divisions) -> Block {
    let mut headers = vec!["乡镇（街道）", "户数"];
    headers.extend(Dimension::ALL.iter().map(|d| d.label()));
    Block::new(
        "guarantees",
        "各乡镇（街道）未保障户数",
        &headers,
        g.townships
            .iter()
            .map(|t| {
                let mut row = vec![
                    township_name(divisions, &t.township),
                    t.households.to_string(),
                ];
                row.extend(t.unmet.iter().map(|n| n.to_string()));
                row
            })
            .collect(),
    )
    .note("每个维度未保障的户数（依据 1.3）。")
    .chart("bar", &[2, 3, 4, 5, 6])
}

/// The failing households as rows.
/// The table rows of these failing households.
fn failing_rows(failing: &[Failing], divisions: &Divisions) -> Vec<Vec<String>> {
    failing
        .iter()
        .map(|f| {
            vec![
                f.number.clone(),
                divisions.place(&f.community),
                f.head.clone(),
                f.category.label().to_owned(),
                f.unmet
                    .iter()
                    .map(|u| u.dimension.label())
                    .collect::<Vec<_>>()
                    .join("、"),
                f.unmet
                    .iter()
                    .map(|u| format!("{}：{}", u.dimension.label(), u.reason))
                    .collect::<Vec<_>>()
                    .join("；"),
            ]
        })
        .collect()
}

const FAILING_HEADERS: [&str; 6] = [
    "户编号",
    "乡镇（街道）社区",
    "户主",
    "救助类别",
    "未保障维度",
    "原因",
];

struct FailingRow {
    household: i64,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "guarantees.html")]
struct GuaranteesPage {
    chrome: Chrome,
    /// When the figures were computed, in China's time.
    built: String,
    townships: Vec<Opt>,
    blocks: Vec<Block>,
    failing_total: usize,
    rows: Vec<FailingRow>,
    page: usize,
    pages: usize,
    keep: String,
    export_href: String,
}

/// The 两不愁三保障 page.
pub(crate) async fn guarantees(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let q = query(&pairs)?;
    let g = state
        .app
        .guarantees(&session.actor, q.township.as_ref())
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let keep = format!("?township={}", url_encode(&q.township_text));
    let mut block = guarantee_block(&g, &divisions);
    block.export_href = format!("/dashboard/guarantees.xlsx{keep}&table=townships");
    let total = g.failing.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = q.page.min(pages);
    // Only this page's households are formatted (a county has tens of thousands).
    let first = ((page - 1) * PER_PAGE).min(total);
    let shown = &g.failing[first..(first + PER_PAGE).min(total)];
    let rows = failing_rows(shown, &divisions)
        .into_iter()
        .zip(shown)
        .map(|(cells, f)| FailingRow {
            household: f.household.0,
            cells,
        })
        .collect();
    ok(&GuaranteesPage {
        chrome: Chrome::new(&session, "两不愁三保障", "guarantees")
            .crumb("工作看板", "/dashboard")
            .here(),
        built: crate::view::china_time(g.built_at),
        townships: township_options(&divisions, &session, q.township.as_ref()),
        blocks: vec![block],
        failing_total: total,
        rows,
        page,
        pages,
        export_href: format!("/dashboard/guarantees.xlsx{keep}&table=households"),
        keep,
    })
}

/// 两不愁三保障 as Excel: `table=townships` (counts) or `households` (every failing one).
pub(crate) async fn guarantees_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let q = query(&pairs)?;
    let table = pairs
        .iter()
        .rev()
        .find(|(n, _)| n == "table")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let g = state
        .app
        .guarantees(&session.actor, q.township.as_ref())
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let block = match table.as_str() {
        "townships" => guarantee_block(&g, &divisions),
        "households" => Block::new(
            "failing",
            "未保障家庭",
            &FAILING_HEADERS,
            failing_rows(&g.failing, &divisions),
        ),
        _ => {
            return Err(AppError::from(doudi_app::Error::invalid(
                "table",
                "请选择要导出的表格：乡镇汇总或未保障家庭",
            )));
        }
    };
    let filter = format!("：{}", block.title);
    block_xlsx(&state, &session, "两不愁三保障", filter, block).await
}

// ---- classified ledgers (4.2.a) ----

struct LedgerLink {
    href: String,
    title: &'static str,
    headers: String,
}

#[derive(Template)]
#[template(path = "ledgers.html")]
struct LedgersPage {
    chrome: Chrome,
    ledgers: Vec<LedgerLink>,
}

/// The ledgers page: one download per ledger.
pub(crate) async fn ledgers(CurrentUser(session): CurrentUser) -> Result<Response, AppError> {
    if !doudi_store::dashboard::may_read_dashboard(&session.actor) {
        return Err(AppError::Forbidden);
    }
    ok(&LedgersPage {
        chrome: Chrome::new(&session, "分类台账", "ledgers").here(),
        ledgers: LedgerKind::ALL
            .iter()
            .map(|k| LedgerLink {
                href: format!("/ledgers/{}", k.code()),
                title: k.title(),
                headers: k.headers().join("、"),
            })
            .collect(),
    })
}

/// One ledger as XLSX, recorded once (counts only) by the use case.
pub(crate) async fn ledger(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let kind = LedgerKind::parse(code.trim_end_matches(".xlsx")).ok_or(AppError::NotFound)?;
    let ledger = state.app.ledger(&session.actor, kind).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    // The division columns: township then community, first or after the class.
    let at = match kind {
        LedgerKind::Causes | LedgerKind::Needs => 1,
        _ => 0,
    };
    let rows = ledger
        .rows
        .into_iter()
        .map(|mut row| {
            if let Some(t) = row.get_mut(at) {
                *t = township_name(&divisions, t);
            }
            if kind != LedgerKind::Townships
                && let Some(c) = row.get_mut(at + 1)
            {
                *c = township_name(&divisions, c);
            }
            super::export::text(row)
        })
        .collect();
    let table = doudi_exchange::Table {
        headers: kind.headers().iter().map(|h| (*h).to_owned()).collect(),
        rows,
    };
    let bytes = doudi_exchange::to_xlsx(&table, false)
        .map_err(|e| AppError::Internal(format!("writing the ledger: {e}")))?;
    Ok(super::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}-{}.xlsx", kind.title(), state.today().format("%Y%m%d")),
    ))
}
