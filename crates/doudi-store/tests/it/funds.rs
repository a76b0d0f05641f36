//! Funds supervision in the store (5.2): budgets kept as history, spending per month, payment
//! lines traced to their decisions or reliefs, the rows the six checks read (planted anomalies
//! found on both backends, a clean month finding nothing), findings kept once, and the
//! auditor's work on a finding.

use std::sync::Arc;

use doudi_core::casework::ReviewClass;
use doudi_core::disaster::PaymentProgram;
use doudi_core::funds::{CheckKind, FindingState, LineSource, NewFinding, check_month};
use doudi_core::{BankAccount, Category, HouseholdId, Money, Month};
use doudi_store::casework::{Death, ImportedEntitlement, Settlement};
use doudi_store::funds::{FindingChange, FindingFilter, TRIGGER_DEMAND};
use doudi_store::{Store, StoreError};

use crate::audit::Raw;
use crate::support::*;

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

/// A household of one member in `community`, with a bank account when given, owed dibao of
/// ¥620 a month from January 2026 (carried over from the old system).
async fn paid(
    store: &Arc<dyn Store>,
    number: &str,
    community: &str,
    account: Option<&str>,
) -> HouseholdId {
    let mut h = household(number, community, &["张三丰"]);
    h.fields.bank_account = account.map(|a| BankAccount::parse(a).unwrap());
    let id = store.create_household(&county(), &h).await.unwrap();
    store
        .import_entitlements(
            &county(),
            &[ImportedEntitlement {
                household: id,
                program: Category::Dibao,
                monthly_fen: 62_000,
                from: month("2026-01"),
                review_class: ReviewClass::Stable,
                next_review: date(2027, 1, 1),
                reference: "云民发〔2025〕1号".into(),
            }],
        )
        .await
        .unwrap();
    id
}

async fn checked(store: &Arc<dyn Store>, m: &str) -> Vec<NewFinding> {
    let input = store.check_input(&auditor(), month(m)).await.unwrap();
    check_month(month(m), &input)
}

fn of(findings: &[NewFinding], kind: CheckKind, household: HouseholdId) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.check == kind && f.household == household.0)
        .map(|f| f.explanation.clone())
        .collect()
}

conformance! {
    async fn a_clean_month_has_no_findings_and_every_line_is_traced_to_its_decision(store) {
        let a = paid(&store, "QL-F1", QINGLONG_1, Some("6222020200110000001")).await;
        let b = paid(&store, "RH-F2", RENHE_1, Some("6222020200110000002")).await;
        store.run_payments(&county(), month("2026-07"), date(2026, 8, 31)).await.unwrap();
        assert_eq!(checked(&store, "2026-07").await, vec![]);
        let traced = store.traced_payments(&auditor(), month("2026-07")).await.unwrap();
        assert_eq!(traced.len(), 2);
        for t in &traced {
            assert!(matches!(
                &t.line.source,
                LineSource::Entitlement { decision_kind, monthly, case: None, .. }
                    if decision_kind == "import" && *monthly == Money::from_fen(62_000)
            ), "{t:?}");
        }
        assert_eq!(
            traced.iter().map(|t| t.line.household).collect::<Vec<_>>(),
            vec![a.0, b.0]
        );
        assert!(matches!(
            store.traced_payments(&caseworker(QINGLONG), month("2026-07")).await,
            Err(StoreError::Forbidden)
        ));
    }

    async fn budgets_keep_their_history_and_spending_counts_what_the_bank_did_not_refuse(store) {
        paid(&store, "QL-F3", QINGLONG_1, None).await;
        paid(&store, "QL-F4", QINGLONG_1, None).await;
        store.run_payments(&county(), month("2026-07"), date(2026, 8, 31)).await.unwrap();
        let lines = store.payments(&county(), month("2026-07")).await.unwrap();
        store.settle_payments(&county(), month("2026-07"), &[
            Settlement { payment: lines[0].id, failure: None },
            Settlement { payment: lines[1].id, failure: Some("账户已销户".into()) },
        ]).await.unwrap();
        assert!(matches!(
            store.set_budget(&auditor(), PaymentProgram::Dibao, 2026, Money::from_yuan(1), "").await,
            Err(StoreError::Forbidden)
        ));
        store.set_budget(&county(), PaymentProgram::Dibao, 2026, Money::from_yuan(100_000), "年初预算").await.unwrap();
        store.set_budget(&county(), PaymentProgram::Dibao, 2026, Money::from_yuan(120_000), "追加").await.unwrap();
        let budgets = store.budgets(&auditor(), 2026).await.unwrap();
        assert_eq!(
            budgets.iter().map(|b| (b.amount, b.note.as_str())).collect::<Vec<_>>(),
            vec![(Money::from_yuan(120_000), "追加"), (Money::from_yuan(100_000), "年初预算")]
        );
        let spent = store.spending(&auditor(), 2026).await.unwrap();
        assert_eq!(spent.len(), 1);
        assert_eq!((spent[0].month, spent[0].amount, spent[0].lines), (month("2026-07"), Money::from_fen(62_000), 1));
    }
}

on_databases! {
    async fn each_planted_anomaly_is_found_once_and_a_second_run_adds_nothing(url) {
        let store = doudi_store::connect(&url, test_keys()).await.unwrap();
        // Two lines for one household (dibao and tekun), an amount above its period's.
        let a = paid(&store, "QL-A", QINGLONG_1, None).await;
        let b = paid(&store, "QL-B", QINGLONG_1, None).await;
        // Its only member died in June: the July line the bank paid stays.
        let dead = paid(&store, "QL-D", QINGLONG_1, None).await;
        // Filed in Renhe, but approved on a case of Qinglong without any step.
        let moved = paid(&store, "RH-M", RENHE_1, None).await;
        // One account for two households.
        let s1 = paid(&store, "QL-S1", QINGLONG_1, Some("6222 0202 0011 2233 445")).await;
        let s2 = paid(&store, "QL-S2", QINGLONG_2, Some("6222020200112233445")).await;
        let clean = paid(&store, "QL-C", QINGLONG_2, Some("6222020200119999999")).await;
        store.run_payments(&county(), month("2026-07"), date(2026, 8, 31)).await.unwrap();
        let line = store
            .payments(&county(), month("2026-07"))
            .await
            .unwrap()
            .into_iter()
            .find(|l| l.household == dead)
            .unwrap();
        store.settle_payments(&county(), month("2026-07"), &[Settlement { payment: line.id, failure: None }]).await.unwrap();
        let record = store.household(&county(), dead).await.unwrap();
        store.record_death(&county(), &Death {
            person: record.members[0].id,
            household: dead,
            expected_version: record.household.version,
            died_on: date(2026, 6, 10),
            today: date(2026, 8, 31),
            restatements: Vec::new(),
            answers: None,
        }).await.unwrap();

        let mut raw = Raw::connect(&url).await;
        raw.exec(&format!(
            "INSERT INTO payments (month, entitlement_id, household_id, program, amount_fen, \
             status, created_at) SELECT '2026-07', e.id, e.household_id, 'tekun', 80000, \
             'pending', '2026-08-31T08:00:00Z' FROM entitlements e WHERE e.household_id = {}",
            a.0
        )).await;
        raw.exec(&format!(
            "UPDATE payments SET amount_fen = 99000 WHERE household_id = {} AND month = '2026-07'",
            b.0
        )).await;
        raw.exec(&format!(
            "INSERT INTO cases (household_id, community, case_type, state, submitted_on, \
             decided_on, created_at, updated_at) VALUES ({}, '{QINGLONG_1}', 'dibao', 'approved', \
             '2025-12-01', '2025-12-20', '2025-12-01T08:00:00Z', '2025-12-20T08:00:00Z')",
            moved.0
        )).await;
        drop(raw);

        let found = checked(&store, "2026-07").await;
        assert_eq!(
            of(&found, CheckKind::DoublePayment, a),
            vec!["户QL-A在2026-07同时领取城市低保（¥620.00）和城市特困供养（¥800.00）：两者不能同时享受"]
        );
        assert_eq!(
            of(&found, CheckKind::AfterDeath, dead),
            vec!["户QL-D：该户成员已全部死亡（2026-06-10，已登记死亡），2026-07仍发放「城市低保」¥620.00；死亡当月之后应停发"]
        );
        assert_eq!(
            of(&found, CheckKind::OverAmount, b),
            vec!["户QL-B2026-07「城市低保」发放¥990.00，高于待遇期间2核定的每月¥620.00"
                .replace("待遇期间2", &format!("待遇期间{}", entitlement_of(&store, b).await))]
        );
        let moved_found = of(&found, CheckKind::TwoTownships, moved);
        assert_eq!(moved_found.len(), 1);
        assert!(moved_found[0].starts_with("户RH-M档案属人和街道"), "{}", moved_found[0]);
        assert!(moved_found[0].contains("由青龙街道受理的案件"), "{}", moved_found[0]);
        let shared = of(&found, CheckKind::SharedAccount, s1);
        assert_eq!(
            shared,
            vec!["银行账户****3445同时登记为户QL-S1、QL-S2的收款账户，2026-07这些户均有发放：资金可能流向同一人"]
        );
        assert_eq!(of(&found, CheckKind::SharedAccount, s2).len(), 1);
        let steps = of(&found, CheckKind::MissingSteps, moved);
        assert_eq!(steps.len(), 1);
        assert!(steps[0].contains("缺少调查核实、民主评议、乡镇审核意见、开始公示、县民政局批准环节（依据 4.2.b）"), "{}", steps[0]);
        assert!(found.iter().all(|f| f.household != clean.0), "{found:#?}");
        for f in &found {
            assert!(!f.explanation.contains("6222020200112233445"), "the account never shows: {f:?}");
        }

        let first = store.record_check_run(&auditor(), month("2026-07"), TRIGGER_DEMAND, Ok(&found)).await.unwrap();
        assert!(first.ok);
        assert_eq!(first.added, first.found);
        let again = checked(&store, "2026-07").await;
        let second = store.record_check_run(&auditor(), month("2026-07"), TRIGGER_DEMAND, Ok(&again)).await.unwrap();
        assert_eq!((second.found, second.added), (first.found, 0), "each finding is kept once");
        let kept = store.findings(&auditor(), &FindingFilter::default()).await.unwrap();
        assert_eq!(i64::try_from(kept.len()).unwrap(), first.found);
        // A township reads its own findings only.
        let renhe = store.findings(&caseworker(RENHE), &FindingFilter::default()).await.unwrap();
        assert!(!renhe.is_empty() && renhe.iter().all(|f| f.household == moved));
    }
}

async fn entitlement_of(store: &Arc<dyn Store>, h: HouseholdId) -> i64 {
    let traced = store
        .traced_payments(&county(), month("2026-07"))
        .await
        .unwrap();
    traced
        .iter()
        .find_map(|t| match &t.line.source {
            LineSource::Entitlement { entitlement_id, .. } if t.line.household == h.0 => {
                Some(*entitlement_id)
            }
            _ => None,
        })
        .unwrap()
}

conformance! {
    async fn an_auditor_assigns_notes_and_closes_a_finding_and_others_only_read_or_note(store) {
        let s1 = paid(&store, "QL-T1", QINGLONG_1, Some("6222020200112233445")).await;
        paid(&store, "RH-T2", RENHE_1, Some("6222020200112233445")).await;
        store.run_payments(&county(), month("2026-07"), date(2026, 8, 31)).await.unwrap();
        let found = checked(&store, "2026-07").await;
        store.record_check_run(&county(), month("2026-07"), TRIGGER_DEMAND, Ok(&found)).await.unwrap();
        let list = store.findings(&auditor(), &FindingFilter {
            check: Some(CheckKind::SharedAccount),
            ..FindingFilter::default()
        }).await.unwrap();
        assert_eq!(list.len(), 2);
        let f = list.iter().find(|f| f.household == s1).unwrap();
        assert_eq!(f.state, FindingState::Open);
        let me = store.create_user(&admin(), &doudi_store::NewUser {
            username: "shenji2".into(),
            display_name: "审计员乙".into(),
            role: doudi_core::Role::Auditor,
            scope: doudi_core::Scope::County,
            department: None,
            password_hash: "x".into(),
            must_change_password: false,
        }).await.unwrap();
        let auditor = doudi_core::Actor { user_id: me, ..auditor() };
        assert!(matches!(
            store.change_finding(&county(), f.id, &FindingChange::Assign { assignee: me, note: String::new() }).await,
            Err(StoreError::Forbidden)
        ), "the county notes, it does not assign");
        assert!(matches!(
            store.change_finding(&caseworker(QINGLONG), f.id, &FindingChange::Note("看过".into())).await,
            Err(StoreError::Forbidden)
        ));
        let assigned = store.change_finding(&auditor, f.id, &FindingChange::Assign { assignee: me, note: "本人核查".into() }).await.unwrap();
        assert_eq!((assigned.state, assigned.assignee), (FindingState::Investigating, Some(me)));
        store.change_finding(&county(), f.id, &FindingChange::Note("两户为父子，分户居住".into())).await.unwrap();
        assert!(matches!(
            store.change_finding(&auditor, f.id, &FindingChange::Move { to: FindingState::Confirmed, note: " ".into() }).await,
            Err(StoreError::Invalid(_))
        ));
        let closed = store.change_finding(&auditor, f.id, &FindingChange::Move { to: FindingState::Dismissed, note: "经核实为亲属代领，已更正账户".into() }).await.unwrap();
        assert_eq!(closed.state, FindingState::Dismissed);
        assert!(matches!(
            store.change_finding(&auditor, f.id, &FindingChange::Move { to: FindingState::Confirmed, note: "改判".into() }).await,
            Err(StoreError::Invalid(m)) if m.contains("不能改为")
        ));
        let (_, notes) = store.finding(&caseworker(QINGLONG), f.id).await.unwrap();
        assert_eq!(
            notes.iter().map(|n| (n.actor_name.as_str(), n.state, n.note.as_str())).collect::<Vec<_>>(),
            vec![
                ("审计员", FindingState::Investigating, "本人核查"),
                ("县局审批员", FindingState::Investigating, "两户为父子，分户居住"),
                ("审计员", FindingState::Dismissed, "经核实为亲属代领，已更正账户"),
            ]
        );
        // Renhe's caseworker does not see Qinglong's finding.
        assert!(matches!(store.finding(&caseworker(RENHE), f.id).await, Err(StoreError::NotFound)));
    }
}

conformance! {
    async fn a_check_run_that_failed_is_kept_with_its_error_for_everyone_to_see(store) {
        let run = store
            .record_check_run(&county(), month("2026-07"), doudi_store::funds::TRIGGER_RUN, Err("读取核查数据失败：数据库忙"))
            .await
            .unwrap();
        assert!(!run.ok);
        assert_eq!((run.found, run.added), (0, 0));
        let runs = store.check_runs(&caseworker(QINGLONG), Some(month("2026-07"))).await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].ok, runs[0].error.as_deref()), (false, Some("读取核查数据失败：数据库忙")));
        assert!(matches!(
            store.record_check_run(&caseworker(QINGLONG), month("2026-07"), TRIGGER_DEMAND, Ok(&[])).await,
            Err(StoreError::Forbidden)
        ));
    }
}
