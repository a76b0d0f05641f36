//! The work dashboard over time (4.4), 两不愁三保障 per household (1.3) and the classified
//! ledgers (4.2.a).
//!
//! The dashboard sums in the database what grows with the months (entitlement periods open in
//! each month, payment lines, households by cause and need: `Store::dashboard_tallies`), and
//! takes its KPIs from the modules that own them: the departments' figures
//! ([`App::township_figures`]), centralised care of 失能 tekun ([`App::care_kpi`]), pairing and
//! visit coverage ([`App::coverage`]) and cases past their working-day limit (the work list).
//! Everything is within the reader's scope; a county reader may narrow it to one township.
//! Only counts leave [`App::dashboard`]; the guarantee list and the ledgers carry names and
//! identity numbers masked per the reader's visibility for lists.

use std::collections::{BTreeMap, HashMap, HashSet};

use doudi_core::access::{Purpose, Shown};
use doudi_core::guarantees::{self, Dimension, GuaranteeFacts, Unmet};
use doudi_core::{
    Actor, Category, DivisionCode, HouseholdId, HouseholdRecord, Money, Month, Need, Person,
    PovertyCause, Scope,
};
use doudi_policy::params::Ratio;
use doudi_policy::tekun::CentralisationKpi;
use doudi_store::dashboard::may_read_dashboard;
use doudi_store::{AuditAction, HouseholdFilter, StoreError};

use crate::{App, Error};

/// How many months the dashboard looks back, the chosen month included.
pub const MONTHS: u32 = 12;

/// Households and people by category in one month (entitlement periods open in it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryMonth {
    /// The month.
    pub month: Month,
    /// Dibao households.
    pub dibao_households: u32,
    /// Their people.
    pub dibao_people: u32,
    /// Tekun households.
    pub tekun_households: u32,
    /// Their people.
    pub tekun_people: u32,
}

/// Payment lines of one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentMonth {
    /// The month.
    pub month: Month,
    /// Lines in all.
    pub lines: u32,
    /// Their amount.
    pub amount: Money,
    /// Dibao amount.
    pub dibao: Money,
    /// Tekun amount.
    pub tekun: Money,
    /// Disaster reliefs (2.3).
    pub relief: Money,
}

/// One township's KPIs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TownshipKpis {
    /// Township code.
    pub township: String,
    /// Current households.
    pub households: u32,
    /// Their members.
    pub members: u32,
    /// Centralised care of 失能 tekun against the year's target (2.2.b).
    pub care: Option<CentralisationKpi>,
    /// Members signed with a family doctor (2.4).
    pub family_doctor: u32,
    /// Zero-employment households (2.7).
    pub zero_employment: u32,
    /// Households with a paired cadre (4.3).
    pub paired: u32,
    /// Households visited in the last 90 days (4.3).
    pub visited: u32,
    /// Education items owed this term and not delivered (2.5).
    pub undelivered_items: u32,
    /// This year's inpatient cost, total and out of catalogue (2.4).
    pub stay_total: Money,
    /// Out-of-catalogue part.
    pub out_of_catalogue: Money,
    /// Whether the share is over the limit, decided exactly.
    pub out_over_limit: bool,
    /// Open cases past their working-day limit (4.2.b).
    pub overdue: u32,
}

impl TownshipKpis {
    fn new(township: &str) -> TownshipKpis {
        TownshipKpis {
            township: township.to_owned(),
            households: 0,
            members: 0,
            care: None,
            family_doctor: 0,
            zero_employment: 0,
            paired: 0,
            visited: 0,
            undelivered_items: 0,
            stay_total: Money::ZERO,
            out_of_catalogue: Money::ZERO,
            out_over_limit: false,
            overdue: 0,
        }
    }
}

/// The dashboard of a scope over the months up to one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    /// The last month shown.
    pub month: Month,
    /// The township asked for, if any.
    pub township: Option<DivisionCode>,
    /// By category, oldest month first.
    pub categories: Vec<CategoryMonth>,
    /// Current households per cause of poverty (a household counts under each of its causes).
    pub causes: Vec<(PovertyCause, u32)>,
    /// Current households per need.
    pub needs: Vec<(Need, u32)>,
    /// Payments, oldest month first.
    pub payments: Vec<PaymentMonth>,
    /// KPIs per township, in code order.
    pub kpis: Vec<TownshipKpis>,
    /// The year whose centralisation target applies.
    pub care_year: i32,
    /// The out-of-catalogue ceiling in force today (2.4: 15%).
    pub out_limit: Ratio,
    /// The days a visit counts as recent.
    pub visit_days: u32,
    /// When these figures were computed (they are served for [`FRESH_MINUTES`] after).
    pub built_at: chrono::DateTime<chrono::Utc>,
}

/// How long a computed dashboard is served before it is computed again, in minutes. A
/// county's dashboard reads every file (about 10 s for 100,000 households): it is computed at
/// most once per scope and month in this time, and the server computes the county's in the
/// background so that a leader's first look is served at once too.
pub const FRESH_MINUTES: i64 = 10;

/// What a computed dashboard is kept under: the reader's scope, the township asked for (the
/// dashboard names it) and the month.
type Key = (String, Option<String>, Month);

/// What a computed 两不愁三保障 is kept under: the reader's role, scope and township.
type GuaranteesKey = (String, String, Option<String>);

/// The dashboards computed lately, by scope and month, and the lock that lets one computation
/// run at a time (a second reader waits for it instead of starting another).
#[derive(Default)]
pub(crate) struct Built {
    kept: Kept<Key, Dashboard>,
    /// 两不愁三保障 by the reader's role (the names in its list are masked for the role),
    /// scope and township.
    guarantees: Kept<GuaranteesKey, Guarantees>,
    computing: tokio::sync::Mutex<()>,
}

/// Figures that say when they were computed.
trait Stamped: Clone {
    fn built_at(&self) -> chrono::DateTime<chrono::Utc>;
}

impl Stamped for Dashboard {
    fn built_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.built_at
    }
}

impl Stamped for Guarantees {
    fn built_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.built_at
    }
}

/// Computed figures by key, each served for [`FRESH_MINUTES`] after it was computed.
struct Kept<K, V>(std::sync::Mutex<HashMap<K, V>>);

impl<K, V> Default for Kept<K, V> {
    fn default() -> Self {
        Kept(std::sync::Mutex::new(HashMap::new()))
    }
}

impl<K: std::hash::Hash + Eq, V: Stamped> Kept<K, V> {
    /// Whether figures computed at `built_at` are still served at `now`.
    fn fresh(built_at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> bool {
        now - built_at < chrono::TimeDelta::minutes(FRESH_MINUTES)
    }

    /// The figures kept under `key`, if they are still fresh at `now`.
    fn get(&self, key: &K, now: chrono::DateTime<chrono::Utc>) -> Option<V> {
        self.0
            .lock()
            .ok()
            .and_then(|kept| kept.get(key).cloned())
            .filter(|v| Self::fresh(v.built_at(), now))
    }

    /// Keeps `value` under `key`, forgetting what is no longer fresh at `now`.
    fn keep(&self, key: K, value: V, now: chrono::DateTime<chrono::Utc>) {
        if let Ok(mut kept) = self.0.lock() {
            kept.retain(|_, v| Self::fresh(v.built_at(), now));
            kept.insert(key, value);
        }
    }
}

/// A household failing one or more dimensions of 1.3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failing {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Township code.
    pub township: String,
    /// Community code.
    pub community: String,
    /// Category.
    pub category: Category,
    /// The head's name as the reader may see it in a list.
    pub head: String,
    /// What it fails and why.
    pub unmet: Vec<Unmet>,
}

/// One township's households failing each dimension.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuaranteeCounts {
    /// Township code.
    pub township: String,
    /// Current households.
    pub households: u32,
    /// Per dimension in [`Dimension::ALL`] order, households failing it.
    pub unmet: [u32; 5],
}

/// 两不愁三保障 across the reader's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guarantees {
    /// Per township, in code order.
    pub townships: Vec<GuaranteeCounts>,
    /// Every household failing a dimension, by township and file number.
    pub failing: Vec<Failing>,
    /// When this was computed (it is served for [`FRESH_MINUTES`] after).
    pub built_at: chrono::DateTime<chrono::Utc>,
}

/// Which classified ledger (4.2.a).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerKind {
    /// 城市低保对象台账, per household.
    Dibao,
    /// 城市特困人员台账, per person.
    Tekun,
    /// 致困原因分类台账.
    Causes,
    /// 帮扶需求分类台账.
    Needs,
    /// 乡镇汇总台账.
    Townships,
}

impl LedgerKind {
    /// Every ledger, in the order the page lists them.
    pub const ALL: [LedgerKind; 5] = [
        LedgerKind::Dibao,
        LedgerKind::Tekun,
        LedgerKind::Causes,
        LedgerKind::Needs,
        LedgerKind::Townships,
    ];

    /// Its code in URLs.
    pub fn code(self) -> &'static str {
        match self {
            LedgerKind::Dibao => "dibao",
            LedgerKind::Tekun => "tekun",
            LedgerKind::Causes => "causes",
            LedgerKind::Needs => "needs",
            LedgerKind::Townships => "townships",
        }
    }

    /// Its Chinese title.
    pub fn title(self) -> &'static str {
        match self {
            LedgerKind::Dibao => "城市低保对象台账",
            LedgerKind::Tekun => "城市特困人员台账",
            LedgerKind::Causes => "致困原因分类台账",
            LedgerKind::Needs => "帮扶需求分类台账",
            LedgerKind::Townships => "乡镇汇总台账",
        }
    }

    /// The ledger of a code.
    pub fn parse(code: &str) -> Option<LedgerKind> {
        LedgerKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Its column headers, as county staff lay it out.
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            LedgerKind::Dibao => &[
                "乡镇（街道）",
                "社区",
                "户编号",
                "户主",
                "身份证号",
                "家庭人口",
                "保障人数",
                "月保障金（元）",
                "起始月份",
                "致困原因",
            ],
            LedgerKind::Tekun => &[
                "乡镇（街道）",
                "社区",
                "户编号",
                "姓名",
                "身份证号",
                "供养方式",
                "供养机构",
                "自理能力",
                "月供养金（元）",
                "起始月份",
            ],
            LedgerKind::Causes => &[
                "致困原因",
                "乡镇（街道）",
                "社区",
                "户编号",
                "户主",
                "身份证号",
                "救助类别",
                "家庭人口",
            ],
            LedgerKind::Needs => &[
                "帮扶需求",
                "乡镇（街道）",
                "社区",
                "户编号",
                "户主",
                "身份证号",
                "救助类别",
                "家庭人口",
            ],
            LedgerKind::Townships => &[
                "乡镇（街道）",
                "低保户数",
                "低保人数",
                "低保月保障金（元）",
                "特困户数",
                "特困人数",
                "特困月供养金（元）",
                "合计户数",
                "合计人数",
                "合计月金额（元）",
            ],
        }
    }
}

/// A ledger's rows: division codes in the first columns are kept as codes for the caller to
/// name (`township`/`community` columns by index), the rest is text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ledger {
    /// Which ledger.
    pub kind: LedgerKind,
    /// Rows of cells, as many as [`LedgerKind::headers`].
    pub rows: Vec<Vec<String>>,
}

/// The reader's scope narrowed to `township` when asked; a township outside the scope is
/// refused.
fn narrowed(actor: &Actor, township: Option<&DivisionCode>) -> Result<Actor, Error> {
    let Some(t) = township else {
        return Ok(actor.clone());
    };
    if !t.as_str().starts_with(actor.scope.prefix()) {
        return Err(Error::invalid("township", "乡镇（街道）不在您的工作范围内"));
    }
    Ok(Actor {
        scope: Scope::Division(t.clone()),
        ..actor.clone()
    })
}

/// Reads a township filter given as text: empty means every township of the scope.
pub fn parse_township(text: Option<&str>) -> Result<Option<DivisionCode>, Error> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => {
            let code = DivisionCode::parse(s)
                .map_err(|_| Error::invalid("township", "乡镇（街道）代码无效"))?;
            if code.is_community() {
                return Err(Error::invalid("township", "请选择乡镇（街道），不是社区"));
            }
            Ok(Some(code))
        }
    }
}

/// The head's (or a member's) name as a list shows it to `actor`.
fn list_name(actor: &Actor, person: Option<&Person>) -> String {
    match (actor.visibility(Purpose::List).names, person) {
        (_, None) | (Shown::Hidden, _) => "—".into(),
        (Shown::Masked, Some(p)) => p.fields.name.masked(),
        (Shown::Full, Some(p)) => p.fields.name.as_str().to_owned(),
    }
}

/// An identity number as a list shows it to `actor` (never in full in a list).
fn list_id(actor: &Actor, person: Option<&Person>) -> String {
    match (actor.visibility(Purpose::List).identifiers, person) {
        (_, None) | (Shown::Hidden, _) => "—".into(),
        (_, Some(p)) => p.fields.id_number.masked(),
    }
}

/// Yuan with two decimals, for ledger cells.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

impl App {
    /// The dashboard of the actor's scope (or one township of it) for the 12 months up to
    /// `month` (this month when `None`). Counts only.
    ///
    /// A dashboard of the same scope and month computed in the last [`FRESH_MINUTES`] is served
    /// as it was (its `built_at` says when), and the reading is recorded under the actor.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        township: Option<&DivisionCode>,
        month: Option<Month>,
    ) -> Result<Dashboard, Error> {
        if !may_read_dashboard(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let today = self.today();
        let month = month.unwrap_or_else(|| Month::of(today));
        if month > Month::of(today) {
            return Err(Error::invalid("month", "月份不能晚于本月"));
        }
        let reader = narrowed(actor, township)?;
        let key = (
            format!("{:?}", reader.scope),
            township.map(ToString::to_string),
            month,
        );
        if let Some(kept) = self.kept_dashboard(&key, actor).await? {
            return Ok(kept);
        }
        let _turn = self.dashboards.computing.lock().await;
        if let Some(kept) = self.kept_dashboard(&key, actor).await? {
            return Ok(kept);
        }
        let built = self.compute_dashboard(&reader, township, month).await?;
        self.dashboards.kept.keep(key, built.clone(), self.now());
        Ok(built)
    }

    /// Computes the county's dashboard for this month ahead of its readers (the server does so
    /// every few minutes): counts only, read as the system.
    pub async fn prepare_dashboard(&self) -> Result<(), Error> {
        let county = Actor {
            role: doudi_core::Role::CountyApprover,
            scope: doudi_core::Scope::County,
            ..Actor::system("工作看板预先计算")
        };
        let reader = narrowed(&county, None)?;
        let month = Month::of(self.today());
        let key = (format!("{:?}", reader.scope), None, month);
        {
            let _turn = self.dashboards.computing.lock().await;
            let built = self.compute_dashboard(&reader, None, month).await?;
            self.dashboards.kept.keep(key, built, self.now());
        }
        // 两不愁三保障 of the county for the two roles that read it whole.
        for role in [doudi_core::Role::CountyApprover, doudi_core::Role::Auditor] {
            let reader = Actor {
                role,
                ..county.clone()
            };
            let _turn = self.dashboards.computing.lock().await;
            let built = self.compute_guarantees(&reader, None).await?;
            let key = (role.code().to_owned(), format!("{:?}", reader.scope), None);
            self.dashboards.guarantees.keep(key, built, self.now());
        }
        Ok(())
    }

    /// A dashboard computed lately for this scope and month, its reading recorded under the
    /// actor; `None` when there is none or it is older than [`FRESH_MINUTES`].
    async fn kept_dashboard(&self, key: &Key, actor: &Actor) -> Result<Option<Dashboard>, Error> {
        let kept = self.dashboards.kept.get(key, self.now());
        if let Some(d) = &kept {
            self.store()
                .record_audit(
                    actor,
                    doudi_store::AuditAction::List,
                    "dashboard",
                    &format!(
                        "工作看板（{}计算的统计数）",
                        d.built_at.format("%H:%M:%S UTC")
                    ),
                )
                .await?;
        }
        Ok(kept)
    }

    /// Computes the dashboard of `reader`'s scope (see [`App::dashboard`]).
    async fn compute_dashboard(
        &self,
        reader: &Actor,
        township: Option<&DivisionCode>,
        month: Month,
    ) -> Result<Dashboard, Error> {
        let today = self.today();
        let reader = reader.clone();
        let mut months: Vec<Month> = (0..MONTHS).map(|n| month.minus(n)).collect();
        months.reverse();
        months.dedup();
        let tallies = self.store().dashboard_tallies(&reader, &months).await?;

        let mut categories: BTreeMap<Month, CategoryMonth> = months
            .iter()
            .map(|&m| {
                (
                    m,
                    CategoryMonth {
                        month: m,
                        dibao_households: 0,
                        dibao_people: 0,
                        tekun_households: 0,
                        tekun_people: 0,
                    },
                )
            })
            .collect();
        for t in &tallies.periods {
            if let Some(c) = categories.get_mut(&t.month) {
                match Category::parse(&t.program) {
                    Ok(Category::Dibao) => {
                        c.dibao_households += t.households;
                        c.dibao_people += t.people;
                    }
                    Ok(Category::Tekun) => {
                        c.tekun_households += t.households;
                        c.tekun_people += t.people;
                    }
                    Err(_) => {}
                }
            }
        }
        let mut payments: BTreeMap<Month, PaymentMonth> = months
            .iter()
            .map(|&m| {
                (
                    m,
                    PaymentMonth {
                        month: m,
                        lines: 0,
                        amount: Money::ZERO,
                        dibao: Money::ZERO,
                        tekun: Money::ZERO,
                        relief: Money::ZERO,
                    },
                )
            })
            .collect();
        for t in &tallies.payments {
            if let Some(p) = payments.get_mut(&t.month) {
                let amount = Money::from_fen(t.amount_fen);
                p.lines += t.households;
                p.amount = p.amount.saturating_add(amount);
                match t.program.as_str() {
                    "dibao" => p.dibao = p.dibao.saturating_add(amount),
                    "tekun" => p.tekun = p.tekun.saturating_add(amount),
                    _ => p.relief = p.relief.saturating_add(amount),
                }
            }
        }
        let mut causes: BTreeMap<PovertyCause, u32> =
            PovertyCause::ALL.iter().map(|c| (*c, 0)).collect();
        let mut needs: BTreeMap<Need, u32> = Need::ALL.iter().map(|n| (*n, 0)).collect();
        for p in &tallies.profiles {
            for c in &p.causes {
                *causes.entry(*c).or_default() += p.households;
            }
            for n in &p.needs {
                *needs.entry(*n).or_default() += p.households;
            }
        }

        // The KPIs, from the modules that own them, within the narrowed scope.
        let mut kpis: BTreeMap<String, TownshipKpis> = BTreeMap::new();
        let figures = self.township_figures(&reader).await?;
        for f in figures {
            let k = kpis
                .entry(f.township.clone())
                .or_insert_with(|| TownshipKpis::new(&f.township));
            k.households = f.households;
            k.members = f.members;
            k.family_doctor = f.family_doctor;
            k.zero_employment = f.zero_employment;
            k.undelivered_items = f.undelivered_items;
            k.stay_total = f.stay_total;
            k.out_of_catalogue = f.out_of_catalogue;
            k.out_over_limit = f.out_over_limit;
        }
        let care_year = month.year();
        for c in self.care_kpi(&reader, Some(care_year)).await? {
            kpis.entry(c.township.clone())
                .or_insert_with(|| TownshipKpis::new(&c.township))
                .care = Some(c.kpi);
        }
        let coverage = self.coverage(&reader, None).await?;
        for (township, tally) in &coverage.townships {
            let k = kpis
                .entry(township.clone())
                .or_insert_with(|| TownshipKpis::new(township));
            k.paired = u32::try_from(tally.households - tally.first).unwrap_or(u32::MAX);
            k.visited = u32::try_from(tally.households - tally.second).unwrap_or(u32::MAX);
        }
        let work = self
            .store()
            .work_list(&reader, today, &self.case_limits(today))
            .await?;
        for case in &work.overdue {
            let township = case.community.township().as_str().to_owned();
            kpis.entry(township.clone())
                .or_insert_with(|| TownshipKpis::new(&township))
                .overdue += 1;
        }
        // A township without 失能 tekun still shows the year's target (and meets it).
        if let Some(december) = Month::new(care_year, 12) {
            let r = self.resolved(december)?;
            for k in kpis.values_mut().filter(|k| k.care.is_none()) {
                k.care = Some(doudi_policy::tekun::centralisation(
                    &k.township,
                    0,
                    0,
                    &r,
                    &mut doudi_policy::explain::Off,
                ));
            }
        }
        let out_limit = self
            .resolved(Month::of(today))?
            .medical_out_of_catalogue_limit;
        Ok(Dashboard {
            month,
            township: township.cloned(),
            categories: categories.into_values().collect(),
            causes: causes.into_iter().collect(),
            needs: needs.into_iter().collect(),
            payments: payments.into_values().collect(),
            kpis: kpis.into_values().collect(),
            care_year,
            out_limit,
            visit_days: coverage.days,
            built_at: self.now(),
        })
    }

    /// The households of the scope (or one township) read as the system for the counts the
    /// dashboard's lists and ledgers need, and the ids of those receiving support this month.
    async fn current_records(
        &self,
        actor: &Actor,
        township: Option<&DivisionCode>,
        what: &str,
    ) -> Result<
        (
            Vec<HouseholdRecord>,
            HashMap<HouseholdId, (Category, i64, Month)>,
        ),
        Error,
    > {
        if !may_read_dashboard(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let scoped = narrowed(actor, township)?;
        let reader = Actor {
            scope: scoped.scope.clone(),
            ..Actor::system(what)
        };
        let records = self
            .store()
            .records(&reader, &HouseholdFilter::default())
            .await?;
        let open = self
            .store()
            .open_entitlements(&reader, Month::of(self.today()))
            .await?;
        let mut support = HashMap::new();
        for e in open {
            support.insert(e.household, (e.program, e.monthly_fen, e.from));
        }
        Ok((
            records
                .into_iter()
                .filter(|r| r.household.fields.exited_on.is_none())
                .collect(),
            support,
        ))
    }

    /// 两不愁三保障 (1.3) of every current household of the scope (or one township): counts
    /// per township and dimension, and the households failing any, with why.
    ///
    /// Computed at most once per role, scope and township in [`FRESH_MINUTES`] (it reads every
    /// file), and served as computed with each reading recorded.
    pub async fn guarantees(
        &self,
        actor: &Actor,
        township: Option<&DivisionCode>,
    ) -> Result<Guarantees, Error> {
        if !may_read_dashboard(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let scoped = narrowed(actor, township)?;
        let key = (
            actor.role.code().to_owned(),
            format!("{:?}", scoped.scope),
            township.map(ToString::to_string),
        );
        if let Some(kept) = self.kept_guarantees(&key, actor).await? {
            return Ok(kept);
        }
        let _turn = self.dashboards.computing.lock().await;
        if let Some(kept) = self.kept_guarantees(&key, actor).await? {
            return Ok(kept);
        }
        let built = self.compute_guarantees(actor, township).await?;
        self.dashboards
            .guarantees
            .keep(key, built.clone(), self.now());
        Ok(built)
    }

    /// 两不愁三保障 computed lately for this role, scope and township, its reading recorded.
    async fn kept_guarantees(
        &self,
        key: &GuaranteesKey,
        actor: &Actor,
    ) -> Result<Option<Guarantees>, Error> {
        let kept = self.dashboards.guarantees.get(key, self.now());
        if let Some(g) = &kept {
            self.store()
                .record_audit(
                    actor,
                    AuditAction::List,
                    "households",
                    &format!(
                        "查看两不愁三保障（{}计算）：{}户有未保障维度",
                        g.built_at.format("%H:%M:%S UTC"),
                        g.failing.len()
                    ),
                )
                .await?;
        }
        Ok(kept)
    }

    async fn compute_guarantees(
        &self,
        actor: &Actor,
        township: Option<&DivisionCode>,
    ) -> Result<Guarantees, Error> {
        let (records, support) = self
            .current_records(actor, township, "两不愁三保障")
            .await?;
        let today = self.today();
        let standard = self.resolved(Month::of(today))?.dibao_standard;
        let mut townships: BTreeMap<String, GuaranteeCounts> = BTreeMap::new();
        let mut failing = Vec::new();
        for r in &records {
            let fields = &r.household.fields;
            let members: Vec<_> = r.members.iter().map(|m| m.fields.clone()).collect();
            let latest = r.incomes.iter().map(|i| i.month).max();
            let monthly_income = r
                .incomes
                .iter()
                .filter(|i| Some(i.month) == latest)
                .fold(Money::ZERO, |sum, i| sum.saturating_add(i.amount));
            let unmet = guarantees::assess(&GuaranteeFacts {
                members: &members,
                housing: fields.housing,
                receives_support: support.contains_key(&r.household.id),
                monthly_income,
                standard,
                today,
            });
            let t = townships
                .entry(fields.township.to_string())
                .or_insert_with(|| GuaranteeCounts {
                    township: fields.township.to_string(),
                    ..GuaranteeCounts::default()
                });
            t.households += 1;
            for u in &unmet {
                if let Some(i) = Dimension::ALL.iter().position(|d| *d == u.dimension) {
                    t.unmet[i] += 1;
                }
            }
            if !unmet.is_empty() {
                failing.push(Failing {
                    household: r.household.id,
                    number: fields.number.clone(),
                    township: fields.township.to_string(),
                    community: fields.community.to_string(),
                    category: fields.category,
                    head: list_name(actor, r.head()),
                    unmet,
                });
            }
        }
        failing.sort_by(|a, b| (&a.township, &a.number).cmp(&(&b.township, &b.number)));
        self.store()
            .record_audit(
                actor,
                AuditAction::List,
                "households",
                &format!(
                    "查看两不愁三保障：{}户，{}户有未保障维度",
                    records.len(),
                    failing.len()
                ),
            )
            .await?;
        Ok(Guarantees {
            townships: townships.into_values().collect(),
            failing,
            built_at: self.now(),
        })
    }

    /// A classified ledger (4.2.a) of the actor's scope, as of today. Township and community
    /// columns hold codes (the first two columns, or the second and third for the cause and
    /// need ledgers); the caller names them. Recorded as one audit entry with counts only.
    pub async fn ledger(&self, actor: &Actor, kind: LedgerKind) -> Result<Ledger, Error> {
        if !may_read_dashboard(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let (records, support) = self.current_records(actor, None, kind.title()).await?;
        let month_of = |id: &HouseholdId, enrolled: chrono::NaiveDate| {
            support
                .get(id)
                .map_or(Month::of(enrolled), |(_, _, from)| *from)
                .to_string()
        };
        let amount_of = |id: &HouseholdId| support.get(id).map_or(0, |(_, fen, _)| *fen);
        let mut rows: Vec<Vec<String>> = Vec::new();
        match kind {
            LedgerKind::Dibao => {
                for r in records
                    .iter()
                    .filter(|r| r.household.fields.category == Category::Dibao)
                {
                    let f = &r.household.fields;
                    let covered = if support.contains_key(&r.household.id) {
                        r.members.len()
                    } else {
                        0
                    };
                    rows.push(vec![
                        f.township.to_string(),
                        f.community.to_string(),
                        f.number.clone(),
                        list_name(actor, r.head()),
                        list_id(actor, r.head()),
                        r.members.len().to_string(),
                        covered.to_string(),
                        yuan(amount_of(&r.household.id)),
                        month_of(&r.household.id, f.enrolled_on),
                        f.causes
                            .iter()
                            .map(|c| c.label())
                            .collect::<Vec<_>>()
                            .join("、"),
                    ]);
                }
            }
            LedgerKind::Tekun => {
                let modes: HashMap<_, _> = self
                    .store()
                    .care_modes(&Actor {
                        scope: actor.scope.clone(),
                        ..Actor::system(kind.title())
                    })
                    .await?
                    .into_iter()
                    .map(|c| (c.person, c))
                    .collect();
                for r in records
                    .iter()
                    .filter(|r| r.household.fields.category == Category::Tekun)
                {
                    let f = &r.household.fields;
                    for m in &r.members {
                        let care = modes.get(&m.id);
                        let centralised = care.is_some_and(|c| c.centralised);
                        rows.push(vec![
                            f.township.to_string(),
                            f.community.to_string(),
                            f.number.clone(),
                            list_name(actor, Some(m)),
                            list_id(actor, Some(m)),
                            if centralised {
                                "集中供养"
                            } else {
                                "分散供养"
                            }
                            .to_owned(),
                            care.filter(|c| c.centralised)
                                .map_or_else(String::new, |c| c.institution.clone()),
                            m.fields.self_care.label().to_owned(),
                            yuan(amount_of(&r.household.id)),
                            month_of(&r.household.id, f.enrolled_on),
                        ]);
                    }
                }
            }
            LedgerKind::Causes | LedgerKind::Needs => {
                let mut keyed: Vec<(usize, Vec<String>)> = Vec::new();
                for r in &records {
                    let f = &r.household.fields;
                    let labels: Vec<(usize, &str)> = if kind == LedgerKind::Causes {
                        f.causes
                            .iter()
                            .map(|c| {
                                let i = PovertyCause::ALL.iter().position(|x| x == c);
                                (i.unwrap_or(usize::MAX), c.label())
                            })
                            .collect()
                    } else {
                        f.needs
                            .iter()
                            .map(|n| {
                                let i = Need::ALL.iter().position(|x| x == n);
                                (i.unwrap_or(usize::MAX), n.label())
                            })
                            .collect()
                    };
                    for (order, label) in labels {
                        keyed.push((
                            order,
                            vec![
                                label.to_owned(),
                                f.township.to_string(),
                                f.community.to_string(),
                                f.number.clone(),
                                list_name(actor, r.head()),
                                list_id(actor, r.head()),
                                f.category.label().to_owned(),
                                r.members.len().to_string(),
                            ],
                        ));
                    }
                }
                keyed.sort_by(|a, b| (a.0, &a.1[1], &a.1[3]).cmp(&(b.0, &b.1[1], &b.1[3])));
                rows = keyed.into_iter().map(|(_, row)| row).collect();
            }
            LedgerKind::Townships => {
                #[derive(Default)]
                struct Sum {
                    households: [u64; 2],
                    people: [u64; 2],
                    fen: [i64; 2],
                }
                let mut by: BTreeMap<String, Sum> = BTreeMap::new();
                for r in &records {
                    let f = &r.household.fields;
                    let i = usize::from(f.category == Category::Tekun);
                    let s = by.entry(f.township.to_string()).or_default();
                    s.households[i] += 1;
                    s.people[i] += u64::try_from(r.members.len()).unwrap_or(u64::MAX);
                    s.fen[i] = s.fen[i].saturating_add(amount_of(&r.household.id));
                }
                for (township, s) in by {
                    rows.push(vec![
                        township,
                        s.households[0].to_string(),
                        s.people[0].to_string(),
                        yuan(s.fen[0]),
                        s.households[1].to_string(),
                        s.people[1].to_string(),
                        yuan(s.fen[1]),
                        (s.households[0] + s.households[1]).to_string(),
                        (s.people[0] + s.people[1]).to_string(),
                        yuan(s.fen[0].saturating_add(s.fen[1])),
                    ]);
                }
            }
        }
        if matches!(kind, LedgerKind::Dibao | LedgerKind::Tekun) {
            rows.sort_by(|a, b| (&a[0], &a[1], &a[2]).cmp(&(&b[0], &b[1], &b[2])));
        }
        let households: HashSet<&str> = match kind {
            LedgerKind::Townships => HashSet::new(),
            LedgerKind::Causes | LedgerKind::Needs => rows.iter().map(|r| r[3].as_str()).collect(),
            _ => rows.iter().map(|r| r[2].as_str()).collect(),
        };
        self.store()
            .record_audit(
                actor,
                AuditAction::Export,
                "households",
                &format!(
                    "导出{}：{}行，{}户（仅计数）",
                    kind.title(),
                    rows.len(),
                    households.len()
                ),
            )
            .await?;
        Ok(Ledger { kind, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_shows_two_decimals_and_the_sign() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(70_005), "700.05");
        assert_eq!(yuan(-150), "-1.50");
    }

    #[test]
    fn every_ledger_has_its_code_and_headers() {
        for kind in LedgerKind::ALL {
            assert_eq!(LedgerKind::parse(kind.code()), Some(kind));
            assert!(!kind.headers().is_empty());
        }
        assert_eq!(LedgerKind::parse("other"), None);
    }
}
