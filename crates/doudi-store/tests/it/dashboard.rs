//! The dashboard's counts in the store (4.4, 4.2.a): summed by the database per month, township
//! and programme within the reader's scope, and refused to roles that do not read them.

use doudi_core::casework::ReviewClass;
use doudi_core::{Category, Month, Need, PovertyCause};
use doudi_store::StoreError;
use doudi_store::casework::ImportedEntitlement;

use crate::support::*;

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

conformance! {
    async fn the_dashboard_counts_periods_payments_and_profiles_per_township_in_scope(store) {
        let mut a = household("DB-1", QINGLONG_1, &["张三", "张小"]);
        a.fields.causes = vec![PovertyCause::Illness, PovertyCause::OldAge];
        let a = store.create_household(&county(), &a).await.unwrap();
        let mut b = household("DB-2", RENHE_1, &["王五"]);
        b.fields.category = Category::Tekun;
        b.fields.needs = vec![Need::Care];
        let b = store.create_household(&county(), &b).await.unwrap();
        let entry = |household, program, fen, from| ImportedEntitlement {
            household,
            program,
            monthly_fen: fen,
            from: month(from),
            review_class: ReviewClass::Stable,
            next_review: date(2027, 11, 1),
            reference: "测试".into(),
        };
        store
            .import_entitlements(
                &county(),
                &[
                    entry(a, Category::Dibao, 66_000, "2026-10"),
                    entry(b, Category::Tekun, 90_000, "2026-11"),
                ],
            )
            .await
            .unwrap();
        store.run_payments(&county(), month("2026-10"), date(2026, 11, 28)).await.unwrap();
        store.run_payments(&county(), month("2026-11"), date(2026, 11, 28)).await.unwrap();

        let months = [month("2026-09"), month("2026-10"), month("2026-11")];
        let all = store.dashboard_tallies(&county(), &months).await.unwrap();
        let periods: Vec<_> = all
            .periods
            .iter()
            .map(|t| (t.month.to_string(), t.township.to_string(), t.program.clone(), t.households, t.people, t.amount_fen))
            .collect();
        assert_eq!(
            periods,
            [
                ("2026-10".into(), QINGLONG.into(), "dibao".into(), 1, 2, 66_000),
                ("2026-11".into(), QINGLONG.into(), "dibao".into(), 1, 2, 66_000),
                ("2026-11".into(), RENHE.into(), "tekun".into(), 1, 1, 90_000),
            ]
        );
        let paid: i64 = all.payments.iter().map(|p| p.amount_fen).sum();
        assert_eq!(paid, 66_000 * 2 + 90_000);
        assert_eq!(all.payments.len(), 3);
        assert_eq!(all.profiles.len(), 2);
        assert_eq!(all.profiles[0].causes, [PovertyCause::Illness, PovertyCause::OldAge]);
        assert_eq!(all.profiles[0].people, 2);
        assert_eq!(all.profiles[1].needs, [Need::Care]);

        // A township reads only its own.
        let own = store.dashboard_tallies(&caseworker(RENHE), &months).await.unwrap();
        assert!(own.periods.iter().all(|t| t.township.as_str() == RENHE));
        assert_eq!(own.periods.len(), 1);
        assert_eq!(own.payments.len(), 1);
        assert_eq!(own.profiles.len(), 1);

        // Roles that do not read the dashboard are refused.
        for actor in [community_worker(QINGLONG_1), admin(), social_organisation()] {
            assert!(matches!(
                store.dashboard_tallies(&actor, &months).await,
                Err(StoreError::Forbidden)
            ));
            assert!(matches!(store.care_modes(&actor).await, Err(StoreError::Forbidden)));
        }
        assert!(store.care_modes(&county()).await.unwrap().is_empty());
    }
}
