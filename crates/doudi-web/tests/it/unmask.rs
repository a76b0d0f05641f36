//! Showing a household's identifiers in full: only with a purpose, only with the session's CSRF
//! token, only within scope, and always recorded in the audit trail with that purpose.

use axum::http::{Method, StatusCode};
use doudi_core::Actor;
use doudi_store::{AuditAction, AuditFilter, Page};
use serde_json::json;

use crate::support::*;

/// The unmask entries of the trail, newest first, as (login, purpose, target).
async fn unmask_entries(app: &App) -> Vec<(String, String, String)> {
    let auditor: Actor = app
        .store
        .user_by_username(AUDITOR)
        .await
        .unwrap()
        .unwrap()
        .actor();
    let filter = AuditFilter {
        action: Some(AuditAction::Unmask),
        ..Default::default()
    };
    let page = app
        .store
        .audit_entries(
            &auditor,
            &filter,
            Page {
                offset: 0,
                limit: 50,
            },
        )
        .await
        .unwrap();
    page.rows
        .into_iter()
        .map(|e| (e.actor_name, e.purpose, e.target))
        .collect()
}

#[tokio::test]
async fn the_household_page_shows_identifiers_in_full_only_for_a_stated_purpose_and_records_it() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let page_uri = format!("/households/{}", app.zhang.0);
    let unmask_uri = format!("{page_uri}/unmask");
    let head_id = id_number((1956, 12, 15), 13);

    let page = app.get(Some(&client), &page_uri).await;
    assert!(page.body.contains(&format!("action=\"{unmask_uri}\"")));
    assert!(page.body.contains("显示完整信息"));
    assert!(!page.body.contains("张三丰") && !page.body.contains(head_id.as_str()));

    let refused = app
        .post_form(&client, &unmask_uri, &[("purpose", " ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("请填写查看完整信息的用途"));
    assert!(!refused.body.contains("张三丰"), "still masked");
    assert!(unmask_entries(&app).await.is_empty());

    let shown = app
        .post_form(&client, &unmask_uri, &[("purpose", "核对户籍信息")])
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("张三丰") && shown.body.contains(head_id.as_str()));
    assert!(shown.body.contains("用途：核对户籍信息"));
    assert_eq!(
        unmask_entries(&app).await,
        [(
            QINGLONG_CASEWORKER.to_owned(),
            "核对户籍信息".to_owned(),
            format!("household:{}", app.zhang.0)
        )]
    );

    // The next visit is masked again.
    let again = app.get(Some(&client), &page_uri).await;
    assert!(!again.body.contains("张三丰"));
}

#[tokio::test]
async fn unmasking_without_the_csrf_token_or_outside_the_scope_shows_nothing() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let forged = app
        .send(form_request(
            Method::POST,
            &format!("/households/{}/unmask", app.zhang.0),
            Some(&client.cookie),
            &[("purpose", "核对")],
        ))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!forged.body.contains("张三丰"));

    let other = app.login(RENHE_CASEWORKER).await;
    let outside = app
        .post_form(
            &other,
            &format!("/households/{}/unmask", app.zhang.0),
            &[("purpose", "核对户籍信息")],
        )
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    assert!(!outside.body.contains("张三丰"));
    assert!(unmask_entries(&app).await.is_empty());
}

#[tokio::test]
async fn the_api_unmasks_a_household_for_a_purpose_and_records_it() {
    let app = App::new().await;
    let client = app.login(AUDITOR).await;
    let uri = format!("/api/households/{}/unmask", app.zhang.0);

    let missing = app
        .json(Some(&client), Method::POST, &uri, &json!({"purpose": ""}))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.json()["error"].as_str().unwrap().contains("用途"));

    let reply = app
        .json(
            Some(&client),
            Method::POST,
            &uri,
            &json!({"purpose": "专项审计抽查"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["masked"], false);
    assert_eq!(body["members"][0]["fields"]["name"], "张三丰");
    assert_eq!(
        body["members"][0]["fields"]["id_number"],
        id_number((1956, 12, 15), 13).as_str()
    );
    assert_eq!(
        unmask_entries(&app).await,
        [(
            AUDITOR.to_owned(),
            "专项审计抽查".to_owned(),
            format!("household:{}", app.zhang.0)
        )]
    );
}
