//! Disaster relief in the store (2.3): an event finds the current households of its area and
//! warns their townships in one transaction; households are checked in scope; a relief becomes
//! payment lines of its months through the payment run, once, beside the household's dibao
//! line, and is settled by the bank's results like any line.

use std::sync::Arc;

use doudi_core::casework::ReviewClass;
use doudi_core::disaster::{AffectedState, Damage, DisasterKind, PaymentProgram, ReliefKind};
use doudi_core::discovery::AlertRule;
use doudi_core::{Category, Department, HouseholdId, Month};
use doudi_store::casework::{ImportedEntitlement, PaymentStatus, Settlement};
use doudi_store::disaster::{AffectedCheck, NewDisaster, NewRelief};
use doudi_store::discovery::AlertFilter;
use doudi_store::{Store, StoreError};

use crate::support::*;

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn emergency_officer() -> doudi_core::Actor {
    department_officer(Department::EmergencyManagement)
}

async fn filed(
    store: &Arc<dyn Store>,
    number: &str,
    community: &str,
    address: &str,
) -> HouseholdId {
    let mut h = household(number, community, &["张三丰"]);
    h.fields.address = address.into();
    store.create_household(&county(), &h).await.unwrap()
}

fn flood(communities: &[&str], keywords: &[&str]) -> NewDisaster {
    NewDisaster {
        name: "青龙街道洪涝".into(),
        kind: DisasterKind::Flood,
        occurred_on: date(2026, 6, 30),
        communities: communities.iter().map(|c| code(c)).collect(),
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
    }
}

fn confirmed(household: HouseholdId, dead: u32) -> AffectedCheck {
    AffectedCheck {
        household,
        state: AffectedState::Confirmed,
        damage: Damage::Collapsed,
        dead,
        injured: 1,
        note: "房屋倒塌".into(),
    }
}

fn relief(
    household: HouseholdId,
    kind: ReliefKind,
    fen: i64,
    from: &str,
    months: u32,
) -> NewRelief {
    NewRelief {
        household,
        kind,
        amount_fen: fen,
        from_month: month(from),
        months,
        reason: "房屋倒塌，临时安置".into(),
    }
}

conformance! {
    async fn stopping_a_households_benefits_leaves_its_relief_lines_to_the_relief(store) {
        let a = filed(&store, "DS-9", QINGLONG_1, "青龙街道滨江路1号").await;
        store.import_entitlements(&county(), &[ImportedEntitlement {
            household: a, program: Category::Dibao, monthly_fen: 62_000, from: month("2026-01"),
            review_class: ReviewClass::Stable, next_review: date(2027, 1, 1), reference: "云民发〔2025〕3号".into(),
        }]).await.unwrap();
        let id = store.record_disaster(&county(), &flood(&[QINGLONG_1], &[])).await.unwrap();
        store.check_affected(&county(), id, &confirmed(a, 0)).await.unwrap();
        store.record_relief(&county(), id, &relief(a, ReliefKind::Transitional, 60_000, "2026-07", 2)).await.unwrap();
        store.run_payments(&county(), month("2026-07"), date(2026, 8, 31)).await.unwrap();
        store.run_payments(&county(), month("2026-08"), date(2026, 8, 31)).await.unwrap();
        let stopped = store.stop_benefits(&county(), a, month("2026-07"), "退出").await.unwrap();
        assert_eq!(stopped.payments_removed, 1, "August's dibao line");
        let august: Vec<PaymentProgram> = store.payments(&county(), month("2026-08")).await.unwrap().iter().map(|l| l.program).collect();
        assert_eq!(august, vec![PaymentProgram::DisasterTransitional], "the relief stays until withdrawn");
    }

    async fn a_withdrawn_relief_loses_its_unpaid_months_and_keeps_what_the_bank_paid(store) {
        let a = filed(&store, "DS-8", QINGLONG_1, "青龙街道滨江路1号").await;
        let id = store.record_disaster(&county(), &flood(&[QINGLONG_1], &[])).await.unwrap();
        store.check_affected(&county(), id, &confirmed(a, 0)).await.unwrap();
        let withdrawn = store.record_relief(&county(), id, &relief(a, ReliefKind::Transitional, 60_000, "2026-07", 3)).await.unwrap();
        store.run_payments(&county(), month("2026-07"), date(2026, 8, 31)).await.unwrap();
        let july = store.payments(&county(), month("2026-07")).await.unwrap();
        store.settle_payments(&county(), month("2026-07"), &[Settlement { payment: july[0].id, failure: None }]).await.unwrap();
        store.run_payments(&county(), month("2026-08"), date(2026, 8, 31)).await.unwrap();

        assert!(matches!(store.cancel_relief(&caseworker(QINGLONG), id, withdrawn, "录入错误").await, Err(StoreError::Forbidden)));
        assert!(matches!(store.cancel_relief(&county(), id, withdrawn, " ").await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.cancel_relief(&county(), id + 1, withdrawn, "录入错误").await, Err(StoreError::NotFound)));
        assert_eq!(store.cancel_relief(&emergency_officer(), id, withdrawn, "已搬离，不再需要").await.unwrap(), 2, "August (pending) and September");
        assert!(store.payments(&county(), month("2026-08")).await.unwrap().is_empty(), "the pending line went with its month");
        assert!(matches!(store.cancel_relief(&county(), id, withdrawn, "再次").await, Err(StoreError::Invalid(m)) if m.contains("已撤销")));
        let d = store.disaster(&county(), id).await.unwrap();
        let r = &d.reliefs[0];
        assert_eq!((r.kept_months, r.total_fen(), r.paid_fen), (1, 60_000, 60_000));
        assert_eq!(r.cancelled.as_deref(), Some("已搬离，不再需要"));
        assert_eq!(d.disaster.relief_fen, 60_000);
        assert_eq!(store.run_payments(&county(), month("2026-08"), date(2026, 8, 31)).await.unwrap().created, 0);
        // The months withdrawn are free for a relief recorded again.
        store.record_relief(&county(), id, &relief(a, ReliefKind::Transitional, 50_000, "2026-08", 2)).await.unwrap();
    }

    async fn a_household_owed_only_a_relief_is_previewed_and_flagged_without_a_bank_account(store) {
        let a = filed(&store, "DS-7", QINGLONG_1, "青龙街道滨江路1号").await;
        let id = store.record_disaster(&county(), &flood(&[QINGLONG_1], &[])).await.unwrap();
        store.check_affected(&county(), id, &confirmed(a, 0)).await.unwrap();
        store.record_relief(&county(), id, &relief(a, ReliefKind::Emergency, 150_000, "2026-07", 1)).await.unwrap();
        let preview = store.payment_preview(&county(), month("2026-07")).await.unwrap();
        assert_eq!((preview.new_lines, preview.new_fen), (1, 150_000));
        assert_eq!(preview.without_account, vec![(a, "DS-7".to_owned())]);
        // With no entitlement on the platform at all, the run still pays the relief.
        let run = store.run_payments(&county(), month("2026-07"), date(2026, 7, 31)).await.unwrap();
        assert_eq!((run.created, run.created_fen), (1, 150_000));
        assert!(store.payment_preview(&county(), month("2026-07")).await.unwrap().without_account.is_empty());
    }

    async fn an_event_finds_the_current_households_of_its_communities_and_addresses_and_warns_their_townships(store) {
        let listed = filed(&store, "DS-1", QINGLONG_1, "青龙街道滨江路1号").await;
        let by_address = filed(&store, "DS-2", RENHE_1, "人和街道河坝村3组").await;
        let elsewhere = filed(&store, "DS-3", RENHE_1, "人和街道山顶村").await;
        let mut gone = household("DS-4", QINGLONG_1, &["李四"]);
        gone.fields.exited_on = Some(date(2025, 1, 1));
        let gone = store.create_household(&county(), &gone).await.unwrap();

        let education = department_officer(Department::Education);
        assert!(matches!(store.record_disaster(&education, &flood(&[QINGLONG_1], &[])).await, Err(StoreError::Forbidden)));
        assert!(matches!(store.record_disaster(&caseworker(QINGLONG), &flood(&[QINGLONG_1], &[])).await, Err(StoreError::Forbidden)));
        assert!(matches!(store.record_disaster(&emergency_officer(), &flood(&[], &[" "])).await, Err(StoreError::Invalid(_))));
        let id = store.record_disaster(&emergency_officer(), &flood(&[QINGLONG_1], &["河坝村"])).await.unwrap();

        let d = store.disaster(&emergency_officer(), id).await.unwrap();
        let found: Vec<HouseholdId> = d.households.iter().map(|h| h.household).collect();
        assert_eq!(found, vec![listed, by_address], "not {elsewhere:?}, not the exited {gone:?}");
        assert!(d.households.iter().all(|h| h.state == AffectedState::Found));
        assert_eq!(d.households[0].head, "张*丰", "names are masked");
        assert_eq!((d.disaster.households, d.disaster.confirmed), (2, 0));

        let renhe = store.disaster(&caseworker(RENHE), id).await.unwrap();
        assert_eq!(renhe.households.iter().map(|h| h.household).collect::<Vec<_>>(), vec![by_address], "a township sees its own");
        assert_eq!(store.disasters(&caseworker(RENHE)).await.unwrap()[0].households, 1);
        assert!(matches!(store.disaster(&education, id).await, Err(StoreError::Forbidden)));
        assert!(matches!(store.disaster(&caseworker(RENHE), id + 1).await, Err(StoreError::NotFound)));

        let open = AlertFilter { open_only: true, household: None };
        let alerts = store.alerts(&caseworker(QINGLONG), &open).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!((alerts[0].rule, alerts[0].household), (AlertRule::Disaster, listed));
        assert!(alerts[0].reason.contains("2.3"));
    }

    async fn a_household_is_checked_in_scope_and_cannot_be_removed_once_relieved(store) {
        let a = filed(&store, "DS-5", QINGLONG_1, "青龙街道滨江路1号").await;
        let id = store.record_disaster(&county(), &flood(&[QINGLONG_1], &[])).await.unwrap();
        assert!(matches!(store.check_affected(&caseworker(RENHE), id, &confirmed(a, 0)).await, Err(StoreError::NotFound)));
        assert!(matches!(store.check_affected(&auditor(), id, &confirmed(a, 0)).await, Err(StoreError::Forbidden)));
        assert!(matches!(
            store.record_relief(&emergency_officer(), id, &relief(a, ReliefKind::Emergency, 200_000, "2026-07", 1)).await,
            Err(StoreError::Invalid(m)) if m.contains("尚未确认")
        ));
        store.check_affected(&caseworker(QINGLONG), id, &confirmed(a, 0)).await.unwrap();
        let d = store.disaster(&county(), id).await.unwrap();
        assert_eq!((d.households[0].state, d.households[0].damage, d.households[0].injured), (AffectedState::Confirmed, Some(Damage::Collapsed), 1));
        assert!(matches!(
            store.record_relief(&emergency_officer(), id, &relief(a, ReliefKind::Condolence, 500_000, "2026-07", 1)).await,
            Err(StoreError::Invalid(m)) if m.contains("死亡")
        ), "condolence only with deaths recorded");
        assert!(matches!(
            store.record_relief(&caseworker(QINGLONG), id, &relief(a, ReliefKind::Emergency, 200_000, "2026-07", 1)).await,
            Err(StoreError::Forbidden)
        ));
        assert!(store.record_relief(&emergency_officer(), id, &relief(a, ReliefKind::Emergency, 2_000_001, "2026-07", 1)).await.is_err(), "above the ceiling");
        store.record_relief(&emergency_officer(), id, &relief(a, ReliefKind::Emergency, 200_000, "2026-07", 1)).await.unwrap();
        let mut removed = confirmed(a, 0);
        removed.state = AffectedState::Removed;
        assert!(matches!(store.check_affected(&county(), id, &removed).await, Err(StoreError::Invalid(m)) if m.contains("已登记救助")));
    }

    async fn a_relief_is_paid_once_through_the_run_of_each_month_beside_the_dibao_line(store) {
        let a = filed(&store, "DS-6", QINGLONG_1, "青龙街道滨江路1号").await;
        store.import_entitlements(&county(), &[ImportedEntitlement {
            household: a, program: Category::Dibao, monthly_fen: 62_000, from: month("2026-01"),
            review_class: ReviewClass::Stable, next_review: date(2027, 1, 1), reference: "云民发〔2025〕2号".into(),
        }]).await.unwrap();
        let id = store.record_disaster(&emergency_officer(), &flood(&[QINGLONG_1], &[])).await.unwrap();
        store.check_affected(&emergency_officer(), id, &confirmed(a, 1)).await.unwrap();
        let officer = emergency_officer();
        store.record_relief(&officer, id, &relief(a, ReliefKind::Emergency, 200_000, "2026-07", 1)).await.unwrap();
        store.record_relief(&officer, id, &relief(a, ReliefKind::Condolence, 2_000_000, "2026-07", 1)).await.unwrap();
        store.record_relief(&officer, id, &relief(a, ReliefKind::Transitional, 60_000, "2026-07", 3)).await.unwrap();
        // A second emergency relief in the same month would be a second line of one programme.
        let twice = store.record_relief(&officer, id, &relief(a, ReliefKind::Emergency, 100_000, "2026-07", 1)).await.unwrap_err();
        assert!(matches!(&twice, StoreError::Duplicate(m) if m.contains("2026-07")), "{twice}");
        let overlapping = store.record_relief(&officer, id, &relief(a, ReliefKind::Transitional, 60_000, "2026-09", 2)).await.unwrap_err();
        assert!(matches!(overlapping, StoreError::Duplicate(_)));
        assert_eq!(store.disaster(&county(), id).await.unwrap().reliefs.len(), 3, "a refused relief leaves nothing");

        let preview = store.payment_preview(&county(), month("2026-07")).await.unwrap();
        assert_eq!((preview.new_lines, preview.new_fen), (4, 62_000 + 200_000 + 2_000_000 + 60_000));
        let run = store.run_payments(&county(), month("2026-07"), date(2026, 7, 15)).await.unwrap();
        assert_eq!((run.created, run.created_fen), (4, 2_322_000));
        assert_eq!(store.run_payments(&county(), month("2026-07"), date(2026, 7, 15)).await.unwrap().created, 0, "nothing twice");
        let lines = store.payments(&county(), month("2026-07")).await.unwrap();
        let mut programs: Vec<(PaymentProgram, i64)> = lines.iter().map(|l| (l.program, l.amount_fen)).collect();
        programs.sort_by_key(|(p, _)| p.code());
        assert_eq!(programs, vec![
            (PaymentProgram::Dibao, 62_000),
            (PaymentProgram::DisasterCondolence, 2_000_000),
            (PaymentProgram::DisasterEmergency, 200_000),
            (PaymentProgram::DisasterTransitional, 60_000),
        ]);
        let emergency = lines.iter().find(|l| l.program == PaymentProgram::DisasterEmergency).unwrap();
        assert_eq!(store.settle_payments(&county(), month("2026-07"), &[Settlement { payment: emergency.id, failure: None }]).await.unwrap(), 1);
        let d = store.disaster(&county(), id).await.unwrap();
        let e = d.reliefs.iter().find(|r| r.kind == ReliefKind::Emergency).unwrap();
        assert_eq!((e.lines, e.paid_fen), (1, 200_000));
        let t = d.reliefs.iter().find(|r| r.kind == ReliefKind::Transitional).unwrap();
        assert_eq!((t.lines, t.paid_fen, t.total_fen()), (1, 0, 180_000));
        assert_eq!(d.disaster.relief_fen, 200_000 + 2_000_000 + 180_000);

        // The next months pay only the transitional relief, once each, and not after its end.
        let august = store.run_payments(&county(), month("2026-08"), date(2026, 10, 1)).await.unwrap();
        assert_eq!((august.created, august.created_fen), (2, 62_000 + 60_000));
        store.run_payments(&county(), month("2026-09"), date(2026, 10, 1)).await.unwrap();
        let october = store.run_payments(&county(), month("2026-10"), date(2026, 10, 1)).await.unwrap();
        assert_eq!((october.created, october.created_fen), (1, 62_000));
        let history = store.household_payments(&county(), a).await.unwrap();
        assert_eq!(history.iter().filter(|p| p.program == PaymentProgram::DisasterTransitional).count(), 3);
        assert_eq!(history.iter().filter(|p| p.status == PaymentStatus::Paid).count(), 1);
    }
}
