//! The social-forces platform over HTTP (3.1, 3.2): participants register and are verified by
//! the county before they may post; each sees only its own offers and the de-identified needs;
//! an offer is matched, confirmed, delivered and acknowledged end to end; and a published need
//! leaks no personal field, page or API, checked field by field.

use axum::http::{Method, StatusCode};
use doudi_core::{Need, Phone, Role, Scope};
use serde_json::{Value, json};

use crate::support::*;

/// Gives 张三丰's household (青龙 复兴社区) a phone and needs, and 李四's (青龙 滨江社区) a need.
async fn raise_needs(app: &App) {
    for (id, needs, phone) in [
        (
            app.zhang,
            vec![Need::Living, Need::Employment],
            Some("13912345678"),
        ),
        (app.li, vec![Need::Care], None),
    ] {
        let record = app.store.household(&system(), id).await.unwrap();
        let mut fields = record.household.fields.clone();
        fields.needs = needs;
        fields.phone = phone.map(|p| Phone::parse(p).unwrap());
        fields.address = "青龙街道滨江路88号3栋".into();
        app.store
            .update_household(&system(), id, record.household.version, &fields)
            .await
            .unwrap();
    }
}

/// Registers a participant for a new social-organisation account; returns its login.
async fn participant(app: &App, username: &str, name: &str) -> Client {
    app.add_user(username, Role::SocialOrganisation, Scope::County, None)
        .await;
    let client = app.login(username).await;
    let reply = app
        .post_form(
            &client,
            "/social/participant",
            &[
                ("kind", "enterprise"),
                ("name", name),
                ("contact", "王经理 13800000000"),
                ("credit_code", ""),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    client
}

async fn verify_all(app: &App) {
    let county = app.login(COUNTY).await;
    let list = app
        .get(Some(&county), "/api/social/participants")
        .await
        .json();
    for p in list.as_array().unwrap() {
        if p["verified"] == json!(false) {
            let reply = app
                .post_form(
                    &county,
                    &format!("/social/participants/{}/verify", p["id"]),
                    &[("verified", "1")],
                )
                .await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        }
    }
}

fn money_offer(township: &str) -> Value {
    json!({
        "kind": "money", "description": "助困金", "township": township,
        "capacity": 2, "amount_fen": 100_000, "valid_until": "2099-12-31"
    })
}

#[tokio::test]
async fn an_unverified_participant_cannot_post_and_each_participant_sees_only_its_own_offers() {
    let app = App::new().await;
    let first = participant(&app, "shehui1", "云阳爱心企业").await;
    let early = app
        .json(
            Some(&first),
            Method::POST,
            "/api/social/offers",
            &money_offer(""),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    assert!(early.body.contains("核实"), "{}", early.body);
    let page = app.get(Some(&first), "/social").await;
    assert!(page.body.contains("待县民政局核实"), "{}", page.body);
    assert!(!page.body.contains("id=\"form-offer\""));

    let twice = app
        .json(
            Some(&first),
            Method::POST,
            "/api/social/participants",
            &json!({"kind": "volunteer", "name": "再登记一次", "contact": "刘 13800000001"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    let county = app.login(COUNTY).await;
    let mine = app
        .get(Some(&first), "/api/social/participants")
        .await
        .json();
    let by_itself = app
        .json(
            Some(&first),
            Method::POST,
            &format!("/api/social/participants/{}/verify", mine[0]["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(
        by_itself.status,
        StatusCode::FORBIDDEN,
        "a participant cannot verify itself"
    );
    let verified = app
        .json(
            Some(&county),
            Method::POST,
            &format!("/api/social/participants/{}/verify", mine[0]["id"]),
            &json!({"verified": false}),
        )
        .await;
    assert_eq!(verified.json()["verified"], false);
    let second = participant(&app, "shehui2", "另一家基金会").await;
    verify_all(&app).await;
    let mine = app
        .json(
            Some(&first),
            Method::POST,
            "/api/social/offers",
            &money_offer(""),
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let form = app
        .post_form(
            &second,
            "/social/offers",
            &[
                ("kind", "goods"),
                ("description", "冬衣二十件"),
                ("township", QINGLONG),
                ("capacity", "20"),
                ("amount_yuan", ""),
                ("valid_until", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.body);

    let own = app.get(Some(&first), "/api/social/offers").await.json();
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["description"], "助困金");
    let page = app.get(Some(&first), "/social").await;
    assert!(page.body.contains("助困金") && !page.body.contains("冬衣二十件"));
    let theirs = app
        .get(Some(&second), "/api/social/participants")
        .await
        .json();
    assert_eq!(theirs.as_array().unwrap().len(), 1, "only its own record");
    let id = own[0]["id"].as_i64().unwrap();
    let edit = app
        .post_form(
            &second,
            &format!("/social/offers/{id}"),
            &[
                ("kind", "money"),
                ("description", "改掉别人的"),
                ("capacity", "1"),
                ("amount_yuan", "1"),
                ("valid_until", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND, "{}", edit.body);
    let bad = app
        .post_form(
            &second,
            "/social/offers",
            &[
                ("kind", "goods"),
                ("description", ""),
                ("capacity", "0"),
                ("valid_until", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("资源说明") && bad.body.contains("可帮扶户数"),
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn an_offer_is_matched_confirmed_delivered_and_acknowledged_end_to_end() {
    let app = App::new().await;
    raise_needs(&app).await;
    let org = participant(&app, "shehui1", "云阳爱心企业").await;
    verify_all(&app).await;
    let offer = app
        .json(
            Some(&org),
            Method::POST,
            "/api/social/offers",
            &money_offer(QINGLONG),
        )
        .await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);

    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let publish = app.post_form(&qinglong, "/social/needs/publish", &[]).await;
    assert_eq!(publish.status, StatusCode::SEE_OTHER, "{}", publish.body);
    let needs = app.get(Some(&org), "/api/social/needs").await.json();
    assert_eq!(needs.as_array().unwrap().len(), 3);

    let proposals = app
        .get(Some(&qinglong), "/api/social/proposals")
        .await
        .json();
    let proposals = proposals.as_array().unwrap();
    assert_eq!(
        proposals.len(),
        1,
        "one money offer serves the living need: {proposals:?}"
    );
    let proposal = &proposals[0];
    assert_eq!(proposal["need"]["kind"], "生活救助");
    assert!(proposal["reasons"].as_str().unwrap().contains("同一乡镇"));
    let forbidden = app.get(Some(&org), "/api/social/proposals").await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    let page = app.get(Some(&qinglong), "/social/matches").await;
    assert!(page.body.contains("确认对接"), "{}", page.body);
    let confirmed = app
        .post_form(
            &qinglong,
            "/social/matches",
            &[
                ("need", proposal["need"]["need_id"].as_str().unwrap()),
                ("offer", &proposal["offer"]["id"].to_string()),
                ("reasons", proposal["reasons"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let matches = app.get(Some(&org), "/api/social/matches").await.json();
    assert_eq!(matches[0]["state_code"], "confirmed");
    assert_eq!(matches[0]["amount_fen"], 50_000);
    let id = matches[0]["id"].as_i64().unwrap();

    let dashboard = app.get(Some(&org), "/social").await;
    assert!(
        dashboard.body.contains(&format!("form-deliver-{id}")),
        "{}",
        dashboard.body
    );
    let delivered = app
        .post_form(
            &org,
            &format!("/social/matches/{id}/deliver"),
            &[("note", "已转账500元")],
        )
        .await;
    assert_eq!(
        delivered.status,
        StatusCode::SEE_OTHER,
        "{}",
        delivered.body
    );
    let renhe = app.login(RENHE_CASEWORKER).await;
    let outside = app
        .json(
            Some(&renhe),
            Method::POST,
            &format!("/api/social/matches/{id}/acknowledge"),
            &json!({}),
        )
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND, "{}", outside.body);
    let ack = app
        .post_form(&qinglong, &format!("/social/matches/{id}/acknowledge"), &[])
        .await;
    assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", ack.body);
    let account = app.get(Some(&org), "/api/social/participants").await.json();
    assert_eq!(
        (
            &account[0]["pledged_fen"],
            &account[0]["delivered_fen"],
            &account[0]["acknowledged_fen"]
        ),
        (&json!(100_000), &json!(50_000), &json!(50_000))
    );
    let list = app.get(Some(&qinglong), "/api/social/matches").await.json();
    assert_eq!(list[0]["state"], "已确认收到");
    for export in [
        "/social/matches.xlsx",
        "/social/needs.xlsx",
        "/social/offers.xlsx",
    ] {
        let reply = app.get(Some(&qinglong), export).await;
        assert_eq!(reply.status, StatusCode::OK, "{export}");
    }
    let reply = app
        .get(Some(&app.login(COUNTY).await), "/social/participants.xlsx")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn a_published_need_leaks_no_personal_field_in_the_page_or_the_api() {
    let app = App::new().await;
    raise_needs(&app).await;
    let county = app.login(COUNTY).await;
    app.post_form(&county, "/social/needs/publish", &[]).await;
    let org = participant(&app, "shehui1", "云阳爱心企业").await;
    verify_all(&app).await;
    app.json(
        Some(&org),
        Method::POST,
        "/api/social/offers",
        &money_offer(""),
    )
    .await;
    let proposal = app.get(Some(&county), "/api/social/proposals").await.json();
    app.json(
        Some(&county),
        Method::POST,
        "/api/social/matches",
        &json!({"need_id": proposal[0]["need"]["need_id"], "offer": proposal[0]["offer"]["id"]}),
    )
    .await;

    let mut personal: Vec<(String, String)> = Vec::new();
    for id in [app.zhang, app.li] {
        let record = app.store.household(&system(), id).await.unwrap();
        let f = &record.household.fields;
        personal.push(("户编号".into(), f.number.clone()));
        personal.push(("住址".into(), f.address.clone()));
        if let Some(phone) = &f.phone {
            personal.push(("电话".into(), phone.as_str().to_owned()));
        }
        for m in &record.members {
            personal.push(("姓名".into(), m.fields.name.to_string()));
            personal.push(("身份证号".into(), m.fields.id_number.to_string()));
            personal.push((
                "出生日期".into(),
                m.fields.id_number.as_str()[6..14].to_owned(),
            ));
        }
    }
    personal.push(("社区".into(), "复兴社区".into()));
    personal.push(("社区".into(), "滨江社区".into()));
    personal.push(("社区代码".into(), QINGLONG_1.into()));
    personal.push(("社区代码".into(), QINGLONG_2.into()));

    for uri in [
        "/social/needs",
        "/api/social/needs",
        "/social",
        "/api/social/matches",
        "/social/matches",
    ] {
        let reply = app.get(Some(&org), uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        // The household's database id: no link to it, no member naming it.
        assert!(
            !reply.body.contains("/households/"),
            "{uri} links a household"
        );
        assert!(!reply.body.contains("household"), "{uri} names a household");
        for (field, value) in &personal {
            assert!(
                !reply.body.contains(value.as_str()),
                "{uri} shows the {field} {value}"
            );
        }
    }
    let needs = app.get(Some(&org), "/api/social/needs").await.json();
    for need in needs.as_array().unwrap() {
        let mut keys: Vec<&str> = need
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "kind",
                "need_id",
                "published_on",
                "size",
                "township",
                "urgency"
            ],
            "a need carries nothing else"
        );
        assert!(need["need_id"].as_str().unwrap().starts_with("XQ"));
    }
    let matches = app.get(Some(&org), "/api/social/matches").await.json();
    assert_eq!(matches.as_array().unwrap().len(), 1);
    for m in matches.as_array().unwrap() {
        let mut keys: Vec<&str> = m["need"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "kind",
                "need_id",
                "published_on",
                "size",
                "township",
                "urgency"
            ]
        );
    }
    let households = app.get(Some(&org), "/api/households").await;
    assert_eq!(
        households.status,
        StatusCode::FORBIDDEN,
        "still no household data"
    );
}
