//! "Why this amount?": the household's entitlement page and API, with explanations.

use axum::http::StatusCode;

use crate::support::*;

#[tokio::test]
async fn the_entitlement_page_explains_the_monthly_dibao_with_clauses_and_parameters() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let reply = app
        .get(
            Some(&client),
            &format!("/households/{}/entitlement", app.zhang.0),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    // Income 2026-05..10 is 1,500.50 for two people: (735 × 2 × 6 − 1,500.50) ÷ 6 = 1,219.9166… → 1,219.92.
    assert!(body.contains("每月 ¥1,219.92"), "{body}");
    assert!(body.contains("依据 2.1.a") && body.contains("依据 2.1.b"));
    assert!(body.contains("城市低保标准（元/人·月）＝¥735.00（2023-09-01起施行"));
    assert!(
        body.contains("⚠示例值，待县里确认"),
        "illustrative values are flagged"
    );
    assert!(!body.contains("style="), "no inline styles under the CSP");
}

#[tokio::test]
async fn a_member_turning_70_raises_the_next_months_amount() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    // 张三丰 turns 70 on 2026-12-15: December adds the 60-yuan classified extra.
    let reply = app
        .get(
            Some(&client),
            &format!("/api/households/{}/entitlement?month=2026-12", app.zhang.0),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let json = reply.json();
    assert_eq!(json["program"], "dibao");
    assert_eq!(json["total_fen"], 127_992);
    assert_eq!(json["extras_fen"], 6_000);
    assert!(json["explanation_text"].as_str().unwrap().contains("高龄"));
    assert_eq!(json["explanation"]["clause"], "2.1.a");
}

#[tokio::test]
async fn another_townships_entitlement_is_not_found() {
    let app = App::new().await;
    let client = app.login(RENHE_CASEWORKER).await;
    let page = app
        .get(
            Some(&client),
            &format!("/households/{}/entitlement", app.zhang.0),
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let api = app
        .get(
            Some(&client),
            &format!("/api/households/{}/entitlement", app.zhang.0),
        )
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_calculators_compute_temporary_assistance_and_a_hospital_stay() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let uri = format!(
        "/households/{}/entitlement?month=2026-11&t_kind=emergency&t_tier=2&t_income=12000&t_granted=&t_case_amount=&t_case_reference=",
        app.zhang.0
    );
    let reply = app.get(Some(&client), &uri).await;
    assert_eq!(reply.status, StatusCode::OK);
    // Emergency tier 2: 3 × 735 = 2,205.
    assert!(reply.body.contains("可救助 ¥2,205.00"), "{}", reply.body);
    assert!(reply.body.contains("依据 2.8.a"));

    let bad = format!(
        "/households/{}/entitlement?m_level=county&m_in_county=on&m_admitted=2026-10-01&m_total=10000&m_in_catalogue=12000",
        app.zhang.0
    );
    let reply = app.get(Some(&client), &bad).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.contains("医保目录内费用不能超过住院总费用"),
        "the error is shown"
    );

    let good = format!(
        "/households/{}/entitlement?m_level=county&m_in_county=on&m_admitted=2026-10-01&m_total=10000&m_in_catalogue=9000",
        app.zhang.0
    );
    let reply = app.get(Some(&client), &good).await;
    assert!(
        reply.body.contains("住院费用测算（县级医院）") && reply.body.contains("依据 2.4"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn the_household_schema_for_eval_is_published() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let reply = app.get(Some(&client), "/api/schemas/household.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["title"], "doudi eval household");
}
