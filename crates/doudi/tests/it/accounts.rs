//! `doudi user` and `doudi pair` end to end, on SQLite and PostgreSQL.

use crate::support::{TestDb, doudi, text};

fn ok(db: &TestDb, args: &[&str]) -> String {
    let out = doudi(db, args);
    assert!(
        out.status.success(),
        "doudi {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn accounts_are_added_listed_disabled_enabled_reset_and_reassigned_from_the_command_line() {
    for db in TestDb::all("users") {
        ok(
            &db,
            &[
                "user",
                "add",
                "--username",
                "jiaoyu",
                "--name",
                "县教委 何丽",
                "--role",
                "department_officer",
                "--department",
                "education",
                "--password",
                "临时密码-abcd-0001",
            ],
        );
        let out = doudi(
            &db,
            &[
                "user",
                "add",
                "--username",
                "weijian",
                "--name",
                "卫健委",
                "--role",
                "department_officer",
                "--password",
                "临时密码-abcd-0002",
            ],
        );
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("部门工作人员须指定所属部门"),
            "{}",
            text(&out.stderr)
        );
        let out = doudi(
            &db,
            &[
                "user",
                "add",
                "--username",
                "short",
                "--name",
                "短",
                "--role",
                "auditor",
                "--password",
                "short",
            ],
        );
        assert!(
            !out.status.success(),
            "a password under 10 characters is refused"
        );

        let list = ok(&db, &["user", "list"]);
        assert!(
            list.contains("jiaoyu\t县教委 何丽\t部门工作人员\t教育\t全县\t待修改初始密码"),
            "{list}"
        );

        ok(&db, &["user", "disable", "--username", "jiaoyu"]);
        assert!(ok(&db, &["user", "list"]).contains("\t已停用"));
        ok(&db, &["user", "enable", "--username", "jiaoyu"]);
        ok(
            &db,
            &[
                "user",
                "reset-password",
                "--username",
                "jiaoyu",
                "--password",
                "新的临时密码-abcd-01",
            ],
        );
        ok(
            &db,
            &[
                "user",
                "set-role",
                "--username",
                "jiaoyu",
                "--role",
                "township_caseworker",
                "--scope",
                "500235002",
            ],
        );
        let list = ok(&db, &["user", "list"]);
        assert!(
            list.contains("jiaoyu\t县教委 何丽\t乡镇（街道）经办人员\t\t500235002\t待修改初始密码"),
            "{list}"
        );
        let out = doudi(&db, &["user", "disable", "--username", "nobody"]);
        assert!(text(&out.stderr).contains("there is no account nobody"));

        let trail = ok(&db, &["audit", "list", "--limit", "20"]);
        for detail in [
            "新建账户",
            "停用账户",
            "启用账户",
            "重置密码",
            "修改角色与范围",
        ] {
            assert!(
                trail.contains(detail),
                "{detail} is not in the trail: {trail}"
            );
        }
    }
}

#[test]
fn a_cadre_is_paired_with_a_household_listed_and_unpaired_from_the_command_line() {
    for db in TestDb::all("pairs") {
        ok(&db, &["demo", "--households", "5"]);
        ok(
            &db,
            &[
                "user",
                "add",
                "--username",
                "ganbu",
                "--name",
                "结对干部 黄涛",
                "--role",
                "paired_cadre",
                "--password",
                "临时密码-abcd-0003",
            ],
        );
        ok(
            &db,
            &["pair", "add", "--household", "1", "--cadre", "ganbu"],
        );
        ok(
            &db,
            &["pair", "add", "--household", "2", "--cadre", "ganbu"],
        );
        let out = doudi(
            &db,
            &["pair", "add", "--household", "1", "--cadre", "ganbu"],
        );
        assert!(
            text(&out.stderr).contains("已与该户结对"),
            "{}",
            text(&out.stderr)
        );
        let list = ok(&db, &["pair", "list", "--cadre", "ganbu"]);
        assert_eq!(list.lines().count(), 2, "{list}");
        assert!(
            list.lines().all(|l| l.contains("\tganbu\t结对干部 黄涛\t")),
            "{list}"
        );
        ok(
            &db,
            &["pair", "remove", "--household", "1", "--cadre", "ganbu"],
        );
        let list = ok(&db, &["pair", "list", "--household", "1"]);
        assert_eq!(list, "");
        let out = doudi(
            &db,
            &["pair", "add", "--household", "999", "--cadre", "ganbu"],
        );
        assert!(!out.status.success());
    }
}

#[test]
fn serve_demo_refuses_a_registry_it_did_not_create_and_adds_no_demo_login() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    for db in TestDb::all("demo_refused") {
        ok(
            &db,
            &[
                "user",
                "add",
                "--username",
                "chenjing",
                "--name",
                "县民政局 陈静",
                "--role",
                "auditor",
                "--password",
                "临时密码-abcd-0003",
            ],
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_doudi"))
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .env("DOUDI_DB", &db.url)
            .env("DOUDI_KEY", crate::support::TEST_KEY)
            .env_remove("DOUDI_KEY_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("doudi serve starts");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("serve --demo kept serving a registry the demo did not create");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let out = child.wait_with_output().unwrap();
        assert!(!status.success());
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("--demo refused") && stderr.contains("演示模式"),
            "{stderr}"
        );
        let list = ok(&db, &["user", "list"]);
        for demo_login in ["admin", "xianminzheng", "qinglong"] {
            assert!(
                !list
                    .lines()
                    .any(|l| l.starts_with(&format!("{demo_login}\t"))),
                "{demo_login} was added: {list}"
            );
        }
    }
}
