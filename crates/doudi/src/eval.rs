//! `doudi eval`, `doudi simulate` and `doudi params`: the policy engine from the command line.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use doudi_core::{Actor, Money, Month};
use doudi_policy::Resolved;
use doudi_policy::batch;
use doudi_policy::params::Parameters;
use doudi_policy::snapshot::Snapshot;

/// Where the households come from.
#[derive(Args)]
pub struct Source {
    /// Database URL (the registry), used unless --input is given.
    #[arg(long, env = "DOUDI_DB", default_value = "sqlite://doudi.db")]
    db: String,
    /// A JSON-lines file of households instead of the registry (schema:
    /// crates/doudi-policy/schema/household.schema.json, also served at /api/schemas/household.json).
    #[arg(long)]
    input: Option<PathBuf>,
    /// A parameter file instead of the built-in Yunyang set.
    #[arg(long)]
    params: Option<PathBuf>,
    /// Threads to evaluate on (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
}

/// Which rule `doudi eval` applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Rule {
    /// Each household's monthly benefit under its category: dibao (2.1.a) or tekun (2.2.a).
    Monthly,
    /// The expenditure-type dibao test (2.1.b), as if each household applied in --month.
    Expenditure,
    /// Education aid (2.5) for every student, for the term containing --month.
    Education,
    /// Inpatient stays (2.4), one per line of --input (see `jsonl::parse_stay`).
    Medical,
    /// Temporary-assistance applications (2.8), one per line of --input.
    Temporary,
}

/// Options of `doudi eval`.
#[derive(Args)]
pub struct EvalArgs {
    #[command(flatten)]
    source: Source,
    /// The rule to apply.
    #[arg(long, value_enum, default_value = "monthly")]
    rule: Rule,
    /// The month to evaluate, e.g. 2026-11 (for medical and temporary, each event's own date
    /// decides).
    #[arg(long)]
    month: String,
    /// Where to write the decisions as JSON lines (default: standard output).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Include each decision's explanation tree.
    #[arg(long)]
    explain: bool,
}

/// Options of `doudi simulate`.
#[derive(Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    source: Source,
    /// The month to compare, e.g. 2027-01.
    #[arg(long)]
    month: String,
    /// A proposed change, KEY=VALUE (e.g. dibao.standard=780); may be repeated.
    #[arg(long = "set", required = true)]
    changes: Vec<String>,
    /// The date the proposed values take effect (default: the first day of --month).
    #[arg(long)]
    from: Option<NaiveDate>,
}

/// `doudi params …`.
#[derive(Subcommand)]
pub enum ParamsCommand {
    /// Check a parameter file; every problem is printed with its line.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
    /// Print the built-in Yunyang parameter file (a starting point for the county's own).
    Show,
    /// Print the values in force in a month, with their dates, sources and status.
    At {
        /// The month, e.g. 2026-11.
        month: String,
        /// A parameter file instead of the built-in set.
        #[arg(long)]
        params: Option<PathBuf>,
    },
}

fn parse_month(s: &str) -> Result<Month> {
    Month::parse(s).map_err(|e| anyhow::anyhow!("--month: {e}"))
}

pub fn load_params(path: Option<&Path>) -> Result<Parameters> {
    match path {
        None => Ok(Parameters::yunyang()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Parameters::parse(&text).map_err(|errors| {
                let lines: Vec<String> = errors
                    .iter()
                    .map(|e| format!("  {}: {e}", p.display()))
                    .collect();
                anyhow::anyhow!(
                    "the parameter file has {} problem(s):\n{}",
                    errors.len(),
                    lines.join("\n")
                )
            })
        }
    }
}

/// The months whose figures the dibao rules of `r` read: the longer income window (2.1.a or
/// 2.1.b) before the month.
fn income_window(r: &Resolved) -> (Month, Month) {
    r.income_window()
}

/// The households to evaluate, from a JSON-lines file or the registry; from the registry with
/// the figures of the months from `window.0` up to, not including, `window.1`.
async fn load_households(source: &Source, window: (Month, Month)) -> Result<Vec<Snapshot>> {
    let started = Instant::now();
    let households = match &source.input {
        Some(path) => {
            let file =
                std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
            let mut out = Vec::new();
            for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = line.with_context(|| format!("reading {}", path.display()))?;
                if line.trim().is_empty() {
                    continue;
                }
                out.push(
                    doudi_policy::jsonl::parse_line(&line)
                        .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), i + 1))?,
                );
            }
            out
        }
        None => {
            let store = crate::open(&source.db).await?;
            let actor = Actor::system("命令行测算");
            store
                .snapshots(&actor, window.0, window.1)
                .await
                .context("reading the registry")?
        }
    };
    errln!(
        "read {} households in {:.2?}",
        households.len(),
        started.elapsed()
    );
    Ok(households)
}

fn threads(source: &Source) -> usize {
    source
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Where decisions go: standard output, or a file that appears only once every decision is in
/// it (a run killed half-way leaves no file that looks whole).
enum Output {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    File(crate::atomic::Streaming),
}

impl Output {
    /// Ends the output: flushes standard output, or puts the file in place.
    fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => Ok(out.flush()?),
            Output::File(file) => file.commit(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File(file) => file.flush(),
        }
    }
}

fn output(path: Option<&Path>) -> Result<Output> {
    Ok(match path {
        Some(p) => Output::File(crate::atomic::Streaming::create(p)?),
        None => Output::Stdout(BufWriter::new(std::io::stdout().lock())),
    })
}

/// Reads the non-empty lines of a JSON-lines file with their 1-based numbers.
fn event_lines(source: &Source, rule: &str) -> Result<Vec<(usize, String)>> {
    let Some(path) = &source.input else {
        bail!("--rule {rule} reads its events from --input FILE.jsonl");
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect())
}

/// The rules that are not the monthly benefit: one JSON object per household or event.
async fn eval_other(args: &EvalArgs, month: Month, params: &Parameters) -> Result<()> {
    use doudi_policy::{dibao, education, medical, temporary};
    let mut out = output(args.output.as_deref())?;
    let mut write = |value: serde_json::Value| -> Result<()> {
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
        Ok(())
    };
    let explain = |e: &doudi_policy::explain::Explanation| {
        if args.explain {
            serde_json::to_value(e).unwrap_or_default()
        } else {
            serde_json::Value::Null
        }
    };
    let path = args
        .source
        .input
        .as_ref()
        .map_or(String::new(), |p| p.display().to_string());
    let mut count = 0;
    match args.rule {
        Rule::Monthly => unreachable!("handled by eval"),
        Rule::Expenditure => {
            let r = Resolved::new(params, month).map_err(|e| anyhow::anyhow!("{e}"))?;
            for h in load_households(&args.source, income_window(&r)).await? {
                let (d, e) = dibao::explain(&h, &r, true);
                let missing: Vec<String> = dibao::months_without_income(&h, &r, true)
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                write(serde_json::json!({
                    "id": h.id, "township": h.township, "rule": "2.1.b", "eligible": d.eligible,
                    "months_without_income": missing,
                    "refusal": d.refusal.map(dibao::Refusal::label), "counted_income_fen": d.counted_income.fen(),
                    "base_fen": d.base.fen(), "extras_fen": d.extras.fen(), "total_fen": d.total.fen(),
                    "illustrative": e.uses_illustrative(), "explanation": explain(&e),
                }))?;
                count += 1;
            }
        }
        Rule::Education => {
            let term = education::Term::of(month);
            let r = term.resolve(params).map_err(|e| anyhow::anyhow!("{e}"))?;
            for h in load_households(&args.source, (month, month)).await? {
                let (students, e) = education::explain_students(&h, term, &r);
                if students.is_empty() {
                    continue;
                }
                let list: Vec<serde_json::Value> = students
                    .iter()
                    .map(|s| serde_json::json!({
                        "member": s.member, "stage": s.decision.stage.code(),
                        "items": s.decision.items.iter().map(|i| serde_json::json!({"kind": i.kind.code(), "label": i.kind.label(), "amount_fen": i.amount.fen()})).collect::<Vec<_>>(),
                        "total_fen": s.decision.total.fen(),
                        "loan_ceiling_fen": s.decision.loan_ceiling.map(Money::fen),
                    }))
                    .collect();
                write(serde_json::json!({
                    "id": h.id, "township": h.township, "rule": "2.5", "term": term.to_string(), "students": list,
                    "total_fen": students.iter().fold(0i64, |a, s| a.saturating_add(s.decision.total.fen())),
                    "illustrative": e.uses_illustrative(), "explanation": explain(&e),
                }))?;
                count += 1;
            }
        }
        Rule::Medical => {
            for (n, line) in event_lines(&args.source, "medical")? {
                let (id, stay, used) = doudi_policy::jsonl::parse_stay(&line)
                    .map_err(|e| anyhow::anyhow!("{path}:{n}: {e}"))?;
                let r = Resolved::new(params, stay.month())
                    .map_err(|e| anyhow::anyhow!("{path}:{n}: {e}"))?;
                let (d, e) = medical::explain(&stay, &used, &r);
                write(serde_json::json!({
                    "id": id, "rule": "2.4", "basic_fen": d.basic.fen(), "critical_fen": d.critical.fen(),
                    "assistance_fen": d.assistance.fen(), "self_pay_fen": d.self_pay.fen(),
                    "out_of_catalogue_fen": d.out_of_catalogue.fen(), "out_of_catalogue_over_limit": d.out_over_limit,
                    "illustrative": e.uses_illustrative(), "explanation": explain(&e),
                }))?;
                count += 1;
            }
        }
        Rule::Temporary => {
            for (n, line) in event_lines(&args.source, "temporary")? {
                let (id, applied, a) = doudi_policy::jsonl::parse_application(&line)
                    .map_err(|e| anyhow::anyhow!("{path}:{n}: {e}"))?;
                let r = Resolved::new(params, applied)
                    .map_err(|e| anyhow::anyhow!("{path}:{n}: {e}"))?;
                let (d, e) = temporary::explain(&a, &r);
                write(serde_json::json!({
                    "id": id, "rule": a.kind.clause(), "granted": d.granted, "refusal": d.refusal.map(temporary::Refusal::label),
                    "amount_fen": d.amount.fen(), "case_by_case": d.case_by_case,
                    "illustrative": e.uses_illustrative(), "explanation": explain(&e),
                }))?;
                count += 1;
            }
        }
    }
    out.finish()?;
    errln!("{count} decisions written");
    Ok(())
}

/// `doudi eval`.
pub async fn eval(args: EvalArgs) -> Result<()> {
    let month = parse_month(&args.month)?;
    let params = load_params(args.source.params.as_deref())?;
    if args.rule != Rule::Monthly {
        return eval_other(&args, month, &params).await;
    }
    let resolved = Resolved::new(&params, month).map_err(|e| anyhow::anyhow!("{e}"))?;
    let households = load_households(&args.source, income_window(&resolved)).await?;
    let started = Instant::now();
    let mut out = output(args.output.as_deref())?;
    let (mut count, mut eligible, mut total, mut illustrative) = (0usize, 0usize, 0i64, false);
    let mut without_income = 0usize;
    // In chunks, so that a million explanation trees never sit in memory at once.
    for chunk in households.chunks(50_000) {
        let outcomes = batch::evaluate_all(chunk, &resolved, args.explain, threads(&args.source));
        for o in &outcomes {
            serde_json::to_writer(&mut out, o)?;
            out.write_all(b"\n")?;
            count += 1;
            eligible += usize::from(o.eligible);
            total = total.saturating_add(o.total_fen);
            illustrative |= o.illustrative;
            without_income += usize::from(!o.months_without_income.is_empty());
        }
    }
    let evaluated = started.elapsed();
    out.finish()?;
    errln!(
        "{month}: {count} households evaluated and written in {evaluated:.2?}; {eligible} eligible; monthly total {}{}",
        Money::from_fen(total),
        if illustrative {
            " (uses illustrative parameter values)"
        } else {
            ""
        }
    );
    if without_income > 0 {
        // Said aloud: a month without a record counts as no income, which raises the payment.
        errln!(
            "{without_income} household(s) have months without an income record in the window, counted as no income (listed in months_without_income)"
        );
    }
    Ok(())
}

/// `doudi simulate`.
pub async fn simulate(args: SimulateArgs) -> Result<()> {
    let month = parse_month(&args.month)?;
    let params = load_params(args.source.params.as_deref())?;
    let from = args.from.unwrap_or_else(|| month.first_day());
    let mut proposed = params.clone();
    for change in &args.changes {
        let Some((key, value)) = change.split_once('=') else {
            bail!("--set {change}: expected KEY=VALUE, e.g. dibao.standard=780");
        };
        proposed = proposed
            .with_change(key.trim(), from, value.trim(), "拟调整（测算）")
            .map_err(|e| anyhow::anyhow!("--set {change}: {e}"))?;
    }
    let now = Resolved::new(&params, month).map_err(|e| anyhow::anyhow!("{e}"))?;
    let next = Resolved::new(&proposed, month).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (now_from, _) = income_window(&now);
    let (next_from, _) = income_window(&next);
    let households = load_households(&args.source, (now_from.min(next_from), month)).await?;
    let started = Instant::now();
    let (by_township, total) = batch::simulate(&households, &now, &next, threads(&args.source));
    errln!(
        "simulated {} households in {:.2?}",
        households.len(),
        started.elapsed()
    );
    let names: std::collections::HashMap<String, String> = doudi_core::TownshipTable::yunyang()
        .townships
        .into_iter()
        .map(|t| (t.code.to_string(), t.name))
        .collect();
    outln!("{month} 测算：{}（自 {from} 起）", args.changes.join("，"));
    outln!(
        "{:<14}{:>8}{:>8}{:>8}{:>8}{:>8}{:>16}{:>16}{:>14}",
        "乡镇（街道）",
        "户数",
        "增加",
        "减少",
        "新纳入",
        "退出",
        "现月支出",
        "调整后",
        "变化"
    );
    let row = |name: &str, m: &batch::Movement| {
        outln!(
            "{:<14}{:>8}{:>8}{:>8}{:>8}{:>8}{:>16}{:>16}{:>14}",
            name,
            m.households,
            m.gain,
            m.lose,
            m.newly_eligible,
            m.no_longer_eligible,
            Money::from_fen(m.before_fen).to_string(),
            Money::from_fen(m.after_fen).to_string(),
            Money::from_fen(m.change_fen()).to_string()
        );
    };
    for (code, m) in &by_township {
        row(names.get(code).map_or(code.as_str(), String::as_str), m);
    }
    row("合计", &total);
    Ok(())
}

/// `doudi params …`.
pub fn params(command: ParamsCommand) -> Result<()> {
    match command {
        ParamsCommand::Check { file } => {
            load_params(Some(&file))?;
            outln!(
                "{}: OK ({} parameters)",
                file.display(),
                doudi_policy::DEFS.len()
            );
            Ok(())
        }
        ParamsCommand::Show => {
            out!("{}", include_str!("../../doudi-policy/data/yunyang.toml"));
            Ok(())
        }
        ParamsCommand::At { month, params } => {
            let month = parse_month(&month)?;
            let params = load_params(params.as_deref())?;
            let r = Resolved::new(&params, month).map_err(|e| anyhow::anyhow!("{e}"))?;
            let citations = r.citations();
            for (def, c) in doudi_policy::DEFS.iter().zip(citations.iter()) {
                outln!(
                    "{:<36} {:<14} {} 起  {}{}  [{}]",
                    def.key,
                    c.value,
                    c.from,
                    if c.illustrative { "⚠示例值 " } else { "" },
                    c.source,
                    def.label
                );
            }
            Ok(())
        }
    }
}
