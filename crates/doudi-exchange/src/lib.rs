//! Household files in and out of doudi. County staff live in Excel: this crate reads CSV and
//! XLSX files in one documented layout ([`layout`]), checks every cell and reports each problem
//! with its row, column and reason ([`read`]), and writes exports, the template and error files
//! in the same layout ([`write`]), so an export can be edited and imported again. The other
//! files the county exchanges go through the same reading (UTF-8 or GB18030 CSV, guarded XLSX)
//! and the same `第N行「列」列` errors: the bank file and the bank's results ([`bank`]) and the
//! rural poverty registry ([`rural`]); such list files are all or nothing ([`Refused`]).
//!
//! **Invariant:** no I/O beyond the bytes it is handed, and no database: checking a file
//! against the registry (numbers already filed) is the caller's second step,
//! [`read::Parsed::reject_filed`].

#![deny(missing_docs)]

pub mod bank;
pub mod columns;
pub mod feed;
pub mod layout;
pub mod read;
pub mod refused;
pub mod rural;
pub mod write;

pub use read::{FileError, Parsed, RowError, Sheet, parse_households, read_file};
pub use refused::Refused;
pub use write::{Table, export_table, template_table, to_csv, to_xlsx};

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use doudi_core::{Division, DivisionCode, DivisionKind, Money, TownshipTable};

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn divisions() -> Vec<Division> {
        let mut d = TownshipTable::yunyang().townships;
        d.push(Division {
            code: DivisionCode::parse("500235002001").unwrap(),
            name: "复兴社区".into(),
            kind: DivisionKind::Community,
            parent: Some(DivisionCode::parse("500235002").unwrap()),
        });
        d
    }

    fn parse_csv(text: &str) -> Parsed {
        parse_households(
            &read::read_csv(text.as_bytes()).unwrap(),
            &divisions(),
            today(),
        )
        .unwrap()
    }

    const HEADER: &str = "户编号,乡镇（街道）,社区,救助类别,纳入日期,住址,住房情况,姓名,身份证号码,与户主关系,工资性收入:2026-10";

    #[test]
    fn the_template_reads_back_as_one_household_of_two_without_errors() {
        let bytes = to_csv(&template_table());
        let parsed =
            parse_households(&read::read_csv(&bytes).unwrap(), &divisions(), today()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.households.len(), 1);
        let h = &parsed.households[0].household;
        assert_eq!(h.members.len(), 2);
        assert_eq!(h.incomes.len(), 2);
        assert_eq!(h.expenses[0].amount, Money::from_fen(85_050));
        assert!(h.survey.is_some());
    }

    #[test]
    fn the_xlsx_template_reads_back_like_the_csv_one() {
        let bytes = to_xlsx(&template_table(), true).unwrap();
        let parsed =
            parse_households(&read::read_xlsx(&bytes).unwrap(), &divisions(), today()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.households[0].household.members.len(), 2);
    }

    #[test]
    fn each_bad_row_is_reported_with_its_row_column_and_reason() {
        let text = format!(
            "{HEADER}\n\
             A1,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,张三,500235198001011234,户主,1200\n\
             A2,青龙街道,复兴社区,城市低保,2024-03-01,复兴路2号,自有住房,李四,500235198001011235,户主,800\n\
             A3,不存在镇,复兴社区,城市低保,2024-03-01,复兴路3号,自有住房,王五,500235195001010035,户主,0\n\
             A4,青龙街道,复兴社区,城市低保,2030-01-01,复兴路4号,自有住房,赵六,500235201206010045,户主,-5\n\
             A5,青龙街道,复兴社区,城市低保,2024-03-01,复兴路5号,自有住房,钱七,500235198001011234,户主,100\n"
        );
        let parsed = parse_csv(&text);
        let got: Vec<String> = parsed.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            vec![
                "第3行「身份证号码」列：身份证号码校验位错误：按前17位应为“4”，实际为“5”",
                "第4行「乡镇（街道）」列：乡镇（街道）“不存在镇”不在云阳县区划表中",
                "第5行「工资性收入:2026-10」列：金额不能为负数：-5",
                "第5行「纳入日期」列：日期2030-01-01晚于今天",
                "第6行「身份证号码」列：身份证号码500235********1234与第2行重复",
            ]
        );
        assert_eq!(parsed.households.len(), 1);
        assert_eq!(parsed.rejected_rows, vec![3, 4, 5, 6]);
    }

    #[test]
    fn a_household_with_one_bad_member_row_is_rejected_whole() {
        let text = format!(
            "{HEADER}\n\
             B1,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,张三,500235198001011234,户主,1200\n\
             B1,,,,,,,李四,500235198203050020,妻子,\n"
        );
        let parsed = parse_csv(&text);
        assert_eq!(parsed.households.len(), 0);
        assert_eq!(parsed.rejected_rows, vec![2, 3]);
        assert!(
            parsed.errors[0]
                .message
                .contains("与户主关系“妻子”无法识别"),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn a_household_without_a_head_or_with_two_heads_is_refused() {
        let text = format!(
            "{HEADER}\n\
             C1,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,张三,500235198001011234,配偶,\n\
             C2,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,李四,500235198203050020,户主,\n\
             C2,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,王五,500235195001010035,户主,\n"
        );
        let parsed = parse_csv(&text);
        assert!(parsed.errors[0].message.contains("没有户主行"));
        assert!(parsed.errors[1].message.contains("有多名户主"));
        assert_eq!(parsed.households.len(), 0);
    }

    #[test]
    fn a_missing_or_unknown_column_stops_the_file_before_any_row() {
        let err = parse_households(
            &read::read_csv("户编号,姓名,身份证号,收入\n".as_bytes()).unwrap(),
            &divisions(),
            today(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("第4列的表头“收入”无法识别"), "{text}");
        assert!(text.contains("缺少必需的列“乡镇（街道）”"), "{text}");
    }

    #[test]
    fn a_gb18030_csv_from_excel_is_read() {
        let (bytes, _, _) = encoding_rs::GB18030.encode(
            "户编号,乡镇（街道）,社区,救助类别,纳入日期,住址,住房情况,姓名,身份证号码,与户主关系\n\
             D1,青龙街道,复兴社区,城市特困,2024-03-01,复兴路1号,公租房,张三,500235195001010035,户主\n",
        );
        let parsed =
            parse_households(&read::read_csv(&bytes).unwrap(), &divisions(), today()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.households[0].household.fields.category,
            doudi_core::Category::Tekun
        );
    }

    #[test]
    fn an_identity_number_stored_by_excel_as_a_number_is_caught() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in [
            "户编号",
            "乡镇（街道）",
            "社区",
            "救助类别",
            "纳入日期",
            "住址",
            "住房情况",
            "姓名",
            "身份证号码",
            "与户主关系",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in [
            "E1",
            "青龙街道",
            "复兴社区",
            "城市低保",
            "2024-03-01",
            "复兴路1号",
            "自有住房",
            "张三",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet
            .write_number(1, 8, 500235198001011234_u64 as f64)
            .unwrap();
        sheet.write_string(1, 9, "户主").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let parsed =
            parse_households(&read::read_xlsx(&bytes).unwrap(), &divisions(), today()).unwrap();
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].row, 2);
        assert!(parsed.errors[0].message.contains("存成了数字"));
    }

    #[test]
    fn the_error_file_repeats_rejected_rows_with_their_reasons() {
        let text = format!(
            "{HEADER}\n\
             F1,青龙街道,复兴社区,城市低保,2024-03-01,复兴路1号,自有住房,张三,500235198001011234,户主,1200\n\
             F2,青龙街道,复兴社区,城市低保,2024-03-01,复兴路2号,自有住房,李四,500235198001011235,户主,800\n"
        );
        let sheet = read::read_csv(text.as_bytes()).unwrap();
        let parsed = parse_households(&sheet, &divisions(), today()).unwrap();
        let table = write::error_table(&sheet, &parsed.rejected_rows, &parsed.errors);
        assert_eq!(table.rows.len(), 1);
        let last = table.rows[0].last().unwrap();
        assert!(matches!(last, write::OutCell::Text(t) if t.contains("校验位错误")));
    }

    #[test]
    fn a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text() {
        let table = Table {
            headers: vec!["住址".into(), "收入".into(), "次数".into()],
            rows: vec![
                vec![
                    write::OutCell::Text("=HYPERLINK(\"http://evil.example\",\"点击\")".into()),
                    write::OutCell::Money(Money::from_fen(-1_250)),
                    write::OutCell::Text("-3".into()),
                ],
                vec![
                    write::OutCell::Text("+1+cmd|' /C calc'!A0".into()),
                    write::OutCell::Text("@SUM(A1)".into()),
                    write::OutCell::Text("-1+2".into()),
                ],
                vec![
                    write::OutCell::Text("\t=1+1".into()),
                    write::OutCell::Text("\r=1+1".into()),
                    write::OutCell::Text("复兴路1号".into()),
                ],
            ],
        };
        let bytes = to_csv(&table);
        let text = String::from_utf8(bytes.clone()).unwrap();
        let mut lines = text.lines().skip(1);
        assert_eq!(
            lines.next().unwrap(),
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点击\"\")\",-12.50,-3",
            "negative numbers stay numbers"
        );
        let second = lines.next().unwrap();
        assert!(second.starts_with("'+1+cmd|"), "{second}");
        assert!(second.contains(",'@SUM(A1),'-1+2"), "{second}");
        assert!(!text.contains(",\"\t") && !text.contains(",\"\r"), "{text}");

        // Read back, each cell is the text it was (the reader trims spaces, as it always has).
        let sheet = read::read_csv(&bytes).unwrap();
        let cells: Vec<Vec<String>> = sheet
            .rows
            .iter()
            .map(|(_, row)| row.iter().map(|c| c.text.clone()).collect())
            .collect();
        assert_eq!(cells[0][0], "=HYPERLINK(\"http://evil.example\",\"点击\")");
        assert_eq!(cells[0][1], "-12.50");
        assert_eq!(cells[1][0], "+1+cmd|' /C calc'!A0");
        assert_eq!(cells[1][1], "@SUM(A1)");
        assert_eq!(cells[1][2], "-1+2");
        assert_eq!(cells[2][0], "=1+1");
        assert_eq!(cells[2][2], "复兴路1号");
    }

    #[test]
    fn an_exported_address_that_looks_like_a_formula_imports_as_it_was() {
        let text = format!(
            "{HEADER}\n\
             A1,青龙街道,复兴社区,城市低保,2024-03-01,\"=HYPERLINK(\"\"http://x\"\")\",自有住房,张三,500235198001011234,户主,1200\n"
        );
        let parsed = parse_csv(&text);
        assert_eq!(parsed.errors, vec![]);
        let csv = to_csv(&Table {
            headers: vec!["住址".into()],
            rows: vec![vec![write::OutCell::Text(
                parsed.households[0].household.fields.address.clone(),
            )]],
        });
        assert!(
            String::from_utf8(csv.clone())
                .unwrap()
                .contains("\"'=HYPERLINK")
        );
        let back = read::read_csv(&csv).unwrap();
        assert_eq!(back.rows[0].1[0].text, "=HYPERLINK(\"http://x\")");
    }
}
