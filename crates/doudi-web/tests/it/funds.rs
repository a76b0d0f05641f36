//! Funds supervision over HTTP (5.2): the payment run records the month's findings; auditors
//! run the checks, assign, note and close findings, and everyone else is refused; the county
//! sets budgets; every list has its Excel.

use axum::http::{Method, StatusCode};
use doudi_core::casework::ReviewClass;
use doudi_core::{BankAccount, Category, HouseholdId, Month};
use doudi_store::casework::ImportedEntitlement;
use serde_json::json;

use crate::support::*;

/// Zhang's and Wang's households get one bank account and dibao from January 2026.
async fn sharing_an_account(app: &App) {
    for h in [app.zhang, app.wang] {
        let record = app.store.household(&system(), h).await.unwrap();
        let mut fields = record.household.fields.clone();
        fields.bank_account = Some(BankAccount::parse("6222020200112233445").unwrap());
        app.store
            .update_household(&system(), h, record.household.version, &fields)
            .await
            .unwrap();
    }
    let entry = |household: HouseholdId| ImportedEntitlement {
        household,
        program: Category::Dibao,
        monthly_fen: 62_000,
        from: Month::new(2026, 1).unwrap(),
        review_class: ReviewClass::Stable,
        next_review: today(),
        reference: "云民发〔2025〕1号".into(),
    };
    app.store
        .import_entitlements(&system(), &[entry(app.zhang), entry(app.wang)])
        .await
        .unwrap();
}

#[tokio::test]
async fn the_payment_run_records_its_findings_and_running_the_checks_again_adds_none() {
    let app = App::new().await;
    sharing_an_account(&app).await;
    let county = app.login(COUNTY).await;
    let run = app
        .json(
            Some(&county),
            Method::POST,
            "/api/payments/2026-11",
            &json!({}),
        )
        .await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    let auditor = app.login(AUDITOR).await;
    let findings = app
        .get(Some(&auditor), "/api/funds/findings?month=2026-11")
        .await
        .json();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(findings.iter().all(|f| f["check"] == "shared_account"));
    assert!(
        findings[0]["explanation"]
            .as_str()
            .unwrap()
            .contains("银行账户****3445同时登记为户QL-0001、RH-0001的收款账户")
    );
    let again = app
        .json(
            Some(&auditor),
            Method::POST,
            "/api/funds/checks",
            &json!({"month": "2026-11"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        (
            again.json()["found"].as_i64(),
            again.json()["added"].as_i64()
        ),
        (Some(2), Some(0))
    );
    let page = app.get(Some(&auditor), "/funds/findings").await;
    assert!(
        page.body.contains("发放后自动核查"),
        "the run's checks are listed"
    );
    assert!(page.body.contains("多户共用银行账户"));
    // A township reads its own township's finding only.
    let renhe = app.login(RENHE_CASEWORKER).await;
    let theirs = app.get(Some(&renhe), "/api/funds/findings").await.json();
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_eq!(theirs[0]["household_number"], "RH-0001");
    let page = app.get(Some(&renhe), "/funds/findings").await;
    assert!(
        page.body
            .contains("href=\"/funds/findings\" id=\"nav-funds\""),
        "the township's menu leads to its findings"
    );
    assert!(
        !page.body.contains("href=\"/funds\""),
        "not to the county's funds page"
    );
    assert!(
        !page.body.contains("form-checks"),
        "a township does not run the checks"
    );
    // The lines are traced to their decisions.
    let traced = app
        .get(Some(&auditor), "/api/funds/payments?month=2026-11")
        .await
        .json();
    assert_eq!(traced.as_array().unwrap().len(), 2);
    assert!(
        traced
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["traced"] == true && t["decision_id"].is_i64())
    );
    let month = app
        .get(Some(&auditor), "/funds/payments?month=2026-11")
        .await;
    assert!(month.body.contains("原系统结转"), "{}", month.body);
}

#[tokio::test]
async fn auditors_work_findings_and_everyone_else_is_refused() {
    let app = App::new().await;
    sharing_an_account(&app).await;
    let county = app.login(COUNTY).await;
    app.json(
        Some(&county),
        Method::POST,
        "/api/payments/2026-11",
        &json!({}),
    )
    .await;
    let auditor = app.login(AUDITOR).await;
    let list = app.get(Some(&auditor), "/api/funds/findings").await.json();
    let id = list[0]["id"].as_i64().unwrap();
    let my_id = app
        .store
        .auditors(&system())
        .await
        .unwrap()
        .into_iter()
        .find(|(_, name)| name == "审计员")
        .unwrap()
        .0;
    let path = format!("/api/funds/findings/{id}");

    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    for (client, action) in [
        (&county, json!({"action": "assign", "assignee_id": my_id})),
        (
            &county,
            json!({"action": "dismissed", "note": "县局不能结案"}),
        ),
        (&qinglong, json!({"action": "note", "note": "看过"})),
    ] {
        let reply = app.json(Some(client), Method::POST, &path, &action).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{action}: {}",
            reply.body
        );
    }
    let assigned = app
        .json(
            Some(&auditor),
            Method::POST,
            &path,
            &json!({"action": "assign", "assignee_id": my_id, "note": "本人核查"}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.json()["state"], "investigating");
    let noted = app
        .json(
            Some(&county),
            Method::POST,
            &path,
            &json!({"action": "note", "note": "两户系亲属"}),
        )
        .await;
    assert_eq!(
        noted.status,
        StatusCode::OK,
        "the county notes: {}",
        noted.body
    );
    let no_reason = app
        .json(
            Some(&auditor),
            Method::POST,
            &path,
            &json!({"action": "confirmed"}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("须写明理由"), "{}", no_reason.body);
    let closed = app
        .json(
            Some(&auditor),
            Method::POST,
            &path,
            &json!({"action": "confirmed", "note": "确属同一人代领，追回"}),
        )
        .await;
    assert_eq!(closed.json()["state"], "confirmed");
    let detail = app.get(Some(&auditor), &path).await.json();
    let notes: Vec<&str> = detail["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        vec!["本人核查", "两户系亲属", "确属同一人代领，追回"]
    );
    // The form route: a caseworker's post is refused before anything is read.
    let form = app
        .post_form(
            &qinglong,
            &format!("/funds/findings/{id}"),
            &[("action", "note"), ("note", "x")],
        )
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_county_sets_budgets_with_history_and_an_auditor_cannot() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let auditor = app.login(AUDITOR).await;
    let refused = app
        .json(
            Some(&auditor),
            Method::POST,
            "/api/funds/budgets",
            &json!({"program": "dibao", "year": 2026, "amount_fen": 100}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = app
        .post_form(
            &county,
            "/funds/budgets",
            &[("program", "x"), ("year", "2026"), ("amount_yuan", "-5")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请选择发放项目"), "{}", bad.body);
    let set = app
        .post_form(
            &county,
            "/funds/budgets",
            &[
                ("program", "dibao"),
                ("year", "2026"),
                ("amount_yuan", "1000"),
                ("note", "年初预算"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let funds = app.get(Some(&auditor), "/api/funds?year=2026").await.json();
    assert_eq!(funds["programmes"][0]["budget_fen"], 100_000);
    assert_eq!(funds["history"][0]["set_by"], "县局审批员");
    let page = app.get(Some(&auditor), "/funds?year=2026").await;
    assert!(page.body.contains("¥1,000.00") && page.body.contains("年初预算"));
    assert!(
        !page.body.contains("form-budget"),
        "an auditor sees no budget form"
    );
}

#[tokio::test]
async fn every_funds_list_exports_as_excel() {
    let app = App::new().await;
    sharing_an_account(&app).await;
    let county = app.login(COUNTY).await;
    app.json(
        Some(&county),
        Method::POST,
        "/api/payments/2026-11",
        &json!({}),
    )
    .await;
    let auditor = app.login(AUDITOR).await;
    for path in [
        "/funds.xlsx?year=2026",
        "/funds/payments.xlsx?month=2026-11",
        "/funds/findings.xlsx?check=shared_account",
    ] {
        let reply = app.get(Some(&auditor), path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.raw.starts_with(b"PK"), "{path} is an XLSX file");
    }
    let bad = app
        .get(Some(&auditor), "/funds/payments.xlsx?month=2026-13")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
