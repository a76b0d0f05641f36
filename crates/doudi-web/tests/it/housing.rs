//! Housing assistance (2.6): the households owed priority, applications filed by the township
//! and decided by the housing officer, each role in its scope, bad input refused by field, and
//! the rent subsidies owed month by month.

use axum::http::{Method, StatusCode};
use doudi_core::{Department, Housing, Role, Scope};
use serde_json::{Value, json};

use crate::support::*;

/// Sets a household's housing situation, as a caseworker would have filed it.
async fn housed(app: &App, household: doudi_core::HouseholdId, housing: Housing) {
    let record = app.store.household(&system(), household).await.unwrap();
    let mut fields = record.household.fields.clone();
    fields.housing = housing;
    app.store
        .update_household(&system(), household, record.household.version, &fields)
        .await
        .unwrap();
}

/// 李四 (tekun, 青龙) rents privately; 张三丰 (dibao, 青龙) has no home. The housing officer.
async fn setup() -> (App, Client) {
    let app = App::new().await;
    housed(&app, app.li, Housing::RentedPrivate).await;
    housed(&app, app.zhang, Housing::Homeless).await;
    app.add_user(
        "zhufang",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Housing),
    )
    .await;
    let officer = app.login("zhufang").await;
    (app, officer)
}

async fn file(app: &App, client: &Client, household: i64, kind: &str) -> crate::support::Reply {
    app.json(
        Some(client),
        Method::POST,
        "/api/housing/applications",
        &json!({"household_id": household, "kind": kind, "note": "租房开支大"}),
    )
    .await
}

async fn decide(app: &App, client: &Client, id: i64, body: Value) -> crate::support::Reply {
    app.json(
        Some(client),
        Method::POST,
        &format!("/api/housing/applications/{id}/decision"),
        &body,
    )
    .await
}

#[tokio::test]
async fn the_housing_officer_sees_the_households_owed_priority_tekun_first_with_the_reason_2_6() {
    let (app, officer) = setup().await;
    let list = app.get(Some(&officer), "/api/housing/priority").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list = list.json();
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["household_id"].as_i64().unwrap())
        .collect();
    // 王五 owns his home: not owed priority. 李四 is tekun: before 张三丰, homeless but dibao.
    assert_eq!(ids, [app.li.0, app.zhang.0], "{list}");
    assert!(
        list[0]["reason"].as_str().unwrap().contains("2.6"),
        "{list}"
    );
    assert_eq!(list[0]["head"], "李*");
    // Per township: 人和 has none, 青龙 both.
    let renhe = app
        .get(
            Some(&officer),
            &format!("/api/housing/priority?township={RENHE}"),
        )
        .await
        .json();
    assert_eq!(renhe, json!([]));
    let page = app.get(Some(&officer), "/housing").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("青龙街道 2 户"), "{}", page.body);
    assert!(
        page.body.contains("特困家庭先于低保家庭"),
        "the rule is shown"
    );
    assert!(page.body.contains("QL-0002") && page.body.contains("租住私房"));
    let xlsx = app.get(Some(&officer), "/housing/priority.xlsx").await;
    assert!(xlsx.raw.starts_with(b"PK"));
}

#[tokio::test]
async fn a_township_files_and_the_housing_officer_allots_a_flat_and_a_second_open_application_is_refused()
 {
    let (app, officer) = setup().await;
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let filed = file(&app, &qinglong, app.li.0, "public_rental").await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    let filed = filed.json();
    assert_eq!(
        (filed["state"].as_str(), filed["category"].as_str()),
        (Some("filed"), Some("tekun"))
    );
    let id = filed["id"].as_i64().unwrap();

    let again = file(&app, &qinglong, app.li.0, "rent_subsidy").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.json()["error"]
            .as_str()
            .unwrap()
            .contains("不能重复申请")
    );

    // Open applications are ordered by the rule: 李四 (tekun) before 张三丰 (dibao), though later.
    let zhang = file(&app, &qinglong, app.zhang.0, "rent_subsidy").await;
    assert_eq!(zhang.status, StatusCode::OK);
    let list = app
        .get(Some(&officer), "/api/housing/applications?state=filed")
        .await
        .json();
    assert_eq!(list[0]["household_id"], app.li.0, "{list}");
    assert_eq!(list[1]["household_id"], app.zhang.0, "{list}");

    let allotted = decide(
        &app,
        &officer,
        id,
        json!({"decision": "allocate", "unit": "滨江公租房3栋2单元501", "area_centi_m2": 4550,
               "rent_fen": 12_000, "from_day": "2026-12-01"}),
    )
    .await;
    assert_eq!(allotted.status, StatusCode::OK, "{}", allotted.body);
    let allotted = allotted.json();
    assert_eq!(allotted["state"], "allocated");
    assert_eq!(allotted["area_centi_m2"], 4550);
    assert_eq!(allotted["rent_fen"], 12_000);
    // Decided once.
    let twice = decide(
        &app,
        &officer,
        id,
        json!({"decision": "refuse", "reason": "重复"}),
    )
    .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page shows it; a new application may now be filed.
    let page = app
        .get(Some(&officer), &format!("/housing/applications/{id}"))
        .await;
    assert!(page.body.contains("滨江公租房3栋2单元501") && page.body.contains("45.50㎡"));
    assert_eq!(
        file(&app, &qinglong, app.li.0, "rent_subsidy").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn other_townships_and_other_departments_get_nothing_of_housing() {
    let (app, _) = setup().await;
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let id = file(&app, &qinglong, app.li.0, "public_rental")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let renhe = app.login(RENHE_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&renhe), "/api/housing/applications")
            .await
            .json(),
        json!([])
    );
    assert_eq!(
        app.get(Some(&renhe), "/api/housing/priority").await.json(),
        json!([])
    );
    assert_eq!(
        app.get(Some(&renhe), &format!("/api/housing/applications/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // 人和 cannot file for 青龙's household.
    assert_eq!(
        file(&app, &renhe, app.zhang.0, "rent_subsidy").await.status,
        StatusCode::NOT_FOUND
    );
    // A township files but does not decide.
    assert_eq!(
        decide(
            &app,
            &qinglong,
            id,
            json!({"decision": "refuse", "reason": "不符合"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    app.add_user(
        "jiaoyu",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Education),
    )
    .await;
    let education = app.login("jiaoyu").await;
    for uri in [
        "/housing",
        "/api/housing/priority",
        "/api/housing/applications",
    ] {
        assert_eq!(
            app.get(Some(&education), uri).await.status,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
    }
    assert_eq!(
        file(&app, &education, app.li.0, "public_rental")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_bad_decision_names_its_fields_in_chinese_and_writes_nothing() {
    let (app, officer) = setup().await;
    let id = file(&app, &officer, app.zhang.0, "rent_subsidy")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let bad = decide(
        &app,
        &officer,
        id,
        json!({"decision": "subsidise", "monthly_fen": -1, "from_month": "2027-03", "to_month": "2027-01"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.json();
    assert!(
        body["fields"]["monthly_fen"]
            .as_str()
            .unwrap()
            .starts_with("每月补贴"),
        "{body}"
    );
    assert!(
        body["fields"]["to_month"]
            .as_str()
            .unwrap()
            .contains("早于起始月"),
        "{body}"
    );
    let still = app
        .get(Some(&officer), &format!("/api/housing/applications/{id}"))
        .await
        .json();
    assert_eq!(still["state"], "filed");
    assert_eq!(still["subsidy_fen"], Value::Null);
    // The form says the same on a page.
    let page = app
        .post_form(
            &officer,
            &format!("/housing/applications/{id}/decision"),
            &[
                ("decision", "subsidise"),
                ("monthly_yuan", "三百"),
                ("from_month", "2027-01"),
                ("to_month", "2027-03"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The application's page again, the field named, what was typed kept.
    assert!(page.body.contains("id=\"decision-error\""), "{}", page.body);
    assert!(page.body.contains("每月补贴："), "{}", page.body);
    assert!(page.body.contains("value=\"2027-03\""), "{}", page.body);
    let allocate = app
        .post_form(
            &officer,
            &format!("/housing/applications/{id}/decision"),
            &[("decision", "allocate"), ("unit", ""), ("area_m2", "0")],
        )
        .await;
    assert_eq!(allocate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(allocate.body.contains("配租房源") && allocate.body.contains("面积"));
}

#[tokio::test]
async fn a_household_whose_housing_is_secure_is_refused_with_the_reason() {
    let (app, officer) = setup().await;
    // 王五 owns his home.
    let reply = file(&app, &officer, app.wang.0, "rent_subsidy").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap()
            .contains("住房有保障")
    );
    let unknown = app
        .json(
            Some(&officer),
            Method::POST,
            "/api/housing/applications",
            &json!({"household_id": app.li.0, "kind": "mansion"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.json()["fields"]["kind"]
            .as_str()
            .unwrap()
            .starts_with("保障方式")
    );
    assert_eq!(
        app.get(Some(&officer), "/api/housing/applications")
            .await
            .json(),
        json!([])
    );
}

#[tokio::test]
async fn a_granted_rent_subsidy_is_listed_month_by_month_with_totals_for_finance() {
    let (app, officer) = setup().await;
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    // Filed from the page's form.
    let reply = app
        .post_form(
            &qinglong,
            "/housing/applications",
            &[
                ("household", &app.li.0.to_string()),
                ("kind", "rent_subsidy"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let id: i64 = reply
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let zhang = file(&app, &qinglong, app.zhang.0, "rent_subsidy")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    for (application, monthly, from, to) in [
        (id, 30_000, "2026-11", "2027-01"),
        (zhang, 25_050, "2027-01", "2027-02"),
    ] {
        let r = decide(
            &app,
            &officer,
            application,
            json!({"decision": "subsidise", "monthly_fen": monthly, "from_month": from, "to_month": to}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let months = app
        .get(Some(&officer), "/api/housing/subsidies")
        .await
        .json();
    let totals: Vec<(String, u64, i64)> = months
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_owned(),
                m["households"].as_u64().unwrap(),
                m["total_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("2026-11".to_owned(), 1, 30_000),
            ("2026-12".to_owned(), 1, 30_000),
            ("2027-01".to_owned(), 2, 55_050),
            ("2027-02".to_owned(), 1, 25_050),
        ]
    );
    let january = app
        .get(Some(&officer), "/api/housing/subsidies?month=2027-01")
        .await
        .json();
    assert_eq!(january.as_array().unwrap().len(), 1, "{january}");
    assert_eq!(january[0]["lines"].as_array().unwrap().len(), 2);
    let bad = app
        .get(Some(&officer), "/api/housing/subsidies?month=明年")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["fields"]["month"]
            .as_str()
            .unwrap()
            .starts_with("月份")
    );
    let page = app.get(Some(&qinglong), "/housing/subsidies").await;
    assert!(page.body.contains("¥550.50"), "{}", page.body);
    let xlsx = app.get(Some(&officer), "/housing/subsidies.xlsx").await;
    assert!(xlsx.raw.starts_with(b"PK"));
    let export = app
        .get(Some(&officer), "/housing.xlsx?state=subsidised")
        .await;
    let auditor = app.login(AUDITOR).await;
    let trail = app.get(Some(&auditor), "/audit").await;
    assert!(trail.body.contains("住房保障申请清单"), "{}", trail.body);
    assert!(
        !trail.body.contains(">housing_applications"),
        "shown in words"
    );
    assert!(export.raw.starts_with(b"PK"));
}
