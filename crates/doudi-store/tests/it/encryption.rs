//! Personal identifiers at rest: identity numbers, phones and bank accounts are stored
//! encrypted, found again through the keyed blind index, re-encrypted by a key rotation, and
//! never readable with a wrong key; showing them in full (unmask) is audited with its purpose.

use std::sync::Arc;

use doudi_core::{BankAccount, IdNumber, Phone, Relation};
use doudi_store::{AuditAction, AuditFilter, HouseholdFilter, Page, Store, StoreError};

use crate::audit::Raw;
use crate::support::*;

/// Opens the database at `url` with the test key.
async fn open(url: &str) -> Arc<dyn Store> {
    doudi_store::connect(url, test_keys()).await.unwrap()
}

/// The file numbers of the households a search finds, for the county.
async fn found(store: &dyn Store, q: &str) -> Vec<String> {
    let filter = HouseholdFilter {
        query: Some(q.into()),
        include_exited: true,
        ..Default::default()
    };
    let page = store
        .households(
            &county(),
            &filter,
            Page {
                offset: 0,
                limit: 100,
            },
        )
        .await
        .unwrap();
    page.rows.into_iter().map(|r| r.number).collect()
}

/// A household with a phone and a bank account.
fn with_contacts(number: &str, names: &[&str], phone: &str) -> doudi_core::NewHousehold {
    let mut h = household(number, QINGLONG_1, names);
    h.fields.phone = Some(Phone::parse(phone).unwrap());
    h.fields.bank_account = Some(BankAccount::parse("6222020200112233445").unwrap());
    h.members[0].phone = Some(Phone::parse(phone).unwrap());
    h
}

/// Every sealed column's values, as stored.
async fn stored(raw: &mut Raw) -> Vec<String> {
    let mut all = Vec::new();
    for sql in [
        "SELECT id_number FROM persons",
        "SELECT phone FROM persons",
        "SELECT phone FROM households",
        "SELECT bank_account FROM households",
    ] {
        all.extend(raw.texts(sql).await.into_iter().flatten());
    }
    all
}

on_databases! {
    async fn identifiers_are_stored_encrypted_and_equal_values_are_stored_differently(url) {
        let store = open(&url).await;
        let a = with_contacts("QL-E001", &["甲一", "甲二"], "13800138000");
        let moving: IdNumber = a.members[1].id_number.clone();
        let a_id = store.create_household(&county(), &a).await.unwrap();
        store.create_household(&county(), &with_contacts("QL-E002", &["乙一"], "13800138000")).await.unwrap();

        let mut raw = Raw::connect(&url).await;
        let values = stored(&mut raw).await;
        assert_eq!(values.len(), 3 + 2 + 2 + 2, "{values:?}");
        for v in &values {
            assert!(v.starts_with("v1:"), "sealed: {v}");
            for plain in ["13800138000", "6222020200112233445", "0138000", "2233445"] {
                assert!(!v.contains(plain), "{v} holds {plain}");
            }
        }
        for h in [&a.members[0], &a.members[1]] {
            assert!(!values.iter().any(|v| v.contains(&h.id_number.as_str()[6..14])), "no birth date in clear");
        }
        let phones = raw.texts("SELECT phone FROM households ORDER BY id").await;
        assert_ne!(phones[0], phones[1], "the same phone is stored differently in two rows");

        // The same identity number filed again (after moving out) is stored differently.
        let sealed_before = raw.texts("SELECT id_number FROM persons ORDER BY id").await[1].clone();
        let record = store.household(&county(), a_id).await.unwrap();
        let person = record.members.iter().find(|p| p.fields.id_number == moving).unwrap();
        store.remove_member(&county(), person.id, record.household.version, "迁出").await.unwrap();
        let b = store.create_household(&county(), &household("QL-E003", QINGLONG_1, &["丙一"])).await.unwrap();
        let version = store.household(&county(), b).await.unwrap().household.version;
        store
            .add_member(&county(), b, version, &person_fields("甲二", moving.clone()))
            .await
            .unwrap();
        let sealed_after = raw.texts("SELECT id_number FROM persons ORDER BY id DESC LIMIT 1").await[0].clone();
        assert_ne!(sealed_before, sealed_after);
        assert_eq!(found(&*store, moving.as_str()).await, ["QL-E003"]);
    }

    async fn a_wrong_key_is_refused_with_a_clear_message_and_reads_nothing(url) {
        let store = open(&url).await;
        store.create_household(&county(), &with_contacts("QL-E010", &["丁一"], "13900139000")).await.unwrap();
        drop(store);
        let r = doudi_store::connect(&url, other_keys()).await;
        let Err(StoreError::Key(message)) = r else {
            panic!("a wrong key must be refused: {:?}", r.map(|s| s.backend()))
        };
        assert!(message.contains("not this database's key"), "{message}");
        assert!(message.contains(test_keys().id()) && message.contains(other_keys().id()), "{message}");
        // The right key still opens it.
        let store = open(&url).await;
        assert_eq!(found(&*store, "丁一").await, ["QL-E010"]);
    }

    async fn a_value_sealed_under_another_key_is_an_error_not_garbage(url) {
        let store = open(&url).await;
        let id = store.create_household(&county(), &with_contacts("QL-E020", &["戊一"], "13700137000")).await.unwrap();
        let mut raw = Raw::connect(&url).await;
        // Someone copies in a value sealed under another key (here: relabelled).
        raw.exec(&format!(
            "UPDATE households SET phone = REPLACE(phone, '{}', '{}')",
            test_keys().id(),
            other_keys().id()
        ))
        .await;
        let r = store.household(&county(), id).await;
        assert!(matches!(&r, Err(StoreError::Key(m)) if m.contains("households.phone")), "{r:?}");
        // An altered value is corrupt, and said without the value.
        raw.exec("UPDATE households SET phone = 'v1:' || 'x'").await;
        let r = store.household(&county(), id).await;
        assert!(matches!(&r, Err(StoreError::Corrupt(m)) if m.contains("does not decrypt")), "{r:?}");
    }

    async fn key_rotation_keeps_every_record_readable_and_searchable_and_retires_the_old_key(url) {
        let store = open(&url).await;
        let h = with_contacts("QL-E030", &["己一", "己二"], "13600136000");
        let ids: Vec<IdNumber> = h.members.iter().map(|m| m.id_number.clone()).collect();
        let id = store.create_household(&county(), &h).await.unwrap();
        store.import_households(&county(), &crate::import::batch("RT", 30)).await.unwrap();
        let before = store.household(&county(), id).await.unwrap();

        let rotation = store.rotate_keys(&doudi_core::Actor::system("密钥轮换"), &other_keys()).await.unwrap();
        assert_eq!((rotation.people, rotation.households), (62, 1));
        assert_eq!(rotation.new_key_id, other_keys().id());

        // The running store goes on with the new key.
        assert_eq!(store.household(&county(), id).await.unwrap(), before);
        assert_eq!(found(&*store, ids[1].as_str()).await, ["QL-E030"]);
        drop(store);

        // Reopened with the new key: everything reads and searches.
        let store = doudi_store::connect(&url, other_keys()).await.unwrap();
        assert_eq!(store.household(&county(), id).await.unwrap(), before);
        assert_eq!(found(&*store, ids[0].as_str()).await, ["QL-E030"]);
        assert_eq!(found(&*store, &ids[1].as_str()[12..]).await, ["QL-E030"]);
        let all = store
            .records(&county(), &HouseholdFilter::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 31);
        let dup = store.create_household(&county(), &{
            let mut again = household("QL-E031", QINGLONG_1, &["庚一"]);
            again.members[0].id_number = ids[0].clone();
            again
        }).await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))), "the blind index was rebuilt: {dup:?}");

        let mut raw = Raw::connect(&url).await;
        for v in stored(&mut raw).await {
            assert!(v.starts_with(&format!("v1:{}:", other_keys().id())), "{v}");
        }
        let audit = store
            .audit_entries(&auditor(), &AuditFilter { action: Some(AuditAction::RotateKeys), ..Default::default() }, Page { offset: 0, limit: 10 })
            .await
            .unwrap();
        assert_eq!(audit.total, 1);
        assert!(audit.rows[0].detail.contains(other_keys().id()), "{}", audit.rows[0].detail);
        drop(store);

        // The old key no longer opens the database.
        let r = doudi_store::connect(&url, test_keys()).await;
        assert!(matches!(r, Err(StoreError::Key(_))), "the old key is retired");
    }

    async fn a_store_still_holding_the_old_key_writes_nothing_after_another_process_rotates(url) {
        // A server opened the database with the old key; the command line rotates the key.
        let server = open(&url).await;
        let filed = server.create_household(&county(), &household("QL-E040", QINGLONG_1, &["甲一"])).await.unwrap();
        let number = server.household(&county(), filed).await.unwrap().members[0].fields.id_number.clone();
        let rotating = open(&url).await;
        rotating.rotate_keys(&doudi_core::Actor::system("密钥轮换"), &other_keys()).await.unwrap();
        drop(rotating);

        // The server would seal under the old key and index the number with it, so that the
        // duplicate below would be accepted: every write is refused instead, by name.
        let dup = server.create_household(&county(), &{
            let mut again = household("QL-E041", QINGLONG_1, &["甲二"]);
            again.members[0].id_number = number.clone();
            again
        }).await;
        let Err(StoreError::Key(message)) = dup else { panic!("a write with the old key: {dup:?}") };
        assert!(message.contains("数据密钥已轮换") && message.contains(other_keys().id()), "{message}");
        let other = server.create_household(&county(), &household("QL-E042", QINGLONG_1, &["甲三"])).await;
        assert!(matches!(other, Err(StoreError::Key(_))), "{other:?}");
        drop(server);

        // Nothing was written, and the database opens and reads with the new key.
        let store = doudi_store::connect(&url, other_keys()).await.unwrap();
        let all = store.records(&county(), &HouseholdFilter::default()).await.unwrap();
        assert_eq!(all.len(), 1, "only the household filed before the rotation");
        assert_eq!(all[0].members[0].fields.id_number, number);
    }

    async fn rows_filed_before_encryption_are_sealed_on_the_first_start_with_a_key(url) {
        // A database as migration 0004 leaves one filed before encryption: plaintext identifiers
        // (the identity number where the blind index goes, nothing sealed), no key.
        drop(open(&url).await);
        let mut raw = Raw::connect(&url).await;
        let old = fresh_id();
        raw.exec("DELETE FROM data_key").await;
        let now = "'2024-01-01T00:00:00Z'";
        let (t, f) = if url.starts_with("sqlite:") { ("1", "0") } else { ("TRUE", "FALSE") };
        raw.exec(&format!(
            "INSERT INTO households (id, number, township, community, category, enrolled_on, address, phone, bank_account, housing, created_at, updated_at) \
             VALUES (1, 'QL-OLD1', '{}', '{QINGLONG_1}', 'dibao', '2020-01-01', '青龙街道1号', '13500135000', '6222020200998877665', 'owned', {now}, {now})",
            &QINGLONG_1[..9]
        )).await;
        raw.exec(&format!(
            "INSERT INTO persons (id, household_id, position, name, initials, id_number_bidx, relation, serious_illness, self_care, work_capacity, willing_to_work, employment, boarding, insurance, family_doctor, health_record, phone) \
             VALUES (1, 1, 0, '辛一', 'xy', '{}', 'head', {f}, 'full', 'full', {t}, 'unemployed', {f}, 'resident', {f}, {f}, '13500135001')",
            old.as_str()
        )).await;

        let store = open(&url).await;
        let values = stored(&mut raw).await;
        assert_eq!(values.len(), 4);
        assert!(values.iter().all(|v| v.starts_with("v1:")), "{values:?}");
        assert_eq!(found(&*store, old.as_str()).await, ["QL-OLD1"]);
        assert_eq!(found(&*store, &old.as_str()[11..]).await, ["QL-OLD1"]);
        let record = store.household(&county(), doudi_core::HouseholdId(1)).await.unwrap();
        assert_eq!(record.household.fields.phone.unwrap().as_str(), "13500135000");
        assert_eq!(record.members[0].fields.id_number, old);
        drop(store);
        // Sealed once: a second start changes nothing.
        let again = stored(&mut raw).await;
        drop(open(&url).await);
        assert_eq!(stored(&mut raw).await, again);
    }
}

/// A member with plain defaults (any relation but head).
fn person_fields(name: &str, id: IdNumber) -> doudi_core::PersonFields {
    person(name, Relation::Child, id)
}

conformance! {
    async fn search_by_more_than_four_last_digits_tells_apart_numbers_that_share_the_last_four(store) {
        // Two numbers with the same last four characters but a different fifth from last.
        let a = IdNumber::from_parts("500235", date(1971, 3, 5), 123);
        let b = (1..400)
            .map(|days| IdNumber::from_parts("500235", date(1971, 3, 5) + chrono::Days::new(days), 123))
            .find(|id| id.as_str()[14..] == a.as_str()[14..])
            .expect("one of 400 days gives the same check character");
        for (number, name, id) in [("QL-S001", "壬一", &a), ("QL-S002", "癸一", &b)] {
            let mut h = household(number, QINGLONG_1, &[name]);
            h.members[0].id_number = id.clone();
            store.create_household(&county(), &h).await.unwrap();
        }
        assert_eq!(found(&*store, &a.as_str()[14..]).await, ["QL-S001", "QL-S002"]);
        assert_eq!(found(&*store, &a.as_str()[10..]).await, ["QL-S001"]);
        assert_eq!(found(&*store, &b.as_str()[10..]).await, ["QL-S002"]);
    }

    async fn a_duplicate_identity_number_is_found_through_the_blind_index(store) {
        let h = household("QL-D001", QINGLONG_1, &["子一"]);
        let filed = h.members[0].id_number.clone();
        let id = store.create_household(&county(), &h).await.unwrap();
        let fresh = fresh_id();
        assert_eq!(store.filed_id_numbers(&[fresh, filed.clone()]).await.unwrap(), std::slice::from_ref(&filed));
        let mut again = household("QL-D002", QINGLONG_2, &["丑一"]);
        again.members[0].id_number = filed.clone();
        let r = store.create_household(&county(), &again).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains(&filed.masked()) && m.contains("QL-D001")), "{r:?}");
        let r = store.import_households(&county(), &[again]).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains("QL-D001")), "{r:?}");
        let version = store.household(&county(), id).await.unwrap().household.version;
        let r = store.add_member(&county(), id, version, &person_fields("子二", filed.clone())).await;
        assert!(matches!(r, Err(StoreError::Duplicate(_))), "{r:?}");
    }

    async fn unmasking_is_audited_with_its_purpose_before_the_values_are_returned(store) {
        let h = with_contacts("QL-U001", &["寅一"], "13300133000");
        let id = store.create_household(&county(), &h).await.unwrap();
        let worker = caseworker(QINGLONG);

        let r = store.unmask(&worker, id, " ").await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("用途")), "{r:?}");
        let r = store.unmask(&admin(), id, "核对发放账户").await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        let r = store.unmask(&caseworker(RENHE), id, "核对发放账户").await;
        assert!(matches!(r, Err(StoreError::NotFound)), "outside the scope: {r:?}");

        let record = store.unmask(&worker, id, "核对发放账户").await.unwrap();
        assert_eq!(record.household.fields.phone.as_ref().unwrap().as_str(), "13300133000");
        assert_eq!(record.members[0].fields.id_number, h.members[0].id_number);
        store.unmask(&auditor(), id, "专项审计抽查").await.unwrap();

        let trail = store
            .audit_entries(&auditor(), &AuditFilter { target: Some(format!("household:{}", id.0)), ..Default::default() }, Page { offset: 0, limit: 20 })
            .await
            .unwrap();
        let unmasks: Vec<_> = trail.rows.iter().filter(|e| e.action == "unmask").collect();
        assert_eq!(unmasks.len(), 2, "{:?}", trail.rows);
        assert_eq!(unmasks[1].actor_name, worker.username);
        assert_eq!(unmasks[1].purpose, "核对发放账户");
        assert_eq!(unmasks[0].purpose, "专项审计抽查");
        let denied: Vec<_> = trail.rows.iter().filter(|e| e.action == "read_denied").collect();
        assert_eq!(denied.len(), 1, "the attempt outside the scope is recorded");
        for e in &trail.rows {
            assert!(!e.detail.contains("13300133000") && !e.detail.contains(h.members[0].id_number.as_str()), "{e:?}");
        }
    }
}

#[test]
fn the_debug_output_of_a_member_shows_masked_identifiers_only() {
    let mut p = person(
        "张三丰",
        Relation::Head,
        IdNumber::from_parts("500235", date(1960, 5, 1), 13),
    );
    p.phone = Some(Phone::parse("13812345678").unwrap());
    let shown = format!("{p:?}");
    assert!(!shown.contains(p.id_number.as_str()), "{shown}");
    assert!(shown.contains(&p.id_number.masked()), "{shown}");
    assert!(
        !shown.contains("13812345678") && shown.contains("138****5678"),
        "{shown}"
    );
    assert!(
        !shown.contains("张三丰") && shown.contains("张*丰"),
        "{shown}"
    );
    let account = BankAccount::parse("6222020200112233445").unwrap();
    assert_eq!(format!("{account:?}"), "BankAccount(****3445)");
}
