//! Dates as people type them in forms and files: the one parser every edge uses.

use chrono::NaiveDate;

/// Why a text is not a day, with the text itself so the message says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// Nothing was written.
    #[error("日期为空（应为如 2026-01-05 的日期）")]
    Empty,
    /// The text is not in any accepted form.
    #[error(
        "日期“{0}”无效（应为如 2026-01-05、2026/1/5、2026.1.5、2026年1月5日 或 20260105 的日期）"
    )]
    Format(String),
    /// The form is right but no such day exists (month 13, 30 February, a year before 1900).
    #[error("日期“{0}”不存在（请核对年、月、日）")]
    NoSuchDay(String),
}

/// Parses a day written as `2026-01-05`, `2026-1-5`, `2026/1/5`, `2026.1.5`, `2026年1月5日` or
/// `20260105`, after trimming and turning full-width digits and separators into ASCII.
///
/// Years run from 1900 to 9999, like [`crate::Month`].
pub fn parse_day(text: &str) -> Result<NaiveDate, DateError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DateError::Empty);
    }
    let ascii: String = trimmed.chars().map(narrow).collect();
    let (y, m, d) = split(&ascii).ok_or_else(|| DateError::Format(trimmed.to_owned()))?;
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(DateError::Format(trimmed.to_owned()));
    };
    if !(1900..=9999).contains(&y) {
        return Err(DateError::NoSuchDay(trimmed.to_owned()));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DateError::NoSuchDay(trimmed.to_owned()))
}

/// Full-width digits and separators as their ASCII twins; everything else unchanged.
fn narrow(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '－' => '-',
        '／' => '/',
        '．' | '。' => '.',
        other => other,
    }
}

/// Year, month and day digits of an accepted form, each one to four ASCII digits.
fn split(s: &str) -> Option<(&str, &str, &str)> {
    let digits = |p: &str, max: usize| {
        !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
    };
    if s.len() == 8 && digits(s, 8) {
        return Some((&s[..4], &s[4..6], &s[6..]));
    }
    let parts: Vec<&str> = if let Some(rest) = s.strip_suffix('日') {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        vec![y, m, d]
    } else {
        let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        s.split(sep).collect()
    };
    match parts[..] {
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => Some((y, m, d)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_form_people_write_reads_as_the_same_day() {
        let cases = [
            "2026-01-05",
            "2026-1-5",
            "2026/1/5",
            "2026/01/05",
            "2026.1.5",
            "2026.01.05",
            "2026年1月5日",
            "2026年01月05日",
            "20260105",
            "  2026-01-05 ",
            "２０２６－０１－０５",
            "２０２６年１月５日",
        ];
        for text in cases {
            assert_eq!(parse_day(text), Ok(day(2026, 1, 5)), "{text}");
        }
    }

    #[test]
    fn texts_in_no_accepted_form_are_refused_with_the_forms_named() {
        let cases = [
            "2026-05",
            "五月一日",
            "2026-01/05",
            "2026-01-05-01",
            "202601",
            "2026年1月5",
            "1月5日",
            "26-1-5x",
            "2026-+1-5",
            "2026-001-5",
        ];
        for text in cases {
            let err = parse_day(text).unwrap_err();
            assert_eq!(err, DateError::Format(text.to_owned()), "{text}");
            assert!(err.to_string().contains("2026年1月5日"), "{text}");
        }
    }

    #[test]
    fn days_that_do_not_exist_are_refused_as_such() {
        for text in [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "20260132",
            "1899-12-31",
            "2025年2月29日",
        ] {
            assert_eq!(
                parse_day(text),
                Err(DateError::NoSuchDay(text.to_owned())),
                "{text}"
            );
        }
        assert_eq!(parse_day("2024-02-29"), Ok(day(2024, 2, 29)));
    }

    #[test]
    fn a_blank_text_is_reported_as_empty() {
        assert_eq!(parse_day("   "), Err(DateError::Empty));
    }
}
