//! Policy pages and good cases (3.4): written by the county, public without login once
//! published, drafts never shown.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn the_county_publishes_a_good_case_that_anyone_reads_and_a_draft_stays_hidden() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let r = app
        .post_form(
            &county,
            "/admin/publications",
            &[
                ("kind", "story"),
                ("title", "结对帮扶让老人过上安稳日子"),
                ("body", "第一段。\r\n\r\n第二段。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.get(None, "/api/publications").await.json(),
        json!([]),
        "a draft is hidden"
    );
    let draft = app.store.publications(None, false).await.unwrap();
    assert!(draft.is_empty());
    let all = app
        .store
        .publications(
            Some(&doudi_core::Actor {
                role: doudi_core::Role::CountyApprover,
                ..system()
            }),
            true,
        )
        .await
        .unwrap();
    let id = all[0].id;
    assert_eq!(
        app.get(None, &format!("/policy/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    let r = app
        .post_form(
            &county,
            "/admin/publications",
            &[
                ("id", &id.to_string()),
                ("kind", "story"),
                ("title", "结对帮扶让老人过上安稳日子"),
                ("body", "第一段。\r\n\r\n第二段。"),
                ("published", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(None, &format!("/policy/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<p>第一段。</p>") && page.body.contains("<p>第二段。</p>"),
        "{}",
        page.body
    );
    let index = app.get(None, "/policy").await;
    assert!(
        index.body.contains("结对帮扶让老人过上安稳日子"),
        "{}",
        index.body
    );
    assert_eq!(
        app.get(None, "/api/publications").await.json()[0]["kind"],
        "story"
    );

    // An empty title writes nothing; a township may not publish.
    let r = app
        .post_form(
            &county,
            "/admin/publications",
            &[("kind", "policy"), ("title", ""), ("body", "正文")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("标题"), "{}", r.body);
    assert_eq!(
        app.get(None, "/api/publications")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let township = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&township), "/admin/publications").await.status,
        StatusCode::FORBIDDEN
    );
}
