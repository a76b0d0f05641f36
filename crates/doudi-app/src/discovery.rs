//! Proactive discovery (5.3, 4.2.b): department data in, people matched, facts turned into
//! alerts on the work list of the household's township. The department page, the API and
//! the tests call these.
//!
//! A record is matched to a registry person by [`doudi_link`] (Fellegi–Sunter, trained on the
//! feed): by identity number (after repairing the forms people type: full-width digits, spaces,
//! the old 15-digit form, one digit wrong, two swapped), name (traditional characters,
//! homophones) and birth date; what the model is unsure of, or a record without a valid number
//! found only by name and birth date, a person confirms (a [`AlertRule::Match`] alert), and
//! the answer is remembered. A record with a valid number of someone not on the platform is
//! never matched by name and birth date alone: two people share those often enough.
//!
//! What a matched record means is [`rule`]'s: each kind's rule names the clause it serves.
//! Nothing changes a payment without a person confirming, except a death certain by identity
//! number and name: it is recorded at once (payments stop from the month after the death) and
//! its alert is closed with what was done.

use std::collections::HashMap;

use chrono::NaiveDate;
use doudi_core::discovery::{AlertLevel, AlertRule, AlertState, FeedKind};
use doudi_core::{Actor, Category, HouseholdId, HouseholdRecord, IdNumber, Money, Month, PersonId};
use doudi_exchange::feed::{self, FeedMapping, FeedRecord};
use doudi_exchange::read;
use doudi_policy::Resolved;
use doudi_store::discovery::{
    Alert, AlertFilter, FeedImport, NewAlert, NewFeedImport, NewFeedRecord, PendingDeath,
    ScanAlert, may_import,
};
use doudi_store::{HouseholdFilter, StoreError};
use sha2::{Digest, Sha256};

use crate::casework::DeathEffect;
use crate::payments::refused;
use crate::{App, Error};

/// What an import did.
#[derive(Clone, Debug)]
pub struct FeedReport {
    /// The import as kept.
    pub import: FeedImport,
    /// The same content was imported before: nothing of it is kept again (the deaths it found
    /// certain and had not yet recorded, after a crash, are recorded now).
    pub already: bool,
    /// Deaths recorded at once (certain matches), in words.
    pub deaths: Vec<String>,
    /// Deaths that could not be recorded at once, in words (their alerts stay open).
    pub deaths_left: Vec<String>,
}

/// A difference between what a household declared and what a department says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Which department data says so.
    pub kind: FeedKind,
    /// The difference, in words.
    pub text: String,
}

/// What a registry scan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanReport {
    /// Households read.
    pub households: usize,
    /// Alerts due.
    pub found: usize,
    /// Of which new (the others were raised before).
    pub raised: u64,
}

/// The registry, indexed for matching ([`doudi_link`]), with each person's household.
struct Registry {
    index: doudi_link::Registry,
    people: HashMap<u64, (PersonId, HouseholdId)>,
    /// People by name (as compared) and birth date, for records the model cannot weigh.
    by_name_birth: HashMap<(String, NaiveDate), Vec<(PersonId, HouseholdId)>>,
    households: HashMap<HouseholdId, HouseholdRecord>,
}

impl Registry {
    fn of(records: Vec<HouseholdRecord>) -> Registry {
        let mut people = HashMap::new();
        let mut by_name_birth: HashMap<(String, NaiveDate), Vec<(PersonId, HouseholdId)>> =
            HashMap::new();
        let mut linkable = Vec::new();
        for record in &records {
            for m in &record.members {
                let id = u64::try_from(m.id.0).unwrap_or_default();
                people.insert(id, (m.id, record.household.id));
                by_name_birth
                    .entry((
                        compared_name(m.fields.name.as_str()),
                        m.fields.id_number.birth_date(),
                    ))
                    .or_default()
                    .push((m.id, record.household.id));
                linkable.push(doudi_link::Person {
                    id,
                    id_number: m.fields.id_number.as_str().to_owned(),
                    name: m.fields.name.as_str().to_owned(),
                    birth: link_date(m.fields.id_number.birth_date()),
                    sex: match m.fields.id_number.sex() {
                        doudi_core::Sex::Male => doudi_link::Sex::Male,
                        doudi_core::Sex::Female => doudi_link::Sex::Female,
                    },
                    community: record.household.fields.community.to_string(),
                });
            }
        }
        Registry {
            index: doudi_link::Registry::new(&linkable),
            people,
            by_name_birth,
            households: records.into_iter().map(|r| (r.household.id, r)).collect(),
        }
    }
}

/// A record's identifying fields as compared, the key under which caseworkers' answers about
/// it are remembered: the identity number normalised (full-width, spaces, hyphens, case), the
/// name without spaces, the birth date.
fn identity(r: &FeedRecord) -> String {
    let id = compact_id(&r.id_number);
    format!(
        "{id}|{}|{}",
        compared_name(&r.name),
        r.birth.map(|d| d.to_string()).unwrap_or_default()
    )
}

/// An identity number as typed, normalised ([`IdNumber::normalise`]) and without the spaces and
/// hyphens people put inside it.
fn compact_id(raw: &str) -> String {
    IdNumber::normalise(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '－'))
        .collect()
}

/// A name as compared by the fallback: no spaces, full-width letters as typed.
fn compared_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The fallback for a record the model left unmatched (a feed too small to learn from, or a
/// person the model is unsure of): with no valid identity number, one registry person of the
/// same name and birth date (from the record, or from the digits of a number whose check
/// fails) is put to a caseworker. A valid number of someone else never is.
fn fallback(registry: &Registry, r: &FeedRecord, today: NaiveDate) -> Option<Link> {
    let compact = compact_id(&r.id_number);
    if IdNumber::parse(&compact, today).is_ok() {
        return None;
    }
    let name = compared_name(&r.name);
    if name.is_empty() {
        return None;
    }
    let birth = r.birth.or_else(|| {
        let digits: String = compact
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        (digits.len() == 18)
            .then(|| NaiveDate::parse_from_str(&digits[6..14], "%Y%m%d").ok())
            .flatten()
    })?;
    // The birth date as given, else with day and month swapped (a common slip).
    let swapped = {
        use chrono::Datelike;
        NaiveDate::from_ymd_opt(birth.year(), birth.day(), birth.month())
    };
    let (found, how) = match registry.by_name_birth.get(&(name.clone(), birth)) {
        Some(found) => (Some(found), "出生日期一致"),
        None => (
            swapped.and_then(|d| registry.by_name_birth.get(&(name, d))),
            "出生日期日月颠倒",
        ),
    };
    match found.map(Vec::as_slice) {
        Some([one]) => Some(Link {
            person: Some(*one),
            permille: 500,
            evidence: format!(
                "姓名一致；{how}；身份证号码{}；须人工核实",
                if compact.is_empty() {
                    "缺失"
                } else {
                    "有误"
                }
            ),
            accepted: false,
            certain: false,
        }),
        _ => None,
    }
}

fn link_date(d: NaiveDate) -> doudi_link::Date {
    use chrono::Datelike;
    doudi_link::Date::new(
        u16::try_from(d.year()).unwrap_or(0),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
    .unwrap_or(doudi_link::Date::new(1900, 1, 1).expect("a valid date"))
}

/// A record matched: the person, how sure (per mille), why, and whether it is certain enough
/// to act on without a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The registry person and household, when accepted or sent to review.
    pub person: Option<(PersonId, HouseholdId)>,
    /// Certainty per mille.
    pub permille: u16,
    /// Each field's agreement and its weight, in words.
    pub evidence: String,
    /// Accepted by the model (else a person reviews it).
    pub accepted: bool,
    /// Accepted, and identity number and name agree exactly: a death may be recorded at once.
    pub certain: bool,
}

/// Matches every record of a feed at once (the model learns from the whole feed): one-to-one
/// for deaths (a person dies once), any number of records per person otherwise (a month of
/// wages each, several bills).
#[allow(
    clippy::float_arithmetic,
    reason = "a match probability turned into per mille for display; never money"
)]
fn link_all(
    registry: &Registry,
    kind: FeedKind,
    records: &[FeedRecord],
    remembered: &[Vec<(PersonId, bool)>],
    today: NaiveDate,
) -> Vec<Link> {
    let dept: Vec<doudi_link::DeptRecord> = records
        .iter()
        .enumerate()
        .map(|(i, r)| doudi_link::DeptRecord {
            id: i as u64,
            id_number: (!r.id_number.trim().is_empty()).then(|| r.id_number.clone()),
            name: (!r.name.trim().is_empty()).then(|| r.name.clone()),
            birth: r.birth.map(link_date),
            sex: None,
            community: None,
        })
        .collect();
    let config = doudi_link::Config {
        one_to_one: kind == FeedKind::Death,
        ..doudi_link::Config::default()
    };
    let linkage = doudi_link::link(&registry.index, &dept, &config);
    let mut links: Vec<Link> = records
        .iter()
        .map(|_| Link {
            person: None,
            permille: 0,
            evidence: "本平台无此人（或无法确定是谁）".into(),
            accepted: false,
            certain: false,
        })
        .collect();
    for l in &linkage.links {
        let Some(slot) = usize::try_from(l.record)
            .ok()
            .and_then(|i| links.get_mut(i))
        else {
            continue;
        };
        let evidence: Vec<String> = l
            .evidence()
            .iter()
            .map(|e| {
                let (field, label) = (e.level.field().label(), e.level.label());
                let said = if label.contains(field) {
                    label.to_owned()
                } else {
                    format!("{field}{label}")
                };
                format!("{said}（{:+.1}）", e.weight)
            })
            .collect();
        let accepted = l.decision == doudi_link::Decision::Accept;
        let certain = accepted
            && matches!(
                l.comparison.levels()[0],
                doudi_link::Level::Id(doudi_link::IdLevel::Exact)
            )
            && matches!(
                l.comparison.levels()[1],
                doudi_link::Level::Name(doudi_link::NameLevel::Exact)
            );
        *slot = Link {
            person: registry.people.get(&l.person).copied(),
            permille: (l.probability * 1000.0).floor().clamp(0.0, 1000.0) as u16,
            evidence: format!(
                "{}；{}",
                evidence.join("；"),
                if accepted {
                    "比对判定为本人"
                } else {
                    "须人工核实"
                }
            ),
            accepted,
            certain,
        };
    }
    // What caseworkers answered before about the same record outweighs the model.
    let households: HashMap<PersonId, HouseholdId> = registry.people.values().copied().collect();
    for (l, said) in links.iter_mut().zip(remembered) {
        if let Some(&(person, _)) = said.iter().find(|(_, same)| *same)
            && let Some(&household) = households.get(&person)
        {
            *l = Link {
                person: Some((person, household)),
                permille: 1000,
                evidence: "经办人员此前已核实为本人".into(),
                accepted: true,
                certain: true,
            };
        } else if let Some((person, _)) = l.person
            && said.iter().any(|(p, same)| *p == person && !*same)
        {
            *l = Link {
                person: None,
                permille: 0,
                evidence: "经办人员此前已核实不是比对到的人员".into(),
                accepted: false,
                certain: false,
            };
        }
    }
    let mut taken: std::collections::HashSet<PersonId> = links
        .iter()
        .filter_map(|l| l.person.map(|(p, _)| p))
        .collect();
    for ((l, r), said) in links.iter_mut().zip(records).zip(remembered) {
        if l.person.is_none()
            && let Some(f) = fallback(registry, r, today)
            && !said
                .iter()
                .any(|(p, same)| !*same && f.person.is_some_and(|(q, _)| q == *p))
            && (kind != FeedKind::Death || f.person.is_some_and(|(p, _)| taken.insert(p)))
        {
            *l = f;
        }
    }
    links
}

/// What a matched record of `kind` means for the household: the alert, with the clause.
pub fn rule(
    kind: FeedKind,
    r: &FeedRecord,
    record: &HouseholdRecord,
    person: PersonId,
    params: &Resolved,
) -> NewAlert {
    let member = record.members.iter().find(|m| m.id == person);
    let who = member.map_or_else(|| "该成员".to_owned(), |m| m.fields.name.masked());
    let amount = r.amount_fen.map(|f| Money::from_fen(f).to_string());
    let date = r.date.map(|d| d.to_string()).unwrap_or_default();
    let detail = r.detail.trim();
    let with_detail = |s: String| {
        if detail.is_empty() {
            s
        } else {
            format!("{s}（{detail}）")
        }
    };
    let alert = |rule: AlertRule, level: AlertLevel, text: String| NewAlert {
        rule,
        level,
        reason: format!("{text}［依据 {}］", rule.clause()),
    };
    match kind {
        FeedKind::Death => {
            let from = r
                .date
                .map(|d| Month::of(d).plus(1).to_string())
                .unwrap_or_default();
            alert(
                AlertRule::Death,
                AlertLevel::Red,
                format!("死亡信息：{who}于{date}死亡，自{from}起不再计发其待遇"),
            )
        }
        FeedKind::Vehicle => {
            let level = if params.dibao_vehicles_allowed {
                AlertLevel::Green
            } else {
                AlertLevel::Amber
            };
            alert(
                AlertRule::Review,
                level,
                with_detail(format!(
                    "{who}于{date}登记机动车{}；{}",
                    amount.map(|a| format!("，价格{a}")).unwrap_or_default(),
                    if params.dibao_vehicles_allowed {
                        "请核实家庭财产"
                    } else {
                        "按规定拥有机动车不能享受城市低保（2.1.b），请复核"
                    }
                )),
            )
        }
        FeedKind::RealEstate => alert(
            AlertRule::Review,
            AlertLevel::Amber,
            with_detail(format!("{who}于{date}登记不动产，请核实家庭财产后复核")),
        ),
        FeedKind::Business => alert(
            AlertRule::Review,
            AlertLevel::Amber,
            with_detail(format!(
                "{who}于{date}登记市场主体{}，请核实经营收入后复核",
                amount
                    .map(|a| format!("（注册资本{a}）"))
                    .unwrap_or_default()
            )),
        ),
        FeedKind::Wages | FeedKind::Pension => {
            let members = record.members.len().max(1) as i64;
            let monthly = r.amount_fen.unwrap_or(0);
            let standard = params.dibao_standard.fen();
            let what = if kind == FeedKind::Wages {
                "月工资"
            } else {
                "月养老金（社保待遇）"
            };
            let over = record.household.fields.category == Category::Dibao
                && monthly / members >= standard;
            alert(
                AlertRule::Review,
                if over {
                    AlertLevel::Amber
                } else {
                    AlertLevel::Green
                },
                with_detail(if over {
                    format!(
                        "{who}{what}{}，仅此一项家庭人均已达城市低保标准{}，请复核",
                        amount.unwrap_or_default(),
                        params.dibao_standard
                    )
                } else {
                    format!(
                        "{who}{what}{}，请录入家庭收入，到期复核时计入",
                        amount.unwrap_or_default()
                    )
                }),
            )
        }
        FeedKind::Hospital => alert(
            AlertRule::Medical,
            AlertLevel::Amber,
            with_detail(format!(
                "{who}住院，{date}出院，个人自付{}：可申请医疗救助（2.4）；自付较多时测算支出型低保（2.1.b）",
                amount.unwrap_or_default()
            )),
        ),
        FeedKind::School => {
            let recorded = member.and_then(|m| m.fields.school_stage);
            alert(
                AlertRule::School,
                if recorded.is_none() {
                    AlertLevel::Amber
                } else {
                    AlertLevel::Green
                },
                with_detail(format!(
                    "学籍：{who}于{date}入学；档案在学阶段为{}，核对后分类救助（2.1.a）和教育救助（2.5）随之变化",
                    recorded.map_or("未登记", |s| s.label())
                )),
            )
        }
        FeedKind::Disability => {
            let severe = detail.contains("一级") || detail.contains("二级");
            let tekun = record.household.fields.category == Category::Tekun;
            alert(
                AlertRule::Disability,
                if severe {
                    AlertLevel::Amber
                } else {
                    AlertLevel::Green
                },
                with_detail(if severe && tekun {
                    format!(
                        "{who}于{date}办理残疾人证：重度残疾的特困人员，集中供养候选（2.2.b），并核对分类救助"
                    )
                } else {
                    format!("{who}于{date}办理残疾人证：核对残疾情况，分类救助随之变化（2.1.a）")
                }),
            )
        }
    }
}

/// The digest of a batch of records (for the API, whose batches have no file).
pub fn records_digest(kind: FeedKind, records: &[FeedRecord]) -> String {
    let mut h = Sha256::new();
    h.update(kind.code().as_bytes());
    for r in records {
        h.update(
            format!(
                "\n{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{}",
                r.record_id, r.id_number, r.name, r.birth, r.date, r.amount_fen, r.detail
            )
            .as_bytes(),
        );
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A department's record shown without the person's name or number in full.
fn shown(r: &FeedRecord) -> String {
    let name = doudi_core::PersonName::parse(&r.name).map_or_else(
        |_| {
            if r.name.trim().is_empty() {
                "（无姓名）".to_owned()
            } else {
                "（姓名无法识别）".to_owned()
            }
        },
        |n| n.masked(),
    );
    let id: String = {
        let n = IdNumber::normalise(&r.id_number);
        let chars: Vec<char> = n.chars().filter(|c| !c.is_whitespace()).collect();
        match chars.len() {
            0 => "（无身份证号码）".to_owned(),
            l if l > 8 => format!(
                "{}{}{}",
                chars[..4].iter().collect::<String>(),
                "*".repeat(l - 8),
                chars[l - 4..].iter().collect::<String>()
            ),
            l => "*".repeat(l),
        }
    };
    format!("{name} {id}")
}

impl App {
    /// How the department's files of `kind` name their columns (the usual names when unset).
    pub async fn feed_mapping(&self, kind: FeedKind) -> Result<FeedMapping, Error> {
        Ok(self
            .store()
            .feed_mapping(kind)
            .await?
            .map(|t| FeedMapping::from_text(&t))
            .unwrap_or_default())
    }

    /// Sets how the department's files of `kind` name their columns.
    pub async fn set_feed_mapping(
        &self,
        actor: &Actor,
        kind: FeedKind,
        mapping: &FeedMapping,
    ) -> Result<(), Error> {
        Ok(self
            .store()
            .put_feed_mapping(actor, kind, &mapping.to_text())
            .await?)
    }

    /// Imports a department file of `kind` (`name` says CSV or XLSX): the same file again
    /// changes nothing; a file with bad rows is refused whole, every bad row named.
    pub async fn import_feed_file(
        &self,
        actor: &Actor,
        kind: FeedKind,
        name: &str,
        bytes: &[u8],
    ) -> Result<FeedReport, Error> {
        if !may_import(actor, kind) {
            return Err(StoreError::Forbidden.into());
        }
        let digest = hex(&Sha256::digest(bytes));
        if let Some(import) = self.store().feed_imported(kind, &digest).await? {
            return self.resume_feed(import).await;
        }
        let mapping = self.feed_mapping(kind).await?;
        let read = read::read_file(name, bytes)
            .map_err(|e| refused(e.into()))
            .and_then(|sheet| {
                feed::parse_feed(&sheet, kind, &mapping, self.today()).map_err(refused)
            });
        let records = match read {
            Ok(records) => records,
            Err(e) => {
                // A refused file is recorded too (who, when, which, how many problems); nothing
                // of it is kept.
                let problems = match &e {
                    Error::Fields(rows) => rows.len(),
                    _ => 1,
                };
                self.store()
                    .record_audit(
                        actor,
                        doudi_store::AuditAction::Import,
                        &format!("feeds:{}", kind.code()),
                        &format!(
                            "导入{}未成功（{}）：{problems}处问题，未导入任何记录",
                            kind.label(),
                            name.chars().take(60).collect::<String>()
                        ),
                    )
                    .await?;
                return Err(e);
            }
        };
        self.import_feed(actor, kind, name, &digest, &records).await
    }

    /// Imports records of `kind` (from a file read by [`App::import_feed_file`], or the API's
    /// batch with [`records_digest`]): each is matched, the matched ones raise their alerts,
    /// and all of it is kept in one transaction; then deaths certain by identity number and
    /// name are recorded.
    pub async fn import_feed(
        &self,
        actor: &Actor,
        kind: FeedKind,
        source: &str,
        digest: &str,
        records: &[FeedRecord],
    ) -> Result<FeedReport, Error> {
        if !may_import(actor, kind) {
            return Err(StoreError::Forbidden.into());
        }
        if let Some(import) = self.store().feed_imported(kind, digest).await? {
            return self.resume_feed(import).await;
        }
        let today = self.today();
        let problems: Vec<(&'static str, String)> = records
            .iter()
            .flat_map(|r| {
                feed::check_record(kind, r, today)
                    .into_iter()
                    .map(move |(field, m)| {
                        (
                            "records",
                            format!("第{}条「{}」：{m}", r.row, field.label(kind)),
                        )
                    })
            })
            .collect();
        if !problems.is_empty() {
            return Err(Error::Fields(problems));
        }
        // The whole registry, read as the system (recorded as a bulk read), whatever the
        // importer may see: matching needs everyone, and nothing of it is shown to them.
        let reader = Actor::system("部门数据比对");
        let registry = Registry::of(
            self.store()
                .records(
                    &reader,
                    &HouseholdFilter {
                        include_exited: false,
                        ..HouseholdFilter::default()
                    },
                )
                .await?,
        );
        let mut kept = Vec::with_capacity(records.len());
        let identities: Vec<String> = records.iter().map(identity).collect();
        let remembered = self.store().link_decisions(&identities).await?;
        let links = link_all(&registry, kind, records, &remembered, today);
        // The parameters of each month records fall in, resolved once.
        let mut resolved: HashMap<Month, Resolved> = HashMap::new();
        for (r, l) in records.iter().zip(links) {
            let alert = match l.person {
                Some((person, household)) => {
                    let record = &registry.households[&household];
                    let month = r.date.map_or(Month::of(today), Month::of);
                    let params = match resolved.entry(month) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(self.resolved(month)?)
                        }
                    };
                    // A death changes payments, so only a certain one is acted on as it
                    // stands; for the other kinds an accepted match is enough.
                    let acted_on = if kind == FeedKind::Death {
                        l.certain
                    } else {
                        l.accepted
                    };
                    Some(if acted_on {
                        rule(kind, r, record, person, params)
                    } else {
                        let what = rule(kind, r, record, person, params);
                        NewAlert {
                            rule: AlertRule::Match,
                            level: if kind == FeedKind::Death {
                                AlertLevel::Red
                            } else {
                                AlertLevel::Amber
                            },
                            reason: format!(
                                "{}数据疑似本户成员（{}，把握{}‰）：{}。确认是本人后按此办理：{}",
                                kind.label(),
                                shown(r),
                                l.permille,
                                l.evidence,
                                what.reason
                            ),
                        }
                    })
                }
                None => None,
            };
            kept.push(NewFeedRecord {
                record_id: r.record_id.clone(),
                person: l.person,
                permille: l.permille,
                evidence: l.evidence,
                shown: shown(r),
                date: r.date,
                amount_fen: r.amount_fen,
                detail: r.detail.clone(),
                alert,
                identity: identity(r),
            });
        }
        let import = self
            .store()
            .record_feed(
                actor,
                &NewFeedImport {
                    kind,
                    source: source.to_owned(),
                    digest: digest.to_owned(),
                    records: kept,
                },
            )
            .await?;
        // The certain deaths are those whose death alerts were just kept, still new.
        let mut report = self.resume_feed(import).await?;
        report.already = false;
        Ok(report)
    }

    /// An import's report, after recording the deaths it found certain whose alerts are still
    /// new: all of them right after the import, and on a rerun of the same file those a killed
    /// run left (reported as imported before).
    async fn resume_feed(&self, import: FeedImport) -> Result<FeedReport, Error> {
        let pending = self
            .store()
            .pending_deaths(&Actor::system("部门数据（死亡信息）"), import.id)
            .await?;
        let (deaths, deaths_left) = self.apply_deaths(&pending).await?;
        Ok(FeedReport {
            import,
            already: true,
            deaths,
            deaths_left,
        })
    }

    /// Records the deaths certain by identity number and name, each closing its alert with what
    /// was done in the death's own transaction; a death that cannot be recorded (a date after
    /// today, the household changed) leaves its alert open for the caseworker.
    async fn apply_deaths(
        &self,
        deaths: &[PendingDeath],
    ) -> Result<(Vec<String>, Vec<String>), Error> {
        let system = Actor::system("部门数据（死亡信息）");
        let (mut done, mut left) = (Vec::new(), Vec::new());
        for PendingDeath {
            alert,
            person,
            household,
            died_on,
            record_id,
        } in deaths
        {
            let Some(date) = died_on else { continue };
            let version = self
                .store()
                .household(&system, *household)
                .await?
                .household
                .version;
            match self
                .record_death_answering(&system, *person, *household, version, *date, Some(*alert))
                .await
            {
                Ok(effect) => {
                    let outcome = crate::casework::death_outcome(
                        *date,
                        matches!(effect, DeathEffect::Stopped(_)),
                    );
                    done.push(format!("记录{record_id}：{outcome}"));
                }
                Err(e) => left.push(format!(
                    "记录{record_id}：未能自动登记（{e}），请经办人处理"
                )),
            }
        }
        Ok((done, left))
    }

    /// Scans the whole registry for what no department sends (the county approver, or the
    /// system on a schedule): a dibao member who reaches the aged extra's age this month (2.1.a:
    /// the frozen amount must be decided again), and zero-employment households (2.7). An alert
    /// raised before is not raised again.
    pub async fn scan_registry(&self, actor: &Actor) -> Result<ScanReport, Error> {
        if !matches!(
            actor.role,
            doudi_core::Role::CountyApprover | doudi_core::Role::System
        ) {
            return Err(StoreError::Forbidden.into());
        }
        let today = self.today();
        let month = Month::of(today);
        let r = self.resolved(month)?;
        let aged = u32::try_from(r.dibao_extra_aged_from).unwrap_or(u32::MAX);
        let reader = Actor::system("全县档案扫描");
        let records = self
            .store()
            .records(&reader, &HouseholdFilter::default())
            .await?;
        let last_day = month.plus(1).first_day().pred_opt().unwrap_or(today);
        let mut alerts = Vec::new();
        for record in &records {
            let id = record.household.id;
            if record.household.fields.category == Category::Dibao {
                for m in &record.members {
                    let birth = m.fields.id_number.birth_date();
                    let turns = chrono::Datelike::month(&birth) == month.number()
                        && doudi_core::person::age_on(birth, last_day) == aged;
                    if turns {
                        alerts.push(ScanAlert {
                            household: id,
                            person: Some(m.id),
                            alert: NewAlert {
                                rule: AlertRule::Aged,
                                level: AlertLevel::Amber,
                                reason: format!(
                                    "{}于{month}年满{aged}岁：自本月起享受高龄分类救助（{}），已批准的金额须重新核定［依据 2.1.a］",
                                    m.fields.name.masked(),
                                    r.dibao_extra_aged
                                ),
                            },
                            dedupe: format!("aged:{}", m.id.0),
                        });
                    }
                }
            }
            if doudi_core::discovery::zero_employment(record, today) {
                let able = record
                    .members
                    .iter()
                    .filter(|m| doudi_core::discovery::able_and_willing(&m.fields, today))
                    .count();
                alerts.push(ScanAlert {
                    household: id,
                    person: None,
                    alert: NewAlert {
                        rule: AlertRule::ZeroEmployment,
                        level: AlertLevel::Amber,
                        reason: format!(
                            "零就业家庭：{able}名劳动年龄成员有劳动能力和就业意愿，无人就业；请推荐岗位、安排培训或公益性岗位［依据 2.7］"
                        ),
                    },
                    dedupe: format!("zero:{}:{}", id.0, month.year()),
                });
            }
        }
        let raised = self.store().raise_alerts(actor, &alerts).await?;
        Ok(ScanReport {
            households: records.len(),
            found: alerts.len(),
            raised,
        })
    }

    /// Economic-status verification (经济状况核对, 4.2.b): what the household declared against
    /// what departments say of its members, each difference in words (the member masked, the
    /// department's figure, the file's). A record a caseworker said was not the member is not
    /// used.
    pub async fn verify_finances(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<Difference>, Error> {
        let store = self.store();
        let record = store.household(actor, household).await?;
        let linked = store.linked_records(actor, household).await?;
        let mut out = Vec::new();
        for r in linked {
            // A member no longer in the household (a death recorded) has nothing to verify.
            let Some(m) = record.members.iter().find(|m| m.id == r.person) else {
                continue;
            };
            let who = m.fields.name.masked();
            let amount = r.amount_fen.map(Money::from_fen);
            let date = r.date.map(|d| d.to_string()).unwrap_or_default();
            let month = r.date.map(Month::of);
            let sure = if r.permille >= 900 {
                String::new()
            } else {
                format!("（比对把握{}‰，须核实是否本人）", r.permille)
            };
            let said = |text: String| Difference {
                kind: r.kind,
                text: format!("{text}{sure}"),
            };
            match r.kind {
                FeedKind::Wages | FeedKind::Pension => {
                    let (Some(month), Some(amount)) = (month, amount) else {
                        continue;
                    };
                    let kind = if r.kind == FeedKind::Wages {
                        doudi_core::IncomeKind::Wages
                    } else {
                        doudi_core::IncomeKind::Pension
                    };
                    let declared = record
                        .incomes
                        .iter()
                        .filter(|i| i.person == m.id && i.month == month && i.kind == kind)
                        .fold(Money::ZERO, |sum, i| sum.saturating_add(i.amount));
                    if declared != amount {
                        out.push(said(format!(
                            "{who} {month}{}：部门数据{amount}，档案登记{declared}",
                            kind.label()
                        )));
                    }
                }
                FeedKind::Vehicle | FeedKind::RealEstate | FeedKind::Business => {
                    let asset = match r.kind {
                        FeedKind::Vehicle => doudi_core::AssetKind::Vehicle,
                        FeedKind::RealEstate => doudi_core::AssetKind::Property,
                        _ => doudi_core::AssetKind::Business,
                    };
                    if !record.assets.iter().any(|a| a.kind == asset) {
                        out.push(said(format!(
                            "{who}于{date}{}{}，档案未登记{}",
                            r.kind.label(),
                            if r.detail.is_empty() {
                                String::new()
                            } else {
                                format!("（{}）", r.detail)
                            },
                            asset.label()
                        )));
                    }
                }
                FeedKind::Hospital => {
                    let (Some(month), Some(amount)) = (month, amount) else {
                        continue;
                    };
                    let declared = record
                        .expenses
                        .iter()
                        .filter(|e| {
                            e.person == m.id
                                && e.month == month
                                && e.kind == doudi_core::ExpenseKind::Medical
                        })
                        .fold(Money::ZERO, |sum, e| sum.saturating_add(e.amount));
                    if declared < amount {
                        out.push(said(format!(
                            "{who} {month}住院自付：部门数据{amount}，档案登记自付医疗费{declared}"
                        )));
                    }
                }
                FeedKind::School if m.fields.school_stage.is_none() => {
                    out.push(said(format!(
                        "{who}学籍在学（{}，{date}入学），档案未登记在学阶段",
                        r.detail
                    )));
                }
                FeedKind::Disability if m.fields.disability.is_none() => {
                    out.push(said(format!(
                        "{who}于{date}办理残疾人证（{}），档案未登记残疾情况",
                        r.detail
                    )));
                }
                FeedKind::Death => {
                    out.push(said(format!(
                        "部门死亡信息：{who}于{date}死亡，仍在家庭成员中"
                    )));
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// The near-poor watch list (支出型困难 边缘人群): people the platform does not know whose
    /// hospital bill alone is at least the dibao standard over the expenditure test's whole
    /// window (2.1.b: six months of the standard, this month's parameters), so that hardship is
    /// found before it is applied for. Returns the threshold with the list (the county
    /// approver).
    pub async fn watch_list(
        &self,
        actor: &Actor,
    ) -> Result<(Money, Vec<doudi_store::discovery::UnmatchedRecord>), Error> {
        let r = self.resolved(Month::of(self.today()))?;
        let months = r.dibao_expenditure_window_months.max(1);
        let threshold = Money::from_fen(r.dibao_standard.fen().saturating_mul(months));
        let list = self
            .store()
            .unmatched_records(actor, FeedKind::Hospital, threshold.fen())
            .await?;
        Ok((threshold, list))
    }

    /// The alerts the actor may see.
    pub async fn alerts(&self, actor: &Actor, filter: &AlertFilter) -> Result<Vec<Alert>, Error> {
        Ok(self.store().alerts(actor, filter).await?)
    }

    /// How many alerts of the actor's scope are open, and how many of those are red.
    pub async fn open_alert_counts(&self, actor: &Actor) -> Result<(u64, u64), Error> {
        Ok(self.store().open_alert_counts(actor).await?)
    }

    /// Moves an alert on: in progress, done with its outcome, dismissed with its reason.
    pub async fn update_alert(
        &self,
        actor: &Actor,
        alert: i64,
        state: AlertState,
        outcome: &str,
    ) -> Result<Alert, Error> {
        Ok(self
            .store()
            .update_alert(actor, alert, state, outcome)
            .await?)
    }
}
