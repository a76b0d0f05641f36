//! Real Chromium (Debian's `chromium` and `chromium-driver`, which `.ci/run` installs) driving
//! the real server: what a caseworker does with a mouse and a keyboard, under the real
//! Content-Security-Policy.
//!
//! The WebDriver protocol is JSON over HTTP; the few commands used here are sent with the same
//! plain HTTP client as the other end-to-end tests, so no browser-automation crate is needed.
//! Set `DOUDI_BROWSER=skip` to leave these tests out on a machine without Chromium;
//! `CHROMEDRIVER` names another driver binary.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, TempDir, TestDb};

/// The W3C name of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether the browser tests run here.
pub fn browser_enabled() -> bool {
    std::env::var("DOUDI_BROWSER").map_or(true, |v| v != "skip")
}

/// A chromedriver process and one headless Chromium session.
pub struct Browser {
    driver: Child,
    addr: String,
    session: String,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session.
    pub fn start() -> Browser {
        let binary = std::env::var("CHROMEDRIVER")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from("/usr/bin/chromedriver"));
        assert!(
            binary.exists(),
            "the browser tests need chromedriver at {} (Debian: apt-get install chromium \
             chromium-driver; .ci/run does this), or DOUDI_BROWSER=skip to leave them out",
            binary.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let addr = format!("127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = std::net::TcpStream::connect(&addr).is_ok()
                && call_raw(&addr, "GET", "/status", None)["value"]["ready"] == json!(true);
            if ready {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let answer = call_raw(
            &addr,
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-CN"]
                },
                "goog:loggingPrefs": {"browser": "ALL"}
            }}})),
        );
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"))
            .to_owned();
        Browser {
            driver,
            addr,
            session,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = call_raw(
            &self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        );
        if let Some(error) = answer["value"]["error"].as_str() {
            panic!(
                "WebDriver {method} {path}: {error}: {}",
                answer["value"]["message"]
            );
        }
        answer["value"].clone()
    }

    /// Opens a page.
    pub fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The current address.
    pub fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The page's HTML as the browser has it now.
    pub fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The first element matching a CSS selector, waiting up to 10 s for it to appear.
    pub fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let answer = call_raw(
                &self.addr,
                "POST",
                &format!("/session/{}/element", self.session),
                Some(json!({"using": "css selector", "value": css})),
            );
            if let Some(id) = answer["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no element matches {css} on {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types into the element matching `css` (after clearing it).
    pub fn fill(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Follows a main-menu link (`#nav-medical`): opens its group first, as a person would by
    /// clicking the group's heading, then clicks the link.
    pub fn menu(&self, css: &str) {
        self.find(css);
        let heading = self.execute(&format!(
            "var link = document.querySelector({css:?});\n\
             var group = link && link.closest('details.navgroup');\n\
             return group && !group.open ? group.id : null;"
        ));
        if let Some(group) = heading.as_str() {
            self.click(&format!("#{group} > summary"));
        }
        self.click(css);
    }

    /// Clicks the element matching `css`.
    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// The visible text of the element matching `css`. An element the page replaced between
    /// finding and reading it (htmx swapping a block in) is found again.
    pub fn text(&self, css: &str) -> String {
        for _ in 0..20 {
            let id = self.find(css);
            let answer = call_raw(
                &self.addr,
                "GET",
                &format!("/session/{}/element/{id}/text", self.session),
                None,
            );
            match answer["value"]["error"].as_str() {
                Some("stale element reference") => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Some(error) => panic!(
                    "WebDriver GET text of {css}: {error}: {}",
                    answer["value"]["message"]
                ),
                None => return answer["value"].as_str().unwrap_or_default().to_owned(),
            }
        }
        panic!("{css} was replaced twenty times while being read");
    }

    /// Saves a PNG of the window into the folder `DOUDI_SCREENSHOTS` names, when it is set
    /// (for a person to look at; the tests assert on the page, not on pixels).
    pub fn screenshot(&self, name: &str) {
        let Ok(folder) = std::env::var("DOUDI_SCREENSHOTS") else {
            return;
        };
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64_decode(png.as_str().unwrap_or_default());
        std::fs::write(PathBuf::from(folder).join(format!("{name}.png")), bytes).unwrap();
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    pub fn execute(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Resizes the window's viewport-ish size (the outer window, as WebDriver sets it).
    pub fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    /// The current value of the form field matching `css`.
    pub fn value(&self, css: &str) -> String {
        let id = self.find(css);
        self.call("GET", &format!("/element/{id}/property/value"), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the page's source contains `needle`.
    pub fn wait_for(&self, needle: &str) {
        self.wait_for_within(needle, Duration::from_secs(10));
    }

    /// Waits until the page's source contains `needle`, at most `limit`.
    pub fn wait_for_within(&self, needle: &str, limit: Duration) {
        let started = Instant::now();
        while !self.source().contains(needle) {
            assert!(
                started.elapsed() < limit,
                "the page at {} never showed {needle:?}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The browser console's messages so far (Chromium's log through chromedriver's `se/log`).
    pub fn console(&self) -> Vec<String> {
        let answer = call_raw(
            &self.addr,
            "POST",
            &format!("/session/{}/se/log", self.session),
            Some(json!({"type": "browser"})),
        );
        answer["value"]
            .as_array()
            .unwrap_or_else(|| panic!("chromedriver gives no console log: {answer}"))
            .iter()
            .filter_map(|e| e["message"].as_str().map(str::to_owned))
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| {
            call_raw(
                &self.addr,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            )
        });
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn call_raw(addr: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    use std::io::{BufRead, BufReader, Read, Write};
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream = std::net::TcpStream::connect(addr).expect("chromedriver listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("a read timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("the request is sent");
    // chromedriver may keep the connection open: read the head, then exactly the body.
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("a response head") == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut raw = vec![0; length];
    reader.read_exact(&mut raw).expect("the response body");
    serde_json::from_slice(&raw).unwrap_or(Value::Null)
}

/// Logs in through the login form.
pub fn log_in(browser: &Browser, base: &str, username: &str) {
    browser.go(&format!("{base}/login"));
    browser.fill("#f-username", username);
    browser.fill("#f-password", "doudi2019");
    browser.click("form[action='/login'] button[type=submit]");
    let started = Instant::now();
    while browser.url().ends_with("/login") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the login did not leave the login page: {}",
            browser.source()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn in_real_chromium_a_caseworker_logs_in_finds_a_household_and_unmasks_it_for_a_stated_purpose() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser");
    let dir = TempDir::new("browser");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();

    log_in(&browser, &base, "qinglong");
    browser.go(&format!("{base}/households"));
    browser.wait_for("青龙街道");
    // The first household of the list, by its link in the table.
    browser.click("table a[href^='/households/']");
    browser.wait_for("unmask-purpose");
    let masked = browser.source();
    assert!(
        masked.contains("********"),
        "identity numbers are masked at first"
    );

    // Unmasking needs a purpose: the browser's own check refuses an empty one, so type it.
    browser.fill("#unmask-purpose", "核对身份证号码以办理临时救助");
    browser.click(".unmask-form button[type=submit]");
    browser.wait_for("正在显示完整信息");
    let full = browser.text("body");
    assert!(
        full.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w.len() == 18 && w.starts_with("500235")),
        "a full identity number is shown: {full}"
    );

    // Nothing on these pages broke the Content-Security-Policy.
    let console = browser.console();
    assert!(
        !console
            .iter()
            .any(|m| m.contains("Content Security Policy") || m.contains("Refused to")),
        "the console reports a CSP violation: {console:?}"
    );
}

/// Clicks a step's button on the case page and waits for the case to reach `state`.
fn step(browser: &Browser, button: &str, state: &str) {
    browser.click(button);
    let started = Instant::now();
    loop {
        let source = browser.source();
        if source.contains(&format!("data-state=\"{state}\"")) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "after {button} the case never reached {state}: {}",
            browser.text("body")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn in_real_chromium_a_dibao_case_goes_from_application_through_notice_to_approval_and_its_first_payment_and_a_review_to_exit()
 {
    use crate::casework::{call, cli, login};
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-case");
    let dir = TempDir::new("browser-case");
    let server = Server::start_demo_with(&db, 80, &dir.0, &[("DOUDI_TODAY", "2026-11-02")]);
    let base = format!("http://{}", server.addr);

    // A dibao household of 青龙街道 that qualifies this month, with its 三清 survey on file
    // (found through the API; the walk itself is the browser's).
    let township = login(&server.addr, "qinglong");
    let (_, list) = call(
        &server.addr,
        &township,
        "GET",
        "/api/households?township=500235002",
        Value::Null,
    );
    let row = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| {
            let (_, e) = call(
                &server.addr,
                &township,
                "GET",
                &format!("/api/households/{}/entitlement", row["id"]),
                Value::Null,
            );
            e["eligible"] == true && e["program"] == "dibao"
        })
        .expect("the demo township has a qualifying dibao household")
        .clone();
    let h = row["id"].as_i64().unwrap();
    let community = row["community"].as_str().unwrap().to_owned();
    let (_, record) = call(
        &server.addr,
        &township,
        "GET",
        &format!("/api/households/{h}"),
        Value::Null,
    );
    if record["surveys"].as_array().unwrap().is_empty() {
        let (status, _) = call(
            &server.addr,
            &township,
            "POST",
            &format!("/api/households/{h}/surveys"),
            json!({"version": record["version"], "survey": {"family_situation": "清",
                "poverty_cause": "清", "help_needed": "清", "surveyed_by": "陈静",
                "surveyed_on": "2026-11-01"}}),
        );
        assert_eq!(status, 201);
    }

    // The township caseworker files the application and takes it to public notice.
    let case_url = {
        let browser = Browser::start();
        log_in(&browser, &base, "qinglong");
        browser.go(&format!("{base}/households/{h}"));
        browser.click("#submit-case");
        browser.wait_for("data-state=\"submitted\"");
        let case_url = browser.url();
        step(&browser, "#accept-submit", "accepted");
        browser.fill("#investigate-notes", "入户核实，家中无其他收入");
        browser.fill("#investigate-reference", "HD-2026-11-001");
        step(&browser, "#investigate-submit", "investigated");
        browser.fill("#appraise-conclusion", "民主评议同意");
        step(&browser, "#appraise-submit", "appraised");
        browser.fill("#opinion-text", "同意上报");
        step(&browser, "#opinion-submit", "township_reviewed");
        step(&browser, "#notice-submit", "under_notice");
        // The county cannot decide before the notice ends.
        assert!(
            browser.source().contains("2026-11-08"),
            "the notice runs 7 days"
        );
        case_url
    };
    let case_id = case_url.rsplit('/').next().unwrap().to_owned();

    // The public notice, open without logging in, masks names and identity numbers.
    let anonymous = Browser::start();
    anonymous.go(&format!("{base}/notices/{community}"));
    anonymous.wait_for(&format!("id=\"notice-{case_id}\""));
    drop(anonymous);
    drop(server);

    // A week later the notice is over and the county approver decides, on the case page.
    let later = TempDir::new("browser-case-later");
    let server = Server::start_demo_with(&db, 80, &later.0, &[("DOUDI_TODAY", "2026-11-10")]);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "xianminzheng");
    browser.go(&format!("{base}/cases/{case_id}"));
    // The amount and its explanation are on the page before the click.
    browser.wait_for("approval-preview");
    let preview = browser.text("#approval-amount");
    assert!(preview.contains("每月发放"), "{preview}");
    step(&browser, "#approve-submit", "approved");
    // Only now is the household shown as covered (在保) (5).
    browser.go(&format!("{base}/households/{h}"));
    browser.wait_for("id=\"standing\"");
    assert_eq!(browser.text("#standing"), "在保");

    // The county approver runs November's payments from the roster page.
    browser.go(&format!("{base}/payments?month=2026-11"));
    browser.click("#run-payments");
    browser.wait_for("id=\"payments-ran\"");
    assert!(
        browser.text("#payments-ran").contains("新生成1笔"),
        "{}",
        browser.text("#payments-ran")
    );
    browser.wait_for(&format!("id=\"payment-household-{h}\""));

    // The bank file is on the page; the bank's results go back in through it.
    assert!(browser.source().contains("id=\"bank-xlsx\""));
    let bank = browser.execute(
        "var x = new XMLHttpRequest(); x.open('GET', '/payments/2026-11/bank.csv', false); \
         x.send(); return x.responseText;",
    );
    let bank = bank.as_str().unwrap_or_default().to_owned();
    assert!(bank.contains("合计"), "{bank}");
    let line: String = bank
        .lines()
        .nth(1)
        .and_then(|row| row.split(',').next())
        .unwrap_or_default()
        .to_owned();
    let results = later.path("回盘.csv");
    std::fs::write(&results, format!("名册编号,结果,失败原因\n{line},成功,\n")).unwrap();
    browser.fill("#results-file", results.to_str().unwrap());
    browser.click("#results-submit");
    browser.wait_for("登记结果1笔");
    assert!(browser.text("#payments-summary").contains("已发放 1 笔"));
    drop(browser);
    drop(server);

    // Running the month again, from the command line this time, pays nothing twice.
    let out = cli(&db, &["pay", "--month", "2026-11"]);
    assert!(
        out.status.success(),
        "{}",
        crate::support::text(&out.stderr)
    );
    assert!(
        crate::support::text(&out.stdout)
            .contains("0 new payment lines (0.00 yuan), 1 already there"),
        "{}",
        crate::support::text(&out.stdout)
    );

    // In December the head has found work (wages recorded through the API); the caseworker
    // reviews the entitlement on the household's page of entitlements and it ends (应退尽退).
    let december = TempDir::new("browser-case-december");
    let server = Server::start_demo_with(&db, 80, &december.0, &[("DOUDI_TODAY", "2026-12-03")]);
    let base = format!("http://{}", server.addr);
    let township = login(&server.addr, "qinglong");
    let (_, record) = call(
        &server.addr,
        &township,
        "GET",
        &format!("/api/households/{h}"),
        Value::Null,
    );
    let head = record["members"][0]["id"].as_i64().unwrap();
    let mut version = record["version"].as_i64().unwrap();
    for m in 6..=11 {
        let (status, reply) = call(
            &server.addr,
            &township,
            "POST",
            &format!("/api/households/{h}/finances"),
            json!({"version": version, "change": {"op": "put_income", "person_id": head,
                "month": format!("2026-{m:02}"), "kind": "wages", "amount_fen": 900_000}}),
        );
        assert_eq!(status, 200, "{reply}");
        version = reply["version"].as_i64().unwrap();
    }
    let browser = Browser::start();
    log_in(&browser, &base, "qinglong");
    browser.go(&format!("{base}/households/{h}"));
    browser.click("#link-entitlements");
    browser.click("#periods a[id^=review-]");
    // The preview says what the review would decide and why, before anything changes; an exit
    // goes to the county for its sign-off (5: big decisions are confirmed).
    browser.wait_for("id=\"review-preview\" data-result=\"exit\"");
    assert!(
        browser
            .text("#review-preview-reason")
            .contains("不再符合条件")
    );
    assert!(browser.source().contains("id=\"review-needs-sign-off\""));
    browser.fill("#review-note", "户主已在县城务工，收入稳定");
    browser.click("#review-confirm");
    browser.wait_for("data-proposed=\"1\"");
    assert!(
        browser.source().contains("entitlements?review="),
        "the period is still open until the county signs"
    );
    drop(browser);

    // The county approver finds the proposal on the work list, reads the reason and the
    // amounts, and signs it off: only then does the entitlement end, every benefit listed.
    let browser = Browser::start();
    log_in(&browser, &base, "xianminzheng");
    browser.go(&format!("{base}/work"));
    browser.wait_for("id=\"proposals\"");
    browser.click("#proposals a");
    browser.wait_for("户主已在县城务工，收入稳定");
    assert!(
        browser.source().contains("-today\""),
        "the county sees today's evaluation"
    );
    browser.click("button[id^=sign-off-]");
    browser.wait_for("data-result=\"exit\"");
    let shown = browser.text("#review-result");
    assert!(
        shown.contains("退出") && shown.contains("停发") && shown.contains("已生效"),
        "the exit lists the benefit that stops: {shown}"
    );
    assert!(
        !browser.source().contains("id=\"form-review-")
            && !browser.source().contains("entitlements?review="),
        "no open period is left to review"
    );
}

#[test]
fn in_real_chromium_a_caseworker_uploads_a_household_file_sees_its_bad_row_and_then_imports_it_fixed()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-import");
    let dir = TempDir::new("browser-import");
    let server = Server::start_demo(&db, 20, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "qinglong");

    let header =
        "户编号,乡镇（街道）,社区,救助类别,纳入日期,住址,住房情况,姓名,身份证号码,与户主关系";
    let good = "BR1,青龙街道,500235002001,城市低保,2024-03-01,复兴路1号,自有住房,郑一,500235193102039014,户主\n\
                BR1,,,,,,,郑二,500235193203049027,配偶\n";
    // A wrong check digit: the last character should be X.
    let bad = "BR2,青龙街道,500235002001,城市低保,2024-03-01,复兴路2号,自有住房,冯三,500235193304059031,户主\n";
    let file = dir.path("家庭档案.csv");
    std::fs::write(&file, format!("{header}\n{good}{bad}")).unwrap();

    // The menu leads to the upload page.
    browser.go(&format!("{base}/"));
    browser.menu("#nav-import");
    browser.wait_for("form-import");
    browser.fill("#import-file", file.to_str().unwrap());
    browser.click("#import-submit");
    browser.wait_for("import-nothing");
    let page = browser.text("body");
    assert!(page.contains("第4行"), "the bad row is named: {page}");
    assert!(page.contains("身份证号码"), "and its column: {page}");
    assert!(page.contains("一户也没有导入"), "{page}");
    assert!(browser.source().contains("id=\"errors-xlsx\""));

    // Fixed, it goes in whole.
    let fixed = bad.replace("500235193304059031", "50023519330405903X");
    std::fs::write(&file, format!("{header}\n{good}{fixed}")).unwrap();
    browser.go(&format!("{base}/households/import"));
    browser.fill("#import-file", file.to_str().unwrap());
    browser.click("#import-submit");
    browser.wait_for("import-done");
    let page = browser.text("#import-done");
    assert!(page.contains("已导入 2 户、3 人"), "{page}");
    browser.go(&format!("{base}/households?q=郑一"));
    browser.wait_for("BR1");
    let table = browser.text("table");
    assert!(
        table.contains("BR1"),
        "the imported household is listed: {table}"
    );
}

#[test]
fn in_real_chromium_what_a_caseworker_typed_survives_leaving_the_form_and_can_be_thrown_away() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-draft");
    let dir = TempDir::new("browser-draft");
    let server = Server::start_demo(&db, 10, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "qinglong");

    browser.go(&format!("{base}/households/new"));
    browser.wait_for("f-address");
    browser.fill("#f-address", "复兴路草稿9号");
    // Off to the overview by the menu, then back: the typing is restored, with a notice.
    browser.go(&format!("{base}/"));
    browser.wait_for("duties");
    browser.go(&format!("{base}/households/new"));
    browser.wait_for("draft-restored");
    assert_eq!(browser.value("#f-address"), "复兴路草稿9号");
    // Thrown away, it is gone.
    browser.click("#draft-discard");
    browser.wait_for("f-address");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!browser.source().contains("draft-restored"));
    assert_eq!(browser.value("#f-address"), "");
}

#[test]
fn in_real_chromium_a_caseworker_is_warned_before_the_idle_logout_and_can_stay() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-idle");
    let dir = TempDir::new("browser-idle");
    // Sessions end after a minute without a request: the warning comes at half a minute.
    let server = Server::start_demo_with(&db, 10, &dir.0, &[("DOUDI_IDLE_MINUTES", "1")]);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "qinglong");
    browser.go(&format!("{base}/"));
    browser.wait_for("data-idle-seconds=\"60\"");
    assert!(!browser.source().contains("id=\"idle-warning\""));
    browser.wait_for_within("id=\"idle-warning\"", Duration::from_secs(45));
    let warning = browser.text("#idle-message");
    assert!(warning.contains("秒后自动退出登录"), "{warning}");
    browser.click("#idle-stay");
    let started = Instant::now();
    while browser.source().contains("id=\"idle-warning\"") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the warning stays"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The session is still alive: a page loads without a detour to the log-in page.
    browser.go(&format!("{base}/households"));
    browser.wait_for("青龙街道");
    assert!(!browser.url().contains("/login"));
}

#[test]
fn in_real_chromium_on_a_phone_a_resident_finds_the_notice_of_their_community_by_name() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-notice");
    let dir = TempDir::new("browser-notice");
    let server = Server::start_demo(&db, 10, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.resize(390, 844);

    browser.go(&format!("{base}/notices"));
    browser.wait_for("notice-directory");
    browser.fill("#notice-q", "青龙");
    browser.click("#form-notice-search button[type=submit]");
    browser.wait_for("value=\"青龙\"");
    let directory = browser.text("#notice-directory");
    assert!(directory.contains("青龙街道"), "{directory}");
    assert!(!directory.contains("双江街道"), "{directory}");
    browser.click("#notice-directory a");
    browser.wait_for("notice-sheet");
    let sheet = browser.text("#notice-sheet");
    assert!(sheet.contains("发布单位：云阳县青龙街道办事处"), "{sheet}");
    assert!(sheet.contains("云阳府办发〔2019〕22号第四部分"), "{sheet}");
    assert!(!sheet.contains("4.2.b"), "{sheet}");
    // Nothing wider than the phone.
    let fits = browser.execute("return document.documentElement.scrollWidth <= window.innerWidth;");
    assert_eq!(
        fits,
        json!(true),
        "the notice page scrolls sideways on a phone"
    );
}

/// Decodes standard base64 (WebDriver's screenshots).
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    digits
        .chunks(4)
        .flat_map(|chunk| {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(chunk.len().saturating_sub(1))
        })
        .collect()
}

/// Whether the page is no wider than the window (no sideways scrolling).
fn fits(browser: &Browser) -> bool {
    browser.execute("return document.documentElement.scrollWidth <= window.innerWidth;")
        == json!(true)
}

#[test]
fn in_real_chromium_on_a_phone_a_community_worker_reads_the_list_as_cards_and_files_with_one_thumb()
{
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-phone");
    let dir = TempDir::new("browser-phone");
    let server = Server::start_demo(&db, 40, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.resize(390, 844);
    log_in(&browser, &base, "fuxing");

    // The header takes little of the screen.
    browser.go(&format!("{base}/"));
    browser.wait_for("duties");
    let header =
        browser.execute("return document.querySelector('.topbar').getBoundingClientRect().height;");
    assert!(
        header.as_f64().unwrap_or(1e9) <= 110.0,
        "the header is {header} px high on a phone"
    );
    assert!(fits(&browser), "the overview scrolls sideways");
    browser.screenshot("phone-overview");

    // The household list is a stack of cards, each value labelled.
    browser.go(&format!("{base}/households"));
    browser.wait_for("household-table");
    let head = browser.execute(
        "return getComputedStyle(document.querySelector('#household-table thead')).display;",
    );
    assert_eq!(
        head,
        json!("none"),
        "the table's header row is hidden on a phone"
    );
    let label = browser.execute(
        "return getComputedStyle(document.querySelector('#household-table td'), '::before').content;",
    );
    assert!(
        label.as_str().unwrap_or_default().contains("户编号"),
        "{label}"
    );
    assert!(fits(&browser), "the list scrolls sideways");
    browser.screenshot("phone-list");

    // The new-household form: one column, fields as wide as the screen, big enough to tap.
    browser.go(&format!("{base}/households/new"));
    browser.wait_for("f-address");
    let field = browser.execute(
        "var r = document.querySelector('#f-address').getBoundingClientRect(); \
         return [r.width, r.height, window.innerWidth];",
    );
    let (width, height, window) = (
        field[0].as_f64().unwrap(),
        field[1].as_f64().unwrap(),
        field[2].as_f64().unwrap(),
    );
    assert!(
        width >= window * 0.8,
        "the field is {width} of {window} px wide"
    );
    assert!(height >= 40.0, "the field is {height} px high");
    assert!(fits(&browser), "the form scrolls sideways");
    browser.screenshot("phone-form");
}

/// Chooses the option `value` of the select matching `css`.
fn choose(browser: &Browser, css: &str, value: &str) {
    browser.click(&format!("{css} option[value='{value}']"));
}

/// Logs in with a password that must be changed first, and changes it.
fn first_login(browser: &Browser, base: &str, username: &str, initial: &str, new: &str) {
    browser.go(&format!("{base}/login"));
    browser.fill("#f-username", username);
    browser.fill("#f-password", initial);
    browser.click("form[action='/login'] button[type=submit]");
    browser.wait_for("f-current");
    browser.fill("#f-current", initial);
    browser.fill("#f-new", new);
    browser.fill("#f-confirm", new);
    browser.click("form.form button[type=submit]");
    browser.wait_for("duties");
    // Nothing but the count comes into the menu (never a whole page, whatever the answer).
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        browser.execute("return document.querySelectorAll('.topbar').length;"),
        json!(1),
        "the menu holds one top bar"
    );
}

/// The administrator creates an account in the browser.
fn create_account(browser: &Browser, base: &str, username: &str, role: &str, scope: &str) {
    browser.go(&format!("{base}/admin/users/new"));
    browser.wait_for("f-username");
    browser.fill("#f-username", username);
    browser.fill("#f-display_name", &format!("{username}测试"));
    choose(browser, "#f-role", role);
    if !scope.is_empty() {
        choose(browser, "#f-scope", scope);
    }
    browser.fill("#f-password", "Initial-2026-pw");
    browser.fill("#f-confirm", "Initial-2026-pw");
    browser.click("form.form button[type=submit]");
    let started = Instant::now();
    while !browser.url().contains("done=created") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the account {username} was not created: {}",
            browser.text("main")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn in_real_chromium_a_newcomer_county_goes_from_an_empty_database_to_its_first_bank_file() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-newcomer");
    let dir = TempDir::new("browser-newcomer");
    let server = Server::start(
        &db,
        &dir.0,
        &[
            ("DOUDI_TODAY", "2026-11-20"),
            ("DOUDI_KEY", crate::support::TEST_KEY),
        ],
    );
    let base = format!("http://{}", server.addr);
    // What stays outside the browser: the data key (given to the server by its operator) and
    // the first administrator (`doudi user add`, printed by `doudi init` on a real install).
    let out = crate::support::doudi(
        &db,
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--name",
            "系统管理员",
            "--role",
            "admin",
            "--password",
            "Bootstrap-2026-pw",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        crate::support::text(&out.stderr)
    );
    let browser = Browser::start();

    // The administrator opens accounts for a township caseworker and the county approver.
    first_login(
        &browser,
        &base,
        "admin",
        "Bootstrap-2026-pw",
        "Admin-own-2026-pw",
    );
    // The administrator adds the township's community, then the accounts.
    browser.go(&format!("{base}/admin/communities"));
    browser.wait_for("communities-empty");
    choose(&browser, "#f-township", "500235002");
    browser.fill("#f-suffix", "1");
    browser.fill("#f-name", "复兴社区");
    browser.click("#community-submit");
    browser.wait_for("id=\"community-error\"");
    assert!(
        browser.text("#community-error").contains("后三位"),
        "{}",
        browser.text("#community-error")
    );
    assert_eq!(
        browser.value("#f-name"),
        "复兴社区",
        "the form keeps what was typed"
    );
    browser.fill("#f-suffix", "001");
    browser.click("#community-submit");
    browser.wait_for("id=\"community-saved\"");
    assert!(browser.text("#community-500235002001").contains("复兴社区"));
    create_account(
        &browser,
        &base,
        "qinglong",
        "township_caseworker",
        "500235002",
    );
    create_account(&browser, &base, "shenpi", "county_approver", "");
    browser.click("form[action='/logout'] button");
    browser.wait_for("f-username");

    // The caseworker uploads the township's households with the benefits they receive.
    first_login(
        &browser,
        &base,
        "qinglong",
        "Initial-2026-pw",
        "Qinglong-own-2026",
    );
    let headers = [
        "户编号",
        "乡镇（街道）",
        "社区",
        "救助类别",
        "纳入日期",
        "住址",
        "住房情况",
        "银行账号",
        "姓名",
        "身份证号码",
        "与户主关系",
        "现享待遇",
        "现享月金额",
        "现享起始月份",
        "原批准文号",
    ];
    let row = |cells: [&str; 15]| {
        cells
            .iter()
            .map(|c| doudi_exchange::write::OutCell::Text((*c).to_owned()))
            .collect::<Vec<_>>()
    };
    let table = doudi_exchange::Table {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: vec![
            row([
                "N-1",
                "青龙街道",
                "复兴社区",
                "城市低保",
                "2024-03-01",
                "复兴路1号",
                "自有住房",
                "6222020200112233445",
                "郑一",
                "500235193102039014",
                "户主",
                "城市低保",
                "680.00",
                "2024-03",
                "云民〔2024〕3号",
            ]),
            row([
                "N-2",
                "青龙街道",
                "复兴社区",
                "城市低保",
                "2024-05-01",
                "复兴路2号",
                "自有住房",
                "6222020200112233446",
                "郑二",
                "500235193203049027",
                "户主",
                "城市低保",
                "520.50",
                "2024-05",
                "云民〔2024〕5号",
            ]),
        ],
    };
    let file = dir.path("青龙街道现有对象.xlsx");
    std::fs::write(&file, doudi_exchange::to_xlsx(&table, false).unwrap()).unwrap();
    browser.go(&format!("{base}/households/import"));
    browser.fill("#import-file", file.to_str().unwrap());
    browser.click("#import-submit");
    browser.wait_for("import-done");
    assert!(browser.text("#import-carried").contains("2 户"));
    browser.click("form[action='/logout'] button");
    browser.wait_for("f-username");

    // The approver confirms the benefits as filed, runs the month and has the bank file.
    first_login(
        &browser,
        &base,
        "shenpi",
        "Initial-2026-pw",
        "Shenpi-own-2026-pw",
    );
    browser.menu("#nav-carried");
    browser.wait_for("form-carried");
    let ids: Vec<String> = browser
        .execute("return Array.from(document.querySelectorAll('#carried select')).map(s => s.id);")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        choose(&browser, &format!("#{id}"), "filed");
    }
    browser.click("#carried-submit");
    browser.wait_for("carried-done");
    browser.menu("#nav-payments");
    browser.wait_for("preview-summary");
    assert!(
        browser
            .text("#preview-summary")
            .contains("2 笔，合计 ¥1,200.50"),
        "{}",
        browser.text("#preview-summary")
    );
    browser.click("#run-payments");
    browser.wait_for("payments-ran");
    assert!(browser.source().contains("id=\"bank-xlsx\""));
    let bank = browser.execute(
        "var x = new XMLHttpRequest(); x.open('GET', '/payments/2026-11/bank.csv', false); \
         x.send(); return x.responseText;",
    );
    let bank = bank.as_str().unwrap_or_default();
    assert!(bank.contains("合计") && bank.contains("1200.50"), "{bank}");
}

/// Follows the page's export link `css` as the browser would and checks that an Excel file
/// comes back.
fn exports_excel(browser: &Browser, css: &str) {
    let got = browser.execute(&format!(
        "var a = document.querySelector('{css}'); var x = new XMLHttpRequest(); \
         x.open('GET', a.getAttribute('href'), false); \
         x.overrideMimeType('text/plain; charset=x-user-defined'); x.send(); \
         return [x.status, x.getResponseHeader('content-type') || '', x.responseText.substring(0, 2)];"
    ));
    assert_eq!(got[0], json!(200), "{css}: {got}");
    assert!(
        got[1]
            .as_str()
            .unwrap_or_default()
            .contains("spreadsheetml"),
        "{css}: {got}"
    );
    assert_eq!(got[2], json!("PK"), "{css} is an XLSX (a zip): {got}");
}

#[test]
fn in_real_chromium_each_role_finds_its_work_searches_as_staff_do_and_reads_the_trail_in_words() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-roles");
    let dir = TempDir::new("browser-roles");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();

    // A township caseworker: her work described, search by file number, a query too short.
    log_in(&browser, &base, "qinglong");
    assert!(browser.text("#duties").contains("本乡镇（街道）"));
    browser.go(&format!("{base}/households"));
    browser.wait_for("household-table");
    let number = browser
        .execute("return document.querySelector('#household-table a.row-link').textContent;");
    let number = number.as_str().unwrap().trim().to_owned();
    browser.fill("#q", &number);
    browser.click("form[role=search] button[type=submit]");
    // The results come back in place (htmx): one household, the one asked for.
    let started = Instant::now();
    while browser.execute("return document.querySelectorAll('#household-table tbody tr').length;")
        != json!(1)
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the search found no one household"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(browser.text("#household-table").contains(&number));
    browser.go(&format!("{base}/households?q=1"));
    browser.wait_for("search-problem");
    assert!(browser.text("#search-problem").contains("至少"));
    // Every list she works from exports to Excel from its button (1).
    browser.go(&format!("{base}/households"));
    browser.wait_for("export-households");
    exports_excel(&browser, "#export-households");
    browser.go(&format!("{base}/work"));
    browser.wait_for("export-work");
    exports_excel(&browser, "#export-work");
    // Her applications, from the menu; a household's own from its page.
    browser.menu("#nav-cases");
    browser.wait_for("form-cases");
    if browser.source().contains("id=\"export-cases\"") {
        exports_excel(&browser, "#export-cases");
    }
    browser.go(&format!("{base}/households"));
    browser.click("#household-table a.row-link");
    browser.wait_for("link-cases");
    browser.click("#link-cases");
    browser.wait_for("form-cases");
    browser.click("form[action='/logout'] button");
    browser.wait_for("f-username");

    // The education office lists students, never causes of poverty.
    log_in(&browser, &base, "jiaoyu");
    browser.go(&format!("{base}/households"));
    browser.wait_for("<h1");
    let page = browser.source();
    assert!(
        page.contains("在学成员") || page.contains("没有符合条件的家庭"),
        "{page}"
    );
    assert!(!page.contains("致贫原因</th>"));
    browser.click("form[action='/logout'] button");
    browser.wait_for("f-username");

    // The auditor reads who looked at which household, in words.
    log_in(&browser, &base, "shenji");
    browser.go(&format!("{base}/audit?action=read"));
    browser.wait_for("audit-verify");
    let trail = browser.text("main");
    assert!(trail.contains(&format!("家庭 {number}")), "{trail}");
    assert!(!trail.contains("household:"), "{trail}");
    exports_excel(&browser, "#export-audit");
    browser.click("#audit-verify");
    browser.wait_for("audit-verified");
    assert!(browser.text("#audit-verified").contains("校验通过"));
    browser.click("form[action='/logout'] button");
    browser.wait_for("f-username");

    // The county approver exports the month's entitlements from the roster.
    log_in(&browser, &base, "xianminzheng");
    browser.go(&format!("{base}/payments"));
    browser.wait_for("export-entitlements");
    exports_excel(&browser, "#export-entitlements");
}

#[test]
fn in_real_chromium_the_county_uploads_a_death_list_and_the_township_works_the_alerts_it_raised() {
    if !browser_enabled() {
        return;
    }
    use crate::casework::{call, login};
    let db = TestDb::sqlite("browser-feeds");
    let dir = TempDir::new("browser-feeds");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    // Two people of 青龙 as the police station's list names them: one by number and name (a
    // death the platform records itself), one by name and birth date only (which waits).
    let township = login(&server.addr, "qinglong");
    let (_, list) = call(
        &server.addr,
        &township,
        "GET",
        "/api/households?township=500235002",
        Value::Null,
    );
    // The first a household of one (the household's benefit stops), the second any other.
    let mut people: Vec<(String, String)> = Vec::new();
    let mut alone = None;
    for row in list["rows"].as_array().unwrap() {
        if people.len() == 1 && alone.is_some() {
            break;
        }
        let h = row["id"].as_i64().unwrap();
        let (status, full) = call(
            &server.addr,
            &township,
            "POST",
            &format!("/api/households/{h}/unmask"),
            json!({"purpose": "核对死亡名单"}),
        );
        assert_eq!(status, 200, "{full}");
        let head = &full["members"][0];
        let person = (
            head["fields"]["name"].as_str().unwrap().to_owned(),
            head["fields"]["id_number"].as_str().unwrap().to_owned(),
        );
        if full["members"].as_array().unwrap().len() == 1 && alone.is_none() {
            alone = Some(person);
        } else if people.is_empty() {
            people.push(person);
        }
    }
    people.insert(0, alone.expect("the demo township has a household of one"));
    let birth = |id: &str| format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14]);
    let csv = format!(
        "姓名,身份证号码,出生日期,死亡日期\n{},{},,2026-10-20\n{},,{},2026-10-21\n",
        people[0].0,
        people[0].1,
        people[1].0,
        birth(&people[1].1)
    );
    let file = dir.0.join("死亡名单.csv");
    std::fs::write(&file, csv).unwrap();

    let browser = Browser::start();
    log_in(&browser, &base, "xianminzheng");
    browser.menu("#nav-feeds");
    browser.wait_for("form-feed");
    browser.fill("#f-file", file.to_str().unwrap());
    browser.click("#feed-submit");
    browser.wait_for("id=\"feed-report\"");
    let report = browser.text("#feed-report");
    assert!(report.contains("匹配到本平台人员2条"), "{report}");
    assert!(
        report.contains("已自动登记死亡") && report.contains("自2026-11起停发"),
        "{report}"
    );
    // The same file again changes nothing.
    browser.fill("#f-file", file.to_str().unwrap());
    browser.click("#feed-submit");
    browser.wait_for("data-already=\"1\"");
    browser.click("form[action='/logout'] button");
    browser.wait_for("f-username");

    // The township caseworker sees the waiting one on her work list, red, and works it.
    log_in(&browser, &base, "qinglong");
    browser.go(&format!("{base}/work"));
    browser.wait_for("id=\"work-alerts\"");
    browser.click("#work-alerts a");
    browser.wait_for("alert-item");
    let page = browser.text("main");
    assert!(page.contains("疑似本平台人员，请核实"), "{page}");
    let id = browser
        .execute("return document.querySelector('section.alert-item form').id.replace('form-alert-', '');")
        .as_str()
        .unwrap()
        .to_owned();
    browser.click(&format!("#alert-done-{id}"));
    browser.wait_for("id=\"alert-error\"");
    assert!(browser.text("#alert-error").contains("须写明处理结果"));
    browser.fill(
        &format!("#outcome-{id}"),
        "入户核实：本人已于10月21日病故，已登记死亡",
    );
    browser.click(&format!("#alert-done-{id}"));
    browser.wait_for("alerts-all");
    assert!(
        !browser
            .source()
            .contains(&format!("id=\"form-alert-{id}\"")),
        "done alerts leave the open list"
    );
    browser.click("#alerts-all");
    browser.wait_for(&format!("id=\"alert-{id}\""));
    assert!(browser.text(&format!("#alert-{id}")).contains("已办结"));
    // At phone width the alerts still read.
    browser.resize(390, 844);
    browser.go(&format!("{base}/alerts?all=1"));
    browser.wait_for("alert-item");
    let overflow =
        browser.execute("return document.documentElement.scrollWidth > window.innerWidth + 1;");
    assert_eq!(overflow, json!(false), "the alerts page fits a phone");
}

#[test]
fn in_real_chromium_the_education_officer_works_the_department_pages_on_a_desktop_and_a_phone() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-departments");
    let dir = TempDir::new("browser-departments");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "jiaoyu");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        // The students owed aid this term, from the menu; the previous term one click away.
        browser.go(&format!("{base}/"));
        browser.menu("#nav-exchange");
        browser.wait_for("学生资助名单");
        assert!(browser.source().contains("id=\"export-exchange\""));
        browser.click("#term-previous");
        browser.wait_for("学生资助名单");
        // The figures per township and the zero-employment list.
        browser.menu("#nav-figures");
        browser.wait_for("部门工作指标");
        assert!(
            browser.source().contains("id=\"figures\""),
            "the demo county has households"
        );
        browser.menu("#nav-employment");
        browser.wait_for("零就业家庭");
        for page in ["/exchange/education", "/figures", "/employment/zero"] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            let overflow = browser
                .execute("return document.documentElement.scrollWidth > window.innerWidth + 1;");
            assert_eq!(overflow, json!(false), "{page} fits {width} px");
        }
    }
    // The department's data page offers only its own kind.
    browser.go(&format!("{base}/feeds"));
    browser.wait_for("form-feed");
    let page = browser.source();
    assert!(page.contains("id=\"kind-school\"") && !page.contains("id=\"kind-death\""));
}

#[test]
fn in_real_chromium_the_medical_insurance_education_and_health_officers_work_their_pages_on_a_desktop_and_a_phone()
 {
    if !browser_enabled() {
        return;
    }
    use crate::casework::{call, login};
    let db = TestDb::sqlite("browser-delivery");
    let dir = TempDir::new("browser-delivery");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    // A member's identity number, as the hospital's settlement gives it.
    let county = login(&server.addr, "xianminzheng");
    let (_, list) = call(
        &server.addr,
        &county,
        "GET",
        "/api/households?township=500235002",
        Value::Null,
    );
    let h = list["rows"][0]["id"].as_i64().unwrap();
    let (status, full) = call(
        &server.addr,
        &county,
        "POST",
        &format!("/api/households/{h}/unmask"),
        json!({"purpose": "核对住院结算"}),
    );
    assert_eq!(status, 200, "{full}");
    let id_number = full["members"][0]["fields"]["id_number"]
        .as_str()
        .unwrap()
        .to_owned();

    let browser = Browser::start();
    log_in(&browser, &base, "yibao");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        browser.go(&format!("{base}/"));
        browser.menu("#nav-medical");
        browser.wait_for("form-stay");
        assert!(fits(&browser), "/medical fits {width} px");
    }
    browser.resize(1280, 900);
    browser.fill("#s-id", &id_number);
    browser.fill("#s-hospital", "云阳县人民医院");
    browser.fill("#s-admitted", "2026-10-01");
    browser.fill("#s-discharged", "2026-10-08");
    browser.fill("#s-total", "10000");
    browser.fill("#s-in-catalogue", "9000");
    browser.click("#stay-preview");
    browser.wait_for("stay-settlement");
    assert!(browser.text("#stay-settlement").contains("医疗救助"));
    assert!(browser.source().contains("依据 2.4"));
    browser.click("#stay-record");
    browser.wait_for("已登记住院结算");
    assert!(browser.source().contains("id=\"stays\""));
    exports_excel(&browser, "#export-stays");
    browser.resize(390, 844);
    assert!(fits(&browser), "the stays list fits a phone");

    // The education officer's term book: a school and a delivery, on a phone too.
    let browser = Browser::start();
    log_in(&browser, &base, "jiaoyu");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        browser.go(&format!("{base}/"));
        browser.menu("#nav-education");
        browser.wait_for("各校落实情况");
        assert!(fits(&browser), "/education fits {width} px");
    }
    let page = browser.source();
    let Some(at) = page.find("id=\"form-enrol-") else {
        panic!("the demo county has students owed aid this term");
    };
    let person: String = page[at + "id=\"form-enrol-".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    browser.fill(&format!("#school-{person}"), "云阳县青龙初级中学");
    browser.click(&format!("#enrol-{person}"));
    browser.wait_for("已保存");
    assert!(browser.source().contains("云阳县青龙初级中学"));
    let deliver = browser.execute(&format!(
        "const b = document.querySelector('#student-{person} button[id^=deliver-]'); \
         if (b) {{ b.click(); return true; }} return false;"
    ));
    if deliver == json!(true) {
        browser.wait_for("已发放");
    }
    exports_excel(&browser, "#export-undelivered");

    // The health commission marks family-doctor signing, a township at a time.
    let browser = Browser::start();
    log_in(&browser, &base, "weijian");
    browser.go(&format!("{base}/medical/health?township=500235002"));
    browser.wait_for("health-summary");
    let page = browser.source();
    let Some(at) = page.find("action=\"/medical/health/") else {
        panic!("青龙 has members");
    };
    let person: String = page[at + "action=\"/medical/health/".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    browser.click(&format!("#health-save-{person}"));
    browser.wait_for("health-saved");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        browser.go(&format!("{base}/medical/health?township=500235002"));
        browser.wait_for("health-summary");
        assert!(fits(&browser), "/medical/health fits {width} px");
        browser.go(&format!("{base}/medical/special"));
        browser.wait_for("特殊病种名册");
        assert!(fits(&browser), "/medical/special fits {width} px");
    }
}

#[test]
fn in_real_chromium_the_emergency_officer_records_a_flood_confirms_a_household_and_its_relief_on_a_desktop_and_a_phone()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-disasters");
    let dir = TempDir::new("browser-disasters");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "yingji");

    // A flood along the streets of 青龙街道, from the menu.
    browser.resize(1280, 900);
    browser.menu("#nav-disasters");
    browser.wait_for("form-disaster");
    browser.fill("#d-name", "青龙街道暴雨洪涝");
    choose(&browser, "#d-kind", "flood");
    browser.fill("#d-keywords", "青龙街道");
    browser.click("#disaster-submit");
    browser.wait_for("id=\"affected\"");
    let event = browser.url();
    assert!(
        browser.source().contains("待核实"),
        "the demo county has households there"
    );
    // The first household is confirmed, with its house collapsed, and given emergency relief.
    browser.click("#affected details summary");
    choose(
        &browser,
        "#affected details form select[name=state]",
        "confirmed",
    );
    choose(
        &browser,
        "#affected details form select[name=damage]",
        "collapsed",
    );
    browser.click("#affected details form button");
    browser.wait_for("已确认受灾");
    browser.wait_for("form-relief");
    browser.fill("#r-amount", "2000");
    browser.fill("#r-reason", "房屋倒塌，临时安置");
    browser.click("#relief-submit");
    browser.wait_for("relief-list");
    assert!(browser.text("#relief-list").contains("2000.00"));
    exports_excel(&browser, "#export-disaster");

    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        for page in ["/disasters".to_owned(), event.replace(&base, "")] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            assert!(fits(&browser), "{page} fits {width} px");
        }
        exports_excel(&browser, "#export-disaster");
    }
    browser.go(&format!("{base}/disasters"));
    browser.wait_for("page-head");
    exports_excel(&browser, "#export-disasters");
    assert!(browser.source().contains("青龙街道暴雨洪涝"));
}

#[test]
fn in_real_chromium_the_disabled_federation_adds_a_provider_and_records_a_months_home_care_on_a_desktop_and_a_phone()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-services");
    let dir = TempDir::new("browser-services");
    let server = Server::start_demo(&db, 80, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "canlian");

    browser.resize(1280, 900);
    browser.menu("#nav-services");
    browser.wait_for("service-summary");
    browser.click("#link-providers");
    browser.wait_for("form-provider");
    browser.fill("#p-name", "安康居家养老服务中心");
    browser.click("#form-provider input[value='home_care']");
    browser.fill("#p-contact", "王经理 023-55550000");
    browser.click("#provider-submit");
    browser.wait_for("id=\"providers\"");
    browser.go(&format!("{base}/services"));
    browser.wait_for("form-service");
    browser.fill("#s-hours", "40");
    browser.fill("#s-cost", "1200");
    browser.click("#service-submit");
    browser.wait_for("id=\"services\"");
    assert!(browser.text("#services").contains("1200.00"));
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        for page in ["/services", "/services/providers"] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            assert!(fits(&browser), "{page} fits {width} px");
        }
    }
    browser.go(&format!("{base}/services"));
    browser.wait_for("page-head");
    exports_excel(&browser, "#export-services");
}

#[test]
fn in_real_chromium_the_human_resources_officer_records_an_opening_and_works_the_jobs_pages_on_a_desktop_and_a_phone()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-jobs");
    let dir = TempDir::new("browser-jobs");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "renshe");
    // An opening from the menu, on a desktop: a public-welfare post suited to partial capacity.
    browser.resize(1280, 900);
    browser.go(&format!("{base}/"));
    browser.menu("#nav-jobs");
    browser.wait_for("form-opening");
    browser.fill("#opening-employer", "青龙街道办事处");
    browser.fill("#opening-title", "公益性保洁");
    choose(&browser, "#opening-kind", "public_post");
    browser.fill("#opening-hours", "20");
    browser.fill("#opening-pay", "1500");
    browser.click("#opening-partial");
    browser.click("#opening-submit");
    browser.wait_for("匹配人选");
    let opening = browser.url();
    assert!(opening.contains("/jobs/"), "{opening}");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        browser.go(&format!("{base}/"));
        browser.menu("#nav-jobs");
        browser.wait_for("公益性保洁");
        exports_excel(&browser, "#export-jobs");
        browser.click("#jobs-referrals");
        browser.wait_for("岗位推荐");
        exports_excel(&browser, "#export-referrals");
        browser.menu("#nav-employment");
        browser.wait_for("零就业家庭");
        for page in [
            "/jobs",
            opening.trim_start_matches(&base),
            "/jobs/referrals",
        ] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            assert!(fits(&browser), "{page} fits {width} px");
            browser.screenshot(&format!("jobs{}-{width}", page.replace('/', "-")));
        }
    }
    // Another department's pages are not in the officer's menu.
    browser.go(&format!("{base}/"));
    assert!(!browser.source().contains("id=\"nav-housing\""));
}

#[test]
fn in_real_chromium_the_housing_officer_reads_the_priority_list_and_files_and_grants_a_rent_subsidy_on_a_desktop_and_a_phone()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-housing");
    let dir = TempDir::new("browser-housing");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "zhufang");
    browser.resize(1280, 900);
    browser.go(&format!("{base}/"));
    browser.menu("#nav-housing");
    browser.wait_for("housing-rule");
    exports_excel(&browser, "#export-priority");
    exports_excel(&browser, "#export-housing");
    // The demo county has households without secure housing: the officer files for the first
    // owed priority and grants it a rent subsidy.
    assert!(
        browser.source().contains("id=\"form-housing-file\""),
        "the demo county has households owed priority"
    );
    choose(&browser, "#file-kind", "rent_subsidy");
    browser.click("#file-submit");
    browser.wait_for("form-subsidise");
    browser.fill("#subsidise-monthly", "300");
    browser.execute(
        "document.getElementById('subsidise-from').value = '2026-12'; \
         document.getElementById('subsidise-to').value = '2027-02';",
    );
    browser.click("#subsidise-submit");
    browser.wait_for("application-outcome");
    assert!(
        browser
            .text("#application-state")
            .contains("已发放租赁补贴")
    );
    browser.go(&format!("{base}/housing/subsidies"));
    browser.wait_for("subsidy-totals");
    exports_excel(&browser, "#export-subsidies");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        for page in ["/housing", "/housing/subsidies"] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            assert!(fits(&browser), "{page} fits {width} px");
            browser.screenshot(&format!("housing{}-{width}", page.replace('/', "-")));
        }
    }
    // The employment pages are not in the housing officer's menu.
    assert!(!browser.source().contains("id=\"nav-jobs\""));
}

#[test]
fn in_real_chromium_the_county_pairs_households_in_bulk_from_a_plan_on_a_desktop_and_a_phone() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-pairing");
    let dir = TempDir::new("browser-pairing");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "xianminzheng");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        browser.go(&format!("{base}/"));
        browser.menu("#nav-pairing");
        browser.wait_for("form-assign");
        assert!(fits(&browser), "/pairing fits {width} px");
    }
    browser.resize(1280, 900);
    choose(&browser, "#a-place", "500235002");
    browser.fill("#a-cap", "8");
    browser.click("#assign-preview");
    browser.wait_for("pairing-plan");
    assert!(browser.text("#pairing-plan").contains("结对方案"));
    browser.click("#plan-apply");
    browser.wait_for("已结对");
    // The demo cadre had five households; the cap of eight gave them three more.
    assert!(
        browser.text("#loads").contains("8"),
        "{}",
        browser.text("#loads")
    );
    exports_excel(&browser, "#export-loads");
}

#[test]
fn in_real_chromium_a_social_organisation_registers_is_verified_and_posts_an_offer_on_a_desktop_and_a_phone()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-social");
    let dir = TempDir::new("browser-social");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "shehuizuzhi");
    browser.resize(1280, 900);
    browser.go(&format!("{base}/"));
    browser.menu("#nav-social");
    browser.wait_for("form-participant");
    choose(&browser, "#participant-kind", "foundation");
    browser.fill("#participant-name", "云阳县慈善会");
    browser.fill("#participant-contact", "刘洋 13800000000");
    browser.click("#participant-submit");
    browser.wait_for("待县民政局核实");

    // The civil affairs bureau verifies it, and publishes the needs of the county.
    let county = Browser::start();
    log_in(&county, &base, "xianminzheng");
    county.go(&format!("{base}/social/participants"));
    county.wait_for("云阳县慈善会");
    county.click("#participants form button");
    county.wait_for("撤销核实");
    county.go(&format!("{base}/social/needs"));
    county.wait_for("publish-needs");
    county.click("#publish-needs");
    county.wait_for("urgency-rule");

    browser.go(&format!("{base}/social"));
    browser.wait_for("form-offer");
    choose(&browser, "#offer-kind", "money");
    browser.fill("#offer-description", "冬季助困金");
    browser.fill("#offer-capacity", "10");
    browser.fill("#offer-amount", "5000");
    browser.execute("document.getElementById('offer-valid').value = '2099-12-31';");
    browser.click("#offer-submit");
    browser.wait_for("冬季助困金");
    assert!(browser.text("#participant-account").contains("¥5,000.00"));
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        for page in ["/social", "/social/needs", "/social/matches"] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            assert!(fits(&browser), "{page} fits {width} px");
            browser.screenshot(&format!("social{}-{width}", page.replace('/', "-")));
        }
    }
    browser.go(&format!("{base}/social"));
    browser.wait_for("page-head");
    exports_excel(&browser, "#export-offers");
    // A participant never reads households: no household list in its menu.
    assert!(!browser.source().contains("href=\"/households\""));
}

#[test]
fn in_real_chromium_on_a_phone_a_cadre_records_a_visit_offline_and_it_is_sent_when_back_online() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-visits");
    let dir = TempDir::new("browser-visits");
    let server = Server::start_demo(&db, 30, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "jieduiganbu");
    browser.resize(390, 844);
    // The cadre's first paired household, and its visit form.
    browser.go(&format!("{base}/households"));
    browser.wait_for("青龙街道");
    browser.click("table a[href^='/households/']");
    browser.wait_for("household-visit-new");
    let household = browser.url();
    browser.click("#household-visit-new");
    browser.wait_for("form-visit");
    assert!(fits(&browser), "the visit form fits 390 px");

    // What is typed survives a reload (localStorage).
    browser.fill("#visit-found", "离线记录：屋顶漏雨，需维修");
    browser.execute("document.querySelector('input[name=needs][value=housing]').click();");
    std::thread::sleep(Duration::from_millis(200));
    let form = browser.url();
    browser.go(&form);
    browser.wait_for("form-visit");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(browser.value("#visit-found"), "离线记录：屋顶漏雨，需维修");

    // The network drops: the submit is queued as a draft.
    browser.execute(
        "Object.defineProperty(navigator, 'onLine', { get: function () { return false; }, configurable: true }); \
         window.realFetch = window.fetch; \
         window.fetch = function () { return Promise.reject(new TypeError('offline')); };",
    );
    browser.click("#visit-submit");
    browser.wait_for("已保存草稿，联网后自动提交");
    let queued = browser
        .execute("return JSON.parse(localStorage.getItem('doudi-visit-queue') || '[]').length;");
    assert_eq!(queued, json!(1));
    browser.screenshot("visit-offline-390");

    // Back online: the queue is sent, once.
    browser.execute(
        "window.fetch = window.realFetch; \
         Object.defineProperty(navigator, 'onLine', { get: function () { return true; }, configurable: true }); \
         window.dispatchEvent(new Event('online'));",
    );
    let started = Instant::now();
    while browser.text("#visit-status") != "已提交" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the queued visit was sent"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let left = browser
        .execute("return JSON.parse(localStorage.getItem('doudi-visit-queue') || '[]').length;");
    assert_eq!(left, json!(0));
    browser.execute("window.dispatchEvent(new Event('online'));");

    // It is on the household page, with the need raised.
    browser.go(&household);
    browser.wait_for("离线记录：屋顶漏雨，需维修");
    assert_eq!(
        browser.execute("return document.querySelectorAll('#household-visits tbody tr').length;"),
        json!(1),
        "recorded once"
    );
    assert!(browser.text("#household-visits").contains("住房保障"));
    browser.screenshot("visit-household-390");
    for page in ["/visits", "/coverage", "/campaigns"] {
        browser.go(&format!("{base}{page}"));
        browser.wait_for("page-head");
        assert!(fits(&browser), "{page} fits 390 px");
        browser.screenshot(&format!("visits{}-390", page.replace('/', "-")));
    }
}

#[test]
fn in_real_chromium_the_grouped_menu_leads_to_the_policy_coverage_page_on_a_desktop_and_a_phone() {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-clauses");
    let dir = TempDir::new("browser-clauses");
    let server = Server::start_demo(&db, 20, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "xianminzheng");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        browser.go(&format!("{base}/"));
        // The menu is five groups under their headings, every group closed.
        let open =
            browser.execute("return document.querySelectorAll('details.navgroup[open]').length;");
        assert_eq!(open, 0);
        browser.menu("#nav-clauses");
        browser.wait_for("政策条款落实情况");
        let rows = browser.execute("return document.querySelectorAll('#clauses tbody tr').length;");
        assert_eq!(rows.as_u64(), Some(28));
        assert!(browser.text("#clause-2\\.1\\.b").contains("申请前6个月"));
        // The current page's group heading is marked.
        let current = browser.execute(
            "return document.querySelector('#navgroup-oversight > summary').classList.contains('current');",
        );
        assert_eq!(current.as_bool(), Some(true));
        assert!(fits(&browser), "/clauses fits {width} px");
        browser.screenshot(&format!("clauses-{width}"));
        // Opening one group closes the other.
        browser.click("#navgroup-casework > summary");
        browser.click("#navgroup-departments > summary");
        // The toggle event that closes the other group comes a moment after the click.
        let started = Instant::now();
        let open = loop {
            let open = browser.execute("return Array.from(document.querySelectorAll('details.navgroup[open]')).map(function (d) { return d.id; });");
            if open == serde_json::json!(["navgroup-departments"])
                || started.elapsed() > Duration::from_secs(3)
            {
                break open;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(open, serde_json::json!(["navgroup-departments"]));
        browser.screenshot(&format!("menu-{width}"));
    }
    exports_excel(&browser, "#export-clauses");
}

#[test]
fn in_real_chromium_inspect_the_public_files_a_report_from_the_disclosure_page_and_the_auditor_closes_it()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-inspect");
    let dir = TempDir::new("browser-inspect");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    // The public, without logging in: from the disclosure page to the report form.
    browser.resize(390, 844);
    browser.go(&format!("{base}/disclosure"));
    browser.wait_for("report-link");
    assert!(fits(&browser), "/disclosure fits 390 px");
    browser.click("#report-link");
    browser.wait_for("form-report");
    assert!(fits(&browser), "the report form fits 390 px");
    choose(&browser, "#report-township", "500235002");
    choose(&browser, "#report-category", "missed");
    browser.fill(
        "#report-text",
        "邻居家老人独居无收入，申请过低保但一直没有答复，请帮忙核实。",
    );
    browser.click("#report-submit");
    browser.wait_for("receipt-new");
    let receipt_url = browser.url();
    assert!(browser.text("#receipt-state").contains("待受理"));
    browser.screenshot("inspect-receipt-390");

    // The auditor finds it among the reports, accepts it and closes it with a reply.
    browser.resize(1280, 900);
    log_in(&browser, &base, "shenji");
    browser.go(&format!("{base}/"));
    browser.menu("#nav-reports");
    browser.wait_for("form-report-filter");
    exports_excel(&browser, "#export-reports");
    browser.click("#reports tbody tr:first-child a");
    browser.wait_for("form-report-step");
    assert!(browser.text("#report-text").contains("邻居家老人独居"));
    browser.fill("#step-note", "转青龙街道入户核实");
    browser.click("#step-accept");
    browser.wait_for("step-founded");
    browser.fill("#step-note", "经核实属实，已指导其重新申请，街道已受理。");
    browser.click("#step-founded");
    browser.wait_for("report-reply");

    // The receipt page now shows the reply, and nothing of the internal notes.
    browser.go(&receipt_url);
    browser.wait_for("receipt-reply");
    assert!(browser.text("#receipt-reply").contains("已指导其重新申请"));
    assert!(!browser.source().contains("转青龙街道入户核实"));

    // The inspector's pages on a desktop and a phone.
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        for page in [
            "/inspections",
            "/inspections/1",
            "/rectifications",
            "/reports",
        ] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            assert!(fits(&browser), "{page} fits {width} px");
            browser.screenshot(&format!("inspect{}-{width}", page.replace('/', "-")));
        }
    }
    browser.go(&format!("{base}/inspections"));
    exports_excel(&browser, "#export-inspections");
    browser.go(&format!("{base}/rectifications"));
    exports_excel(&browser, "#export-rectifications");
}

#[test]
fn in_real_chromium_browser_funds_the_auditor_opens_a_finding_assigns_it_to_themselves_notes_and_closes_it_on_a_desktop_and_a_phone()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-funds");
    let dir = TempDir::new("browser-funds");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "shenji");
    browser.resize(1280, 900);
    browser.go(&format!("{base}/"));
    browser.menu("#nav-funds");
    browser.wait_for("funds-table");
    exports_excel(&browser, "#export-funds");
    assert!(
        !browser.source().contains("id=\"form-budget\""),
        "only the county sets budgets"
    );
    browser.click("#link-findings");
    browser.wait_for("check-runs");
    assert!(
        browser.source().contains("发放后自动核查"),
        "the demo's payment runs were checked"
    );
    exports_excel(&browser, "#export-findings");
    // The demo county files one bank account for two households: the auditor works it.
    browser.click(".finding-link");
    browser.wait_for("form-assign");
    assert!(
        browser
            .text("#finding-explanation")
            .contains("同时登记为户")
    );
    browser.click("#assign-submit");
    browser.wait_for("finding-notes");
    assert_eq!(browser.text("#finding-state"), "核查中");
    assert!(browser.text("#finding-assignee").contains("牟红"));
    browser.fill("#note-text", "已电话联系两户，约定入户核实");
    browser.click("#note-submit");
    browser.wait_for("约定入户核实");
    choose(&browser, "#move-to", "dismissed");
    browser.fill("#move-note", "两户为母女，女儿代管账户，已更正为各自账户");
    browser.click("#move-submit");
    browser.wait_for("已更正为各自账户");
    assert_eq!(browser.text("#finding-state"), "不属实");
    assert!(
        !browser.source().contains("id=\"form-move\""),
        "a closed finding takes no more conclusions"
    );
    let finding = browser.url();
    browser.go(&format!("{base}/funds/payments"));
    browser.wait_for("page-head");
    exports_excel(&browser, "#export-payments");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        for page in ["/funds", "/funds/payments", "/funds/findings"] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            assert!(fits(&browser), "{page} fits {width} px");
            browser.screenshot(&format!("funds{}-{width}", page.replace('/', "-")));
        }
        browser.go(&finding);
        browser.wait_for("finding-notes");
        assert!(fits(&browser), "the finding fits {width} px");
        browser.screenshot(&format!("funds-finding-{width}"));
    }
}

#[test]
fn in_real_chromium_the_county_reads_the_dashboard_charts_over_their_tables_and_downloads_a_ledger_on_a_desktop_and_a_phone()
 {
    if !browser_enabled() {
        return;
    }
    let db = TestDb::sqlite("browser-dashboard");
    let dir = TempDir::new("browser-dashboard");
    let server = Server::start_demo(&db, 60, &dir.0);
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    log_in(&browser, &base, "xianminzheng");
    browser.resize(1280, 900);
    browser.go(&format!("{base}/"));
    browser.menu("#nav-dashboard");
    browser.wait_for("table-kpis");
    // The demo county's year of payments is on the dashboard, and every chart is drawn.
    browser.wait_for("chart-drawn");
    let drawn = |browser: &Browser| {
        browser.execute(
            "return [document.querySelectorAll('[data-chart]').length, \
             document.querySelectorAll('[data-chart] canvas').length];",
        )
    };
    let counts = drawn(&browser);
    assert_eq!(counts[0], json!(5), "{counts}");
    assert!(counts[1].as_u64().unwrap_or(0) >= 5, "{counts}");
    exports_excel(&browser, "#export-categories");
    exports_excel(&browser, "#export-kpis");
    browser.menu("#nav-guarantees");
    browser.wait_for("table-guarantees");
    browser.wait_for("chart-drawn");
    exports_excel(&browser, "#export-guarantees");
    browser.menu("#nav-ledgers");
    browser.wait_for("id=\"ledgers\"");
    exports_excel(&browser, "#ledger-1");
    exports_excel(&browser, "#ledger-2");
    for width in [1280, 390] {
        browser.resize(width, if width < 500 { 844 } else { 900 });
        for page in ["/dashboard", "/dashboard/guarantees", "/ledgers"] {
            browser.go(&format!("{base}{page}"));
            browser.wait_for("page-head");
            if page != "/ledgers" {
                browser.wait_for("chart-drawn");
                let visible = browser.execute(
                    "var t = document.querySelector('table.data'); \
                     var c = document.querySelector('[data-chart] canvas'); \
                     return [t.getBoundingClientRect().height > 0, \
                             c !== null && c.getBoundingClientRect().width > 0 \
                               && c.getBoundingClientRect().width <= window.innerWidth];",
                );
                assert_eq!(visible, json!([true, true]), "{page} at {width} px");
            }
            assert!(fits(&browser), "{page} fits {width} px");
            browser.screenshot(&format!("dashboard{}-{width}", page.replace('/', "-")));
        }
    }
    let console = browser.console();
    assert!(
        !console
            .iter()
            .any(|m| m.contains("Content Security Policy")),
        "{console:?}"
    );
}
