//! The data key on the command line: a registry does not open without its key, a key file is
//! made for its owner only, and a rotation leaves the registry readable with the new key only.

use crate::support::{TEST_KEY, TempDir, TestDb, doudi, doudi_with, text};

#[test]
fn a_registry_refuses_to_start_without_its_key_and_says_how_to_give_one() {
    let db = TestDb::sqlite("nokey");
    let out = doudi_with(&db, &["serve", "--listen", "127.0.0.1:0"], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("no data key") && err.contains("DOUDI_KEY_FILE"),
        "{err}"
    );
    assert!(err.contains("doudi keys generate"), "{err}");
}

#[test]
fn a_wrong_key_is_refused_by_name_and_not_read_as_garbage() {
    let db = TestDb::sqlite("wrongkey");
    assert!(doudi(&db, &["demo", "--households", "5"]).status.success());
    let other = "a5".repeat(32);
    let out = doudi_with(&db, &["community", "list"], &[("DOUDI_KEY", &other)]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("is not this database's key"), "{err}");
    assert!(
        !err.contains(&other) && !err.contains(TEST_KEY),
        "no key material: {err}"
    );
}

#[test]
fn a_rotation_leaves_every_record_readable_with_the_new_key_only() {
    for db in TestDb::all("rotate") {
        let dir = TempDir::new("rotate");
        let new_key = dir.path("new.key");
        let out = doudi(&db, &["keys", "generate", new_key.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&new_key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "a key file is for its owner only");
        }
        let again = doudi(&db, &["keys", "generate", new_key.to_str().unwrap()]);
        assert!(
            !again.status.success(),
            "an existing key file is never overwritten"
        );

        assert!(doudi(&db, &["demo", "--households", "30"]).status.success());
        let before = dir.path("before.csv");
        assert!(
            doudi(&db, &["export", before.to_str().unwrap()])
                .status
                .success()
        );

        let out = doudi(
            &db,
            &[
                "keys",
                "rotate",
                "--new-key-file",
                new_key.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("households"),
            "{}",
            text(&out.stdout)
        );

        let old = doudi(&db, &["community", "list"]);
        assert!(
            !old.status.success(),
            "the old key no longer opens the registry"
        );
        let key_file = [("DOUDI_KEY_FILE", new_key.to_str().unwrap())];
        let after = dir.path("after.csv");
        let out = doudi_with(&db, &["export", after.to_str().unwrap()], &key_file);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            std::fs::read(&before).unwrap(),
            std::fs::read(&after).unwrap(),
            "every record reads back the same"
        );
        let audit = doudi_with(
            &db,
            &["audit", "list", "--action", "rotate_keys"],
            &key_file,
        );
        assert!(audit.status.success(), "{}", text(&audit.stderr));
        assert!(
            text(&audit.stdout).contains("轮换"),
            "{}",
            text(&audit.stdout)
        );
        let verify = doudi_with(&db, &["audit", "verify"], &key_file);
        assert!(verify.status.success(), "{}", text(&verify.stderr));
    }
}

/// The key a demo server on `db` runs with, as the command line is given it: the demo's key
/// file beside a SQLite file, the test key on PostgreSQL.
fn demo_key_env(db: &TestDb) -> Vec<(&'static str, String)> {
    match db.url.strip_prefix("sqlite://") {
        Some(path) => {
            let key = std::path::Path::new(path).with_extension("key");
            vec![("DOUDI_KEY_FILE", key.to_str().unwrap().to_owned())]
        }
        None => vec![("DOUDI_KEY", TEST_KEY.to_owned())],
    }
}

#[test]
fn a_server_left_running_across_a_rotation_writes_nothing_more() {
    use crate::casework::{call, login};
    use crate::support::Server;

    for db in TestDb::all("rotatelive") {
        let dir = TempDir::new("rotatelive");
        let server = Server::start_demo(&db, 20, &dir.0);
        let addr = server.addr.clone();
        let county = login(&addr, "xianminzheng");
        let (status, list) = call(
            &addr,
            &county,
            "GET",
            "/api/households?limit=1",
            serde_json::Value::Null,
        );
        assert_eq!(status, 200, "{list}");
        let id = list["rows"][0]["id"].as_i64().expect("a household");
        let household = format!("/api/households/{id}");
        let (status, _) = call(&addr, &county, "GET", &household, serde_json::Value::Null);
        assert_eq!(
            status, 200,
            "a read, and its audit entry, before the rotation"
        );

        // Another process rotates the key while the server runs.
        let new_key = dir.path("new.key");
        let env = demo_key_env(&db);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = doudi_with(&db, &["keys", "generate", new_key.to_str().unwrap()], &env);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = doudi_with(
            &db,
            &[
                "keys",
                "rotate",
                "--new-key-file",
                new_key.to_str().unwrap(),
            ],
            &env,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));

        // The server still holds the old key: it would seal and index with it, and write audit
        // entries keyed with it. Every write is refused instead.
        let (status, _) = call(&addr, &county, "GET", &household, serde_json::Value::Null);
        assert_eq!(
            status, 500,
            "values sealed under the new key do not open with the old"
        );
        let again = crate::support::request(
            &addr,
            "POST",
            "/api/login",
            &[("Content-Type", "application/json")],
            r#"{"username": "qinglong", "password": "doudi2019"}"#,
        );
        assert_eq!(
            again.status, 500,
            "a login writes its session and audit entry: refused ({})",
            again.body
        );
        drop(server);
        let log = std::fs::read_to_string(dir.0.join("serve-0.log")).unwrap_or_default();
        assert!(
            log.contains("数据密钥已轮换"),
            "the log says why: {}",
            &log[log.len().saturating_sub(3000)..]
        );

        // Nothing was written under the old key: the trail verifies under the new one.
        let new_env = [("DOUDI_KEY_FILE", new_key.to_str().unwrap())];
        let verify = doudi_with(&db, &["audit", "verify"], &new_env);
        assert!(
            verify.status.success(),
            "{}{}",
            text(&verify.stdout),
            text(&verify.stderr)
        );
    }
}
