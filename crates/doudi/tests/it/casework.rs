//! A case against the real server on both databases: application to approval through the API,
//! the public notice page without login, then the month's payment run and bank file from the
//! command line, twice, paying once.

use doudi_exchange::write::OutCell;
use doudi_exchange::{Table, to_xlsx};

use crate::support::{
    Server, TEST_KEY, TempDir, TestDb, doudi, doudi_with, form_encode, request, text,
};

/// Runs the command line against the database the demo server made: on SQLite with the key
/// file the demo wrote beside it, on PostgreSQL with the test key the server was given.
/// `cli` on a given day (`DOUDI_TODAY`).
fn cli_on(db: &TestDb, args: &[&str], today: &str) -> std::process::Output {
    match db.url.strip_prefix("sqlite://") {
        Some(path) => {
            let key = std::path::Path::new(path).with_extension("key");
            doudi_with(
                db,
                args,
                &[
                    ("DOUDI_KEY_FILE", key.to_str().unwrap()),
                    ("DOUDI_TODAY", today),
                ],
            )
        }
        None => doudi_with(db, args, &[("DOUDI_KEY", TEST_KEY), ("DOUDI_TODAY", today)]),
    }
}

pub(crate) fn cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    match db.url.strip_prefix("sqlite://") {
        Some(path) => {
            let key = std::path::Path::new(path).with_extension("key");
            doudi_with(db, args, &[("DOUDI_KEY_FILE", key.to_str().unwrap())])
        }
        None => doudi(db, args),
    }
}

pub(crate) fn login(addr: &str, username: &str) -> (String, String) {
    let body = format!(
        "username={}&password={}",
        form_encode(username),
        form_encode("doudi2019")
    );
    let r = request(
        addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &body,
    );
    let cookie = r.cookie("doudi_session").expect("a session cookie");
    let me = request(addr, "GET", "/api/me", &[("Cookie", &cookie)], "");
    let csrf = serde_json::from_str::<serde_json::Value>(&me.body).unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    (cookie, csrf)
}

pub(crate) fn call(
    addr: &str,
    session: &(String, String),
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = request(
        addr,
        method,
        path,
        &[
            ("Cookie", &session.0),
            ("X-CSRF-Token", &session.1),
            ("Content-Type", "application/json"),
        ],
        &if method == "GET" {
            String::new()
        } else {
            body.to_string()
        },
    );
    let json = serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null);
    (r.status, json)
}

#[test]
fn a_case_goes_from_application_to_its_first_payment_and_a_review_to_exit_against_the_real_server()
{
    for db in TestDb::all("casework") {
        let dir = TempDir::new("casework");
        let (h, id, version, community) = {
            let server = Server::start_demo_with(&db, 80, &dir.0, &[("DOUDI_TODAY", "2026-11-02")]);
            let addr = server.addr.clone();
            let township = login(&addr, "qinglong");
            let (status, list) = call(
                &addr,
                &township,
                "GET",
                "/api/households?township=500235002",
                serde_json::Value::Null,
            );
            assert_eq!(status, 200);
            // A dibao household that qualifies this month.
            let row = list["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| {
                    let (_, e) = call(
                        &addr,
                        &township,
                        "GET",
                        &format!("/api/households/{}/entitlement", row["id"]),
                        serde_json::Value::Null,
                    );
                    e["eligible"] == true && e["program"] == "dibao"
                })
                .expect("the demo township has a qualifying dibao household")
                .clone();
            let h = row["id"].as_i64().unwrap();
            let community = row["community"].as_str().unwrap().to_owned();
            let (_, record) = call(
                &addr,
                &township,
                "GET",
                &format!("/api/households/{h}"),
                serde_json::Value::Null,
            );
            if record["surveys"].as_array().unwrap().is_empty() {
                let (status, _) = call(
                    &addr,
                    &township,
                    "POST",
                    &format!("/api/households/{h}/surveys"),
                    serde_json::json!({
                    "version": record["version"], "survey": {"family_situation": "清", "poverty_cause": "清",
                    "help_needed": "清", "surveyed_by": "陈静", "surveyed_on": "2026-11-01"}}),
                );
                assert_eq!(status, 201);
            }
            let (status, case) = call(
                &addr,
                &township,
                "POST",
                &format!("/api/households/{h}/cases"),
                serde_json::json!({"case_type": "dibao"}),
            );
            assert_eq!(status, 201, "{case}");
            let id = case["id"].as_i64().unwrap();
            let mut version = case["version"].as_i64().unwrap();
            for step in [
                serde_json::json!({"op": "accept"}),
                serde_json::json!({"op": "investigate", "visited_on": "2026-11-02", "visit_notes": "入户核实", "finances_reference": "HD-1"}),
                serde_json::json!({"op": "appraise", "held_on": "2026-11-02", "conclusion": "同意"}),
                serde_json::json!({"op": "township_opinion", "recommend": true, "opinion": "同意上报"}),
                serde_json::json!({"op": "start_notice", "from": "2026-11-02"}),
            ] {
                let (status, c) = call(
                    &addr,
                    &township,
                    "POST",
                    &format!("/api/cases/{id}/steps"),
                    serde_json::json!({"version": version, "step": step}),
                );
                assert_eq!(status, 200, "{step}: {c}");
                version = c["version"].as_i64().unwrap();
            }
            let notice = request(&addr, "GET", &format!("/notices/{community}"), &[], "");
            assert_eq!(notice.status, 200);
            assert!(
                notice.body.contains(&format!("id=\"notice-{id}\""))
                    && notice.body.contains("2026-11-08")
            );
            let county = login(&addr, "xianminzheng");
            let (status, refusal) = call(
                &addr,
                &county,
                "POST",
                &format!("/api/cases/{id}/approve"),
                serde_json::json!({"version": version}),
            );
            assert_eq!(status, 422, "{refusal}");
            (h, id, version, community)
        };
        assert!(!community.is_empty());

        // A week later the notice is over and the county decides.
        let later = TempDir::new("casework-later");
        let server = Server::start_demo_with(&db, 80, &later.0, &[("DOUDI_TODAY", "2026-11-10")]);
        let addr = server.addr.clone();
        let county = login(&addr, "xianminzheng");
        let (status, approval) = call(
            &addr,
            &county,
            "POST",
            &format!("/api/cases/{id}/approve"),
            serde_json::json!({"version": version}),
        );
        assert_eq!(status, 200, "{approval}");
        let monthly = approval["monthly_fen"].as_i64().unwrap();
        let (_, periods) = call(
            &addr,
            &county,
            "GET",
            &format!("/api/households/{h}/entitlements"),
            serde_json::Value::Null,
        );
        assert_eq!(periods[0]["from_month"], "2026-11");
        drop(server);

        let bank = dir.path("bank.csv");
        let out = cli(
            &db,
            &[
                "pay",
                "--month",
                "2026-11",
                "--export",
                bank.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("1 new payment lines"),
            "{}",
            text(&out.stdout)
        );
        let file = std::fs::read_to_string(&bank).unwrap();
        assert_eq!(file.lines().count(), 3, "{file}");
        let yuan = doudi_core::Money::from_fen(monthly).to_yuan_string();
        assert!(file.contains(&yuan));
        // The last row carries the count and the total for the bank to check.
        assert_eq!(
            file.lines().last().unwrap(),
            format!("合计,1笔,,,,{yuan},"),
            "{file}"
        );
        let no_temporary = std::fs::read_dir(&dir.0)
            .unwrap()
            .filter_map(|e| e.ok())
            .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp"));
        assert!(no_temporary, "the export leaves no temporary file");
        // The bank sends the file back with its results, trailer included: the trailer is
        // not a line.
        let line = file
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_owned();
        let results = dir.path("results.csv");
        let send_results = |content: String| {
            std::fs::write(&results, content).unwrap();
            cli(
                &db,
                &[
                    "pay",
                    "--month",
                    "2026-11",
                    "--results",
                    results.to_str().unwrap(),
                ],
            )
        };
        // A file with one good and two bad rows is refused whole, each bad row named.
        let out = send_results(format!(
            "名册编号,结果,失败原因\n{line},失败,账户已销户\n{line},成功,\nx,成功,\n"
        ));
        assert!(!out.status.success());
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("第3行「名册编号」列") && stderr.contains("第4行「名册编号」列"),
            "{stderr}"
        );
        let out = send_results(format!("名册编号,结果,失败原因\n{line},成功,\n合计,1笔,\n"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("1 of 1 lines settled"),
            "{}",
            text(&out.stdout)
        );
        let out = cli(&db, &["pay", "--month", "2026-11"]);
        assert!(
            text(&out.stdout).contains("0 new payment lines (0.00 yuan), 1 already there"),
            "{}",
            text(&out.stdout)
        );

        // In December the head earns wages; a review ends the entitlement and says what stops.
        let december = TempDir::new("casework-december");
        let server =
            Server::start_demo_with(&db, 80, &december.0, &[("DOUDI_TODAY", "2026-12-03")]);
        let addr = server.addr.clone();
        let township = login(&addr, "qinglong");
        let (_, record) = call(
            &addr,
            &township,
            "GET",
            &format!("/api/households/{h}"),
            serde_json::Value::Null,
        );
        let head = record["members"][0]["id"].as_i64().unwrap();
        let mut version = record["version"].as_i64().unwrap();
        for m in 6..=11 {
            let (status, reply) = call(
                &addr,
                &township,
                "POST",
                &format!("/api/households/{h}/finances"),
                serde_json::json!({"version": version, "change": {"op": "put_income",
                    "person_id": head, "month": format!("2026-{m:02}"), "kind": "wages",
                    "amount_fen": 900_000}}),
            );
            assert_eq!(status, 200, "{reply}");
            version = reply["version"].as_i64().unwrap();
        }
        let (_, periods) = call(
            &addr,
            &township,
            "GET",
            &format!("/api/households/{h}/entitlements"),
            serde_json::Value::Null,
        );
        let open = periods
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["until_month"].is_null())
            .expect("an open entitlement period")["id"]
            .as_i64()
            .unwrap();
        let (status, review) = call(
            &addr,
            &township,
            "POST",
            &format!("/api/entitlements/{open}/review"),
            serde_json::json!({"household_id": h}),
        );
        assert_eq!(status, 200, "{review}");
        assert_eq!(review["result"], "exit", "{review}");
        assert_eq!(
            review["needs_sign_off"], true,
            "the township's exit waits: {review}"
        );
        let proposal = review["proposal_id"].as_i64().unwrap();
        let county = login(&addr, "xianminzheng");
        let (status, review) = call(
            &addr,
            &county,
            "POST",
            &format!("/api/review-proposals/{proposal}/decision"),
            serde_json::json!({"household_id": h, "approve": true}),
        );
        assert_eq!(status, 200, "{review}");
        assert_eq!(review["result"], "exit", "{review}");
        assert!(
            !review["stopped"]["entitlements"]
                .as_array()
                .unwrap()
                .is_empty(),
            "the exit lists what stops: {review}"
        );
        drop(server);
        let out = cli_on(&db, &["pay", "--month", "2027-01"], "2026-12-20");
        assert!(!out.status.success(), "January 2027 has not come yet");
        assert!(
            text(&out.stderr).contains("尚未到来"),
            "{}",
            text(&out.stderr)
        );
        let out = cli_on(&db, &["pay", "--month", "2027-01"], "2027-01-05");
        assert!(
            text(&out.stdout).contains("0 new payment lines"),
            "nothing is paid after the exit: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn a_rural_registry_file_is_imported_sealed_and_a_bad_number_is_named_by_its_line() {
    for db in TestDb::all("rural") {
        let dir = TempDir::new("rural");
        let file = dir.path("rural.csv");
        std::fs::write(&file, "姓名,身份证号码,所在村\n张某,500235195612150133,龙角镇某村\n李某,11010519491231002X,外县\n").unwrap();
        let out = doudi(
            &db,
            &[
                "rural",
                "import",
                file.to_str().unwrap(),
                "--source",
                "2026年农村建档立卡名单",
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("2 people"),
            "{}",
            text(&out.stdout)
        );
        std::fs::write(&file, "姓名,身份证号码\n张某,500235195612150134\n").unwrap();
        let out = doudi(&db, &["rural", "import", file.to_str().unwrap()]);
        assert!(!out.status.success());
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("第2行「身份证号码」列") && !stderr.contains("500235195612150134"),
            "{stderr}"
        );

        // The rural office may send XLSX: a repeated person is counted once and said so; bad
        // rows are each named and nothing is replaced.
        let cell = |s: &str| OutCell::Text(s.to_owned());
        let sheet = |rows: &[&str]| Table {
            headers: vec!["身份证号".into()],
            rows: rows.iter().map(|r| vec![cell(r)]).collect(),
        };
        let xlsx = dir.path("rural.xlsx");
        let good = ["500235195612150133", "500235195612150133"];
        std::fs::write(&xlsx, to_xlsx(&sheet(&good), false).unwrap()).unwrap();
        let out = doudi(&db, &["rural", "import", xlsx.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("1 people") && stdout.contains("1 repeated rows counted once"),
            "{stdout}"
        );
        let bad = ["123", "500235195612150133", "50023519561215013"];
        std::fs::write(&xlsx, to_xlsx(&sheet(&bad), false).unwrap()).unwrap();
        let out = doudi(&db, &["rural", "import", xlsx.to_str().unwrap()]);
        assert!(!out.status.success());
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("2行有误")
                && stderr.contains("第2行「身份证号」列")
                && stderr.contains("第4行「身份证号」列"),
            "{stderr}"
        );
    }
}

#[test]
fn a_department_file_from_the_command_line_is_kept_once_and_a_bad_file_or_kind_is_named() {
    let db = TestDb::sqlite("feed_cli");
    let dir = TempDir::new("feed_cli");
    let file = dir.path("vehicles.csv");
    std::fs::write(
        &file,
        "记录编号,姓名,身份证号码,登记日期,车辆价格\nV1,张某,500235195612150133,2026-10-01,80000\n",
    )
    .unwrap();
    let feed = ["feed", "--kind", "vehicle", file.to_str().unwrap()];
    let out = doudi(&db, &feed);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 records"),
        "{}",
        text(&out.stdout)
    );
    let again = doudi(&db, &feed);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("imported before"),
        "{}",
        text(&again.stdout)
    );

    let out = doudi(&db, &["feed", "--kind", "cars", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--kind cars") && stderr.contains("vehicle"),
        "{stderr}"
    );

    // A bad date is named by its row and column, and nothing of the file is kept.
    let bad = dir.path("bad.csv");
    std::fs::write(
        &bad,
        "记录编号,姓名,身份证号码,登记日期,车辆价格\nV2,李某,500235195612150133,某日,80000\n",
    )
    .unwrap();
    let out = doudi(&db, &["feed", "--kind", "vehicle", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("第2行") && stderr.contains("登记日期"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("500235195612150133"),
        "no identity number in the error: {stderr}"
    );
}
