//! Why a list file (bank file, bank results, rural registry) was refused as a whole: it could
//! not be read, or some of its rows are bad. Such files are all or nothing: one bad row and
//! nothing in the file is applied, so every bad row is reported at once.

use crate::read::{FileError, RowError, Sheet};

/// A list file refused: unreadable, or with bad rows (all of them, in file order).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The file could not be read, or its header is wrong.
    #[error(transparent)]
    File(#[from] FileError),
    /// These rows are bad; nothing in the file was taken.
    #[error("{}行有误，整个文件未导入：{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))]
    Rows(Vec<RowError>),
}

impl Refused {
    /// `value` when there are no `errors`, else every one of them: all or nothing.
    pub fn unless<T>(errors: Vec<RowError>, value: T) -> Result<T, Refused> {
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(Refused::Rows(errors))
        }
    }
}

/// A problem with the header row (row 1, no column).
pub(crate) fn header_error(message: String) -> RowError {
    RowError {
        row: 1,
        column: String::new(),
        message,
    }
}

/// Finds the column headed by one of `names` (the first is how it is named in messages):
/// `Ok(None)` when there is none, a header error when there are two.
pub(crate) fn find_column(
    sheet: &Sheet,
    names: &[&str],
    errors: &mut Vec<RowError>,
) -> Option<usize> {
    let mut found: Option<usize> = None;
    for (i, h) in sheet.headers.iter().enumerate() {
        if names.contains(&h.trim()) {
            if let Some(prev) = found {
                errors.push(header_error(format!(
                    "第{}列与第{}列都是“{}”，无法确定用哪一列",
                    prev + 1,
                    i + 1,
                    names[0]
                )));
            } else {
                found = Some(i);
            }
        }
    }
    found
}

/// Whether `text` holds a control character that a database text cannot or should not hold
/// (NUL and the like; tab and line breaks are allowed).
pub(crate) fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The cell of `row` at `column` (empty when the row is shorter).
pub(crate) fn cell(cells: &[crate::read::Cell], column: usize) -> &crate::read::Cell {
    static EMPTY: crate::read::Cell = crate::read::Cell {
        text: String::new(),
        lossy_number: false,
    };
    cells.get(column).unwrap_or(&EMPTY)
}
