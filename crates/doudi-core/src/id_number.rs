//! Resident identity numbers (居民身份证号码) per GB 11643-1999.
//!
//! An [`IdNumber`] can only be built by [`IdNumber::parse`], which normalises what people type
//! (full-width digits, a lower-case `x`, surrounding spaces), converts a legacy 15-digit number to
//! 18 digits, and rejects anything whose length, characters, birth date or check character is wrong.
//! After that, code trusts it.

use std::fmt;

use chrono::NaiveDate;

/// Weights of the first 17 digits in the check-character sum (GB 11643-1999, 7.2).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum modulo 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// A valid 18-character resident identity number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

/// Sex as encoded in the sequence code of an identity number (odd: male, even: female).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl Sex {
    /// The stable code used in storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
    /// The label shown to caseworkers.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
    /// Parses a stable code or a Chinese label.
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim() {
            "male" | "男" => Some(Sex::Male),
            "female" | "女" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// Why a string is not a valid identity number. Each message says exactly what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Nothing was given.
    #[error("身份证号码为空")]
    Empty,
    /// Neither 18 nor (legacy) 15 characters.
    #[error("身份证号码应为18位（或旧式15位），实际为{0}位")]
    WrongLength(usize),
    /// A character other than a digit (or `X` in the last place).
    #[error("身份证号码第{position}位“{found}”不是数字{hint}")]
    BadCharacter {
        /// 1-based position of the character.
        position: usize,
        /// The character found.
        found: char,
        /// Extra advice (for example that only the last place may be X).
        hint: &'static str,
    },
    /// The birth-date digits do not form a real date.
    #[error("身份证号码中的出生日期{0}不是有效日期")]
    ImpossibleBirthDate(String),
    /// The birth date lies after today.
    #[error("身份证号码中的出生日期{0}晚于今天")]
    FutureBirthDate(NaiveDate),
    /// The birth date is before 1900, which no living person has.
    #[error("身份证号码中的出生日期{0}早于1900年")]
    AncientBirthDate(NaiveDate),
    /// The check character does not match the first 17 digits.
    #[error("身份证号码校验位错误：按前17位应为“{expected}”，实际为“{found}”")]
    BadCheckCharacter {
        /// The check character the first 17 digits call for.
        expected: char,
        /// The check character given.
        found: char,
    },
}

impl IdNumber {
    /// The text as [`IdNumber::parse`] reads it, for matching part of a number (the last digits
    /// in a search): trimmed, full-width digits made ASCII, `x`, `ｘ` and `Ｘ` made `X`. Whole
    /// numbers go through [`IdNumber::parse`].
    pub fn normalise(input: &str) -> String {
        input.trim().chars().map(normalise_char).collect()
    }

    /// Parses and normalises an identity number, judging the birth date against `today`.
    ///
    /// Accepts full-width digits and `Ｘ`, a lower-case `x`, surrounding white space, and legacy
    /// 15-digit numbers (which gain "19" after the area code and a computed check character).
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let normalised = IdNumber::normalise(input);
        if normalised.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let chars: Vec<char> = normalised.chars().collect();
        match chars.len() {
            18 => {
                check_digits(&chars[..17], 0)?;
                let last = chars[17];
                if !(last.is_ascii_digit() || last == 'X') {
                    return Err(IdNumberError::BadCharacter {
                        position: 18,
                        found: last,
                        hint: "（末位只能是数字或X）",
                    });
                }
                let body: String = chars[..17].iter().collect();
                check_birth_date(&body[6..14], today)?;
                let expected = check_character(body.as_bytes());
                if expected != last {
                    return Err(IdNumberError::BadCheckCharacter {
                        expected,
                        found: last,
                    });
                }
                Ok(IdNumber(normalised))
            }
            15 => {
                check_digits(&chars, 0)?;
                let body = format!("{}19{}", &normalised[..6], &normalised[6..]);
                check_birth_date(&body[6..14], today)?;
                let check = check_character(body.as_bytes());
                Ok(IdNumber(format!("{body}{check}")))
            }
            n => Err(IdNumberError::WrongLength(n)),
        }
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit administrative area code of the place of first registration.
    pub fn area_code(&self) -> &str {
        &self.0[..6]
    }

    /// The birth date encoded in the number.
    pub fn birth_date(&self) -> NaiveDate {
        parse_yyyymmdd(&self.0[6..14]).expect("checked when parsed")
    }

    /// The sex encoded in the sequence code.
    pub fn sex(&self) -> Sex {
        let digit = self.0.as_bytes()[16] - b'0';
        if digit % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The number with the middle hidden, as screens show it by default: `500235********1234`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// Builds a valid number from an area code, birth date and sequence, computing the check
    /// character. Used by the synthetic-county generator.
    pub fn from_parts(area: &str, birth: NaiveDate, sequence: u16) -> IdNumber {
        assert!(area.len() == 6 && area.bytes().all(|b| b.is_ascii_digit()));
        assert!(sequence < 1000);
        let body = format!("{area}{}{sequence:03}", birth.format("%Y%m%d"));
        let check = check_character(body.as_bytes());
        IdNumber(format!("{body}{check}"))
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IdNumber {
    /// Debug output is masked so that an identity number never reaches a log by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

fn normalise_char(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        'x' | 'Ｘ' | 'ｘ' => 'X',
        other => other,
    }
}

fn check_digits(chars: &[char], offset: usize) -> Result<(), IdNumberError> {
    match chars.iter().position(|c| !c.is_ascii_digit()) {
        Some(i) => Err(IdNumberError::BadCharacter {
            position: offset + i + 1,
            found: chars[i],
            hint: if chars[i] == 'X' {
                "（只有末位可以是X）"
            } else {
                ""
            },
        }),
        None => Ok(()),
    }
}

fn parse_yyyymmdd(s: &str) -> Option<NaiveDate> {
    let year = s[..4].parse().ok()?;
    let month = s[4..6].parse().ok()?;
    let day = s[6..8].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

fn check_birth_date(digits: &str, today: NaiveDate) -> Result<(), IdNumberError> {
    let date = parse_yyyymmdd(digits)
        .ok_or_else(|| IdNumberError::ImpossibleBirthDate(digits.to_owned()))?;
    if date > today {
        return Err(IdNumberError::FutureBirthDate(date));
    }
    if date < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid") {
        return Err(IdNumberError::AncientBirthDate(date));
    }
    Ok(())
}

/// The check character for the first 17 ASCII digits of a number.
fn check_character(body: &[u8]) -> char {
    let sum: u32 = body[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK[(sum % 11) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_a_partial_number_is_what_parsing_does_to_a_whole_one() {
        for (text, normalised) in [
            (" １２３ｘ ", "123X"),
            ("0012Ｘ", "0012X"),
            ("5678", "5678"),
        ] {
            assert_eq!(IdNumber::normalise(text), normalised, "{text}");
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn check(input: &str, expected: Result<&str, IdNumberError>) {
        let got = IdNumber::parse(input, today()).map(|id| id.as_str().to_owned());
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn the_standards_worked_examples_are_valid() {
        check("11010519491231002X", Ok("11010519491231002X"));
        // The second example's check character is right, but nobody born in 1880 is alive to
        // apply, so the registry refuses it for its birth date.
        assert_eq!(check_character(b"44052418800101001"), '4');
        check(
            "440524188001010014",
            Err(IdNumberError::AncientBirthDate(
                NaiveDate::from_ymd_opt(1880, 1, 1).unwrap(),
            )),
        );
    }

    #[test]
    fn full_width_digits_lower_case_x_and_spaces_are_normalised() {
        check(
            "  １１０１０５１９４９１２３１００２ｘ ",
            Ok("11010519491231002X"),
        );
        check("11010519491231002x", Ok("11010519491231002X"));
    }

    #[test]
    fn a_legacy_fifteen_digit_number_gains_its_century_and_check_character() {
        let id = IdNumber::parse("110105491231002", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn a_wrong_length_is_reported_with_the_length() {
        check("1101051949123100", Err(IdNumberError::WrongLength(16)));
        check("", Err(IdNumberError::Empty));
    }

    #[test]
    fn a_letter_inside_the_number_is_reported_with_its_position() {
        check(
            "1101051949A231002X",
            Err(IdNumberError::BadCharacter {
                position: 11,
                found: 'A',
                hint: "",
            }),
        );
        check(
            "11010519491231002Y",
            Err(IdNumberError::BadCharacter {
                position: 18,
                found: 'Y',
                hint: "（末位只能是数字或X）",
            }),
        );
    }

    #[test]
    fn an_impossible_birth_date_is_refused() {
        let body = "50023519990230001";
        let id = format!("{body}{}", check_character(body.as_bytes()));
        check(
            &id,
            Err(IdNumberError::ImpossibleBirthDate("19990230".into())),
        );
    }

    #[test]
    fn a_future_birth_date_is_refused() {
        let body = "50023520270101001";
        let id = format!("{body}{}", check_character(body.as_bytes()));
        check(
            &id,
            Err(IdNumberError::FutureBirthDate(
                NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            )),
        );
    }

    #[test]
    fn a_wrong_check_character_names_the_expected_one() {
        check(
            "110105194912310021",
            Err(IdNumberError::BadCheckCharacter {
                expected: 'X',
                found: '1',
            }),
        );
    }

    #[test]
    fn birth_date_and_sex_come_from_the_number() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
        let built =
            IdNumber::from_parts("500235", NaiveDate::from_ymd_opt(1960, 5, 1).unwrap(), 13);
        assert_eq!(built.sex(), Sex::Male);
        assert!(IdNumber::parse(built.as_str(), today()).is_ok());
    }

    #[test]
    fn debug_and_masked_output_hide_the_middle() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert!(!format!("{id:?}").contains("19491231"));
    }
}
