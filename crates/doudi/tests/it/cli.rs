//! The file commands end to end: template, import (all or nothing, partial), export, demo.

use crate::support::{TempDir, TestDb, doudi, text};

const HEADER: &str = "户编号,乡镇（街道）,社区,救助类别,纳入日期,住址,住房情况,姓名,身份证号码,与户主关系,残疾类别,残疾等级,工资性收入:2026-09,工资性收入:2026-10";

fn add_community(db: &TestDb) {
    let out = doudi(
        db,
        &[
            "community",
            "add",
            "--code",
            "500235002001",
            "--name",
            "复兴社区",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn export_rows(db: &TestDb, dir: &TempDir) -> Vec<String> {
    let path = dir.path("export.csv");
    let out = doudi(db, &["export", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let content = std::fs::read_to_string(&path).unwrap();
    content.lines().skip(1).map(str::to_owned).collect()
}

#[test]
fn an_import_with_mixed_good_and_bad_rows_writes_nothing_and_names_every_bad_row() {
    for db in TestDb::all("mixed") {
        let dir = TempDir::new("mixed");
        add_community(&db);
        let file = dir.path("households.csv");
        std::fs::write(
            &file,
            format!(
                "{HEADER}\n\
                 M1,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,张三,500235198001011234,户主,,,1200,1100\n\
                 M1,,,,,,,王五,500235198203050020,配偶,肢体,二级,,\n\
                 M2,青龙街道,复兴社区,城市低保,2024-03-01,复兴路2号,自有住房,李四,500235198001011235,户主,,,800,800\n\
                 M3,青龙镇,复兴社区,城市低保,2024-03-01,复兴路3号,自有住房,赵六,500235195001010035,户主,,,,\n\
                 M4,青龙街道,复兴社区,城市低保,2024-03-01,复兴路4号,自有住房,钱七,500235201206010045,户主,肢体,,-1,\n"
            ),
        )
        .unwrap();
        let out = doudi(&db, &["import", file.to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "the import must fail: {stderr}");
        assert!(
            stderr.contains("第4行「身份证号码」列：身份证号码校验位错误"),
            "{stderr}"
        );
        assert!(
            stderr.contains("第5行「乡镇（街道）」列：乡镇（街道）“青龙镇”不在云阳县区划表中"),
            "{stderr}"
        );
        assert!(
            stderr.contains("第6行「残疾等级」列：填写了残疾类别时必须填写残疾等级"),
            "{stderr}"
        );
        assert!(
            stderr.contains("第6行「工资性收入:2026-09」列：金额不能为负数"),
            "{stderr}"
        );
        assert!(stderr.contains("nothing was imported"), "{stderr}");
        assert_eq!(
            export_rows(&db, &dir),
            Vec::<String>::new(),
            "nothing may be written on {}",
            db.url
        );
        let errors = std::fs::read_to_string(dir.path("households.errors.csv")).unwrap();
        assert!(errors.contains("错误原因"));
        assert_eq!(
            errors.lines().count(),
            1 + 3,
            "header and the three bad rows"
        );
    }
}

#[test]
fn a_partial_import_writes_the_good_households_and_files_the_bad_rows() {
    for db in TestDb::all("partial") {
        let dir = TempDir::new("partial");
        add_community(&db);
        let file = dir.path("households.csv");
        std::fs::write(
            &file,
            format!(
                "{HEADER}\n\
                 P1,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,张三,500235198001011234,户主,,,1200,1100\n\
                 P1,,,,,,,王五,500235198203050020,配偶,肢体,二级,,\n\
                 P2,青龙街道,复兴社区,城市低保,2024-03-01,复兴路2号,自有住房,李四,500235198001011235,户主,,,800,800\n"
            ),
        )
        .unwrap();
        let out = doudi(&db, &["import", "--partial", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("imported 1 households, 2 people, 2 income records"),
            "{}",
            text(&out.stdout)
        );
        let rows = export_rows(&db, &dir);
        assert_eq!(rows.len(), 2);
        assert!(
            rows[0].starts_with("P1,青龙街道,复兴社区,城市低保,2024-03-01"),
            "{}",
            rows[0]
        );
        assert!(rows[0].contains("1200.00,1100.00"), "{}", rows[0]);
        assert!(rows[1].contains("肢体,二级"), "{}", rows[1]);

        // The same file again: both households are now refused against the registry.
        let again = doudi(&db, &["import", file.to_str().unwrap()]);
        let stderr = text(&again.stderr);
        assert!(!again.status.success());
        assert!(
            stderr.contains("第2行「户编号」列：户编号P1已在系统中登记"),
            "{stderr}"
        );
    }
}

#[test]
fn an_export_imports_again_into_an_empty_registry_unchanged() {
    for db in TestDb::all("roundtrip") {
        let dir = TempDir::new("roundtrip");
        let demo = doudi(
            &db,
            &[
                "demo",
                "--households",
                "40",
                "--seed",
                "11",
                "--as-of",
                "2026-11-01",
            ],
        );
        assert!(demo.status.success(), "{}", text(&demo.stderr));
        let first = export_rows(&db, &dir);
        assert!(first.len() >= 40);

        let copy = TestDb::sqlite("roundtrip-copy");
        // The communities come with the demo; make them exist in the copy too.
        let list = doudi(&db, &["community", "list"]);
        for line in text(&list.stdout).lines().filter(|l| l.starts_with("  ")) {
            let parts: Vec<&str> = line.trim().split('\t').collect();
            let out = doudi(
                &copy,
                &["community", "add", "--code", parts[0], "--name", parts[1]],
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        let export = dir.path("export.csv");
        let out = doudi(&copy, &["import", "--partial", export.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let copy_dir = TempDir::new("roundtrip-copy-out");
        assert_eq!(export_rows(&copy, &copy_dir), first);
    }
}

#[test]
fn the_template_is_written_as_csv_and_xlsx_and_imports_cleanly() {
    let db = TestDb::sqlite("template");
    let dir = TempDir::new("template");
    add_community(&db);
    for name in ["t.csv", "t.xlsx"] {
        let path = dir.path(name);
        let out = doudi(&db, &["template", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(std::fs::metadata(&path).unwrap().len() > 100);
    }
    let out = doudi(&db, &["import", dir.path("t.xlsx").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 1 households, 2 people"));
}

#[test]
fn an_unknown_file_type_is_refused_with_a_clear_message() {
    let db = TestDb::sqlite("unknown");
    let dir = TempDir::new("unknown");
    let path = dir.path("households.txt");
    std::fs::write(&path, "x").unwrap();
    let out = doudi(&db, &["import", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("不支持的文件类型“txt”"),
        "{}",
        text(&out.stderr)
    );
}
