//! The medical insurance bureau's file of inpatient settlements (2.4): one stay per row, found
//! by the columns' usual names. This module only reads the cells by column; what each value
//! means and whether it is right is checked by the use case (`doudi_app::medical`), which
//! names the row and column of every problem, so that a file is settled all or nothing.

use crate::read::{FileError, RowError, Sheet};
use crate::refused::{Refused, find_column, header_error};

/// The columns of a stay file: the field, the header names accepted (the first is the one the
/// template uses and messages name), and whether it is required.
pub const STAY_COLUMNS: &[(&str, &[&str], bool)] = &[
    (
        "id_number",
        &["身份证号码", "身份证号", "患者身份证号"],
        true,
    ),
    ("hospital", &["医院名称", "医院", "定点医院"], true),
    ("level", &["医院级别", "级别"], true),
    ("in_county", &["县内医院", "是否县内医院"], false),
    ("admitted", &["入院日期"], true),
    ("discharged", &["出院日期"], true),
    ("total", &["住院总费用", "总费用"], true),
    ("in_catalogue", &["医保目录内费用", "目录内费用"], true),
    ("special_disease", &["特殊病种"], false),
    ("treat_first", &["先诊疗后付费"], false),
];

/// One row of a stay file: its row number, and each field's text (empty when the column is
/// absent or the cell blank), in the order of [`STAY_COLUMNS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StayCells {
    /// The row as the user sees it (the header is row 1).
    pub row: usize,
    /// Each field's text.
    pub values: Vec<String>,
    /// The header of each field's column in this file ("" when absent).
    pub headers: Vec<String>,
    /// The identity number was stored by Excel as a number too long to keep exactly.
    pub lossy_id: bool,
}

impl StayCells {
    /// The text of `field`.
    pub fn get(&self, field: &str) -> &str {
        STAY_COLUMNS
            .iter()
            .position(|(f, _, _)| *f == field)
            .and_then(|i| self.values.get(i))
            .map_or("", String::as_str)
    }

    /// The header of `field`'s column, or its usual name.
    pub fn column(&self, field: &str) -> String {
        STAY_COLUMNS
            .iter()
            .position(|(f, _, _)| *f == field)
            .map(|i| match self.headers.get(i) {
                Some(h) if !h.is_empty() => h.clone(),
                _ => STAY_COLUMNS[i].1[0].to_owned(),
            })
            .unwrap_or_default()
    }
}

/// The rows of a stay file; a missing required column or a repeated one refuses the file.
pub fn parse_stays(sheet: &Sheet) -> Result<Vec<StayCells>, Refused> {
    let mut header: Vec<RowError> = Vec::new();
    let mut columns: Vec<Option<usize>> = Vec::new();
    for (_, names, required) in STAY_COLUMNS {
        let found = find_column(sheet, names, &mut header);
        if found.is_none() && *required {
            header.push(header_error(format!("缺少“{}”列", names[0])));
        }
        columns.push(found);
    }
    if !header.is_empty() {
        return Err(FileError::Header(header).into());
    }
    if sheet.rows.is_empty() {
        return Err(Refused::Rows(vec![RowError {
            row: 2,
            column: String::new(),
            message: "文件中没有住院记录".into(),
        }]));
    }
    let headers: Vec<String> = columns
        .iter()
        .map(|c| {
            c.map(|i| sheet.headers[i].trim().to_owned())
                .unwrap_or_default()
        })
        .collect();
    Ok(sheet
        .rows
        .iter()
        .map(|(row, cells)| StayCells {
            row: *row,
            values: columns
                .iter()
                .map(|c| {
                    c.and_then(|i| cells.get(i))
                        .map(|cell| cell.text.clone())
                        .unwrap_or_default()
                })
                .collect(),
            headers: headers.clone(),
            lossy_id: columns[0]
                .and_then(|i| cells.get(i))
                .is_some_and(|cell| cell.lossy_number),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_csv;

    #[test]
    fn a_stay_file_is_read_by_its_usual_column_names() {
        let csv = "身份证号,医院,医院级别,入院日期,出院日期,总费用,目录内费用\n\
                   11010519491231002X,云阳县人民医院,县级医院,2026-10-01,2026-10-05,1000,900\n";
        let rows = parse_stays(&read_csv(csv.as_bytes()).unwrap()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].get("hospital"), "云阳县人民医院");
        assert_eq!(rows[0].get("treat_first"), "");
        assert_eq!(rows[0].column("total"), "总费用");
        assert_eq!(rows[0].column("treat_first"), "先诊疗后付费");
    }

    #[test]
    fn a_stay_file_without_a_required_column_is_refused_naming_it() {
        let csv = "身份证号码,医院名称\n1,2\n";
        let Err(Refused::File(FileError::Header(errors))) =
            parse_stays(&read_csv(csv.as_bytes()).unwrap())
        else {
            panic!("expected a header error");
        };
        let said: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(said.contains(&"缺少“医院级别”列"), "{said:?}");
        assert!(said.contains(&"缺少“医保目录内费用”列"), "{said:?}");
    }
}
