//! `doudi bench load`: caseworkers' traffic against the real server over loopback, for a
//! bounded time, with latencies measured from when each request was due (an open loop: a slow
//! answer does not slow the sending, so queueing shows in the figures).
//!
//! It fills a fresh database with a synthetic county (or uses one it filled before), adds one
//! caseworker account per township and a county approver, serves the router on 127.0.0.1 in
//! this process, logs the accounts in through `/api/login`, and then sends, each second, the
//! given number of reads (a township's household list through the API, a household's page and
//! its JSON, its entitlement, the work list) and writes (a visit recorded through the API).
//! Every answer must be 200: anything else counts as an error.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use doudi_core::{Actor, Role, Scope};
use doudi_store::{NewUser, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

/// Options of `doudi bench load`.
#[derive(Args)]
pub struct LoadArgs {
    /// Database URL; default a fresh SQLite file in a temporary folder. A database that already
    /// holds households is used as it is (its households must be numbered 1..N, as the
    /// benchmark files them).
    #[arg(long)]
    db: Option<String>,
    /// Households in the county.
    #[arg(long, default_value_t = 100_000)]
    households: usize,
    /// Reads per second.
    #[arg(long, default_value_t = 500)]
    reads: u32,
    /// Writes per second.
    #[arg(long, default_value_t = 50)]
    writes: u32,
    /// How long to send and measure, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Seconds sent first, at the same rates, and not measured: the server's pools open their
    /// connections and prepare their statements, as on a server that has been running.
    /// Errors in them still fail the run.
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Client connections (kept alive).
    #[arg(long, default_value_t = 64)]
    connections: usize,
}

const PASSWORD: &str = "load-password-1";

/// One logged-in client: its cookie and CSRF token.
#[derive(Clone)]
struct Login {
    cookie: String,
    csrf: String,
}

/// A request to send, and when it was due.
struct Job {
    due: Instant,
    write: bool,
    kind: &'static str,
    request: Vec<u8>,
}

/// What came of one request.
struct Outcome {
    due: Instant,
    write: bool,
    kind: &'static str,
    latency: Duration,
    ok: bool,
}

/// Runs the load test.
pub async fn run(args: LoadArgs) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("doudi-bench-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = args
        .db
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("load.db").display()));
    let result = run_on(&url, &args).await;
    if args.db.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn run_on(url: &str, args: &LoadArgs) -> Result<()> {
    let store = crate::open(url).await?;
    let system = Actor::system("bench");
    let filed = crate::bench::households_in(&store.township_counts(&system).await?);
    if filed == 0 {
        let started = Instant::now();
        let size = crate::bench::Size::Households(args.households);
        crate::bench::file_county(store.as_ref(), 2019, size).await?;
        outln!(
            "setup      {} households filed in {:.1?} [{}]",
            args.households,
            started.elapsed(),
            store.backend()
        );
        // What a production server's autovacuum would do after such a load.
        store.tidy().await?;
    }
    let counts = store.township_counts(&system).await?;
    let households = crate::bench::households_in(&counts);
    let townships: Vec<String> = counts.iter().map(|c| c.township.to_string()).collect();
    accounts(store.as_ref(), &counts).await?;

    // The server, in this process, on loopback.
    let app = doudi_app::App::new(store.clone(), None, doudi_app::Clock::system());
    let router = doudi_web::router(app, doudi_web::WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });

    let county = login(addr, "load-county").await?;
    let mut caseworkers = Vec::new();
    for (i, _) in townships.iter().enumerate() {
        caseworkers.push(login(addr, &format!("load-t{i}")).await?);
    }

    // The workers: each keeps one connection and sends the jobs it takes.
    let (jobs, receiver) = mpsc::channel::<Job>(100_000);
    let receiver = Arc::new(Mutex::new(receiver));
    let (outcomes, mut results) = mpsc::unbounded_channel::<Outcome>();
    for _ in 0..args.connections.max(1) {
        let (receiver, outcomes) = (receiver.clone(), outcomes.clone());
        tokio::spawn(async move {
            let mut connection: Option<TcpStream> = None;
            loop {
                let job = { receiver.lock().await.recv().await };
                let Some(job) = job else { break };
                let ok = send(addr, &mut connection, &job.request).await;
                let _ = outcomes.send(Outcome {
                    due: job.due,
                    write: job.write,
                    kind: job.kind,
                    latency: job.due.elapsed(),
                    ok,
                });
            }
        });
    }
    drop(outcomes);

    // The schedule: reads and writes spread evenly over each second.
    let mut random = Random(0x2019_1204);
    let started = Instant::now();
    // At most a day each: a run is bounded, and the sums below cannot overflow.
    let (warmup, seconds) = (args.warmup.min(86_400), args.seconds.clamp(1, 86_400));
    let measured_from = started + Duration::from_secs(warmup);
    let length = Duration::from_secs(warmup + seconds);
    let (mut reads_sent, mut writes_sent) = (0u64, 0u64);
    let mut visit = 0u64;
    while started.elapsed() < length {
        let elapsed = started.elapsed();
        let reads_due = elapsed.as_micros() as u64 * u64::from(args.reads) / 1_000_000;
        let writes_due = elapsed.as_micros() as u64 * u64::from(args.writes) / 1_000_000;
        while reads_sent < reads_due {
            reads_sent += 1;
            let due = started
                + Duration::from_micros(reads_sent * 1_000_000 / u64::from(args.reads.max(1)));
            let t = random.below(townships.len() as u64) as usize;
            let id = 1 + random.below(households.max(1) as u64);
            let (kind, request) = match random.below(10) {
                0..=2 => (
                    "list",
                    get(
                        &format!(
                            "/api/households?township={}&page={}",
                            townships[t],
                            1 + random.below(5)
                        ),
                        &caseworkers[t],
                    ),
                ),
                3..=5 => ("page", get(&format!("/households/{id}"), &county)),
                6..=7 => ("json", get(&format!("/api/households/{id}"), &county)),
                8 => (
                    "entitlement",
                    get(&format!("/api/households/{id}/entitlement"), &county),
                ),
                _ => ("work", get("/work", &caseworkers[t])),
            };
            jobs.send(Job {
                due,
                write: false,
                kind,
                request,
            })
            .await?;
        }
        while writes_sent < writes_due {
            writes_sent += 1;
            visit += 1;
            let due = started
                + Duration::from_micros(writes_sent * 1_000_000 / u64::from(args.writes.max(1)));
            let id = 1 + random.below(households.max(1) as u64);
            let body = format!(
                "{{\"kind\":\"routine\",\"found\":\"压力测试走访\",\"draft_id\":\"load-{}-{visit:012}\"}}",
                std::process::id()
            );
            let request = post(&format!("/api/households/{id}/visits"), &county, &body);
            jobs.send(Job {
                due,
                write: true,
                kind: "visit",
                request,
            })
            .await?;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    drop(jobs);

    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    let (mut read_errors, mut write_errors, mut warmup_errors) = (0usize, 0usize, 0usize);
    let mut kinds: std::collections::BTreeMap<&str, (Vec<Duration>, usize)> = Default::default();
    while let Some(o) = results.recv().await {
        if o.due < measured_from {
            warmup_errors += usize::from(!o.ok);
            continue;
        }
        let k = kinds.entry(o.kind).or_default();
        k.0.push(o.latency);
        k.1 += usize::from(!o.ok);
        match (o.write, o.ok) {
            (false, ok) => {
                reads.push(o.latency);
                read_errors += usize::from(!ok);
            }
            (true, ok) => {
                writes.push(o.latency);
                write_errors += usize::from(!ok);
            }
        }
    }
    let took = measured_from.elapsed();
    outln!(
        "load       {households} households [{}], {} s measured after {} s of warm-up, at {} reads/s and {} writes/s over {} connections",
        store.backend(),
        seconds,
        warmup,
        args.reads,
        args.writes,
        args.connections
    );
    report("reads", &mut reads, read_errors, took);
    report("writes", &mut writes, write_errors, took);
    for (kind, (times, errors)) in &mut kinds {
        report(&format!("  {kind}"), times, *errors, took);
    }
    if read_errors + write_errors + warmup_errors > 0 {
        bail!(
            "{} requests did not answer 200 ({warmup_errors} of them in the warm-up)",
            read_errors + write_errors + warmup_errors
        );
    }
    Ok(())
}

fn report(what: &str, times: &mut [Duration], errors: usize, took: Duration) {
    if times.is_empty() {
        outln!("{what:<10} none sent");
        return;
    }
    times.sort();
    let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    let per_second = (times.len() as u128 * 1000) / took.as_millis().max(1);
    outln!(
        "{what:<10} {} sent ({per_second}/s), {errors} errors; p50 {:.1?}, p95 {:.1?}, p99 {:.1?}, max {:.1?}",
        times.len(),
        at(50),
        at(95),
        at(99),
        times[times.len() - 1]
    );
}

/// Accounts for the load: one caseworker per township, `load-t{i}`, and the county approver
/// `load-county`, unless they exist.
async fn accounts(store: &dyn Store, counts: &[doudi_store::TownshipCount]) -> Result<()> {
    let system = Actor::system("bench");
    let hash = doudi_app::accounts::hash_password(PASSWORD);
    let mut users = vec![(
        "load-county".to_owned(),
        Role::CountyApprover,
        Scope::County,
    )];
    for (i, c) in counts.iter().enumerate() {
        users.push((
            format!("load-t{i}"),
            Role::TownshipCaseworker,
            Scope::Division(c.township.clone()),
        ));
    }
    for (username, role, scope) in users {
        let made = store
            .create_user(
                &system,
                &NewUser {
                    username: username.clone(),
                    display_name: username.clone(),
                    role,
                    scope,
                    department: None,
                    password_hash: hash.clone(),
                    must_change_password: false,
                },
            )
            .await;
        match made {
            Ok(_) | Err(doudi_store::StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e).context("adding the load's accounts"),
        }
    }
    Ok(())
}

/// Logs in through the API and keeps the session cookie and CSRF token.
async fn login(addr: SocketAddr, username: &str) -> Result<Login> {
    let body = format!("{{\"username\":\"{username}\",\"password\":\"{PASSWORD}\"}}");
    let request = format!(
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let answer = String::from_utf8_lossy(&answer);
    let cookie = answer
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .find(|v| v.starts_with("doudi_session="))
        .and_then(|v| v.split(';').next())
        .with_context(|| format!("{username} could not log in"))?
        .to_owned();
    let csrf = answer
        .split("\"csrf_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("the login answered no CSRF token")?
        .to_owned();
    Ok(Login { cookie, csrf })
}

fn get(path: &str, who: &Login) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: load\r\nCookie: {}\r\n\r\n",
        who.cookie
    )
    .into_bytes()
}

fn post(path: &str, who: &Login, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: load\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        who.cookie,
        who.csrf,
        body.len()
    )
    .into_bytes()
}

/// Sends one request on the kept connection (making one if needed) and reads the whole answer;
/// whether it was 200.
async fn send(addr: SocketAddr, connection: &mut Option<TcpStream>, request: &[u8]) -> bool {
    for _ in 0..2 {
        if connection.is_none() {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    *connection = Some(s);
                }
                Err(_) => return false,
            }
        }
        let Some(stream) = connection.as_mut() else {
            return false;
        };
        match exchange(stream, request).await {
            Ok(status) => return status == 200,
            // The server closed a kept connection: once more on a new one.
            Err(_) => *connection = None,
        }
    }
    false
}

/// Writes a request and reads its answer (Content-Length or chunked); the status.
async fn exchange(stream: &mut TcpStream, request: &[u8]) -> std::io::Result<u16> {
    stream.write_all(request).await?;
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut body = buf.split_off(head_end);
    if let Some(length) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        while body.len() < length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if head.contains("transfer-encoding: chunked") {
        while find(&body, b"\r\n0\r\n\r\n").is_none() && !body.starts_with(b"0\r\n\r\n") {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Ok(status)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A small deterministic generator (SplitMix64) for the mix.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n.max(1)
    }
}
