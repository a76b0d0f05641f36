//! The synthetic county: a deterministic generator of plausible Yunyang households for the
//! demo, tests and benchmarks. The same seed and reference date give the same county.
//!
//! Everything here is invented: communities, names, identity numbers (valid, area 500235),
//! incomes. Nothing resembles a real person except by chance.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use doudi_core::{
    Asset, AssetKind, BankAccount, Category, Disability, DisabilityGrade, DisabilityKind, Division,
    DivisionCode, DivisionKind, Employment, Expense, ExpenseKind, HealthInsurance, HouseholdFields,
    Housing, IdNumber, Income, IncomeKind, Money, Month, Need, NewHousehold, PersonFields,
    PersonId, PersonName, Phone, PovertyCause, Relation, SchoolStage, SelfCare, SpecialDisease,
    Survey, TownshipTable, WorkCapacity, age_on,
};

/// SplitMix64: small, fast, and the same on every machine, which is all a generator of test
/// data needs.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `percent_tenths / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// An item chosen with integer weights.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut pick = self.below(total);
        for (item, w) in items {
            if pick < u64::from(*w) {
                return item;
            }
            pick -= u64::from(*w);
        }
        &items[items.len() - 1].0
    }

    /// An item chosen uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Surnames with rough weights: the national head of the distribution, with names common in
/// north-east Chongqing (谭, 向, 冉, 牟, 熊) weighted up.
const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 72),
    ("张", 68),
    ("刘", 55),
    ("陈", 50),
    ("杨", 40),
    ("黄", 25),
    ("赵", 22),
    ("吴", 20),
    ("周", 20),
    ("徐", 15),
    ("孙", 14),
    ("马", 12),
    ("朱", 12),
    ("胡", 12),
    ("郭", 11),
    ("何", 14),
    ("高", 10),
    ("林", 9),
    ("罗", 14),
    ("郑", 8),
    ("梁", 7),
    ("谢", 8),
    ("宋", 6),
    ("唐", 10),
    ("许", 6),
    ("韩", 5),
    ("冯", 6),
    ("邓", 9),
    ("曹", 5),
    ("彭", 8),
    ("曾", 7),
    ("肖", 7),
    ("田", 8),
    ("董", 5),
    ("袁", 6),
    ("潘", 4),
    ("蒋", 6),
    ("蔡", 4),
    ("余", 7),
    ("杜", 5),
    ("叶", 4),
    ("程", 4),
    ("魏", 4),
    ("吕", 3),
    ("丁", 3),
    ("任", 4),
    ("姚", 3),
    ("谭", 14),
    ("向", 12),
    ("冉", 8),
    ("牟", 6),
    ("熊", 7),
    ("邹", 5),
    ("秦", 4),
    ("龚", 4),
    ("汪", 3),
    ("廖", 4),
    ("付", 4),
    ("夏", 3),
    ("邱", 3),
    ("段", 3),
    ("雷", 3),
    ("黎", 3),
    ("贺", 3),
    ("陶", 3),
    ("毛", 3),
    ("万", 3),
    ("覃", 3),
    ("鲜", 2),
    ("欧阳", 1),
    ("司马", 1),
];
const MALE_CHARS: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫",
    "波", "宇", "浩", "凯", "健", "俊", "帆", "建", "国", "文", "永", "志", "德", "海", "林", "成",
    "祥", "福", "贵", "春", "江", "川", "云", "山", "长", "兴", "学", "忠", "宏",
];
const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "燕", "娟", "霞", "玲", "桂", "英", "秀", "兰", "梅", "琴",
    "萍", "红", "慧", "莉", "婷", "雪", "琳", "欣", "怡", "佳", "月", "春", "珍", "凤", "云", "华",
    "淑", "翠", "菊", "素", "彩", "银", "金", "小", "晓", "雨", "思", "梦", "诗",
];
const COMMUNITY_NAMES: &[&str] = &[
    "复兴", "滨江", "人民", "解放", "新华", "团结", "和平", "幸福", "阳光", "桂花", "龙脊", "凤凰",
    "青龙", "盘石", "长江", "环湖", "梧桐", "文化", "建设", "光明", "金科", "白岩", "柳树", "黄岭",
    "南门", "北城", "东岳", "西城", "永安", "清平",
];
const STREETS: &[&str] = &[
    "滨江", "复兴", "人民", "解放", "新城", "青龙", "盘龙", "云江", "环湖", "学府",
];
const DISEASES: &[&str] = &[
    "尿毒症",
    "恶性肿瘤",
    "重症精神病",
    "脑卒中后遗症",
    "糖尿病并发症",
    "慢性阻塞性肺病",
    "冠心病",
    "类风湿关节炎",
];

/// The synthetic communities beneath each real township: 3 to 8 each, codes township + 001….
pub fn communities(seed: u64) -> Vec<Division> {
    let mut rng = Rng::new(seed ^ 0xC0DE);
    let mut out = Vec::new();
    for t in TownshipTable::yunyang().townships {
        let n = if t.kind == DivisionKind::Street {
            8
        } else {
            rng.range(3, 6)
        };
        let mut used = HashSet::new();
        for i in 1..=n {
            let mut name = *rng.pick(COMMUNITY_NAMES);
            while !used.insert(name) {
                name = *rng.pick(COMMUNITY_NAMES);
            }
            out.push(Division {
                code: DivisionCode::parse(&format!("{}{i:03}", t.code)).expect("valid code"),
                name: format!("{name}社区"),
                kind: DivisionKind::Community,
                parent: Some(t.code.clone()),
            });
        }
    }
    out
}

/// Generates a county of households.
pub struct Generator {
    rng: Rng,
    as_of: NaiveDate,
    townships: Vec<(Division, u32)>,
    communities: Vec<Division>,
    used_ids: HashSet<IdNumber>,
    next_number: u64,
}

impl Generator {
    /// A generator for a seed, as of a date (incomes are the six months before it).
    pub fn new(seed: u64, as_of: NaiveDate) -> Generator {
        let townships = TownshipTable::yunyang()
            .townships
            .into_iter()
            .map(|t| {
                // The two central streets hold most of the urban households.
                let weight = match t.code.as_str() {
                    "500235001" | "500235002" => 14,
                    _ if t.kind == DivisionKind::Street => 6,
                    _ => 1,
                };
                (t, weight)
            })
            .collect();
        Generator {
            rng: Rng::new(seed),
            as_of,
            townships,
            communities: communities(seed),
            used_ids: HashSet::new(),
            next_number: 1,
        }
    }

    /// The synthetic communities the households live in.
    pub fn communities(&self) -> &[Division] {
        &self.communities
    }

    fn name(&mut self, surname: Option<&str>, female: bool) -> PersonName {
        let surname =
            surname.map_or_else(|| (*self.rng.weighted(SURNAMES)).to_owned(), str::to_owned);
        let pool = if female { FEMALE_CHARS } else { MALE_CHARS };
        let mut given = (*self.rng.pick(pool)).to_owned();
        if self.rng.chance(750) {
            given.push_str(self.rng.pick::<&str>(pool));
        }
        PersonName::parse(&format!("{surname}{given}")).expect("generated names are valid")
    }

    fn id_number(&mut self, age: i64, female: bool) -> IdNumber {
        loop {
            let birth = self.as_of - Duration::days(age * 365 + self.rng.range(0, 364));
            let mut seq = self.rng.below(1000) as u16;
            if (seq % 2 == 1) == female {
                seq ^= 1;
            }
            let id = IdNumber::from_parts("500235", birth, seq);
            if self.used_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn phone(&mut self) -> Phone {
        let prefix = *self.rng.pick(&[
            "138", "139", "135", "150", "151", "158", "177", "180", "183", "189", "199",
        ]);
        Phone::parse(&format!("{prefix}{:08}", self.rng.below(100_000_000))).expect("valid phone")
    }

    fn person(
        &mut self,
        relation: Relation,
        age: i64,
        female: bool,
        surname: Option<&str>,
    ) -> PersonFields {
        let name = self.name(surname, female);
        let id_number = self.id_number(age, female);
        let age = i64::from(age_on(id_number.birth_date(), self.as_of));
        let rng = &mut self.rng;
        let disability = rng
            .chance(if age >= 60 { 220 } else { 110 })
            .then(|| Disability {
                kind: *rng.weighted(&[
                    (DisabilityKind::Physical, 45),
                    (DisabilityKind::Visual, 12),
                    (DisabilityKind::Hearing, 10),
                    (DisabilityKind::Speech, 3),
                    (DisabilityKind::Intellectual, 10),
                    (DisabilityKind::Mental, 14),
                    (DisabilityKind::Multiple, 6),
                ]),
                grade: *rng.weighted(&[
                    (DisabilityGrade::One, 15),
                    (DisabilityGrade::Two, 25),
                    (DisabilityGrade::Three, 30),
                    (DisabilityGrade::Four, 30),
                ]),
            });
        let serious_illness = rng.chance(if age >= 50 { 200 } else { 60 });
        let special_disease = (serious_illness && rng.chance(40)).then(|| {
            if age < 14 {
                SpecialDisease::ChildhoodLeukaemia
            } else {
                *rng.pick(&[
                    SpecialDisease::Thalassaemia,
                    SpecialDisease::ChronicMyeloidLeukaemia,
                    SpecialDisease::Pneumoconiosis,
                ])
            }
        });
        let disease = if let Some(s) = special_disease {
            s.label().to_owned()
        } else if serious_illness {
            (*rng.pick(DISEASES)).to_owned()
        } else {
            String::new()
        };
        let severe = disability.is_some_and(|d| d.grade.is_severe());
        let self_care = if severe || (age >= 80 && rng.chance(300)) {
            *rng.weighted(&[(SelfCare::None, 40), (SelfCare::Partial, 60)])
        } else if serious_illness && rng.chance(300) {
            SelfCare::Partial
        } else {
            SelfCare::Full
        };
        let school_stage = match age {
            3..=5 => Some(SchoolStage::Preschool),
            6..=11 => Some(SchoolStage::Primary),
            12..=14 => Some(SchoolStage::Junior),
            15..=17 if rng.chance(900) => Some(if rng.chance(700) {
                SchoolStage::SeniorHigh
            } else {
                SchoolStage::Vocational
            }),
            18..=21 if rng.chance(350) => Some(SchoolStage::Higher),
            _ => None,
        };
        let working_age = (16..60).contains(&age) && school_stage.is_none();
        let work_capacity = if !working_age || severe || self_care != SelfCare::Full {
            WorkCapacity::None
        } else if serious_illness || disability.is_some() {
            WorkCapacity::Partial
        } else {
            WorkCapacity::Full
        };
        let willing_to_work = work_capacity != WorkCapacity::None && rng.chance(850);
        let employment = if work_capacity == WorkCapacity::None {
            Employment::NotInLabourForce
        } else if willing_to_work {
            *rng.weighted(&[
                (Employment::Flexible, 45),
                (Employment::Employed, 15),
                (Employment::PublicWelfarePost, 10),
                (Employment::Unemployed, 30),
            ])
        } else {
            Employment::Unemployed
        };
        let boarding = matches!(
            school_stage,
            Some(SchoolStage::Junior | SchoolStage::SeniorHigh | SchoolStage::Vocational)
        ) && rng.chance(400);
        PersonFields {
            name,
            id_number,
            relation,
            disability,
            serious_illness,
            disease,
            special_disease,
            self_care,
            work_capacity,
            willing_to_work,
            employment,
            school_stage,
            boarding,
            insurance: *rng.weighted(&[
                (HealthInsurance::Resident, 94),
                (HealthInsurance::Employee, 4),
                (HealthInsurance::None, 2),
            ]),
            family_doctor: rng.chance(860),
            health_record: rng.chance(910),
            phone: None,
        }
    }

    /// The next household.
    pub fn household(&mut self) -> NewHousehold {
        let township = self.rng.weighted(&self.townships).code.clone();
        let in_township: Vec<usize> = self
            .communities
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent.as_ref() == Some(&township))
            .map(|(i, _)| i)
            .collect();
        let community = self.communities[*self.rng.pick(&in_township)].code.clone();
        let category = if self.rng.chance(100) {
            Category::Tekun
        } else {
            Category::Dibao
        };
        let members = self.members(category);
        let number = format!("{}-{:06}", &township.as_str()[6..], self.next_number);
        self.next_number += 1;
        let enrolled_on = self.as_of - Duration::days(self.rng.range(30, 8 * 365));
        let exited_on = self.rng.chance(30).then(|| {
            enrolled_on + Duration::days(self.rng.range(0, (self.as_of - enrolled_on).num_days()))
        });
        let incomes = self.incomes(&members, category);
        let expenses = self.expenses(&members);
        let assets = self.assets(category);
        let causes = causes_of(&members, self.as_of);
        let needs = needs_of(&members, self.as_of);
        let township_name = self
            .townships
            .iter()
            .find(|(t, _)| t.code == township)
            .map(|(t, _)| t.name.clone());
        let community_name = self
            .communities
            .iter()
            .find(|c| c.code == community)
            .map(|c| c.name.clone());
        let address = format!(
            "云阳县{}{}{}路{}号{}栋{}单元{}",
            township_name.unwrap_or_default(),
            community_name.unwrap_or_default(),
            self.rng.pick(STREETS),
            self.rng.range(1, 300),
            self.rng.range(1, 20),
            self.rng.range(1, 4),
            self.rng.range(101, 1806),
        );
        let phone = self.rng.chance(930).then(|| self.phone());
        let bank_account = self.rng.chance(970).then(|| {
            BankAccount::parse(&format!(
                "6217{:015}",
                self.rng.below(1_000_000_000_000_000)
            ))
            .expect("valid")
        });
        let housing = *self.rng.weighted(&[
            (Housing::Owned, 35),
            (Housing::RentedPrivate, 25),
            (Housing::PublicRental, 25),
            (Housing::Borrowed, 10),
            (Housing::Unsafe, 3),
            (Housing::Homeless, 2),
        ]);
        let survey = self.rng.chance(720).then(|| self.survey(&members, &causes));
        NewHousehold {
            fields: HouseholdFields {
                number,
                township,
                community,
                category,
                enrolled_on,
                exited_on,
                address,
                phone,
                bank_account,
                housing,
                causes,
                needs,
            },
            members,
            incomes,
            assets,
            expenses,
            survey,
        }
    }

    fn members(&mut self, category: Category) -> Vec<PersonFields> {
        if category == Category::Tekun {
            let age = if self.rng.chance(900) {
                self.rng.range(60, 95)
            } else {
                self.rng.range(18, 59)
            };
            let female = self.rng.chance(420);
            let mut p = self.person(Relation::Head, age, female, None);
            p.work_capacity = WorkCapacity::None;
            p.willing_to_work = false;
            p.employment = Employment::NotInLabourForce;
            return vec![p];
        }
        let size = *self
            .rng
            .weighted(&[(1, 25), (2, 30), (3, 25), (4, 15), (5, 5)]);
        let head_age = self.rng.range(if size >= 3 { 28 } else { 35 }, 88);
        let head_female = self.rng.chance(380);
        let head = self.person(Relation::Head, head_age, head_female, None);
        let surname = head.name.as_str().chars().next().map(String::from);
        let mut members = vec![head];
        let mut has_spouse = false;
        for _ in 1..size {
            let relation = if !has_spouse && self.rng.chance(650) {
                has_spouse = true;
                Relation::Spouse
            } else if head_age > 60 && self.rng.chance(400) {
                Relation::Grandchild
            } else if head_age < 50 && self.rng.chance(150) {
                Relation::Parent
            } else {
                Relation::Child
            };
            let (age, female, surname) = match relation {
                Relation::Spouse => (
                    (head_age + self.rng.range(-5, 5)).clamp(20, 95),
                    !head_female,
                    None,
                ),
                Relation::Parent => (
                    (head_age + self.rng.range(22, 32)).min(98),
                    self.rng.chance(550),
                    surname.clone(),
                ),
                Relation::Grandchild => {
                    (self.rng.range(0, 17), self.rng.chance(480), surname.clone())
                }
                _ => (
                    (head_age - self.rng.range(20, 34)).max(0),
                    self.rng.chance(480),
                    surname.clone(),
                ),
            };
            members.push(self.person(relation, age, female, surname.as_deref()));
        }
        members
    }

    fn incomes(&mut self, members: &[PersonFields], category: Category) -> Vec<Income> {
        let current = Month::of(self.as_of);
        let mut out = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let person = PersonId(i as i64);
            let age = age_on(m.birth_date(), self.as_of);
            let wage_base = match m.employment {
                Employment::Employed => Some(self.rng.range(1400, 2200)),
                Employment::Flexible => Some(self.rng.range(300, 1200)),
                Employment::PublicWelfarePost => Some(self.rng.range(900, 1200)),
                _ => None,
            };
            let pension = (age >= 60 && category == Category::Dibao && self.rng.chance(700))
                .then(|| self.rng.range(120, 260));
            for back in 1..=6 {
                let month = current.minus(back);
                if let Some(base) = wage_base {
                    // Flexible work varies month to month, sometimes to nothing.
                    let wobble = if m.employment == Employment::Flexible {
                        self.rng.range(-300, 300)
                    } else {
                        0
                    };
                    let yuan = (base + wobble).max(0);
                    let fen = yuan * 100
                        + if self.rng.chance(300) {
                            self.rng.range(1, 99)
                        } else {
                            0
                        };
                    out.push(Income {
                        person,
                        month,
                        kind: IncomeKind::Wages,
                        amount: Money::from_fen(fen),
                    });
                }
                if let Some(p) = pension {
                    out.push(Income {
                        person,
                        month,
                        kind: IncomeKind::Pension,
                        amount: Money::from_yuan(p),
                    });
                }
            }
        }
        out
    }

    fn expenses(&mut self, members: &[PersonFields]) -> Vec<Expense> {
        let current = Month::of(self.as_of);
        let mut out = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let person = PersonId(i as i64);
            if m.serious_illness {
                for back in 1..=6 {
                    if self.rng.chance(500) {
                        let amount = Money::from_fen(self.rng.range(5_000, 400_000));
                        out.push(Expense {
                            person,
                            month: current.minus(back),
                            kind: ExpenseKind::Medical,
                            amount,
                        });
                    }
                }
            }
            if matches!(
                m.school_stage,
                Some(SchoolStage::Higher | SchoolStage::SeniorHigh)
            ) {
                // Tuition falls due in September or March.
                if let Some(back) = (1..=6).find(|b| matches!(current.minus(*b).number(), 9 | 3)) {
                    let amount = Money::from_yuan(self.rng.range(800, 6000));
                    out.push(Expense {
                        person,
                        month: current.minus(back),
                        kind: ExpenseKind::Tuition,
                        amount,
                    });
                }
            }
        }
        out
    }

    fn assets(&mut self, category: Category) -> Vec<Asset> {
        let mut out = Vec::new();
        if self.rng.chance(if category == Category::Tekun {
            300
        } else {
            600
        }) {
            out.push(Asset {
                kind: AssetKind::Savings,
                description: "银行存款".into(),
                value: Money::from_fen(self.rng.range(10_000, 2_500_000)),
            });
        }
        if category == Category::Dibao && self.rng.chance(25) {
            out.push(Asset {
                kind: AssetKind::Vehicle,
                description: format!("渝F{:05}", self.rng.below(100_000)),
                value: Money::from_yuan(self.rng.range(2000, 30_000)),
            });
        }
        out
    }

    fn survey(&mut self, members: &[PersonFields], causes: &[PovertyCause]) -> Survey {
        let ill: Vec<&str> = members
            .iter()
            .filter(|m| m.serious_illness)
            .map(|m| m.disease.as_str())
            .collect();
        let disabled = members.iter().filter(|m| m.disability.is_some()).count();
        let students = members.iter().filter(|m| m.school_stage.is_some()).count();
        let mut family = format!("家庭共{}人", members.len());
        if !ill.is_empty() {
            family.push_str(&format!("，{}人患病（{}）", ill.len(), ill.join("、")));
        }
        if disabled > 0 {
            family.push_str(&format!("，{disabled}人残疾"));
        }
        if students > 0 {
            family.push_str(&format!("，{students}人在校就读"));
        }
        family.push('。');
        let cause = if causes.is_empty() {
            "收入低于低保标准。".to_owned()
        } else {
            format!(
                "{}致贫。",
                doudi_core::labels::join_labels(causes, PovertyCause::label)
            )
        };
        let need = doudi_core::labels::join_labels(&needs_of(members, self.as_of), Need::label);
        let days = self.rng.range(1, 300);
        Survey {
            family_situation: family,
            poverty_cause: cause,
            help_needed: format!("需要{need}。"),
            surveyed_by: {
                let female = self.rng.chance(500);
                self.name(None, female).to_string()
            },
            surveyed_on: self.as_of - Duration::days(days),
        }
    }
}

fn causes_of(members: &[PersonFields], as_of: NaiveDate) -> Vec<PovertyCause> {
    let mut causes = Vec::new();
    if members.iter().any(|m| m.serious_illness) {
        causes.push(PovertyCause::Illness);
    }
    if members.iter().any(|m| m.disability.is_some()) {
        causes.push(PovertyCause::Disability);
    }
    if members.iter().any(|m| {
        matches!(
            m.school_stage,
            Some(SchoolStage::SeniorHigh | SchoolStage::Vocational | SchoolStage::Higher)
        )
    }) {
        causes.push(PovertyCause::Schooling);
    }
    if members
        .iter()
        .all(|m| m.work_capacity == WorkCapacity::None)
    {
        causes.push(PovertyCause::LackOfLabour);
    }
    if members
        .iter()
        .any(|m| m.employment == Employment::Unemployed && m.willing_to_work)
    {
        causes.push(PovertyCause::Unemployment);
    }
    if members.iter().any(|m| age_on(m.birth_date(), as_of) >= 70) {
        causes.push(PovertyCause::OldAge);
    }
    if causes.is_empty() {
        causes.push(PovertyCause::LackOfSkills);
    }
    causes.sort();
    causes
}

fn needs_of(members: &[PersonFields], as_of: NaiveDate) -> Vec<Need> {
    let mut needs = vec![Need::Living];
    if members
        .iter()
        .any(|m| m.serious_illness || m.special_disease.is_some())
    {
        needs.push(Need::Medical);
    }
    if members.iter().any(|m| m.school_stage.is_some()) {
        needs.push(Need::Education);
    }
    if members
        .iter()
        .any(|m| m.self_care != SelfCare::Full || age_on(m.birth_date(), as_of) >= 80)
    {
        needs.push(Need::Care);
    }
    if members
        .iter()
        .any(|m| m.employment == Employment::Unemployed && m.willing_to_work)
    {
        needs.push(Need::Employment);
    }
    needs.sort();
    needs
}

/// The reference date the demo uses when none is given: the first of the current month by the
/// process's clock ([`crate::clock`]), so that the same seed gives the same county all month.
pub fn default_as_of() -> NaiveDate {
    let today = crate::clock(None).today();
    NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("valid date")
}

/// The demo county's last year of support, for the work dashboard (4.4): every household
/// receives its category's benefit from a month of the last twelve (spread by its id, so the
/// counts grow month by month), and each of those months is paid. Deterministic: amounts and
/// start months come from the household ids. Returns (periods, payment lines). Not called by
/// `doudi demo` yet: other tests of the demo county expect its households without benefits.
#[allow(dead_code)]
pub async fn seed_dashboard(
    store: &dyn doudi_store::Store,
    as_of: NaiveDate,
) -> Result<(usize, u64), doudi_store::StoreError> {
    use doudi_core::casework::ReviewClass;
    use doudi_core::{Actor, Category, Month};
    use doudi_store::casework::ImportedEntitlement;

    let system = Actor::system("演示数据生成");
    let records = store
        .records(&system, &doudi_store::HouseholdFilter::default())
        .await?;
    let until = Month::of(as_of);
    let first = until.minus(11);
    let review = as_of + Duration::days(365);
    let entries: Vec<ImportedEntitlement> = records
        .iter()
        .filter(|r| r.household.fields.exited_on.is_none())
        .map(|r| {
            let id = r.household.id.0;
            let category = r.household.fields.category;
            ImportedEntitlement {
                household: r.household.id,
                program: category,
                monthly_fen: match category {
                    Category::Tekun => 90_000 + (id % 7) * 5_000,
                    Category::Dibao => 20_000 + (id * 37) % 50_000,
                },
                from: first.plus(u32::try_from(id % 12).unwrap_or(0)),
                review_class: ReviewClass::Stable,
                next_review: review,
                reference: "演示数据".into(),
            }
        })
        .collect();
    for chunk in entries.chunks(50_000) {
        store.import_entitlements(&system, chunk).await?;
    }
    // A run before the first month any period starts is refused: start there.
    let mut lines = 0;
    if let Some(start) = entries.iter().map(|e| e.from).min() {
        for n in 0..12 {
            let m = first.plus(n);
            if m >= start {
                lines += store.run_payments(&system, m, as_of).await?.created;
            }
        }
    }
    Ok((entries.len(), lines))
}

/// How many demo households are paid through the platform, so that funds supervision (5.2)
/// has months to show.
pub const FUNDED_HOUSEHOLDS: i64 = 40;

/// Funds supervision (5.2) in the demo county: the first [`FUNDED_HOUSEHOLDS`] households
/// outside 青龙街道 are
/// owed their category's benefit (carried over from the old system) from three months before
/// `as_of`, the two months before `as_of` are paid, this year's budgets are set, and the
/// checks run for each paid month as after a payment run; then the periods end with the last
/// month paid. The second household is filed with the first one's bank account, so that the
/// auditor finds one shared account to work on.
pub async fn seed_funds(
    store: &dyn doudi_store::Store,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<(), doudi_store::StoreError> {
    use doudi_core::disaster::PaymentProgram;
    use doudi_store::casework::ImportedEntitlement;

    let system = doudi_core::Actor::system("演示数据生成");
    let page = store
        .households(
            &system,
            &doudi_store::HouseholdFilter::default(),
            doudi_store::Page {
                offset: 0,
                limit: 10 * FUNDED_HOUSEHOLDS,
            },
        )
        .await?;
    // 青龙街道's households are left to casework: the demo's walkthroughs apply for one of them.
    let qinglong = DivisionCode::parse("500235002").ok();
    let rows: Vec<_> = page
        .rows
        .into_iter()
        .filter(|h| Some(&h.township) != qinglong.as_ref())
        .take(usize::try_from(FUNDED_HOUSEHOLDS).unwrap_or(0))
        .collect();
    let start = Month::of(as_of).minus(3);
    let entries: Vec<ImportedEntitlement> = rows
        .iter()
        .map(|h| ImportedEntitlement {
            household: h.id,
            program: h.category,
            monthly_fen: match h.category {
                Category::Dibao => 62_000 * h.members.clamp(1, 6),
                Category::Tekun => 103_000,
            },
            from: start,
            review_class: doudi_core::casework::ReviewClass::Stable,
            next_review: as_of + Duration::days(365),
            reference: "云民发〔2025〕演示".into(),
        })
        .collect();
    store.import_entitlements(&system, &entries).await?;
    if let [first, second, ..] = rows.as_slice() {
        let a = store.household(&system, first.id).await?;
        let b = store.household(&system, second.id).await?;
        if let Some(account) = a.household.fields.bank_account.clone() {
            let mut fields = b.household.fields.clone();
            fields.bank_account = Some(account);
            store
                .update_household(&system, second.id, b.household.version, &fields)
                .await?;
        }
    }
    let year = as_of.year();
    for (program, yuan) in [
        (PaymentProgram::Dibao, 3_000_000),
        (PaymentProgram::Tekun, 800_000),
        (PaymentProgram::DisasterEmergency, 200_000),
        (PaymentProgram::DisasterCondolence, 100_000),
        (PaymentProgram::DisasterTransitional, 100_000),
    ] {
        store
            .set_budget(
                &system,
                program,
                year,
                Money::from_yuan(yuan),
                "年初预算（演示）",
            )
            .await?;
    }
    for back in [2, 1] {
        let month = Month::of(as_of).minus(back);
        store.run_payments(&system, month, today).await?;
        let input = store.check_input(&system, month).await?;
        let findings = doudi_core::funds::check_month(month, &input);
        store
            .record_check_run(
                &system,
                month,
                doudi_store::funds::TRIGGER_RUN,
                Ok(&findings),
            )
            .await?;
    }
    // The carried periods end with the last month paid, so that the demo's current month is
    // left to the casework walkthroughs (its payment run pays only what they approve).
    let last = Month::of(as_of).minus(1);
    for h in &rows {
        store
            .stop_benefits(&system, h.id, last, "演示：结转待遇期满")
            .await?;
    }
    Ok(())
}

/// Seeds the demo county's oversight (5.4): one spot check of 青龙街道 with a reproducible
/// sample of five households, a finding about the first, its rectification task for the
/// street, and one report from the public. Deterministic but for the report's receipt number.
pub async fn seed_inspections(
    store: &dyn doudi_store::Store,
    as_of: NaiveDate,
) -> Result<(), doudi_store::StoreError> {
    use doudi_store::inspections::{
        FindingCategory, InspectionKind, NewFinding, NewPlan, NewReport, NewTask, ReportCategory,
        Severity,
    };
    let system = doudi_core::Actor::system("演示数据生成");
    let qinglong = DivisionCode::parse("500235002")
        .map_err(|e| doudi_store::StoreError::Invalid(e.to_string()))?;
    let plan = store
        .create_plan(
            &system,
            &NewPlan {
                kind: InspectionKind::SpotCheck,
                title: "城市低保对象随机抽查".into(),
                townships: vec![qinglong.clone()],
                starts_on: as_of - Duration::days(20),
                ends_on: as_of + Duration::days(10),
                inspectors: "县民政局社会救助科、县审计局联合督查组".into(),
            },
        )
        .await?;
    // A small demo county may have no household in 青龙街道: then the plan stays undrawn.
    let sample = match store.draw_sample(&system, plan, 5, 2019).await {
        Ok(sample) => sample,
        Err(doudi_store::StoreError::Invalid(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let finding = store
        .record_finding(
            &system,
            plan,
            &NewFinding {
                household: sample.first().map(|s| s.household),
                account: None,
                category: FindingCategory::WeakHelp,
                severity: Severity::Minor,
                text: "结对干部近三个月未入户走访，帮扶措施未更新。".into(),
            },
        )
        .await?;
    store
        .assign_task(
            &system,
            finding,
            &NewTask {
                township: qinglong.clone(),
                unit: "青龙街道民政办".into(),
                deadline: as_of + Duration::days(15),
            },
        )
        .await?;
    store
        .file_report(
            &NewReport {
                township: qinglong,
                community: None,
                household_ref: String::new(),
                category: ReportCategory::Ineligible,
                text: "公开名单中有一户家中经营门市，收入较高，请核实是否符合低保条件。".into(),
                contact: String::new(),
                filed_on: as_of,
            },
            "",
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_county() {
        let a: Vec<NewHousehold> = {
            let mut g = Generator::new(7, as_of());
            (0..200).map(|_| g.household()).collect()
        };
        let b: Vec<NewHousehold> = {
            let mut g = Generator::new(7, as_of());
            (0..200).map(|_| g.household()).collect()
        };
        let c: Vec<NewHousehold> = {
            let mut g = Generator::new(8, as_of());
            (0..200).map(|_| g.household()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn every_generated_household_is_valid_and_every_id_number_is_unique() {
        let mut g = Generator::new(1, as_of());
        let mut ids = HashSet::new();
        let mut people = 0;
        for _ in 0..3000 {
            let h = g.household();
            h.check().unwrap();
            for m in &h.members {
                assert!(IdNumber::parse(m.id_number.as_str(), as_of()).is_ok());
                assert_eq!(m.id_number.area_code(), "500235");
                assert!(ids.insert(m.id_number.clone()));
                people += 1;
            }
        }
        // About 2.4 people a household, as the 100,000 households / 250,000 people.
        assert!((6500..8200).contains(&people), "{people}");
    }

    #[test]
    fn most_households_are_dibao_and_some_are_tekun() {
        let mut g = Generator::new(3, as_of());
        let tekun = (0..2000)
            .filter(|_| g.household().fields.category == Category::Tekun)
            .count();
        assert!((120..300).contains(&tekun), "{tekun}");
    }

    #[test]
    fn surnames_are_skewed_towards_the_common_ones() {
        let mut g = Generator::new(5, as_of());
        let mut wang_li_zhang = 0;
        let mut total = 0;
        for _ in 0..2000 {
            for m in g.household().members {
                total += 1;
                if matches!(m.name.as_str().chars().next(), Some('王' | '李' | '张')) {
                    wang_li_zhang += 1;
                }
            }
        }
        let share = wang_li_zhang * 100 / total;
        assert!((12..30).contains(&share), "{share}%");
    }
}
