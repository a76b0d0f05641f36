//! Department data files (部门数据, 5.3): deaths, vehicles, real estate, businesses, pensions,
//! wages, hospital bills, school rolls and disability certificates, as CSV or XLSX. Each file
//! has a row per record with the person's identity number and name (either may be missing or
//! messy: the linkage in doudi-app matches them), and the kind's own date, amount and text.
//!
//! Columns are found by their usual names, or by the names a department officer mapped once
//! ([`FeedMapping`]). A row that cannot be read (a date that is no date, an amount that is no
//! amount, an identity number Excel stored as a number) refuses the whole file, with every bad
//! row named by row and column: all or nothing. A messy identity number is not an error here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use doudi_core::Money;
use doudi_core::date::parse_day;
use doudi_core::discovery::FeedKind;

use crate::read::{FileError, RowError, Sheet};
use crate::refused::{Refused, cell, find_column, has_control, header_error};

/// A field of a feed record, as a mapping names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The department's own record number (optional; the row number otherwise).
    RecordId,
    /// Identity number.
    IdNumber,
    /// Name.
    Name,
    /// Birth date.
    Birth,
    /// The kind's date (death, registration, discharge …).
    Date,
    /// The kind's amount, in yuan.
    Amount,
    /// The kind's text.
    Detail,
}

impl Field {
    /// Every field, in the order a mapping form lists them.
    pub const ALL: [Field; 7] = [
        Field::RecordId,
        Field::IdNumber,
        Field::Name,
        Field::Birth,
        Field::Date,
        Field::Amount,
        Field::Detail,
    ];

    /// Its code in a stored mapping.
    pub fn code(self) -> &'static str {
        match self {
            Field::RecordId => "record_id",
            Field::IdNumber => "id_number",
            Field::Name => "name",
            Field::Birth => "birth",
            Field::Date => "date",
            Field::Amount => "amount",
            Field::Detail => "detail",
        }
    }

    /// The field of a code.
    pub fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The usual column names of this field in a file of `kind` (the first names it).
    pub fn usual_names(self, kind: FeedKind) -> Vec<&'static str> {
        match self {
            Field::RecordId => vec!["记录编号", "编号", "序号"],
            Field::IdNumber => vec!["身份证号码", "身份证号", "公民身份号码", "证件号码"],
            Field::Name => vec!["姓名"],
            Field::Birth => vec!["出生日期"],
            Field::Date => vec![kind.date_label(), "日期"],
            Field::Amount => kind
                .amount_label()
                .map_or_else(Vec::new, |label| vec![label, "金额"]),
            Field::Detail => kind
                .detail_label()
                .map_or_else(Vec::new, |label| vec![label, "说明"]),
        }
    }

    /// What the field is called on screens for `kind`.
    pub fn label(self, kind: FeedKind) -> &'static str {
        self.usual_names(kind).first().copied().unwrap_or("")
    }

    /// Whether `kind` uses this field at all.
    pub fn used_by(self, kind: FeedKind) -> bool {
        !self.usual_names(kind).is_empty()
    }
}

/// Which column of a department's file holds which field, where it differs from the usual
/// names (set once by a department officer, kept, and used for every later file of the kind).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedMapping {
    /// Field → the column's header in the department's files.
    pub columns: BTreeMap<Field, String>,
}

impl FeedMapping {
    /// The mapping as stored: `field=header` lines.
    pub fn to_text(&self) -> String {
        self.columns
            .iter()
            .map(|(f, h)| format!("{}={}", f.code(), h))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A stored mapping; unknown fields and empty headers are left out.
    pub fn from_text(text: &str) -> FeedMapping {
        let columns = text
            .lines()
            .filter_map(|line| {
                let (code, header) = line.split_once('=')?;
                let header = header.trim();
                (!header.is_empty())
                    .then(|| Some((Field::parse(code.trim())?, header.to_owned())))?
            })
            .collect();
        FeedMapping { columns }
    }
}

/// One record of a department file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedRecord {
    /// The row as the user sees it (the header is row 1); for API records, the position from 1.
    pub row: usize,
    /// The department's record number, or the row number.
    pub record_id: String,
    /// The identity number as sent (may be messy or empty).
    pub id_number: String,
    /// The name as sent (may be empty).
    pub name: String,
    /// Birth date, when sent.
    pub birth: Option<NaiveDate>,
    /// The kind's date (the first day of the month for a monthly record).
    pub date: Option<NaiveDate>,
    /// The kind's amount, in fen.
    pub amount_fen: Option<i64>,
    /// The kind's text.
    pub detail: String,
}

/// Longest text kept from a cell.
const MAX_TEXT: usize = 100;

/// Checks one record (from a file row or the API) against its kind and `today`: the identifying
/// fields, the date the kind needs (never after today), the amount it needs (never negative),
/// lengths. Each problem is `(field, message)`.
pub fn check_record(kind: FeedKind, r: &FeedRecord, today: NaiveDate) -> Vec<(Field, String)> {
    let mut problems = Vec::new();
    if r.id_number.trim().is_empty() && r.name.trim().is_empty() {
        problems.push((Field::IdNumber, "身份证号码和姓名不能都为空".into()));
    }
    for (field, text) in [
        (Field::RecordId, &r.record_id),
        (Field::IdNumber, &r.id_number),
        (Field::Name, &r.name),
        (Field::Detail, &r.detail),
    ] {
        if has_control(text) {
            problems.push((field, "含有不可见的控制字符".into()));
        } else if text.chars().count() > MAX_TEXT {
            problems.push((field, format!("超过{MAX_TEXT}个字")));
        }
    }
    for (field, date) in [(Field::Birth, r.birth), (Field::Date, r.date)] {
        if let Some(d) = date.filter(|d| *d > today) {
            problems.push((field, format!("日期{d}晚于今天")));
        }
    }
    if r.amount_fen.is_some_and(|f| f < 0) {
        problems.push((Field::Amount, "金额不能为负".into()));
    }
    if r.date.is_none() && matches!(kind, FeedKind::Death | FeedKind::Hospital) {
        problems.push((Field::Date, format!("须填写{}", kind.date_label())));
    }
    if let Some(label) = kind.amount_label()
        && r.amount_fen.is_none()
        && matches!(
            kind,
            FeedKind::Wages | FeedKind::Pension | FeedKind::Hospital
        )
    {
        problems.push((Field::Amount, format!("须填写{label}")));
    }
    problems
}

/// Reads a department file of `kind` from a sheet ([`crate::read_file`]), with `mapping` for
/// columns named otherwise; `today` bounds dates (nothing happens after today). Every bad row
/// refuses the file.
pub fn parse_feed(
    sheet: &Sheet,
    kind: FeedKind,
    mapping: &FeedMapping,
    today: NaiveDate,
) -> Result<Vec<FeedRecord>, Refused> {
    let mut header = Vec::new();
    let mut columns: BTreeMap<Field, usize> = BTreeMap::new();
    for field in Field::ALL {
        let mapped = mapping.columns.get(&field);
        let names: Vec<&str> = match mapped {
            Some(h) => vec![h.as_str()],
            None => field.usual_names(kind),
        };
        if names.is_empty() {
            continue;
        }
        match find_column(sheet, &names, &mut header) {
            Some(i) => {
                columns.insert(field, i);
            }
            None if mapped.is_some() => header.push(header_error(format!(
                "设定的“{}”列“{}”不在文件中",
                field.label(kind),
                names[0]
            ))),
            None => {}
        }
    }
    if !columns.contains_key(&Field::IdNumber) && !columns.contains_key(&Field::Name) {
        header.push(header_error(
            "缺少“身份证号码”列和“姓名”列（至少要有一列，用来找到人）".into(),
        ));
    }
    if kind == FeedKind::Death && !columns.contains_key(&Field::Date) {
        header.push(header_error("缺少“死亡日期”列".into()));
    }
    if !header.is_empty() {
        return Err(FileError::Header(header).into());
    }
    let name_of = |field: Field| -> String {
        columns
            .get(&field)
            .map(|&i| sheet.headers[i].trim().to_owned())
            .unwrap_or_default()
    };
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in &sheet.rows {
        let text = |field: Field| -> String {
            columns
                .get(&field)
                .map(|&i| cell(cells, i).text.clone())
                .unwrap_or_default()
        };
        let mut row_errors: Vec<(Field, String)> = Vec::new();
        if columns
            .get(&Field::IdNumber)
            .is_some_and(|&i| cell(cells, i).lossy_number)
        {
            row_errors.push((
                Field::IdNumber,
                "Excel把身份证号码存成了数字，后几位已丢失；请把该列设为“文本”格式后重新导出"
                    .into(),
            ));
        }
        let mut date_of = |field: Field| -> Option<NaiveDate> {
            let t = text(field);
            if t.is_empty() {
                return None;
            }
            let parsed = parse_day(&t).ok().or_else(|| {
                // A monthly record may give only its month.
                doudi_core::Month::parse(&t).ok().map(|m| m.first_day())
            });
            match parsed {
                Some(d) if d > today => {
                    row_errors.push((field, format!("日期{d}晚于今天")));
                    None
                }
                Some(d) => Some(d),
                None => {
                    row_errors.push((field, format!("“{}”不是日期（应如 2026-05-01）", clip(&t))));
                    None
                }
            }
        };
        let birth = date_of(Field::Birth);
        let date = date_of(Field::Date);
        let amount_text = text(Field::Amount);
        let amount_fen = if amount_text.is_empty() {
            None
        } else {
            match Money::parse_non_negative_yuan(&amount_text) {
                Ok(m) => Some(m.fen()),
                Err(e) => {
                    row_errors.push((Field::Amount, e.to_string()));
                    None
                }
            }
        };
        let record_id = match text(Field::RecordId) {
            t if t.is_empty() => row.to_string(),
            t => t,
        };
        let record = FeedRecord {
            row: *row,
            record_id,
            id_number: text(Field::IdNumber),
            name: text(Field::Name),
            birth,
            date,
            amount_fen,
            detail: text(Field::Detail),
        };
        if row_errors.is_empty() {
            row_errors = check_record(kind, &record, today);
        }
        if row_errors.is_empty() {
            records.push(record);
        } else {
            errors.extend(row_errors.into_iter().map(|(field, message)| RowError {
                row: *row,
                column: match name_of(field) {
                    n if n.is_empty() => field.label(kind).to_owned(),
                    n => n,
                },
                message,
            }));
        }
    }
    Refused::unless(errors, records)
}

fn clip(text: &str) -> String {
    text.chars().take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Cell;

    fn sheet(headers: &[&str], rows: &[&[&str]]) -> Sheet {
        Sheet {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r.iter().map(|c| Cell::from(*c)).collect()))
                .collect(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_death_file_reads_messy_identity_numbers_as_sent_and_dates_in_the_usual_forms() {
        let s = sheet(
            &["姓名", "身份证号码", "死亡日期"],
            &[
                &["张三", "５００２３５１９５００１０１００１Ｘ", "2026-10-05"],
                &["李四", "", "2026年10月6日"],
            ],
        );
        let records = parse_feed(&s, FeedKind::Death, &FeedMapping::default(), today()).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].id_number, "５００２３５１９５００１０１００１Ｘ");
        assert_eq!(records[0].date, NaiveDate::from_ymd_opt(2026, 10, 5));
        assert_eq!(
            records[1].record_id, "3",
            "the row number stands for a missing record number"
        );
    }

    #[test]
    fn every_bad_row_is_named_by_row_and_column_and_nothing_is_taken() {
        let s = sheet(
            &["姓名", "身份证号码", "死亡日期"],
            &[
                &["张三", "500235195001010010", "昨天"],
                &["", "", "2026-10-06"],
                &["王五", "500235195001010010", "2099-01-01"],
                &["赵六", "500235195001010010", ""],
            ],
        );
        let Err(Refused::Rows(errors)) =
            parse_feed(&s, FeedKind::Death, &FeedMapping::default(), today())
        else {
            panic!("the file is refused");
        };
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 4, "{said:?}");
        assert!(
            said[0].contains("第2行") && said[0].contains("死亡日期"),
            "{said:?}"
        );
        assert!(
            said[1].contains("第3行") && said[1].contains("不能都为空"),
            "{said:?}"
        );
        assert!(
            said[2].contains("第4行") && said[2].contains("晚于今天"),
            "{said:?}"
        );
        assert!(
            said[3].contains("第5行") && said[3].contains("须填写死亡日期"),
            "{said:?}"
        );
    }

    #[test]
    fn a_department_maps_its_own_column_names_once_and_they_are_used() {
        let s = sheet(
            &["参保人姓名", "公民身份号码", "结算月份", "应发金额"],
            &[&["张三", "500235195001010010", "2026-10", "1,250.50"]],
        );
        let mut mapping = FeedMapping::default();
        mapping.columns.insert(Field::Name, "参保人姓名".into());
        mapping.columns.insert(Field::Date, "结算月份".into());
        mapping.columns.insert(Field::Amount, "应发金额".into());
        let stored = FeedMapping::from_text(&mapping.to_text());
        assert_eq!(stored, mapping);
        let records = parse_feed(&s, FeedKind::Pension, &stored, today()).unwrap();
        assert_eq!(records[0].amount_fen, Some(125_050));
        assert_eq!(records[0].date, NaiveDate::from_ymd_opt(2026, 10, 1));
        let missing = sheet(&["姓名"], &[]);
        let err = parse_feed(&missing, FeedKind::Pension, &stored, today()).unwrap_err();
        assert!(err.to_string().contains("参保人姓名"), "{err}");
    }

    #[test]
    fn a_file_with_no_column_to_find_people_by_is_refused_at_its_header() {
        let s = sheet(&["车牌"], &[&["渝F12345"]]);
        let err = parse_feed(&s, FeedKind::Vehicle, &FeedMapping::default(), today()).unwrap_err();
        assert!(err.to_string().contains("至少要有一列"), "{err}");
    }
}
