//! Inspections, the public disclosure and reports from the public over HTTP (5.4): the
//! disclosure adds up the month's paid lines and shows no full name or identity number, on the
//! page, in Excel or as JSON; the public report form names each bad field, is throttled and
//! refuses a cross-site post; a report is handled by the auditor and its reply shown on the
//! receipt page; a plan's finding becomes a township's rectification task, overdue in red.

use axum::http::{Method, StatusCode};
use doudi_store::casework::Settlement;

use crate::casework::{day, zhang_approved_and_april_paid};
use crate::support::*;

fn april() -> doudi_core::Month {
    doudi_core::Month::new(2026, 4).unwrap()
}

#[tokio::test]
async fn the_disclosure_adds_up_the_paid_lines_and_shows_no_full_name_or_identity_number() {
    let (app, fen) = zhang_approved_and_april_paid().await;
    // Not yet paid by the bank: not disclosed.
    let unpaid = app.get(None, "/disclosure/500235002/2026-04").await;
    assert_eq!(unpaid.status, StatusCode::NOT_FOUND);
    let lines = app.store.payments(&system(), april()).await.unwrap();
    let settled: Vec<Settlement> = lines
        .iter()
        .map(|l| Settlement {
            payment: l.id,
            failure: None,
        })
        .collect();
    app.store
        .settle_payments(&system(), april(), &settled)
        .await
        .unwrap();

    let page = app.get(None, "/disclosure/500235002/2026-04").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let yuan = doudi_core::Money::from_fen(fen).to_string();
    assert!(page.body.contains("张*丰"), "{}", page.body);
    assert!(page.body.contains(&yuan), "{yuan} in {}", page.body);
    let full_id = id_number((1956, 12, 15), 13);
    for secret in ["张三丰", "张小明", full_id.as_str()] {
        assert!(!page.body.contains(secret), "{secret} shown");
    }
    assert!(page.body.contains(&full_id.masked()));

    let xlsx = app
        .get(None, "/disclosure/500235002/2026-04/list.xlsx")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let sheet = doudi_exchange::read::read_xlsx(&xlsx.raw).unwrap();
    let text = format!("{sheet:?}");
    assert!(text.contains("张*丰"), "{text}");
    for secret in ["张三丰", full_id.as_str()] {
        assert!(!text.contains(secret), "{secret} in the Excel");
    }

    let json = app
        .get(None, "/api/disclosure/500235002/2026-04")
        .await
        .json();
    assert_eq!(json["dibao_fen"], fen);
    assert_eq!(json["dibao_households"], 1);
    assert_eq!(json["rows"][0]["head"], "张*丰");
    let renhe = app
        .get(None, "/api/disclosure/500235003/2026-04")
        .await
        .json();
    assert_eq!(renhe["dibao_households"], 0, "another township's line");
    let index = app.get(None, "/disclosure").await;
    assert!(index.body.contains("2026-04"), "{}", index.body);
    assert_eq!(
        app.get(None, "/disclosure/500235002/2026-05").await.status,
        StatusCode::NOT_FOUND,
        "a month not paid"
    );
}

fn report_fields(text: &str) -> Vec<(&str, &str)> {
    vec![
        ("township", QINGLONG),
        ("community", QINGLONG_1),
        ("household_ref", "张*丰"),
        ("category", "ineligible"),
        ("text", text),
        ("contact", "13800000000"),
    ]
}

#[tokio::test]
async fn the_public_report_form_names_bad_fields_refuses_other_sites_and_is_throttled() {
    let app = App::new().await;
    let bad = app
        .send(form_request(
            Method::POST,
            "/disclosure/report",
            None,
            &[("township", "青龙"), ("category", "x"), ("text", "短")],
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for words in [
        "乡镇（街道）：请选择乡镇（街道）",
        "举报类别",
        "举报内容：至少10个字",
    ] {
        assert!(bad.body.contains(words), "{words}: {}", bad.body);
    }
    let mut cross = form_request(
        Method::POST,
        "/disclosure/report",
        None,
        &report_fields("该户有车有房，不符合低保条件。"),
    );
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(app.send(cross).await.status, StatusCode::FORBIDDEN);
    let long = "很".repeat(3_000);
    let too_long = app
        .send(form_request(
            Method::POST,
            "/disclosure/report",
            None,
            &report_fields(&long),
        ))
        .await;
    assert!(too_long.status.is_client_error(), "{}", too_long.status);

    let mut receipts = Vec::new();
    for _ in 0..5 {
        let r = app
            .send(form_request(
                Method::POST,
                "/disclosure/report",
                None,
                &report_fields("该户有车有房，不符合低保条件。"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        receipts.push(r.location().to_owned());
    }
    let sixth = app
        .send(form_request(
            Method::POST,
            "/disclosure/report",
            None,
            &report_fields("该户有车有房，不符合低保条件。"),
        ))
        .await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(sixth.body.contains("最多提交5次"), "{}", sixth.body);
    let receipt = app.get(None, &receipts[0]).await;
    assert!(receipt.body.contains("待受理"), "{}", receipt.body);
    assert!(
        !receipt.body.contains("13800000000"),
        "the contact stays inside"
    );
}

#[tokio::test]
async fn the_auditor_closes_a_report_and_the_receipt_page_shows_the_reply() {
    let app = App::new().await;
    let filed = app
        .send(form_request(
            Method::POST,
            "/disclosure/report",
            None,
            &report_fields("该户家中有两套住房，不应享受低保。"),
        ))
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let receipt_uri = filed.location().to_owned();
    let auditor = app.login(AUDITOR).await;
    let list = app.get(Some(&auditor), "/api/reports").await.json();
    let id = list[0]["id"].as_i64().unwrap();
    let renhe = app.login(RENHE_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&renhe), "/api/reports").await.json(),
        serde_json::json!([])
    );
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&qinglong), &format!("/reports/{id}"))
            .await
            .status,
        StatusCode::OK,
        "the township reads reports about it"
    );
    let out_of_turn = app
        .post_form(
            &auditor,
            &format!("/reports/{id}"),
            &[("action", "founded"), ("note", "属实")],
        )
        .await;
    assert_eq!(out_of_turn.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(out_of_turn.body.contains("待受理"), "{}", out_of_turn.body);
    for (action, note) in [
        ("accept", "转青龙街道核查"),
        ("founded", "经核实属实，已停发。"),
    ] {
        let r = app
            .post_form(
                &auditor,
                &format!("/reports/{id}"),
                &[("action", action), ("note", note)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let receipt = app.get(None, &receipt_uri).await;
    assert!(
        receipt.body.contains("经核实属实，已停发。"),
        "{}",
        receipt.body
    );
    assert!(receipt.body.contains("属实（已办结）"), "{}", receipt.body);
    assert!(
        !receipt.body.contains("转青龙街道核查"),
        "no internal notes"
    );
    let xlsx = app.get(Some(&auditor), "/reports.xlsx").await;
    assert!(xlsx.raw.starts_with(b"PK"));
}

#[tokio::test]
async fn a_finding_becomes_a_township_task_that_turns_red_when_overdue() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let r = app
        .post_form(
            &county,
            "/inspections",
            &[
                ("kind", "concentrated"),
                ("title", "第四季度集中督查"),
                ("starts_on", "2026-11-01"),
                ("ends_on", "2026-11-30"),
                ("inspectors", "县民政局督查组"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan = r.location().to_owned();
    let bad = app
        .post_form(
            &county,
            "/inspections",
            &[("kind", "x"), ("ends_on", "昨天")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("督查类型") && bad.body.contains("结束日期"),
        "{}",
        bad.body
    );
    let zhang = app.zhang.0.to_string();
    let r = app
        .post_form(
            &county,
            &format!("{plan}/findings"),
            &[
                ("household", &zhang),
                ("category", "weak_help"),
                ("severity", "minor"),
                ("text", "结对干部三个月未走访"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan_id = plan.trim_start_matches("/inspections/").to_owned();
    let detail = app
        .get(Some(&county), &format!("/api/inspections/{plan_id}"))
        .await
        .json();
    let finding = detail["findings"][0]["id"].as_i64().unwrap();
    let r = app
        .post_form(
            &county,
            &format!("/inspections/findings/{finding}/tasks"),
            &[
                ("plan", &plan_id),
                ("township", QINGLONG),
                ("unit", "青龙街道民政办"),
                ("deadline", "2026-12-05"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let page = app.get(Some(&qinglong), "/rectifications").await;
    assert!(page.body.contains("逾期未销号 0 项"), "{}", page.body);
    app.clock.set_today(day(2026, 12, 10));
    // Sessions end with the days gone by: everyone logs in again.
    let county = app.login(COUNTY).await;
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let page = app.get(Some(&qinglong), "/rectifications").await;
    assert!(page.body.contains("逾期未销号 1 项"), "{}", page.body);
    assert!(
        page.body.contains("class=\"panel overdue\""),
        "{}",
        page.body
    );
    let renhe = app.login(RENHE_CASEWORKER).await;
    let other = app.get(Some(&renhe), "/rectifications").await;
    assert!(
        other.body.contains("没有整改任务"),
        "{} {}",
        other.status,
        other.body
    );
    assert_eq!(
        app.get(Some(&qinglong), "/inspections").await.status,
        StatusCode::FORBIDDEN,
        "a township answers tasks but does not read plans"
    );
    let tasks = app.get(Some(&qinglong), "/api/rectifications").await.json();
    let task = tasks[0]["id"].as_i64().unwrap();
    assert_eq!(tasks[0]["overdue"], true);
    let r = app
        .post_form(
            &qinglong,
            &format!("/rectifications/{task}"),
            &[("action", "verify"), ("note", "自行销号")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("督查人员"), "{}", r.body);
    let r = app
        .post_form(
            &qinglong,
            &format!("/rectifications/{task}"),
            &[("action", "submit"), ("note", "已安排干部入户走访")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &county,
            &format!("/rectifications/{task}"),
            &[("action", "verify"), ("note", "核验属实")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(Some(&qinglong), "/rectifications").await;
    assert!(
        page.body.contains("逾期未销号 0 项") && page.body.contains("已销号"),
        "{}",
        page.body
    );
}
