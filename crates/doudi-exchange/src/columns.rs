//! The departments' list files read by column: the medical insurance bureau's inpatient
//! settlements (2.4, [`STAY_COLUMNS`]) and the schools' education deliveries (2.5,
//! [`DELIVERY_COLUMNS`]), one record per row, each column found by its usual names. This
//! module only reads the cells by column; what each value means and whether it is right is
//! checked by the use case (`doudi_app::medical`, `doudi_app::schooling`), which names the row
//! and column of every problem, so that a file is taken all or nothing.

use crate::read::{FileError, RowError, Sheet};
use crate::refused::{Refused, find_column, header_error};

/// The columns of a list file: the field, the header names accepted (the first is the one the
/// template uses and messages name), and whether it is required.
pub type Columns = &'static [(&'static str, &'static [&'static str], bool)];

/// The columns of a file of inpatient settlements.
pub const STAY_COLUMNS: Columns = &[
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

/// The columns of a file of education items delivered.
pub const DELIVERY_COLUMNS: Columns = &[
    (
        "id_number",
        &["身份证号码", "身份证号", "学生身份证号"],
        true,
    ),
    ("term", &["学期"], true),
    ("item", &["资助项目", "项目"], true),
    ("delivered_on", &["发放日期", "落实日期"], true),
    ("note", &["备注"], false),
];

/// One row of a list file: its row number, and each field's text (empty when the column is
/// absent or the cell blank), in the order of its columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowCells {
    /// The columns read.
    pub columns: Columns,
    /// The row as the user sees it (the header is row 1).
    pub row: usize,
    /// Each field's text.
    pub values: Vec<String>,
    /// The header of each field's column in this file ("" when absent).
    pub headers: Vec<String>,
    /// The identity number was stored by Excel as a number too long to keep exactly.
    pub lossy_id: bool,
}

impl RowCells {
    /// The text of `field`.
    pub fn get(&self, field: &str) -> &str {
        self.columns
            .iter()
            .position(|(f, _, _)| *f == field)
            .and_then(|i| self.values.get(i))
            .map_or("", String::as_str)
    }

    /// The header of `field`'s column, or its usual name.
    pub fn column(&self, field: &str) -> String {
        self.columns
            .iter()
            .position(|(f, _, _)| *f == field)
            .map(|i| match self.headers.get(i) {
                Some(h) if !h.is_empty() => h.clone(),
                _ => self.columns[i].1[0].to_owned(),
            })
            .unwrap_or_default()
    }
}

/// The rows of a list file with `spec`'s columns; a missing required column or a repeated one
/// refuses the file, and so does a file without rows. The first column is the identity
/// number's, whose cells Excel may have stored as lossy numbers.
pub fn parse_rows(sheet: &Sheet, spec: Columns) -> Result<Vec<RowCells>, Refused> {
    let mut header: Vec<RowError> = Vec::new();
    let mut columns: Vec<Option<usize>> = Vec::new();
    for (_, names, required) in spec {
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
            message: "文件中没有记录".into(),
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
        .map(|(row, cells)| RowCells {
            columns: spec,
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
        let rows = parse_rows(&read_csv(csv.as_bytes()).unwrap(), STAY_COLUMNS).unwrap();
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
            parse_rows(&read_csv(csv.as_bytes()).unwrap(), STAY_COLUMNS)
        else {
            panic!("expected a header error");
        };
        let said: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(said.contains(&"缺少“医院级别”列"), "{said:?}");
        assert!(said.contains(&"缺少“医保目录内费用”列"), "{said:?}");
    }
}
