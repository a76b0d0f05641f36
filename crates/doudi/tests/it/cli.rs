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

/// The template written by the binary, with its first worksheet replaced by `rows`.
fn xlsx_with_rows(dir: &TempDir, db: &TestDb, rows: &str) -> std::path::PathBuf {
    use std::io::{Cursor, Write};
    let template = dir.path("template.xlsx");
    let out = doudi(db, &["template", template.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(&template).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let part = "xl/worksheets/sheet1.xml";
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i).unwrap();
        if file.name() != part {
            writer.raw_copy_file(file).unwrap();
        }
    }
    writer
        .start_file(part, zip::write::SimpleFileOptions::default())
        .unwrap();
    writer
        .write_all(
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet \
                 xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
                 <sheetData>{rows}</sheetData></worksheet>"
            )
            .as_bytes(),
        )
        .unwrap();
    let path = dir.path("malformed.xlsx");
    std::fs::write(&path, writer.finish().unwrap().into_inner()).unwrap();
    path
}

#[test]
fn a_small_xlsx_declaring_a_whole_sheet_of_cells_is_refused_instead_of_aborting_the_import() {
    let db = TestDb::sqlite("xlsx-abort");
    let dir = TempDir::new("xlsx-abort");
    let path = xlsx_with_rows(
        &dir,
        &db,
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>户编号</t></is></c></row>\
         <row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
    );
    assert!(std::fs::metadata(&path).unwrap().len() < 16_000);
    let out = doudi(&db, &["import", path.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("无法读取Excel文件") && stderr.contains("第1048576行第16384列"),
        "{stderr}"
    );
    assert!(!stderr.contains("internal error"), "{stderr}");
}

#[test]
fn malformed_import_files_each_end_with_a_message_never_a_crash() {
    let db = TestDb::sqlite("malformed");
    let dir = TempDir::new("malformed");
    add_community(&db);
    let broken_sheet = xlsx_with_rows(
        &dir,
        &db,
        "<row r=\"99999999999\"><c r=\"A99999999999\"><v>1</v></c></row>",
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.csv", Vec::new()),
        ("empty.xlsx", Vec::new()),
        ("garbage.xlsx", (0..1500u32).map(|i| (i * 7919 % 251) as u8).collect()),
        ("truncated.xlsx", {
            let bytes = std::fs::read(&broken_sheet).unwrap();
            bytes[..bytes.len() / 2].to_vec()
        }),
        ("overflow.xlsx", std::fs::read(&broken_sheet).unwrap()),
        (
            "month.csv",
            format!("{HEADER},工资性收入:年月\n").into_bytes(),
        ),
        (
            "nul.csv",
            format!(
                "{HEADER}\nA1,青龙街道,复兴社区,城市低保,2024-03-01,滨江\0路,自有住房,张三,500235198001011234,户主,,,,\n"
            )
            .into_bytes(),
        ),
        ("quote.csv", format!("{HEADER}\nA1,\"青龙街道\n").into_bytes()),
    ];
    for (name, bytes) in cases {
        let path = dir.path(name);
        std::fs::write(&path, bytes).unwrap();
        let out = doudi(&db, &["import", path.to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(!stderr.contains("internal error"), "{name}: {stderr}");
        assert!(stderr.contains("Error"), "{name}: {stderr}");
    }
    assert!(export_rows(&db, &dir).is_empty(), "nothing was imported");
}

/// Runs `doudi ARGS` with standard output and standard error pipes whose readers have gone;
/// its exit status.
fn with_closed_pipes(args: &[&str]) -> std::process::ExitStatus {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_doudi"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the doudi binary runs");
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().unwrap()
}

#[test]
fn a_closed_standard_error_is_no_reason_to_abort() {
    // An error message into a closed pipe: exit 1 as for any error, not a panic within a
    // panic (which aborts with SIGABRT, status None on Unix).
    let status = with_closed_pipes(&["params", "check", "/nonexistent/params.toml"]);
    assert_eq!(status.code(), Some(1), "{status:?}");
    let status = with_closed_pipes(&["params", "at", "2026-05"]);
    assert_eq!(status.code(), Some(141), "{status:?}");
}

/// Runs `doudi ARGS` with standard output a pipe whose reader has already gone.
fn with_closed_stdout(args: &[&str]) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_doudi"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the doudi binary runs");
    // Close the reading end before the program has written anything, as `| head -0` would.
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn printing_into_a_closed_pipe_stops_quietly() {
    for args in [&["params", "at", "2026-05"][..], &["params", "show"][..]] {
        let out = with_closed_stdout(args);
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("internal error"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
    }
}
