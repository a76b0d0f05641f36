//! Comparison levels: how a department record and a registry person agree, field by field.
//!
//! Both sides are first reduced to a compact [`Row`] (normalised identity number, digests of
//! the name, packed birth date, sex, community digest); a comparison is five small enums,
//! which pack into one [`Pattern`] number so that the model can work on a histogram of
//! patterns rather than on every pair.

use crate::hash::Digest;
use crate::id::{IdForm, NormalisedId, difference, normalise_id};
use crate::name::NameKeys;
use crate::{Date, DeptRecord, Person, Sex};

/// A record or person reduced to what comparison and blocking read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row {
    pub id: NormalisedId,
    pub name: NameKeys,
    /// `Date::packed`, or 0 when unknown.
    pub birth: u32,
    /// 0 unknown, 1 male, 2 female.
    pub sex: u8,
    /// Digest of the normalised community, or 0 when unknown.
    pub community: u32,
}

fn sex_code(sex: Option<Sex>) -> u8 {
    match sex {
        None => 0,
        Some(Sex::Male) => 1,
        Some(Sex::Female) => 2,
    }
}

fn community_digest(community: &str) -> u32 {
    let mut digest = Digest::new(7);
    let mut empty = true;
    for c in crate::name::normal_chars(community) {
        digest = digest.push(u64::from(c));
        empty = false;
    }
    if empty { 0 } else { digest.finish32() }
}

fn birth_from_id(id: &NormalisedId) -> u32 {
    id.birth()
        .and_then(|(y, m, d)| Date::new(y, m, d))
        .map_or(0, Date::packed)
}

impl Row {
    pub(crate) fn of_person(p: &Person) -> Row {
        Row {
            id: normalise_id(&p.id_number),
            name: NameKeys::of(&p.name),
            birth: p.birth.packed(),
            sex: sex_code(Some(p.sex)),
            community: community_digest(&p.community),
        }
    }

    /// Missing birth date and sex are taken from the identity number when it has them.
    pub(crate) fn of_record(r: &DeptRecord) -> Row {
        let id = r.id_number.as_deref().map_or(
            NormalisedId {
                form: IdForm::Missing,
                chars: [b'0'; 18],
            },
            normalise_id,
        );
        Row {
            name: r.name.as_deref().map(NameKeys::of).unwrap_or_default(),
            birth: r.birth.map_or_else(|| birth_from_id(&id), Date::packed),
            sex: sex_code(r.sex.or_else(|| id.sex())),
            community: r.community.as_deref().map_or(0, community_digest),
            id,
        }
    }
}

/// How the identity numbers compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum IdLevel {
    /// The same 18 characters.
    Exact,
    /// The record's legacy 15-digit number converts to the person's.
    Legacy,
    /// One character differs, and the record's check fails (so it has an error).
    OneDigit,
    /// Two adjacent characters are swapped.
    Swap,
    /// More than one error apart from a number that fails its check, or a legacy number that
    /// is not the person's.
    Different,
    /// The record's number passes its check and is not the person's: someone else's number.
    Conflict,
    /// One side has no usable number.
    Missing,
}

/// How the names compare, from the strongest agreement down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum NameLevel {
    /// The same text after trimming, half-width letters and dropping spaces.
    Exact,
    /// The same once traditional characters are simplified.
    Traditional,
    /// The same toneless pinyin, different characters (a homophone).
    Homophone,
    /// Only the pinyin initials agree.
    Initials,
    /// Different names.
    Different,
    /// One side has no name.
    Missing,
}

/// How the birth dates compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum BirthLevel {
    /// The same date.
    Exact,
    /// The same year with day and month swapped.
    Swapped,
    /// Exactly one of year, month and day differs, by one typing error (one apart, one digit
    /// different, or two adjacent digits swapped).
    OneOff,
    /// Different dates.
    Different,
    /// One side has no date.
    Missing,
}

/// How a field with no partial agreement (sex, community) compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Agreement {
    /// Both sides give the same value.
    Same,
    /// Both sides give a value and they differ.
    Different,
    /// One side gives none.
    Missing,
}

/// The five compared fields, in pattern order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// 身份证号码
    IdNumber,
    /// 姓名
    Name,
    /// 出生日期
    Birth,
    /// 性别
    Sex,
    /// 社区（村）
    Community,
}

impl Field {
    /// All fields in pattern order.
    pub const ALL: [Field; 5] = [
        Field::IdNumber,
        Field::Name,
        Field::Birth,
        Field::Sex,
        Field::Community,
    ];

    /// The label caseworkers see.
    pub fn label(self) -> &'static str {
        match self {
            Field::IdNumber => "身份证号码",
            Field::Name => "姓名",
            Field::Birth => "出生日期",
            Field::Sex => "性别",
            Field::Community => "社区（村）",
        }
    }
}

/// How many levels each field has, in [`Field::ALL`] order.
pub(crate) const LEVELS: [usize; 5] = [7, 6, 5, 3, 3];
/// The number of distinct comparison patterns.
pub(crate) const PATTERNS: usize = 7 * 6 * 5 * 3 * 3;

/// A packed [`Comparison`]: an index below [`PATTERNS`].
pub(crate) type Pattern = u16;

/// One field's level, for evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Identity number.
    Id(IdLevel),
    /// Name.
    Name(NameLevel),
    /// Birth date.
    Birth(BirthLevel),
    /// Sex.
    Sex(Agreement),
    /// Community.
    Community(Agreement),
}

impl Level {
    /// The field this level belongs to.
    pub fn field(self) -> Field {
        match self {
            Level::Id(_) => Field::IdNumber,
            Level::Name(_) => Field::Name,
            Level::Birth(_) => Field::Birth,
            Level::Sex(_) => Field::Sex,
            Level::Community(_) => Field::Community,
        }
    }

    /// What the level means, in the words a caseworker reads.
    pub fn label(self) -> &'static str {
        match self {
            Level::Id(l) => match l {
                IdLevel::Exact => "身份证号码一致",
                IdLevel::Legacy => "旧式15位号码换算后一致",
                IdLevel::OneDigit => "身份证号码有一位不同",
                IdLevel::Swap => "身份证号码相邻两位颠倒",
                IdLevel::Different => "身份证号码不同",
                IdLevel::Conflict => "号码校验有效但属于他人",
                IdLevel::Missing => "未提供有效身份证号码",
            },
            Level::Name(l) => match l {
                NameLevel::Exact => "姓名一致",
                NameLevel::Traditional => "繁简转换后一致",
                NameLevel::Homophone => "同音字（拼音相同）",
                NameLevel::Initials => "仅拼音首字母相同",
                NameLevel::Different => "姓名不同",
                NameLevel::Missing => "未提供姓名",
            },
            Level::Birth(l) => match l {
                BirthLevel::Exact => "出生日期一致",
                BirthLevel::Swapped => "出生日期月日颠倒",
                BirthLevel::OneOff => "出生日期年月日中一项不同",
                BirthLevel::Different => "出生日期不同",
                BirthLevel::Missing => "未提供出生日期",
            },
            Level::Sex(a) | Level::Community(a) => match a {
                Agreement::Same => "一致",
                Agreement::Different => "不同",
                Agreement::Missing => "未提供",
            },
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Level::Id(l) => l as usize,
            Level::Name(l) => l as usize,
            Level::Birth(l) => l as usize,
            Level::Sex(a) | Level::Community(a) => a as usize,
        }
    }
}

/// The levels of one compared pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Comparison {
    /// Identity number.
    pub id: IdLevel,
    /// Name.
    pub name: NameLevel,
    /// Birth date.
    pub birth: BirthLevel,
    /// Sex.
    pub sex: Agreement,
    /// Community.
    pub community: Agreement,
}

impl Comparison {
    /// The five levels in [`Field::ALL`] order.
    pub fn levels(&self) -> [Level; 5] {
        [
            Level::Id(self.id),
            Level::Name(self.name),
            Level::Birth(self.birth),
            Level::Sex(self.sex),
            Level::Community(self.community),
        ]
    }

    pub(crate) fn pattern(&self) -> Pattern {
        let mut p = 0usize;
        for (level, n) in self.levels().iter().zip(LEVELS).rev() {
            p = p * n + level.index();
        }
        p as Pattern
    }

    pub(crate) fn from_pattern(pattern: Pattern) -> Comparison {
        let l = level_indices(pattern);
        const ID: [IdLevel; 7] = [
            IdLevel::Exact,
            IdLevel::Legacy,
            IdLevel::OneDigit,
            IdLevel::Swap,
            IdLevel::Different,
            IdLevel::Conflict,
            IdLevel::Missing,
        ];
        const NAME: [NameLevel; 6] = [
            NameLevel::Exact,
            NameLevel::Traditional,
            NameLevel::Homophone,
            NameLevel::Initials,
            NameLevel::Different,
            NameLevel::Missing,
        ];
        const BIRTH: [BirthLevel; 5] = [
            BirthLevel::Exact,
            BirthLevel::Swapped,
            BirthLevel::OneOff,
            BirthLevel::Different,
            BirthLevel::Missing,
        ];
        const AGREE: [Agreement; 3] = [Agreement::Same, Agreement::Different, Agreement::Missing];
        Comparison {
            id: ID[l[0]],
            name: NAME[l[1]],
            birth: BIRTH[l[2]],
            sex: AGREE[l[3]],
            community: AGREE[l[4]],
        }
    }
}

/// The level index of each field in a pattern.
pub(crate) fn level_indices(pattern: Pattern) -> [usize; 5] {
    let mut p = usize::from(pattern);
    let mut out = [0; 5];
    for (slot, n) in out.iter_mut().zip(LEVELS) {
        *slot = p % n;
        p /= n;
    }
    out
}

fn compare_id(r: &NormalisedId, p: &NormalisedId) -> IdLevel {
    let near = |places: usize, same: IdLevel| match difference(&r.chars, &p.chars, places) {
        (0, _) => same,
        (1, _) => IdLevel::OneDigit,
        (2, true) => IdLevel::Swap,
        _ => IdLevel::Different,
    };
    match (r.form, p.form) {
        (IdForm::Missing, _) | (_, IdForm::Missing) => IdLevel::Missing,
        // A legacy number has no check character, so nothing shows that it was mistyped: one
        // that differs from the person's in any place may simply be someone else's.
        (IdForm::Legacy, _) if r.chars[..17] == p.chars[..17] => IdLevel::Legacy,
        (IdForm::Legacy, _) => IdLevel::Different,
        (IdForm::BadCheck, _) | (_, IdForm::BadCheck) => near(18, IdLevel::Exact),
        (IdForm::Valid, _) if r.chars == p.chars => IdLevel::Exact,
        (IdForm::Valid, _) => IdLevel::Conflict,
    }
}

fn compare_name(r: &NameKeys, p: &NameKeys) -> NameLevel {
    if r.is_missing() || p.is_missing() {
        NameLevel::Missing
    } else if r.raw == p.raw {
        NameLevel::Exact
    } else if r.simplified == p.simplified {
        NameLevel::Traditional
    } else if r.pinyin == p.pinyin {
        NameLevel::Homophone
    } else if r.initials == p.initials {
        NameLevel::Initials
    } else {
        NameLevel::Different
    }
}

fn compare_birth(r: u32, p: u32) -> BirthLevel {
    if r == 0 || p == 0 {
        return BirthLevel::Missing;
    }
    if r == p {
        return BirthLevel::Exact;
    }
    let (a, b) = (Date::unpack(r), Date::unpack(p));
    if a.year == b.year && a.month == b.day && a.day == b.month {
        return BirthLevel::Swapped;
    }
    let one_off = match (a.year == b.year, a.month == b.month, a.day == b.day) {
        (false, true, true) => typo(a.year, b.year, 4),
        (true, false, true) => typo(a.month.into(), b.month.into(), 2),
        (true, true, false) => typo(a.day.into(), b.day.into(), 2),
        _ => false,
    };
    if one_off {
        BirthLevel::OneOff
    } else {
        BirthLevel::Different
    }
}

/// Whether two numbers of `places` decimal digits are one typing error apart: one apart, one
/// digit different, or two adjacent digits swapped.
fn typo(a: u16, b: u16, places: u32) -> bool {
    if a.abs_diff(b) == 1 {
        return true;
    }
    let digit = |x: u16, i: u32| (x / 10u16.pow(i)) % 10;
    let differing: Vec<u32> = (0..places)
        .filter(|&i| digit(a, i) != digit(b, i))
        .collect();
    match differing[..] {
        [_] => true,
        [i, j] => j == i + 1 && digit(a, i) == digit(b, j) && digit(a, j) == digit(b, i),
        _ => false,
    }
}

fn agree<T: PartialEq + Default>(r: T, p: T) -> Agreement {
    if r == T::default() || p == T::default() {
        Agreement::Missing
    } else if r == p {
        Agreement::Same
    } else {
        Agreement::Different
    }
}

/// Compares a record's row with a person's row.
pub(crate) fn compare(r: &Row, p: &Row) -> Comparison {
    Comparison {
        id: compare_id(&r.id, &p.id),
        name: compare_name(&r.name, &p.name),
        birth: compare_birth(r.birth, p.birth),
        sex: agree(r.sex, p.sex),
        community: agree(r.community, p.community),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_unpacks_to_the_comparison_it_came_from() {
        for p in 0..PATTERNS as Pattern {
            assert_eq!(Comparison::from_pattern(p).pattern(), p);
        }
    }

    fn birth(y: u16, m: u8, d: u8) -> u32 {
        Date::new(y, m, d).unwrap().packed()
    }

    #[test]
    fn birth_dates_compare_by_swap_and_single_component() {
        let b = birth(1985, 3, 12);
        assert_eq!(compare_birth(b, b), BirthLevel::Exact);
        assert_eq!(compare_birth(birth(1985, 12, 3), b), BirthLevel::Swapped);
        assert_eq!(compare_birth(birth(1986, 3, 12), b), BirthLevel::OneOff);
        assert_eq!(compare_birth(birth(1985, 3, 13), b), BirthLevel::OneOff);
        assert_eq!(compare_birth(birth(1958, 3, 12), b), BirthLevel::OneOff);
        assert_eq!(compare_birth(birth(1985, 3, 21), b), BirthLevel::OneOff);
        assert_eq!(compare_birth(birth(1985, 3, 29), b), BirthLevel::Different);
        assert_eq!(compare_birth(birth(2006, 3, 12), b), BirthLevel::Different);
        assert_eq!(compare_birth(birth(1986, 4, 12), b), BirthLevel::Different);
        assert_eq!(compare_birth(0, b), BirthLevel::Missing);
    }

    #[test]
    fn identity_numbers_compare_by_the_kind_of_error() {
        let person = normalise_id("11010519491231002X");
        let level = |text: &str| compare_id(&normalise_id(text), &person);
        assert_eq!(level("11010519491231002x"), IdLevel::Exact);
        assert_eq!(level("110105491231002"), IdLevel::Legacy);
        assert_eq!(level("110105491231003"), IdLevel::Different);
        assert_eq!(level("11010519491231003X"), IdLevel::OneDigit);
        assert_eq!(level("11010519492131002X"), IdLevel::Swap);
        assert_eq!(level("11010519491231999X"), IdLevel::Different);
        assert_eq!(level(""), IdLevel::Missing);
        // Another valid number: no single error turns one valid number into another.
        let other = format!(
            "11010519491231004{}",
            crate::id::check_character(b"11010519491231004") as char
        );
        assert_eq!(level(&other), IdLevel::Conflict);
    }
}
