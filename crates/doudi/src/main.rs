//! `doudi`: the one binary. Serves the web application, generates the synthetic county, imports
//! and exports household files, manages communities and users, and measures itself.

/// Prints a line to standard output like `println!`, but a closed pipe (`doudi params at … |
/// head`) ends the program quietly with the status a shell gives a process killed by SIGPIPE
/// (141) instead of panicking; see [`write_stdout`].
macro_rules! outln {
    () => {
        $crate::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` with the same handling of a closed pipe as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!($($arg)*))
    };
}

/// Prints a line to standard error like `eprintln!`, but a standard error that is a closed pipe
/// (`doudi import … 2>&1 | head`) is ignored rather than a panic: these lines are diagnostics,
/// and no one is left to read them.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod accounts;
mod anchor;
mod atomic;
mod audit;
mod backup;
mod bench;
mod casework;
mod demo;
mod eval;
mod files;
mod keys;
mod load;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use doudi_core::{Actor, Division, DivisionCode, DivisionKind, Role, Scope};
use doudi_store::{Keys, NewUser, Store, StoreError};

/// glibc's allocator spent a quarter of an import in malloc and free (measured with perf);
/// mimalloc keeps per-thread heaps and is markedly faster for doudi's many small strings.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// doudi (兜底): the precise-assistance platform for urban people in special hardship.
#[derive(Parser)]
#[command(name = "doudi", version, about, long_about = None)]
struct Cli {
    /// File holding the data key that encrypts identity numbers, phones and bank accounts (64
    /// hexadecimal characters; create one with `doudi keys generate FILE`). Instead of a file,
    /// the key itself may be given in the environment variable DOUDI_KEY (hex or base64).
    #[arg(long, global = true, env = "DOUDI_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Where the audit trail's head is noted outside the database after every command (and
    /// every second while serving), so that `doudi audit verify` finds a trail cut short or
    /// emptied. Default: beside the key file (KEYFILE.audit-anchor); none when the key is
    /// given only in DOUDI_KEY.
    #[arg(long, global = true, env = "DOUDI_AUDIT_ANCHOR")]
    audit_anchor: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web application (Chinese UI, JSON API under /api, OpenAPI at /api/openapi.json).
    Serve(ServeArgs),
    /// Generate a deterministic synthetic county into the database, or into a CSV/XLSX file.
    Demo(DemoArgs),
    /// Import households from a CSV or XLSX file (all or nothing unless --partial).
    Import(ImportArgs),
    /// Export households to a CSV or XLSX file in the import layout.
    Export(ExportArgs),
    /// Write the import template (CSV, or XLSX with a sheet of column notes).
    Template {
        /// Where to write it: a .csv or .xlsx path.
        file: PathBuf,
    },
    /// Manage communities (社区) beneath the townships.
    #[command(subcommand)]
    Community(CommunityCommand),
    /// Manage user accounts: add, list, disable, enable, reset-password, set-role.
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// Pair cadres with households (结对帮扶): add, remove, list.
    #[command(subcommand)]
    Pair(accounts::PairCommand),
    /// Create a data key file, or rotate the database's data key.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Check the audit trail's hash chain, or list its newest entries.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Evaluate every household (registry or JSON lines) for a month, writing decisions as JSON lines.
    Eval(eval::EvalArgs),
    /// What-if: apply a proposed parameter change and report who gains, loses or changes, and the budget.
    Simulate(eval::SimulateArgs),
    /// Check, show or resolve policy parameter files.
    #[command(subcommand)]
    Params(eval::ParamsCommand),
    /// Measure speed on synthetic counties: registry (import, list page), policy (evaluation)
    /// or payments (the monthly payment run).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The rural poverty registry that excludes people already covered (4.2.c).
    #[command(subcommand)]
    Rural(casework::RuralCommand),
    /// The monthly payment run: one line per active entitlement, never twice; the bank file
    /// (--export) and the bank's results (--results).
    Pay(casework::PayArgs),
    /// A department's file (deaths, vehicles, real estate, businesses, pensions, wages, hospital
    /// stays, school rolls, disability cards): matched to the registry, alerts raised, certain
    /// deaths recorded; the same file again keeps nothing twice.
    Feed(casework::FeedArgs),
    /// Take a consistent copy of the whole database while it is in use (SQLite: a database
    /// file; PostgreSQL: a pg_dump archive), with a manifest beside it; the data key is not in it.
    Backup(backup::BackupArgs),
    /// Restore a backup into a new SQLite file or an empty PostgreSQL database, checked table by
    /// table against its manifest before it is used.
    Restore(backup::RestoreArgs),
    /// Entitlement periods: restate them after a parameter change.
    #[command(subcommand)]
    Entitlements(casework::EntitlementsCommand),
}

#[derive(Args)]
pub(crate) struct DbArgs {
    /// Database URL: sqlite://FILE (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, env = "DOUDI_DB", default_value = "sqlite://doudi.db")]
    pub(crate) db: String,
}

#[derive(Args)]
struct ServeArgs {
    /// Database URL; with --demo and no --db, the demo file sqlite://doudi-demo.db.
    #[arg(long, env = "DOUDI_DB")]
    db: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "DOUDI_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Load a synthetic county (if the database is empty) and create the demo logins.
    #[arg(long)]
    demo: bool,
    /// Households in the demo county.
    #[arg(long, default_value_t = 3000)]
    households: usize,
    /// Seed of the demo county.
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// Mark session cookies Secure (set this when serving behind TLS).
    #[arg(long, env = "DOUDI_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Policy parameter file (default: the built-in Yunyang set; see `doudi params show`).
    #[arg(long, env = "DOUDI_PARAMS")]
    params: Option<PathBuf>,
    /// Served behind a reverse proxy: record in the audit trail the client address the proxy
    /// appends to X-Forwarded-For (set this only when every request comes through that proxy).
    #[arg(long, env = "DOUDI_TRUST_PROXY")]
    trust_proxy: bool,
    /// Minutes without a request after which a session ends (pages warn a few minutes before
    /// and keep what was being typed as a draft).
    #[arg(long, env = "DOUDI_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(i64).range(1..=480))]
    idle_minutes: i64,
    /// Pretend today is this date (YYYY-MM-DD) for casework deadlines, notices and decisions:
    /// for drills and end-to-end tests only, never in production.
    #[arg(long, env = "DOUDI_TODAY", hide = true)]
    today: Option<chrono::NaiveDate>,
}

#[derive(Args)]
struct DemoArgs {
    #[command(flatten)]
    db: DbArgs,
    /// How many households.
    #[arg(long, default_value_t = 3000)]
    households: usize,
    /// Seed: the same seed and date give the same county.
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// Reference date (incomes are the six months before it); defaults to the first of this month.
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Write the county to this CSV or XLSX file instead of the database.
    #[arg(long)]
    file: Option<PathBuf>,
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The CSV or XLSX file (layout: `doudi template FILE`).
    file: PathBuf,
    /// Write the good households and put the bad rows, with reasons, in an error file.
    #[arg(long)]
    partial: bool,
    /// Where the error file goes (default: FILE's name with .errors.csv).
    #[arg(long)]
    errors: Option<PathBuf>,
}

#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Where to write: a .csv or .xlsx path.
    file: PathBuf,
    /// Only this township or community (code).
    #[arg(long)]
    division: Option<String>,
    /// Also households that have exited.
    #[arg(long)]
    include_exited: bool,
}

#[derive(Subcommand)]
enum CommunityCommand {
    /// Add a community beneath a township, or rename it.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// 12-digit community code (it starts with the township's 9 digits).
        #[arg(long)]
        code: String,
        /// Name, such as 复兴社区.
        #[arg(long)]
        name: String,
    },
    /// List townships and communities.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// The status of a process whose reader went away (128 + SIGPIPE), as shells report it.
const BROKEN_PIPE_STATUS: u8 = 141;

/// Writes to standard output. When the reader has gone (`| head` has read enough), the program
/// stops here with [`BROKEN_PIPE_STATUS`] and no message: there is no one left to tell, and a
/// panic's "internal error" would be a false alarm. Any other failure to write (a full disk
/// behind a redirection) is reported and the program stops with status 1, since its output
/// is incomplete.
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(i32::from(BROKEN_PIPE_STATUS));
        }
        errln!("doudi: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Whether an error comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match start().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // `doudi eval … | head`: the reader has what it wanted.
        Err(e) if is_broken_pipe(&e) => std::process::ExitCode::from(BROKEN_PIPE_STATUS),
        Err(e) => {
            errln!("Error: {e:?}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Sets up logging and the panic hook, then runs the command line's command.
async fn start() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    std::panic::set_hook(Box::new(panic_without_details));
    let cli = Cli::parse();
    let given = keys::given(cli.key_file.as_deref())?;
    anchor::configure(cli.audit_anchor.clone(), cli.key_file.clone());
    match &cli.command {
        // These find their key themselves: the demo's key file, a fresh key, a new key.
        Command::Serve(ServeArgs { demo: true, .. })
        | Command::Demo(_)
        | Command::Bench(_)
        | Command::Keys(_) => {}
        _ => {
            if let Some(keys) = &given {
                set_data_key(keys.clone());
            }
        }
    }
    let result = run(cli.command, given).await;
    // Whatever the command's result, the entries it appended are anchored.
    anchor::finish().await;
    result
}

/// The clock of this process: the system clock, or, for drills and end-to-end tests given a
/// day (`serve --today`, `DOUDI_TODAY`), a clock that starts at ten in the morning of that day in
/// China and runs on from there, so sessions and time limits still pass.
pub fn clock(today: Option<chrono::NaiveDate>) -> doudi_app::Clock {
    let given = today.or_else(|| {
        std::env::var("DOUDI_TODAY")
            .ok()
            .and_then(|d| d.trim().parse().ok())
    });
    match given {
        None => doudi_app::Clock::system(),
        Some(day) => {
            let start = chrono::Utc::now();
            let at = doudi_core::clock::ten_am(day);
            doudi_app::Clock::from_fn(move || at + (chrono::Utc::now() - start))
        }
    }
}

/// Runs a command.
async fn run(command: Command, given: Option<Keys>) -> Result<()> {
    match command {
        Command::Serve(args) => serve(args, given).await,
        Command::Demo(args) => demo_command(args, given).await,
        Command::Keys(command) => keys::run(command, given).await,
        Command::Import(args) => {
            files::import(&args.db.db, &args.file, args.partial, args.errors).await
        }
        Command::Export(args) => {
            files::export(
                &args.db.db,
                &args.file,
                args.division.as_deref(),
                args.include_exited,
            )
            .await
        }
        Command::Template { file } => files::template(&file),
        Command::Community(c) => community(c).await,
        Command::Audit(c) => audit::run(c).await,
        Command::User(c) => accounts::user_command(c).await,
        Command::Pair(c) => accounts::pair_command(c).await,
        Command::Eval(args) => eval::eval(args).await,
        Command::Simulate(args) => eval::simulate(args).await,
        Command::Params(command) => eval::params(command),
        Command::Bench(args) => {
            // A benchmark fills fresh databases: a key given is used, else a throwaway one;
            // their audit trails are not anchored.
            set_data_key(given.unwrap_or_else(|| Keys::generate().1));
            anchor::disable();
            bench::run(args).await
        }
        Command::Rural(c) => casework::rural(c).await,
        Command::Pay(args) => casework::pay(args).await,
        Command::Feed(args) => casework::feed(args).await,
        Command::Entitlements(c) => casework::entitlements(c).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
    }
}

pub(crate) fn parse_scope(scope: Option<&str>) -> Result<Scope> {
    match scope {
        None | Some("") => Ok(Scope::County),
        Some(code) => Ok(Scope::Division(
            DivisionCode::parse(code).map_err(|e| anyhow::anyhow!("{e}"))?,
        )),
    }
}

/// Prints where a panic happened and nothing of its message, which may quote the data being
/// handled (a request's fields, a row of an imported file): personal data must not reach the
/// log. The location is enough to find the bug; the data can be found again from it.
fn panic_without_details(info: &std::panic::PanicHookInfo<'_>) {
    let place = info.location().map_or_else(
        || "an unknown place".to_owned(),
        |l| format!("{}:{}", l.file(), l.line()),
    );
    let thread = std::thread::current();
    let thread = thread.name().unwrap_or("unnamed");
    tracing::error!(%place, %thread, "panic (message withheld: it may hold personal data)");
    errln!(
        "doudi: internal error at {place} in thread {thread} (message withheld: it may hold personal data)"
    );
}

/// The data key of this run: resolved once at start-up from `--key-file`, `DOUDI_KEY_FILE` or
/// `DOUDI_KEY` (or, for the demo, from its key file), and used by every [`open`].
static DATA_KEY: OnceLock<Keys> = OnceLock::new();

/// Sets the data key of this run (the first setting wins; it is set once, at start-up).
fn set_data_key(keys: Keys) {
    let _ = DATA_KEY.set(keys);
}

/// The data key of this run, if one was given.
pub(crate) fn data_key() -> Option<Keys> {
    DATA_KEY.get().cloned()
}

/// Opens the database with the data key of this run, creating and migrating it as needed.
pub(crate) async fn open(url: &str) -> Result<Arc<dyn Store>> {
    let keys = keys::required(DATA_KEY.get().cloned())?;
    open_with(url, keys).await
}

/// Opens the database with a key, creating and migrating it as needed.
async fn open_with(url: &str, keys: Keys) -> Result<Arc<dyn Store>> {
    let store = doudi_store::connect(url, keys)
        .await
        .with_context(|| format!("opening the database ({})", redact(url)))?;
    anchor::register(&store, url);
    Ok(store)
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn community(command: CommunityCommand) -> Result<()> {
    match command {
        CommunityCommand::Add { db, code, name } => {
            let store = open(&db.db).await?;
            let code = DivisionCode::parse(&code).map_err(|e| anyhow::anyhow!("{e}"))?;
            if !code.is_community() {
                bail!("a community code has 12 digits (the township's 9 and 3 more)");
            }
            let division = Division {
                parent: Some(code.township()),
                code,
                name,
                kind: DivisionKind::Community,
            };
            store
                .put_community(&Actor::system("命令行"), &division)
                .await
                .context("adding the community")?;
            outln!("community {} {} saved", division.code, division.name);
            Ok(())
        }
        CommunityCommand::List { db } => {
            let store = open(&db.db).await?;
            for d in store.divisions().await? {
                let indent = if d.kind == DivisionKind::Community {
                    "  "
                } else {
                    ""
                };
                outln!("{indent}{}\t{}\t{}", d.code, d.name, d.kind.label());
            }
            Ok(())
        }
    }
}

async fn demo_command(args: DemoArgs, given: Option<Keys>) -> Result<()> {
    let as_of = args.as_of.unwrap_or_else(demo::default_as_of);
    let mut generator = demo::Generator::new(args.seed, as_of);
    let households: Vec<_> = (0..args.households)
        .map(|_| generator.household())
        .collect();
    if let Some(file) = args.file {
        let mut divisions = doudi_core::TownshipTable::yunyang().townships;
        divisions.extend(generator.communities().iter().cloned());
        return files::write_new_households(&file, &households, &divisions);
    }
    let store = open_with(&args.db.db, keys::demo_keys(given, &args.db.db)?).await?;
    load_demo(store.as_ref(), &generator, &households).await
}

/// Writes the demo communities and households into a store.
async fn load_demo(
    store: &dyn Store,
    generator: &demo::Generator,
    households: &[doudi_core::NewHousehold],
) -> Result<()> {
    let system = Actor::system("演示数据生成");
    for c in generator.communities() {
        store
            .put_community(&system, c)
            .await
            .context("adding the demo communities")?;
    }
    let started = std::time::Instant::now();
    let counts = store
        .import_households(&system, households)
        .await
        .context("writing the demo county")?;
    errln!(
        "demo county: {} households, {} people, {} income records written in {:.1?}",
        counts.households,
        counts.people,
        counts.incomes,
        started.elapsed()
    );
    Ok(())
}

/// The demo logins: one per role, all with the same password, printed at start-up.
const DEMO_PASSWORD: &str = "doudi2019";
const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    (
        "qinglong",
        "青龙街道经办员 陈静",
        Role::TownshipCaseworker,
        "500235002",
    ),
    (
        "shuangjiang",
        "双江街道经办员 谭勇",
        Role::TownshipCaseworker,
        "500235001",
    ),
    (
        "fuxing",
        "青龙街道社区工作人员 向敏",
        Role::CommunityWorker,
        "500235002001",
    ),
    (
        "xianminzheng",
        "县民政局审批 冉建国",
        Role::CountyApprover,
        "",
    ),
    ("shenji", "县审计监督 牟红", Role::Auditor, ""),
    ("admin", "县民政局系统管理员 周平", Role::Admin, ""),
    ("jiaoyu", "县教委资助中心 何丽", Role::DepartmentOfficer, ""),
    (
        "yibao",
        "县医保局医疗救助科 陈静",
        Role::DepartmentOfficer,
        "",
    ),
    (
        "weijian",
        "县卫健委基层卫生科 杨帆",
        Role::DepartmentOfficer,
        "",
    ),
    (
        "yingji",
        "县应急管理局救灾科 谭伟",
        Role::DepartmentOfficer,
        "",
    ),
    ("canlian", "县残联康复部 李敏", Role::DepartmentOfficer, ""),
    (
        "renshe",
        "县人力社保局就业科 谭敏",
        Role::DepartmentOfficer,
        "",
    ),
    (
        "zhufang",
        "县住房城乡建委住房保障科 冉丽",
        Role::DepartmentOfficer,
        "",
    ),
    (
        "jieduiganbu",
        "青龙街道结对干部 黄涛",
        Role::PairedCadre,
        "500235002",
    ),
    (
        "shehuizuzhi",
        "云阳县慈善会 刘洋",
        Role::SocialOrganisation,
        "",
    ),
];

/// The department of a demo department officer.
fn demo_department(username: &str) -> doudi_core::Department {
    match username {
        "yibao" => doudi_core::Department::MedicalInsurance,
        "weijian" => doudi_core::Department::Health,
        "yingji" => doudi_core::Department::EmergencyManagement,
        "canlian" => doudi_core::Department::DisabledFederation,
        "renshe" => doudi_core::Department::HumanResources,
        "zhufang" => doudi_core::Department::Housing,
        _ => doudi_core::Department::Education,
    }
}

/// How many households of 青龙街道 the demo cadre is paired with.
const DEMO_PAIRINGS: i64 = 5;

async fn serve(args: ServeArgs, given: Option<Keys>) -> Result<()> {
    let url = match (&args.db, args.demo) {
        (Some(url), _) => url.clone(),
        (None, true) => "sqlite://doudi-demo.db".to_owned(),
        (None, false) => "sqlite://doudi.db".to_owned(),
    };
    // A real registry never starts without its key; the demo makes one beside its file.
    let keys = if args.demo {
        keys::demo_keys(given, &url)?
    } else {
        keys::required(given)?
    };
    let store = open_with(&url, keys).await?;
    if args.demo {
        prepare_demo(store.as_ref(), &args, &url).await?;
    }
    let parameters = match &args.params {
        Some(path) => Some(Arc::new(eval::load_params(Some(path))?)),
        None => None,
    };
    let app = doudi_app::App::new(store, parameters, clock(args.today))
        .with_idle(chrono::TimeDelta::minutes(args.idle_minutes));
    match anchor::path_for(&url) {
        Some(path) => anchor::every_second(app.shared_store().clone(), path),
        None => tracing::warn!(
            "no audit anchor (--audit-anchor): a cut-off audit trail cannot be detected"
        ),
    }
    // The county's dashboard is computed ahead of its readers, and again before it goes stale.
    {
        let app = app.clone();
        tokio::spawn(async move {
            let every = std::time::Duration::from_secs(
                60 * (doudi_app::dashboard::FRESH_MINUTES.unsigned_abs() - 1).max(1),
            );
            loop {
                if let Err(e) = app.prepare_dashboard().await {
                    tracing::warn!("computing the dashboard ahead: {e}");
                }
                tokio::time::sleep(every).await;
            }
        });
    }
    let router = doudi_web::router(
        app,
        doudi_web::WebConfig {
            secure_cookies: args.secure_cookies,
            trust_proxy: args.trust_proxy,
            ..doudi_web::WebConfig::default()
        },
    );
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    outln!();
    outln!("doudi is running: open http://{addr}/ in a browser");
    if args.demo {
        outln!("demo logins (password {DEMO_PASSWORD} for all):");
        for (username, name, role, _) in DEMO_USERS {
            outln!("  {username:<14} {name}（{}）", role.label());
        }
    }
    outln!("press Ctrl-C to stop (or send SIGTERM): requests in progress are finished first");
    tracing::info!(%addr, backend = %redact(&url).split(':').next().unwrap_or(""), "listening");
    // The peer address of every connection reaches the handlers, for the audit trail.
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop_signal())
    .await
    .context("serving")?;
    outln!("doudi stopped");
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or, where there is one, SIGTERM (what a service manager such
/// as systemd or `docker stop` sends): the server then stops taking connections and finishes
/// the requests in progress, each of which commits or rolls back whole.
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    () = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!("SIGTERM cannot be caught ({e}); only Ctrl-C stops gracefully");
                interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
    tracing::info!("stopping: finishing the requests in progress");
}

/// Loads the demo county into an empty database and makes sure the demo logins exist. A
/// database the demo did not create (one with households or accounts and without the demo's
/// mark) is refused: the demo logins share a published password, and on a real registry they
/// would open it to anyone (an administrator and a county approver among them).
async fn prepare_demo(store: &dyn Store, args: &ServeArgs, url: &str) -> Result<()> {
    if !store
        .claim_demo()
        .await
        .context("checking for the demo mark")?
    {
        bail!(
            "--demo refused: {} was not created by the demo (it already holds households or \
             accounts), and the demo would add logins with the published password \
             {DEMO_PASSWORD} to it. Serve it without --demo, or give --demo a new database \
             (演示模式只能用于演示自己新建的数据库)",
            redact(url)
        );
    }
    let county = Actor::system("演示数据生成");
    let existing = store
        .households(
            &county,
            &doudi_store::HouseholdFilter {
                include_exited: true,
                ..Default::default()
            },
            doudi_store::Page {
                offset: 0,
                limit: 1,
            },
        )
        .await?;
    if existing.total == 0 {
        errln!(
            "generating the demo county ({} households, seed {})…",
            args.households,
            args.seed
        );
        let mut generator = demo::Generator::new(args.seed, demo::default_as_of());
        let households: Vec<_> = (0..args.households)
            .map(|_| generator.household())
            .collect();
        load_demo(store, &generator, &households).await?;
        // The social organisation's login finds the county's needs published, de-identified.
        store.publish_needs(&county).await?;
        // Oversight (5.4): a spot check with a finding and its task, and a public report.
        demo::seed_inspections(store, demo::default_as_of()).await?;
        // Funds supervision (5.2) has paid months, budgets and findings to show.
        demo::seed_funds(store, demo::default_as_of(), clock(None).today())
            .await
            .context("seeding the demo's funds")?;
    }
    let hash = doudi_app::accounts::hash_password(DEMO_PASSWORD);
    for (username, name, role, scope) in DEMO_USERS {
        let user = NewUser {
            username: (*username).to_owned(),
            display_name: (*name).to_owned(),
            role: *role,
            scope: parse_scope(Some(scope))?,
            department: (*role == Role::DepartmentOfficer).then(|| demo_department(username)),
            password_hash: hash.clone(),
            must_change_password: false,
        };
        match store
            .create_user(&Actor::system("演示数据生成"), &user)
            .await
        {
            Ok(_) | Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e).context("creating the demo logins"),
        }
    }
    // The demo cadre is paired with the first households of 青龙街道, so that the role has
    // something to see.
    let cadre = store
        .user_by_username("jieduiganbu")
        .await?
        .context("the demo cadre exists")?;
    let filter = doudi_store::HouseholdFilter {
        township: Some(DivisionCode::parse("500235002").map_err(|e| anyhow::anyhow!("{e}"))?),
        ..Default::default()
    };
    let first = store
        .households(
            &county,
            &filter,
            doudi_store::Page {
                offset: 0,
                limit: DEMO_PAIRINGS,
            },
        )
        .await?;
    for h in first.rows {
        match store.pair(&county, h.id, cadre.id).await {
            Ok(()) | Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e).context("pairing the demo cadre"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_password_never_appears_in_messages() {
        assert_eq!(
            redact("postgres://root:secret@127.0.0.1/doudi"),
            "postgres://root:***@127.0.0.1/doudi"
        );
        assert_eq!(
            redact("postgres://root@127.0.0.1/doudi"),
            "postgres://root@127.0.0.1/doudi"
        );
        assert_eq!(redact("sqlite://doudi.db"), "sqlite://doudi.db");
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
