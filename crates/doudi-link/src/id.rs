//! Identity numbers as department records carry them: normalisation, the legacy 15-digit form,
//! the check character (GB 11643-1999) and repair candidates for a number whose check fails.
//!
//! The check-character arithmetic is the one in `doudi_core::id_number`, copied so that this
//! crate depends on no other doudi crate. Because 11 is prime and no weight is 0 modulo 11, a
//! single wrong digit or a swap of two different adjacent characters always breaks the check:
//! an 18-character number whose check passes has either no error or at least two.

/// Weights of the first 17 digits in the check-character sum (GB 11643-1999, 7.2).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum modulo 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// What a record's identity-number text turned out to be after normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdForm {
    /// No usable number: absent, blank, a wrong length or a character that is not a digit.
    Missing,
    /// 18 characters whose check character is right.
    Valid,
    /// 18 characters whose check character is wrong: at least one error somewhere.
    BadCheck,
    /// A legacy 15-digit number, converted to 18 characters ("19" after the area code and a
    /// computed check character). It carries no check of its own, so an error in it is invisible.
    Legacy,
}

/// A normalised identity number: the form and, unless missing, 18 ASCII characters
/// (digits, and `X` only in the last place).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NormalisedId {
    /// What the text was.
    pub form: IdForm,
    /// The 18 characters; all `0` when the form is [`IdForm::Missing`].
    pub chars: [u8; 18],
}

impl NormalisedId {
    const MISSING: NormalisedId = NormalisedId {
        form: IdForm::Missing,
        chars: [b'0'; 18],
    };

    /// The 18 characters as text, or `None` when missing.
    pub fn as_str(&self) -> Option<&str> {
        match self.form {
            IdForm::Missing => None,
            _ => std::str::from_utf8(&self.chars).ok(),
        }
    }

    /// The first 17 digits as a number (the registry's key; the check character follows).
    pub(crate) fn body(&self) -> u64 {
        body_of(&self.chars)
    }

    /// Year, month and day from the birth-date digits, if they form a plausible date.
    pub(crate) fn birth(&self) -> Option<(u16, u8, u8)> {
        if self.form == IdForm::Missing {
            return None;
        }
        let n = |r: std::ops::Range<usize>| {
            self.chars[r]
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        };
        let (y, m, d) = (n(6..10), n(10..12), n(12..14));
        let date = crate::Date::new(u16::try_from(y).ok()?, m as u8, d as u8)?;
        Some((date.year, date.month, date.day))
    }

    /// Sex from the sequence code (odd: male), when the number is usable.
    pub(crate) fn sex(&self) -> Option<crate::Sex> {
        match self.form {
            IdForm::Missing => None,
            _ if (self.chars[16] - b'0') % 2 == 1 => Some(crate::Sex::Male),
            _ => Some(crate::Sex::Female),
        }
    }
}

fn body_of(chars: &[u8; 18]) -> u64 {
    chars[..17]
        .iter()
        .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'))
}

/// The check character for the first 17 ASCII digits of a number.
pub fn check_character(body: &[u8]) -> u8 {
    let sum: u32 = body[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// Maps what people type to what the number means: full-width digits and `Ｘ` made ASCII, a
/// lower-case `x` made `X`; spaces (ASCII and full-width) and hyphens dropped.
fn normalise_char(c: char) -> Option<Option<u8>> {
    match c {
        '0'..='9' => Some(Some(c as u8)),
        '０'..='９' => Some(Some(b'0' + (c as u32 - '０' as u32) as u8)),
        'x' | 'X' | 'ｘ' | 'Ｘ' => Some(Some(b'X')),
        ' ' | '\u{3000}' | '\t' | '-' | '－' | '‐' | '—' => Some(None),
        _ => None,
    }
}

/// Normalises identity-number text (see [`IdForm`] for the outcomes).
pub fn normalise_id(text: &str) -> NormalisedId {
    let mut buf = [0u8; 18];
    let mut len = 0usize;
    for c in text.chars() {
        match normalise_char(c) {
            Some(Some(b)) => {
                if len == 18 {
                    return NormalisedId::MISSING;
                }
                buf[len] = b;
                len += 1;
            }
            Some(None) => {}
            None => return NormalisedId::MISSING,
        }
    }
    match len {
        18 => {
            if buf[..17].iter().any(|b| !b.is_ascii_digit()) {
                return NormalisedId::MISSING;
            }
            let form = if check_character(&buf) == buf[17] {
                IdForm::Valid
            } else {
                IdForm::BadCheck
            };
            NormalisedId { form, chars: buf }
        }
        15 => {
            if buf[..15].iter().any(|b| !b.is_ascii_digit()) {
                return NormalisedId::MISSING;
            }
            let mut chars = [0u8; 18];
            chars[..6].copy_from_slice(&buf[..6]);
            chars[6..8].copy_from_slice(b"19");
            chars[8..17].copy_from_slice(&buf[6..15]);
            chars[17] = check_character(&chars);
            NormalisedId {
                form: IdForm::Legacy,
                chars,
            }
        }
        _ => NormalisedId::MISSING,
    }
}

/// The bodies (first 17 digits, as numbers) of the valid numbers one error away from a number
/// whose check fails: one character changed (the check character included) or two different
/// adjacent characters swapped. Only these can be the number the writer meant if they made one
/// mistake; the caller keeps those that exist in the registry.
pub fn repair_candidates(id: &NormalisedId) -> Vec<u64> {
    let mut out = Vec::new();
    if id.form != IdForm::BadCheck {
        return out;
    }
    let chars = id.chars;
    let given = chars[17];
    // The check character itself was the wrong one: the body stands.
    out.push(body_of(&chars));
    let sum: i64 = chars[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| i64::from(d - b'0') * i64::from(w))
        .sum();
    let target = CHECK.iter().position(|&c| c == given).map(|r| r as i64);
    if let Some(target) = target {
        // One body digit changed.
        for (i, w) in WEIGHTS.iter().enumerate() {
            let old = i64::from(chars[i] - b'0');
            for new in 0..10i64 {
                if new != old && (sum + (new - old) * i64::from(*w)).rem_euclid(11) == target {
                    let mut c = chars;
                    c[i] = b'0' + new as u8;
                    out.push(body_of(&c));
                }
            }
        }
        // Two adjacent body digits swapped.
        for i in 0..16 {
            if chars[i] != chars[i + 1] {
                let (a, b) = (i64::from(chars[i] - b'0'), i64::from(chars[i + 1] - b'0'));
                let delta = (b - a) * i64::from(WEIGHTS[i]) + (a - b) * i64::from(WEIGHTS[i + 1]);
                if (sum + delta).rem_euclid(11) == target {
                    let mut c = chars;
                    c.swap(i, i + 1);
                    out.push(body_of(&c));
                }
            }
        }
    }
    // The last body digit swapped with the check character.
    if given.is_ascii_digit() && given != chars[16] {
        let mut c = chars;
        c.swap(16, 17);
        if check_character(&c) == c[17] {
            out.push(body_of(&c));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// How two 18-character numbers differ: the number of differing places, and whether they are
/// exactly one swap of two adjacent characters apart.
pub(crate) fn difference(a: &[u8; 18], b: &[u8; 18], places: usize) -> (usize, bool) {
    let mut first = usize::MAX;
    let mut count = 0;
    for i in 0..places {
        if a[i] != b[i] {
            if count == 0 {
                first = i;
            }
            count += 1;
            if count > 2 {
                return (count, false);
            }
        }
    }
    let swap =
        count == 2 && first + 1 < places && a[first] == b[first + 1] && a[first + 1] == b[first];
    (count, swap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(body: &str) -> String {
        format!("{body}{}", check_character(body.as_bytes()) as char)
    }

    #[test]
    fn the_standards_worked_example_has_check_character_x() {
        assert_eq!(check_character(b"11010519491231002"), b'X');
        assert_eq!(normalise_id("11010519491231002X").form, IdForm::Valid);
    }

    #[test]
    fn full_width_digits_spaces_hyphens_and_lower_case_x_are_normalised() {
        let id = normalise_id(" １１０１０５ 19491231-002ｘ ");
        assert_eq!(id.form, IdForm::Valid);
        assert_eq!(id.as_str(), Some("11010519491231002X"));
        assert_eq!(normalise_id("11010519491231002x").form, IdForm::Valid);
    }

    #[test]
    fn a_legacy_number_gains_its_century_and_check_character() {
        let id = normalise_id("110105491231002");
        assert_eq!(id.form, IdForm::Legacy);
        assert_eq!(id.as_str(), Some("11010519491231002X"));
    }

    #[test]
    fn wrong_lengths_letters_and_empty_text_are_missing() {
        for text in [
            "",
            "   ",
            "1101051949123100",
            "1101051949A231002X",
            "X1010519491231002X",
        ] {
            assert_eq!(normalise_id(text).form, IdForm::Missing, "{text:?}");
        }
    }

    #[test]
    fn a_failing_check_character_is_marked() {
        assert_eq!(normalise_id("110105194912310021").form, IdForm::BadCheck);
    }

    #[test]
    fn every_single_digit_error_and_adjacent_swap_is_repaired_to_the_original() {
        let original = valid("50023519850312123");
        let body = normalise_id(&original).body();
        for i in 0..18 {
            for d in b"0123456789X" {
                let mut c = original.clone().into_bytes();
                if c[i] == *d || (i < 17 && *d == b'X') {
                    continue;
                }
                c[i] = *d;
                let id = normalise_id(std::str::from_utf8(&c).unwrap());
                assert_eq!(
                    id.form,
                    IdForm::BadCheck,
                    "one error at {i} must break the check"
                );
                assert!(repair_candidates(&id).contains(&body), "digit {i}");
            }
        }
        for i in 0..17 {
            let mut c = original.clone().into_bytes();
            if c[i] == c[i + 1] || c[i] == b'X' || c[i + 1] == b'X' {
                continue;
            }
            c.swap(i, i + 1);
            let id = normalise_id(std::str::from_utf8(&c).unwrap());
            assert_eq!(
                id.form,
                IdForm::BadCheck,
                "a swap at {i} must break the check"
            );
            assert!(repair_candidates(&id).contains(&body), "swap {i}");
        }
    }

    #[test]
    fn repair_candidates_are_all_valid_numbers_and_few() {
        let mut c = valid("50023519850312123").into_bytes();
        c[9] = if c[9] == b'7' { b'8' } else { b'7' };
        let id = normalise_id(std::str::from_utf8(&c).unwrap());
        let candidates = repair_candidates(&id);
        assert!(candidates.len() < 40, "{}", candidates.len());
        for body in candidates {
            let text = format!("{body:017}");
            assert_eq!(normalise_id(&valid(&text)).form, IdForm::Valid);
        }
    }

    #[test]
    fn differences_count_places_and_recognise_adjacent_swaps() {
        let a = *b"500235198503121234";
        assert_eq!(difference(&a, &a, 18), (0, false));
        assert_eq!(difference(&a, b"500235198503121235", 18), (1, false));
        assert_eq!(difference(&a, b"500235198503211234", 18), (2, true));
        assert_eq!(difference(&a, b"500235198503211235", 18), (3, false));
    }
}
