//! A whole case through the API on the router (4.2.b): application, acceptance, investigation,
//! appraisal, township opinion, public notice (seen by the public, masked), the county's
//! approval, the first payment (once), and a review that ends in an exit.

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::support::*;

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Moves the running application's clock to ten in the morning of `on`; a week later the
/// sessions have ended, so clients log in again.
fn move_to(app: &App, on: NaiveDate) {
    app.clock.set_today(on);
}

async fn step(app: &App, client: &Client, case: i64, version: i64, step: Value) -> Value {
    let reply = app
        .json(
            Some(client),
            Method::POST,
            &format!("/api/cases/{case}/steps"),
            &json!({"version": version, "step": step}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{step}: {}", reply.body);
    reply.json()
}

#[tokio::test]
async fn a_case_walks_through_the_api_from_application_to_first_payment_and_a_review_to_exit() {
    let app = App::new().await;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let county = app.login(COUNTY).await;
    let h = app.zhang.0;

    // The 三清 survey is on file before the investigation.
    let record = app
        .get(Some(&township), &format!("/api/households/{h}"))
        .await
        .json();
    let reply = app
        .json(Some(&township), Method::POST, &format!("/api/households/{h}/surveys"), &json!({
            "version": record["version"], "survey": {"family_situation": "两人户，户主年老体弱", "poverty_cause": "因病",
            "help_needed": "生活救助", "surveyed_by": "青龙经办员", "surveyed_on": "2026-11-20"}}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/households/{h}/cases"),
            &json!({"case_type": "dibao"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let case = reply.json();
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["state"], "submitted");

    // An illegal step is refused, naming the state and the step.
    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/cases/{id}/steps"),
            &json!({"version": 1, "step": {"op": "start_notice", "from": "2026-11-28"}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("当前状态为“已提交”，不能执行“开始公示”"),
        "{}",
        reply.body
    );

    let c = step(&app, &township, id, 1, json!({"op": "accept"})).await;
    assert!(
        c["steps"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("农村建档立卡")
    );
    let c = step(&app, &township, id, c["version"].as_i64().unwrap(), json!({"op": "investigate",
        "visited_on": "2026-11-28", "visit_notes": "入户核实：户主患病，孙子在读", "finances_reference": "YY-HD-2026-118"})).await;
    let c = step(
        &app,
        &township,
        id,
        c["version"].as_i64().unwrap(),
        json!({"op": "appraise", "held_on": "2026-11-28", "conclusion": "评议小组一致同意"}),
    )
    .await;
    let c = step(&app, &township, id, c["version"].as_i64().unwrap(),
        json!({"op": "township_opinion", "recommend": true, "opinion": "符合城市低保条件，同意上报"})).await;
    let c = step(
        &app,
        &township,
        id,
        c["version"].as_i64().unwrap(),
        json!({"op": "start_notice", "from": "2026-11-28"}),
    )
    .await;
    assert_eq!(
        (c["state"].as_str(), c["notice_until"].as_str()),
        (Some("under_notice"), Some("2026-12-04"))
    );
    let version = c["version"].as_i64().unwrap();

    // The public sees the notice, masked, without logging in.
    let page = app.get(None, &format!("/notices/{QINGLONG_1}")).await;
    let notice_page = app.get(None, &format!("/notices/{QINGLONG_1}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("张*丰") && !page.body.contains("张三丰"),
        "{}",
        page.body
    );
    assert!(page.body.contains("2026-12-04"));
    assert!(
        page.body
            .contains("发布单位：<span id=\"notice-issuer\">云阳县青龙街道办事处</span>")
    );
    assert!(
        page.body
            .contains("云阳府办发〔2019〕22号第四部分第（二）项二是（加强动态调整）"),
        "the notice cites the policy's own words"
    );
    assert!(!page.body.contains("4.2.b"), "never an internal clause id");

    // Not before the notice ends; the township cannot decide at all.
    let reply = app
        .json(
            Some(&county),
            Method::POST,
            &format!("/api/cases/{id}/approve"),
            &json!({"version": version}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("公示期满后方可审批"), "{}", reply.body);
    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/cases/{id}/approve"),
            &json!({"version": version}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    move_to(&app, day(2026, 12, 7));
    let (township, county) = (
        app.login(QINGLONG_CASEWORKER).await,
        app.login(COUNTY).await,
    );
    let work = app.get(Some(&county), "/api/work").await.json();
    assert_eq!(
        work["to_do"][0]["id"], id,
        "the county has the decision to make: {work}"
    );
    let page = app.get(Some(&county), "/work").await;
    assert!(
        page.body.contains(&format!("id=\"todo-{id}\"")),
        "{}",
        page.body
    );

    // The case page shows the amount and why before the approver clicks.
    let case_page = app.get(Some(&county), &format!("/cases/{id}")).await;
    assert!(
        case_page.body.contains("id=\"approval-preview\""),
        "{}",
        case_page.body
    );
    assert!(
        case_page.body.contains("批准后自2026-12起每月发放"),
        "{}",
        case_page.body
    );
    assert!(
        case_page.body.contains("class=\"ex ex-d"),
        "the explanation is shown"
    );

    let reply = app
        .json(
            Some(&county),
            Method::POST,
            &format!("/api/cases/{id}/approve"),
            &json!({"version": version}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let approval = reply.json();
    let monthly = approval["monthly_fen"].as_i64().unwrap();
    assert!(monthly > 0);
    assert!(
        case_page
            .body
            .contains(&doudi_core::Money::from_fen(monthly).to_string()),
        "the page showed the amount the approval froze"
    );
    // The notice stated the amount the rules gave in its own month (November's income
    // window; the approval in December reads December's).
    let november = app
        .uses
        .entitlement(&system(), doudi_core::HouseholdId(h), Some("2026-11"))
        .await
        .unwrap()
        .monthly
        .total_fen;
    assert!(
        notice_page
            .body
            .contains(&format!("{}/月", doudi_core::Money::from_fen(november))),
        "the public notice stated the amount: {}",
        notice_page.body
    );
    assert_eq!(approval["from_month"], "2026-12");
    assert_eq!(approval["outcome"]["program"], "dibao");
    assert!(
        approval["outcome"]["explanation"].is_object(),
        "the explanation is frozen with the decision"
    );

    let entitlements = app
        .get(Some(&county), &format!("/api/households/{h}/entitlements"))
        .await
        .json();
    assert_eq!(entitlements[0]["monthly_fen"], monthly);
    let entitlement = entitlements[0]["id"].as_i64().unwrap();

    // A month still to come is refused, in Chinese, and creates no line.
    let future = app
        .json(
            Some(&county),
            Method::POST,
            "/api/payments/9999-12",
            &json!({}),
        )
        .await;
    assert_eq!(
        future.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        future.body
    );
    assert!(
        future.json()["error"]
            .as_str()
            .unwrap()
            .contains("尚未到来")
    );
    let lines = app.get(Some(&county), "/api/payments/9999-12").await.json();
    assert_eq!(lines.as_array().unwrap().len(), 0);

    // The first payment, once.
    let run = app
        .json(
            Some(&county),
            Method::POST,
            "/api/payments/2026-12",
            &json!({}),
        )
        .await
        .json();
    assert_eq!(
        (run["created"].as_u64(), run["created_fen"].as_i64()),
        (Some(1), Some(monthly))
    );
    let again = app
        .json(
            Some(&county),
            Method::POST,
            "/api/payments/2026-12",
            &json!({}),
        )
        .await
        .json();
    assert_eq!(
        (again["created"].as_u64(), again["existing"].as_u64()),
        (Some(0), Some(1))
    );
    let lines = app.get(Some(&county), "/api/payments/2026-12").await.json();
    assert_eq!(lines.as_array().unwrap().len(), 1);
    let reply = app
        .json(
            Some(&county),
            Method::POST,
            "/api/payments/2026-12/results",
            &json!([{"payment_id": lines[0]["id"], "failure": null}]),
        )
        .await;
    assert_eq!(reply.json()["settled"], 1);
    assert_eq!(
        app.json(
            Some(&township),
            Method::POST,
            "/api/payments/2027-01",
            &json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // Income rises well above the line; the review ends the entitlement from next month.
    let record = app
        .get(Some(&township), &format!("/api/households/{h}"))
        .await
        .json();
    let head = record["members"][0]["id"].as_i64().unwrap();
    let mut version = record["version"].as_i64().unwrap();
    for m in 6..=11 {
        let reply = app.json(Some(&township), Method::POST, &format!("/api/households/{h}/finances"), &json!({
            "version": version, "change": {"op": "put_income", "person_id": head, "month": format!("2026-{m:02}"),
            "kind": "wages", "amount_fen": 900_000}})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        version = reply.json()["version"].as_i64().unwrap();
    }
    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/entitlements/{entitlement}/review"),
            &json!({"household_id": h}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let review = reply.json();
    assert_eq!(review["result"], "exit");
    // The township's exit waits for the county: nothing has stopped yet.
    assert_eq!(review["needs_sign_off"], true, "{review}");
    assert!(review["stopped"].is_null(), "{review}");
    let proposal = review["proposal_id"].as_i64().expect("a proposal");
    let again = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/entitlements/{entitlement}/review"),
            &json!({"household_id": h}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "one proposal waits at a time"
    );
    let periods = app
        .get(
            Some(&township),
            &format!("/api/households/{h}/entitlements"),
        )
        .await
        .json();
    assert!(periods[0]["until_month"].is_null(), "{periods}");
    let county = app.login(COUNTY).await;
    let waiting = app.get(Some(&county), "/api/review-proposals").await.json();
    assert_eq!(waiting[0]["id"], proposal, "{waiting}");
    assert_eq!(waiting[0]["result"], "exit");
    let refused = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/review-proposals/{proposal}/decision"),
            &json!({"household_id": h, "approve": true}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "the township cannot sign off"
    );
    let reply = app
        .json(
            Some(&county),
            Method::POST,
            &format!("/api/review-proposals/{proposal}/decision"),
            &json!({"household_id": h, "approve": true}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let signed = reply.json();
    assert_eq!(signed["result"], "exit");
    assert_eq!(
        signed["stopped"]["entitlements"][0]["until_month"],
        "2026-12"
    );
    move_to(&app, day(2027, 1, 4));
    let county = app.login(COUNTY).await;
    let run = app
        .json(
            Some(&county),
            Method::POST,
            "/api/payments/2027-01",
            &json!({}),
        )
        .await
        .json();
    assert_eq!(run["created"], 0, "nothing is paid after the exit");
}

/// 张三丰's household approved for dibao from 2026-03 and April's payments run; returns the
/// application and the monthly amount for the two members.
pub(crate) async fn zhang_approved_and_april_paid() -> (App, i64) {
    use doudi_core::casework::{Action, CaseType, Investigation, Limits};

    let app = App::new().await;
    let store = app.store.as_ref();
    let sys = system();
    let h = app.zhang;
    let version = store.household(&sys, h).await.unwrap().household.version;
    store
        .record_survey(
            &sys,
            h,
            version,
            &doudi_core::Survey {
                family_situation: "两人户".into(),
                poverty_cause: "因病".into(),
                help_needed: "生活救助".into(),
                surveyed_by: "陈静".into(),
                surveyed_on: day(2026, 3, 1),
            },
        )
        .await
        .unwrap();
    let t = day(2026, 3, 2);
    let id = store
        .submit_case(&sys, h, CaseType::Dibao, t)
        .await
        .unwrap();
    let mut v = 1;
    for a in [
        Action::Accept { complex: false },
        Action::Investigate(Investigation {
            visited_on: t,
            visit_notes: "入户".into(),
            finances_reference: "HD".into(),
            survey_on_file: false,
        }),
        Action::Appraise {
            held_on: t,
            conclusion: "同意".into(),
        },
        Action::TownshipOpinion {
            recommend: true,
            opinion: "同意".into(),
        },
        Action::StartNotice { from: t },
    ] {
        v = store
            .act_on_case(&sys, id, v, &a, t, &Limits::default())
            .await
            .unwrap()
            .version;
    }
    // The county decides on 10 March; the clock then goes back to the tests' today.
    app.clock.set_today(day(2026, 3, 10));
    let (_, outcome) = app.uses.approve(&sys, id, v).await.unwrap();
    app.clock.set_today(today());
    let two = outcome.total_fen;
    assert_eq!(
        store
            .run_payments(
                &sys,
                doudi_core::Month::new(2026, 4).unwrap(),
                day(2026, 12, 31)
            )
            .await
            .unwrap()
            .created_fen,
        two
    );

    (app, two)
}

#[tokio::test]
async fn a_township_caseworkers_death_removes_the_member_and_restates_in_one_request() {
    let (app, two) = zhang_approved_and_april_paid().await;
    let h = app.zhang;
    let record = app.store.household(&system(), h).await.unwrap();
    let child = record
        .members
        .iter()
        .find(|m| m.fields.relation == doudi_core::Relation::Child)
        .unwrap()
        .id;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let uri = format!("/api/members/{}/death", child.0);

    let future = app
        .json(
            Some(&township),
            Method::POST,
            &uri,
            &json!({"household_id": h.0, "version": record.household.version, "died_on": "2026-11-29"}),
        )
        .await;
    assert_eq!(
        future.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        future.body
    );
    assert!(
        future
            .body
            .contains("死亡日期2026-11-29晚于今天（2026-11-28）"),
        "{}",
        future.body
    );
    assert_eq!(
        app.store
            .household(&system(), h)
            .await
            .unwrap()
            .members
            .len(),
        2,
        "a refused death writes nothing"
    );

    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &uri,
            &json!({"household_id": h.0, "version": record.household.version, "died_on": "2026-04-15"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let one = reply.json()["new_monthly_fen"][0].as_i64().unwrap();
    assert!(0 < one && one < two, "{one} < {two}");
    assert_eq!(
        app.store
            .household(&system(), h)
            .await
            .unwrap()
            .members
            .len(),
        1
    );
    let periods = app.store.entitlements(&system(), h).await.unwrap();
    assert_eq!(
        periods
            .iter()
            .map(|p| (p.monthly_fen, p.until.map(|m| m.to_string())))
            .collect::<Vec<_>>(),
        vec![(two, Some("2026-04".into())), (one, None)],
        "the old amount ends with April, the new one is paid from May"
    );
}

/// 张三丰's child dies on 15 April 2026, recorded by the county at the household's version.
async fn the_child_dies_on_15_april(app: &App) -> doudi_app::casework::DeathEffect {
    let sys = system();
    let record = app.store.household(&sys, app.zhang).await.unwrap();
    let child = record
        .members
        .iter()
        .find(|m| m.fields.relation == doudi_core::Relation::Child)
        .unwrap()
        .id;
    app.uses
        .record_death(
            &sys,
            child,
            app.zhang,
            record.household.version,
            day(2026, 4, 15),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_death_in_mid_month_is_paid_that_month_and_the_others_are_paid_anew_from_the_next() {
    use doudi_app::casework::DeathEffect;

    let (app, two) = zhang_approved_and_april_paid().await;
    let store = app.store.as_ref();
    let sys = system();
    let h = app.zhang;
    let effect = the_child_dies_on_15_april(&app).await;
    let DeathEffect::Restated(changes) = effect else {
        panic!("two members: the household goes on")
    };
    let one = changes[0].decision.monthly_fen;
    assert!(0 < one && one < two, "{one} < {two}");
    let periods = store.entitlements(&sys, h).await.unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(
        (
            periods[0].monthly_fen,
            periods[0].until.map(|m| m.to_string())
        ),
        (two, Some("2026-04".into()))
    );
    assert_eq!(
        (periods[1].monthly_fen, periods[1].from.to_string()),
        (one, "2026-05".into())
    );
    assert_eq!(
        store
            .run_payments(
                &sys,
                doudi_core::Month::new(2026, 4).unwrap(),
                day(2026, 12, 31)
            )
            .await
            .unwrap()
            .created,
        0,
        "April was paid, once"
    );
    assert_eq!(
        store
            .run_payments(
                &sys,
                doudi_core::Month::new(2026, 5).unwrap(),
                day(2026, 12, 31)
            )
            .await
            .unwrap()
            .created_fen,
        one
    );
}

#[tokio::test]
async fn the_case_page_forms_take_the_steps_and_show_a_refusal_on_the_page() {
    let app = App::new().await;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let h = app.zhang.0;
    let page = app.get(Some(&township), &format!("/households/{h}")).await;
    assert!(
        page.body.contains("id=\"form-submit-case\""),
        "{}",
        page.body
    );
    let reply = app
        .post_form(
            &township,
            &format!("/households/{h}/cases"),
            &[("case_type", "dibao")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let case = reply.location().to_owned();
    let page = app.get(Some(&township), &case).await;
    assert!(
        page.body.contains("id=\"form-accept\"") && page.body.contains("data-state=\"submitted\"")
    );

    let reply = app
        .post_form(
            &township,
            &format!("{case}/steps"),
            &[("op", "accept"), ("version", "1")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = app.get(Some(&township), &case).await;
    assert!(
        page.body.contains("data-state=\"accepted\"")
            && page.body.contains("id=\"form-investigate\"")
    );

    // No 三清 survey on file: the investigation is refused on the page, with the reason.
    let reply = app
        .post_form(
            &township,
            &format!("{case}/steps"),
            &[
                ("op", "investigate"),
                ("version", "2"),
                ("visited_on", "2026-11-28"),
                ("visit_notes", "入户核实"),
                ("finances_reference", "HD-9"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("id=\"case-error\"") && reply.body.contains("三清调查"),
        "{}",
        reply.body
    );
    let reply = app
        .post_form(
            &township,
            &format!("{case}/steps"),
            &[
                ("op", "start_notice"),
                ("version", "2"),
                ("from", "2026-11-28"),
            ],
        )
        .await;
    assert!(
        reply
            .body
            .contains("当前状态为“已受理”，不能执行“开始公示”"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_centralisation_goes_to_the_county_home_for_qinglong_and_counts_against_the_years_target()
{
    use doudi_core::{Category, Relation, SelfCare};

    let app = App::new().await;
    let mut people = vec![person(
        "孤老甲",
        Relation::Head,
        id_number((1940, 1, 1), 71),
    )];
    people[0].self_care = SelfCare::None;
    let first = app
        .store
        .create_household(
            &system(),
            &household("TK-01", QINGLONG_1, Category::Tekun, people),
        )
        .await
        .unwrap();
    let mut people = vec![person(
        "孤老乙",
        Relation::Head,
        id_number((1941, 1, 1), 72),
    )];
    people[0].self_care = SelfCare::Partial;
    app.store
        .create_household(
            &system(),
            &household("TK-02", QINGLONG_1, Category::Tekun, people),
        )
        .await
        .unwrap();
    let township = app.login(QINGLONG_CASEWORKER).await;
    let kpi = app
        .get(Some(&township), "/api/care/kpi?year=2020")
        .await
        .json();
    assert_eq!(
        (
            kpi[0]["disabled"].as_u64(),
            kpi[0]["met"].as_bool(),
            kpi[0]["shortfall"].as_u64()
        ),
        (Some(2), Some(false), Some(1))
    );
    assert_eq!(kpi[0]["target_bp"], 5000, "50% in 2020");

    let person_id = app.store.household(&system(), first).await.unwrap().members[0]
        .id
        .0;
    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/members/{person_id}/care"),
            &json!({"household_id": first.0, "centralised": true, "since": "2020-06-01"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.json()["institution"]
            .as_str()
            .unwrap()
            .contains("敬老院"),
        "{}",
        reply.body
    );
    let kpi = app
        .get(Some(&township), "/api/care/kpi?year=2020")
        .await
        .json();
    assert_eq!(
        (kpi[0]["centralised"].as_u64(), kpi[0]["met"].as_bool()),
        (Some(1), Some(true))
    );
    let kpi = app
        .get(Some(&township), "/api/care/kpi?year=2019")
        .await
        .json();
    assert_eq!(kpi[0]["target_bp"], 4000, "40% in 2019");
}

#[tokio::test]
async fn every_frozen_decision_evaluated_again_from_what_was_stored_gives_the_stored_amount() {
    let (app, _) = zhang_approved_and_april_paid().await;
    let store = app.store.as_ref();
    let sys = system();
    let h = app.zhang;
    // A death restates the household: a second decision, frozen from the smaller household.
    the_child_dies_on_15_april(&app).await;
    let decisions = store.decisions(&sys, h).await.unwrap();
    assert_eq!(decisions.len(), 2, "the approval and the restatement");
    let params = doudi_policy::params::Parameters::yunyang();
    for d in &decisions {
        let frozen = doudi_app::frozen::FrozenHousehold::from_json(&d.snapshot_json).unwrap();
        assert_eq!(frozen.format, doudi_app::frozen::FORMAT);
        let replay = doudi_app::frozen::replay(d, &params).unwrap();
        assert_eq!(
            replay.monthly_fen, d.monthly_fen,
            "decision {} ({}) replays to its amount",
            d.id, d.kind
        );
        assert!(
            replay.same_parameters,
            "decision {} names its parameters",
            d.id
        );
    }
    assert_ne!(
        decisions[0].monthly_fen, decisions[1].monthly_fen,
        "the two decisions froze different households"
    );
}

#[tokio::test]
async fn the_public_finds_a_communitys_notice_by_township_or_community_name() {
    let app = App::new().await;
    let all = app.get(None, "/notices").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("青龙街道") && all.body.contains("人和社区"));
    let found = app.get(None, "/notices?q=%E5%A4%8D%E5%85%B4").await; // 复兴
    assert!(
        found
            .body
            .contains(&format!("href=\"/notices/{QINGLONG_1}\""))
    );
    assert!(!found.body.contains("人和社区"), "{}", found.body);
    let by_township = app.get(None, "/notices?q=%E4%BA%BA%E5%92%8C").await; // 人和
    assert!(by_township.body.contains(&format!("/notices/{RENHE_1}")));
    let none = app
        .get(None, "/notices?q=%E4%B8%8D%E5%AD%98%E5%9C%A8")
        .await; // 不存在
    assert!(none.body.contains("id=\"notice-none\""), "{}", none.body);
    // A township's code is not a community's notice.
    assert_eq!(
        app.get(None, &format!("/notices/{QINGLONG}")).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Puts 张三丰 (with a bank account) and 李 (without one) on 城市低保 from November 2026.
async fn two_entitlements(app: &App) {
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let mut fields = zhang.household.fields.clone();
    fields.bank_account = Some(doudi_core::BankAccount::parse("6222020200112233445").unwrap());
    app.store
        .update_household(&system(), app.zhang, zhang.household.version, &fields)
        .await
        .unwrap();
    let entry = |household, fen| doudi_store::casework::ImportedEntitlement {
        household,
        program: doudi_core::Category::Dibao,
        monthly_fen: fen,
        from: doudi_core::Month::parse("2026-11").unwrap(),
        review_class: doudi_core::casework::ReviewClass::Stable,
        next_review: NaiveDate::from_ymd_opt(2027, 11, 1).unwrap(),
        reference: "云民〔2025〕1号".into(),
    };
    app.store
        .import_entitlements(
            &system(),
            &[entry(app.zhang, 66_000), entry(app.li, 35_050)],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_roster_previews_the_run_flags_a_payee_without_an_account_and_runs_only_as_confirmed() {
    let app = App::new().await;
    two_entitlements(&app).await;
    let county = app.login(COUNTY).await;
    let page = app.get(Some(&county), "/payments?month=2026-11").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("本次将新生成 <strong>2</strong> 笔，合计 <strong>¥1,010.50</strong>"),
        "{}",
        page.body
    );
    let li = app.store.household(&system(), app.li).await.unwrap();
    assert!(page.body.contains("id=\"without-account\""));
    assert!(
        page.body
            .contains(&format!(">{}</a>", li.household.fields.number))
    );

    // A run confirmed against another preview runs nothing and says why.
    let stale = app
        .post_form(
            &county,
            "/payments",
            &[
                ("month", "2026-11"),
                ("confirm_lines", "1"),
                ("confirm_fen", "66000"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("确认后名册已有变化"), "{}", stale.body);
    let unconfirmed = app
        .post_form(&county, "/payments", &[("month", "2026-11")])
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.store
            .payments(&system(), doudi_core::Month::parse("2026-11").unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    let ran = app
        .post_form(
            &county,
            "/payments",
            &[
                ("month", "2026-11"),
                ("confirm_lines", "2"),
                ("confirm_fen", "101050"),
            ],
        )
        .await;
    assert_eq!(ran.status, StatusCode::SEE_OTHER, "{}", ran.body);
    let page = app.get(Some(&county), ran.location()).await;
    assert!(page.body.contains("新生成2笔"), "{}", page.body);
    assert!(page.body.contains("没有需要新生成的发放"));
    // Who receives what this month, as an Excel file by file number.
    let file = app
        .get(Some(&county), "/entitlements/export.xlsx?month=2026-11")
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let sheet = doudi_exchange::read::read_file("e.xlsx", &file.raw).unwrap();
    assert_eq!(sheet.headers[0], "户编号");
    assert_eq!(sheet.rows.len(), 2);
    assert!(
        format!("{:?}", sheet.rows).contains("QL-0001"),
        "{:?}",
        sheet.rows
    );
}

#[tokio::test]
async fn the_bank_file_downloads_with_its_total_and_the_banks_results_come_back_on_the_page() {
    let app = App::new().await;
    two_entitlements(&app).await;
    let county = app.login(COUNTY).await;
    let month = doudi_core::Month::parse("2026-11").unwrap();
    app.uses.run_payments(&system(), month).await.unwrap();
    let page = app.get(Some(&county), "/payments?month=2026-11").await;
    assert!(page.body.contains("href=\"/payments/2026-11/bank.xlsx\""));
    let csv = app.get(Some(&county), "/payments/2026-11/bank.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("合计") && csv.body.contains("2笔"),
        "{}",
        csv.body
    );
    let xlsx = app.get(Some(&county), "/payments/2026-11/bank.xlsx").await;
    let sheet = doudi_exchange::read::read_file("b.xlsx", &xlsx.raw).unwrap();
    assert_eq!(sheet.rows.len(), 3, "two lines and 合计");

    let lines = app.store.payments(&system(), month).await.unwrap();
    let upload = |content: String| {
        let mut body = Vec::new();
        for (name, value) in [("_csrf", county.csrf.as_str()), ("month", "2026-11")] {
            body.extend_from_slice(
                format!(
                    "--B\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huipan.csv\"\r\n\r\n",
        );
        body.extend_from_slice(content.as_bytes());
        body.extend_from_slice(b"\r\n--B--\r\n");
        axum::http::Request::builder()
            .method(Method::POST)
            .uri("/payments/results")
            .header("content-type", "multipart/form-data; boundary=B")
            .header("cookie", format!("doudi_session={}", county.cookie))
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    // A bad row: nothing recorded, the row named.
    let bad = app
        .send(upload(format!(
            "名册编号,结果,失败原因\n{},成功,\n{},也许,\n",
            lines[0].id, lines[1].id
        )))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("第3行"), "{}", bad.body);
    assert!(bad.body.contains("未登记任何结果"));
    let after = app.store.payments(&system(), month).await.unwrap();
    assert!(after.iter().all(|l| l.status.code() == "pending"));

    let good = app
        .send(upload(format!(
            "名册编号,结果,失败原因\n{},成功,\n{},失败,账户已销户\n",
            lines[0].id, lines[1].id
        )))
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let page = app.get(Some(&county), good.location()).await;
    assert!(page.body.contains("登记结果2笔"), "{}", page.body);
    assert!(
        page.body.contains("已发放 1 笔，发放失败 1 笔"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_household_shows_as_covered_only_once_approved_and_as_exited_after() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let page = app
        .get(Some(&county), &format!("/households/{}", app.zhang.0))
        .await;
    assert!(
        page.body.contains("id=\"standing\">未批准<"),
        "{}",
        page.body
    );
    two_entitlements(&app).await;
    let page = app
        .get(Some(&county), &format!("/households/{}", app.zhang.0))
        .await;
    assert!(page.body.contains("id=\"standing\">在保<"), "{}", page.body);
    // Exited: the category shows as exited, never as covered.
    let record = app.store.household(&system(), app.zhang).await.unwrap();
    let mut fields = record.household.fields.clone();
    fields.exited_on = Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    app.store
        .update_household(&system(), app.zhang, record.household.version, &fields)
        .await
        .unwrap();
    let page = app
        .get(Some(&county), &format!("/households/{}", app.zhang.0))
        .await;
    assert!(page.body.contains("已退出"));
    assert!(!page.body.contains("id=\"standing\""), "{}", page.body);
}

#[tokio::test]
async fn the_administrator_sets_the_supervision_phone_the_public_notice_gives() {
    let app = App::new().await;
    let page = app.get(None, &format!("/notices/{QINGLONG_1}")).await;
    assert!(
        page.body
            .contains("监督电话：<span id=\"notice-phone\">12345（政务服务便民热线）</span>"),
        "{}",
        page.body
    );
    app.add_user(
        "admin",
        doudi_core::Role::Admin,
        doudi_core::Scope::County,
        None,
    )
    .await;
    let admin = app.login("admin").await;
    let bad = app
        .post_form(&admin, "/admin/settings", &[("phone", "请拨打民政局")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = app
        .post_form(&admin, "/admin/settings", &[("phone", "023-55556666")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = app.get(None, &format!("/notices/{QINGLONG_1}")).await;
    assert!(page.body.contains(">023-55556666</span>"), "{}", page.body);
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    let refused = app
        .post_form(&caseworker, "/admin/settings", &[("phone", "110")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A running application with a dibao case just submitted for 张 by the Qinglong caseworker,
/// who is logged in; returns the case's id too.
async fn with_a_case() -> (App, Client, i64) {
    let app = App::new().await;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let h = app.zhang.0;
    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/households/{h}/cases"),
            &json!({"case_type": "dibao"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.json()["id"].as_i64().unwrap();
    (app, township, id)
}

#[tokio::test]
async fn the_case_list_of_the_api_comes_in_pages_with_the_total() {
    let (app, township, _) = with_a_case().await;

    let first = app
        .get(Some(&township), "/api/cases?per_page=1")
        .await
        .json();
    assert_eq!(
        (&first["page"], &first["per_page"], &first["total"]),
        (&json!(1), &json!(1), &json!(1)),
        "{first}"
    );
    assert_eq!(first["rows"].as_array().unwrap().len(), 1, "{first}");
    let beyond = app
        .get(Some(&township), "/api/cases?page=2&per_page=1")
        .await
        .json();
    assert_eq!(beyond["total"], json!(1), "{beyond}");
    assert_eq!(beyond["rows"], json!([]), "{beyond}");
    let bad = app.get(Some(&township), "/api/cases?per_page=501").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("应为1至500的整数"), "{}", bad.body);
}

#[tokio::test]
async fn a_step_with_a_date_that_does_not_exist_names_the_field_in_the_api_and_on_the_page() {
    let (app, township, id) = with_a_case().await;

    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/cases/{id}/steps"),
            &json!({"version": 1, "step": {"op": "start_notice", "from": "2026-02-30"}}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("\"from\""), "{}", reply.body);
    assert!(
        reply.body.contains("日期“2026-02-30”不存在"),
        "{}",
        reply.body
    );

    let page = app
        .post_form(
            &township,
            &format!("/cases/{id}/steps"),
            &[
                ("version", "1"),
                ("op", "start_notice"),
                ("from", "2026-02-30"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("公示开始日期：日期“2026-02-30”不存在"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn applications_are_listed_by_state_and_township_and_stay_findable_when_finished() {
    let (app, township, id) = with_a_case().await;
    let open = app.get(Some(&township), "/cases").await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(
        open.body.contains(&format!("id=\"case-{id}\"")),
        "{}",
        open.body
    );
    assert!(
        open.body.contains("id=\"nav-cases\""),
        "the menu leads here"
    );
    let by_township = app
        .get(
            Some(&township),
            &format!("/cases?state=open&township={QINGLONG}"),
        )
        .await;
    assert!(by_township.body.contains(&format!("id=\"case-{id}\"")));
    let county = app.login(COUNTY).await;
    let elsewhere = app
        .get(
            Some(&county),
            &format!("/cases?state=open&township={RENHE}"),
        )
        .await;
    assert!(
        elsewhere.body.contains("id=\"cases-empty\""),
        "{}",
        elsewhere.body
    );

    // Withdrawn, it leaves the open list and stays in the full one and the household's.
    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/cases/{id}/steps"),
            &json!({"version": 1, "step": {"op": "withdraw"}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let open = app.get(Some(&township), "/cases").await;
    assert!(!open.body.contains(&format!("id=\"case-{id}\"")));
    let all = app.get(Some(&township), "/cases?state=all").await;
    assert!(
        all.body.contains(&format!("id=\"case-{id}\"")),
        "{}",
        all.body
    );
    let household = app
        .get(Some(&township), &format!("/households/{}", app.zhang.0))
        .await;
    let link = format!("/cases?household={}&amp;state=all", app.zhang.0);
    assert!(household.body.contains(&link), "{}", household.body);
    let theirs = app
        .get(
            Some(&township),
            &format!("/cases?household={}&state=all", app.zhang.0),
        )
        .await;
    assert!(theirs.body.contains(&format!("id=\"case-{id}\"")));
    let file = app
        .get(Some(&township), "/cases/export.xlsx?state=all")
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let sheet = doudi_exchange::read::read_file("c.xlsx", &file.raw).unwrap();
    assert_eq!(sheet.headers[0], "申请编号");
    assert_eq!(sheet.rows.len(), 1);
    // A state that does not exist is a clear error, not everything.
    let bad = app.get(Some(&township), "/cases?state=maybe").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_returned_application_is_on_the_community_workers_list_until_brought_back() {
    let (app, township, id) = with_a_case().await;
    let community = format!("fuxing{}", 1);
    app.add_user(
        &community,
        doudi_core::Role::CommunityWorker,
        doudi_core::Scope::Division(doudi_core::DivisionCode::parse(QINGLONG_1).unwrap()),
        None,
    )
    .await;
    let reply = app
        .json(
            Some(&township),
            Method::POST,
            &format!("/api/cases/{id}/steps"),
            &json!({"version": 1, "step": {"op": "return", "missing": ["户口簿复印件"]}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let worker = app.login(&community).await;
    let work = app.get(Some(&worker), "/work").await;
    assert!(
        work.body.contains(&format!("id=\"todo-{id}\"")),
        "{}",
        work.body
    );
    assert!(work.body.contains("补正后重新提交"), "{}", work.body);
}

/// Wages of `fen` a month for the head of 张三丰's household, June to November 2026, put
/// through the API by the township.
async fn head_earns(app: &App, township: &Client, fen: i64) {
    let h = app.zhang.0;
    let record = app
        .get(Some(township), &format!("/api/households/{h}"))
        .await
        .json();
    let head = record["members"][0]["id"].as_i64().unwrap();
    let mut version = record["version"].as_i64().unwrap();
    for m in 6..=11 {
        let reply = app.json(Some(township), Method::POST, &format!("/api/households/{h}/finances"), &json!({
            "version": version, "change": {"op": "put_income", "person_id": head, "month": format!("2026-{m:02}"),
            "kind": "wages", "amount_fen": fen}})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        version = reply.json()["version"].as_i64().unwrap();
    }
}

#[tokio::test]
async fn a_township_review_that_lowers_the_amount_is_previewed_and_waits_for_the_countys_sign_off()
{
    let (app, two) = zhang_approved_and_april_paid().await;
    let h = app.zhang.0;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let county = app.login(COUNTY).await;
    let periods = app
        .get(
            Some(&township),
            &format!("/api/households/{h}/entitlements"),
        )
        .await
        .json();
    let e = periods[0]["id"].as_i64().unwrap();
    head_earns(&app, &township, 20_000).await;

    // The preview says what the review would decide, why, and that the county must agree.
    let page = app
        .get(
            Some(&township),
            &format!("/households/{h}/entitlements?review={e}"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("id=\"review-preview\" data-result=\"adjust\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"review-needs-sign-off\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("计算说明"),
        "the preview explains the amount"
    );
    let reply = app
        .post_form(
            &township,
            &format!("/households/{h}/entitlements/{e}/review"),
            &[("note", "入户核实：户主已就业")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("data-proposed=\"1\""), "{}", reply.body);
    assert!(reply.body.contains("已报县民政局审批"), "{}", reply.body);
    let periods = app
        .get(
            Some(&township),
            &format!("/api/households/{h}/entitlements"),
        )
        .await
        .json();
    assert_eq!(
        periods.as_array().unwrap().len(),
        1,
        "nothing changes before the county signs"
    );
    assert_eq!(periods[0]["monthly_fen"], two);

    // The county finds it on its work list; refusing needs a reason.
    let work = app.get(Some(&county), "/work").await;
    let proposal = app.store.review_proposals(&system(), None).await.unwrap()[0].id;
    assert!(
        work.body
            .contains(&format!("id=\"work-proposal-{proposal}\"")),
        "{}",
        work.body
    );
    let page = app
        .get(Some(&county), &format!("/households/{h}/entitlements"))
        .await;
    assert!(
        page.body
            .contains(&format!("id=\"proposal-{proposal}-today\"")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("入户核实：户主已就业"),
        "the caseworker's note is shown"
    );
    let reply = app
        .post_form(
            &county,
            &format!("/households/{h}/review-proposals/{proposal}/reject"),
            &[("note", " ")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("须写明理由"), "{}", reply.body);

    // The household's situation changes again before the county signs: signing is refused,
    // saying what changed, and nothing is written.
    head_earns(&app, &township, 900_000).await;
    let reply = app
        .post_form(
            &county,
            &format!("/households/{h}/review-proposals/{proposal}/approve"),
            &[],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("已有变化"), "{}", reply.body);
    let reply = app
        .post_form(
            &county,
            &format!("/households/{h}/review-proposals/{proposal}/reject"),
            &[("note", "情况已变化，请重新复核")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.body.contains("id=\"review-notice\""),
        "{}",
        reply.body
    );

    // The township reviews again (now an exit); the county signs it off and it takes effect.
    let reply = app
        .post_form(
            &township,
            &format!("/households/{h}/entitlements/{e}/review"),
            &[],
        )
        .await;
    assert!(
        reply
            .body
            .contains("data-result=\"exit\" data-proposed=\"1\""),
        "{}",
        reply.body
    );
    let proposal = app.store.review_proposals(&system(), None).await.unwrap()[0].id;
    let reply = app
        .post_form(
            &county,
            &format!("/households/{h}/review-proposals/{proposal}/approve"),
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("已生效"), "{}", reply.body);
    assert!(
        reply.body.contains("id=\"review-stopped\""),
        "{}",
        reply.body
    );
    let periods = app
        .get(Some(&county), &format!("/api/households/{h}/entitlements"))
        .await
        .json();
    assert_eq!(periods[0]["until_month"], "2026-11", "{periods}");
}

#[tokio::test]
async fn the_countys_own_review_takes_effect_on_confirmation_and_the_preview_says_when_the_county_must_sign()
 {
    let (app, two) = zhang_approved_and_april_paid().await;
    let h = app.zhang.0;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let e = app
        .get(
            Some(&township),
            &format!("/api/households/{h}/entitlements"),
        )
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();
    let preview = app
        .get(
            Some(&township),
            &format!("/api/entitlements/{e}/review?household_id={h}"),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let preview = preview.json();
    assert_eq!(preview["current_fen"], two);
    let lower = preview["result"] == "exit" || preview["monthly_fen"].as_i64() < Some(two);
    assert_eq!(
        preview["needs_sign_off"].as_bool(),
        Some(lower),
        "the township needs the county only to lower or end: {preview}"
    );
    let missing = app
        .get(Some(&township), &format!("/api/entitlements/{e}/review"))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("household_id"), "{}", missing.body);

    head_earns(&app, &township, 900_000).await;
    let county = app.login(COUNTY).await;
    let reply = app
        .json(
            Some(&county),
            Method::POST,
            &format!("/api/entitlements/{e}/review"),
            &json!({"household_id": h}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let done = reply.json();
    assert_eq!(
        (done["result"].as_str(), done["needs_sign_off"].as_bool()),
        (Some("exit"), Some(false))
    );
    assert!(done["proposal_id"].is_null());
    assert_eq!(done["stopped"]["entitlements"][0]["until_month"], "2026-11");
}
