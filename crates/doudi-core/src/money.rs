//! Money as an integer number of fen (分). No floating point touches money anywhere in doudi.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

/// An amount of renminbi in fen. May be negative (a difference); quantities that cannot be
/// negative, such as an income, are checked where they are parsed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// Why a string is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing was given.
    #[error("金额为空")]
    Empty,
    /// Not of the form 1234, 1234.5 or 1,234.56.
    #[error("金额“{0}”不是有效数字（应为如 1234.56 的元金额）")]
    NotANumber(String),
    /// More than two decimal places: fen is the smallest unit.
    #[error("金额“{0}”超过两位小数（最小单位为分）")]
    TooPrecise(String),
    /// Outside the range doudi accepts (±10 亿元).
    #[error("金额“{0}”超出允许范围")]
    OutOfRange(String),
    /// A negative amount where only zero or more makes sense.
    #[error("金额不能为负数：{0}")]
    Negative(String),
}

/// The largest magnitude accepted from input: one billion yuan.
const MAX_FEN: i64 = 1_000_000_000 * 100;

impl Money {
    /// Zero fen.
    pub const ZERO: Money = Money(0);

    /// The largest single amount doudi accepts from any input (±10 亿元, one billion yuan):
    /// the registry, files and the JSON-lines input all refuse more, so that sums of a
    /// household's amounts stay far inside `i64`.
    pub const MAX_INPUT: Money = Money(MAX_FEN);

    /// An amount of fen.
    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    /// A whole number of yuan.
    pub const fn from_yuan(yuan: i64) -> Money {
        Money(yuan * 100)
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// Parses a yuan amount as people write it: `1234`, `1234.5`, `1,234.56`, `￥12`, `-3.20`.
    pub fn parse_yuan(input: &str) -> Result<Money, MoneyError> {
        let s: String = input
            .trim()
            .trim_start_matches(['¥', '￥'])
            .chars()
            .filter(|c| *c != ',')
            .collect();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let not_a_number = || MoneyError::NotANumber(input.trim().to_owned());
        if whole.is_empty() && frac.is_empty() {
            return Err(not_a_number());
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_a_number());
        }
        // Trailing zeros beyond the fen are harmless ("12.500").
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(MoneyError::TooPrecise(input.trim().to_owned()));
        }
        if whole.len() > 12 {
            return Err(MoneyError::OutOfRange(input.trim().to_owned()));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| not_a_number())?
        };
        let frac_fen: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| not_a_number())? * 10,
            _ => frac.parse().map_err(|_| not_a_number())?,
        };
        let fen = whole * 100 + frac_fen;
        if fen > MAX_FEN {
            return Err(MoneyError::OutOfRange(input.trim().to_owned()));
        }
        Ok(Money(if negative { -fen } else { fen }))
    }

    /// Parses a yuan amount that must not be negative (incomes, assets, expenses).
    pub fn parse_non_negative_yuan(input: &str) -> Result<Money, MoneyError> {
        let m = Money::parse_yuan(input)?;
        if m.0 < 0 {
            return Err(MoneyError::Negative(input.trim().to_owned()));
        }
        Ok(m)
    }

    /// Plain yuan with two decimals and no separators, as written to files: `1234.50`.
    pub fn to_yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// The sum, held at `i64::MAX` fen (or `i64::MIN`) instead of wrapping: for totals over
    /// many households, where a wrapped sum would be a plausible-looking wrong figure.
    pub const fn saturating_add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }

    /// An amount computed in `i128` fen, held at the ends of `i64` if it does not fit.
    pub fn from_fen_saturating(fen: i128) -> Money {
        Money(i64::try_from(fen).unwrap_or(if fen < 0 { i64::MIN } else { i64::MAX }))
    }

    /// Whether the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Money {
    /// Shown to people: `¥1,234.50`. Written without allocating: explanations show thousands
    /// of amounts a second.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let mut whole = abs / 100;
        // Up to 19 digits and 6 separators, filled from the right.
        let mut buf = [0u8; 32];
        let mut at = buf.len();
        let mut digits = 0;
        loop {
            if digits > 0 && digits % 3 == 0 {
                at -= 1;
                buf[at] = b',';
            }
            at -= 1;
            buf[at] = b'0' + (whole % 10) as u8;
            whole /= 10;
            digits += 1;
            if whole == 0 {
                break;
            }
        }
        let grouped = std::str::from_utf8(&buf[at..]).expect("ASCII digits");
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}¥{grouped}.{:02}", abs % 100)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<i64, MoneyError>) {
        assert_eq!(
            Money::parse_yuan(input).map(Money::fen),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn yuan_amounts_parse_to_exact_fen() {
        check("1234", Ok(123_400));
        check("1234.5", Ok(123_450));
        check("1,234.56", Ok(123_456));
        check("￥0.01", Ok(1));
        check(".5", Ok(50));
        check("12.500", Ok(1250));
        check("-3.20", Ok(-320));
    }

    #[test]
    fn a_third_decimal_place_is_refused_not_rounded() {
        check("0.005", Err(MoneyError::TooPrecise("0.005".into())));
    }

    #[test]
    fn words_and_empty_strings_are_not_money() {
        check("", Err(MoneyError::Empty));
        check("十元", Err(MoneyError::NotANumber("十元".into())));
        check("1e3", Err(MoneyError::NotANumber("1e3".into())));
        check(".", Err(MoneyError::NotANumber(".".into())));
    }

    #[test]
    fn a_negative_income_is_refused_where_only_non_negative_makes_sense() {
        assert_eq!(
            Money::parse_non_negative_yuan("-1"),
            Err(MoneyError::Negative("-1".into()))
        );
    }

    #[test]
    fn money_displays_in_yuan_with_separators() {
        assert_eq!(Money::from_fen(123_456_789).to_string(), "¥1,234,567.89");
        assert_eq!(Money::from_fen(-5).to_string(), "-¥0.05");
        assert_eq!(Money::from_fen(-5).to_yuan_string(), "-0.05");
        assert_eq!(Money::from_yuan(620).to_yuan_string(), "620.00");
    }
}
