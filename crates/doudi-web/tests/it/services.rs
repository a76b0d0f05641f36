//! Bought care services over HTTP (3.3): the disabled persons' federation keeps providers and
//! records a month's service for a member with a disability, townships see and record their
//! own, other departments are refused, bad input is answered in Chinese and writes nothing,
//! quality checks leave the unchecked list.

use axum::http::{Method, StatusCode};
use doudi_core::{Department, Disability, DisabilityGrade, DisabilityKind, Role, Scope};
use serde_json::json;

use crate::support::*;

const CANLIAN: &str = "canlian";

/// 张三丰 (QL-0001) gets a grade-one physical disability; the federation and housing officers
/// get accounts.
async fn setup(app: &App) -> i64 {
    app.add_user(
        CANLIAN,
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::DisabledFederation),
    )
    .await;
    app.add_user(
        "zhujian",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Housing),
    )
    .await;
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let head = zhang
        .members
        .iter()
        .find(|m| m.fields.name.as_str() == "张三丰")
        .unwrap();
    let mut fields = head.fields.clone();
    fields.disability = Some(Disability {
        kind: DisabilityKind::Physical,
        grade: DisabilityGrade::One,
    });
    app.store
        .update_member(&system(), head.id, zhang.household.version, &fields)
        .await
        .unwrap();
    head.id.0
}

#[tokio::test]
async fn the_federation_records_a_months_home_care_and_its_quality_check_and_townships_see_their_own()
 {
    let app = App::new().await;
    let person = setup(&app).await;
    let officer = app.login(CANLIAN).await;
    let page = app.get(Some(&officer), "/services/providers").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"nav-services\""));
    let added = app
        .post_form(
            &officer,
            "/services/providers",
            &[
                ("name", "安康居家养老服务中心"),
                ("kinds", "home_care"),
                ("kinds", "rehabilitation"),
                ("contact", "王经理 023-55550000"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let providers = app
        .get(Some(&officer), "/api/services/providers")
        .await
        .json();
    let provider = providers[0]["id"].as_i64().unwrap();

    let page = app.get(Some(&officer), "/services").await;
    assert!(
        page.body.contains("张*丰（肢体一级）"),
        "the form offers the disabled member: {}",
        page.body
    );
    let recorded = app
        .post_form(
            &officer,
            "/services",
            &[
                ("provider", &provider.to_string()),
                ("person", &person.to_string()),
                ("kind", "home_care"),
                ("month", "2026-11"),
                ("hours", "40"),
                ("cost", "1200"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let page = app.get(Some(&officer), "/services?month=2026-11").await;
    assert!(
        page.body.contains("费用合计 <strong>1200.00</strong> 元"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"totals-township\"") && page.body.contains("青龙街道"));

    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let list = app.get(Some(&qinglong), "/api/services").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let id = list[0]["id"].as_i64().unwrap();
    let renhe = app.login(RENHE_CASEWORKER).await;
    assert!(
        app.get(Some(&renhe), "/api/services")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let check = json!({"checked_on": "2026-11-25", "checker": "县残联", "result": "pass", "note": "回访满意"});
    assert_eq!(
        app.json(
            Some(&renhe),
            Method::POST,
            &format!("/api/services/{id}/checks"),
            &check
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(Some(&qinglong), "/api/services?unchecked=1")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.json(
            Some(&qinglong),
            Method::POST,
            &format!("/api/services/{id}/checks"),
            &check
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert!(
        app.get(Some(&qinglong), "/api/services?unchecked=1")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.get(Some(&qinglong), "/api/services").await.json()[0]["check_result"],
        json!("pass")
    );

    let file = app
        .get(Some(&officer), "/services.xlsx?month=2026-11")
        .await;
    let sheet = doudi_exchange::read::read_file("s.xlsx", &file.raw).unwrap();
    assert_eq!(sheet.rows.len(), 1);
    assert!(format!("{:?}", sheet.rows).contains("合格"));
    let file = app.get(Some(&officer), "/services/providers.xlsx").await;
    assert_eq!(
        doudi_exchange::read::read_file("p.xlsx", &file.raw)
            .unwrap()
            .rows
            .len(),
        1
    );
}

#[tokio::test]
async fn another_department_is_refused_and_bad_input_writes_nothing() {
    let app = App::new().await;
    let person = setup(&app).await;
    let housing = app.login("zhujian").await;
    assert_eq!(
        app.get(Some(&housing), "/services").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(Some(&housing), "/api/services").await.status,
        StatusCode::FORBIDDEN
    );
    let officer = app.login(CANLIAN).await;
    let bad = app
        .json(
            Some(&officer),
            Method::POST,
            "/api/services/providers",
            &json!({"name": "", "kinds": ["massage"], "contact": ""}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.json()["fields"];
    assert!(fields["name"].as_str().unwrap().contains("机构名称"));
    assert!(fields["kinds"].as_str().unwrap().contains("不是服务类别"));
    let page = app
        .post_form(
            &officer,
            "/services/providers",
            &[("name", "康复中心"), ("contact", "李")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("服务类别：请至少选择一类"),
        "{}",
        page.body
    );
    assert!(
        app.get(Some(&officer), "/api/services/providers")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );

    app.json(
        Some(&officer),
        Method::POST,
        "/api/services/providers",
        &json!({"name": "康复中心", "kinds": ["rehabilitation"], "contact": "李 023-1"}),
    )
    .await;
    let provider = app
        .get(Some(&officer), "/api/services/providers")
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();
    let service = |cost: &str, month: &str, kind: &str| json!({"provider_id": provider, "person_id": person, "kind": kind, "month": month, "hours": 10, "cost": cost});
    let reply = app
        .json(
            Some(&officer),
            Method::POST,
            "/api/services",
            &service("-5", "2026-12", "rehabilitation"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &reply.json()["fields"];
    assert!(
        fields["cost"].as_str().unwrap().contains("费用"),
        "{fields}"
    );
    assert!(fields["month"].as_str().unwrap().contains("不能晚于本月"));
    let reply = app
        .json(
            Some(&officer),
            Method::POST,
            "/api/services",
            &service("100", "2026-11", "home_care"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("未登记提供居家照护"), "{}", reply.body);
    let auditor = app.login(AUDITOR).await;
    assert_eq!(
        app.json(
            Some(&auditor),
            Method::POST,
            "/api/services",
            &service("100", "2026-11", "rehabilitation")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        app.get(Some(&officer), "/api/services")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was written"
    );
    let ok = app
        .json(
            Some(&officer),
            Method::POST,
            "/api/services",
            &service("100", "2026-11", "rehabilitation"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["name"], json!("张*丰"));
    let twice = app
        .json(
            Some(&officer),
            Method::POST,
            "/api/services",
            &service("100", "2026-11", "rehabilitation"),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}
