//! Incomes, expenses and assets are set and removed one at a time, each recorded in history
//! with the amounts as people read them.

use doudi_core::{AssetKind, Expense, ExpenseKind, Income, IncomeKind, Money, Month, PersonId};
use doudi_store::{FinanceChange, StoreError};

use crate::households::file;
use crate::support::*;

fn may() -> Month {
    Month::new(2026, 5).unwrap()
}

conformance! {
    async fn finances_are_put_and_deleted_with_history_in_money_as_shown(store) {
        let id = file(&store, "QL-0501", QINGLONG_1, &["张三", "李梅"]).await;
        let record = store.household(&county(), id).await.unwrap();
        let (head, child) = (record.members[0].id, record.members[1].id);
        let me = caseworker(QINGLONG);
        let wages = |fen| FinanceChange::PutIncome(Income { person: head, month: may(), kind: IncomeKind::Wages, amount: Money::from_fen(fen) });

        let changes = [
            wages(123_450),
            wages(200_000),
            wages(200_000),
            FinanceChange::DeleteIncome { person: head, month: may(), kind: IncomeKind::Wages },
            FinanceChange::PutExpense(Expense { person: child, month: may(), kind: ExpenseKind::Tuition, amount: Money::from_yuan(1500) }),
            FinanceChange::PutAsset(doudi_core::Asset { kind: AssetKind::Savings, description: "工商银行".into(), value: Money::from_yuan(5000) }),
            FinanceChange::PutAsset(doudi_core::Asset { kind: AssetKind::Savings, description: " 工商银行 ".into(), value: Money::from_yuan(4200) }),
            FinanceChange::PutAsset(doudi_core::Asset { kind: AssetKind::Vehicle, description: "渝F00001".into(), value: Money::from_yuan(9000) }),
            FinanceChange::DeleteAsset { kind: AssetKind::Vehicle, description: "渝F00001".into() },
        ];
        for (i, change) in changes.iter().enumerate() {
            let h = store.change_finances(&me, id, 1 + i as i64, change).await.unwrap();
            assert_eq!(h.version, 2 + i as i64);
        }

        let record = store.household(&county(), id).await.unwrap();
        assert!(record.incomes.is_empty());
        assert_eq!(record.expenses, vec![Expense { person: child, month: may(), kind: ExpenseKind::Tuition, amount: Money::from_yuan(1500) }]);
        assert_eq!(record.assets.len(), 1);
        assert_eq!((record.assets[0].description.as_str(), record.assets[0].value), ("工商银行", Money::from_yuan(4200)));

        let history = store.history(&county(), id).await.unwrap();
        let rows: Vec<(&str, &str, &str, &str, &str)> = history.iter()
            .map(|e| (e.action.as_str(), e.subject.as_str(), e.field.as_str(), e.old.as_str(), e.new.as_str()))
            .collect();
        assert_eq!(rows, vec![
            ("删除", "资产 机动车 渝F00001", "价值", "¥9,000.00", ""),
            ("新建", "资产 机动车 渝F00001", "价值", "", "¥9,000.00"),
            ("修改", "资产 存款 工商银行", "价值", "¥5,000.00", "¥4,200.00"),
            ("新建", "资产 存款 工商银行", "价值", "", "¥5,000.00"),
            ("新建", "支出 2026-05 学费（李*）", "金额", "", "¥1,500.00"),
            ("删除", "收入 2026-05 工资性收入（张*）", "金额", "¥2,000.00", ""),
            // Setting the same amount again changes nothing worth recording.
            ("修改", "收入 2026-05 工资性收入（张*）", "金额", "¥1,234.50", "¥2,000.00"),
            ("新建", "收入 2026-05 工资性收入（张*）", "金额", "", "¥1,234.50"),
            ("新建", "家庭", "户编号", "", "QL-0501"),
        ]);
        assert!(history[..history.len() - 1].iter().all(|e| e.actor_name == "乡镇经办员"));
    }

    async fn removing_a_figure_that_is_not_filed_is_not_found(store) {
        let id = file(&store, "QL-0502", QINGLONG_1, &["王五"]).await;
        let head = store.household(&county(), id).await.unwrap().members[0].id;
        let r = store.change_finances(&county(), id, 1, &FinanceChange::DeleteIncome { person: head, month: may(), kind: IncomeKind::Pension }).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        let r = store.change_finances(&county(), id, 1, &FinanceChange::DeleteExpense { person: head, month: may(), kind: ExpenseKind::Medical }).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        let r = store.change_finances(&county(), id, 1, &FinanceChange::DeleteAsset { kind: AssetKind::Other, description: "无".into() }).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        assert_eq!(store.household(&county(), id).await.unwrap().household.version, 1);
    }

    async fn a_figure_for_a_member_of_another_household_is_not_found(store) {
        let mine = file(&store, "QL-0503", QINGLONG_1, &["赵六"]).await;
        let other = file(&store, "QL-0504", QINGLONG_1, &["钱七"]).await;
        let stranger = store.household(&county(), other).await.unwrap().members[0].id;
        for person in [stranger, PersonId(424_242)] {
            let change = FinanceChange::PutIncome(Income { person, month: may(), kind: IncomeKind::Wages, amount: Money::from_yuan(1) });
            let r = store.change_finances(&county(), mine, 1, &change).await;
            assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        }
        assert!(store.household(&county(), other).await.unwrap().incomes.is_empty());
    }

    async fn a_negative_amount_is_refused(store) {
        let id = file(&store, "QL-0505", QINGLONG_1, &["孙八"]).await;
        let head = store.household(&county(), id).await.unwrap().members[0].id;
        let change = FinanceChange::PutExpense(Expense { person: head, month: may(), kind: ExpenseKind::Medical, amount: Money::from_fen(-100) });
        let r = store.change_finances(&county(), id, 1, &change).await;
        assert!(matches!(&r, Err(StoreError::Invalid(m)) if m.contains("负数")), "{r:?}");
        let change = FinanceChange::PutAsset(doudi_core::Asset { kind: AssetKind::Savings, description: "x".into(), value: Money::from_fen(-1) });
        assert!(matches!(store.change_finances(&county(), id, 1, &change).await, Err(StoreError::Invalid(_))));
    }
}
