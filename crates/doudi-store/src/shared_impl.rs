// The implementation of `Store` that the SQLite and PostgreSQL backends share.
//
// This file is not a module: `sqlite.rs` and `postgres.rs` each `include!` it after defining
//
// - `Db`, the sqlx database type, and `Backend`, the store type, which has a `pool` field;
// - `impl crate::backend::Dialect for Backend`: the backend's name, bind limit and key-row lock,
//   its transactions (`begin_read`, `begin_write_raw`), its whole-registry read
//   (`read_snapshots`; PostgreSQL uses `snapshots_through_sqlx` below, a SQLite file has a
//   faster path of its own) and its dialect hooks (`prepare_import`, `after_import`,
//   `lock_audit`, `unlock_audit_rows`, `lock_registry`, `compact`): the contract is that trait,
//   which the compiler checks for both backends;
// - a `keys` field of type `KeyCell`, the data key in use.
//
// Identity numbers, phones and bank accounts are sealed with the data key on their way in
// (`PersonValues::of`, `push_household`) and opened on their way out (`into_person`,
// `into_household`); identity numbers are looked up by their blind indexes (`id_number_bidx`
// for the whole number, `id_tail_bidx` for the last four characters).
//
// The SQL below is written once for both: `$1`-style placeholders (which sqlx's SQLite driver
// also accepts), `RETURNING`, `ON CONFLICT … DO UPDATE`, `LIKE … ESCAPE`, and values bound as
// Rust types that each driver maps to its own column types (dates, timestamps, booleans).
//
// Every household mutation follows one protocol: `lock_for_edit` bumps the household's version
// where it still equals the version the edit was based on (zero rows: conflict or not found),
// which also takes the write lock on the aggregate; then the old state is read, the change
// written, and history recorded, all in the same transaction.
//
// Every change also appends one audit entry in its transaction, as its last statement before the
// commit (`append_audit`), so that the audit lock is held for as short a time as possible. Reads
// run in read-only transactions, so their entry is appended right after, in a short write
// transaction of its own (`Backend::audit_alone`); a read whose entry cannot be written fails.

use std::collections::{HashMap, HashSet};

use crate::backend::Dialect;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::task::Poll;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::facts::Snapshot;
use doudi_core::{
    Actor, Division, DivisionCode, DivisionKind, Household, HouseholdFields, HouseholdId,
    HouseholdRecord, IdNumber, Money, Month, NewHousehold, PersonFields, PersonId, PovertyCause,
    Relation, Role, Scope, Served, Survey, TownshipTable, WorkCapacity,
};
use sqlx::QueryBuilder;
use sqlx::query_builder::Separated;

/// The backend's name, from its [`Dialect`].
const BACKEND: &str = <Backend as Dialect>::NAME;
/// How many values one statement may bind, from the backend's [`Dialect`].
const MAX_BIND_PARAMS: usize = <Backend as Dialect>::MAX_BIND_PARAMS;
/// The lock a writer's read of the data key's row takes, from the backend's [`Dialect`].
const KEY_ROW_LOCK: &str = <Backend as Dialect>::KEY_ROW_LOCK;

use crate::audit::{
    AuditAction, AuditAnchor, AuditEntry, AuditFilter, AuditPage, AuditReport, ChainCheck,
};
use crate::common::{
    self, ASSET_FACT_COLUMNS, AssetRow, Change, ChangeRow, DivisionRow, HOUSEHOLD_COLUMNS,
    HouseholdRow, MemberBrief, MoneyRow, PERSON_COLUMNS, PERSON_FACT_COLUMNS, PERSON_VALUE_COLUMNS,
    PersonRow, PersonValues, Search, SummaryRow, SurveyRow, USER_COLUMNS, Unique, UserRow, covers,
    require_read, require_write,
};
use crate::keys::{Column, Keys};
use crate::{
    AccountChange, CountySetting, FinanceChange, HistoryEntry, HouseholdFilter, HouseholdPage, ImportCounts,
    LoginReservation, NewUser, Page, Pairing, PairingFilter, Rotation, Store, StoreError,
    TownshipCount, UserRecord,
};

/// The data key a store uses, shared by its clones and replaced by a rotation.
pub type KeyCell = Arc<RwLock<Arc<Keys>>>;

/// The message of a read that failed because its audit entry could not be written.
fn audit_not_written(why: String) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!(
        "the read's audit entry was not written: {why}"
    )))
}

/// A key cell holding `keys`.
fn key_cell(keys: Keys) -> KeyCell {
    Arc::new(RwLock::new(Arc::new(keys)))
}

impl Backend {
    /// [`Store::snapshots`] through sqlx: each table read once, in the order it is stored, and
    /// the rows put together by [`common::SnapshotBuilder`]. Whole-table scans cost a fraction
    /// of looking each household's members and figures up through the indexes. Within a scope,
    /// the scans keep to the scope's households.
    async fn snapshots_through_sqlx<'a>(
        &self,
        actor: &'a Actor,
        from: Month,
        until: Month,
    ) -> Result<Vec<Snapshot>, StoreError> {
        use futures_util::TryStreamExt;
        let today = common::today();
        let (from, until) = (from.to_string(), until.to_string());
        let scoped = matches!(actor.scope, Scope::Division(_));
        static NO_FILTER: std::sync::LazyLock<HouseholdFilter> =
            std::sync::LazyLock::new(HouseholdFilter::default);
        let in_scope = |qb: &mut QueryBuilder<'a, Db>| {
            push_list_filter(qb, actor, &NO_FILTER, None, today);
        };
        let mut tx = self.begin_read().await?;
        let mut snapshots = common::SnapshotBuilder::new(self.keys());
        {
            let mut q: QueryBuilder<'_, Db> =
                QueryBuilder::new("SELECT h.id, h.category, h.township FROM households h");
            in_scope(&mut q);
            q.push(" ORDER BY h.id");
            let mut rows = q.build_query_as::<(i64, String, String)>().fetch(&mut *tx);
            while let Some((id, category, township)) = rows.try_next().await? {
                snapshots.household(id, &category, township)?;
            }
        }
        {
            let mut q: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {PERSON_FACT_COLUMNS} FROM persons p"));
            if scoped {
                q.push(" WHERE p.household_id IN (SELECT h.id FROM households h");
                in_scope(&mut q);
                q.push(")");
            }
            type Row = (
                i64,
                i64,
                String,
                Option<String>,
                Option<String>,
                bool,
                Option<String>,
                String,
                bool,
                bool,
                i64,
            );
            let mut rows = q.build_query_as::<Row>().fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                snapshots.person(common::PersonFacts {
                    id: r.0,
                    household: r.1,
                    id_number: &r.2,
                    disability_kind: r.3.as_deref(),
                    disability_grade: r.4.as_deref(),
                    serious_illness: r.5,
                    school_stage: r.6.as_deref(),
                    self_care: &r.7,
                    boarding: r.8,
                    head: r.9,
                    position: r.10,
                })?;
            }
        }
        for table in ["incomes", "expenses"] {
            let kind = if table == "incomes" { "''" } else { "m.kind" };
            let mut q: QueryBuilder<'_, Db> = QueryBuilder::new(format!(
                "SELECT m.person_id, m.month, {kind}, m.amount_fen FROM {table} m WHERE m.month >= "
            ));
            q.push_bind(from.clone())
                .push(" AND m.month < ")
                .push_bind(until.clone());
            if scoped {
                q.push(
                    " AND m.person_id IN (SELECT p.id FROM persons p \
                     WHERE p.household_id IN (SELECT h.id FROM households h",
                );
                in_scope(&mut q);
                q.push("))");
            }
            let mut rows = q
                .build_query_as::<(i64, String, String, i64)>()
                .fetch(&mut *tx);
            while let Some((person, month, kind, fen)) = rows.try_next().await? {
                snapshots.figure(table, person, &month, &kind, fen)?;
            }
        }
        {
            let mut q: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {ASSET_FACT_COLUMNS} FROM assets a"));
            if scoped {
                q.push(" WHERE a.household_id IN (SELECT h.id FROM households h");
                in_scope(&mut q);
                q.push(")");
            }
            q.push(" GROUP BY a.household_id");
            let mut rows = q.build_query_as::<(i64, i64, i64)>().fetch(&mut *tx);
            while let Some((household, savings, vehicles)) = rows.try_next().await? {
                snapshots.assets(household, savings, vehicles)?;
            }
        }
        tx.commit().await?;
        Ok(snapshots.finish())
    }
}

/// A connection of this backend, as a transaction dereferences to.
type Conn = <Db as sqlx::Database>::Connection;

/// A write transaction with the data key it was checked against ([`Backend::begin_write`]),
/// which [`append_audit`] chains its entry with. It dereferences to the connection, like the
/// transaction it wraps.
struct WriteTx {
    tx: sqlx::Transaction<'static, Db>,
    keys: Arc<Keys>,
    /// This process's turn to write, where the backend gives turns ([`Dialect::write_turn`]);
    /// declared after `tx`, so that it is given up only once the transaction is.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTx {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

impl WriteTx {
    /// Commits the transaction.
    async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Rolls the transaction back.
    async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

/// How many values an `IN (…)` list binds at most.
const IN_LIST_CHUNK: usize = 500;

/// The most rows a page of the household list holds.
const MAX_PAGE: i64 = 500;

// ---- generic statements ----

/// Inserts `rows` into `table` with multi-row `INSERT … VALUES`, as many rows per statement as
/// the backend's limit on bound values allows; `push` binds one row's values, in the order of
/// `columns`.
async fn insert_rows<'a, T>(
    conn: &mut Conn,
    table: &str,
    columns: &str,
    rows: &'a [T],
    mut push: impl FnMut(&mut Separated<'_, 'a, Db, &'static str>, &'a T) + Send,
) -> Result<(), sqlx::Error>
where
    T: Sync,
{
    let head = format!("INSERT INTO {table} ({columns}) ");
    let per_statement = (MAX_BIND_PARAMS / common::count_columns(columns)).max(1);
    let mut chunks = rows.chunks(per_statement);
    let mut build = |chunk: &'a [T]| {
        let mut qb: QueryBuilder<'a, Db> = QueryBuilder::new(&head);
        qb.push_values(chunk, |mut b, row| push(&mut b, row));
        qb
    };
    let mut next = chunks.next().map(&mut build);
    while let Some(mut qb) = next.take() {
        // The database works on this statement while the next one is built.
        let (done, built) = overlap(qb.build().execute(&mut *conn), || {
            chunks.next().map(&mut build)
        })
        .await;
        done?;
        next = built;
    }
    Ok(())
}

/// Polls `future` once, so that it starts (a query is handed to the database), then does `work`
/// on this thread while the database works, then waits for `future`.
async fn overlap<F: Future, T>(future: F, work: impl FnOnce() -> T) -> (F::Output, T) {
    let mut future = std::pin::pin!(future);
    let early = std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;
    let worked = work();
    let output = match early {
        Poll::Ready(output) => output,
        Poll::Pending => future.await,
    };
    (output, worked)
}

/// Binds a household's columns after `id`, in the order of [`HOUSEHOLD_INSERT_COLUMNS`],
/// normalised as the store keeps them.
fn push_household<'a>(
    b: &mut Separated<'_, 'a, Db, &'static str>,
    f: &'a HouseholdFields,
    now: DateTime<Utc>,
    keys: &Keys,
) {
    b.push_bind(f.number.trim())
        .push_bind(f.township.as_str())
        .push_bind(f.community.as_str())
        .push_bind(f.category.code())
        .push_bind(f.enrolled_on)
        .push_bind(f.exited_on)
        .push_bind(f.address.trim())
        .push_bind(
            f.phone
                .as_ref()
                .map(|p| keys.seal(Column::HouseholdPhone, p.as_str())),
        )
        .push_bind(
            f.bank_account
                .as_ref()
                .map(|a| keys.seal(Column::HouseholdBankAccount, a.as_str())),
        )
        .push_bind(f.housing.code())
        .push_bind(common::join_codes(&f.causes, PovertyCause::code))
        .push_bind(common::join_codes(&f.needs, doudi_core::Need::code))
        .push_bind(now)
        .push_bind(now);
}

/// The columns [`push_household`] binds.
const HOUSEHOLD_INSERT_COLUMNS: &str = "number, township, community, category, enrolled_on, \
     exited_on, address, phone, bank_account, housing, causes, needs, created_at, updated_at";

/// Binds a member's values, in the order of [`PERSON_VALUE_COLUMNS`].
fn push_person<'a>(b: &mut Separated<'_, 'a, Db, &'static str>, v: PersonValues<'a>) {
    b.push_bind(v.name)
        .push_bind(v.initials)
        .push_bind(v.id_number)
        .push_bind(v.id_number_bidx)
        .push_bind(v.id_tail_bidx)
        .push_bind(v.relation)
        .push_bind(v.disability_kind)
        .push_bind(v.disability_grade)
        .push_bind(v.serious_illness)
        .push_bind(v.disease)
        .push_bind(v.special_disease)
        .push_bind(v.self_care)
        .push_bind(v.work_capacity)
        .push_bind(v.willing_to_work)
        .push_bind(v.employment)
        .push_bind(v.school_stage)
        .push_bind(v.boarding)
        .push_bind(v.insurance)
        .push_bind(v.family_doctor)
        .push_bind(v.health_record)
        .push_bind(v.phone);
}

/// Writes history entries `(household id, change)` for the actor at one moment.
async fn write_history<'a>(
    conn: &mut Conn,
    actor: &'a Actor,
    at: DateTime<Utc>,
    entries: &'a [(i64, Change)],
) -> Result<(), sqlx::Error> {
    insert_rows(
        conn,
        "change_log",
        "household_id, at, actor_user_id, actor_name, actor_role, action, subject, field, \
         old_value, new_value",
        entries,
        |b, (household, c)| {
            b.push_bind(*household)
                .push_bind(at)
                .push_bind(actor.user_id)
                .push_bind(actor.display_name.as_str())
                .push_bind(actor.role.code())
                .push_bind(c.action)
                .push_bind(c.subject.as_str())
                .push_bind(c.field.as_str())
                .push_bind(c.old.as_str())
                .push_bind(c.new.as_str());
        },
    )
    .await
}

/// Writes the history entries of one household.
async fn record(
    conn: &mut Conn,
    actor: &Actor,
    at: DateTime<Utc>,
    household: i64,
    changes: Vec<Change>,
) -> Result<(), sqlx::Error> {
    let entries: Vec<(i64, Change)> = changes.into_iter().map(|c| (household, c)).collect();
    write_history(conn, actor, at, &entries).await
}

// ---- reading ----

/// Which of `keys` a `SELECT column FROM table WHERE column IN (` query finds, asked in chunks
/// that stay under the backend's limit on bound values.
async fn filed_keys(
    pool: &sqlx::Pool<Db>,
    select_in: &'static str,
    keys: &[&str],
) -> Result<HashSet<String>, sqlx::Error> {
    let mut filed = HashSet::new();
    let mut conn = pool.acquire().await?;
    for chunk in keys.chunks(IN_LIST_CHUNK) {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(select_in);
        let mut list = qb.separated(", ");
        for key in chunk {
            list.push_bind(*key);
        }
        qb.push(")");
        let rows: Vec<(String,)> = qb.build_query_as().fetch_all(&mut *conn).await?;
        filed.extend(rows.into_iter().map(|(k,)| k));
    }
    Ok(filed)
}

/// A survey row with the household it belongs to, for bulk reads.
#[derive(sqlx::FromRow)]
struct SurveyWithHousehold {
    household_id: i64,
    #[sqlx(flatten)]
    survey: SurveyRow,
}

async fn select_household(conn: &mut Conn, id: i64) -> Result<Option<HouseholdRow>, sqlx::Error> {
    let sql = format!("SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE id = $1");
    sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The household, if it exists and lies in the actor's scope (for a paired cadre: is paired
/// with them); otherwise not found. A department's concern is checked on the whole record, by
/// [`for_department`].
async fn household_in_scope(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
) -> Result<HouseholdRow, StoreError> {
    match select_household(conn, id).await? {
        Some(row) if covers(actor, &row.community) && paired_if_cadre(conn, actor, id).await? => {
            Ok(row)
        }
        _ => Err(StoreError::NotFound),
    }
}

/// Whether a paired cadre is paired with the household; true for every other role.
async fn paired_if_cadre(
    conn: &mut Conn,
    actor: &Actor,
    household: i64,
) -> Result<bool, sqlx::Error> {
    if actor.role != Role::PairedCadre {
        return Ok(true);
    }
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT household_id FROM pairings WHERE household_id = $1 AND user_id = $2",
    )
    .bind(household)
    .bind(actor.user_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// The record as the actor may see it: a department officer only a household its department's
/// work concerns (else not found), with what the department may not see removed; every other
/// role the whole record.
fn for_department(actor: &Actor, record: HouseholdRecord) -> Result<HouseholdRecord, StoreError> {
    if actor.role != Role::DepartmentOfficer {
        return Ok(record);
    }
    match actor.department_view() {
        Some(view) if view.concerns(&record) => Ok(view.redact(record)),
        _ => Err(StoreError::NotFound),
    }
}

/// Appends the conditions of the actor's role on the households `h`: a paired cadre's
/// pairings, the households a department's work concerns.
/// Narrows a query on `households h` to the actor's scope. A scope is a township (9 digits) or
/// a community (12 digits), and a household's township is the first 9 digits of its community,
/// so "community starts with the scope" is an equality on one of the two indexed columns.
fn push_household_scope(qb: &mut QueryBuilder<'_, Db>, actor: &Actor) {
    if let Scope::Division(code) = &actor.scope {
        let column = if code.is_community() {
            " AND h.community = "
        } else {
            " AND h.township = "
        };
        qb.push(column).push_bind(code.as_str().to_owned());
    }
}

/// Narrows a query to rows whose community code (`column`) is in the actor's scope, as a range
/// of codes rather than `LIKE 'prefix%'`: the range uses the column's index on both databases,
/// where SQLite's case-blind LIKE uses none, and PostgreSQL's only under the C collation.
fn push_community_scope(qb: &mut QueryBuilder<'_, Db>, column: &str, actor: &Actor) {
    if let Scope::Division(code) = &actor.scope {
        push_code_range(qb, column, code.as_str());
    }
}

/// Narrows a query to rows whose division code (`column`) starts with `code`: from the code to
/// the next number of its length ([`common::code_end`]).
fn push_code_range(qb: &mut QueryBuilder<'_, Db>, column: &str, code: &str) {
    qb.push(format!(" AND {column} >= ")).push_bind(code.to_owned());
    if let Some(end) = common::code_end(code) {
        qb.push(format!(" AND {column} < ")).push_bind(end);
    }
}

fn push_role_filter<'a>(qb: &mut QueryBuilder<'a, Db>, actor: &'a Actor) {
    match actor.role {
        Role::PairedCadre => {
            qb.push(" AND h.id IN (SELECT pr.household_id FROM pairings pr WHERE pr.user_id = ")
                .push_bind(actor.user_id)
                .push(")");
        }
        Role::DepartmentOfficer => match actor.department_view() {
            Some(view) if matches!(view.serves, Served::Head | Served::Everyone) => {}
            Some(view) => {
                qb.push(" AND EXISTS (SELECT 1 FROM persons dp WHERE dp.household_id = h.id AND ");
                push_served(qb, view.serves, "dp");
                qb.push(")");
            }
            None => {
                qb.push(" AND 1 = 0");
            }
        },
        _ => {}
    }
}

/// Appends the SQL twin of [`Served::includes`] on the persons aliased `alias`.
fn push_served(qb: &mut QueryBuilder<'_, Db>, served: Served, alias: &str) {
    match served {
        Served::Students => {
            qb.push(format!("{alias}.school_stage IS NOT NULL"));
        }
        Served::Disabled => {
            qb.push(format!("{alias}.disability_kind IS NOT NULL"));
        }
        Served::IllOrDisabled => {
            qb.push(format!("({alias}.serious_illness = "))
                .push_bind(true)
                .push(format!(
                    " OR {alias}.special_disease IS NOT NULL OR {alias}.disability_kind IS NOT NULL)"
                ));
        }
        Served::AbleToWork => {
            qb.push(format!("{alias}.work_capacity <> "))
                .push_bind(WorkCapacity::None.code());
        }
        Served::Head => {
            qb.push(format!("{alias}.relation = "))
                .push_bind(Relation::Head.code());
        }
        Served::Everyone => {
            qb.push("1 = 1");
        }
    }
}

async fn select_person(conn: &mut Conn, id: i64) -> Result<Option<PersonRow>, sqlx::Error> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1");
    sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The member `person` of `household`, or not found.
async fn member_of(
    conn: &mut Conn,
    keys: &Keys,
    household: i64,
    person: PersonId,
) -> Result<PersonFields, StoreError> {
    match select_person(conn, person.0).await? {
        Some(row) if row.household_id == household => Ok(row.into_person(keys)?.fields),
        _ => Err(StoreError::NotFound),
    }
}

/// Everything filed about a household.
async fn load_record(
    conn: &mut Conn,
    keys: &Keys,
    row: HouseholdRow,
) -> Result<HouseholdRecord, StoreError> {
    let household = row.into_household(keys)?;
    let id = household.id.0;

    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM persons WHERE household_id = $1 ORDER BY position, id"
    );
    let rows: Vec<PersonRow> = sqlx::query_as(&sql).bind(id).fetch_all(&mut *conn).await?;
    let mut members = rows
        .into_iter()
        .map(|r| r.into_person(keys))
        .collect::<Result<Vec<_>, _>>()?;
    // Head first, then in the order they were filed (the sort is stable).
    members.sort_by_key(|p| p.fields.relation != Relation::Head);
    let order: HashMap<i64, usize> = members
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.0, i))
        .collect();
    let rank = |p: PersonId| order.get(&p.0).copied().unwrap_or(usize::MAX);

    let money_sql = |table: &str| {
        format!(
            "SELECT m.person_id, m.month, m.kind, m.amount_fen FROM {table} m \
             JOIN persons p ON p.id = m.person_id WHERE p.household_id = $1"
        )
    };
    let sql = money_sql("incomes");
    let rows: Vec<MoneyRow> = sqlx::query_as(&sql).bind(id).fetch_all(&mut *conn).await?;
    let mut incomes = rows
        .into_iter()
        .map(MoneyRow::into_income)
        .collect::<Result<Vec<_>, _>>()?;
    incomes.sort_by_key(|i| (i.month, rank(i.person), i.kind));

    let sql = money_sql("expenses");
    let rows: Vec<MoneyRow> = sqlx::query_as(&sql).bind(id).fetch_all(&mut *conn).await?;
    let mut expenses = rows
        .into_iter()
        .map(MoneyRow::into_expense)
        .collect::<Result<Vec<_>, _>>()?;
    expenses.sort_by_key(|e| (e.month, rank(e.person), e.kind));

    let rows: Vec<AssetRow> = sqlx::query_as(
        "SELECT household_id, kind, description, value_fen FROM assets WHERE household_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut assets = rows
        .into_iter()
        .map(AssetRow::into_asset)
        .collect::<Result<Vec<_>, _>>()?;
    assets.sort_by(|a, b| (a.kind, &a.description).cmp(&(b.kind, &b.description)));

    let rows: Vec<SurveyRow> = sqlx::query_as(
        "SELECT family_situation, poverty_cause, help_needed, surveyed_by, surveyed_on \
         FROM surveys WHERE household_id = $1 ORDER BY surveyed_on DESC, id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let surveys = rows.into_iter().map(Survey::from).collect();

    Ok(HouseholdRecord {
        household,
        members,
        incomes,
        assets,
        expenses,
        surveys,
    })
}

// ---- writing ----

/// Bumps the household's version if it still is `expected`, which takes the write lock on the
/// household (and so on everything filed under it) until the transaction ends, and returns the
/// household as it now stands (old fields, new version). A household that does not exist or
/// lies outside the actor's scope is not found; one whose version moved on is a conflict.
async fn lock_for_edit(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
    expected: i64,
    now: DateTime<Utc>,
) -> Result<HouseholdRow, StoreError> {
    let sql = format!(
        "UPDATE households SET version = version + 1, updated_at = $1 \
         WHERE id = $2 AND version = $3 RETURNING {HOUSEHOLD_COLUMNS}"
    );
    let updated: Option<HouseholdRow> = sqlx::query_as(&sql)
        .bind(now)
        .bind(id)
        .bind(expected)
        .fetch_optional(&mut *conn)
        .await?;
    match updated {
        // The bump is rolled back with the transaction.
        Some(row) if covers(actor, &row.community) => Ok(row),
        Some(_) => Err(StoreError::NotFound),
        None => match select_household(conn, id).await? {
            Some(row) if covers(actor, &row.community) => Err(StoreError::Conflict {
                expected,
                current: row.version,
            }),
            _ => Err(StoreError::NotFound),
        },
    }
}

/// Removes a member of a household whose row the transaction has locked (its version bumped),
/// with its history row: never the only member, never the head while others remain.
async fn remove_member_in(
    conn: &mut Conn,
    actor: &Actor,
    keys: &Keys,
    household: i64,
    person: PersonId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let old = member_of(conn, keys, household, person).await?;
    let (members,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM persons WHERE household_id = $1")
        .bind(household)
        .fetch_one(&mut *conn)
        .await?;
    if members <= 1 {
        return Err(StoreError::Invalid(
            "不能移除家庭唯一的成员；如该户不再享受救助，请填写退出日期".into(),
        ));
    }
    if old.relation == Relation::Head {
        return Err(StoreError::Invalid(
            "不能移除户主：该户还有其他成员，请先将另一名成员设为户主".into(),
        ));
    }
    // Incomes and expenses of the member go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM persons WHERE id = $1")
        .bind(person.0)
        .execute(&mut *conn)
        .await?;
    let change = Change {
        action: common::DELETED,
        subject: common::member_subject(&old),
        field: "成员".into(),
        old: common::member_line(&old),
        new: format!("已移除（原因：{reason}）"),
    };
    record(conn, actor, now, household, vec![change]).await?;
    Ok(())
}

/// A user by id.
async fn select_user(conn: &mut Conn, id: i64) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(UserRow::into_user).transpose()
}

/// An account's scope must be a township or community in the division table.
async fn ensure_scope(conn: &mut Conn, scope: &Scope) -> Result<(), StoreError> {
    let Scope::Division(code) = scope else {
        return Ok(());
    };
    let found: Option<(String,)> = sqlx::query_as("SELECT code FROM divisions WHERE code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    found.map(|_| ()).ok_or_else(|| {
        StoreError::Invalid(format!(
            "区划代码 {code} 不存在（请先用 doudi community add 添加社区）"
        ))
    })
}

/// The township must be in the division table.
async fn ensure_township(conn: &mut Conn, code: &DivisionCode) -> Result<(), StoreError> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT code FROM divisions WHERE code = $1 AND parent IS NULL")
            .bind(code.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    found
        .map(|_| ())
        .ok_or_else(|| common::unknown_township(code))
}

/// What [`find_filed`] found already filed.
enum Filed {
    /// A household number (not personal: said as it is).
    Number(String),
    /// An identity number, filed in this household (id, file number, community).
    Id {
        id: IdNumber,
        household: i64,
        number: String,
        community: String,
    },
}

/// The first of these household numbers or identity numbers already filed, if any. Identity
/// numbers are looked up by their blind indexes. [`Backend::refuse_filed`] turns it into the
/// error the actor may read.
async fn find_filed(
    conn: &mut Conn,
    keys: &Keys,
    numbers: &[&str],
    ids: &[&IdNumber],
) -> Result<Option<Filed>, StoreError> {
    for chunk in numbers.chunks(IN_LIST_CHUNK) {
        let mut qb: QueryBuilder<'_, Db> =
            QueryBuilder::new("SELECT number FROM households WHERE number IN (");
        let mut list = qb.separated(", ");
        for n in chunk {
            list.push_bind(*n);
        }
        qb.push(") ORDER BY number LIMIT 1");
        let found: Option<(String,)> = qb.build_query_as().fetch_optional(&mut *conn).await?;
        if let Some((number,)) = found {
            return Ok(Some(Filed::Number(number)));
        }
    }
    let indexes: HashMap<String, &IdNumber> = ids
        .iter()
        .map(|id| (keys.id_number_index(id.as_str()), *id))
        .collect();
    let wanted: Vec<&str> = indexes.keys().map(String::as_str).collect();
    for chunk in wanted.chunks(IN_LIST_CHUNK) {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT p.id_number_bidx, h.id, h.number, h.community FROM persons p \
             JOIN households h ON h.id = p.household_id WHERE p.id_number_bidx IN (",
        );
        let mut list = qb.separated(", ");
        for index in chunk {
            list.push_bind(*index);
        }
        qb.push(") ORDER BY h.number LIMIT 1");
        let found: Option<(String, i64, String, String)> =
            qb.build_query_as().fetch_optional(&mut *conn).await?;
        if let Some((index, household, number, community)) = found
            && let Some(id) = indexes.get(&index)
        {
            return Ok(Some(Filed::Id {
                id: (*id).clone(),
                household,
                number,
                community,
            }));
        }
    }
    Ok(None)
}

impl Backend {
    /// Refuses what [`find_filed`] found, as the actor may be told. An identity number filed in
    /// a household the actor may read is named with that household; one filed outside the
    /// actor's scope is only said to be registered, since naming the household would tell a
    /// caseworker where a person outside their township is helped. Either way the attempt is
    /// an audit entry (who tried, the household holding the number; never the number), written
    /// after the caller's transaction ended, so the caller must have dropped it.
    async fn refuse_filed(&self, actor: &Actor, filed: Filed) -> StoreError {
        match filed {
            Filed::Number(number) => common::number_filed(&number),
            Filed::Id {
                id,
                household,
                number,
                community,
            } => {
                let in_scope =
                    actor.role == doudi_core::Role::System || covers(actor, &community);
                let audited = self
                    .audit_alone(
                        actor,
                        AuditAction::ReadDenied,
                        &format!("household:{household}"),
                        if in_scope {
                            "登记的身份证号码已在该户登记，登记被拒绝"
                        } else {
                            "登记的身份证号码已在工作范围以外的家庭登记，登记被拒绝（未告知是哪一户）"
                        },
                    )
                    .await;
                if let Err(e) = audited {
                    return e;
                }
                if in_scope {
                    common::id_number_filed(&id, &number)
                } else {
                    common::id_number_filed_elsewhere(&id)
                }
            }
        }
    }
}

/// Inserts one household and returns its id.
async fn insert_household(
    conn: &mut Conn,
    keys: &Keys,
    fields: &HouseholdFields,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(format!(
        "INSERT INTO households ({HOUSEHOLD_INSERT_COLUMNS}) "
    ));
    qb.push_values([fields], |mut b, f| push_household(&mut b, f, now, keys));
    qb.push(" RETURNING id");
    let (id,): (i64,) = qb.build_query_as().fetch_one(&mut *conn).await?;
    Ok(id)
}

/// Inserts one member and returns its id.
async fn insert_person(
    conn: &mut Conn,
    keys: &Keys,
    household: i64,
    position: i32,
    fields: &PersonFields,
) -> Result<i64, sqlx::Error> {
    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(format!(
        "INSERT INTO persons (household_id, position, {PERSON_VALUE_COLUMNS}) "
    ));
    qb.push_values([fields], |mut b, f| {
        b.push_bind(household).push_bind(position);
        push_person(&mut b, PersonValues::of(f, keys));
    });
    qb.push(" RETURNING id");
    let (id,): (i64,) = qb.build_query_as().fetch_one(&mut *conn).await?;
    Ok(id)
}

/// A new household with the ids its rows get.
struct Placed<'a> {
    id: i64,
    /// Member ids, by index in `new.members`.
    persons: Vec<i64>,
    new: &'a NewHousehold,
}

/// Inserts the incomes, expenses, assets and surveys of new households; returns how many
/// incomes and how many expenses and assets.
async fn insert_details(conn: &mut Conn, placed: &[Placed<'_>]) -> Result<(u64, u64), sqlx::Error> {
    let incomes: Vec<(i64, &doudi_core::Income)> = placed
        .iter()
        .flat_map(|p| {
            p.new
                .incomes
                .iter()
                .map(move |i| (p.persons[i.person.0 as usize], i))
        })
        .collect();
    insert_rows(
        conn,
        "incomes",
        "person_id, month, kind, amount_fen",
        &incomes,
        |b, (person, i)| {
            b.push_bind(*person)
                .push_bind(i.month.to_string())
                .push_bind(i.kind.code())
                .push_bind(i.amount.fen());
        },
    )
    .await?;

    let expenses: Vec<(i64, &doudi_core::Expense)> = placed
        .iter()
        .flat_map(|p| {
            p.new
                .expenses
                .iter()
                .map(move |e| (p.persons[e.person.0 as usize], e))
        })
        .collect();
    insert_rows(
        conn,
        "expenses",
        "person_id, month, kind, amount_fen",
        &expenses,
        |b, (person, e)| {
            b.push_bind(*person)
                .push_bind(e.month.to_string())
                .push_bind(e.kind.code())
                .push_bind(e.amount.fen());
        },
    )
    .await?;

    let assets: Vec<(i64, &doudi_core::Asset)> = placed
        .iter()
        .flat_map(|p| p.new.assets.iter().map(move |a| (p.id, a)))
        .collect();
    insert_rows(
        conn,
        "assets",
        "household_id, kind, description, value_fen",
        &assets,
        |b, (household, a)| {
            b.push_bind(*household)
                .push_bind(a.kind.code())
                .push_bind(a.description.trim())
                .push_bind(a.value.fen());
        },
    )
    .await?;

    let surveys: Vec<(i64, &Survey)> = placed
        .iter()
        .filter_map(|p| p.new.survey.as_ref().map(|s| (p.id, s)))
        .collect();
    insert_rows(
        conn,
        "surveys",
        SURVEY_COLUMNS,
        &surveys,
        |b, (household, s)| {
            push_survey(b, *household, s);
        },
    )
    .await?;

    Ok((incomes.len() as u64, (expenses.len() + assets.len()) as u64))
}

/// The columns [`push_survey`] binds.
const SURVEY_COLUMNS: &str =
    "household_id, family_situation, poverty_cause, help_needed, surveyed_by, surveyed_on";

/// Binds a survey's values, in the order of [`SURVEY_COLUMNS`].
fn push_survey<'a>(b: &mut Separated<'_, 'a, Db, &'static str>, household: i64, s: &'a Survey) {
    b.push_bind(household)
        .push_bind(s.family_situation.trim())
        .push_bind(s.poverty_cause.trim())
        .push_bind(s.help_needed.trim())
        .push_bind(s.surveyed_by.trim())
        .push_bind(s.surveyed_on);
}

/// Writes a whole import with client-assigned household and member ids that follow the
/// largest ids filed (the caller holds the locks that make this safe).
async fn write_import(
    conn: &mut Conn,
    keys: &Keys,
    actor: &Actor,
    households: &[NewHousehold],
    carried: &[Option<doudi_core::CarriedEntitlement>],
    now: DateTime<Utc>,
) -> Result<ImportCounts, sqlx::Error> {
    let (max_household,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM households")
        .fetch_one(&mut *conn)
        .await?;
    let (max_person,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM persons")
        .fetch_one(&mut *conn)
        .await?;

    let mut next_person = max_person + 1;
    let mut placed = Vec::with_capacity(households.len());
    for (i, new) in households.iter().enumerate() {
        let persons = (next_person..next_person + new.members.len() as i64).collect();
        next_person += new.members.len() as i64;
        placed.push(Placed {
            id: max_household + 1 + i as i64,
            persons,
            new,
        });
    }

    insert_rows(
        conn,
        "households",
        &format!("id, {HOUSEHOLD_INSERT_COLUMNS}"),
        &placed,
        |b, p| {
            b.push_bind(p.id);
            push_household(b, &p.new.fields, now, keys);
        },
    )
    .await?;

    let persons: Vec<(i64, i64, i32, &PersonFields)> = placed
        .iter()
        .flat_map(|p| {
            p.new
                .members
                .iter()
                .enumerate()
                .map(move |(i, m)| (p.persons[i], p.id, i as i32, m))
        })
        .collect();
    insert_rows(
        conn,
        "persons",
        &format!("id, household_id, position, {PERSON_VALUE_COLUMNS}"),
        &persons,
        |b, (id, household, position, m)| {
            b.push_bind(*id).push_bind(*household).push_bind(*position);
            push_person(b, PersonValues::of(m, keys));
        },
    )
    .await?;

    let (incomes, other_records) = insert_details(conn, &placed).await?;

    let history: Vec<(i64, Change)> = placed
        .iter()
        .map(|p| (p.id, common::creation(p.new.fields.number.trim())))
        .collect();
    write_history(conn, actor, now, &history).await?;

    let claims: Vec<(i64, &doudi_core::CarriedEntitlement)> = placed
        .iter()
        .zip(carried)
        .filter_map(|(p, c)| c.as_ref().map(|c| (p.id, c)))
        .collect();
    for chunk in claims.chunks(1000) {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "INSERT INTO carried_entitlements (household_id, program, monthly_fen, from_month, \
             reference, filed_by, filed_at) ",
        );
        qb.push_values(chunk, |mut b, (id, c)| {
            b.push_bind(*id)
                .push_bind(c.program.code())
                .push_bind(c.monthly.fen())
                .push_bind(c.from.to_string())
                .push_bind(common::clip(&c.reference))
                .push_bind(actor.user_id)
                .push_bind(now);
        });
        qb.build().execute(&mut *conn).await?;
    }

    Ok(ImportCounts {
        households: households.len() as u64,
        people: persons.len() as u64,
        incomes,
        other_records,
    })
}

/// Seeds (or refreshes) the township table shipped with this build.
async fn seed_townships(pool: &sqlx::Pool<Db>) -> Result<(), StoreError> {
    let table = TownshipTable::yunyang();
    let mut qb: QueryBuilder<'_, Db> =
        QueryBuilder::new("INSERT INTO divisions (code, name, kind, parent, version) ");
    qb.push_values(&table.townships, |mut b, t| {
        b.push_bind(t.code.as_str())
            .push_bind(t.name.as_str())
            .push_bind(t.kind.code())
            .push_bind(None::<&str>)
            .push_bind(table.version.as_str());
    });
    qb.push(
        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
         version = excluded.version",
    );
    qb.build().execute(pool).await?;
    Ok(())
}

// ---- the household list ----

/// A search as the SQL runs it: identity numbers through their blind indexes.
enum Lookup {
    /// Members whose whole identity number has this blind index.
    IdIndex(String),
    /// These households, found by the last digits of a member's identity number.
    Households(Vec<i64>),
    /// Members whose pinyin initials start with these letters.
    Initials(String),
    /// Members whose name matches this LIKE pattern.
    Name(String),
}

/// The most households a search by the last digits of an identity number may find; more means
/// the digits say too little (four digits match about one person in ten thousand).
const MAX_SUFFIX_MATCHES: usize = 5_000;

/// A household search as the SQL runs it.
struct Resolved {
    /// A member, through an index.
    person: Option<Lookup>,
    /// The file number (upper-cased LIKE pattern).
    number: Option<String>,
    /// The address (LIKE pattern).
    address: Option<String>,
    /// Households whose phone, or a member's, matched.
    phone: Option<Vec<i64>>,
}

/// Turns a search into what the SQL looks for. The last 4 to 8 digits of an identity number are
/// looked up by the blind index of the last four; the candidates are decrypted and those whose
/// number really ends with all the digits given are kept. Phones have no index: those of the
/// actor's part of the county are decrypted and compared.
async fn resolve_search(
    conn: &mut Conn,
    keys: &Keys,
    actor: &Actor,
    search: common::HouseholdSearch,
) -> Result<Resolved, StoreError> {
    let person = match search.person {
        Some(p) => Some(resolve_person(conn, keys, p).await?),
        None => None,
    };
    let phone = match search.phone {
        Some(p) => Some(phone_households(conn, keys, actor, &p).await?),
        None => None,
    };
    Ok(Resolved {
        person,
        number: search.number,
        address: search.address,
        phone,
    })
}

/// The households of the actor's scope whose phone, or a member's, matches.
async fn phone_households(
    conn: &mut Conn,
    keys: &Keys,
    actor: &Actor,
    phone: &common::PhoneSearch,
) -> Result<Vec<i64>, StoreError> {
    let matches = |number: &str| match phone {
        common::PhoneSearch::Tail(tail) => number.ends_with(tail.as_str()),
        common::PhoneSearch::Whole(whole) => number == whole,
    };
    let scoped = |head: &str| {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(head);
        if let Scope::Division(code) = &actor.scope {
            qb.push(if code.is_community() {
                " AND h.community = "
            } else {
                " AND h.township = "
            })
            .push_bind(code.as_str().to_owned());
        }
        qb
    };
    let mut households = Vec::new();
    let rows: Vec<(i64, String)> =
        scoped("SELECT h.id, h.phone FROM households h WHERE h.phone IS NOT NULL")
            .build_query_as()
            .fetch_all(&mut *conn)
            .await?;
    for (id, sealed) in rows {
        let number = common::unseal(keys, &sealed, Column::HouseholdPhone, "households", "phone", id)?;
        if matches(&number) {
            households.push(id);
        }
    }
    let rows: Vec<(i64, i64, String)> = scoped(
        "SELECT p.id, p.household_id, p.phone FROM persons p \
         JOIN households h ON h.id = p.household_id WHERE p.phone IS NOT NULL",
    )
    .build_query_as()
    .fetch_all(&mut *conn)
    .await?;
    for (id, household, sealed) in rows {
        let number = common::unseal(keys, &sealed, Column::PersonPhone, "persons", "phone", id)?;
        if matches(&number) {
            households.push(household);
        }
    }
    distinct_few(households, "符合条件的电话号码过多，请输入更多位数字")
}

/// The households found by a search, each once; more than [`MAX_SUFFIX_MATCHES`] means the
/// digits typed say too little, which `too_many` tells the user.
fn distinct_few(mut households: Vec<i64>, too_many: &str) -> Result<Vec<i64>, StoreError> {
    households.sort_unstable();
    households.dedup();
    if households.len() > MAX_SUFFIX_MATCHES {
        return Err(StoreError::Invalid(too_many.into()));
    }
    Ok(households)
}

/// Turns a member search into what the SQL looks for.
async fn resolve_person(conn: &mut Conn, keys: &Keys, search: Search) -> Result<Lookup, StoreError> {
    Ok(match search {
        Search::IdNumber(id) => Lookup::IdIndex(keys.id_number_index(&id)),
        Search::IdSuffix(tail) => {
            let candidates: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, household_id, id_number FROM persons WHERE id_tail_bidx = $1",
            )
            .bind(keys.id_tail_index(&tail))
            .fetch_all(&mut *conn)
            .await?;
            let mut households = Vec::new();
            for (id, household, sealed) in candidates {
                let number = common::unseal(
                    keys,
                    &sealed,
                    Column::PersonIdNumber,
                    "persons",
                    "id_number",
                    id,
                )?;
                if number.ends_with(&tail) {
                    households.push(household);
                }
            }
            Lookup::Households(distinct_few(
                households,
                "符合条件的人员过多，请输入更多位身份证号码",
            )?)
        }
        Search::Initials(initials) => Lookup::Initials(initials),
        Search::Name(pattern) => Lookup::Name(pattern),
    })
}

/// Appends the WHERE clause of the household list: the actor's scope, then the filter.
fn push_list_filter<'a>(
    qb: &mut QueryBuilder<'a, Db>,
    actor: &'a Actor,
    filter: &'a HouseholdFilter,
    search: Option<&'a Resolved>,
    today: NaiveDate,
) {
    qb.push(" WHERE 1 = 1");
    push_household_scope(qb, actor);
    push_role_filter(qb, actor);
    if let Some(t) = &filter.township {
        qb.push(" AND h.township = ").push_bind(t.as_str());
    }
    if let Some(c) = &filter.community {
        qb.push(" AND h.community = ").push_bind(c.as_str());
    }
    if let Some(c) = filter.category {
        qb.push(" AND h.category = ").push_bind(c.code());
    }
    if let Some(cause) = filter.cause {
        qb.push(" AND (',' || h.causes || ',') LIKE ")
            .push_bind(format!("%,{},%", common::escape_like(cause.code())))
            .push(" ESCAPE '\\'");
    }
    if !filter.include_exited {
        qb.push(" AND (h.exited_on IS NULL OR h.exited_on > ")
            .push_bind(today)
            .push(")");
    }
    let Some(search) = search else {
        return;
    };
    // A household matches when any part of the search does.
    qb.push(" AND (1 = 0");
    if let Some(person) = &search.person {
        qb.push(" OR ");
        push_person_match(qb, actor, filter, person);
    }
    if let Some(number) = &search.number {
        qb.push(" OR UPPER(h.number) LIKE ")
            .push_bind(number.as_str())
            .push(" ESCAPE '\\'");
    }
    if let Some(address) = &search.address {
        qb.push(" OR h.address LIKE ")
            .push_bind(address.as_str())
            .push(" ESCAPE '\\'");
    }
    if let Some(ids) = search.phone.as_ref().filter(|ids| !ids.is_empty()) {
        push_id_list(qb, ids);
    }
    qb.push(")");
}

/// ` OR h.id IN (…)`.
fn push_id_list<'a>(qb: &mut QueryBuilder<'a, Db>, ids: &'a [i64]) {
    qb.push(" OR h.id IN (");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

/// The condition that a member of `h` matches.
fn push_person_match<'a>(
    qb: &mut QueryBuilder<'a, Db>,
    actor: &'a Actor,
    filter: &'a HouseholdFilter,
    search: &'a Lookup,
) {
    if let Lookup::Households(ids) = search {
        qb.push("1 = 0");
        if !ids.is_empty() {
            push_id_list(qb, ids);
        }
        return;
    }
    // Within a township or community, testing each of its (at most a few thousand)
    // households' members is cheapest for a name or initials, which match many people
    // county-wide; otherwise the matching members are found first, through an index (or a
    // scan of the name index), and their households looked up.
    let restricted = matches!(actor.scope, Scope::Division(_))
        || filter.township.is_some()
        || filter.community.is_some();
    let per_household = restricted && matches!(search, Lookup::Name(_) | Lookup::Initials(_));
    if per_household {
        qb.push("EXISTS (SELECT 1 FROM persons p WHERE p.household_id = h.id AND ");
    } else {
        qb.push("h.id IN (SELECT p.household_id FROM persons p WHERE ");
    }
    match search {
        Lookup::IdIndex(index) => {
            qb.push("p.id_number_bidx = ").push_bind(index.as_str());
        }
        Lookup::Households(_) => unreachable!("households are matched above"),
        Lookup::Initials(initials) => {
            qb.push("p.initials >= ")
                .push_bind(initials.as_str())
                .push(" AND p.initials < ")
                .push_bind(common::prefix_end(initials));
        }
        Lookup::Name(pattern) => {
            qb.push("p.name LIKE ")
                .push_bind(pattern.as_str())
                .push(" ESCAPE '\\'");
        }
    }
    qb.push(")");
}

// ---- the audit trail ----

/// The columns of `audit_log`, in the order of [`AuditEntry`].
const AUDIT_COLUMNS: &str = "seq, at, actor_user_id, actor_name, actor_role, purpose, client, \
     action, target, detail, prev_hash, hash";

/// How many entries `verify_audit` reads at a time.
const AUDIT_BATCH: i64 = 10_000;

/// Appends one audit entry after the last one, chained with the transaction's data key
/// ([`crate::audit::entry_mac`]). `detail` must hold no personal data.
async fn append_audit(
    conn: &mut WriteTx,
    actor: &Actor,
    action: AuditAction,
    target: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    append_audits(conn, [(actor, action, target, detail)]).await
}

/// Appends audit entries after the last one, in order, each chained to the one before with
/// the transaction's data key ([`crate::audit::entry_mac`]). `lock_audit` makes appends one
/// at a time, so that the chain stays linear whatever the number of concurrent writers.
async fn append_audits<'e>(
    conn: &mut WriteTx,
    entries: impl IntoIterator<Item = (&'e Actor, AuditAction, &'e str, &'e str)>,
) -> Result<(), sqlx::Error> {
    <Backend as Dialect>::lock_audit(conn).await?;
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **conn)
            .await?;
    let (mut seq, mut prev_hash) = last.map_or((1, crate::audit::GENESIS_HASH.to_owned()), |(s, h)| {
        (s + 1, h)
    });
    let sql = format!(
        "INSERT INTO audit_log ({AUDIT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    );
    for (actor, action, target, detail) in entries {
        let mut entry = AuditEntry {
            seq,
            at: common::now(),
            actor_user_id: actor.user_id,
            actor_name: common::clip(&actor.username),
            actor_role: actor.role.code().to_owned(),
            purpose: common::clip(&actor.purpose),
            client: common::clip(&actor.client),
            action: action.code().to_owned(),
            target: target.to_owned(),
            detail: detail.to_owned(),
            prev_hash,
            hash: String::new(),
        };
        entry.hash = crate::audit::entry_mac(&conn.keys, &entry);
        sqlx::query(&sql)
            .bind(entry.seq)
            .bind(entry.at)
            .bind(entry.actor_user_id)
            .bind(&entry.actor_name)
            .bind(&entry.actor_role)
            .bind(&entry.purpose)
            .bind(&entry.client)
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&entry.detail)
            .bind(&entry.prev_hash)
            .bind(&entry.hash)
            .execute(&mut **conn)
            .await?;
        seq += 1;
        prev_hash = entry.hash;
    }
    Ok(())
}

/// How the entries to re-chain are chained now.
#[derive(Clone, Copy)]
enum OldChain<'a> {
    /// The unkeyed SHA-256 of the first version ([`crate::audit::legacy_hash`]).
    Legacy,
    /// Keyed with a data key being rotated away.
    Keyed(&'a Keys),
}

/// Re-chains the whole trail under the transaction's key: each entry is first checked against
/// the old chain (so that tampering is never blessed with a valid MAC; a break refuses the
/// whole transaction, naming the entry), then given its new `prev_hash` and MAC. The
/// append-only trigger is lifted for these updates and restored before the transaction ends.
/// Returns how many entries were re-chained.
async fn rechain_audit(conn: &mut WriteTx, old: OldChain<'_>) -> Result<u64, StoreError> {
    <Backend as Dialect>::lock_audit(conn).await?;
    let restore = <Backend as Dialect>::unlock_audit_rows(conn).await?;
    let select = format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {AUDIT_BATCH}"
    );
    let new = conn.keys.clone();
    let (mut old_prev, mut new_prev) = (
        crate::audit::GENESIS_HASH.to_owned(),
        crate::audit::GENESIS_HASH.to_owned(),
    );
    let mut after = i64::MIN;
    let mut count = 0_u64;
    loop {
        let rows: Vec<AuditEntry> = sqlx::query_as(&select)
            .bind(after)
            .fetch_all(&mut **conn)
            .await?;
        let done = (rows.len() as i64) < AUDIT_BATCH;
        for mut e in rows {
            after = e.seq;
            let expected = match old {
                OldChain::Legacy => crate::audit::legacy_hash(&e),
                OldChain::Keyed(keys) => crate::audit::entry_mac(keys, &e),
            };
            if e.seq != after_count(count) || e.prev_hash != old_prev || e.hash != expected {
                return Err(StoreError::Corrupt(format!(
                    "the audit trail does not verify at entry {} (run `doudi audit verify`): \
                     it was not re-chained",
                    e.seq
                )));
            }
            old_prev = std::mem::take(&mut e.hash);
            e.prev_hash = std::mem::take(&mut new_prev);
            e.hash = crate::audit::entry_mac(&new, &e);
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(&e.prev_hash)
                .bind(&e.hash)
                .bind(e.seq)
                .execute(&mut **conn)
                .await?;
            new_prev = e.hash;
            count += 1;
        }
        if done {
            break;
        }
    }
    for sql in restore {
        sqlx::query(&sql).execute(&mut **conn).await?;
    }
    Ok(count)
}

/// The `seq` the entry after `count` entries must have.
fn after_count(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX).saturating_add(1)
}

/// Appends the WHERE clause of the audit page.
fn push_audit_filter<'a>(qb: &mut QueryBuilder<'a, Db>, filter: &'a AuditFilter) {
    qb.push(" WHERE 1 = 1");
    if let Some(actor) = &filter.actor {
        qb.push(" AND actor_name = ").push_bind(actor.trim());
    }
    if let Some(action) = filter.action {
        qb.push(" AND action = ").push_bind(action.code());
    }
    if let Some(target) = &filter.target {
        let target = target.trim();
        if target.contains(':') {
            qb.push(" AND target = ").push_bind(target);
        } else {
            qb.push(" AND (target = ")
                .push_bind(target)
                .push(" OR target LIKE ")
                .push_bind(format!("{}:%", common::escape_like(target)))
                .push(" ESCAPE '\\')");
        }
    }
    if let Some(from) = filter.from {
        qb.push(" AND at >= ").push_bind(from);
    }
    if let Some(until) = filter.until {
        qb.push(" AND at < ").push_bind(until);
    }
}

// ---- the data key ----

/// A member's identifiers, sealed under a key: for the first sealing and for rotations.
struct SealedPerson {
    id: i64,
    id_number: String,
    id_number_bidx: String,
    id_tail_bidx: String,
    phone: Option<String>,
}

/// A household's identifiers, sealed under a key.
struct SealedHousehold {
    id: i64,
    phone: Option<String>,
    bank_account: Option<String>,
}

impl SealedPerson {
    /// Seals a member's identity number and phone, given in plaintext.
    fn new(keys: &Keys, id: i64, id_number: &str, phone: Option<&str>) -> SealedPerson {
        SealedPerson {
            id,
            id_number: keys.seal(Column::PersonIdNumber, id_number),
            id_number_bidx: keys.id_number_index(id_number),
            id_tail_bidx: keys.id_tail_index(id_number),
            phone: phone.map(|p| keys.seal(Column::PersonPhone, p)),
        }
    }
}

impl SealedHousehold {
    /// Seals a household's phone and bank account, given in plaintext.
    fn new(keys: &Keys, id: i64, phone: Option<&str>, bank_account: Option<&str>) -> Self {
        SealedHousehold {
            id,
            phone: phone.map(|p| keys.seal(Column::HouseholdPhone, p)),
            bank_account: bank_account.map(|a| keys.seal(Column::HouseholdBankAccount, a)),
        }
    }
}

/// Writes sealed identifiers over what the rows hold, many rows per statement
/// (`UPDATE … FROM (VALUES …)`, whose columns both backends name `column1`, `column2`, …).
async fn write_sealed(
    conn: &mut Conn,
    persons: &[SealedPerson],
    households: &[SealedHousehold],
) -> Result<(), sqlx::Error> {
    for chunk in persons.chunks(MAX_BIND_PARAMS / 5) {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "UPDATE persons SET id_number = v.column2, id_number_bidx = v.column3, \
             id_tail_bidx = v.column4, phone = v.column5 FROM (",
        );
        qb.push_values(chunk, |mut b, p| {
            b.push_bind(p.id)
                .push_bind(p.id_number.as_str())
                .push_bind(p.id_number_bidx.as_str())
                .push_bind(p.id_tail_bidx.as_str())
                .push_bind(p.phone.as_deref());
        });
        qb.push(") AS v WHERE persons.id = v.column1");
        qb.build().execute(&mut *conn).await?;
    }
    for chunk in households.chunks(MAX_BIND_PARAMS / 3) {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "UPDATE households SET phone = v.column2, bank_account = v.column3 FROM (",
        );
        qb.push_values(chunk, |mut b, h| {
            b.push_bind(h.id)
                .push_bind(h.phone.as_deref())
                .push_bind(h.bank_account.as_deref());
        });
        qb.push(") AS v WHERE households.id = v.column1");
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

impl Backend {
    /// The data key in use.
    fn keys(&self) -> Arc<Keys> {
        self.keys
            .read()
            .expect("the key cell is never left poisoned: nothing panics while holding it")
            .clone()
    }

    /// A write transaction (the backend's `begin_write_raw`) that first checks that the
    /// database's data key is still this process's ([`check_key_in_use`]), so that a process
    /// left running across a key rotation by another one can write nothing sealed or indexed
    /// under the old key.
    async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let keys = self.keys();
        let mut tx = self.begin_write_unchecked(keys.clone()).await?;
        check_key_in_use(&mut tx, &keys).await?;
        Ok(tx)
    }

    /// A write transaction under `keys`, in this process's turn to write, without checking the
    /// key against the database's.
    async fn begin_write_unchecked(&self, keys: Arc<Keys>) -> Result<WriteTx, sqlx::Error> {
        let turn = self.write_turn().await;
        Ok(WriteTx {
            tx: self.begin_write_raw().await?,
            keys,
            _turn: turn,
        })
    }

    /// Checks that the key in use is the database's, or makes it so for a database that has
    /// none yet: then every identifier filed before encryption existed (members without a sealed
    /// identity number, whose plaintext migration 0004 left in `id_number_bidx`; for households,
    /// every phone and account) is sealed, in one transaction with the
    /// recording of the key's id, and the file compacted so that no plaintext is left behind.
    async fn adopt_key(&self) -> Result<(), StoreError> {
        let keys = self.keys();
        // Unchecked: a wrong key is refused below, by name.
        let mut tx = self.begin_write_unchecked(keys.clone()).await?;
        // Two processes starting on a fresh database at once must not both adopt a key.
        <Backend as Dialect>::lock_registry(&mut tx).await?;
        let recorded: Option<(String,)> =
            sqlx::query_as("SELECT key_id FROM data_key WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        match recorded {
            Some((id,)) if id == keys.id() => return Ok(()),
            Some((id,)) => return Err(wrong_key(&id, keys.id())),
            None => {}
        }
        let persons: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT id, id_number_bidx, phone FROM persons WHERE id_number IS NULL ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let households: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT id, phone, bank_account FROM households \
             WHERE phone IS NOT NULL OR bank_account IS NOT NULL ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let sealed_persons: Vec<SealedPerson> = persons
            .iter()
            .map(|(id, number, phone)| SealedPerson::new(&keys, *id, number, phone.as_deref()))
            .collect();
        let sealed_households: Vec<SealedHousehold> = households
            .iter()
            .map(|(id, phone, account)| {
                SealedHousehold::new(&keys, *id, phone.as_deref(), account.as_deref())
            })
            .collect();
        write_sealed(&mut tx, &sealed_persons, &sealed_households).await?;
        sqlx::query("INSERT INTO data_key (id, key_id, since) VALUES (1, $1, $2)")
            .bind(keys.id())
            .bind(common::now())
            .execute(&mut *tx)
            .await?;
        let sealed_any = !persons.is_empty() || !households.is_empty();
        if sealed_any {
            append_audit(
                &mut tx,
                &Actor::system("数据加密"),
                AuditAction::RotateKeys,
                "data_key",
                &format!(
                    "启用数据加密（密钥标识 {}）：加密既有成员{}人、家庭{}户",
                    keys.id(),
                    persons.len(),
                    households.len()
                ),
            )
            .await?;
        }
        tx.commit().await?;
        if sealed_any {
            tracing::info!(
                people = persons.len(),
                households = households.len(),
                "identifiers filed before encryption are now sealed"
            );
            <Backend as Dialect>::compact(&self.pool).await?;
        }
        Ok(())
    }

    /// Appends one audit entry in a short write transaction outside the caller's: for reads,
    /// which run in read-only transactions. The entries of reads arriving together share one
    /// transaction ([`crate::audit::ReadQueue`]); this returns once the entry is committed.
    async fn audit_alone(
        &self,
        actor: &Actor,
        action: AuditAction,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let queue = &self.audit_reads;
        let mut outcome = queue.push(actor, action, target, detail);
        let turn = queue.turn().await;
        // Written by the batch before, while this read waited for its turn.
        if let Ok(written) = outcome.try_recv() {
            return written.map_err(audit_not_written);
        }
        let store = self.clone();
        // The batch is written by a task of its own, so that a read given up meanwhile (its
        // client gone, its time limit passed) does not take the others' entries with it.
        tokio::spawn(async move {
            store.append_reads().await;
            drop(turn);
        });
        match outcome.await {
            Ok(written) => written.map_err(audit_not_written),
            Err(_) => Err(audit_not_written("the task writing it stopped".into())),
        }
    }

    /// Appends the queued reads' entries in one write transaction and tells each read how it
    /// went. The queue is emptied only once the transaction has begun, so that the entries of
    /// reads that arrived while it waited for a turn to write go in it too.
    async fn append_reads(&self) {
        let mut batch = Vec::new();
        let written = async {
            let mut tx = self.begin_write().await?;
            batch = self.audit_reads.take();
            let entries: Vec<(&Actor, AuditAction, &str, &str)> = batch
                .iter()
                .map(|r| (&r.actor, r.action, r.target.as_str(), r.detail.as_str()))
                .collect();
            append_audits(&mut tx, entries).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await
        .map_err(|e| e.to_string());
        // A transaction that could not begin took nothing: the queued reads fail with it.
        if written.is_err() && batch.is_empty() {
            batch = self.audit_reads.take();
        }
        for read in batch {
            read.finish(written.clone());
        }
    }

    /// On the first start with a keyed chain: a trail written under the unkeyed SHA-256 scheme
    /// (its first entry carries the plain hash) is re-chained with the key, after its old chain
    /// verified, and the migration recorded. A trail whose old chain is broken is left as it is
    /// (`verify_audit` then names it) rather than given valid MACs, and the start goes on.
    async fn rechain_legacy_audit(&self) -> Result<(), StoreError> {
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        // Checked under the audit lock: another process may be migrating it now.
        <Backend as Dialect>::lock_audit(&mut tx).await?;
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq LIMIT 1");
        let first: Option<AuditEntry> = sqlx::query_as(&sql).fetch_optional(&mut *tx).await?;
        match first {
            Some(e) if e.hash != crate::audit::entry_mac(&keys, &e)
                && e.hash == crate::audit::legacy_hash(&e) => {}
            _ => return Ok(()),
        }
        let migrated = match rechain_audit(&mut tx, OldChain::Legacy).await {
            Ok(n) => n,
            Err(StoreError::Corrupt(_)) => {
                tx.rollback().await?;
                tracing::warn!("the audit trail's unkeyed chain is broken: it was not re-chained");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        append_audit(
            &mut tx,
            &Actor::system("审计链迁移"),
            AuditAction::Update,
            "audit_log",
            &format!("审计链改为密钥校验（HMAC-SHA256）：既有{migrated}条按旧式哈希链核验无误后重新计算"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Refuses a write transaction when the database's data key is no longer the one this process
/// holds: another process rotated it. Writing on would seal values the database cannot open
/// and compute blind indexes that miss (a duplicate identity number would be accepted). A
/// database that records no key yet (the first start) passes: [`Backend::adopt_key`] decides.
async fn check_key_in_use(conn: &mut Conn, keys: &Keys) -> Result<(), StoreError> {
    let sql = format!("SELECT key_id FROM data_key WHERE id = 1{KEY_ROW_LOCK}");
    let recorded: Option<(String,)> = sqlx::query_as(&sql).fetch_optional(&mut *conn).await?;
    match recorded {
        Some((id,)) if id != keys.id() => Err(StoreError::Key(format!(
            "数据密钥已轮换：数据库的密钥编号为 {id}，本进程使用的是 {}，不能再写入；请用新密钥重启 \
             (the database's data key is now key id {id}, this process holds key id {}: it \
             writes nothing more; restart it with the new key)",
            keys.id(),
            keys.id()
        ))),
        _ => Ok(()),
    }
}

/// The error for a key that is not the database's.
fn wrong_key(database: &str, given: &str) -> StoreError {
    StoreError::Key(format!(
        "the data key given (key id {given}) is not this database's key (key id {database}): \
         give the key its data was encrypted with (DOUDI_KEY_FILE or DOUDI_KEY)"
    ))
}

// ---- the store ----

/// Pairs a cadre with a household of the actor's scope in the transaction, with its audit
/// entry: the account must be an enabled cadre whose own scope covers the household; a pairing
/// that exists already is a [`StoreError::Duplicate`].
async fn pair_in(
    conn: &mut WriteTx,
    actor: &Actor,
    household: HouseholdId,
    cadre: i64,
) -> Result<(), StoreError> {
    let row = match select_household(conn, household.0).await? {
        Some(row) if covers(actor, &row.community) => row,
        _ => return Err(StoreError::NotFound),
    };
    let user = select_user(conn, cadre)
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("账户（ID {cadre}）不存在")))?;
    if user.role != Role::PairedCadre {
        return Err(StoreError::Invalid(format!(
            "账户 {} 不是结对帮扶干部（现为{}）",
            user.username,
            user.role.label()
        )));
    }
    if user.disabled {
        return Err(StoreError::Invalid(format!(
            "账户 {} 已停用",
            user.username
        )));
    }
    let community = DivisionCode::parse(&row.community)
        .map_err(|_| common::corrupt("households", "community", row.id))?;
    if !user.scope.covers(&community) {
        return Err(StoreError::Invalid(format!(
            "该户不在结对帮扶干部 {} 的工作范围内",
            user.username
        )));
    }
    let inserted = sqlx::query(
        "INSERT INTO pairings (household_id, user_id, created_at, created_by) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(household.0)
    .bind(cadre)
    .bind(common::now())
    .bind(actor.user_id)
    .execute(&mut **conn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if common::unique_violation(&e).is_some() => {
            return Err(StoreError::Duplicate(format!(
                "结对帮扶干部 {} 已与该户结对",
                user.username
            )));
        }
        Err(e) => return Err(e.into()),
    }
    append_audit(
        conn,
        actor,
        AuditAction::Create,
        &format!("household:{}", household.0),
        &format!("结对帮扶干部 user:{cadre}"),
    )
    .await?;
Ok(())
}

/// 4.3 (户户见干部): a cadre who is still the only cadre of some household cannot stop being
/// one (disabled, or given another role) before those households are handed over.
async fn refuse_leaving_households(conn: &mut Conn, user: &UserRecord) -> Result<(), StoreError> {
    if user.role != Role::PairedCadre {
        return Ok(());
    }
    let (alone,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pairings p WHERE p.user_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM pairings o WHERE o.household_id = p.household_id AND o.user_id <> $1)",
    )
    .bind(user.id)
    .fetch_one(&mut *conn)
    .await?;
    if alone > 0 {
        return Err(StoreError::Invalid(format!(
            "{}还是{alone}户唯一的结对干部；请先在“结对管理”中把这些家庭移交给其他干部",
            user.display_name
        )));
    }
    Ok(())
}

#[async_trait]
impl Store for Backend {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&self.pool).await?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    async fn tidy(&self) -> Result<(), StoreError> {
        <Backend as Dialect>::tidy(&self.pool).await?;
        Ok(())
    }

    async fn divisions(&self) -> Result<Vec<Division>, StoreError> {
        let generation = match self.divisions.get() {
            Ok(kept) => return Ok(kept.as_ref().clone()),
            Err(generation) => generation,
        };
        let rows: Vec<DivisionRow> = sqlx::query_as(
            "SELECT code, name, kind, parent FROM divisions ORDER BY parent IS NOT NULL, code",
        )
        .fetch_all(&self.pool)
        .await?;
        let divisions = rows
            .into_iter()
            .map(DivisionRow::into_division)
            .collect::<Result<Vec<_>, _>>()?;
        self.divisions.keep(generation, Arc::new(divisions.clone()));
        Ok(divisions)
    }

    async fn put_community(&self, actor: &Actor, community: &Division) -> Result<(), StoreError> {
        // Those who file households, and administrators (who keep the county's communities in
        // the browser), each within their scope.
        if actor.role != Role::Admin {
            require_write(actor)?;
        }
        let code = &community.code;
        if !code.is_community() || community.kind != DivisionKind::Community {
            return Err(StoreError::Invalid(format!(
                "{code}不是社区：社区代码应为12位数字"
            )));
        }
        let township = code.township();
        if let Some(parent) = &community.parent
            && *parent != township
        {
            return Err(StoreError::Invalid(format!(
                "社区{code}不属于乡镇（街道）{parent}"
            )));
        }
        let name = community.name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(StoreError::Invalid("社区名称应为1至50个字".into()));
        }
        if !actor.scope.covers(code) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        ensure_township(&mut tx, &township).await?;
        sqlx::query(
            "INSERT INTO divisions (code, name, kind, parent, version) VALUES ($1, $2, $3, $4, NULL) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        )
        .bind(code.as_str())
        .bind(name)
        .bind(DivisionKind::Community.code())
        .bind(township.as_str())
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("community:{code}"),
            "新增社区或修改社区名称",
        )
        .await?;
        tx.commit().await?;
        self.divisions.forget();
        Ok(())
    }

    async fn create_household(
        &self,
        actor: &Actor,
        household: &NewHousehold,
    ) -> Result<HouseholdId, StoreError> {
        require_write(actor)?;
        common::check_new_household(household)?;
        let fields = &household.fields;
        if !covers(actor, fields.community.as_str()) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        ensure_township(&mut tx, &fields.township).await?;
        let ids: Vec<&IdNumber> = household.members.iter().map(|m| &m.id_number).collect();
        if let Some(filed) = find_filed(&mut tx, &keys, &[fields.number.trim()], &ids).await? {
            drop(tx);
            return Err(self.refuse_filed(actor, filed).await);
        }

        let id = insert_household(&mut tx, &keys, fields, now)
            .await
            .map_err(common::duplicate_from)?;
        let mut persons = Vec::with_capacity(household.members.len());
        for (position, m) in household.members.iter().enumerate() {
            let person = insert_person(&mut tx, &keys, id, position as i32, m)
                .await
                .map_err(common::duplicate_from)?;
            persons.push(person);
        }
        insert_details(
            &mut tx,
            &[Placed {
                id,
                persons,
                new: household,
            }],
        )
        .await?;
        record(
            &mut tx,
            actor,
            now,
            id,
            vec![common::creation(fields.number.trim())],
        )
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("household:{id}"),
            &format!("新建家庭，成员{}人", household.members.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(HouseholdId(id))
    }

    async fn import_households(
        &self,
        actor: &Actor,
        households: &[NewHousehold],
    ) -> Result<ImportCounts, StoreError> {
        self.import_households_carrying(actor, households, &[]).await
    }

    async fn import_households_carrying(
        &self,
        actor: &Actor,
        households: &[NewHousehold],
        carried: &[Option<doudi_core::CarriedEntitlement>],
    ) -> Result<ImportCounts, StoreError> {
        if !carried.is_empty() && carried.len() != households.len() {
            return Err(StoreError::Invalid(
                "现享待遇与家庭的数目不一致".into(),
            ));
        }
        require_write(actor)?;
        let mut numbers: HashMap<&str, usize> = HashMap::with_capacity(households.len());
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(households.len() * 3);
        let mut townships: HashSet<&DivisionCode> = HashSet::new();
        for (i, h) in households.iter().enumerate() {
            let number = h.fields.number.trim();
            common::check_new_household(h).map_err(|e| match e {
                StoreError::Invalid(m) => {
                    StoreError::Invalid(format!("第{}户（户编号 {number}）：{m}", i + 1))
                }
                other => other,
            })?;
            if !covers(actor, h.fields.community.as_str()) {
                return Err(StoreError::Forbidden);
            }
            if let Some(j) = numbers.insert(number, i) {
                return Err(StoreError::Duplicate(format!(
                    "户编号 {number} 在导入数据中重复（第{}户与第{}户）",
                    j + 1,
                    i + 1
                )));
            }
            for m in &h.members {
                if let Some(j) = ids.insert(m.id_number.as_str(), i) {
                    return Err(StoreError::Duplicate(format!(
                        "身份证号码 {} 在导入数据中重复（第{}户与第{}户）",
                        m.id_number.masked(),
                        j + 1,
                        i + 1
                    )));
                }
            }
            townships.insert(&h.fields.township);
        }
        if households.is_empty() {
            return Ok(ImportCounts::default());
        }

        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        let deferred = <Backend as Dialect>::prepare_import(&mut tx, ids.len()).await?;
        for t in townships {
            ensure_township(&mut tx, t).await?;
        }
        match write_import(&mut tx, &keys, actor, households, carried, now).await {
            Ok(counts) => {
                <Backend as Dialect>::after_import(&mut tx, deferred).await?;
                append_audit(
                    &mut tx,
                    actor,
                    AuditAction::Import,
                    "import",
                    &format!(
                        "导入{}户、{}人、收入{}条、其他记录{}条",
                        counts.households, counts.people, counts.incomes, counts.other_records
                    ),
                )
                .await?;
                tx.commit().await?;
                tracing::info!(
                    households = counts.households,
                    people = counts.people,
                    incomes = counts.incomes,
                    "import written"
                );
                Ok(counts)
            }
            Err(e) if common::unique_violation(&e).is_some() => {
                tx.rollback().await?;
                // Find out what was already filed, to say so precisely.
                let mut conn = self.pool.acquire().await?;
                let numbers: Vec<&str> = numbers.into_keys().collect();
                let ids: Vec<&IdNumber> = households
                    .iter()
                    .flat_map(|h| h.members.iter().map(|m| &m.id_number))
                    .collect();
                let found = find_filed(&mut conn, &keys, &numbers, &ids).await;
                drop(conn);
                match found {
                    Ok(Some(filed)) => match self.refuse_filed(actor, filed).await {
                        StoreError::Duplicate(m) => {
                            Err(StoreError::Duplicate(format!("{m}；导入未写入任何数据")))
                        }
                        other => Err(other),
                    },
                    Err(other) => Err(other),
                    Ok(None) => Err(common::duplicate_from(e)),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn filed_id_numbers(&self, ids: &[IdNumber]) -> Result<Vec<IdNumber>, StoreError> {
        let keys = self.keys();
        let indexes: Vec<String> = ids
            .iter()
            .map(|id| keys.id_number_index(id.as_str()))
            .collect();
        let wanted: Vec<&str> = indexes.iter().map(String::as_str).collect();
        let filed = filed_keys(
            &self.pool,
            "SELECT id_number_bidx FROM persons WHERE id_number_bidx IN (",
            &wanted,
        )
        .await?;
        let mut seen = HashSet::new();
        Ok(ids
            .iter()
            .zip(&indexes)
            .filter(|(id, index)| filed.contains(index.as_str()) && seen.insert(id.as_str()))
            .map(|(id, _)| id.clone())
            .collect())
    }

    async fn filed_household_numbers(&self, numbers: &[String]) -> Result<Vec<String>, StoreError> {
        let keys: Vec<&str> = numbers.iter().map(|n| n.trim()).collect();
        let filed = filed_keys(
            &self.pool,
            "SELECT number FROM households WHERE number IN (",
            &keys,
        )
        .await?;
        let mut seen = HashSet::new();
        Ok(numbers
            .iter()
            .filter(|n| filed.contains(n.trim()) && seen.insert(n.trim()))
            .cloned()
            .collect())
    }

    async fn household_numbers(
        &self,
        actor: &Actor,
        ids: &[HouseholdId],
    ) -> Result<Vec<(HouseholdId, String)>, StoreError> {
        if !(actor.may_read_audit() || matches!(actor.role, Role::CountyApprover | Role::System)) {
            return Err(StoreError::Forbidden);
        }
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new("SELECT id, number FROM households WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(id.0);
            }
            qb.push(")");
            let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&self.pool).await?;
            found.extend(rows.into_iter().map(|(id, n)| (HouseholdId(id), n)));
        }
        Ok(found)
    }

    async fn household(
        &self,
        actor: &Actor,
        id: HouseholdId,
    ) -> Result<HouseholdRecord, StoreError> {
        let target = format!("household:{}", id.0);
        let read = async {
            require_read(actor)?;
            let mut tx = self.begin_read().await?;
            let row = household_in_scope(&mut tx, actor, id.0).await?;
            let record = load_record(&mut tx, &self.keys(), row).await?;
            tx.commit().await?;
            for_department(actor, record)
        }
        .await;
        match &read {
            Ok(_) => {
                self.audit_alone(actor, AuditAction::Read, &target, "查看家庭档案")
                    .await?
            }
            // Asking for a household outside one's scope (or one that does not exist) is
            // worth an auditor's attention.
            Err(StoreError::NotFound | StoreError::Forbidden) => {
                self.audit_alone(
                    actor,
                    AuditAction::ReadDenied,
                    &target,
                    "家庭档案不存在或不在权限范围内",
                )
                .await?
            }
            Err(_) => {}
        }
        read
    }

    async fn unmask(
        &self,
        actor: &Actor,
        id: HouseholdId,
        purpose: &str,
    ) -> Result<HouseholdRecord, StoreError> {
        if !actor.may_unmask() {
            return Err(StoreError::Forbidden);
        }
        let purpose = purpose.trim();
        let length = purpose.chars().count();
        let target = format!("household:{}", id.0);
        let mut with_purpose = actor.clone();
        with_purpose.purpose = purpose.to_owned();
        let read = async {
            let mut tx = self.begin_read().await?;
            let row = household_in_scope(&mut tx, actor, id.0).await?;
            // The household first, then the purpose: outside the scope is "not found"
            // whatever the purpose, as for every other read.
            if !(2..=200).contains(&length) {
                return Err(StoreError::Invalid(
                    "请填写查看完整信息的用途（2至200个字），该用途将记入审计日志".into(),
                ));
            }
            let record = load_record(&mut tx, &self.keys(), row).await?;
            tx.commit().await?;
            Ok(record)
        }
        .await;
        match &read {
            // The entry is committed before the values leave the store.
            Ok(_) => {
                self.audit_alone(
                    &with_purpose,
                    AuditAction::Unmask,
                    &target,
                    "显示完整的姓名、身份证号码、电话号码和银行账号",
                )
                .await?
            }
            Err(StoreError::NotFound) => {
                self.audit_alone(
                    &with_purpose,
                    AuditAction::ReadDenied,
                    &target,
                    "请求显示完整信息：家庭档案不存在或不在权限范围内",
                )
                .await?
            }
            Err(_) => {}
        }
        read
    }

    async fn records(
        &self,
        actor: &Actor,
        filter: &HouseholdFilter,
    ) -> Result<Vec<HouseholdRecord>, StoreError> {
        require_read(actor)?;
        let today = common::today();
        let search = match &filter.query {
            Some(q) => common::classify_search(q, today)?,
            None => None,
        };
        let keys = self.keys();
        let mut tx = self.begin_read().await?;
        let lookup = match search {
            Some(s) => Some(resolve_search(&mut tx, &keys, actor, s).await?),
            None => None,
        };
        // Every query selects within the same filtered set of households.
        let within = |head: String, tail: &'static str| {
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(head);
            push_list_filter(&mut qb, actor, filter, lookup.as_ref(), today);
            qb.push(tail);
            qb
        };
        let rows: Vec<HouseholdRow> = within(
            format!("SELECT {HOUSEHOLD_COLUMNS} FROM households h"),
            " ORDER BY h.id",
        )
        .build_query_as()
        .fetch_all(&mut *tx)
        .await?;
        let mut records = Vec::with_capacity(rows.len());
        let mut index: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
        for row in rows {
            let household = row.into_household(&keys)?;
            index.insert(household.id.0, records.len());
            records.push(HouseholdRecord {
                household,
                members: Vec::new(),
                incomes: Vec::new(),
                assets: Vec::new(),
                expenses: Vec::new(),
                surveys: Vec::new(),
            });
        }
        if records.is_empty() {
            tx.commit().await?;
            let detail = format!("{}；0户", common::describe_filter(filter));
            self.audit_alone(actor, AuditAction::BulkRead, "households", &detail)
                .await?;
            return Ok(records);
        }
        let ids = "(SELECT h.id FROM households h";
        let persons: Vec<PersonRow> = within(
            format!("SELECT {PERSON_COLUMNS} FROM persons WHERE household_id IN {ids}"),
            ") ORDER BY household_id, position, id",
        )
        .build_query_as()
        .fetch_all(&mut *tx)
        .await?;
        let mut owner: HashMap<i64, usize> = HashMap::with_capacity(persons.len());
        for row in persons {
            let person = row.into_person(&keys)?;
            let i = index[&person.household.0];
            owner.insert(person.id.0, i);
            records[i].members.push(person);
        }
        for r in &mut records {
            // Head first, then in the order they were filed (the sort is stable).
            r.members
                .sort_by_key(|p| p.fields.relation != Relation::Head);
        }
        for table in ["incomes", "expenses"] {
            let rows: Vec<MoneyRow> = within(
                format!(
                    "SELECT m.person_id, m.month, m.kind, m.amount_fen FROM {table} m \
                     WHERE m.person_id IN (SELECT p2.id FROM persons p2 WHERE p2.household_id IN {ids}"
                ),
                "))",
            )
            .build_query_as()
            .fetch_all(&mut *tx)
            .await?;
            for row in rows {
                let Some(&i) = owner.get(&row.person_id) else {
                    continue;
                };
                if table == "incomes" {
                    records[i].incomes.push(row.into_income()?);
                } else {
                    records[i].expenses.push(row.into_expense()?);
                }
            }
        }
        let rows: Vec<AssetRow> = within(
            format!("SELECT household_id, kind, description, value_fen FROM assets WHERE household_id IN {ids}"),
            ")",
        )
        .build_query_as()
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let i = index[&row.household_id];
            records[i].assets.push(row.into_asset()?);
        }
        let rows: Vec<SurveyWithHousehold> = within(
            format!(
                "SELECT household_id, family_situation, poverty_cause, help_needed, surveyed_by, surveyed_on \
                 FROM surveys WHERE household_id IN {ids}"
            ),
            ") ORDER BY surveyed_on DESC, id DESC",
        )
        .build_query_as()
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let i = index[&row.household_id];
            records[i].surveys.push(Survey::from(row.survey));
        }
        tx.commit().await?;
        for r in &mut records {
            let order: HashMap<i64, usize> = r
                .members
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.0, i))
                .collect();
            let rank = |p: PersonId| order.get(&p.0).copied().unwrap_or(usize::MAX);
            r.incomes.sort_by_key(|i| (i.month, rank(i.person), i.kind));
            r.expenses
                .sort_by_key(|e| (e.month, rank(e.person), e.kind));
            r.assets
                .sort_by(|a, b| (a.kind, &a.description).cmp(&(b.kind, &b.description)));
        }
        let records = records
            .into_iter()
            .map(|r| for_department(actor, r))
            .collect::<Result<Vec<_>, _>>()?;
        let detail = format!("{}；{}户", common::describe_filter(filter), records.len());
        self.audit_alone(actor, AuditAction::BulkRead, "households", &detail)
            .await?;
        Ok(records)
    }

    async fn snapshots(
        &self,
        actor: &Actor,
        from: Month,
        until: Month,
    ) -> Result<Vec<Snapshot>, StoreError> {
        // Snapshots hold incomes and assets: whole households, which departments do not see.
        if !actor.sees_whole_households() {
            return Err(StoreError::Forbidden);
        }
        let out = self.read_snapshots(actor, from, until).await?;
        let detail = format!("规则快照（{from}起，{until}前）；{}户", out.len());
        self.audit_alone(actor, AuditAction::BulkRead, "households", &detail)
            .await?;
        Ok(out)
    }

    async fn households(
        &self,
        actor: &Actor,
        filter: &HouseholdFilter,
        page: Page,
    ) -> Result<HouseholdPage, StoreError> {
        require_read(actor)?;
        // A department whose view leaves out causes of poverty neither sees them in the list
        // nor learns them by filtering: "因病" or "因残" would pick out exactly the households
        // its view does not tell it about.
        let hides_causes = actor
            .department_view()
            .is_some_and(|v| !v.shows(doudi_core::department::Part::CausesAndNeeds));
        if hides_causes && filter.cause.is_some() {
            return Err(StoreError::Invalid(
                "您所在部门可查看的内容不含致贫原因，不能按致贫原因筛选".into(),
            ));
        }
        let today = common::today();
        let search = match &filter.query {
            Some(q) => common::classify_search(q, today)?,
            None => None,
        };
        let limit = page.limit.clamp(0, MAX_PAGE);
        let offset = page.offset.max(0);
        let keys = self.keys();
        let mut tx = self.begin_read().await?;
        let lookup = match search {
            Some(s) => Some(resolve_search(&mut tx, &keys, actor, s).await?),
            None => None,
        };

        let mut count: QueryBuilder<'_, Db> =
            QueryBuilder::new("SELECT COUNT(*) FROM households h");
        push_list_filter(&mut count, actor, filter, lookup.as_ref(), today);
        let (total,): (i64,) = count.build_query_as().fetch_one(&mut *tx).await?;

        let detail = format!(
            "{}；第{}条起{}条，共{total}户",
            common::describe_filter(filter),
            offset + 1,
            limit
        );
        if limit == 0 || offset >= total {
            tx.commit().await?;
            self.audit_alone(actor, AuditAction::List, "households", &detail)
                .await?;
            return Ok(HouseholdPage {
                total,
                rows: Vec::new(),
            });
        }
        let mut list: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT h.id, h.number, h.township, h.community, h.category, h.causes, h.enrolled_on, \
             h.exited_on, h.phone FROM households h",
        );
        push_list_filter(&mut list, actor, filter, lookup.as_ref(), today);
        list.push(" ORDER BY h.number LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows: Vec<SummaryRow> = list.build_query_as().fetch_all(&mut *tx).await?;

        let mut members: Vec<MemberBrief> = Vec::new();
        if !rows.is_empty() {
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT p.id, p.household_id, p.position, p.name, p.id_number, p.relation \
                 FROM persons p WHERE p.household_id IN (",
            );
            let mut ids = qb.separated(", ");
            for r in &rows {
                ids.push_bind(r.id);
            }
            qb.push(")");
            // A department sees only the members it serves, in the list as on the page.
            if let Some(view) = actor.department_view() {
                qb.push(" AND ");
                push_served(&mut qb, view.serves, "p");
            }
            members = qb.build_query_as().fetch_all(&mut *tx).await?;
        }
        tx.commit().await?;
        self.audit_alone(actor, AuditAction::List, "households", &detail)
            .await?;
        // A paired cadre's list is of the households they look after: it gives the phone to
        // call (3.3, 4.3); nobody else's list decrypts it.
        let with_phone = actor.role == Role::PairedCadre;
        let mut rows = common::summaries(rows, members, &keys, with_phone)?;
        if hides_causes {
            for row in &mut rows {
                row.causes.clear();
            }
        }
        Ok(HouseholdPage { total, rows })
    }

    async fn update_household(
        &self,
        actor: &Actor,
        id: HouseholdId,
        expected_version: i64,
        fields: &HouseholdFields,
    ) -> Result<Household, StoreError> {
        require_write(actor)?;
        fields
            .check()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let fields = common::normalise_fields(fields);
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        let row = lock_for_edit(&mut tx, actor, id.0, expected_version, now).await?;
        // Moving the household is only allowed within the actor's own part of the county.
        if !covers(actor, fields.community.as_str()) {
            return Err(StoreError::Forbidden);
        }
        ensure_township(&mut tx, &fields.township).await?;
        let current = row.into_household(&keys)?;
        if fields.number != current.fields.number
            && let Some(filed) = find_filed(&mut tx, &keys, &[fields.number.as_str()], &[]).await?
        {
            drop(tx);
            return Err(self.refuse_filed(actor, filed).await);
        }
        let changes = common::field_changes("家庭", &current.fields.describe(), &fields.describe());

        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new("UPDATE households SET ");
        let mut set = qb.separated(", ");
        set.push("number = ")
            .push_bind_unseparated(fields.number.as_str());
        set.push("township = ")
            .push_bind_unseparated(fields.township.as_str());
        set.push("community = ")
            .push_bind_unseparated(fields.community.as_str());
        set.push("category = ")
            .push_bind_unseparated(fields.category.code());
        set.push("enrolled_on = ")
            .push_bind_unseparated(fields.enrolled_on);
        set.push("exited_on = ")
            .push_bind_unseparated(fields.exited_on);
        set.push("address = ")
            .push_bind_unseparated(fields.address.as_str());
        set.push("phone = ").push_bind_unseparated(
            fields
                .phone
                .as_ref()
                .map(|p| keys.seal(Column::HouseholdPhone, p.as_str())),
        );
        set.push("bank_account = ").push_bind_unseparated(
            fields
                .bank_account
                .as_ref()
                .map(|a| keys.seal(Column::HouseholdBankAccount, a.as_str())),
        );
        set.push("housing = ")
            .push_bind_unseparated(fields.housing.code());
        set.push("causes = ")
            .push_bind_unseparated(common::join_codes(&fields.causes, PovertyCause::code));
        set.push("needs = ")
            .push_bind_unseparated(common::join_codes(&fields.needs, doudi_core::Need::code));
        qb.push(" WHERE id = ").push_bind(id.0);
        qb.build()
            .execute(&mut *tx)
            .await
            .map_err(common::duplicate_from)?;

        let detail = format!("修改家庭信息：{}", common::changed_fields(&changes));
        record(&mut tx, actor, now, id.0, changes).await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("household:{}", id.0),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(Household {
            id,
            version: current.version,
            fields,
        })
    }

    async fn add_member(
        &self,
        actor: &Actor,
        household: HouseholdId,
        expected_version: i64,
        fields: &PersonFields,
    ) -> Result<PersonId, StoreError> {
        require_write(actor)?;
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        lock_for_edit(&mut tx, actor, household.0, expected_version, now).await?;
        let members: Vec<(String, i32)> =
            sqlx::query_as("SELECT relation, position FROM persons WHERE household_id = $1")
                .bind(household.0)
                .fetch_all(&mut *tx)
                .await?;
        if fields.relation == Relation::Head
            && members.iter().any(|(r, _)| r == Relation::Head.code())
        {
            return Err(StoreError::Invalid(
                "该户已有户主；如需更换户主，请先修改原户主的与户主关系".into(),
            ));
        }
        if let Some(filed) = find_filed(&mut tx, &keys, &[], &[&fields.id_number]).await? {
            drop(tx);
            return Err(self.refuse_filed(actor, filed).await);
        }
        let position = members.iter().map(|(_, p)| p + 1).max().unwrap_or(0);
        let id = insert_person(&mut tx, &keys, household.0, position, fields)
            .await
            .map_err(common::duplicate_from)?;
        let change = Change {
            action: common::CREATED,
            subject: common::member_subject(fields),
            field: "成员".into(),
            old: String::new(),
            new: common::member_line(fields),
        };
        record(&mut tx, actor, now, household.0, vec![change]).await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("person:{id}"),
            &format!("添加家庭成员（household:{}）", household.0),
        )
        .await?;
        tx.commit().await?;
        Ok(PersonId(id))
    }

    async fn member_household(
        &self,
        actor: &Actor,
        person: PersonId,
    ) -> Result<HouseholdId, StoreError> {
        require_write(actor)?;
        let found: Option<(i64, String)> = sqlx::query_as(
            "SELECT h.id, h.community FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE p.id = $1",
        )
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await?;
        match found {
            Some((id, community)) if covers(actor, &community) => Ok(HouseholdId(id)),
            _ => Err(StoreError::NotFound),
        }
    }

    async fn update_member(
        &self,
        actor: &Actor,
        person: PersonId,
        expected_version: i64,
        fields: &PersonFields,
    ) -> Result<Household, StoreError> {
        require_write(actor)?;
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        let household = select_person(&mut tx, person.0)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = lock_for_edit(
            &mut tx,
            actor,
            household.household_id,
            expected_version,
            now,
        )
        .await?;
        let old = member_of(&mut tx, &keys, row.id, person).await?;
        if fields.relation == Relation::Head && old.relation != Relation::Head {
            let (heads,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM persons WHERE household_id = $1 AND relation = $2",
            )
            .bind(row.id)
            .bind(Relation::Head.code())
            .fetch_one(&mut *tx)
            .await?;
            if heads > 0 {
                return Err(StoreError::Invalid(
                    "该户已有户主；如需更换户主，请先修改原户主的与户主关系".into(),
                ));
            }
        }
        if fields.id_number != old.id_number
            && let Some(filed) = find_filed(&mut tx, &keys, &[], &[&fields.id_number]).await?
        {
            drop(tx);
            return Err(self.refuse_filed(actor, filed).await);
        }
        let changes = common::field_changes(
            &common::member_subject(fields),
            &old.describe(),
            &fields.describe(),
        );
        let detail = format!(
            "修改成员信息（household:{}）：{}",
            row.id,
            common::changed_fields(&changes)
        );

        let v = PersonValues::of(fields, &keys);
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new("UPDATE persons SET ");
        let mut set = qb.separated(", ");
        set.push("name = ").push_bind_unseparated(v.name);
        set.push("initials = ").push_bind_unseparated(v.initials);
        set.push("id_number = ").push_bind_unseparated(v.id_number);
        set.push("id_number_bidx = ")
            .push_bind_unseparated(v.id_number_bidx);
        set.push("id_tail_bidx = ")
            .push_bind_unseparated(v.id_tail_bidx);
        set.push("relation = ").push_bind_unseparated(v.relation);
        set.push("disability_kind = ")
            .push_bind_unseparated(v.disability_kind);
        set.push("disability_grade = ")
            .push_bind_unseparated(v.disability_grade);
        set.push("serious_illness = ")
            .push_bind_unseparated(v.serious_illness);
        set.push("disease = ").push_bind_unseparated(v.disease);
        set.push("special_disease = ")
            .push_bind_unseparated(v.special_disease);
        set.push("self_care = ").push_bind_unseparated(v.self_care);
        set.push("work_capacity = ")
            .push_bind_unseparated(v.work_capacity);
        set.push("willing_to_work = ")
            .push_bind_unseparated(v.willing_to_work);
        set.push("employment = ")
            .push_bind_unseparated(v.employment);
        set.push("school_stage = ")
            .push_bind_unseparated(v.school_stage);
        set.push("boarding = ").push_bind_unseparated(v.boarding);
        set.push("insurance = ").push_bind_unseparated(v.insurance);
        set.push("family_doctor = ")
            .push_bind_unseparated(v.family_doctor);
        set.push("health_record = ")
            .push_bind_unseparated(v.health_record);
        set.push("phone = ").push_bind_unseparated(v.phone);
        qb.push(" WHERE id = ").push_bind(person.0);
        qb.build()
            .execute(&mut *tx)
            .await
            .map_err(common::duplicate_from)?;

        record(&mut tx, actor, now, row.id, changes).await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("person:{}", person.0),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(row.into_household(&keys)?)
    }

    async fn remove_member(
        &self,
        actor: &Actor,
        person: PersonId,
        expected_version: i64,
        reason: &str,
    ) -> Result<Household, StoreError> {
        require_write(actor)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "请填写移除成员的原因（如迁出、死亡）".into(),
            ));
        }
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        let household = select_person(&mut tx, person.0)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = lock_for_edit(
            &mut tx,
            actor,
            household.household_id,
            expected_version,
            now,
        )
        .await?;
        remove_member_in(&mut tx, actor, &keys, row.id, person, reason, now).await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Delete,
            &format!("person:{}", person.0),
            &format!("移除家庭成员（household:{}），原因见变更记录", row.id),
        )
        .await?;
        tx.commit().await?;
        Ok(row.into_household(&keys)?)
    }

    async fn change_finances(
        &self,
        actor: &Actor,
        household: HouseholdId,
        expected_version: i64,
        change: &FinanceChange,
    ) -> Result<Household, StoreError> {
        require_write(actor)?;
        match change {
            FinanceChange::PutIncome(i) => common::check_amount("收入", i.amount)?,
            FinanceChange::PutExpense(e) => common::check_amount("支出", e.amount)?,
            FinanceChange::PutAsset(a) => common::check_amount("财产", a.value)?,
            _ => {}
        }
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        let row = lock_for_edit(&mut tx, actor, household.0, expected_version, now).await?;
        let hid = row.id;

        // Incomes and expenses are the same shape: (table, what, member, month, kind, amount or
        // none to delete).
        let money = match change {
            FinanceChange::PutIncome(i) => Some((
                "incomes",
                "收入",
                i.person,
                i.month,
                i.kind.code(),
                i.kind.label(),
                Some(i.amount),
            )),
            FinanceChange::DeleteIncome {
                person,
                month,
                kind,
            } => Some((
                "incomes",
                "收入",
                *person,
                *month,
                kind.code(),
                kind.label(),
                None,
            )),
            FinanceChange::PutExpense(e) => Some((
                "expenses",
                "支出",
                e.person,
                e.month,
                e.kind.code(),
                e.kind.label(),
                Some(e.amount),
            )),
            FinanceChange::DeleteExpense {
                person,
                month,
                kind,
            } => Some((
                "expenses",
                "支出",
                *person,
                *month,
                kind.code(),
                kind.label(),
                None,
            )),
            FinanceChange::PutAsset(_) | FinanceChange::DeleteAsset { .. } => None,
        };
        let entry = match (money, change) {
            (Some((table, what, person, month, code, label, amount)), _) => {
                let who = member_of(&mut tx, &keys, hid, person).await?;
                let subject = format!("{what} {month} {label}（{}）", who.name.masked());
                let old = match amount {
                    Some(amount) => put_money(&mut tx, table, person, month, code, amount).await?,
                    None => Some(delete_money(&mut tx, table, person, month, code).await?),
                };
                common::money_change(subject, "金额", old, amount)
            }
            (None, FinanceChange::PutAsset(a)) => {
                let description = a.description.trim();
                let old = asset_value(&mut tx, hid, a.kind.code(), description).await?;
                sqlx::query(
                    "INSERT INTO assets (household_id, kind, description, value_fen) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (household_id, kind, description) \
                     DO UPDATE SET value_fen = excluded.value_fen",
                )
                .bind(hid)
                .bind(a.kind.code())
                .bind(description)
                .bind(a.value.fen())
                .execute(&mut *tx)
                .await?;
                let subject = format!("资产 {} {description}", a.kind.label());
                common::money_change(subject, "价值", old, Some(a.value))
            }
            (None, FinanceChange::DeleteAsset { kind, description }) => {
                let description = description.trim();
                let old = asset_value(&mut tx, hid, kind.code(), description)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                sqlx::query(
                    "DELETE FROM assets WHERE household_id = $1 AND kind = $2 AND description = $3",
                )
                .bind(hid)
                .bind(kind.code())
                .bind(description)
                .execute(&mut *tx)
                .await?;
                let subject = format!("资产 {} {description}", kind.label());
                common::money_change(subject, "价值", Some(old), None)
            }
            (None, _) => unreachable!("incomes and expenses are handled as money above"),
        };
        record(&mut tx, actor, now, hid, entry.into_iter().collect()).await?;
        let (action, detail) = common::finance_audit(change);
        append_audit(&mut tx, actor, action, &format!("household:{hid}"), &detail).await?;
        tx.commit().await?;
        Ok(row.into_household(&keys)?)
    }

    async fn record_survey(
        &self,
        actor: &Actor,
        household: HouseholdId,
        expected_version: i64,
        survey: &Survey,
    ) -> Result<Household, StoreError> {
        require_write(actor)?;
        common::check_survey(survey)?;
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        let row = lock_for_edit(&mut tx, actor, household.0, expected_version, now).await?;
        let previous: Option<SurveyRow> = sqlx::query_as(
            "SELECT family_situation, poverty_cause, help_needed, surveyed_by, surveyed_on \
             FROM surveys WHERE household_id = $1 ORDER BY surveyed_on DESC, id DESC LIMIT 1",
        )
        .bind(row.id)
        .fetch_optional(&mut *tx)
        .await?;
        let new = [(row.id, survey)];
        insert_rows(
            &mut tx,
            "surveys",
            SURVEY_COLUMNS,
            &new,
            |b, (household, s)| {
                push_survey(b, *household, s);
            },
        )
        .await?;

        // The date is always recorded; the rest where it differs from the previous survey.
        let previous = previous.map(Survey::from);
        let old = |f: fn(&Survey) -> String| previous.as_ref().map_or(String::new(), f);
        let fields: [(&str, fn(&Survey) -> String); 5] = [
            ("调查日期", |s| s.surveyed_on.to_string()),
            ("调查人", |s| s.surveyed_by.trim().to_owned()),
            ("家庭情况清", |s| s.family_situation.trim().to_owned()),
            ("致贫原因清", |s| s.poverty_cause.trim().to_owned()),
            ("帮扶需求清", |s| s.help_needed.trim().to_owned()),
        ];
        let changes = fields
            .iter()
            .enumerate()
            .filter(|(i, (_, f))| *i == 0 || old(*f) != f(survey))
            .map(|(_, (label, f))| Change {
                action: common::CREATED,
                subject: "三清调查".into(),
                field: (*label).into(),
                old: old(*f),
                new: f(survey),
            })
            .collect();
        record(&mut tx, actor, now, row.id, changes).await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("household:{}", row.id),
            &format!("记录三清调查（{}）", survey.surveyed_on),
        )
        .await?;
        tx.commit().await?;
        Ok(row.into_household(&keys)?)
    }

    async fn history(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        // History holds old values of every field: only for those who see whole households.
        if !actor.sees_whole_households() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_read().await?;
        household_in_scope(&mut tx, actor, household.0).await?;
        let rows: Vec<ChangeRow> = sqlx::query_as(
            "SELECT id, at, actor_name, actor_role, action, subject, field, old_value, new_value \
             FROM change_log WHERE household_id = $1 ORDER BY id DESC",
        )
        .bind(household.0)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let entries = rows
            .into_iter()
            .map(ChangeRow::into_entry)
            .collect::<Result<Vec<_>, _>>()?;
        self.audit_alone(
            actor,
            AuditAction::Read,
            &format!("household:{}", household.0),
            "查看变更记录",
        )
        .await?;
        Ok(entries)
    }

    async fn township_counts(&self, actor: &Actor) -> Result<Vec<TownshipCount>, StoreError> {
        require_read(actor)?;
        let today = common::today();
        let mut tx = self.begin_read().await?;
        let townships: Vec<(String,)> =
            sqlx::query_as("SELECT code FROM divisions WHERE parent IS NULL ORDER BY code")
                .fetch_all(&mut *tx)
                .await?;

        // Households, then people, each grouped by township and category: two plain scans,
        // which both backends run well (a per-household count of members is much slower on
        // PostgreSQL).
        let mut rows: Vec<Vec<(String, String, i64)>> = Vec::with_capacity(2);
        for from in [
            "households h",
            "households h JOIN persons p ON p.household_id = h.id",
        ] {
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(format!(
                "SELECT h.township, h.category, COUNT(*) FROM {from} \
                 WHERE (h.exited_on IS NULL OR h.exited_on > "
            ));
            qb.push_bind(today).push(")");
            if let Scope::Division(code) = &actor.scope {
                let column = if code.is_community() {
                    " AND h.community = "
                } else {
                    " AND h.township = "
                };
                qb.push(column).push_bind(code.as_str());
            }
            push_role_filter(&mut qb, actor);
            qb.push(" GROUP BY h.township, h.category");
            rows.push(qb.build_query_as().fetch_all(&mut *tx).await?);
        }
        tx.commit().await?;

        let mut counts: Vec<TownshipCount> = Vec::new();
        for (code,) in townships {
            let township = DivisionCode::parse(&code)
                .map_err(|_| common::corrupt("divisions", "code", &code))?;
            let in_scope = match &actor.scope {
                Scope::County => true,
                Scope::Division(scope) => scope.township() == township,
            };
            if in_scope {
                counts.push(TownshipCount {
                    township,
                    dibao_households: 0,
                    tekun_households: 0,
                    people: 0,
                });
            }
        }
        let (households, people) = (&rows[0], &rows[1]);
        for (township, category, n) in households {
            let Some(count) = counts.iter_mut().find(|c| c.township.as_str() == township) else {
                continue;
            };
            match doudi_core::Category::parse(category) {
                Ok(doudi_core::Category::Dibao) => count.dibao_households += n,
                Ok(doudi_core::Category::Tekun) => count.tekun_households += n,
                Err(_) => return Err(common::corrupt("households", "category", township)),
            }
        }
        for (township, _, n) in people {
            if let Some(count) = counts.iter_mut().find(|c| c.township.as_str() == township) {
                count.people += n;
            }
        }
        Ok(counts)
    }

    async fn create_user(&self, actor: &Actor, user: &NewUser) -> Result<i64, StoreError> {
        if !actor.may_manage_accounts() {
            return Err(StoreError::Forbidden);
        }
        let username = user.username.trim();
        if username.is_empty() || username.chars().count() > 64 {
            return Err(StoreError::Invalid("登录名应为1至64个字符".into()));
        }
        if username.chars().any(char::is_whitespace) {
            return Err(StoreError::Invalid("登录名不能含空格".into()));
        }
        let display_name = user.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 50 {
            return Err(StoreError::Invalid("姓名应为1至50个字".into()));
        }
        if user.password_hash.is_empty() {
            return Err(StoreError::Invalid("缺少密码".into()));
        }
        user.role
            .check_assignment(&user.scope, user.department)
            .map_err(StoreError::Invalid)?;
        let mut tx = self.begin_write().await?;
        ensure_scope(&mut tx, &user.scope).await?;
        let result: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO users (username, display_name, role, scope, department, password_hash, \
             must_change_password, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(username)
        .bind(display_name)
        .bind(user.role.code())
        .bind(common::scope_code(&user.scope))
        .bind(user.department.map(|d| d.code()))
        .bind(user.password_hash.as_str())
        .bind(user.must_change_password)
        .bind(common::now())
        .fetch_one(&mut *tx)
        .await;
        match result {
            Ok((id,)) => {
                append_audit(
                    &mut tx,
                    actor,
                    AuditAction::Create,
                    &format!("user:{id}"),
                    &format!(
                        "新建账户：{}",
                        common::describe_assignment(user.role, &user.scope, user.department)
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(id)
            }
            Err(e) if common::unique_violation(&e) == Some(Unique::Username) => {
                Err(StoreError::Duplicate(format!("登录名 {username} 已被使用")))
            }
            Err(e) => Err(common::duplicate_from(e)),
        }
    }

    async fn users(&self, actor: &Actor) -> Result<Vec<UserRecord>, StoreError> {
        if !actor.may_manage_accounts() {
            return Err(StoreError::Forbidden);
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows: Vec<UserRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        let users = rows
            .into_iter()
            .map(UserRow::into_user)
            .collect::<Result<Vec<_>, _>>()?;
        self.audit_alone(
            actor,
            AuditAction::List,
            "users",
            &format!("{}个账户", users.len()),
        )
        .await?;
        Ok(users)
    }

    async fn change_user(
        &self,
        actor: &Actor,
        user_id: i64,
        change: &AccountChange,
    ) -> Result<UserRecord, StoreError> {
        if !actor.may_manage_accounts() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let current = select_user(&mut tx, user_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let own = user_id == actor.user_id;
        let detail = match change {
            AccountChange::Assign {
                role,
                scope,
                department,
            } => {
                if own && (*role != current.role || *scope != current.scope) {
                    return Err(StoreError::Invalid(
                        "不能修改自己的角色或工作范围，请由另一位系统管理员修改".into(),
                    ));
                }
                role.check_assignment(scope, *department)
                    .map_err(StoreError::Invalid)?;
                ensure_scope(&mut tx, scope).await?;
                if *role != current.role {
                    refuse_leaving_households(&mut tx, &current).await?;
                }
                sqlx::query(
                    "UPDATE users SET role = $1, scope = $2, department = $3 WHERE id = $4",
                )
                .bind(role.code())
                .bind(common::scope_code(scope))
                .bind(department.map(|d| d.code()))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                format!(
                    "修改角色与范围：{}",
                    common::describe_assignment(*role, scope, *department)
                )
            }
            AccountChange::Disable => {
                if own {
                    return Err(StoreError::Invalid("不能停用自己的账户".into()));
                }
                refuse_leaving_households(&mut tx, &current).await?;
                sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                    .bind(true)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                "停用账户".to_owned()
            }
            AccountChange::Enable => {
                sqlx::query(
                    "UPDATE users SET disabled = $1, failed_logins = 0, locked_until = NULL \
                     WHERE id = $2",
                )
                .bind(false)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                "启用账户（并解除登录锁定）".to_owned()
            }
            AccountChange::ResetPassword { password_hash } => {
                if password_hash.is_empty() {
                    return Err(StoreError::Invalid("缺少密码".into()));
                }
                sqlx::query(
                    "UPDATE users SET password_hash = $1, must_change_password = $2, \
                     failed_logins = 0, locked_until = NULL WHERE id = $3",
                )
                .bind(password_hash.as_str())
                .bind(true)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                "重置密码（下次登录须修改）".to_owned()
            }
        };
        let ended = if matches!(change, AccountChange::Enable) {
            0
        } else {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        };
        let detail = if ended > 0 {
            format!("{detail}；结束其{ended}个会话")
        } else {
            detail
        };
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("user:{user_id}"),
            &detail,
        )
        .await?;
        let user = select_user(&mut tx, user_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let row: Option<UserRow> = sqlx::query_as(&sql)
            .bind(username.trim())
            .fetch_optional(&self.pool)
            .await?;
        row.map(UserRow::into_user).transpose()
    }

    async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        select_user(&mut conn, id).await
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        if password_hash.is_empty() {
            return Err(StoreError::Invalid("缺少密码".into()));
        }
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(false)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // Whoever else holds a session of this account (perhaps the reason for the change)
        // is logged out.
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let actor = match select_user(&mut tx, user_id).await? {
            Some(u) => u.actor(),
            None => Actor::system("账户管理"),
        };
        let detail = if ended > 0 {
            format!("修改密码；结束其他{ended}个会话")
        } else {
            "修改密码".to_owned()
        };
        append_audit(
            &mut tx,
            &actor,
            AuditAction::Update,
            &format!("user:{user_id}"),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn reserve_login(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<LoginReservation, StoreError> {
        let mut tx = self.begin_write().await?;
        // One statement counts the attempt unless the account is locked: PostgreSQL holds the
        // row until this transaction ends and re-reads it for a waiting attempt, SQLite runs
        // one writer at a time, so every attempt sees the ones before it and their lock.
        let counted: Option<(i64,)> = sqlx::query_as(
            "UPDATE users SET failed_logins = failed_logins + 1 \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) \
             RETURNING failed_logins",
        )
        .bind(user_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((failures,)) = counted else {
            let row: Option<(Option<DateTime<Utc>>,)> =
                sqlx::query_as("SELECT locked_until FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return match row {
                None => Err(StoreError::NotFound),
                Some((until,)) => Ok(LoginReservation::Locked(until.unwrap_or(now))),
            };
        };
        let until = doudi_core::access::account_lockout_after(failures).map(|lock| now + lock);
        if let Some(until) = until {
            sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
                .bind(until)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(LoginReservation::Reserved {
            failures,
            locked_until: until,
        })
    }

    async fn login_succeeded(&self, user_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL \
             WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
        )
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn claim_demo(&self) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        // Two demo servers starting on one fresh database must not both find it empty.
        <Backend as Dialect>::lock_registry(&mut tx).await?;
        let marked: Option<(String,)> =
            sqlx::query_as("SELECT value FROM settings WHERE name = 'demo'")
                .fetch_optional(&mut *tx)
                .await?;
        if marked.is_some() {
            return Ok(true);
        }
        let (households,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM households")
            .fetch_one(&mut *tx)
            .await?;
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        if households > 0 || users > 0 {
            return Ok(false);
        }
        sqlx::query("INSERT INTO settings (name, value) VALUES ('demo', $1)")
            .bind(common::now().to_rfc3339())
            .execute(&mut *tx)
            .await?;
        append_audit(
            &mut tx,
            &Actor::system("演示数据生成"),
            AuditAction::Create,
            "settings:demo",
            "空数据库标记为演示数据库",
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn county_setting(&self, setting: CountySetting) -> Result<Option<String>, StoreError> {
        let name = format!("county.{}", setting.code());
        let value: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE name = $1")
            .bind(&name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(value.map(|(v,)| v))
    }

    async fn put_county_setting(
        &self,
        actor: &Actor,
        setting: CountySetting,
        value: &str,
    ) -> Result<(), StoreError> {
        if !matches!(actor.role, Role::Admin | Role::System) {
            return Err(StoreError::Forbidden);
        }
        let value = value.trim();
        if value.chars().count() > 100 || value.chars().any(char::is_control) {
            return Err(StoreError::Invalid(format!(
                "{}最多100个字符，且不能含控制字符",
                setting.label()
            )));
        }
        let name = format!("county.{}", setting.code());
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM settings WHERE name = $1")
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        if !value.is_empty() {
            sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2)")
                .bind(&name)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("settings:{}", setting.code()),
            &format!("{}：{}", setting.label(), if value.is_empty() { "清除" } else { value }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Housekeeping: the user's expired sessions are of no further use.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen) \
             VALUES ($1, $2, $3, $4, $3)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if common::is_foreign_key_violation(&e) => return Err(StoreError::NotFound),
            Err(e) => return Err(common::duplicate_from(e)),
        }
        tx.commit().await?;
        Ok(())
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        idle: chrono::TimeDelta,
    ) -> Result<Option<UserRecord>, StoreError> {
        let session: Option<(i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT user_id, last_seen FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some((user_id, last_seen)) = session else {
            return Ok(None);
        };
        if last_seen + idle <= now {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        // Recording every request would make every page a write; to the minute is enough.
        if now - last_seen >= chrono::TimeDelta::minutes(1) {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        let mut conn = self.pool.acquire().await?;
        match select_user(&mut conn, user_id).await? {
            Some(user) if !user.disabled => Ok(Some(user)),
            // A disabled account's sessions end, and stay ended when it is enabled again.
            _ => {
                drop(conn);
                self.delete_session(token_hash).await?;
                Ok(None)
            }
        }
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn end_sessions(&self, user_id: i64, keep: Option<&str>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn pair(
        &self,
        actor: &Actor,
        household: HouseholdId,
        cadre: i64,
    ) -> Result<(), StoreError> {
        if !actor.may_manage_pairings() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        pair_in(&mut tx, actor, household, cadre).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unpair(
        &self,
        actor: &Actor,
        household: HouseholdId,
        cadre: i64,
    ) -> Result<(), StoreError> {
        if !actor.may_manage_pairings() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        match select_household(&mut tx, household.0).await? {
            Some(row) if covers(actor, &row.community) => {}
            _ => return Err(StoreError::NotFound),
        }
        let done = sqlx::query("DELETE FROM pairings WHERE household_id = $1 AND user_id = $2")
            .bind(household.0)
            .bind(cadre)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Delete,
            &format!("household:{}", household.0),
            &format!("解除结对帮扶干部 user:{cadre}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pairings(
        &self,
        actor: &Actor,
        filter: PairingFilter,
    ) -> Result<Vec<Pairing>, StoreError> {
        if !(actor.may_manage_pairings() || actor.sees_whole_households()) {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT p.household_id, h.number, p.user_id, u.username, u.display_name, p.created_at, \
             h.community FROM pairings p JOIN households h ON h.id = p.household_id \
             JOIN users u ON u.id = p.user_id WHERE 1 = 1",
        );
        if let Scope::Division(code) = &actor.scope {
            let column = if code.is_community() {
                " AND h.community = "
            } else {
                " AND h.township = "
            };
            qb.push(column).push_bind(code.as_str());
        }
        if actor.role == Role::PairedCadre {
            qb.push(" AND p.user_id = ").push_bind(actor.user_id);
        }
        if let Some(h) = filter.household {
            qb.push(" AND p.household_id = ").push_bind(h.0);
        }
        if let Some(c) = filter.cadre {
            qb.push(" AND p.user_id = ").push_bind(c);
        }
        qb.push(" ORDER BY h.number, u.username");
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, i64, String, String, DateTime<Utc>, String)> =
            qb.build_query_as().fetch_all(&self.pool).await?;
        let target = match filter.household {
            Some(h) => format!("household:{}", h.0),
            None => "pairings".to_owned(),
        };
        self.audit_alone(
            actor,
            AuditAction::List,
            &target,
            &format!("查看结对关系，{}条", rows.len()),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(household, household_number, cadre, cadre_username, cadre_name, since, community)| Pairing {
                    household: HouseholdId(household),
                    household_number,
                    community,
                    cadre,
                    cadre_username,
                    cadre_name,
                    since,
                },
            )
            .collect())
    }

    async fn cadres(&self, actor: &Actor) -> Result<Vec<UserRecord>, StoreError> {
        if !actor.may_manage_pairings() {
            return Err(StoreError::Forbidden);
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE role = $1 AND disabled = $2 ORDER BY username"
        );
        let rows: Vec<UserRow> = sqlx::query_as(&sql)
            .bind(Role::PairedCadre.code())
            .bind(false)
            .fetch_all(&self.pool)
            .await?;
        let mut cadres = Vec::with_capacity(rows.len());
        for row in rows {
            let user = row.into_user()?;
            let overlaps = match (&actor.scope, &user.scope) {
                (Scope::County, _) | (_, Scope::County) => true,
                (Scope::Division(a), Scope::Division(b)) => a.township() == b.township(),
            };
            if overlaps {
                cadres.push(user);
            }
        }
        Ok(cadres)
    }

    async fn record_audit(
        &self,
        actor: &Actor,
        action: AuditAction,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.audit_alone(actor, action, target, detail).await
    }

    async fn audit_entries(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<AuditPage, StoreError> {
        if !actor.may_read_audit() {
            return Err(StoreError::Forbidden);
        }
        let limit = page.limit.clamp(0, MAX_PAGE);
        let offset = page.offset.max(0);
        let mut tx = self.begin_read().await?;
        let mut count: QueryBuilder<'_, Db> = QueryBuilder::new("SELECT COUNT(*) FROM audit_log");
        push_audit_filter(&mut count, filter);
        let (total,): (i64,) = count.build_query_as().fetch_one(&mut *tx).await?;
        let mut list: QueryBuilder<'_, Db> =
            QueryBuilder::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log"));
        push_audit_filter(&mut list, filter);
        list.push(" ORDER BY seq DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows: Vec<AuditEntry> = list.build_query_as().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        // Who looked at the trail is part of the trail. The filter's values are logins, codes
        // and dates, never personal data.
        let detail = common::describe_audit_filter(filter);
        self.audit_alone(actor, AuditAction::Read, "audit_log", &detail)
            .await?;
        Ok(AuditPage { total, rows })
    }

    async fn rotate_keys(&self, actor: &Actor, new: &Keys) -> Result<Rotation, StoreError> {
        if !matches!(actor.role, Role::System | Role::Admin) {
            return Err(StoreError::Forbidden);
        }
        let old = self.keys();
        if new.id() == old.id() {
            return Err(StoreError::Invalid(
                "the new key is the key already in use: generate a new one with \
                 `doudi keys generate FILE`"
                    .into(),
            ));
        }
        let mut tx = self.begin_write().await?;
        // The key's row first: writers that checked the old key finish before, and writers
        // after wait and then see the new key (`check_key_in_use`).
        let recorded: Option<(String,)> = sqlx::query_as(&format!(
            "SELECT key_id FROM data_key WHERE id = 1{}",
            if BACKEND == "postgres" { " FOR UPDATE" } else { "" }
        ))
        .fetch_optional(&mut *tx)
        .await?;
        <Backend as Dialect>::lock_registry(&mut tx).await?;
        match recorded {
            Some((id,)) if id == old.id() => {}
            Some((id,)) => return Err(wrong_key(&id, old.id())),
            None => return Err(StoreError::Key("the database records no data key".into())),
        }
        let persons: Vec<(i64, String, Option<String>)> =
            sqlx::query_as("SELECT id, id_number, phone FROM persons ORDER BY id")
                .fetch_all(&mut *tx)
                .await?;
        let households: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT id, phone, bank_account FROM households \
             WHERE phone IS NOT NULL OR bank_account IS NOT NULL ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut sealed_persons = Vec::with_capacity(persons.len());
        for (id, number, phone) in &persons {
            let (t, c) = ("persons", Column::PersonIdNumber);
            let number = common::unseal(&old, number, c, t, "id_number", *id)?;
            let phone = phone
                .as_deref()
                .map(|p| common::unseal(&old, p, Column::PersonPhone, t, "phone", *id))
                .transpose()?;
            sealed_persons.push(SealedPerson::new(new, *id, &number, phone.as_deref()));
        }
        let mut sealed_households = Vec::with_capacity(households.len());
        for (id, phone, account) in &households {
            let t = "households";
            let phone = phone
                .as_deref()
                .map(|p| common::unseal(&old, p, Column::HouseholdPhone, t, "phone", *id))
                .transpose()?;
            let account = account
                .as_deref()
                .map(|a| {
                    common::unseal(
                        &old,
                        a,
                        Column::HouseholdBankAccount,
                        t,
                        "bank_account",
                        *id,
                    )
                })
                .transpose()?;
            sealed_households.push(SealedHousehold::new(
                new,
                *id,
                phone.as_deref(),
                account.as_deref(),
            ));
        }
        write_sealed(&mut tx, &sealed_persons, &sealed_households).await?;
        // The rural poverty registry (casework, 4.2.c): re-sealed and re-indexed likewise.
        let rural: Vec<(String, String)> =
            sqlx::query_as("SELECT id_key, id_number FROM rural_registry ORDER BY id_key")
                .fetch_all(&mut *tx)
                .await?;
        for (i, (key, sealed)) in rural.iter().enumerate() {
            let number = common::unseal(
                &old,
                sealed,
                Column::RuralIdNumber,
                "rural_registry",
                "id_number",
                i as i64 + 1,
            )?;
            sqlx::query("UPDATE rural_registry SET id_key = $1, id_number = $2 WHERE id_key = $3")
                .bind(new.rural_index(&number))
                .bind(new.seal(Column::RuralIdNumber, &number))
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE data_key SET key_id = $1, since = $2 WHERE id = 1")
            .bind(new.id())
            .bind(common::now())
            .execute(&mut *tx)
            .await?;
        // The audit chain is keyed with the data key: re-chained under the new one, after the
        // old chain verified (a broken trail refuses the rotation, naming the entry).
        tx.keys = Arc::new(new.clone());
        let rechained = rechain_audit(&mut tx, OldChain::Keyed(&old)).await?;
        let rotation = Rotation {
            old_key_id: old.id().to_owned(),
            new_key_id: new.id().to_owned(),
            people: persons.len() as u64,
            households: households.len() as u64,
        };
        append_audit(
            &mut tx,
            actor,
            AuditAction::RotateKeys,
            "data_key",
            &format!(
                "数据密钥由 {} 轮换为 {}：重新加密成员{}人、家庭{}户，重建检索索引，审计链{}条以新密钥重新计算",
                rotation.old_key_id, rotation.new_key_id, rotation.people, rotation.households, rechained
            ),
        )
        .await?;
        tx.commit().await?;
        *self
            .keys
            .write()
            .expect("the key cell is never left poisoned: nothing panics while holding it") =
            Arc::new(new.clone());
        <Backend as Dialect>::compact(&self.pool).await?;
        Ok(rotation)
    }

    async fn audit_head(&self) -> Result<Option<AuditAnchor>, StoreError> {
        let mut tx = self.begin_read().await?;
        let last: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(last.map(|(seq, mac)| AuditAnchor { seq, mac }))
    }

    async fn audit_mac_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        let mut tx = self.begin_read().await?;
        let mac: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(mac.map(|(m,)| m))
    }

    async fn verify_audit(
        &self,
        anchor: Option<&AuditAnchor>,
    ) -> Result<AuditReport, StoreError> {
        let keys = self.keys();
        let mut check = ChainCheck::new(&keys, anchor);
        let mut tx = self.begin_read().await?;
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {AUDIT_BATCH}"
        );
        // Seq 0 and below are not valid: a forged entry there would come first.
        let mut after = i64::MIN;
        'batches: loop {
            let rows: Vec<AuditEntry> =
                sqlx::query_as(&sql).bind(after).fetch_all(&mut *tx).await?;
            let done = (rows.len() as i64) < AUDIT_BATCH;
            for e in &rows {
                after = e.seq;
                if !check.next(e) {
                    break 'batches;
                }
            }
            if done {
                break;
            }
        }
        tx.commit().await?;
        Ok(check.finish())
    }
}

// ---- finances ----

/// Sets a member's income or expense of a kind in a month; returns the amount it replaced.
async fn put_money(
    conn: &mut Conn,
    table: &str,
    person: PersonId,
    month: Month,
    kind: &str,
    amount: Money,
) -> Result<Option<Money>, StoreError> {
    let month = month.to_string();
    let sql =
        format!("SELECT amount_fen FROM {table} WHERE person_id = $1 AND month = $2 AND kind = $3");
    let old: Option<(i64,)> = sqlx::query_as(&sql)
        .bind(person.0)
        .bind(month.as_str())
        .bind(kind)
        .fetch_optional(&mut *conn)
        .await?;
    let sql = format!(
        "INSERT INTO {table} (person_id, month, kind, amount_fen) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (person_id, month, kind) DO UPDATE SET amount_fen = excluded.amount_fen"
    );
    sqlx::query(&sql)
        .bind(person.0)
        .bind(month.as_str())
        .bind(kind)
        .bind(amount.fen())
        .execute(&mut *conn)
        .await?;
    Ok(old.map(|(fen,)| Money::from_fen(fen)))
}

/// Removes a member's income or expense of a kind in a month; returns the amount removed, or
/// not found.
async fn delete_money(
    conn: &mut Conn,
    table: &str,
    person: PersonId,
    month: Month,
    kind: &str,
) -> Result<Money, StoreError> {
    let sql = format!(
        "DELETE FROM {table} WHERE person_id = $1 AND month = $2 AND kind = $3 RETURNING amount_fen"
    );
    let old: Option<(i64,)> = sqlx::query_as(&sql)
        .bind(person.0)
        .bind(month.to_string())
        .bind(kind)
        .fetch_optional(&mut *conn)
        .await?;
    old.map(|(fen,)| Money::from_fen(fen))
        .ok_or(StoreError::NotFound)
}

/// The value of an asset, if filed.
async fn asset_value(
    conn: &mut Conn,
    household: i64,
    kind: &str,
    description: &str,
) -> Result<Option<Money>, StoreError> {
    let old: Option<(i64,)> = sqlx::query_as(
        "SELECT value_fen FROM assets WHERE household_id = $1 AND kind = $2 AND description = $3",
    )
    .bind(household)
    .bind(kind)
    .bind(description)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(old.map(|(fen,)| Money::from_fen(fen)))
}
