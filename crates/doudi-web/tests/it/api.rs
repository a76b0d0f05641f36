//! The JSON API: a create–read–update roundtrip, scope, field errors, conflicts, and the OpenAPI
//! document against the routes.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::*;

fn new_household(id_number: &str) -> Value {
    json!({
        "fields": {
            "number": "QL-0200",
            "township": QINGLONG,
            "community": QINGLONG_1,
            "category": "tekun",
            "enrolled_on": "2026-10-01",
            "address": "复兴街1号",
            "phone": "023-55123456",
            "bank_account": "6217 0000 1234 5678",
            "housing": "public_rental",
            "causes": ["disability", "old_age"],
            "needs": ["care"]
        },
        "members": [{
            "name": "吴十",
            "id_number": id_number,
            "relation": "head",
            "disability_kind": "physical",
            "disability_grade": "1",
            "serious_illness": false,
            "self_care": "none",
            "work_capacity": "none",
            "employment": "not_applicable",
            "insurance": "resident",
            "family_doctor": true,
            "health_record": true
        }],
        "incomes": [{"member_index": 0, "month": "2026-10", "kind": "pension", "amount_fen": 65000}],
        "assets": [{"kind": "savings", "description": "农商行存款", "value_fen": 300000}]
    })
}

#[tokio::test]
async fn the_api_creates_reads_and_updates_a_household() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let id = id_number((1940, 10, 1), 61);
    let created = app
        .json(
            Some(&client),
            Method::POST,
            "/api/households",
            &new_household(id.as_str()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    let household_id = body["id"].as_i64().unwrap();
    assert_eq!(
        created.location(),
        format!("/api/households/{household_id}")
    );
    assert_eq!(body["version"], 1);
    assert_eq!(body["masked"], false);
    assert_eq!(
        body["fields"]["bank_account"], "****5678",
        "identifiers are masked for writers too"
    );
    assert_eq!(body["members"][0]["fields"]["name"], "吴十");
    assert_eq!(body["members"][0]["fields"]["id_number"], id.masked());
    assert_eq!(body["members"][0]["age"], 86);
    assert_eq!(body["members"][0]["sex"], "male");
    assert_eq!(body["incomes"][0]["amount_fen"], 65000);
    assert_eq!(body["assets"][0]["value_fen"], 300000);

    let read = app
        .get(Some(&client), &format!("/api/households/{household_id}"))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let mut fields = read.json()["fields"].clone();
    assert_eq!(fields["causes"], json!(["disability", "old_age"]));
    fields["address"] = json!("复兴街2号");
    let updated = app
        .json(
            Some(&client),
            Method::PUT,
            &format!("/api/households/{household_id}"),
            &json!({"version": 1, "fields": fields}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.json()["version"], 2);
    assert_eq!(updated.json()["fields"]["address"], "复兴街2号");
    let stored = app
        .store
        .household(&system(), doudi_core::HouseholdId(household_id))
        .await
        .unwrap();
    assert_eq!(
        stored
            .household
            .fields
            .bank_account
            .as_ref()
            .map(|b| b.as_str().to_owned()),
        Some("6217000012345678".to_owned()),
        "the masked account sent back kept the stored one"
    );

    let stale = app
        .json(
            Some(&client),
            Method::PUT,
            &format!("/api/households/{household_id}"),
            &json!({"version": 1, "fields": fields}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let conflict = stale.json();
    assert_eq!(
        (
            conflict["expected_version"].as_i64(),
            conflict["current_version"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert!(conflict["error"].as_str().unwrap().contains("已被他人修改"));

    let history = app
        .get(
            Some(&client),
            &format!("/api/households/{household_id}/history"),
        )
        .await;
    let entries = history.json();
    assert!(
        entries
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "住址" && e["new"] == "复兴街2号")
    );

    // Members and finances go through the same versioning.
    let member = json!({"version": 2, "fields": {
        "name": "吴小十", "id_number": id_number((2010, 1, 1), 62).as_str(), "relation": "grandchild",
        "self_care": "full", "work_capacity": "none", "employment": "not_applicable",
        "insurance": "resident", "school_stage": "junior", "boarding": true
    }});
    let added = app
        .json(
            Some(&client),
            Method::POST,
            &format!("/api/households/{household_id}/members"),
            &member,
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let person = added.json()["person_id"].as_i64().unwrap();
    let finance = json!({"version": 3, "change": {"op": "put_income", "person_id": person, "month": "2026-10", "kind": "wages", "amount_fen": 1}});
    let changed = app
        .json(
            Some(&client),
            Method::POST,
            &format!("/api/households/{household_id}/finances"),
            &finance,
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let removed = app
        .json(
            Some(&client),
            Method::DELETE,
            &format!("/api/members/{person}"),
            &json!({"version": 4, "reason": "分户"}),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(removed.json()["members"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn another_townships_household_is_404_through_the_api() {
    let app = App::new().await;
    let client = app.login(RENHE_CASEWORKER).await;
    for uri in [
        format!("/api/households/{}", app.zhang.0),
        format!("/api/households/{}/history", app.zhang.0),
    ] {
        let reply = app.get(Some(&client), &uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(reply.json()["error"], "记录不存在，或不在您的工作范围内");
    }
    let list = app.get(Some(&client), "/api/households").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["rows"][0]["number"], "RH-0001");
    assert_eq!(list["rows"][0]["head_name"], "王*", "lists are masked");
    assert_eq!(list["rows"][0]["community_name"], "人和社区");
}

#[tokio::test]
async fn a_writer_reads_masked_identifiers_keeps_them_by_sending_them_back_and_unmasks_with_a_purpose()
 {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let full = id_number((1956, 12, 15), 13);
    let body = app
        .get(Some(&client), &format!("/api/households/{}", app.zhang.0))
        .await
        .json();
    let head = &body["members"][0];
    assert_eq!(head["fields"]["name"], "张三丰");
    assert_eq!(head["fields"]["id_number"], full.masked());
    assert!(
        !body.to_string().contains(full.as_str()),
        "no full identity number: {body}"
    );

    // The member sent back as read (masked number) with another field changed keeps the number.
    let mut fields = head["fields"].clone();
    fields["family_doctor"] = json!(false);
    let person = head["id"].as_i64().unwrap();
    let updated = app
        .json(
            Some(&client),
            Method::PUT,
            &format!("/api/members/{person}"),
            &json!({"version": body["version"], "fields": fields}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let stored = app.store.household(&system(), app.zhang).await.unwrap();
    assert_eq!(stored.members[0].fields.id_number, full);
    assert!(!stored.members[0].fields.family_doctor);

    // The edit form shows it masked as well.
    let form = app
        .get(
            Some(&client),
            &format!("/households/{}/members/{person}/edit", app.zhang.0),
        )
        .await;
    assert!(form.body.contains(&full.masked()) && !form.body.contains(full.as_str()));

    // The full values come with a purpose only.
    let unmasked = app
        .json(
            Some(&client),
            Method::POST,
            &format!("/api/households/{}/unmask", app.zhang.0),
            &json!({"purpose": "核对身份证号码"}),
        )
        .await
        .json();
    assert_eq!(unmasked["members"][0]["fields"]["id_number"], full.as_str());
}

#[tokio::test]
async fn a_reader_gets_masked_identifiers_from_the_api() {
    let app = App::new().await;
    let client = app.login(AUDITOR).await;
    let body = app
        .get(Some(&client), &format!("/api/households/{}", app.zhang.0))
        .await
        .json();
    assert_eq!(body["masked"], true);
    assert_eq!(body["members"][0]["fields"]["name"], "张*丰");
    assert_eq!(
        body["members"][0]["fields"]["id_number"],
        id_number((1956, 12, 15), 13).masked()
    );
}

#[tokio::test]
async fn bad_fields_are_a_422_with_a_chinese_message_per_field() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let before = app.household_count().await;
    let mut body = new_household("110105194912310021");
    body["fields"]["category"] = json!("poor");
    body["fields"]["enrolled_on"] = json!("2026-02-30");
    body["incomes"][0]["amount_fen"] = json!(-5);
    let reply = app
        .json(Some(&client), Method::POST, "/api/households", &body)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = reply.json();
    let fields = &errors["fields"];
    assert!(
        fields["fields.category"]
            .as_str()
            .unwrap()
            .contains("救助类别“poor”无法识别")
    );
    assert!(
        fields["fields.enrolled_on"]
            .as_str()
            .unwrap()
            .contains("2026-02-30")
    );
    assert!(
        fields["members[0].id_number"]
            .as_str()
            .unwrap()
            .contains("校验位")
    );
    assert_eq!(fields["incomes[0].amount_fen"], "金额不能为负数");
    assert_eq!(app.household_count().await, before);

    let uri = format!("/api/households/{}", app.zhang.0);
    let empty = app
        .json(
            Some(&client),
            Method::PUT,
            &uri,
            &json!({"version": 1, "fields": {}}),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.json()["fields"]["fields.number"], "缺少此项");
    let fields = app.get(Some(&client), &uri).await.json()["fields"].clone();
    let unversioned = app
        .json(Some(&client), Method::PUT, &uri, &json!({"fields": fields}))
        .await;
    assert_eq!(unversioned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unversioned.json()["fields"]["version"], "缺少此项");

    let list = app
        .get(Some(&client), "/api/households?category=poor&page=0")
        .await;
    assert_eq!(list.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(list.json()["fields"]["category"].is_string());
}

#[tokio::test]
async fn the_api_list_filters_and_searches_like_the_page() {
    let app = App::new().await;
    let client = app.login(COUNTY).await;
    let all = app.get(Some(&client), "/api/households").await.json();
    assert_eq!(all["total"], 3);
    assert_eq!(all["per_page"], 50);
    let tekun = app
        .get(
            Some(&client),
            &format!("/api/households?township={QINGLONG}&category=tekun"),
        )
        .await
        .json();
    assert_eq!(tekun["total"], 1);
    assert_eq!(tekun["rows"][0]["number"], "QL-0002");
    let search = app
        .get(Some(&client), "/api/households?q=zsf&per_page=1")
        .await
        .json();
    assert_eq!(search["rows"][0]["number"], "QL-0001");
    let divisions = app.get(Some(&client), "/api/divisions").await.json();
    assert!(
        divisions
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == QINGLONG_1 && d["parent"] == QINGLONG)
    );
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_nothing_else() {
    let app = App::new().await;
    let reply = app.get(None, "/api/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = reply.json();
    let paths = document["paths"]
        .as_object()
        .expect("the document has paths");
    for route in doudi_web::api_routes() {
        let (method, path) = (route.method, route.path);
        let operation = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not documented"))[method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert!(
            operation["responses"].is_object(),
            "{method} {path} documents no responses"
        );
    }
    let methods = [
        "get", "put", "post", "delete", "patch", "head", "options", "trace",
    ];
    for (path, item) in paths {
        for method in methods.iter().filter(|m| item.get(**m).is_some()) {
            assert!(
                doudi_web::api_routes().any(|r| r.method == *method && r.path == path.as_str()),
                "{method} {path} is documented but not routed"
            );
        }
    }
    // Vocabularies are documented as their codes.
    let category =
        &document["components"]["schemas"]["HouseholdFieldsDto"]["properties"]["category"];
    assert_eq!(category["enum"], json!(["dibao", "tekun"]));
    assert!(document["components"]["securitySchemes"]["session"].is_object());
}
