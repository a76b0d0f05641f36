//! The real server over loopback: `doudi serve --demo` on both databases.

use crate::support::{Server, TempDir, TestDb, form_encode, request};

fn login(addr: &str, username: &str) -> String {
    let body = format!(
        "username={}&password={}",
        form_encode(username),
        form_encode("doudi2019")
    );
    let r = request(
        addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &body,
    );
    assert!(
        matches!(r.status, 302 | 303),
        "login answered {}: {}",
        r.status,
        r.body
    );
    r.cookie("doudi_session").expect("a session cookie")
}

#[test]
fn the_demo_server_lets_a_caseworker_log_in_and_see_only_their_township() {
    for db in TestDb::all("serve") {
        let dir = TempDir::new("serve");
        let server = Server::start_demo(&db, 120, &dir.0);
        let addr = server.addr.clone();

        let anonymous = request(&addr, "GET", "/households", &[], "");
        assert!(
            matches!(anonymous.status, 302 | 303),
            "{}",
            anonymous.status
        );
        assert_eq!(
            request(&addr, "GET", "/api/households", &[], "").status,
            401
        );

        let cookie = login(&addr, "qinglong");
        let page = request(&addr, "GET", "/households", &[("Cookie", &cookie)], "");
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("青龙街道"),
            "the list shows the caseworker's township"
        );
        assert!(
            !page.body.contains("双江街道</td>"),
            "and no other township's households"
        );
        assert!(
            page.header("content-security-policy")
                .is_some_and(|v| !v.contains("unsafe-inline"))
        );

        let api = request(
            &addr,
            "GET",
            "/api/households?limit=500",
            &[("Cookie", &cookie)],
            "",
        );
        assert_eq!(api.status, 200, "{}", api.body);
        assert!(
            api.body.contains("500235002"),
            "{}",
            &api.body[..api.body.len().min(300)]
        );
        assert!(
            !api.body.contains("\"township\":\"500235001\""),
            "no 双江 households through the API"
        );

        let openapi = request(
            &addr,
            "GET",
            "/api/openapi.json",
            &[("Cookie", &cookie)],
            "",
        );
        assert_eq!(openapi.status, 200);
        assert!(openapi.body.contains("\"openapi\""));
        drop(server);
    }
}

#[test]
fn the_demo_servers_log_contains_no_identity_or_phone_number() {
    let db = TestDb::sqlite("log");
    let dir = TempDir::new("log");
    let server = Server::start_demo(&db, 60, &dir.0);
    // Without a key, the demo made one beside its database, for its owner only.
    let key_file =
        std::path::PathBuf::from(db.url.trim_start_matches("sqlite://")).with_extension("key");
    assert!(key_file.exists(), "{}", key_file.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let cookie = login(&server.addr, "qinglong");
    // Visit pages that show personal data, and search by a whole identity number (which must
    // not reach the log through the request line).
    for q in ["11010519491231002X", "1234"] {
        let list = request(
            &server.addr,
            "GET",
            &format!("/households?q={q}"),
            &[("Cookie", &cookie)],
            "",
        );
        assert_eq!(list.status, 200);
        let api = request(
            &server.addr,
            "GET",
            &format!("/api/households?q={q}"),
            &[("Cookie", &cookie)],
            "",
        );
        assert_eq!(api.status, 200);
    }
    let first = request(
        &server.addr,
        "GET",
        "/households",
        &[("Cookie", &cookie)],
        "",
    );
    let id: String = first
        .body
        .match_indices("/households/")
        .map(|(pos, _)| {
            first.body[pos + 12..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .find(|id| !id.is_empty())
        .expect("the list links to a household");
    for path in [
        format!("/households/{id}"),
        format!("/households/{id}/entitlement"),
        format!("/api/households/{id}"),
    ] {
        let page = request(&server.addr, "GET", &path, &[("Cookie", &cookie)], "");
        assert_eq!(page.status, 200, "{path}");
    }
    // Unmask the household (its identifiers in full on the page), and meet error pages: a
    // refused unmask, a household that does not exist, a search that cannot be run.
    let page = request(
        &server.addr,
        "GET",
        &format!("/households/{id}"),
        &[("Cookie", &cookie)],
        "",
    );
    let csrf = page
        .body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the household page has a form with the CSRF token")
        .to_owned();
    let form = [
        ("Cookie", cookie.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let unmask = format!("/households/{id}/unmask");
    let shown = request(
        &server.addr,
        "POST",
        &unmask,
        &form,
        &format!("_csrf={csrf}&purpose={}", form_encode("核对银行账号")),
    );
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(
        regex_like_id(&shown.body).is_some(),
        "the unmasked page shows identity numbers in full"
    );
    let refused = request(
        &server.addr,
        "POST",
        &unmask,
        &form,
        &format!("_csrf={csrf}&purpose="),
    );
    assert_eq!(refused.status, 422);
    assert_eq!(
        request(
            &server.addr,
            "GET",
            "/households/999999",
            &[("Cookie", &cookie)],
            ""
        )
        .status,
        404
    );
    assert_eq!(
        request(
            &server.addr,
            "GET",
            "/api/households/999999/unmask",
            &[("Cookie", &cookie)],
            ""
        )
        .status,
        405
    );
    // A query too short to mean anything is said on the list page itself (200, so that htmx
    // swaps it in), never run against the registry.
    let short = request(
        &server.addr,
        "GET",
        "/households?q=123",
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(short.status, 200);
    assert!(
        short.body.contains("id=\"search-problem\""),
        "{}",
        short.body
    );
    let log_path = server.log.clone();
    drop(server);
    let log = std::fs::read_to_string(log_path).unwrap();
    assert!(!log.is_empty());
    assert!(
        log.contains("route=/households/{id}/unmask"),
        "the unmask request was logged, by route"
    );
    assert!(
        log.contains("demo data key: created"),
        "the demo says where its key is: {log}"
    );
    let id_like = regex_like_id(&log);
    assert!(
        id_like.is_none(),
        "the log holds an identity number: {id_like:?}"
    );
    let phone_like = regex_like_phone(&log);
    assert!(
        phone_like.is_none(),
        "the log holds a phone number: {phone_like:?}"
    );
}

/// Finds 17 digits followed by a digit or X: an identity number.
fn regex_like_id(s: &str) -> Option<String> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(17)).find_map(|i| {
        let w = &b[i..i + 18];
        let boundary = i == 0 || !b[i - 1].is_ascii_digit();
        (boundary
            && w[..17].iter().all(u8::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == b'X'))
            .then(|| String::from_utf8_lossy(w).into_owned())
    })
}

/// Finds 11 digits starting with 1 and not part of a longer number: a mobile number.
fn regex_like_phone(s: &str) -> Option<String> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(10)).find_map(|i| {
        let w = &b[i..i + 11];
        let before = i == 0 || !b[i - 1].is_ascii_digit();
        let after = b.get(i + 11).is_none_or(|c| !c.is_ascii_digit());
        (before && after && w[0] == b'1' && w.iter().all(u8::is_ascii_digit))
            .then(|| String::from_utf8_lossy(w).into_owned())
    })
}

#[test]
fn the_health_check_says_ok_to_anyone_and_unavailable_once_the_database_is_gone() {
    for db in TestDb::all("health") {
        let dir = TempDir::new("health");
        let server = Server::start_demo(&db, 20, &dir.0);
        let ok = request(&server.addr, "GET", "/api/health", &[], "");
        assert_eq!(ok.status, 200, "{}", ok.body);
        let backend = if db.url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        };
        assert!(
            ok.body.contains(r#""status":"ok""#) && ok.body.contains(backend),
            "{}",
            ok.body
        );
        if backend == "postgres" {
            db.drop_now();
            let gone = request(&server.addr, "GET", "/api/health", &[], "");
            assert_eq!(gone.status, 503, "{}", gone.body);
            assert!(gone.body.contains("数据库无响应"), "{}", gone.body);
            assert!(
                !gone.body.contains("doudi_it_"),
                "the database's name is not told: {}",
                gone.body
            );
            let page = request(&server.addr, "GET", "/login", &[], "");
            assert_eq!(page.status, 200, "the server itself keeps answering");
        }
    }
}

#[test]
fn the_server_stops_cleanly_on_sigterm_as_a_service_manager_stops_it() {
    for db in TestDb::all("sigterm") {
        let dir = TempDir::new("sigterm");
        let mut server = Server::start_demo(&db, 20, &dir.0);
        assert_eq!(
            request(&server.addr, "GET", "/api/health", &[], "").status,
            200
        );
        let status = server.terminate();
        assert!(status.success(), "the server exited with {status}");
        let log = std::fs::read_to_string(&server.log).unwrap();
        assert!(
            log.contains("stopping: finishing the requests in progress"),
            "{log}"
        );
    }
}
