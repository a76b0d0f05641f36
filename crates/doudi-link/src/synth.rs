//! Synthetic registry and department feed with known truth, for tests and the benchmark.
//!
//! The registry holds people of a county with realistic names (common surnames and given-name
//! characters, both weighted so that names repeat as they do), valid identity numbers (area
//! code, birth date, sequence, check character), sex consistent with the number, and a
//! community. The feed mixes:
//! - records of registry people (85 %), each with a random mix of the errors in [`Errors`];
//! - hard negatives (10 %): someone outside the registry with the same name and birth date as
//!   a registry person and a valid number of their own, who must not be linked;
//! - people outside the registry (5 %).
//!
//! Everything follows from the seed; no I/O.

use std::collections::HashSet;

use crate::id::check_character;
use crate::name::traditional;
use crate::rng::Rng;
use crate::{Date, DeptRecord, Person, Sex, date::days_in_month};

/// Sizes and seed of a synthetic set.
#[derive(Clone, Copy, Debug)]
pub struct SynthConfig {
    /// Registry people.
    pub registry: usize,
    /// Department records.
    pub dept: usize,
    /// Seed.
    pub seed: u64,
}

/// Errors applied to a record of a registry person (a set of flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Errors(u32);

impl Errors {
    /// No identity number.
    pub const ID_MISSING: Errors = Errors(1);
    /// One character of the number wrong.
    pub const ID_DIGIT: Errors = Errors(1 << 1);
    /// Two adjacent characters of the number swapped.
    pub const ID_SWAP: Errors = Errors(1 << 2);
    /// The number in its legacy 15-digit form.
    pub const ID_LEGACY: Errors = Errors(1 << 3);
    /// Full-width digits.
    pub const ID_FULL_WIDTH: Errors = Errors(1 << 4);
    /// Spaces inside the number.
    pub const ID_SPACES: Errors = Errors(1 << 5);
    /// A lower-case x.
    pub const ID_LOWER_X: Errors = Errors(1 << 6);
    /// The name in traditional characters.
    pub const NAME_TRADITIONAL: Errors = Errors(1 << 7);
    /// One character of the given name replaced by a homophone.
    pub const NAME_HOMOPHONE: Errors = Errors(1 << 8);
    /// Spaces inside the name.
    pub const NAME_SPACES: Errors = Errors(1 << 9);
    /// No name.
    pub const NAME_MISSING: Errors = Errors(1 << 10);
    /// Day and month of birth swapped.
    pub const BIRTH_SWAPPED: Errors = Errors(1 << 11);
    /// One of year, month, day off by one.
    pub const BIRTH_OFF: Errors = Errors(1 << 12);
    /// No birth date.
    pub const BIRTH_MISSING: Errors = Errors(1 << 13);
    /// No sex.
    pub const SEX_MISSING: Errors = Errors(1 << 14);
    /// Another community (the person moved).
    pub const COMMUNITY_MOVED: Errors = Errors(1 << 15);
    /// No community.
    pub const COMMUNITY_MISSING: Errors = Errors(1 << 16);

    /// Every error kind with a short name, for reports.
    pub const ALL: [(Errors, &'static str); 17] = [
        (Errors::ID_MISSING, "id_missing"),
        (Errors::ID_DIGIT, "id_one_digit"),
        (Errors::ID_SWAP, "id_adjacent_swap"),
        (Errors::ID_LEGACY, "id_15_digit"),
        (Errors::ID_FULL_WIDTH, "id_full_width"),
        (Errors::ID_SPACES, "id_spaces"),
        (Errors::ID_LOWER_X, "id_lower_x"),
        (Errors::NAME_TRADITIONAL, "name_traditional"),
        (Errors::NAME_HOMOPHONE, "name_homophone"),
        (Errors::NAME_SPACES, "name_spaces"),
        (Errors::NAME_MISSING, "name_missing"),
        (Errors::BIRTH_SWAPPED, "birth_day_month_swapped"),
        (Errors::BIRTH_OFF, "birth_one_off"),
        (Errors::BIRTH_MISSING, "birth_missing"),
        (Errors::SEX_MISSING, "sex_missing"),
        (Errors::COMMUNITY_MOVED, "community_moved"),
        (Errors::COMMUNITY_MISSING, "community_missing"),
    ];

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: Errors) -> bool {
        self.0 & other.0 == other.0
    }

    fn insert(&mut self, other: Errors) {
        self.0 |= other.0;
    }
}

/// What a synthetic record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// A registry person, with these errors.
    Match(Errors),
    /// Someone outside the registry sharing a registry person's name and birth date.
    HardNegative,
    /// Someone outside the registry.
    Unknown,
}

/// A generated registry, feed and truth.
#[derive(Clone, Debug)]
pub struct Synthetic {
    /// The registry.
    pub registry: Vec<Person>,
    /// The department feed.
    pub records: Vec<DeptRecord>,
    /// Per record (same positions), the registry person it refers to, if any.
    pub truth: Vec<Option<u64>>,
    /// Per record, what it is.
    pub kinds: Vec<RecordKind>,
}

/// Surnames, most common first (weights fall with rank).
const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭',
    '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '肖',
    '田', '董', '袁', '潘', '蒋', '蔡', '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈',
    '姚', '卢', '姜', '崔', '钟', '谭', '陆', '汪', '范', '金', '石', '廖', '贾', '夏', '韦', '方',
    '白', '邹', '孟', '熊', '秦', '邱', '江', '尹', '薛', '闫', '段', '雷', '侯', '龙', '史', '陶',
    '黎', '贺', '顾', '毛', '郝', '龚', '邵', '万', '钱', '严', '覃', '武', '戴', '莫', '孔', '向',
    '汤', '鲁', '欧', '庄',
];

/// Given-name characters in homophone groups (same toneless pinyin); the first of a group is
/// the common one. Groups of one have no homophone.
const MALE: &[&[char]] = &[
    &['伟', '玮', '炜', '韦'],
    &['强', '蔷'],
    &['军', '君', '钧', '均'],
    &['勇', '永', '咏', '泳'],
    &['杰', '洁', '捷'],
    &['涛', '韬', '滔'],
    &['明', '鸣', '铭', '茗'],
    &['华', '桦', '骅'],
    &['建', '健', '剑'],
    &['国', '帼'],
    &['平', '萍', '坪'],
    &['刚', '钢', '纲'],
    &['辉', '晖', '徽'],
    &['峰', '锋', '丰', '枫'],
    &['斌', '彬', '滨'],
    &['鹏', '朋'],
    &['浩', '昊', '皓'],
    &['宇', '雨', '羽', '禹'],
    &['俊', '骏', '峻'],
    &['林', '琳', '霖', '麟'],
    &['龙', '隆'],
    &['文', '雯'],
    &['志', '智', '致'],
    &['波', '博'],
    &['东', '冬'],
    &['兵', '冰'],
    &['成', '诚', '城', '承'],
    &['毅', '义', '艺'],
    &['凯', '恺', '铠'],
    &['鸿', '宏', '洪'],
    &['海'],
    &['德'],
    &['福'],
    &['生'],
    &['春'],
    &['金'],
    &['庆'],
    &['贵'],
    &['荣'],
    &['飞'],
];

const FEMALE: &[&[char]] = &[
    &['丽', '莉', '俐', '利'],
    &['静', '晶', '菁', '婧'],
    &['敏', '珉', '闵'],
    &['芳', '方'],
    &['娟', '鹃', '涓'],
    &['艳', '燕', '彦', '雁'],
    &['霞', '侠'],
    &['秀', '绣'],
    &['英', '瑛', '莹', '婴'],
    &['慧', '惠', '蕙'],
    &['玲', '铃', '苓'],
    &['婷', '庭', '亭'],
    &['梅', '玫', '媚'],
    &['兰', '岚', '澜'],
    &['琴', '芹', '勤'],
    &['云', '芸'],
    &['颖', '影'],
    &['倩', '芊'],
    &['佳', '嘉', '家'],
    &['欣', '鑫', '馨', '新'],
    &['怡', '宜', '仪'],
    &['月', '悦'],
    &['凤'],
    &['桂'],
    &['珍', '贞'],
    &['红', '虹'],
    &['雪'],
    &['玉'],
    &['春'],
    &['小'],
];

const AREAS: &[(&str, u64)] = &[
    ("500235", 850),
    ("500101", 50),
    ("500233", 30),
    ("500236", 30),
    ("500154", 20),
    ("420500", 20),
];

const TOWNSHIPS: &[&str] = &[
    "双江街道",
    "青龙街道",
    "人和街道",
    "盘龙街道",
    "龙角镇",
    "故陵镇",
    "红狮镇",
    "路阳镇",
    "农坝镇",
    "渠马镇",
    "黄石镇",
    "巴阳镇",
    "沙市镇",
    "鱼泉镇",
    "凤鸣镇",
    "宝坪镇",
    "南溪镇",
    "双土镇",
    "桑坪镇",
    "江口镇",
    "高阳镇",
    "平安镇",
    "云阳镇",
    "云安镇",
    "栖霞镇",
    "双龙镇",
    "泥溪镇",
    "堰坪镇",
    "龙洞镇",
    "后叶镇",
    "耀灵镇",
    "大阳镇",
    "上坝乡",
    "外郎乡",
    "新津乡",
    "普安乡",
    "洞鹿乡",
    "石门乡",
    "养鹿镇",
    "水口镇",
];

const VILLAGES: &[&str] = &[
    "新华村",
    "长坪村",
    "柏树村",
    "水井村",
    "石龙村",
    "双河村",
    "大坪村",
    "团结村",
    "红旗村",
    "复兴社区",
];

/// Picks positions with weights falling as 1/(rank + offset).
struct Ranked {
    cumulative: Vec<u64>,
}

impl Ranked {
    fn new(n: usize, offset: u64) -> Ranked {
        let mut total = 0;
        let cumulative = (0..n as u64)
            .map(|i| {
                total += 1_000_000 / (i + offset);
                total
            })
            .collect();
        Ranked { cumulative }
    }

    fn from_weights(weights: impl Iterator<Item = u64>) -> Ranked {
        let mut total = 0;
        Ranked {
            cumulative: weights
                .map(|w| {
                    total += w;
                    total
                })
                .collect(),
        }
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let x = rng.below(*self.cumulative.last().expect("non-empty"));
        self.cumulative.partition_point(|&c| c <= x)
    }
}

/// A person as generated, before it becomes a registry entry or a record.
#[derive(Clone)]
struct Someone {
    id: [u8; 18],
    name: String,
    birth: Date,
    sex: Sex,
    community: usize,
}

struct Generator {
    rng: Rng,
    surnames: Ranked,
    male: Ranked,
    female: Ranked,
    areas: Ranked,
    communities: Vec<String>,
    used: HashSet<u64>,
}

impl Generator {
    fn new(seed: u64, expected: usize) -> Generator {
        Generator {
            rng: Rng::new(seed),
            surnames: Ranked::new(SURNAMES.len(), 5),
            male: Ranked::new(MALE.len(), 3),
            female: Ranked::new(FEMALE.len(), 3),
            areas: Ranked::from_weights(AREAS.iter().map(|a| a.1)),
            communities: TOWNSHIPS
                .iter()
                .flat_map(|t| VILLAGES.iter().map(move |v| format!("{t}{v}")))
                .collect(),
            used: HashSet::with_capacity(expected),
        }
    }

    fn given_char(&mut self, sex: Sex) -> char {
        let (groups, ranked) = match sex {
            Sex::Male => (MALE, &self.male),
            Sex::Female => (FEMALE, &self.female),
        };
        let group = groups[ranked.pick(&mut self.rng)];
        if group.len() > 1 && self.rng.chance(150) {
            group[1 + self.rng.index(group.len() - 1)]
        } else {
            group[0]
        }
    }

    fn name(&mut self, sex: Sex) -> String {
        let mut name = String::new();
        name.push(SURNAMES[self.surnames.pick(&mut self.rng)]);
        name.push(self.given_char(sex));
        if !self.rng.chance(250) {
            name.push(self.given_char(sex));
        }
        name
    }

    fn birth(&mut self) -> Date {
        let year = 1930 + self.rng.below(91) as u16;
        let month = 1 + self.rng.below(12) as u8;
        let day = 1 + self.rng.below(u64::from(days_in_month(year, month))) as u8;
        Date::new(year, month, day).expect("generated within the month")
    }

    /// A valid number not used before, with the sequence's parity matching the sex.
    fn number(&mut self, birth: Date, sex: Sex) -> [u8; 18] {
        loop {
            let area = AREAS[self.areas.pick(&mut self.rng)].0;
            let seq = self.rng.below(500) * 2 + u64::from(sex == Sex::Male);
            let body = format!(
                "{area}{:04}{:02}{:02}{seq:03}",
                birth.year, birth.month, birth.day
            );
            let mut id = [0u8; 18];
            id[..17].copy_from_slice(body.as_bytes());
            id[17] = check_character(&id);
            let key = body.parse::<u64>().expect("digits");
            if self.used.insert(key) {
                return id;
            }
        }
    }

    fn someone(&mut self) -> Someone {
        let sex = if self.rng.chance(500) {
            Sex::Male
        } else {
            Sex::Female
        };
        let birth = self.birth();
        Someone {
            id: self.number(birth, sex),
            name: self.name(sex),
            birth,
            sex,
            community: self.rng.index(self.communities.len()),
        }
    }

    /// Someone else with the same name and birth date.
    fn double(&mut self, of: &Someone) -> Someone {
        let sex = if self.rng.chance(500) {
            Sex::Male
        } else {
            Sex::Female
        };
        Someone {
            id: self.number(of.birth, sex),
            name: of.name.clone(),
            birth: of.birth,
            sex,
            community: self.rng.index(self.communities.len()),
        }
    }

    fn person(&self, id: u64, s: &Someone) -> Person {
        Person {
            id,
            id_number: String::from_utf8(s.id.to_vec()).expect("ASCII"),
            name: s.name.clone(),
            birth: s.birth,
            sex: s.sex,
            community: self.communities[s.community].clone(),
        }
    }

    /// Writes a number the way a department might: legacy form, full width, spaces, lower x.
    fn write_number(&mut self, id: &[u8; 18], birth: Date, errors: &mut Errors) -> String {
        let legacy = errors.contains(Errors::ID_LEGACY);
        let chars: Vec<u8> = if legacy {
            id[..6]
                .iter()
                .chain(&id[8..17])
                .copied()
                .collect::<Vec<u8>>()
        } else {
            id.to_vec()
        };
        debug_assert!(!legacy || (1900..2000).contains(&birth.year));
        let full_width = self.rng.chance(50);
        let spaces = self.rng.chance(50);
        let lower = chars.contains(&b'X') && self.rng.chance(500);
        let mut out = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if spaces && (i == 6 || i == chars.len() - 4) {
                out.push(' ');
            }
            out.push(match (c, full_width, lower) {
                (b'X', true, _) => 'Ｘ',
                (b'X', false, true) => 'x',
                (d, true, _) => char::from_u32('０' as u32 + u32::from(d - b'0')).expect("digit"),
                (d, false, _) => char::from(d),
            });
        }
        if full_width {
            errors.insert(Errors::ID_FULL_WIDTH);
        }
        if spaces {
            errors.insert(Errors::ID_SPACES);
        }
        if lower {
            errors.insert(Errors::ID_LOWER_X);
        }
        out
    }

    fn one_digit_wrong(&mut self, id: &mut [u8; 18]) {
        let i = self.rng.index(18);
        loop {
            let c = if i == 17 {
                b"0123456789X"[self.rng.index(11)]
            } else {
                b'0' + self.rng.below(10) as u8
            };
            if c != id[i] {
                id[i] = c;
                return;
            }
        }
    }

    fn adjacent_swap(&mut self, id: &mut [u8; 18]) -> bool {
        for _ in 0..20 {
            let i = self.rng.index(17);
            if id[i] != id[i + 1] && id[i] != b'X' && id[i + 1] != b'X' {
                id.swap(i, i + 1);
                return true;
            }
        }
        false
    }

    fn homophone(&mut self, name: &str) -> Option<String> {
        let chars: Vec<char> = name.chars().collect();
        let positions: Vec<usize> = (1..chars.len())
            .filter(|&i| group_of(chars[i]).is_some_and(|g| g.len() > 1))
            .collect();
        if positions.is_empty() {
            return None;
        }
        let i = positions[self.rng.index(positions.len())];
        let group = group_of(chars[i]).expect("filtered");
        let others: Vec<char> = group.iter().copied().filter(|&c| c != chars[i]).collect();
        let mut out = chars;
        out[i] = others[self.rng.index(others.len())];
        Some(out.into_iter().collect())
    }

    fn shifted_birth(&mut self, b: Date) -> Date {
        loop {
            let up = self.rng.chance(500);
            let step = |x: u16| if up { x + 1 } else { x.saturating_sub(1) };
            let candidate = match self.rng.below(3) {
                0 => Date::new(step(b.year), b.month, b.day),
                1 => Date::new(b.year, step(u16::from(b.month)) as u8, b.day),
                _ => Date::new(b.year, b.month, step(u16::from(b.day)) as u8),
            };
            if let Some(d) = candidate.filter(|d| *d != b) {
                return d;
            }
        }
    }

    /// A record of `s` with the department's usual error mix; returns the errors applied.
    fn record(&mut self, s: &Someone) -> (DeptRecord, Errors) {
        let mut errors = Errors::default();
        let mut id = s.id;
        let roll = self.rng.below(1000);
        let legacy_possible = (1900..2000).contains(&s.birth.year);
        let id_number = if roll < 80 {
            errors.insert(Errors::ID_MISSING);
            None
        } else {
            if roll < 130 {
                self.one_digit_wrong(&mut id);
                errors.insert(Errors::ID_DIGIT);
            } else if roll < 170 {
                if self.adjacent_swap(&mut id) {
                    errors.insert(Errors::ID_SWAP);
                }
            } else if roll < 210 && legacy_possible {
                errors.insert(Errors::ID_LEGACY);
            }
            Some(self.write_number(&id, s.birth, &mut errors))
        };
        let roll = self.rng.below(1000);
        let mut name = s.name.clone();
        if roll < 60 {
            if name.chars().any(|c| traditional(c).is_some()) {
                name = name.chars().map(|c| traditional(c).unwrap_or(c)).collect();
                errors.insert(Errors::NAME_TRADITIONAL);
            }
        } else if roll < 110
            && let Some(h) = self.homophone(&name)
        {
            name = h;
            errors.insert(Errors::NAME_HOMOPHONE);
        }
        if self.rng.chance(30) {
            let mut chars: Vec<char> = name.chars().collect();
            chars.insert(
                1,
                if self.rng.chance(500) {
                    ' '
                } else {
                    '\u{3000}'
                },
            );
            name = chars.into_iter().collect();
            errors.insert(Errors::NAME_SPACES);
        }
        let name = if id_number.is_some() && self.rng.chance(10) {
            errors.insert(Errors::NAME_MISSING);
            None
        } else {
            Some(name)
        };
        let roll = self.rng.below(1000);
        let b = s.birth;
        let birth = if roll < 40 && b.day <= 12 && b.day != b.month {
            errors.insert(Errors::BIRTH_SWAPPED);
            Date::new(b.year, b.day, b.month)
        } else if (40..60).contains(&roll) {
            errors.insert(Errors::BIRTH_OFF);
            Some(self.shifted_birth(b))
        } else if (60..110).contains(&roll) {
            errors.insert(Errors::BIRTH_MISSING);
            None
        } else {
            Some(b)
        };
        let sex = if self.rng.chance(100) {
            errors.insert(Errors::SEX_MISSING);
            None
        } else {
            Some(s.sex)
        };
        let roll = self.rng.below(1000);
        let community = if roll < 80 {
            errors.insert(Errors::COMMUNITY_MOVED);
            let mut c = self.rng.index(self.communities.len());
            if c == s.community {
                c = (c + 1) % self.communities.len();
            }
            Some(self.communities[c].clone())
        } else if roll < 130 {
            errors.insert(Errors::COMMUNITY_MISSING);
            None
        } else {
            Some(self.communities[s.community].clone())
        };
        (
            DeptRecord {
                id: 0,
                id_number,
                name,
                birth,
                sex,
                community,
            },
            errors,
        )
    }

    /// A hard negative's record: its own valid number (formatting noise only), the shared name
    /// and birth date.
    fn double_record(&mut self, s: &Someone) -> DeptRecord {
        let mut ignored = Errors::default();
        if (1900..2000).contains(&s.birth.year) && self.rng.chance(40) {
            ignored.insert(Errors::ID_LEGACY);
        }
        DeptRecord {
            id: 0,
            id_number: Some(self.write_number(&s.id, s.birth, &mut ignored)),
            name: Some(s.name.clone()),
            birth: (!self.rng.chance(50)).then_some(s.birth),
            sex: (!self.rng.chance(100)).then_some(s.sex),
            community: (!self.rng.chance(50)).then(|| self.communities[s.community].clone()),
        }
    }
}

fn group_of(c: char) -> Option<&'static [char]> {
    MALE.iter().chain(FEMALE).find(|g| g.contains(&c)).copied()
}

/// Person ids start here, record ids at 1.
const FIRST_PERSON_ID: u64 = 10_000_001;

/// Generates a registry and a department feed with known truth.
///
/// Records of registry people refer to distinct people as long as 85 % of `dept` is at most
/// `registry`; beyond that, people repeat.
pub fn generate(config: SynthConfig) -> Synthetic {
    let mut g = Generator::new(config.seed, config.registry + config.dept);
    let people: Vec<Someone> = (0..config.registry).map(|_| g.someone()).collect();
    let registry: Vec<Person> = people
        .iter()
        .enumerate()
        .map(|(i, s)| g.person(FIRST_PERSON_ID + i as u64, s))
        .collect();

    let hard = config.dept / 10;
    let unknown = config.dept / 20;
    let matches = config.dept - hard - unknown;
    // Which registry people the matching records refer to: a partial shuffle.
    let mut order: Vec<u32> = (0..config.registry as u32).collect();
    let mut picked = Vec::with_capacity(matches);
    for k in 0..matches {
        if people.is_empty() {
            break;
        }
        let n = order.len();
        let j = k % n;
        let swap_with = j + g.rng.index(n - j);
        order.swap(j, swap_with);
        picked.push(order[j] as usize);
    }
    drop(order);

    let mut records = Vec::with_capacity(config.dept);
    let mut truth = Vec::with_capacity(config.dept);
    let mut kinds = Vec::with_capacity(config.dept);
    for &p in &picked {
        let (record, errors) = g.record(&people[p]);
        records.push(record);
        truth.push(Some(FIRST_PERSON_ID + p as u64));
        kinds.push(RecordKind::Match(errors));
    }
    for _ in 0..hard {
        if people.is_empty() {
            break;
        }
        let of = &people[g.rng.index(people.len())];
        let double = g.double(of);
        records.push(g.double_record(&double));
        truth.push(None);
        kinds.push(RecordKind::HardNegative);
    }
    while records.len() < config.dept {
        let stranger = g.someone();
        let (record, _) = g.record(&stranger);
        records.push(record);
        truth.push(None);
        kinds.push(RecordKind::Unknown);
    }
    // Shuffle the feed and number it.
    for i in (1..records.len()).rev() {
        let j = g.rng.index(i + 1);
        records.swap(i, j);
        truth.swap(i, j);
        kinds.swap(i, j);
    }
    for (i, r) in records.iter_mut().enumerate() {
        r.id = i as u64 + 1;
    }
    Synthetic {
        registry,
        records,
        truth,
        kinds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::pinyin_of;

    #[test]
    fn homophone_groups_share_toneless_pinyin() {
        for group in MALE.iter().chain(FEMALE) {
            let first = pinyin_of(group[0]);
            assert!(first.is_some(), "{}", group[0]);
            for &c in *group {
                assert_eq!(pinyin_of(c), first, "{c} in the group of {}", group[0]);
            }
        }
    }

    #[test]
    fn generation_is_deterministic_and_numbers_are_valid_and_unique() {
        let config = SynthConfig {
            registry: 2000,
            dept: 1000,
            seed: 42,
        };
        let a = generate(config);
        let b = generate(config);
        assert_eq!(a.records, b.records);
        assert_eq!(a.registry, b.registry);
        let mut seen = HashSet::new();
        for p in &a.registry {
            let id = crate::id::normalise_id(&p.id_number);
            assert_eq!(id.form, crate::IdForm::Valid, "{}", p.id_number);
            assert!(seen.insert(p.id_number.clone()));
            assert_eq!(id.sex(), Some(p.sex));
        }
        let hard = a
            .kinds
            .iter()
            .filter(|k| **k == RecordKind::HardNegative)
            .count();
        assert_eq!(hard, 100);
        assert_eq!(a.truth.iter().filter(|t| t.is_some()).count(), 850);
    }
}
