//! Security headers, no inline code in pages, static files.

use axum::http::StatusCode;

use crate::support::*;

/// Fails when a page has inline script, inline style or an inline event handler, which the
/// Content-Security-Policy would block.
fn assert_no_inline_code(page: &str, body: &str) {
    let lower = body.to_lowercase();
    for (i, _) in lower.match_indices("<script") {
        let tag_end = lower[i..].find('>').unwrap() + i;
        assert!(
            lower[i..tag_end].contains(" src="),
            "{page} has an inline script"
        );
        assert!(
            lower[tag_end..].starts_with("></script>"),
            "{page} has a script with a body"
        );
    }
    assert!(!lower.contains("<style"), "{page} has a style element");
    assert!(!lower.contains(" style="), "{page} has a style attribute");
    for handler in [
        " onclick=",
        " onchange=",
        " onsubmit=",
        " onload=",
        " oninput=",
        "javascript:",
    ] {
        assert!(!lower.contains(handler), "{page} has {handler}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = App::new().await;
    let client = app.login(COUNTY).await;
    for uri in [
        "/login",
        "/",
        "/households",
        "/api/households",
        "/no/such/page",
    ] {
        let reply = app.get(Some(&client), uri).await;
        let csp = reply
            .headers
            .get("content-security-policy")
            .expect("a CSP")
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{uri}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{uri}"
        );
        assert_eq!(
            reply.headers.get("x-content-type-options").unwrap(),
            "nosniff",
            "{uri}"
        );
        assert_eq!(
            reply.headers.get("referrer-policy").unwrap(),
            "no-referrer",
            "{uri}"
        );
        assert_eq!(
            reply.headers.get("cache-control").unwrap(),
            "no-store",
            "{uri}"
        );
    }
}

#[tokio::test]
async fn rendered_pages_have_no_inline_script_or_style() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let h = app.zhang.0;
    let person = app
        .store
        .household(&system(), app.zhang)
        .await
        .unwrap()
        .members[0]
        .id
        .0;
    let pages = [
        "/".to_owned(),
        "/households".to_owned(),
        "/households/new".to_owned(),
        format!("/households/{h}"),
        format!("/households/{h}/edit"),
        format!("/households/{h}/members/new"),
        format!("/households/{h}/members/{person}/edit"),
        format!("/households/{h}/members/{person}/remove"),
        format!("/households/{h}/finances/incomes/new"),
        format!("/households/{h}/finances/expenses/new"),
        format!("/households/{h}/finances/assets/new"),
        format!("/households/{h}/surveys/new"),
        "/password".to_owned(),
        "/no/such/page".to_owned(),
    ];
    for page in &pages {
        let reply = app.get(Some(&client), page).await;
        assert!(
            reply.status == StatusCode::OK || reply.status == StatusCode::NOT_FOUND,
            "{page}: {}",
            reply.status
        );
        assert!(
            reply.body.contains("<html lang=\"zh-CN\">"),
            "{page} is a whole page"
        );
        assert!(
            reply.body.contains("\"includeIndicatorStyles\":false"),
            "{page} keeps htmx from adding styles"
        );
        assert_no_inline_code(page, &reply.body);
    }
    let login = app.get(None, "/login").await;
    assert_no_inline_code("/login", &login.body);
}

#[tokio::test]
async fn static_files_are_embedded_and_cached_for_long() {
    let app = App::new().await;
    for (file, kind) in [
        ("app.css", "text/css"),
        ("htmx.min.js", "text/javascript"),
        ("app.js", "text/javascript"),
    ] {
        let reply = app.get(None, &format!("/static/{file}?v=1")).await;
        assert_eq!(reply.status, StatusCode::OK, "{file}");
        assert!(
            reply
                .headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assert!(
            reply
                .headers
                .get("cache-control")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
    }
    assert_eq!(
        app.get(None, "/static/secret.txt").await.status,
        StatusCode::NOT_FOUND
    );
}
