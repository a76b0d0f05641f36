//! Pairing many at a time (3.3, 4.3): units with their communities and cadres, the households
//! without a cadre shared with no cadre over a cap, and a leaving cadre's households handed over
//! with none left unpaired.

use axum::http::{Method, StatusCode};
use doudi_core::{DivisionCode, Role, Scope};
use serde_json::{Value, json};

use crate::support::*;

async fn cadre(app: &App, name: &str) -> i64 {
    app.add_user(
        name,
        Role::PairedCadre,
        Scope::Division(DivisionCode::parse(QINGLONG).unwrap()),
        None,
    )
    .await;
    app.store.user_by_username(name).await.unwrap().unwrap().id
}

async fn paired(app: &App) -> Vec<(i64, i64)> {
    let mut all: Vec<(i64, i64)> = app
        .store
        .pairings(&system(), doudi_store::PairingFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.household.0, p.cadre))
        .collect();
    all.sort_unstable();
    all
}

#[tokio::test]
async fn bulk_pairing_pairs_every_household_without_a_cadre_and_no_cadre_over_the_cap() {
    let app = App::new().await;
    let first = cadre(&app, "ganbu1").await;
    let township = app.login(QINGLONG_CASEWORKER).await;
    // One cadre, at most one household each: 青龙's second household is left, saying why.
    let plan = app
        .json(
            Some(&township),
            Method::POST,
            "/api/pairings/assign",
            &json!({"place": QINGLONG, "cap": 1}),
        )
        .await
        .json();
    assert_eq!(plan["applied"], false, "{plan}");
    assert_eq!(plan["assignments"].as_array().unwrap().len(), 1, "{plan}");
    assert!(
        plan["left"][0][1].as_str().unwrap().contains("上限"),
        "{plan}"
    );
    assert!(paired(&app).await.is_empty(), "a plan pairs no one");

    // A second cadre: every household of 青龙 is paired, one each, 人和's untouched.
    let second = cadre(&app, "ganbu2").await;
    let page = app
        .post_form(
            &township,
            "/pairing/assign",
            &[("action", "apply"), ("place", QINGLONG), ("cap", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("已结对2户"), "{}", page.body);
    let now = paired(&app).await;
    assert_eq!(now.len(), 2, "{now:?}");
    let mut cadres: Vec<i64> = now.iter().map(|(_, c)| *c).collect();
    cadres.sort_unstable();
    assert_eq!(cadres, [first, second]);
    assert!(now.iter().all(|(h, _)| *h != app.wang.0));
    // Nothing is left to pair.
    let plan = app
        .json(
            Some(&township),
            Method::POST,
            "/api/pairings/assign",
            &json!({"place": QINGLONG, "cap": 5}),
        )
        .await
        .json();
    assert_eq!(plan["assignments"], json!([]), "{plan}");
    assert_eq!(plan["left"], json!([]), "{plan}");
    // A bad cap is named.
    let r = app
        .json(
            Some(&township),
            Method::POST,
            "/api/pairings/assign",
            &json!({"place": QINGLONG, "cap": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("上限"), "{}", r.body);
}

#[tokio::test]
async fn a_leaving_cadres_households_are_handed_over_and_none_is_ever_left_unpaired() {
    let app = App::new().await;
    let leaving = cadre(&app, "ganbu1").await;
    for h in [app.zhang, app.li] {
        app.store.pair(&system(), h, leaving).await.unwrap();
    }
    let county = app.login(COUNTY).await;
    // No one to take them: refused, nothing changed.
    let r = app
        .json(
            Some(&county),
            Method::POST,
            "/api/pairings/handover",
            &json!({"from": leaving, "cap": 10, "apply": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("找不到接手的干部"), "{}", r.body);
    assert_eq!(paired(&app).await.len(), 2);

    // 李四's household has a second cadre already: only 张三丰's needs one.
    let other = cadre(&app, "ganbu2").await;
    app.store.pair(&system(), app.li, other).await.unwrap();
    let taker = cadre(&app, "ganbu3").await;
    let plan = app
        .json(
            Some(&county),
            Method::POST,
            "/api/pairings/handover",
            &json!({"from": leaving, "to": taker, "cap": 10}),
        )
        .await
        .json();
    assert_eq!(plan["assignments"].as_array().unwrap().len(), 1, "{plan}");
    let page = app
        .post_form(
            &county,
            "/pairing/handover",
            &[
                ("action", "apply"),
                ("from", &leaving.to_string()),
                ("to", &taker.to_string()),
                ("cap", "10"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("没有家庭失去结对干部"), "{}", page.body);
    let now = paired(&app).await;
    assert!(now.iter().all(|(_, c)| *c != leaving), "{now:?}");
    for h in [app.zhang.0, app.li.0] {
        assert!(
            now.iter().any(|(x, _)| *x == h),
            "{h} keeps a cadre: {now:?}"
        );
    }
}

#[tokio::test]
async fn the_county_sets_up_a_unit_whose_cadres_alone_take_its_households() {
    let app = App::new().await;
    let inside = cadre(&app, "ganbu1").await;
    let _outside = cadre(&app, "ganbu2").await;
    let county = app.login(COUNTY).await;
    let r = app
        .json(
            Some(&county),
            Method::POST,
            "/api/units",
            &json!({"name": "县民政局", "kind": "county_department",
                    "communities": [QINGLONG_1, QINGLONG_2], "members": [inside]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let unit = r.json().as_i64().unwrap();
    let units = app.get(Some(&county), "/api/units").await.json();
    assert_eq!(
        units[0]["communities"],
        json!([QINGLONG_1, QINGLONG_2]),
        "{units}"
    );
    let plan = app
        .json(
            Some(&county),
            Method::POST,
            "/api/pairings/assign",
            &json!({"place": QINGLONG, "unit": unit, "cap": 10, "apply": true}),
        )
        .await
        .json();
    let to: Vec<&Value> = plan["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a[2])
        .collect();
    assert_eq!(to, [&json!(inside), &json!(inside)], "{plan}");
    // The same name again, a township making units: refused.
    let r = app
        .json(
            Some(&county),
            Method::POST,
            "/api/units",
            &json!({"name": "县民政局", "kind": "county_department"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let township = app.login(QINGLONG_CASEWORKER).await;
    let r = app
        .json(
            Some(&township),
            Method::POST,
            "/api/units",
            &json!({"name": "青龙街道办事处", "kind": "township_office"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let page = app.get(Some(&county), "/pairing").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("县民政局"), "{}", page.body);
    assert!(
        app.get(Some(&county), "/pairing/cadres.xlsx")
            .await
            .raw
            .starts_with(b"PK")
    );
}

#[tokio::test]
async fn a_cadre_still_alone_with_a_household_cannot_be_disabled_before_the_hand_over() {
    let app = App::new().await;
    let leaving = cadre(&app, "ganbu1").await;
    app.store.pair(&system(), app.zhang, leaving).await.unwrap();
    app.add_user("admin", Role::Admin, Scope::County, None)
        .await;
    let admin = app.login("admin").await;
    let r = app
        .post_form(&admin, &format!("/admin/users/{leaving}/disable"), &[])
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.body.contains("唯一的结对干部"), "{}", r.body);
    let taker = cadre(&app, "ganbu2").await;
    let county = app.login(COUNTY).await;
    let r = app
        .json(
            Some(&county),
            Method::POST,
            "/api/pairings/handover",
            &json!({"from": leaving, "to": taker, "cap": 10, "apply": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .post_form(&admin, &format!("/admin/users/{leaving}/disable"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
