//! The policy engine from the command line: eval over the registry and over JSON lines,
//! simulate, and parameter files.

use crate::support::{TempDir, TestDb, doudi, text};

#[test]
fn eval_decides_every_household_of_the_registry_on_both_databases() {
    for db in TestDb::all("eval") {
        let demo = doudi(
            &db,
            &[
                "demo",
                "--households",
                "60",
                "--seed",
                "5",
                "--as-of",
                "2026-11-01",
            ],
        );
        assert!(demo.status.success(), "{}", text(&demo.stderr));
        let out = doudi(&db, &["eval", "--month", "2026-11"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let lines: Vec<serde_json::Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        // Exited households are not evaluated; the demo has a few.
        assert!((50..=60).contains(&lines.len()), "{}", lines.len());
        assert!(
            lines
                .iter()
                .any(|o| o["program"] == "dibao" && o["eligible"] == true)
        );
        for o in &lines {
            assert_eq!(
                o["total_fen"].as_i64().unwrap(),
                o["base_fen"].as_i64().unwrap() + o["extras_fen"].as_i64().unwrap()
            );
        }
        let explained = doudi(&db, &["eval", "--month", "2026-11", "--explain"]);
        let first: serde_json::Value =
            serde_json::from_str(text(&explained.stdout).lines().next().unwrap()).unwrap();
        assert!(
            first["explanation"]["clause"]
                .as_str()
                .unwrap()
                .starts_with("2.")
        );
        let education = doudi(&db, &["eval", "--rule", "education", "--month", "2026-11"]);
        assert!(education.status.success(), "{}", text(&education.stderr));
        assert!(text(&education.stdout).contains("\"rule\":\"2.5\""));
    }
}

#[test]
fn eval_reads_households_as_json_lines_and_names_the_bad_line() {
    let db = TestDb::sqlite("eval-jsonl");
    let dir = TempDir::new("eval-jsonl");
    let input = dir.path("households.jsonl");
    std::fs::write(
        &input,
        "{\"id\":1,\"category\":\"dibao\",\"township\":\"500235002\",\"members\":[{\"birth\":\"1980-01-01\"}],\"months\":[{\"month\":\"2026-10\",\"income_fen\":120000}]}\n\
         {\"id\":2,\"category\":\"tekun\",\"township\":\"500235105\",\"members\":[{\"birth\":\"1940-01-01\",\"self_care\":\"none\"}]}\n",
    )
    .unwrap();
    let out = doudi(
        &db,
        &[
            "eval",
            "--month",
            "2026-11",
            "--input",
            input.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // (735 × 6 − 1,200) ÷ 6 = 535; tekun: 735 × 1.3 = 955.5 → 956, full care 300.
    assert_eq!(lines[0]["total_fen"], 53_500);
    assert_eq!(lines[1]["program"], "tekun");
    assert_eq!(lines[1]["total_fen"], 125_600);

    std::fs::write(&input, "{\"id\":1,\"category\":\"dibao\",\"township\":\"500235002\",\"members\":[{\"birth\":\"1980-01-01\",\"self_care\":\"sometimes\"}]}\n").unwrap();
    let bad = doudi(
        &db,
        &[
            "eval",
            "--month",
            "2026-11",
            "--input",
            input.to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("households.jsonl:1: members[0].self_care:"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn eval_refuses_an_amount_above_a_billion_yuan_and_a_township_outside_yunyang_naming_line_and_field()
 {
    let db = TestDb::sqlite("eval-bounds");
    let dir = TempDir::new("eval-bounds");
    let input = dir.path("households.jsonl");
    let eval = |content: &str| {
        std::fs::write(&input, content).unwrap();
        doudi(
            &db,
            &[
                "eval",
                "--month",
                "2026-11",
                "--input",
                input.to_str().unwrap(),
            ],
        )
    };
    let good = "{\"id\":1,\"category\":\"dibao\",\"township\":\"500235002\",\"members\":[{\"birth\":\"1980-01-01\"}]}\n";
    // Two incomes of 5×10¹⁸ fen once made this household eligible for about ¥1.4×10¹⁶ a month.
    let out = eval(&format!(
        "{good}\n{{\"id\":2,\"category\":\"dibao\",\"township\":\"500235002\",\"members\":[{{\"birth\":\"1980-01-01\"}}],\"months\":[{{\"month\":\"2026-09\",\"income_fen\":5000000000000000000}},{{\"month\":\"2026-10\",\"income_fen\":5000000000000000000}}]}}\n"
    ));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("households.jsonl:3: months[0].income_fen is 5000000000000000000 fen, more than the most one amount may be"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "nothing is decided from a bad file");
    let out = eval(
        "{\"id\":1,\"category\":\"dibao\",\"township\":\"110101001\",\"members\":[{\"birth\":\"1980-01-01\"}]}\n",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(
            "households.jsonl:1: township: 110101001 is not a street, town or township of 云阳县"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn eval_names_the_months_without_income_and_flags_illustrative_values_alike_with_and_without_explain()
 {
    let db = TestDb::sqlite("eval-missing");
    let dir = TempDir::new("eval-missing");
    let input = dir.path("households.jsonl");
    // Household 1 has records for August to October only; household 2 all six months, and
    // income above the standard.
    std::fs::write(
        &input,
        "{\"id\":1,\"category\":\"dibao\",\"township\":\"500235002\",\"members\":[{\"birth\":\"1980-01-01\"}],\"months\":[{\"month\":\"2026-08\",\"income_fen\":90000},{\"month\":\"2026-09\",\"income_fen\":90000},{\"month\":\"2026-10\",\"income_fen\":90000}]}\n\
         {\"id\":2,\"category\":\"dibao\",\"township\":\"500235002\",\"members\":[{\"birth\":\"1980-01-01\"}],\"months\":[{\"month\":\"2026-05\",\"income_fen\":100000},{\"month\":\"2026-06\",\"income_fen\":100000},{\"month\":\"2026-07\",\"income_fen\":100000},{\"month\":\"2026-08\",\"income_fen\":100000},{\"month\":\"2026-09\",\"income_fen\":100000},{\"month\":\"2026-10\",\"income_fen\":100000}]}\n\
         {\"id\":3,\"category\":\"tekun\",\"township\":\"500235105\",\"members\":[{\"birth\":\"1940-01-01\",\"self_care\":\"none\"}]}\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--month",
            "2021-11",
            "--input",
            input.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = doudi(&db, &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let lines: Vec<serde_json::Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (lines, text(&out.stderr))
    };
    let (plain, _) = run(&[]);
    let (explained, _) = run(&["--explain"]);
    for (p, e) in plain.iter().zip(&explained) {
        assert_eq!(p["illustrative"], e["illustrative"], "{p} / {e}");
    }
    // The tekun of 2021-11 rests on official values only.
    assert_eq!(plain[2]["illustrative"], false);

    let std::process::Output {
        stdout,
        stderr,
        status,
    } = doudi(
        &db,
        &[
            "eval",
            "--month",
            "2026-11",
            "--input",
            input.to_str().unwrap(),
        ],
    );
    assert!(status.success(), "{}", text(&stderr));
    let lines: Vec<serde_json::Value> = text(&stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0]["months_without_income"],
        serde_json::json!(["2026-05", "2026-06", "2026-07"])
    );
    assert!(
        lines[1].get("months_without_income").is_none(),
        "{}",
        lines[1]
    );
    assert!(
        text(&stderr).contains("1 household(s) have months without an income record in the window, counted as no income"),
        "{}",
        text(&stderr)
    );
    let out = doudi(
        &db,
        &[
            "eval",
            "--rule",
            "expenditure",
            "--month",
            "2026-11",
            "--input",
            input.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(
        first["months_without_income"],
        serde_json::json!(["2026-05", "2026-06", "2026-07"])
    );
}

#[test]
fn simulate_reports_who_gains_and_the_budget_change_by_township() {
    let db = TestDb::sqlite("simulate");
    let demo = doudi(
        &db,
        &[
            "demo",
            "--households",
            "80",
            "--seed",
            "6",
            "--as-of",
            "2026-11-01",
        ],
    );
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let out = doudi(
        &db,
        &[
            "simulate",
            "--month",
            "2027-01",
            "--set",
            "dibao.standard=780",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("青龙街道") && report.contains("合计"),
        "{report}"
    );
    let total = report.lines().find(|l| l.starts_with("合计")).unwrap();
    let numbers: Vec<&str> = total.split_whitespace().collect();
    assert!(
        numbers[2].parse::<u32>().unwrap() > 0,
        "a higher standard makes households gain: {total}"
    );
    assert_eq!(numbers[3], "0", "and nobody loses: {total}");
}

#[test]
fn a_bad_parameter_file_is_refused_with_its_line() {
    let db = TestDb::sqlite("params");
    let dir = TempDir::new("params");
    let shown = doudi(&db, &["params", "show"]);
    let text_file = text(&shown.stdout).replacen("value = \"546\"", "value = \"-546\"", 1);
    let path = dir.path("params.toml");
    std::fs::write(&path, text_file).unwrap();
    let out = doudi(&db, &["params", "check", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("dibao.standard：金额不能为负数"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("第"), "the line is named");
}
