//! Casework from the command line: the rural poverty registry (4.2.c), the monthly payment run
//! with the bank's files, restating entitlements after a parameter change, and the payment
//! benchmark. Each command parses its arguments, reads its file, calls the use case in
//! `doudi_app` (payments and the registry in `doudi_app::payments`, the files' layouts in
//! `doudi_exchange`) and prints what came of it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use doudi_app::App;
use doudi_app::payments::bank_table;
use doudi_core::casework::ReviewClass;
use doudi_core::{Actor, Category, HouseholdId, Month};
use doudi_exchange::{to_csv, to_xlsx};
use doudi_store::casework::ImportedEntitlement;

use crate::DbArgs;

/// `doudi rural …`: the rural poverty registry.
#[derive(Subcommand)]
pub enum RuralCommand {
    /// Replace the rural poverty registry (建档立卡/农村低保名单) by a CSV or XLSX file whose
    /// header has a column named 身份证号码 (or 身份证号); only a hash of each number is stored.
    /// One bad number and nothing is replaced; every bad row is named.
    Import {
        /// The .csv (UTF-8 or GB18030) or .xlsx file.
        file: PathBuf,
        /// Where the list comes from, shown with each exclusion (e.g. "2026年农村建档立卡名单").
        #[arg(long, default_value = "农村建档立卡贫困人口名单")]
        source: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `doudi feed`: a department's file, as a scheduled exchange drops it.
#[derive(Args)]
pub struct FeedArgs {
    /// What the file holds: death, vehicle, real_estate, business, pension, wages, hospital,
    /// school or disability.
    #[arg(long)]
    kind: String,
    /// The .csv (UTF-8 or GB18030) or .xlsx file, its columns named as the kind's mapping says.
    file: PathBuf,
    #[command(flatten)]
    db: DbArgs,
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
    /// Instead of paying, read the bank's results: a .csv or .xlsx with the columns 名册编号,
    /// 结果 (成功/失败) and 失败原因. One bad row and nothing is recorded; every bad row is named.
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

/// The application over the database at `url`, with the process's clock.
async fn app(url: &str) -> Result<App> {
    Ok(App::new(crate::open(url).await?, None, crate::clock(None)))
}

/// A use case's error for the terminal: a refused file lists each bad row on its own line.
fn failed(path: &Path, e: doudi_app::Error) -> anyhow::Error {
    match e {
        doudi_app::Error::Fields(rows) => anyhow::anyhow!(
            "{}：{}行有误，整个文件未导入：\n{}",
            path.display(),
            rows.len(),
            rows.iter()
                .map(|(_, m)| format!("  {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        doudi_app::Error::Invalid { message, .. } => {
            anyhow::anyhow!("{}：{message}", path.display())
        }
        e => anyhow::anyhow!("{}：{e}", path.display()),
    }
}

/// The file's name (for its CSV or XLSX ending) and content.
fn read_input(path: &Path) -> Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok((path.display().to_string(), bytes))
}

/// Runs `doudi rural`.
pub async fn rural(command: RuralCommand) -> Result<()> {
    match command {
        RuralCommand::Import { file, source, db } => {
            let (name, bytes) = read_input(&file)?;
            let app = app(&db.db).await?;
            let registry = app
                .read_rural_registry(&name, &bytes)
                .map_err(|e| failed(&file, e))?;
            let n = app
                .replace_rural_registry(
                    &Actor::system("doudi rural import"),
                    &source,
                    &registry.ids,
                )
                .await
                .map_err(|e| failed(&file, e))?;
            let repeats = match registry.duplicates {
                0 => String::new(),
                d => format!("; {d} repeated rows counted once"),
            };
            outln!("rural registry: {n} people (replacing the previous list){repeats}");
            Ok(())
        }
    }
}

/// Runs `doudi feed`: the records matched and kept with their alerts in one transaction, then
/// the certain deaths recorded, each in its own; the same file again keeps nothing twice and
/// records the deaths a killed run left.
pub async fn feed(args: FeedArgs) -> Result<()> {
    let kind = doudi_core::discovery::FeedKind::parse(&args.kind).map_err(|_| {
        anyhow::anyhow!(
            "--kind {}: not a kind of department data (one of: {})",
            args.kind,
            doudi_core::discovery::FeedKind::ALL
                .iter()
                .map(|k| k.code())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let (name, bytes) = read_input(&args.file)?;
    let app = app(&args.db.db).await?;
    let report = app
        .import_feed_file(&Actor::system("doudi feed"), kind, &name, &bytes)
        .await
        .map_err(|e| failed(&args.file, e))?;
    let i = &report.import;
    if report.already {
        outln!(
            "{}: imported before (import {}); nothing kept twice",
            kind.label(),
            i.id
        );
    } else {
        outln!(
            "{}: {} records, {} matched, {} unmatched, {} alerts (import {})",
            kind.label(),
            i.records,
            i.linked,
            i.unmatched,
            i.alerts,
            i.id
        );
    }
    for d in &report.deaths {
        outln!("death recorded: {d}");
    }
    for d in &report.deaths_left {
        outln!("death left for the caseworker: {d}");
    }
    Ok(())
}

/// Runs `doudi pay`.
pub async fn pay(args: PayArgs) -> Result<()> {
    let m = month(&args.month)?;
    let app = app(&args.db.db).await?;
    let system = Actor::system("doudi pay");
    if let Some(results) = &args.results {
        let (name, bytes) = read_input(results)?;
        let settled = app
            .settle(&system, m, &name, &bytes)
            .await
            .map_err(|e| failed(results, e))?;
        outln!(
            "{m}: {} of {} lines settled (lines already settled keep their result)",
            settled.settled,
            settled.lines
        );
        return Ok(());
    }
    let started = Instant::now();
    let run = app
        .run_payments(&system, m)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    outln!(
        "{m}: {} new payment lines ({} yuan), {} already there; {:.2?}",
        run.created,
        doudi_core::Money::from_fen(run.created_fen).to_yuan_string(),
        run.existing,
        started.elapsed()
    );
    if let Some(file) = &args.export {
        let xlsx = match file.extension().and_then(|e| e.to_str()) {
            Some("xlsx") => true,
            Some("csv") => false,
            _ => bail!("{}: the bank file must be .xlsx or .csv", file.display()),
        };
        let table = app
            .bank_file(&system, m)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // The last row is the 合计 trailer, not a line.
        let lines = table.rows.len().saturating_sub(1);
        let bytes = if xlsx {
            to_xlsx(&table, false).context("writing the XLSX")?
        } else {
            to_csv(&table)
        };
        // Whole or absent: a kill mid-way must not leave a valid-looking partial file.
        crate::atomic::write(file, &bytes)?;
        outln!("{}: {lines} lines", file.display());
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
    let started = Instant::now();
    crate::bench::file_county(store.as_ref(), 2019, crate::bench::Size::Households(n)).await?;
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
    let csv = to_csv(&bank_table(&lines).map_err(|e| anyhow::anyhow!("{e}"))?);
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
