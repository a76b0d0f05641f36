//! The rural poverty registry (4.2.c): the list of people on the rural registry
//! (建档立卡/农村低保名单) that the rural office sends as CSV or XLSX, with a column named
//! 身份证号码 (or 身份证号); other columns are ignored. Each number is parsed as a household
//! member's is; a bad one is reported by its row, never by its digits.

use std::collections::HashSet;

use chrono::NaiveDate;
use doudi_core::IdNumber;

use crate::read::{FileError, RowError, Sheet};
use crate::refused::{Refused, cell, find_column, header_error};

/// The column's name, and the other name it is accepted under.
const ID_COLUMN: [&str; 2] = ["身份证号码", "身份证号"];

/// The people of a rural registry file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuralRegistry {
    /// Each person once, in the order of the file.
    pub ids: Vec<IdNumber>,
    /// Rows whose number was already on an earlier row (counted once, not refused).
    pub duplicates: usize,
    /// Rows whose number cell is empty (skipped).
    pub blank: usize,
}

/// Reads a rural registry from a sheet ([`crate::read_file`]); `today` bounds birth dates.
/// Any bad number refuses the whole file, with every bad row named.
pub fn parse_rural(sheet: &Sheet, today: NaiveDate) -> Result<RuralRegistry, Refused> {
    let mut header = Vec::new();
    let column = find_column(sheet, &ID_COLUMN, &mut header);
    if column.is_none() {
        header.push(header_error(format!(
            "缺少必需的列“{}”（或“{}”）",
            ID_COLUMN[0], ID_COLUMN[1]
        )));
    }
    let Some(column) = column.filter(|_| header.is_empty()) else {
        return Err(FileError::Header(header).into());
    };
    let name = sheet.headers[column].trim().to_owned();
    let mut registry = RuralRegistry {
        ids: Vec::new(),
        duplicates: 0,
        blank: 0,
    };
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for (row, cells) in &sheet.rows {
        let c = cell(cells, column);
        let error = |message: String| RowError {
            row: *row,
            column: name.clone(),
            message,
        };
        if c.lossy_number {
            errors.push(error(
                "Excel把身份证号码存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写"
                    .into(),
            ));
        } else if c.text.is_empty() {
            registry.blank += 1;
        } else {
            // The message says what is wrong, never the number itself.
            match IdNumber::parse(&c.text, today) {
                Ok(id) if seen.insert(id.clone()) => registry.ids.push(id),
                Ok(_) => registry.duplicates += 1,
                Err(e) => errors.push(error(e.to_string())),
            }
        }
    }
    Refused::unless(errors, registry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read_csv, read_xlsx};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn rows(refused: Refused) -> Vec<String> {
        match refused {
            Refused::Rows(rows) => rows.iter().map(ToString::to_string).collect(),
            Refused::File(e) => panic!("expected row errors, got {e}"),
        }
    }

    #[test]
    fn a_registry_lists_each_person_once_and_counts_the_repeats_and_blanks() {
        let sheet = read_csv(
            "姓名,身份证号,村\n张某,500235195612150133,某村\n李某,11010519491231002x,外县\n\
             张某,500235195612150133,某村\n王某,,某村\n"
                .as_bytes(),
        )
        .unwrap();
        let registry = parse_rural(&sheet, today()).unwrap();
        assert_eq!(registry.ids.len(), 2);
        assert_eq!(registry.ids[1].as_str(), "11010519491231002X");
        assert_eq!(registry.duplicates, 1);
        assert_eq!(registry.blank, 1);
    }

    #[test]
    fn every_bad_number_is_named_by_its_row_and_never_quoted() {
        let sheet =
            read_csv("身份证号码\n500235195612150134\n500235195612150133\n12345\n".as_bytes())
                .unwrap();
        let got = rows(parse_rural(&sheet, today()).unwrap_err());
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].starts_with("第2行「身份证号码」列："), "{got:?}");
        assert!(got[1].starts_with("第4行「身份证号码」列："), "{got:?}");
        assert!(!got.concat().contains("500235195612150134"), "{got:?}");
    }

    #[test]
    fn a_file_without_the_number_column_or_with_two_is_refused_by_its_header() {
        let missing = read_csv("姓名,身份证\n张某,500235195612150133\n".as_bytes()).unwrap();
        let text = parse_rural(&missing, today()).unwrap_err().to_string();
        assert!(text.contains("缺少必需的列“身份证号码”"), "{text}");
        let twice = read_csv("身份证号码,身份证号\n500235195612150133,\n".as_bytes()).unwrap();
        let text = parse_rural(&twice, today()).unwrap_err().to_string();
        assert!(text.contains("第1列与第2列"), "{text}");
    }

    #[test]
    fn a_gb18030_registry_from_excel_is_read() {
        let (bytes, _, _) =
            encoding_rs::GB18030.encode("姓名,身份证号码\n张某,500235195612150133\n");
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the file is not UTF-8"
        );
        let registry = parse_rural(&read_csv(&bytes).unwrap(), today()).unwrap();
        assert_eq!(registry.ids.len(), 1);
    }

    #[test]
    fn an_xlsx_registry_is_read_and_a_number_stored_as_a_number_is_caught() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "身份证号码").unwrap();
        sheet.write_string(1, 0, "500235195612150133").unwrap();
        sheet
            .write_number(2, 0, 500_235_195_612_150_133_u64 as f64)
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let got = rows(parse_rural(&read_xlsx(&bytes).unwrap(), today()).unwrap_err());
        assert_eq!(got.len(), 1);
        assert!(
            got[0].starts_with("第3行") && got[0].contains("存成了数字"),
            "{got:?}"
        );
    }
}
