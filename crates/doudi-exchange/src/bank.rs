//! The bank's files for the monthly payment run: the bank file doudi writes (one line per
//! payment, ended by a [`TRAILER`] row with the count and total the bank checks), and the
//! results file the bank sends back (名册编号, 结果 成功/失败, 失败原因), as CSV or XLSX.
//!
//! A results file is all or nothing: every bad row is reported and none is applied, so a
//! half-read file never marks some lines paid.

use std::collections::HashMap;

use doudi_core::Money;

use crate::read::{FileError, RowError, Sheet};
use crate::refused::{Refused, cell, find_column, has_control, header_error};
use crate::write::{OutCell, Table};

/// What the bank file's last row starts with: the count and the total of the lines above it,
/// which the bank checks against what it received (and which reading results skips).
pub const TRAILER: &str = "合计";

/// The bank file's columns.
pub const BANK_HEADERS: [&str; 7] = [
    "名册编号",
    "户编号",
    "收款人",
    "银行账号",
    "项目",
    "金额（元）",
    "状态",
];

/// What the failure reason says when the bank gave none.
pub const NO_REASON: &str = "银行未说明原因";

/// One line of the bank file.
#[derive(Clone, Copy, Debug)]
pub struct BankLine<'a> {
    /// The payment line's id (名册编号), which the bank's results quote.
    pub id: i64,
    /// The household's file number.
    pub household_number: &'a str,
    /// The account holder.
    pub payee: &'a str,
    /// The account paid into.
    pub bank_account: &'a str,
    /// The programme's label (城市低保…).
    pub program: &'a str,
    /// The amount.
    pub amount: Money,
    /// The line's status label (待发放…).
    pub status: &'a str,
}

/// The lines add up to more than an amount can hold.
#[derive(Debug, thiserror::Error)]
#[error("发放金额合计超出可表示的范围")]
pub struct TotalTooLarge;

/// The bank file of a month's payment lines, ended by a [`TRAILER`] row: `合计`, the number of
/// lines (`N笔`) under 户编号, and their total under 金额（元）. Write it with
/// [`crate::to_csv`] or [`crate::to_xlsx`].
pub fn bank_table(lines: &[BankLine<'_>]) -> Result<Table, TotalTooLarge> {
    let total = lines
        .iter()
        .try_fold(0_i64, |sum, l| sum.checked_add(l.amount.fen()))
        .ok_or(TotalTooLarge)?;
    let text = |s: &str| OutCell::Text(s.to_owned());
    let mut rows: Vec<Vec<OutCell>> = lines
        .iter()
        .map(|l| {
            vec![
                OutCell::Text(l.id.to_string()),
                text(l.household_number),
                text(l.payee),
                text(l.bank_account),
                text(l.program),
                OutCell::Money(l.amount),
                text(l.status),
            ]
        })
        .collect();
    rows.push(vec![
        text(TRAILER),
        OutCell::Text(format!("{}笔", lines.len())),
        text(""),
        text(""),
        text(""),
        OutCell::Money(Money::from_fen(total)),
        text(""),
    ]);
    Ok(Table {
        headers: BANK_HEADERS.map(String::from).to_vec(),
        rows,
    })
}

/// The bank's answer for one payment line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankResult {
    /// The payment line (名册编号).
    pub payment: i64,
    /// `None`: paid; `Some(reason)`: failed ([`NO_REASON`] when the bank gave none).
    pub failure: Option<String>,
}

/// Reads the bank's results from a sheet ([`crate::read_file`]): the columns 名册编号 and 结果
/// (成功 or 失败), and 失败原因 if present; other columns (the bank may send the bank file back
/// with its results) are ignored, and so is the [`TRAILER`] row. Every bad row is reported —
/// an id that is not a number or is repeated, a result other than 成功/失败, a control
/// character (such as NUL) in any of the three — and then nothing is returned.
pub fn parse_results(sheet: &Sheet) -> Result<Vec<BankResult>, Refused> {
    let mut header = Vec::new();
    let id = find_column(sheet, &["名册编号"], &mut header);
    let result = find_column(sheet, &["结果"], &mut header);
    let reason = find_column(sheet, &["失败原因"], &mut header);
    for (found, name) in [(id, "名册编号"), (result, "结果")] {
        if found.is_none() {
            header.push(header_error(format!("缺少必需的列“{name}”")));
        }
    }
    let (Some(id), Some(result), true) = (id, result, header.is_empty()) else {
        return Err(FileError::Header(header).into());
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut first_row: HashMap<i64, usize> = HashMap::new();
    for (row, cells) in &sheet.rows {
        let id_cell = cell(cells, id);
        // The bank may send the export back with its results: its trailer is not a line.
        if id_cell.text == TRAILER {
            continue;
        }
        let mut fail = |column: &str, message: String| {
            errors.push(RowError {
                row: *row,
                column: column.to_owned(),
                message,
            });
        };
        let reason_text = reason.map_or("", |c| cell(cells, c).text.as_str());
        let mut bad = false;
        // PostgreSQL's text cannot hold a NUL: say where it is instead of failing the batch.
        for (column, text) in [
            ("名册编号", id_cell.text.as_str()),
            ("结果", cell(cells, result).text.as_str()),
            ("失败原因", reason_text),
        ] {
            if has_control(text) {
                fail(column, "含有控制字符（如NUL），请删除后重新导入".into());
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let payment = match id_cell.text.parse::<i64>() {
            Ok(n) if n > 0 && !id_cell.lossy_number => match first_row.get(&n) {
                Some(first) => {
                    fail("名册编号", format!("名册编号{n}与第{first}行重复"));
                    None
                }
                None => {
                    first_row.insert(n, *row);
                    Some(n)
                }
            },
            _ if id_cell.text.is_empty() => {
                fail("名册编号", "必填，不能为空".into());
                None
            }
            _ => {
                fail("名册编号", "应为发放文件中的名册编号（正整数）".into());
                None
            }
        };
        let failure = match cell(cells, result).text.as_str() {
            "成功" => Some(None),
            "失败" => Some(Some(if reason_text.is_empty() {
                NO_REASON.to_owned()
            } else {
                reason_text.to_owned()
            })),
            "" => {
                fail("结果", "必填，应为“成功”或“失败”".into());
                None
            }
            other => {
                let shown: String = other.chars().take(20).collect();
                fail("结果", format!("应为“成功”或“失败”，实际为“{shown}”"));
                None
            }
        };
        if let (Some(payment), Some(failure)) = (payment, failure) {
            out.push(BankResult { payment, failure });
        }
    }
    Refused::unless(errors, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read_csv, read_xlsx};
    use crate::{to_csv, to_xlsx};

    fn rows(refused: Refused) -> Vec<String> {
        match refused {
            Refused::Rows(rows) => rows.iter().map(ToString::to_string).collect(),
            Refused::File(e) => panic!("expected row errors, got {e}"),
        }
    }

    fn two_lines() -> Vec<BankLine<'static>> {
        let line = |id, fen| BankLine {
            id,
            household_number: "A1",
            payee: "张三",
            bank_account: "6217000000000000001",
            program: "城市低保",
            amount: Money::from_fen(fen),
            status: "待发放",
        };
        vec![line(7, 50_000), line(8, 12_345)]
    }

    #[test]
    fn the_bank_file_ends_with_the_count_and_total_of_its_lines() {
        let csv = String::from_utf8(to_csv(&bank_table(&two_lines()).unwrap())).unwrap();
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], BANK_HEADERS.join(","));
        assert!(
            lines[1].starts_with("7,A1,张三,6217000000000000001,城市低保,500.00,待发放"),
            "{csv}"
        );
        assert_eq!(lines[3], "合计,2笔,,,,623.45,");
    }

    #[test]
    fn a_total_beyond_an_amount_is_refused_not_wrapped() {
        let mut lines = two_lines();
        lines[0].amount = Money::from_fen(i64::MAX);
        assert!(bank_table(&lines).is_err());
    }

    #[test]
    fn the_bank_file_sent_back_with_results_reads_as_those_results() {
        let mut table = bank_table(&two_lines()).unwrap();
        table.headers.push("结果".into());
        table.headers.push("失败原因".into());
        table.rows[0].extend([OutCell::Text("成功".into()), OutCell::Text(String::new())]);
        table.rows[1].extend([
            OutCell::Text("失败".into()),
            OutCell::Text("账户已销户".into()),
        ]);
        table.rows[2].extend([OutCell::Text(String::new()), OutCell::Text(String::new())]);
        let expected = vec![
            BankResult {
                payment: 7,
                failure: None,
            },
            BankResult {
                payment: 8,
                failure: Some("账户已销户".into()),
            },
        ];
        let from_csv = parse_results(&read_csv(&to_csv(&table)).unwrap()).unwrap();
        assert_eq!(from_csv, expected);
        let from_xlsx = parse_results(&read_xlsx(&to_xlsx(&table, false).unwrap()).unwrap());
        assert_eq!(from_xlsx.unwrap(), expected);
    }

    #[test]
    fn a_gb18030_results_file_is_read_and_a_failure_without_reason_gets_one() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("名册编号,结果\n3,失败\n4,成功\n");
        let results = parse_results(&read_csv(&bytes).unwrap()).unwrap();
        assert_eq!(results[0].failure.as_deref(), Some(NO_REASON));
        assert_eq!(results[1].failure, None);
    }

    #[test]
    fn every_bad_row_of_a_results_file_is_reported_and_none_is_returned() {
        let sheet = read_csv(
            "名册编号,结果,失败原因\n1,成功,\nx,成功,\n1,失败,重复\n2,已付,\n3,失败,账户\0已销户\n,成功,\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            rows(parse_results(&sheet).unwrap_err()),
            vec![
                "第3行「名册编号」列：应为发放文件中的名册编号（正整数）",
                "第4行「名册编号」列：名册编号1与第2行重复",
                "第5行「结果」列：应为“成功”或“失败”，实际为“已付”",
                "第6行「失败原因」列：含有控制字符（如NUL），请删除后重新导入",
                "第7行「名册编号」列：必填，不能为空",
            ]
        );
    }

    #[test]
    fn a_results_file_without_its_columns_is_refused_by_its_header() {
        let sheet = read_csv("编号,状态\n1,成功\n".as_bytes()).unwrap();
        let text = parse_results(&sheet).unwrap_err().to_string();
        assert!(
            text.contains("缺少必需的列“名册编号”") && text.contains("缺少必需的列“结果”"),
            "{text}"
        );
    }
}
