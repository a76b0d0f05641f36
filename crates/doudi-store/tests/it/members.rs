//! Members join, change and leave a household; each step is versioned and recorded, and the
//! household keeps its head.

use doudi_core::{
    Disability, DisabilityGrade, DisabilityKind, Income, IncomeKind, Money, Month, Phone, Relation,
};
use doudi_store::{FinanceChange, StoreError};

use crate::households::file;
use crate::support::*;

conformance! {
    async fn members_are_added_changed_and_removed_with_history(store) {
        let id = file(&store, "QL-0201", QINGLONG_1, &["张三", "张小"]).await;
        let spouse_id = fresh_id();
        let spouse = person("李四", Relation::Spouse, spouse_id.clone());
        let added = store.add_member(&caseworker(QINGLONG), id, 1, &spouse).await.unwrap();

        let record = store.household(&county(), id).await.unwrap();
        assert_eq!(record.household.version, 2);
        assert_eq!(record.members.len(), 3);
        assert_eq!(record.members[2].id, added);
        assert_eq!(record.members[2].fields, spouse);

        let mut changed = spouse.clone();
        changed.disability = Some(Disability { kind: DisabilityKind::Physical, grade: DisabilityGrade::Two });
        changed.phone = Some(Phone::parse("13900000000").unwrap());
        let h = store.update_member(&caseworker(QINGLONG), added, 2, &changed).await.unwrap();
        assert_eq!(h.version, 3);
        assert_eq!(h.id, id);
        assert_eq!(store.household(&county(), id).await.unwrap().members[2].fields, changed);

        let income = Income { person: added, month: Month::new(2026, 5).unwrap(), kind: IncomeKind::Wages, amount: Money::from_yuan(800) };
        store.change_finances(&caseworker(QINGLONG), id, 3, &FinanceChange::PutIncome(income)).await.unwrap();

        let h = store.remove_member(&caseworker(QINGLONG), added, 4, " 迁往外县 ").await.unwrap();
        assert_eq!(h.version, 5);
        let record = store.household(&county(), id).await.unwrap();
        assert_eq!(record.members.len(), 2);
        assert!(record.incomes.is_empty(), "the member's incomes leave with the member");
        // The identity number may be filed again elsewhere.
        assert!(store.filed_id_numbers(std::slice::from_ref(&spouse_id)).await.unwrap().is_empty());

        let history = store.history(&county(), id).await.unwrap();
        let summary: Vec<(&str, &str, &str, &str, &str)> = history.iter()
            .map(|e| (e.action.as_str(), e.subject.as_str(), e.field.as_str(), e.old.as_str(), e.new.as_str()))
            .collect();
        let line = format!("李*（配偶，{}）", spouse_id.masked());
        assert_eq!(summary[0], ("删除", "成员 李*", "成员", line.as_str(), "已移除（原因：迁往外县）"));
        assert_eq!(summary[1], ("新建", "收入 2026-05 工资性收入（李*）", "金额", "", "¥800.00"));
        assert!(summary[2..4].contains(&("修改", "成员 李*", "联系电话", "", "139****0000")), "{summary:#?}");
        assert!(summary[2..4].contains(&("修改", "成员 李*", "残疾情况", "无", "肢体二级")), "{summary:#?}");
        assert_eq!(summary[4], ("新建", "成员 李*", "成员", "", line.as_str()));
        assert_eq!(summary[5].0, "新建");
        assert_eq!(summary.len(), 6);
        assert!(history.iter().all(|e| !e.old.contains(spouse_id.as_str()) && !e.new.contains(spouse_id.as_str())));
    }

    async fn removing_the_head_while_others_remain_is_refused(store) {
        let id = file(&store, "QL-0202", QINGLONG_1, &["王大", "王二"]).await;
        let record = store.household(&county(), id).await.unwrap();
        let (head, child) = (record.members[0].id, record.members[1].id);

        let r = store.remove_member(&county(), head, 1, "死亡").await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("户主")), "{r:?}");
        assert_eq!(store.household(&county(), id).await.unwrap().household.version, 1, "nothing changed");

        let r = store.remove_member(&county(), child, 1, "").await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "a reason is required: {r:?}");

        store.remove_member(&county(), child, 1, "迁出").await.unwrap();
        let r = store.remove_member(&county(), head, 2, "死亡").await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("唯一")), "{r:?}");
        assert_eq!(store.household(&county(), id).await.unwrap().members.len(), 1);
    }

    async fn the_head_changes_by_first_unmaking_the_old_head(store) {
        let id = file(&store, "QL-0203", QINGLONG_1, &["陈父", "陈子"]).await;
        let record = store.household(&county(), id).await.unwrap();
        let (father, son) = (record.members[0].clone(), record.members[1].clone());

        let r = store.add_member(&county(), id, 1, &person("陈母", Relation::Head, fresh_id())).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("已有户主")), "{r:?}");
        let son_as_head = doudi_core::PersonFields { relation: Relation::Head, ..son.fields.clone() };
        let r = store.update_member(&county(), son.id, 1, &son_as_head).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("已有户主")), "{r:?}");

        let father_as_parent = doudi_core::PersonFields { relation: Relation::Parent, ..father.fields.clone() };
        store.update_member(&county(), father.id, 1, &father_as_parent).await.unwrap();
        store.update_member(&county(), son.id, 2, &son_as_head).await.unwrap();
        store.remove_member(&county(), father.id, 3, "死亡").await.unwrap();

        let record = store.household(&county(), id).await.unwrap();
        assert_eq!(record.head().map(|p| p.id), Some(son.id));
        assert_eq!(record.household.version, 4);
    }

    async fn a_member_of_no_household_is_not_found(store) {
        let id = file(&store, "QL-0204", QINGLONG_1, &["林一"]).await;
        let nobody = doudi_core::PersonId(987_654);
        let r = store.update_member(&county(), nobody, 1, &person("林二", Relation::Child, fresh_id())).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        let r = store.remove_member(&county(), nobody, 1, "迁出").await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        let r = store.add_member(&county(), doudi_core::HouseholdId(987_654), 1, &person("林三", Relation::Child, fresh_id())).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        assert_eq!(store.household(&county(), id).await.unwrap().household.version, 1);
    }
}
