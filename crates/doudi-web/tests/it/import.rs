//! Importing a household file in the browser: upload, progress, every bad row with its column,
//! the error file, all or nothing or the good households only, the scope, and the CSRF check.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::support::*;

const HEADER: &str = "户编号,乡镇（街道）,社区,救助类别,纳入日期,住址,住房情况,姓名,身份证号码,与户主关系,残疾类别,残疾等级,工资性收入:2026-09,工资性收入:2026-10";

/// Two good households of 复兴社区 (the first of two people) and, when `bad`, a third with a
/// wrong check digit and a fourth in a community of another township.
fn file(bad: bool) -> String {
    let mut csv = format!(
        "{HEADER}\n\
         W1,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,张一,500235198001011234,户主,,,1200,1100\n\
         W1,,,,,,,王一,500235198203050020,配偶,肢体,二级,,\n\
         W2,青龙街道,复兴社区,城市低保,2024-03-01,复兴路2号,自有住房,李二,500235198001011250,户主,,,800,800\n"
    );
    if bad {
        csv.push_str(
            "W3,青龙街道,复兴社区,城市低保,2024-03-01,复兴路3号,自有住房,赵三,500235198001011235,户主,,,,\n\
             W4,人和街道,人和社区,城市低保,2024-03-01,人和路4号,自有住房,钱四,500235195001010035,户主,,,,\n",
        );
    }
    csv
}

fn multipart(
    client: &Client,
    csrf: Option<&str>,
    file_name: &str,
    content: &[u8],
    mode: &str,
) -> Request<Body> {
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--B0undary\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    if let Some(token) = csrf {
        text("_csrf", token);
    }
    text("mode", mode);
    body.extend_from_slice(
        format!(
            "--B0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n--B0undary--\r\n");
    Request::builder()
        .method(Method::POST)
        .uri("/households/import")
        .header(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=B0undary",
        )
        .header(header::COOKIE, format!("doudi_session={}", client.cookie))
        .body(Body::from(body))
        .unwrap()
}

/// Uploads and follows the job until it ends; returns the job's address and its last page.
async fn import(app: &App, client: &Client, content: &str, mode: &str) -> (String, Reply) {
    let started = app
        .send(multipart(
            client,
            Some(&client.csrf),
            "家庭.csv",
            content.as_bytes(),
            mode,
        ))
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let job = started.location().to_owned();
    let last = follow(app, client, &job).await;
    (job, last)
}

/// Watches the job's page until the import ends; returns its last page.
async fn follow(app: &App, client: &Client, job: &str) -> Reply {
    assert!(job.starts_with("/households/import/"), "{job}");
    for _ in 0..500 {
        let page = app.get(Some(client), job).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        if !page.body.contains("id=\"import-running\"") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the import did not finish");
}

#[tokio::test]
async fn a_caseworker_uploads_a_good_file_and_sees_the_households_it_wrote() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let form = app.get(Some(&client), "/households/import").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let before = app.household_count().await;
    let (_, done) = import(&app, &client, &file(false), "all").await;
    assert!(done.body.contains("id=\"import-done\""), "{}", done.body);
    assert!(
        done.body
            .contains("已导入 <strong>2</strong> 户、<strong>3</strong> 人")
    );
    assert_eq!(app.household_count().await, before + 2);
}

#[tokio::test]
async fn a_file_with_bad_rows_writes_nothing_and_names_each_row_and_column() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let before = app.household_count().await;
    let (job, done) = import(&app, &client, &file(true), "all").await;
    assert!(done.body.contains("id=\"import-nothing\""), "{}", done.body);
    assert!(done.body.contains("第5行"), "{}", done.body);
    assert!(done.body.contains("身份证号码"));
    assert!(done.body.contains("第6行"));
    assert!(done.body.contains("不在您的工作范围内"), "{}", done.body);
    assert_eq!(app.household_count().await, before, "nothing is written");

    let errors = app.get(Some(&client), &format!("{job}/errors.csv")).await;
    assert_eq!(errors.status, StatusCode::OK);
    assert!(
        errors.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    assert!(errors.body.contains("赵三") && errors.body.contains("钱四"));
    assert!(
        !errors.body.contains("张一"),
        "good rows are not in the error file"
    );
    let xlsx = app.get(Some(&client), &format!("{job}/errors.xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);

    // Someone else cannot see the job or its file.
    let other = app.login(RENHE_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&other), &job).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(Some(&other), &format!("{job}/errors.csv"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn only_the_good_households_are_written_when_asked() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let before = app.household_count().await;
    let (_, done) = import(&app, &client, &file(true), "good").await;
    assert!(
        done.body.contains("已导入 <strong>2</strong> 户"),
        "{}",
        done.body
    );
    assert!(done.body.contains("另有 2 行因问题未导入"), "{}", done.body);
    assert_eq!(app.household_count().await, before + 2);
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_or_of_the_wrong_kind_is_refused() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let forged = app
        .send(multipart(
            &client,
            None,
            "家庭.csv",
            file(false).as_bytes(),
            "all",
        ))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = app
        .send(multipart(
            &client,
            Some(&client.csrf),
            "家庭.pdf",
            b"%PDF-1.4",
            "all",
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("不是 .xlsx 或 .csv 文件"),
        "{}",
        wrong.body
    );
    let garbage = app
        .send(multipart(
            &client,
            Some(&client.csrf),
            "家庭.xlsx",
            b"PK\x03\x04 not really a workbook",
            "all",
        ))
        .await;
    let page = follow(&app, &client, garbage.location()).await;
    assert!(page.body.contains("id=\"import-failed\""), "{}", page.body);
}

#[tokio::test]
async fn an_auditor_cannot_import() {
    let app = App::new().await;
    let client = app.login(AUDITOR).await;
    assert_eq!(
        app.get(Some(&client), "/households/import").await.status,
        StatusCode::FORBIDDEN
    );
    let reply = app
        .send(multipart(
            &client,
            Some(&client.csrf),
            "家庭.csv",
            file(false).as_bytes(),
            "all",
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_countys_existing_caseload_is_filed_with_its_benefits_checked_confirmed_and_paid() {
    let app = App::new().await;
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    let header = format!("{HEADER},现享待遇,现享月金额,现享起始月份,原批准文号");
    let csv = format!(
        "{header}\n\
         C1,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,张一,500235198001011234,户主,,,,,城市低保,1.00,2024-03,云民〔2024〕1号\n\
         C2,青龙街道,复兴社区,城市低保,2024-03-01,复兴路2号,自有住房,李二,500235198001011250,户主,,,,,城市低保,555.00,2025-01,云民〔2025〕7号\n\
         C3,青龙街道,复兴社区,城市低保,2024-03-01,复兴路3号,自有住房,赵三,50023519330405903X,户主,,,,,城市低保,,2025-01,\n"
    );
    // A benefit filed without its amount or reference is a row error.
    let (_, bad) = import(&app, &caseworker, &csv, "all").await;
    assert!(bad.body.contains("现享月金额"), "{}", bad.body);
    let good: String = csv.lines().take(3).map(|l| format!("{l}\n")).collect();
    let (_, done) = import(&app, &caseworker, &good, "all").await;
    assert!(done.body.contains("id=\"import-carried\""), "{}", done.body);

    let county = app.login(COUNTY).await;
    let page = app.get(Some(&county), "/entitlements/carried").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("待确认 <strong>2</strong> 户"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("规则多 "),
        "the ¥1.00 claim differs: {}",
        page.body
    );
    let id_of = |number: &str| {
        let at = page.body.find(&format!(">{number}</a>")).unwrap();
        let before = &page.body[..at];
        let start = before.rfind("id=\"carried-").unwrap() + "id=\"carried-".len();
        before[start..].split('"').next().unwrap().to_owned()
    };
    let (c1, c2) = (id_of("C1"), id_of("C2"));
    let reply = app
        .post_form(
            &county,
            "/entitlements/carried",
            &[
                (&format!("basis-{c1}"), "computed"),
                (&format!("basis-{c2}"), "filed"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = app.get(Some(&county), reply.location()).await;
    assert!(page.body.contains("已确认2户"), "{}", page.body);
    assert!(page.body.contains("id=\"carried-empty\""));
    let c2_periods = app
        .get(Some(&county), &format!("/api/households/{c2}/entitlements"))
        .await
        .json();
    assert_eq!(c2_periods[0]["monthly_fen"], 55_500, "paid as filed");
    let c1_periods = app
        .get(Some(&county), &format!("/api/households/{c1}/entitlements"))
        .await
        .json();
    assert!(
        c1_periods[0]["monthly_fen"].as_i64().unwrap() > 100,
        "paid as the rules give"
    );
    // And the next run pays them.
    let roster = app.get(Some(&county), "/payments?month=2026-11").await;
    assert!(
        roster.body.contains("本次将新生成 <strong>2</strong> 笔"),
        "{}",
        roster.body
    );
}
