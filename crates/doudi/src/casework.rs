//! Casework from the command line: the rural poverty registry (4.2.c), the monthly payment run
//! with the bank's files, restating entitlements after a parameter change, and the payment
//! benchmark.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use doudi_core::casework::ReviewClass;
use doudi_core::{Actor, Category, HouseholdId, IdNumber, Month};
use doudi_exchange::write::OutCell;
use doudi_exchange::{Table, to_csv, to_xlsx};
use doudi_store::casework::{ImportedEntitlement, Settlement};

use crate::DbArgs;

/// `doudi rural …`: the rural poverty registry.
#[derive(Subcommand)]
pub enum RuralCommand {
    /// Replace the rural poverty registry (建档立卡/农村低保名单) by a CSV file whose header has a
    /// column named 身份证号码 (or 身份证号); only a hash of each number is stored.
    Import {
        /// The CSV file (UTF-8).
        file: PathBuf,
        /// Where the list comes from, shown with each exclusion (e.g. "2026年农村建档立卡名单").
        #[arg(long, default_value = "农村建档立卡贫困人口名单")]
        source: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `doudi pay …`: the monthly payment run.
#[derive(Args)]
pub struct PayArgs {
    /// The month to pay, e.g. 2026-12.
    #[arg(long)]
    month: String,
    /// Also write the bank file: a .xlsx or .csv path. The file appears only when complete
    /// (written beside it, then renamed); its last row is 合计 with the number of lines (N笔)
    /// and their total in yuan, for the bank to check.
    #[arg(long)]
    export: Option<PathBuf>,
    /// Instead of paying, read the bank's results: a CSV with the columns 名册编号, 结果
    /// (成功/失败) and 失败原因.
    #[arg(long, conflicts_with = "export")]
    results: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

/// `doudi entitlements …`.
#[derive(Subcommand)]
pub enum EntitlementsCommand {
    /// After a parameter change: close every open entitlement whose amount changes at the month
    /// before MONTH and open a new period from MONTH with the new amount; earlier periods are
    /// never rewritten.
    Restate {
        /// The first month of the new amounts.
        #[arg(long)]
        from: String,
        /// Policy parameter file (default: the built-in Yunyang set).
        #[arg(long, env = "DOUDI_PARAMS")]
        params: Option<PathBuf>,
        /// Why (the document that changed the standard).
        #[arg(long, default_value = "标准调整")]
        reason: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn month(s: &str) -> Result<Month> {
    Month::parse(s).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Today in China by the process's clock ([`crate::clock`]: `DOUDI_TODAY` moves it, so that a
/// test can pay a month that has not come yet on the real calendar).
fn today() -> NaiveDate {
    crate::clock(None).today()
}

/// The identity numbers of a rural registry file; a bad line is named with its number.
pub fn read_rural(path: &Path) -> Result<Vec<IdNumber>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("reading {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let Some(column) = headers.iter().position(|h| {
        h.trim()
            .trim_start_matches('\u{feff}')
            .starts_with("身份证")
    }) else {
        bail!(
            "{}: the header has no column named 身份证号码",
            path.display()
        );
    };
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{}: line {}", path.display(), i + 2))?;
        let cell = row.get(column).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        match IdNumber::parse(cell, today()) {
            Ok(id) => ids.push(id),
            // The message names the line, never the number.
            Err(e) => errors.push(format!("  line {}: {e}", i + 2)),
        }
    }
    if !errors.is_empty() {
        bail!(
            "{}: {} bad identity number(s), nothing imported:\n{}",
            path.display(),
            errors.len(),
            errors.join("\n")
        );
    }
    Ok(ids)
}

/// Runs `doudi rural`.
pub async fn rural(command: RuralCommand) -> Result<()> {
    match command {
        RuralCommand::Import { file, source, db } => {
            let ids = read_rural(&file)?;
            let store = crate::open(&db.db).await?;

            let n = store
                .import_rural_registry(&Actor::system("doudi rural import"), &ids, &source)
                .await?;
            outln!("rural registry: {n} people (replacing the previous list)");
            Ok(())
        }
    }
}

/// What the bank file's last row starts with: the count and the total of the lines above it,
/// which the bank checks against what it received (and which reading results skips).
const TRAILER: &str = "合计";

/// The bank file of a month's payment lines, ended by a [`TRAILER`] row: `合计`, the number of
/// lines (`N笔`) under 户编号, and their total under 金额（元）.
fn bank_table(lines: &[doudi_store::casework::PaymentLine]) -> Result<Table> {
    let total = lines
        .iter()
        .try_fold(0_i64, |sum, l| sum.checked_add(l.amount_fen))
        .context("the month's payment lines add up to more than an i64 of fen")?;
    let mut table = Table {
        headers: [
            "名册编号",
            "户编号",
            "收款人",
            "银行账号",
            "项目",
            "金额（元）",
            "状态",
        ]
        .map(String::from)
        .to_vec(),
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    OutCell::Text(l.id.to_string()),
                    OutCell::Text(l.household_number.clone()),
                    OutCell::Text(l.payee.clone()),
                    OutCell::Text(l.bank_account.clone()),
                    OutCell::Text(l.program.label().to_owned()),
                    OutCell::Money(doudi_core::Money::from_fen(l.amount_fen)),
                    OutCell::Text(l.status.label().to_owned()),
                ]
            })
            .collect(),
    };
    table.rows.push(vec![
        OutCell::Text(TRAILER.to_owned()),
        OutCell::Text(format!("{}笔", lines.len())),
        OutCell::Text(String::new()),
        OutCell::Text(String::new()),
        OutCell::Text(String::new()),
        OutCell::Money(doudi_core::Money::from_fen(total)),
        OutCell::Text(String::new()),
    ]);
    Ok(table)
}

/// The bank's results: 名册编号, 结果 (成功/失败), 失败原因.
fn read_results(path: &Path) -> Result<Vec<Settlement>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("reading {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
            .with_context(|| format!("{}: the header has no column {name}", path.display()))
    };
    let (id, result, reason) = (find("名册编号")?, find("结果")?, find("失败原因").ok());
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.with_context(|| format!("{}: line {line}", path.display()))?;
        // The bank may send the export back with its results: its trailer is not a line.
        if row.get(id).map(str::trim) == Some(TRAILER) {
            continue;
        }
        let payment: i64 = row.get(id).unwrap_or("").trim().parse().with_context(|| {
            format!("{}: line {line}: 名册编号 is not a number", path.display())
        })?;
        let failure = match row.get(result).unwrap_or("").trim() {
            "成功" | "paid" => None,
            "失败" | "failed" => Some(
                reason
                    .and_then(|c| row.get(c))
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .unwrap_or("银行未说明原因")
                    .to_owned(),
            ),
            other => bail!(
                "{}: line {line}: 结果 must be 成功 or 失败, found {other:?}",
                path.display()
            ),
        };
        // PostgreSQL's text cannot hold a NUL: say where it is instead of failing the batch.
        if failure.as_deref().is_some_and(|r| {
            r.chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        }) {
            bail!(
                "{}: line {line}: 失败原因 contains a control character (such as NUL)",
                path.display()
            );
        }
        out.push(Settlement { payment, failure });
    }
    Ok(out)
}

/// Runs `doudi pay`.
pub async fn pay(args: PayArgs) -> Result<()> {
    let m = month(&args.month)?;
    let store = crate::open(&args.db.db).await?;
    let system = Actor::system("doudi pay");
    if let Some(results) = &args.results {
        let settlements = read_results(results)?;
        let n = store.settle_payments(&system, m, &settlements).await?;
        outln!(
            "{m}: {n} of {} lines settled (lines already settled keep their result)",
            settlements.len()
        );
        return Ok(());
    }
    let started = Instant::now();
    let run = store.run_payments(&system, m, today()).await?;
    outln!(
        "{m}: {} new payment lines ({} yuan), {} already there; {:.2?}",
        run.created,
        doudi_core::Money::from_fen(run.created_fen).to_yuan_string(),
        run.existing,
        started.elapsed()
    );
    if let Some(file) = &args.export {
        let lines = store.payments(&system, m).await?;
        let table = bank_table(&lines)?;
        let bytes = match file.extension().and_then(|e| e.to_str()) {
            Some("xlsx") => to_xlsx(&table, false).context("writing the XLSX")?,
            Some("csv") => to_csv(&table),
            _ => bail!("{}: the bank file must be .xlsx or .csv", file.display()),
        };
        // Whole or absent: a kill mid-way must not leave a valid-looking partial file.
        crate::atomic::write(file, &bytes)?;
        store
            .record_audit(
                &system,
                doudi_store::AuditAction::Export,
                &format!("payments:{m}"),
                &format!("导出银行发放文件{}笔", lines.len()),
            )
            .await?;
        outln!("{}: {} lines", file.display(), lines.len());
    }
    Ok(())
}

/// Runs `doudi entitlements`.
pub async fn entitlements(command: EntitlementsCommand) -> Result<()> {
    match command {
        EntitlementsCommand::Restate {
            from,
            params,
            reason,
            db,
        } => {
            let from = month(&from)?;
            let params = crate::eval::load_params(params.as_deref())?;
            let store = crate::open(&db.db).await?;
            let app =
                doudi_app::App::new(store, Some(std::sync::Arc::new(params)), crate::clock(None));
            let changes = app
                .restate(&Actor::system("doudi entitlements restate"), from, &reason)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            outln!(
                "{from}: {} entitlements restated (old periods end {}, new ones start {from})",
                changes.len(),
                from.minus(1)
            );
            Ok(())
        }
    }
}

/// Options of `doudi bench payments`.
#[derive(Args)]
pub struct PaymentBenchArgs {
    /// Active entitlements (each a household of the synthetic county).
    #[arg(long, default_value_t = 1_000_000)]
    entitlements: usize,
    /// Database to fill; it must be empty. Default: a fresh SQLite file in a temporary folder.
    #[arg(long)]
    db: Option<String>,
}

/// `doudi bench payments`: files a synthetic county, gives every household an entitlement, and
/// times the month's payment run, a second run of the same month, and reading the bank file.
pub async fn bench_payments(args: PaymentBenchArgs) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("doudi-bench-pay-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = args
        .db
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("pay.db").display()));
    let result = bench_in(&url, args.entitlements).await;
    if args.db.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn bench_in(url: &str, n: usize) -> Result<()> {
    let store = crate::open(url).await?;
    let system = Actor::system("bench");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date");
    let mut generator = crate::demo::Generator::new(2019, as_of);
    for c in generator.communities().to_vec() {
        store.put_community(&system, &c).await?;
    }
    let started = Instant::now();
    let mut left = n;
    while left > 0 {
        let batch: Vec<_> = (0..left.min(100_000))
            .map(|_| generator.household())
            .collect();
        left -= batch.len();
        store.import_households(&system, &batch).await?;
    }
    let filed = started.elapsed();
    let started = Instant::now();
    let from = Month::new(2026, 1).expect("valid month");
    let review = NaiveDate::from_ymd_opt(2027, 1, 1).expect("valid date");
    let entries: Vec<ImportedEntitlement> = (1..=n as i64)
        .map(|id| ImportedEntitlement {
            household: HouseholdId(id),
            program: Category::Dibao,
            monthly_fen: 30_000 + id % 40_000,
            from,
            review_class: ReviewClass::Stable,
            next_review: review,
            reference: "bench".into(),
        })
        .collect();
    for chunk in entries.chunks(100_000) {
        store.import_entitlements(&system, chunk).await?;
    }
    outln!(
        "setup         {n} households filed in {filed:.1?}, {n} entitlements loaded in {:.1?} (not timed below)",
        started.elapsed()
    );
    let m = Month::new(2026, 12).expect("valid month");
    let started = Instant::now();
    let run = store.run_payments(&system, m, today()).await?;
    let first = started.elapsed();
    outln!(
        "payment run   {m}: {} lines, {} yuan in {first:.2?}",
        run.created,
        doudi_core::Money::from_fen(run.created_fen).to_yuan_string()
    );
    let started = Instant::now();
    let again = store.run_payments(&system, m, today()).await?;
    outln!(
        "second run    {m}: {} new lines ({} already there) in {:.2?}",
        again.created,
        again.existing,
        started.elapsed()
    );
    let started = Instant::now();
    let lines = store.payments(&system, m).await?;
    let read = started.elapsed();
    let started = Instant::now();
    let csv = to_csv(&bank_table(&lines)?);
    outln!(
        "bank file     {} lines read in {read:.2?}, written as CSV ({} MiB) in {:.2?}",
        lines.len(),
        csv.len() / (1 << 20),
        started.elapsed()
    );
    if run.created as usize != n || again.created != 0 {
        bail!(
            "the payment run made {} lines for {n} entitlements",
            run.created
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bank_result_with_a_nul_in_its_reason_is_refused_by_line() {
        let path = std::env::temp_dir().join(format!("doudi-results-{}.csv", std::process::id()));
        std::fs::write(
            &path,
            "名册编号,结果,失败原因\n1,成功,\n2,失败,账户\0已销户\n",
        )
        .unwrap();
        let error = read_results(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).ok();
        assert!(
            error.contains("line 3") && error.contains("control character"),
            "{error}"
        );
    }
}
