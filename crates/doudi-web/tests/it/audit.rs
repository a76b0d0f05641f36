//! The auditor's page and `GET /api/audit`: only auditors (and administrators) read the trail,
//! and what caseworkers look at shows up in it.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn the_auditor_finds_the_audit_page_in_the_top_bar_and_reads_it() {
    let app = App::new().await;
    let auditor = app.login(AUDITOR).await;
    let overview = app.get(Some(&auditor), "/").await;
    assert!(
        overview.body.contains(r#"href="/audit""#),
        "{}",
        overview.body
    );
    let page = app.get(Some(&auditor), "/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>审计日志</h1>"));
    assert!(page.body.contains(r#"aria-current="page">审计日志</a>"#));
    // The auditor's own login is on the first page.
    assert!(page.body.contains("登录"), "{}", page.body);
}

#[tokio::test]
async fn a_caseworker_gets_403_from_the_audit_page_and_api_and_sees_no_link() {
    let app = App::new().await;
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&caseworker), "/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(Some(&caseworker), "/api/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        !app.get(Some(&caseworker), "/")
            .await
            .body
            .contains(r#"href="/audit""#)
    );
    assert_eq!(
        app.get(None, "/api/audit").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_household_page_view_shows_up_in_the_trail_with_who_and_what() {
    let app = App::new().await;
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    let uri = format!("/households/{}", app.zhang.0);
    assert_eq!(
        app.get(Some(&caseworker), &uri).await.status,
        StatusCode::OK
    );

    let auditor = app.login(AUDITOR).await;
    let target = format!("household:{}", app.zhang.0);
    let reply = app
        .get(
            Some(&auditor),
            &format!("/api/audit?action=read&target={}", encode(&target)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    let reads: Vec<&serde_json::Value> = body["rows"].as_array().unwrap().iter().collect();
    assert!(!reads.is_empty(), "{body}");
    let latest = reads[0];
    assert_eq!(latest["actor_name"], json!(QINGLONG_CASEWORKER));
    assert_eq!(latest["actor_role"], json!("township_caseworker"));
    assert_eq!(latest["target"], json!(target));
    assert_eq!(latest["hash"].as_str().unwrap().len(), 64);

    let page = app
        .get(
            Some(&auditor),
            &format!("/audit?target={}", encode(&target)),
        )
        .await;
    assert!(
        page.body.contains(QINGLONG_CASEWORKER) && page.body.contains("查看"),
        "{}",
        page.body
    );
    // Nothing personal appears in the trail, only ids.
    assert!(!page.body.contains("张三丰"));
    // Said in words: who by name, the household by its file number, linked.
    let number = app
        .store
        .household(&system(), app.zhang)
        .await
        .unwrap()
        .household
        .fields
        .number;
    assert!(
        page.body.contains(&format!(
            "<a href=\"/households/{}\">家庭 {number}</a>",
            app.zhang.0
        )),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("青龙经办员（qinglong）"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("<td>{target}</td>")));
}

#[tokio::test]
async fn a_failed_login_is_recorded_against_the_account() {
    let app = App::new().await;
    let reply = app
        .json(
            None,
            Method::POST,
            "/api/login",
            &json!({"username": QINGLONG_CASEWORKER, "password": "wrong password"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let auditor = app.login(AUDITOR).await;
    let body = app
        .get(Some(&auditor), "/api/audit?action=login_failed")
        .await
        .json();
    assert_eq!(body["total"], json!(1), "{body}");
    assert_eq!(body["rows"][0]["actor_name"], json!(QINGLONG_CASEWORKER));
}

#[tokio::test]
async fn a_bad_date_in_the_audit_search_is_explained_on_the_page() {
    let app = App::new().await;
    let auditor = app.login(AUDITOR).await;
    let page = app.get(Some(&auditor), "/audit?from=yesterday").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("“yesterday”无效"), "{}", page.body);
    let api = app.get(Some(&auditor), "/api/audit?from=yesterday").await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_auditor_exports_the_filtered_trail_to_excel_and_a_caseworker_cannot() {
    let app = App::new().await;
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    let _ = app
        .get(Some(&caseworker), &format!("/households/{}", app.zhang.0))
        .await;
    let auditor = app.login(AUDITOR).await;
    let page = app.get(Some(&auditor), "/audit?action=login").await;
    assert!(
        page.body
            .contains("href=\"/audit/export.xlsx?action=login\""),
        "{}",
        page.body
    );
    let file = app
        .get(Some(&auditor), "/audit/export.xlsx?action=login")
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let sheet = doudi_exchange::read::read_file("x.xlsx", &file.raw).unwrap();
    assert_eq!(sheet.headers[0], "序号");
    assert!(sheet.rows.len() >= 2, "both logins");
    assert!(format!("{:?}", sheet.rows).contains("登录"));
    let refused = app.get(Some(&caseworker), "/audit/export.xlsx").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_auditor_checks_the_chain_from_the_page() {
    let app = App::new().await;
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    let _ = app
        .get(Some(&caseworker), &format!("/households/{}", app.zhang.0))
        .await;
    let auditor = app.login(AUDITOR).await;
    let page = app.get(Some(&auditor), "/audit").await;
    assert!(page.body.contains("href=\"/audit/verify\""));
    assert!(
        !page.body.contains("doudi audit verify"),
        "no command line on the page"
    );
    let checked = app.get(Some(&auditor), "/audit/verify").await;
    assert_eq!(checked.status, StatusCode::OK);
    assert!(checked.body.contains("校验通过：共"), "{}", checked.body);
    assert_eq!(
        app.get(Some(&caseworker), "/audit/verify").await.status,
        StatusCode::FORBIDDEN
    );
}
