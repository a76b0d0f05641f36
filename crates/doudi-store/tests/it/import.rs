//! Imports: many households in one transaction, all or nothing.

use std::sync::Arc;

use doudi_core::{
    Asset, AssetKind, Expense, ExpenseKind, Income, IncomeKind, Money, Month, NewHousehold,
    PersonId, Survey,
};
use doudi_store::{HouseholdFilter, ImportCounts, Page, Store, StoreError};

use crate::households::{file, full_household};
use crate::support::*;

/// `n` households numbered `{prefix}-0000…`, each with two members, six months of income each,
/// an expense, an asset and a survey.
pub fn batch(prefix: &str, n: usize) -> Vec<NewHousehold> {
    (0..n)
        .map(|i| {
            let mut h = household(&format!("{prefix}-{i:04}"), QINGLONG_1, &["郑一", "郑二"]);
            for person in 0..2 {
                for m in 1..=6 {
                    h.incomes.push(Income {
                        person: PersonId(person),
                        month: Month::new(2026, m).unwrap(),
                        kind: IncomeKind::Wages,
                        amount: Money::from_fen(100_000 + i as i64),
                    });
                }
            }
            h.expenses.push(Expense {
                person: PersonId(1),
                month: Month::new(2026, 3).unwrap(),
                kind: ExpenseKind::Tuition,
                amount: Money::from_yuan(600),
            });
            h.assets.push(Asset {
                kind: AssetKind::Savings,
                description: "农商行".into(),
                value: Money::from_yuan(3000),
            });
            h.survey = Some(Survey {
                family_situation: "两口之家".into(),
                poverty_cause: "因病".into(),
                help_needed: "生活救助".into(),
                surveyed_by: "吴社工".into(),
                surveyed_on: date(2026, 4, 1),
            });
            h
        })
        .collect()
}

async fn total(store: &Arc<dyn Store>) -> i64 {
    let all = HouseholdFilter {
        include_exited: true,
        ..Default::default()
    };
    store
        .households(
            &county(),
            &all,
            Page {
                offset: 0,
                limit: 1,
            },
        )
        .await
        .unwrap()
        .total
}

conformance! {
    async fn an_import_files_every_household_with_members_finances_and_history(store) {
        let mut households = batch("IM", 40);
        households.push(full_household("IM-FULL"));
        let counts = store.import_households(&county(), &households).await.unwrap();
        assert_eq!(counts, ImportCounts { households: 41, people: 82, incomes: 40 * 12 + 2, other_records: 40 * 2 + 2 });
        assert_eq!(total(&store).await, 41);

        let page = store.households(&county(), &HouseholdFilter { query: Some("张三丰".into()), ..Default::default() }, Page { offset: 0, limit: 1 }).await.unwrap();
        let id = page.rows[0].id;
        let record = store.household(&county(), id).await.unwrap();
        let new = full_household("IM-FULL");
        assert_eq!(record.household.fields, new.fields);
        assert_eq!(record.household.version, 1);
        assert_eq!(record.members.len(), 2);
        assert_eq!(record.members[0].fields.name.as_str(), "张三丰");
        assert_eq!(record.incomes.len(), 2);
        assert_eq!(record.incomes[0].person, record.members[0].id);
        assert_eq!(record.incomes[0].amount, Money::from_fen(123_456));
        assert_eq!(record.assets, new.assets);
        assert_eq!(record.surveys.len(), 1);
        let history = store.history(&county(), id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!((history[0].action.as_str(), history[0].field.as_str(), history[0].new.as_str()), ("新建", "户编号", "IM-FULL"));

        let other = store.households(&county(), &HouseholdFilter::default(), Page { offset: 0, limit: 1 }).await.unwrap().rows[0].id;
        let record = store.household(&county(), other).await.unwrap();
        assert_eq!(record.incomes.len(), 12);
        assert_eq!(record.expenses.len(), 1);
        assert_eq!(record.expenses[0].person, record.members[1].id);
    }

    async fn an_import_with_a_duplicate_id_number_writes_nothing(store) {
        let filed = file(&store, "QL-0401", QINGLONG_1, &["冯一"]).await;
        let filed_id = store.household(&county(), filed).await.unwrap().members[0].fields.id_number.clone();

        let mut households = batch("DUP", 30);
        households[17].members[1].id_number = filed_id.clone();
        let r = store.import_households(&county(), &households).await;
        let Err(StoreError::Duplicate(message)) = r else { panic!("expected a duplicate: {r:?}") };
        assert!(message.contains(&filed_id.masked()) && message.contains("QL-0401"), "{message}");
        assert!(!message.contains(filed_id.as_str()));
        assert_eq!(total(&store).await, 1, "nothing of the import was written");
        let numbers: Vec<String> = households.iter().map(|h| h.fields.number.clone()).collect();
        assert!(store.filed_household_numbers(&numbers).await.unwrap().is_empty());

        // A duplicate within the batch is found before anything is written.
        let mut households = batch("DUP", 30);
        households[20].members[0].id_number = households[3].members[1].id_number.clone();
        let r = store.import_households(&county(), &households).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains("第4户") && m.contains("第21户")), "{r:?}");
        assert_eq!(total(&store).await, 1);

        // And the import goes through once the data is right.
        let households = batch("DUP", 30);
        assert_eq!(store.import_households(&county(), &households).await.unwrap().households, 30);
        assert_eq!(total(&store).await, 31);
    }

    async fn an_import_with_a_duplicate_household_number_writes_nothing(store) {
        file(&store, "HN-0007", QINGLONG_1, &["卫一"]).await;
        let r = store.import_households(&county(), &batch("HN", 20)).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains("HN-0007")), "{r:?}");
        assert_eq!(total(&store).await, 1);

        let mut households = batch("HX", 5);
        households[4].fields.number = "HX-0001".into();
        let r = store.import_households(&county(), &households).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains("HX-0001")), "{r:?}");
        assert_eq!(total(&store).await, 1);
    }

    async fn an_import_with_an_invalid_household_names_it_and_writes_nothing(store) {
        let mut households = batch("BAD", 5);
        households[2].members.clear();
        let r = store.import_households(&county(), &households).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("第3户") && m.contains("BAD-0002")), "{r:?}");

        let mut households = batch("BAD", 5);
        households[4].fields.township = code("500235999");
        households[4].fields.community = code("500235999001");
        let r = store.import_households(&county(), &households).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("500235999")), "{r:?}");
        assert_eq!(total(&store).await, 0);
        assert_eq!(store.import_households(&county(), &[]).await.unwrap(), ImportCounts::default());
    }

    async fn households_filed_after_an_import_get_fresh_ids(store) {
        file(&store, "AF-0000", QINGLONG_1, &["蒋一"]).await;
        store.import_households(&county(), &batch("AF1", 10)).await.unwrap();
        let created = file(&store, "AF-0001", QINGLONG_1, &["蒋二", "蒋三"]).await;
        store.import_households(&county(), &batch("AF2", 10)).await.unwrap();
        let record = store.household(&county(), created).await.unwrap();
        assert_eq!(record.members.len(), 2);
        let added = store.add_member(&county(), created, 1, &person("蒋四", doudi_core::Relation::Child, fresh_id())).await.unwrap();
        assert_eq!(store.household(&county(), created).await.unwrap().members[2].id, added);
        assert_eq!(total(&store).await, 22);
    }

    async fn filed_numbers_are_reported_county_wide_whatever_the_scope(store) {
        let id = file(&store, "RH-0402", RENHE_1, &["沈一", "沈二"]).await;
        let members = store.household(&county(), id).await.unwrap().members;
        let unknown = fresh_id();
        let asked = vec![unknown.clone(), members[1].fields.id_number.clone(), members[0].fields.id_number.clone(), members[1].fields.id_number.clone()];
        let filed = store.filed_id_numbers(&asked).await.unwrap();
        assert_eq!(filed, vec![members[1].fields.id_number.clone(), members[0].fields.id_number.clone()]);
        let numbers = store.filed_household_numbers(&["XX-1".into(), "RH-0402".into()]).await.unwrap();
        assert_eq!(numbers, vec!["RH-0402".to_owned()]);
    }
}
