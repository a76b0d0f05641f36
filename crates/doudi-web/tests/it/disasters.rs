//! Disaster relief over HTTP (2.3): the emergency-management officer records an event and its
//! reliefs, townships check their own households, other departments are refused, bad input is
//! answered field by field in Chinese and writes nothing, and a relief is paid on the roster and
//! bank file of its month, once.

use axum::http::{Method, StatusCode};
use doudi_core::{Department, Role, Scope};
use serde_json::{Value, json};

use crate::support::*;

/// The emergency-management officer's login.
const YINGJI: &str = "yingji";

async fn with_officers(app: &App) {
    app.add_user(
        YINGJI,
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::EmergencyManagement),
    )
    .await;
    app.add_user(
        "jiaoyu",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Education),
    )
    .await;
}

/// A flood in 复兴社区 (张三丰's community) recorded through the API; returns its id.
async fn flood(app: &App, officer: &Client) -> i64 {
    let reply = app
        .json(
            Some(officer),
            Method::POST,
            "/api/disasters",
            &json!({"name": "青龙街道洪涝", "kind": "flood", "occurred_on": "2026-11-20", "communities": [QINGLONG_1]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["disaster"]["id"].as_i64().unwrap()
}

fn numbers(detail: &Value) -> Vec<String> {
    detail["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["household_number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_emergency_officer_records_a_flood_from_the_page_and_sees_its_households_by_head_and_address()
 {
    let app = App::new().await;
    with_officers(&app).await;
    let officer = app.login(YINGJI).await;
    let page = app.get(Some(&officer), "/disasters").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("id=\"nav-disasters\""),
        "the menu leads here"
    );
    assert!(page.body.contains("id=\"form-disaster\"") && page.body.contains("复兴社区"));
    let created = app
        .post_form(
            &officer,
            "/disasters",
            &[
                ("name", "青龙街道洪涝"),
                ("kind", "flood"),
                ("occurred_on", "2026-11-20"),
                ("communities", QINGLONG_1),
                ("keywords", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = app.get(Some(&officer), created.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("QL-0001") && page.body.contains("张*丰"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("QL-0002") && !page.body.contains("RH-0001"),
        "only the area's households"
    );
    assert!(
        page.body.contains("政策（2.3）未规定救助标准")
            || page.body.contains("核实并确认受灾家庭后")
    );
    let list = app.get(Some(&officer), "/disasters").await;
    assert!(list.body.contains("青龙街道洪涝"));
    let file = app.get(Some(&officer), "/disasters.xlsx").await;
    assert_eq!(file.status, StatusCode::OK);
    let sheet = doudi_exchange::read::read_file("d.xlsx", &file.raw).unwrap();
    assert_eq!(sheet.rows.len(), 1);
    let file = app
        .get(
            Some(&officer),
            &format!("{}/export.xlsx", created.location()),
        )
        .await;
    let sheet = doudi_exchange::read::read_file("h.xlsx", &file.raw).unwrap();
    assert_eq!(sheet.headers[0], "户编号");
    assert!(format!("{:?}", sheet.rows).contains("QL-0001"));
}

#[tokio::test]
async fn each_role_sees_its_own_households_and_another_department_is_refused() {
    let app = App::new().await;
    with_officers(&app).await;
    let officer = app.login(YINGJI).await;
    let id = flood(&app, &officer).await;
    let path = format!("/api/disasters/{id}");

    let education = app.login("jiaoyu").await;
    assert_eq!(
        app.get(Some(&education), "/disasters").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(Some(&education), &path).await.status,
        StatusCode::FORBIDDEN
    );
    let page = app.get(Some(&education), "/").await;
    assert!(
        !page.body.contains("id=\"nav-disasters\""),
        "no menu entry for education"
    );

    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        numbers(&app.get(Some(&qinglong), &path).await.json()),
        ["QL-0001"]
    );
    // The township is warned on its alerts (and so its work list).
    let alerts = app.get(Some(&qinglong), "/api/alerts").await.json();
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["rule"] == json!("disaster") && a["household_number"] == json!("QL-0001")),
        "{alerts}"
    );
    let renhe = app.login(RENHE_CASEWORKER).await;
    assert!(numbers(&app.get(Some(&renhe), &path).await.json()).is_empty());
    let confirm = json!({"state": "confirmed", "damage": "collapsed", "dead": 0, "injured": 0, "note": "房屋倒塌"});
    let zhang = format!("{path}/households/{}", app.zhang.0);
    assert_eq!(
        app.json(Some(&renhe), Method::POST, &zhang, &confirm)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A township checks, but records neither events nor reliefs.
    assert_eq!(
        app.json(Some(&qinglong), Method::POST, &zhang, &confirm)
            .await
            .status,
        StatusCode::OK
    );
    let event = json!({"name": "火灾", "kind": "fire", "occurred_on": "2026-11-20", "communities": [QINGLONG_1]});
    assert_eq!(
        app.json(Some(&qinglong), Method::POST, "/api/disasters", &event)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let relief = json!({"household_id": app.zhang.0, "kind": "emergency", "amount": "2000", "reason": "房屋倒塌"});
    let relief_path = format!("{path}/relief");
    assert_eq!(
        app.json(Some(&qinglong), Method::POST, &relief_path, &relief)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let auditor = app.login(AUDITOR).await;
    assert_eq!(
        numbers(&app.get(Some(&auditor), &path).await.json()),
        ["QL-0001"]
    );
    assert_eq!(
        app.json(Some(&auditor), Method::POST, &relief_path, &relief)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The pairing cadres are named on the event.
    let cadre = app
        .add_user("cadre", Role::PairedCadre, Scope::County, None)
        .await;
    app.store.pair(&system(), app.zhang, cadre).await.unwrap();
    let detail = app.get(Some(&officer), &path).await.json();
    assert_eq!(
        detail["households"][0]["cadres"],
        json!(["结对帮扶干部测试"])
    );
    let page = app.get(Some(&officer), &format!("/disasters/{id}")).await;
    assert!(page.body.contains("id=\"disaster-cadres\""));
}

#[tokio::test]
async fn bad_input_gets_a_field_error_in_chinese_and_writes_nothing() {
    let app = App::new().await;
    with_officers(&app).await;
    let officer = app.login(YINGJI).await;
    let refused = app
        .post_form(
            &officer,
            "/disasters",
            &[
                ("name", ""),
                ("kind", "flood"),
                ("occurred_on", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("灾害名称：请填写") && refused.body.contains("晚于今天"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("受灾区域：请至少选择一个社区"));
    assert!(
        app.json(Some(&officer), Method::GET, "/api/disasters", &json!({}))
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let bad = app
        .json(Some(&officer), Method::POST, "/api/disasters", &json!({"name": "x", "kind": "meteor", "occurred_on": "2026-11-20", "communities": ["500235009009"]}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.json()["fields"];
    assert!(
        fields["kind"].as_str().unwrap().contains("灾害种类"),
        "{fields}"
    );
    assert!(
        fields["communities"]
            .as_str()
            .unwrap()
            .contains("不是本县登记的社区代码")
    );

    let id = flood(&app, &officer).await;
    let path = format!("/api/disasters/{id}");
    let zhang = format!("{path}/households/{}", app.zhang.0);
    let removed = app
        .json(
            Some(&officer),
            Method::POST,
            &zhang,
            &json!({"state": "removed", "damage": "none"}),
        )
        .await;
    assert_eq!(removed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        removed.json()["fields"]["note"]
            .as_str()
            .unwrap()
            .contains("须说明理由")
    );
    app.json(
        Some(&officer),
        Method::POST,
        &zhang,
        &json!({"state": "confirmed", "damage": "damaged"}),
    )
    .await;
    let relief = |amount: &str, kind: &str| json!({"household_id": app.zhang.0, "kind": kind, "amount": amount, "reason": "房屋受损"});
    for (amount, kind, says) in [
        ("-1", "emergency", "须大于0元"),
        ("20000.01", "emergency", "上限20000.00元"),
        ("abc", "emergency", "金额"),
    ] {
        let reply = app
            .json(
                Some(&officer),
                Method::POST,
                &format!("{path}/relief"),
                &relief(amount, kind),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
        assert!(
            reply.json()["fields"]["amount"]
                .as_str()
                .unwrap()
                .contains(says),
            "{}",
            reply.body
        );
    }
    let condolence = app
        .json(
            Some(&officer),
            Method::POST,
            &format!("{path}/relief"),
            &relief("5000", "condolence"),
        )
        .await;
    assert_eq!(condolence.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        condolence.body.contains("未登记死亡人员"),
        "{}",
        condolence.body
    );
    let page = app
        .post_form(
            &officer,
            &format!("/disasters/{id}/relief"),
            &[
                ("household", &app.zhang.0.to_string()),
                ("kind", "emergency"),
                ("amount", "0"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("金额：须大于0元"), "{}", page.body);
    assert!(
        app.get(Some(&officer), &path).await.json()["reliefs"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn a_relief_is_paid_on_the_roster_and_bank_file_of_its_month_once_beside_the_dibao_line() {
    let app = App::new().await;
    with_officers(&app).await;
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let mut fields = zhang.household.fields.clone();
    fields.bank_account = Some(doudi_core::BankAccount::parse("6222020200112233445").unwrap());
    app.store
        .update_household(&system(), app.zhang, zhang.household.version, &fields)
        .await
        .unwrap();
    app.store
        .import_entitlements(
            &system(),
            &[doudi_store::casework::ImportedEntitlement {
                household: app.zhang,
                program: doudi_core::Category::Dibao,
                monthly_fen: 66_000,
                from: doudi_core::Month::parse("2026-11").unwrap(),
                review_class: doudi_core::casework::ReviewClass::Stable,
                next_review: chrono::NaiveDate::from_ymd_opt(2027, 11, 1).unwrap(),
                reference: "云民〔2025〕1号".into(),
            }],
        )
        .await
        .unwrap();
    let officer = app.login(YINGJI).await;
    let id = flood(&app, &officer).await;
    let path = format!("/api/disasters/{id}");
    app.json(
        Some(&officer),
        Method::POST,
        &format!("{path}/households/{}", app.zhang.0),
        &json!({"state": "confirmed", "damage": "collapsed"}),
    )
    .await;
    let recorded = app
        .post_form(
            &officer,
            &format!("/disasters/{id}/relief"),
            &[
                ("household", &app.zhang.0.to_string()),
                ("kind", "emergency"),
                ("amount", "2000"),
                ("reason", "房屋倒塌，临时安置"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);

    let county = app.login(COUNTY).await;
    let run = app
        .json(
            Some(&county),
            Method::POST,
            "/api/payments/2026-11",
            &json!({}),
        )
        .await
        .json();
    assert_eq!(
        (run["created"].as_u64(), run["created_fen"].as_i64()),
        (Some(2), Some(266_000))
    );
    let again = app
        .json(
            Some(&county),
            Method::POST,
            "/api/payments/2026-11",
            &json!({}),
        )
        .await
        .json();
    assert_eq!(again["created"].as_u64(), Some(0), "nothing paid twice");
    let lines = app.get(Some(&county), "/api/payments/2026-11").await.json();
    let mut programs: Vec<(String, i64)> = lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["program"].as_str().unwrap().to_owned(),
                l["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    programs.sort();
    assert_eq!(
        programs,
        [
            ("dibao".to_owned(), 66_000),
            ("disaster_emergency".to_owned(), 200_000)
        ]
    );
    let csv = app.get(Some(&county), "/payments/2026-11/bank.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.matches("灾害应急救助").count(), 1, "{}", csv.body);
    assert!(csv.body.contains("2笔"), "{}", csv.body);
    let roster = app.get(Some(&county), "/payments?month=2026-11").await;
    assert!(roster.body.contains("灾害应急救助"));
    let detail = app.get(Some(&officer), &path).await.json();
    assert_eq!(detail["reliefs"][0]["payment_lines"], json!(1));
    assert_eq!(detail["disaster"]["relief_fen"], json!(200_000));
    // Paid in full (the line is pending at the bank), it can still be withdrawn until settled;
    // without a reason it is refused in Chinese.
    let relief = detail["reliefs"][0]["id"].as_i64().unwrap();
    let cancel = format!("/disasters/{id}/relief/{relief}/cancel");
    let refused = app.post_form(&officer, &cancel, &[("reason", "")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("撤销理由"), "{}", refused.body);
    let done = app
        .post_form(&officer, &cancel, &[("reason", "金额录入错误")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let lines = app.get(Some(&county), "/api/payments/2026-11").await.json();
    assert_eq!(
        lines.as_array().unwrap().len(),
        1,
        "only the dibao line is left"
    );
    let page = app.get(Some(&officer), &format!("/disasters/{id}")).await;
    assert!(page.body.contains("已撤销") && page.body.contains("金额录入错误"));
}
