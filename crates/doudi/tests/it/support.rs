//! Helpers: temporary folders, databases on both backends, running the binary, and a minimal
//! HTTP/1.1 client (enough for a test, without pulling an HTTP client crate into the tree).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "doudi-it-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A database for one test: a SQLite file, or a PostgreSQL database dropped on drop.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<TempDir>,
}

pub fn pg_enabled() -> bool {
    std::env::var("DOUDI_TEST_PG").map_or(true, |v| v != "skip")
}

fn pg_admin_url() -> String {
    std::env::var("DOUDI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".into())
}

fn psql(sql: &str) {
    let out = Command::new("psql")
        .args([pg_admin_url().as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .expect("psql runs (PostgreSQL client installed); set DOUDI_TEST_PG=skip to run without PostgreSQL");
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestDb {
    pub fn sqlite(tag: &str) -> TestDb {
        let dir = TempDir::new(tag);
        let url = format!("sqlite://{}", dir.path("doudi.db").display());
        TestDb {
            url,
            pg_name: None,
            _dir: Some(dir),
        }
    }

    pub fn postgres(tag: &str) -> TestDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "doudi_it_{tag}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        psql(&format!("CREATE DATABASE {name}"));
        let admin = pg_admin_url();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        TestDb {
            url: format!("{base}/{name}"),
            pg_name: Some(name),
            _dir: None,
        }
    }

    /// The same PostgreSQL database, its tables in `schema` (a county's own, created on the
    /// first start) rather than in `public`.
    pub fn in_schema(mut self, schema: &str) -> TestDb {
        self.url = format!("{}?options=-c%20search_path%3D{schema}", self.url);
        self
    }

    /// Another handle on a database a test already made (not dropped with this handle).
    pub fn at(url: &str) -> TestDb {
        TestDb {
            url: url.to_owned(),
            pg_name: None,
            _dir: None,
        }
    }

    /// The backends to run a test on: SQLite always, PostgreSQL unless skipped.
    pub fn all(tag: &str) -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite(tag)];
        if pg_enabled() {
            dbs.push(TestDb::postgres(tag));
        } else {
            eprintln!("DOUDI_TEST_PG=skip: {tag} runs on SQLite only");
        }
        dbs
    }
}

impl TestDb {
    /// Drops a PostgreSQL database now, its connections closed by force, as a failed or
    /// removed database server would leave the application (nothing for SQLite).
    pub fn drop_now(&self) {
        if let Some(name) = &self.pg_name {
            psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// The data key of the test databases (64 hexadecimal characters), given as `DOUDI_KEY`.
pub const TEST_KEY: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

/// Runs `doudi ARGS` against a database with the test key, and waits for it.
/// Runs `read` on the store of a database the binary wrote (opened with [`TEST_KEY`]), on a
/// runtime of its own: how the drills look inside a database.
pub fn with_store<T, F>(
    url: &str,
    read: impl FnOnce(std::sync::Arc<dyn doudi_store::Store>) -> F,
) -> T
where
    F: std::future::Future<Output = T>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let keys = doudi_store::Keys::parse(TEST_KEY).unwrap();
        read(doudi_store::connect(url, keys).await.unwrap()).await
    })
}

pub fn doudi(db: &TestDb, args: &[&str]) -> Output {
    doudi_with(db, args, &[("DOUDI_KEY", TEST_KEY)])
}

/// Runs `doudi ARGS` against a database with these environment variables (and no key but the
/// ones they give), and waits for it.
pub fn doudi_with(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doudi"))
        .args(args)
        .env("DOUDI_DB", &db.url)
        .env("RUST_LOG", "info")
        .env_remove("DOUDI_KEY")
        .env_remove("DOUDI_KEY_FILE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the doudi binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A running `doudi serve`, killed on drop.
pub struct Server {
    child: Child,
    pub addr: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `doudi serve --demo` on a free port and waits until it says where it listens. On
    /// SQLite no key is given, so the demo makes its key file beside the database; PostgreSQL
    /// gets the test key.
    pub fn start_demo(db: &TestDb, households: usize, log_dir: &Path) -> Server {
        Server::start_demo_with(db, households, log_dir, &[])
    }

    /// Starts `doudi serve` on the database as it is (no demo county, no demo logins).
    pub fn start(db: &TestDb, log_dir: &Path, env: &[(&str, &str)]) -> Server {
        Server::launch(db, None, log_dir, env)
    }

    /// Starts `doudi serve --demo` with extra environment variables (such as `DOUDI_TODAY`).
    pub fn start_demo_with(
        db: &TestDb,
        households: usize,
        log_dir: &Path,
        env: &[(&str, &str)],
    ) -> Server {
        Server::launch(db, Some(households), log_dir, env)
    }

    fn launch(db: &TestDb, demo: Option<usize>, log_dir: &Path, env: &[(&str, &str)]) -> Server {
        let log = log_dir.join(format!("serve-{}.log", env.len()));
        let mut command = Command::new(env!("CARGO_BIN_EXE_doudi"));
        command.env_remove("DOUDI_KEY").env_remove("DOUDI_KEY_FILE");
        if !db.url.starts_with("sqlite:") {
            command.env("DOUDI_KEY", TEST_KEY);
        }
        command.args(["serve", "--listen", "127.0.0.1:0"]);
        if let Some(households) = demo {
            command.args(["--demo", "--households", &households.to_string()]);
        }
        let mut child = command
            .env("DOUDI_DB", &db.url)
            .envs(env.iter().copied())
            .env("RUST_LOG", "debug,sqlx=debug,hyper=info,h2=info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("doudi serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("doudi serve printed its address before exiting")
                .unwrap();
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().unwrap().to_owned();
            }
        };
        // Keep reading stdout in the background so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr, log }
    }
}

impl Server {
    /// Sends SIGTERM, as a service manager stops a service, and waits (at most 30 s) for the
    /// server to exit; returns its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM was sent");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("the server's status is read") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status, headers (lower-case names) and body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// One HTTP/1.1 request with `Connection: close`.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 4 + size..];
    }
    out
}

/// Percent-encodes a form value.
pub fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
