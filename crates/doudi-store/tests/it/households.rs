//! Filing, reading and editing households: every field comes back as filed, every edit is
//! checked against the version it was based on and recorded in history.

use std::sync::Arc;

use chrono::Utc;
use doudi_core::{
    Asset, AssetKind, BankAccount, Category, Disability, DisabilityGrade, DisabilityKind, Division,
    DivisionKind, Employment, Expense, ExpenseKind, HealthInsurance, Housing, Income, IncomeKind,
    Money, Month, Need, NewHousehold, PersonFields, PersonId, PersonName, Phone, PovertyCause,
    Relation, Role, SchoolStage, SelfCare, SpecialDisease, Survey, WorkCapacity,
};
use doudi_store::{FinanceChange, HouseholdFilter, Page, Store, StoreError};

use crate::support::*;

/// A household that uses every field, with members, finances and a survey.
pub fn full_household(number: &str) -> NewHousehold {
    let head = PersonFields {
        name: PersonName::parse("张三丰").unwrap(),
        id_number: fresh_id(),
        relation: Relation::Head,
        disability: Some(Disability {
            kind: DisabilityKind::Physical,
            grade: DisabilityGrade::Two,
        }),
        serious_illness: true,
        disease: "尿毒症".into(),
        special_disease: Some(SpecialDisease::Pneumoconiosis),
        self_care: SelfCare::Partial,
        work_capacity: WorkCapacity::None,
        willing_to_work: false,
        employment: Employment::NotInLabourForce,
        school_stage: None,
        boarding: false,
        insurance: HealthInsurance::Employee,
        family_doctor: true,
        health_record: true,
        phone: Some(Phone::parse("13800138000").unwrap()),
    };
    let child = PersonFields {
        school_stage: Some(SchoolStage::Junior),
        boarding: true,
        employment: Employment::NotInLabourForce,
        ..person("张小明", Relation::Child, fresh_id())
    };
    let month = |m| Month::new(2026, m).unwrap();
    NewHousehold {
        fields: doudi_core::HouseholdFields {
            number: number.into(),
            township: code(QINGLONG),
            community: code(QINGLONG_1),
            category: Category::Tekun,
            enrolled_on: date(2023, 7, 15),
            exited_on: Some(date(2030, 12, 31)),
            address: "青龙街道滨江路88号3-2".into(),
            phone: Some(Phone::parse("023-55123456").unwrap()),
            bank_account: Some(BankAccount::parse("6217000012345678").unwrap()),
            housing: Housing::PublicRental,
            causes: vec![PovertyCause::Illness, PovertyCause::Disability],
            needs: vec![Need::Medical, Need::Education],
        },
        members: vec![head, child],
        incomes: vec![
            Income {
                person: PersonId(1),
                month: month(5),
                kind: IncomeKind::Wages,
                amount: Money::from_fen(50_000),
            },
            Income {
                person: PersonId(0),
                month: month(4),
                kind: IncomeKind::Pension,
                amount: Money::from_fen(123_456),
            },
        ],
        assets: vec![Asset {
            kind: AssetKind::Vehicle,
            description: "渝F12345".into(),
            value: Money::from_yuan(20_000),
        }],
        expenses: vec![Expense {
            person: PersonId(0),
            month: month(5),
            kind: ExpenseKind::Medical,
            amount: Money::from_fen(88_800),
        }],
        survey: Some(Survey {
            family_situation: "户主患尿毒症，每周透析".into(),
            poverty_cause: "因病".into(),
            help_needed: "医疗救助".into(),
            surveyed_by: "李社工".into(),
            surveyed_on: date(2026, 5, 20),
        }),
    }
}

/// Files a plain household as the county and returns its id.
pub async fn file(
    store: &Arc<dyn Store>,
    number: &str,
    community: &str,
    names: &[&str],
) -> doudi_core::HouseholdId {
    store
        .create_household(&county(), &household(number, community, names))
        .await
        .unwrap()
}

conformance! {
    async fn a_household_reads_back_exactly_as_it_was_filed(store) {
        let new = full_household("QL-0001");
        let id = store.create_household(&county(), &new).await.unwrap();
        let record = store.household(&county(), id).await.unwrap();

        assert_eq!(record.household.id, id);
        assert_eq!(record.household.version, 1);
        assert_eq!(record.household.fields, new.fields);
        let members: Vec<_> = record.members.iter().map(|m| m.fields.clone()).collect();
        assert_eq!(members, new.members);
        assert!(record.members.iter().all(|m| m.household == id));
        let (head, child) = (record.members[0].id, record.members[1].id);
        assert_eq!(record.head().map(|p| p.id), Some(head));

        // Incomes by month, then member.
        assert_eq!(
            record.incomes,
            vec![
                Income { person: head, ..new.incomes[1].clone() },
                Income { person: child, ..new.incomes[0].clone() },
            ]
        );
        assert_eq!(record.expenses, vec![Expense { person: head, ..new.expenses[0].clone() }]);
        assert_eq!(record.assets, new.assets);
        assert_eq!(record.surveys, vec![new.survey.clone().unwrap()]);
    }

    async fn every_edit_is_recorded_in_history_with_who_when_old_and_new(store) {
        let id = store.create_household(&county(), &household("QL-0002", QINGLONG_1, &["王芳"])).await.unwrap();
        let before = Utc::now();
        let mut edited = store.household(&county(), id).await.unwrap().household.fields;
        edited.address = "青龙街道新城路6号".into();
        edited.phone = Some(Phone::parse("13912345678").unwrap());
        edited.causes = vec![PovertyCause::Illness, PovertyCause::OldAge];
        let worker = caseworker(QINGLONG);
        let updated = store.update_household(&worker, id, 1, &edited).await.unwrap();
        let after = Utc::now();
        assert_eq!(updated.version, 2);
        assert_eq!(updated.fields, edited);

        let history = store.history(&county(), id).await.unwrap();
        assert_eq!(history.len(), 4, "three changed fields and the creation: {history:#?}");
        let creation = history.last().unwrap();
        assert_eq!(
            (creation.action.as_str(), creation.subject.as_str(), creation.field.as_str()),
            ("新建", "家庭", "户编号")
        );
        assert_eq!((creation.old.as_str(), creation.new.as_str()), ("", "QL-0002"));
        assert_eq!(creation.actor_name, "县局审批员");
        assert_eq!(creation.actor_role, Role::CountyApprover);

        let edits = &history[..3];
        for e in edits {
            assert_eq!(e.action, "修改");
            assert_eq!(e.subject, "家庭");
            assert_eq!(e.actor_name, "乡镇经办员");
            assert_eq!(e.actor_role, Role::TownshipCaseworker);
            assert!(e.at >= before - chrono::Duration::seconds(1) && e.at <= after + chrono::Duration::seconds(1));
        }
        let find = |label: &str| edits.iter().find(|e| e.field == label).unwrap_or_else(|| panic!("no entry for {label}"));
        assert_eq!((find("住址").old.as_str(), find("住址").new.as_str()), ("青龙街道滨江路1号", "青龙街道新城路6号"));
        // Personal identifiers are masked in history.
        assert_eq!((find("联系电话").old.as_str(), find("联系电话").new.as_str()), ("", "139****5678"));
        assert_eq!((find("致贫原因").old.as_str(), find("致贫原因").new.as_str()), ("因病", "因病、年老体弱"));
        assert!(history.iter().all(|e| !e.new.contains("13912345678")));
    }

    /// A household is in one of the two categories the policy covers (1.2), urban dibao or urban
    /// tekun, and a move from one to the other is kept in its history.
    async fn a_household_moves_from_dibao_to_tekun_and_its_history_keeps_both(store) {
        let id = store.create_household(&county(), &household("QL-0004", QINGLONG_1, &["孙权"])).await.unwrap();
        let read = store.household(&county(), id).await.unwrap();
        assert_eq!(read.household.fields.category, Category::Dibao);
        let mut tekun = read.household.fields.clone();
        tekun.category = Category::Tekun;
        store.update_household(&county(), id, read.household.version, &tekun).await.unwrap();
        assert_eq!(store.household(&county(), id).await.unwrap().household.fields.category, Category::Tekun);
        let history = store.history(&county(), id).await.unwrap();
        let change = history.iter().find(|e| e.field == "救助类别").expect("the category's change is in the history");
        assert_eq!((change.old.as_str(), change.new.as_str()), (Category::Dibao.label(), Category::Tekun.label()));
    }

    async fn a_second_writer_with_a_stale_version_gets_a_conflict_not_a_lost_update(store) {
        let id = store.create_household(&county(), &household("QL-0003", QINGLONG_1, &["刘备", "刘禅"])).await.unwrap();
        let read = store.household(&county(), id).await.unwrap();
        let mut first = read.household.fields.clone();
        first.address = "第一位编辑写的地址".into();
        let mut second = read.household.fields.clone();
        second.address = "第二位编辑写的地址".into();
        second.category = Category::Tekun;

        let won = store.update_household(&county(), id, read.household.version, &first).await.unwrap();
        assert_eq!(won.version, 2);
        let lost = store.update_household(&caseworker(QINGLONG), id, read.household.version, &second).await;
        assert!(matches!(lost, Err(StoreError::Conflict { expected: 1, current: 2 })), "{lost:?}");

        // Every kind of mutation checks the version.
        let stale = read.household.version;
        let child = read.members[1].id;
        let r = store.add_member(&county(), id, stale, &person("刘永", Relation::Child, fresh_id())).await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        let r = store.update_member(&county(), child, stale, &read.members[1].fields).await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        let r = store.remove_member(&county(), child, stale, "迁出").await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        let income = Income { person: child, month: Month::new(2026, 5).unwrap(), kind: IncomeKind::Wages, amount: Money::from_yuan(1) };
        let r = store.change_finances(&county(), id, stale, &FinanceChange::PutIncome(income)).await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
        let survey = Survey { family_situation: "x".into(), poverty_cause: "x".into(), help_needed: "x".into(), surveyed_by: "x".into(), surveyed_on: date(2026, 5, 1) };
        let r = store.record_survey(&county(), id, stale, &survey).await;
        assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");

        let now = store.household(&county(), id).await.unwrap();
        assert_eq!(now.household.version, 2);
        assert_eq!(now.household.fields, first);
        assert_eq!(now.members.len(), 2);
        assert!(now.incomes.is_empty() && now.surveys.is_empty());
        let edits = store.history(&county(), id).await.unwrap();
        assert_eq!(edits.iter().filter(|e| e.action != "新建").count(), 1, "{edits:#?}");
    }

    async fn two_simultaneous_edits_from_one_version_let_exactly_one_through(store) {
        let id = store.create_household(&county(), &household("QL-0004", QINGLONG_1, &["关羽"])).await.unwrap();
        for round in 0..5 {
            let read = store.household(&county(), id).await.unwrap().household;
            let edits: Vec<_> = ["甲", "乙"].iter().map(|who| {
                let mut f = read.fields.clone();
                f.address = format!("第{round}轮{who}写的地址");
                f
            }).collect();
            let tasks: Vec<_> = edits.iter().cloned().map(|f| {
                let store = store.clone();
                tokio::spawn(async move { store.update_household(&county(), id, read.version, &f).await })
            }).collect();
            let mut results = Vec::new();
            for t in tasks {
                results.push(t.await.unwrap());
            }
            let winners: Vec<usize> = (0..2).filter(|i| results[*i].is_ok()).collect();
            assert_eq!(winners.len(), 1, "exactly one edit wins: {results:?}");
            let loser = 1 - winners[0];
            assert!(
                matches!(results[loser], Err(StoreError::Conflict { expected, current }) if expected == read.version && current == read.version + 1),
                "{:?}", results[loser]
            );
            let stored = store.household(&county(), id).await.unwrap().household;
            assert_eq!(stored.fields, edits[winners[0]]);
            assert_eq!(stored.version, read.version + 1);
        }
    }

    async fn writers_that_retry_after_a_conflict_lose_no_update(store) {
        many_writers_lose_no_update(store).await;
    }

    async fn a_household_number_already_filed_is_a_duplicate(store) {
        let first = file(&store, "QL-0005", QINGLONG_1, &["曹操"]).await;
        let again = store.create_household(&county(), &household("QL-0005", QINGLONG_2, &["曹丕"])).await;
        assert!(matches!(&again, Err(StoreError::Duplicate(m)) if m.contains("QL-0005")), "{again:?}");

        let second = file(&store, "QL-0006", QINGLONG_1, &["曹植"]).await;
        let mut renumbered = store.household(&county(), second).await.unwrap().household.fields;
        renumbered.number = "QL-0005".into();
        let r = store.update_household(&county(), second, 1, &renumbered).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains("QL-0005")), "{r:?}");
        assert_eq!(store.household(&county(), second).await.unwrap().household.version, 1);
        assert_eq!(store.household(&county(), first).await.unwrap().members[0].fields.name.as_str(), "曹操");
    }

    async fn an_id_number_filed_in_another_household_is_a_duplicate_naming_that_household(store) {
        let first = store.create_household(&county(), &household("QL-0007", QINGLONG_1, &["孙权"])).await.unwrap();
        let filed = store.household(&county(), first).await.unwrap().members[0].fields.id_number.clone();

        let mut second = household("QL-0008", QINGLONG_1, &["孙策", "孙尚香"]);
        second.members[1].id_number = filed.clone();
        let r = store.create_household(&county(), &second).await;
        let Err(StoreError::Duplicate(message)) = r else { panic!("expected a duplicate: {r:?}") };
        assert!(message.contains(&filed.masked()) && message.contains("QL-0007"), "{message}");
        assert!(!message.contains(filed.as_str()), "the number is masked: {message}");
        assert!(store.filed_household_numbers(&["QL-0008".into()]).await.unwrap().is_empty(), "nothing of it was filed");

        let third = file(&store, "QL-0009", QINGLONG_1, &["周瑜"]).await;
        let r = store.add_member(&county(), third, 1, &person("孙权", Relation::Spouse, filed.clone())).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains("QL-0007")), "{r:?}");
        let mut changed = store.household(&county(), third).await.unwrap().members[0].clone();
        changed.fields.id_number = filed.clone();
        let r = store.update_member(&county(), changed.id, 1, &changed.fields).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains("QL-0007")), "{r:?}");
    }

    async fn the_trail_names_households_by_file_number_for_its_readers_only(store) {
        let a = store.create_household(&county(), &household("QL-0031", QINGLONG_1, &["甲"])).await.unwrap();
        let b = store.create_household(&county(), &household("QL-0032", QINGLONG_1, &["乙"])).await.unwrap();
        let mut numbers = store.household_numbers(&auditor(), &[a, b, doudi_core::HouseholdId(999_999)]).await.unwrap();
        numbers.sort_by_key(|(h, _)| h.0);
        assert_eq!(numbers, vec![(a, "QL-0031".to_owned()), (b, "QL-0032".to_owned())]);
        let r = store.household_numbers(&caseworker(QINGLONG), &[a]).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
    }

    async fn an_id_number_filed_outside_the_scope_is_said_to_be_registered_without_naming_where_and_audited(store) {
        let first = store.create_household(&county(), &household("QL-0012", QINGLONG_1, &["孙权"])).await.unwrap();
        let filed = store.household(&county(), first).await.unwrap().members[0].fields.id_number.clone();
        let renhe = caseworker(RENHE);

        let mut new = household("RH-0012", RENHE_1, &["孙策"]);
        new.members[0].id_number = filed.clone();
        let r = store.create_household(&renhe, &new).await;
        let Err(StoreError::Duplicate(message)) = r else { panic!("expected a duplicate: {r:?}") };
        assert!(message.contains("已在系统中登记"), "{message}");
        for detail in ["QL-0012", QINGLONG_1, "青龙", "孙权"] {
            assert!(!message.contains(detail), "{detail} leaked: {message}");
        }

        let other = store.create_household(&renhe, &household("RH-0013", RENHE_1, &["周瑜"])).await.unwrap();
        let r = store.add_member(&renhe, other, 1, &person("孙权", Relation::Spouse, filed.clone())).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if !m.contains("QL-0012")), "{r:?}");
        let mut head = store.household(&renhe, other).await.unwrap().members[0].clone();
        head.fields.id_number = filed.clone();
        let r = store.update_member(&renhe, head.id, 1, &head.fields).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if !m.contains("QL-0012")), "{r:?}");

        let trail = store
            .audit_entries(&auditor(), &doudi_store::AuditFilter::default(), Page { offset: 0, limit: 100 })
            .await
            .unwrap()
            .rows;
        let attempts: Vec<_> = trail
            .iter()
            .filter(|e| e.action == "read_denied" && e.target == format!("household:{}", first.0))
            .collect();
        assert_eq!(attempts.len(), 3, "each attempt is audited against the household holding the number: {trail:?}");
        assert!(attempts.iter().all(|e| e.actor_role == "township_caseworker" && !e.detail.contains(filed.as_str())));
    }

    async fn a_household_that_breaks_the_rules_is_invalid_and_not_filed(store) {
        let mut h = household("QL-0010", QINGLONG_1, &["马超"]);
        h.fields.township = code(RENHE);
        let r = store.create_household(&county(), &h).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("不属于")), "{r:?}");

        let h = household("XX-0001", "500235999001", &["马岱"]);
        let r = store.create_household(&county(), &h).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("区划表")), "{r:?}");

        let mut h = household("QL-0011", QINGLONG_1, &["马腾", "马铁"]);
        h.members[0].relation = Relation::Spouse;
        let r = store.create_household(&county(), &h).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("户主")), "{r:?}");

        let mut h = household("QL-0012", QINGLONG_1, &["马休"]);
        h.incomes.push(Income { person: PersonId(0), month: Month::new(2026, 1).unwrap(), kind: IncomeKind::Wages, amount: Money::from_fen(-1) });
        let r = store.create_household(&county(), &h).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("负数")), "{r:?}");

        let page = store.households(&county(), &HouseholdFilter { include_exited: true, ..Default::default() }, Page { offset: 0, limit: 10 }).await.unwrap();
        assert_eq!(page.total, 0);

        let id = file(&store, "QL-0013", QINGLONG_1, &["黄忠"]).await;
        let mut f = store.household(&county(), id).await.unwrap().household.fields;
        f.exited_on = Some(date(2020, 1, 1));
        let r = store.update_household(&county(), id, 1, &f).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("退出日期")), "{r:?}");
        assert_eq!(store.household(&county(), id).await.unwrap().household.version, 1);
    }

    async fn a_survey_is_recorded_read_back_newest_first_and_kept_in_history(store) {
        let id = file(&store, "QL-0014", QINGLONG_1, &["诸葛亮"]).await;
        let first = Survey {
            family_situation: "独居老人".into(),
            poverty_cause: "年老体弱".into(),
            help_needed: "照料护理".into(),
            surveyed_by: "李社工".into(),
            surveyed_on: date(2026, 3, 1),
        };
        let second = Survey { help_needed: "照料护理、医疗救助".into(), surveyed_on: date(2026, 6, 1), ..first.clone() };
        let v2 = store.record_survey(&caseworker(QINGLONG), id, 1, &first).await.unwrap();
        assert_eq!(v2.version, 2);
        let v3 = store.record_survey(&caseworker(QINGLONG), id, 2, &second).await.unwrap();
        assert_eq!(v3.version, 3);

        let record = store.household(&county(), id).await.unwrap();
        assert_eq!(record.surveys, vec![second.clone(), first.clone()]);

        let history = store.history(&county(), id).await.unwrap();
        assert_eq!(history.len(), 1 + 5 + 2, "creation, first survey in full, second where it differs: {history:#?}");
        let latest = &history[..2];
        assert!(latest.iter().all(|e| e.subject == "三清调查" && e.action == "新建"));
        let labels: Vec<&str> = latest.iter().map(|e| e.field.as_str()).collect();
        assert!(labels.contains(&"调查日期") && labels.contains(&"帮扶需求清"), "{history:#?}");
        assert!(!labels.contains(&"家庭情况清"), "unchanged fields are not repeated: {history:#?}");
        let need = latest.iter().find(|e| e.field == "帮扶需求清").unwrap();
        assert_eq!((need.old.as_str(), need.new.as_str()), ("照料护理", "照料护理、医疗救助"));

        let nobody = Survey { surveyed_by: " ".into(), ..first };
        let r = store.record_survey(&county(), id, 3, &nobody).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    }

    async fn township_counts_count_the_households_and_people_that_have_not_exited(store) {
        file(&store, "QL-0101", QINGLONG_1, &["甲一", "甲二"]).await;
        file(&store, "QL-0102", QINGLONG_2, &["乙一", "乙二", "乙三"]).await;
        let mut tekun = household("QL-0103", QINGLONG_1, &["丙一"]);
        tekun.fields.category = Category::Tekun;
        store.create_household(&county(), &tekun).await.unwrap();
        let mut exited = household("QL-0104", QINGLONG_1, &["丁一", "丁二"]);
        exited.fields.exited_on = Some(date(2025, 1, 1));
        store.create_household(&county(), &exited).await.unwrap();
        file(&store, "RH-0101", RENHE_1, &["戊一"]).await;

        let counts = store.township_counts(&county()).await.unwrap();
        assert_eq!(counts.len(), 42, "every township, with or without households");
        let of = |t: &str| counts.iter().find(|c| c.township.as_str() == t).unwrap().clone();
        let q = of(QINGLONG);
        assert_eq!((q.dibao_households, q.tekun_households, q.people), (2, 1, 6));
        let r = of(RENHE);
        assert_eq!((r.dibao_households, r.tekun_households, r.people), (1, 0, 1));
        assert_eq!(of("500235001").people, 0);

        let mine = store.township_counts(&caseworker(QINGLONG)).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0], q);
        let community = store.township_counts(&community_worker(QINGLONG_2)).await.unwrap();
        assert_eq!(community.len(), 1);
        assert_eq!((community[0].dibao_households, community[0].people), (1, 3));
    }

    async fn the_division_table_lists_the_townships_then_the_communities_the_county_adds(store) {
        let divisions = store.divisions().await.unwrap();
        assert_eq!(divisions.len(), 42);
        assert_eq!((divisions[0].code.as_str(), divisions[0].name.as_str()), ("500235001", "双江街道"));
        assert!(divisions.iter().all(|d| d.parent.is_none()));

        let community = Division { code: code(QINGLONG_1), name: "复兴社区".into(), kind: DivisionKind::Community, parent: Some(code(QINGLONG)) };
        store.put_community(&caseworker(QINGLONG), &community).await.unwrap();
        let renamed = Division { name: "复兴路社区".into(), parent: None, ..community.clone() };
        store.put_community(&community_worker(QINGLONG_1), &renamed).await.unwrap();
        let divisions = store.divisions().await.unwrap();
        assert_eq!(divisions.len(), 43);
        let last = divisions.last().unwrap();
        assert_eq!((last.code.as_str(), last.name.as_str(), last.kind), (QINGLONG_1, "复兴路社区", DivisionKind::Community));
        assert_eq!(last.parent, Some(code(QINGLONG)));

        let elsewhere = Division { code: code(RENHE_1), parent: Some(code(RENHE)), ..community.clone() };
        let r = store.put_community(&caseworker(QINGLONG), &elsewhere).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        let r = store.put_community(&auditor(), &elsewhere).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        let nowhere = Division { code: code("500235999001"), parent: None, ..community.clone() };
        let r = store.put_community(&county(), &nowhere).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
        let wrong_parent = Division { parent: Some(code(RENHE)), ..community };
        let r = store.put_community(&county(), &wrong_parent).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
        assert_eq!(store.divisions().await.unwrap().len(), 43);
    }
}

/// Eight writers add an income each to one household at the same time, each retrying with the
/// version it reads after a conflict: all eight incomes arrive, and the version counts them.
pub async fn many_writers_lose_no_update(store: Arc<dyn Store>) {
    let id = file(&store, "QL-0900", QINGLONG_1, &["赵云"]).await;
    let person = store.household(&county(), id).await.unwrap().members[0].id;
    let tasks: Vec<_> = (1..=8u32)
        .map(|month| {
            let store = store.clone();
            tokio::spawn(async move {
                let income = Income {
                    person,
                    month: Month::new(2026, month).unwrap(),
                    kind: IncomeKind::Wages,
                    amount: Money::from_yuan(i64::from(month) * 100),
                };
                let change = FinanceChange::PutIncome(income);
                let mut conflicts = 0;
                loop {
                    let version = store
                        .household(&county(), id)
                        .await
                        .unwrap()
                        .household
                        .version;
                    match store.change_finances(&county(), id, version, &change).await {
                        Ok(_) => return conflicts,
                        Err(StoreError::Conflict { .. }) => conflicts += 1,
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let record = store.household(&county(), id).await.unwrap();
    assert_eq!(record.incomes.len(), 8);
    assert_eq!(record.household.version, 9);
    let history = store.history(&county(), id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|e| e.subject.starts_with("收入"))
            .count(),
        8
    );
}
