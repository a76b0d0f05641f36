//! Casework in the store (4.2.b, 4.2.c): cases walk their states with every step recorded and
//! audited, scope holds, the rural registry excludes members, decisions freeze, entitlements
//! are restated without rewriting, and payments are made once per month.

use std::sync::Arc;

use doudi_core::casework::{
    Action, CaseState, CaseType, Investigation, Limits, ReviewClass, ReviewResult,
};
use doudi_core::{Category, HouseholdId, Month, NewHousehold, Survey};
use doudi_store::casework::{
    CaseFilter, CaseId, Death, DeathRecorded, NewDecision, NewReview, NewReviewProposal,
    PaymentStatus, ProposalState, Restatement, Settlement,
};
use doudi_store::{AuditFilter, Page, Store, StoreError};

use crate::support::*;

pub(crate) fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn with_survey(mut h: NewHousehold) -> NewHousehold {
    h.survey = Some(Survey {
        family_situation: "独居".into(),
        poverty_cause: "因病".into(),
        help_needed: "生活救助".into(),
        surveyed_by: "王社工".into(),
        surveyed_on: date(2026, 2, 1),
    });
    h
}

pub(crate) async fn filed(store: &Arc<dyn Store>, number: &str, names: &[&str]) -> HouseholdId {
    store
        .create_household(
            &county(),
            &with_survey(household(number, QINGLONG_1, names)),
        )
        .await
        .unwrap()
}

fn decision(version: i64, fen: i64, from: &str) -> NewDecision {
    NewDecision {
        household_version: version,
        params_month: month(from),
        params_version: "test".into(),
        snapshot_json: "{}".into(),
        explanation_json: "{\"total_fen\":1}".into(),
        monthly_fen: fen,
        from_month: month(from),
        review_class: ReviewClass::Stable,
        next_review: date(2027, 3, 1),
    }
}

/// Walks a dibao case of the household to its approval on 2026-03-10 (notice 03-02..08) with
/// an entitlement of `fen` a month from 2026-03; returns the case.
pub(crate) async fn approved(store: &Arc<dyn Store>, household: HouseholdId, fen: i64) -> CaseId {
    let cw = caseworker(QINGLONG);
    let l = Limits::default();
    let t = date(2026, 3, 2);
    let id = store
        .submit_case(&community_worker(QINGLONG_1), household, CaseType::Dibao, t)
        .await
        .unwrap();
    let steps = [
        Action::Accept { complex: false },
        Action::Investigate(Investigation {
            visited_on: t,
            visit_notes: "入户核实".into(),
            finances_reference: "HD-1".into(),
            survey_on_file: false,
        }),
        Action::Appraise {
            held_on: t,
            conclusion: "同意".into(),
        },
        Action::TownshipOpinion {
            recommend: true,
            opinion: "符合条件".into(),
        },
        Action::StartNotice { from: t },
    ];
    let mut version = 1;
    for a in &steps {
        version = store
            .act_on_case(&cw, id, version, a, t, &l)
            .await
            .unwrap()
            .version;
    }
    let hv = store
        .household(&county(), household)
        .await
        .unwrap()
        .household
        .version;
    store
        .approve_case(
            &county(),
            id,
            version,
            &decision(hv, fen, "2026-03"),
            date(2026, 3, 10),
            &l,
        )
        .await
        .unwrap();
    id
}

/// The audit entries naming a person.
async fn death_entries(
    store: &Arc<dyn Store>,
    person: doudi_core::PersonId,
) -> Vec<doudi_store::AuditEntry> {
    let filter = AuditFilter {
        target: Some(format!("person:{}", person.0)),
        ..AuditFilter::default()
    };
    store
        .audit_entries(
            &auditor(),
            &filter,
            Page {
                offset: 0,
                limit: 50,
            },
        )
        .await
        .unwrap()
        .rows
}

conformance! {
    async fn a_case_walks_from_application_to_approval_with_every_step_recorded(store) {
        let h = filed(&store, "CW-1", &["张三"]).await;
        let id = approved(&store, h, 62_000).await;
        let record = store.case(&county(), id).await.unwrap();
        assert_eq!(record.case.state, CaseState::Approved);
        assert_eq!(record.decided_on, Some(date(2026, 3, 10)));
        let kinds: Vec<&str> = record.steps.iter().map(|s| s.kind.label()).collect();
        assert_eq!(kinds, ["提交申请", "受理", "调查核实", "民主评议", "乡镇审核意见", "开始公示", "县民政局批准"]);
        assert!(record.steps[1].detail.contains("无重复"), "{}", record.steps[1].detail);
        assert_eq!(record.steps[0].actor_role, "community_worker");
        let e = store.entitlements(&county(), h).await.unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].monthly_fen, e[0].from, e[0].until), (62_000, month("2026-03"), None));
        let audit = store
            .audit_entries(&auditor(), &AuditFilter { target: Some(format!("case:{}", id.0)), ..Default::default() }, Page { offset: 0, limit: 50 })
            .await
            .unwrap();
        assert!(audit.rows.iter().filter(|e| e.action == "update").count() >= 6);
    }

    async fn an_illegal_transition_is_refused_and_changes_nothing(store) {
        let h = filed(&store, "CW-2", &["张三"]).await;
        let id = store.submit_case(&community_worker(QINGLONG_1), h, CaseType::Dibao, date(2026, 3, 2)).await.unwrap();
        let err = store
            .act_on_case(&caseworker(QINGLONG), id, 1, &Action::StartNotice { from: date(2026, 3, 2) }, date(2026, 3, 2), &Limits::default())
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "当前状态为“已提交”，不能执行“开始公示”，下一步应为“受理”或“退回补正”");
        let record = store.case(&county(), id).await.unwrap();
        assert_eq!((record.case.state, record.version, record.steps.len()), (CaseState::Submitted, 1, 1));
        let err = store
            .act_on_case(&caseworker(QINGLONG), id, 1, &Action::Refuse { reason: "x".into() }, date(2026, 3, 2), &Limits::default())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Forbidden), "{err:?}");
    }

    async fn a_stale_version_is_a_conflict(store) {
        let h = filed(&store, "CW-3", &["张三"]).await;
        let id = store.submit_case(&community_worker(QINGLONG_1), h, CaseType::Tekun, date(2026, 3, 2)).await.unwrap();
        let cw = caseworker(QINGLONG);
        store.act_on_case(&cw, id, 1, &Action::Accept { complex: false }, date(2026, 3, 2), &Limits::default()).await.unwrap();
        let err = store.act_on_case(&cw, id, 1, &Action::Return { missing: vec!["户口簿".into()] }, date(2026, 3, 2), &Limits::default()).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { expected: 1, current: 2 }), "{err:?}");
    }

    async fn cases_outside_the_scope_are_not_found_and_only_some_roles_submit(store) {
        let h = filed(&store, "CW-4", &["张三"]).await;
        let id = store.submit_case(&caseworker(QINGLONG), h, CaseType::Dibao, date(2026, 3, 2)).await.unwrap();
        assert!(matches!(store.case(&caseworker(RENHE), id).await, Err(StoreError::NotFound)));
        assert!(matches!(
            store.act_on_case(&caseworker(RENHE), id, 1, &Action::Accept { complex: false }, date(2026, 3, 2), &Limits::default()).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.cases(&caseworker(RENHE), &CaseFilter::default(), Page { offset: 0, limit: 50 }).await.unwrap().rows.is_empty());
        assert_eq!(store.cases(&community_worker(QINGLONG_1), &CaseFilter::default(), Page { offset: 0, limit: 50 }).await.unwrap().rows.len(), 1);
        assert!(matches!(store.submit_case(&caseworker(RENHE), h, CaseType::Medical, date(2026, 3, 2)).await, Err(StoreError::NotFound)));
        assert!(matches!(store.submit_case(&auditor(), h, CaseType::Medical, date(2026, 3, 2)).await, Err(StoreError::Forbidden)));
        assert!(matches!(store.submit_case(&caseworker(QINGLONG), h, CaseType::Dibao, date(2026, 3, 2)).await, Err(StoreError::Duplicate(_))));
    }

    async fn the_case_list_pages_newest_first_and_says_how_many_there_are(store) {
        let mut ids = Vec::new();
        for i in 0..5 {
            let h = filed(&store, &format!("PG-{i}"), &["张三"]).await;
            ids.push(store.submit_case(&community_worker(QINGLONG_1), h, CaseType::Dibao, date(2026, 3, 2)).await.unwrap());
        }
        ids.reverse();
        let cw = caseworker(QINGLONG);
        let all = CaseFilter::default();
        let mut seen = Vec::new();
        for offset in [0, 2, 4] {
            let page = store.cases(&cw, &all, Page { offset, limit: 2 }).await.unwrap();
            assert_eq!(page.total, 5);
            seen.extend(page.rows.iter().map(|c| c.id));
        }
        assert_eq!(seen, ids);
        let past = store.cases(&cw, &all, Page { offset: 10, limit: 2 }).await.unwrap();
        assert_eq!((past.total, past.rows.len()), (5, 0));
        let other = store.cases(&caseworker(RENHE), &all, Page { offset: 0, limit: 2 }).await.unwrap();
        assert_eq!((other.total, other.rows.len()), (0, 0));
    }

    async fn an_objection_during_the_notice_holds_the_decision_until_resolved(store) {
        let h = filed(&store, "CW-5", &["张三"]).await;
        let cw = caseworker(QINGLONG);
        let l = Limits::default();
        let t = date(2026, 3, 2);
        let id = store.submit_case(&cw, h, CaseType::Dibao, t).await.unwrap();
        let mut v = 1;
        for a in [
            Action::Accept { complex: false },
            Action::Investigate(Investigation { visited_on: t, visit_notes: "x".into(), finances_reference: "HD".into(), survey_on_file: false }),
            Action::Appraise { held_on: t, conclusion: "同意".into() },
            Action::TownshipOpinion { recommend: true, opinion: "同意".into() },
            Action::StartNotice { from: t },
        ] {
            v = store.act_on_case(&cw, id, v, &a, t, &l).await.unwrap().version;
        }
        v = store.act_on_case(&cw, id, v, &Action::Object { text: "有轿车一辆".into() }, date(2026, 3, 4), &l).await.unwrap().version;
        let hv = store.household(&county(), h).await.unwrap().household.version;
        let err = store.approve_case(&county(), id, v, &decision(hv, 100, "2026-03"), date(2026, 3, 10), &l).await.unwrap_err();
        assert!(err.to_string().contains("未处理的异议"), "{err}");
        let r = store.act_on_case(&cw, id, v, &Action::ResolveObjection { number: 1, upheld: false, resolution: "车辆已过户".into() }, date(2026, 3, 5), &l).await.unwrap();
        assert_eq!(r.case.objections[0].resolution, Some((false, "车辆已过户".into())));
        assert!(r.case.complex);
        store.approve_case(&county(), id, r.version, &decision(hv, 100, "2026-03"), date(2026, 3, 10), &l).await.unwrap();
        let notices = store.public_notices(&code(QINGLONG_1), date(2026, 3, 5)).await.unwrap();
        assert!(notices.is_empty(), "an approved case is no longer under notice");
    }

    async fn a_member_in_the_rural_registry_is_excluded_at_acceptance_with_the_reason_even_after_a_key_rotation(store) {
        let new = with_survey(household("CW-6", QINGLONG_1, &["张三", "张小"]));
        let child = new.members[1].id_number.clone();
        let h = store.create_household(&county(), &new).await.unwrap();
        assert_eq!(store.import_rural_registry(&command_line(), &[child.clone(), fresh_id()], "2026年农村建档立卡名单").await.unwrap(), 2);
        // The registry is sealed and indexed with the data key: a rotation carries it over.
        store.rotate_keys(&doudi_core::Actor::system("密钥轮换"), &other_keys()).await.unwrap();
        let id = store.submit_case(&caseworker(QINGLONG), h, CaseType::Dibao, date(2026, 3, 2)).await.unwrap();
        let r = store.act_on_case(&caseworker(QINGLONG), id, 1, &Action::Accept { complex: false }, date(2026, 3, 2), &Limits::default()).await.unwrap();
        assert_eq!(r.exclusions.len(), 1);
        assert_eq!(r.exclusions[0].name_masked, "张*");
        assert!(r.exclusions[0].reason.contains("农村建档立卡") && r.exclusions[0].reason.contains("4.2.c"));
        assert!(r.steps[1].detail.contains("1名成员已在名单中"));
    }

    async fn a_second_payment_run_for_the_same_month_pays_nothing_twice(store) {
        let a = filed(&store, "CW-7", &["张三"]).await;
        let b = filed(&store, "CW-8", &["李四"]).await;
        approved(&store, a, 62_000).await;
        approved(&store, b, 30_050).await;
        let first = store.run_payments(&county(), month("2026-04"), date(2027, 12, 31)).await.unwrap();
        assert_eq!((first.created, first.existing, first.created_fen), (2, 0, 92_050));
        let again = store.run_payments(&county(), month("2026-04"), date(2027, 12, 31)).await.unwrap();
        assert_eq!((again.created, again.existing, again.created_fen), (0, 2, 0));
        let lines = store.payments(&county(), month("2026-04")).await.unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].payee, "张三");
        let settled = store
            .settle_payments(&county(), month("2026-04"), &[
                Settlement { payment: lines[0].id, failure: None },
                Settlement { payment: lines[1].id, failure: Some("账户已销户".into()) },
            ])
            .await
            .unwrap();
        assert_eq!(settled, 2);
        let lines = store.payments(&county(), month("2026-04")).await.unwrap();
        assert_eq!(lines[0].status, PaymentStatus::Paid);
        assert_eq!((lines[1].status, lines[1].failure.as_deref()), (PaymentStatus::Failed, Some("账户已销户")));
        assert!(store.run_payments(&caseworker(QINGLONG), month("2026-04"), date(2027, 12, 31)).await.is_err());
        let early = store.run_payments(&county(), month("2026-02"), date(2027, 12, 31)).await.unwrap_err();
        assert!(matches!(&early, StoreError::Invalid(m) if m.contains("早于") && m.contains("2026-03")), "{early}");
    }

    async fn a_payment_run_for_a_month_still_to_come_is_refused_and_creates_nothing(store) {
        let a = filed(&store, "CW-15", &["张三"]).await;
        approved(&store, a, 62_000).await;
        for future in ["2026-05", "2030-01", "9999-12"] {
            let err = store.run_payments(&county(), month(future), date(2026, 4, 30)).await.unwrap_err();
            assert!(matches!(&err, StoreError::Invalid(m) if m.contains("尚未到来") && m.contains("2026-04")), "{future}: {err}");
        }
        assert!(store.payments(&county(), month("9999-12")).await.unwrap().is_empty(), "no pending line for 9999-12");
        assert!(store.payments(&county(), month("2026-05")).await.unwrap().is_empty());
        assert_eq!(store.run_payments(&county(), month("2026-04"), date(2026, 4, 1)).await.unwrap().created, 1, "the current month is paid");
    }

    async fn a_death_in_mid_month_is_paid_for_that_month_and_not_the_next(store) {
        let h = filed(&store, "CW-9", &["张三"]).await;
        approved(&store, h, 62_000).await;
        store.run_payments(&county(), month("2026-05"), date(2027, 12, 31)).await.unwrap();
        // Died on 2026-04-15: April is paid, May (already generated) is removed, June never made.
        let stopped = store.stop_benefits(&caseworker(QINGLONG), h, Month::of(date(2026, 4, 15)), "死亡").await.unwrap();
        assert_eq!(stopped.entitlements.len(), 1);
        assert_eq!(stopped.entitlements[0].until, Some(month("2026-04")));
        assert_eq!(stopped.payments_removed, 1);
        assert_eq!(store.run_payments(&county(), month("2026-04"), date(2027, 12, 31)).await.unwrap().created, 1);
        assert_eq!(store.run_payments(&county(), month("2026-05"), date(2027, 12, 31)).await.unwrap().created, 0);
        assert_eq!(store.run_payments(&county(), month("2026-06"), date(2027, 12, 31)).await.unwrap().created, 0);
    }

    async fn a_caseworkers_death_removes_the_member_and_restates_in_one_go(store) {
        let h = filed(&store, "CW-D1", &["张三", "张小"]).await;
        approved(&store, h, 62_000).await;
        store.run_payments(&county(), month("2026-05"), date(2027, 12, 31)).await.unwrap();
        let record = store.household(&county(), h).await.unwrap();
        let child = record.members[1].id;
        let open = store.entitlements(&county(), h).await.unwrap();
        let death = Death {
            person: child,
            household: h,
            expected_version: record.household.version,
            died_on: date(2026, 4, 15),
            today: date(2026, 6, 1),
            restatements: vec![Restatement { entitlement: open[0].id, decision: decision(record.household.version, 31_000, "2026-05"), reason: "家庭成员死亡".into() }],
            answers: None,
        };
        let done = store.record_death(&caseworker(QINGLONG), &death).await.unwrap();
        assert!(matches!(done, DeathRecorded::Restated(ref ids) if ids.len() == 1), "{done:?}");
        let after = store.household(&county(), h).await.unwrap();
        assert_eq!(after.members.len(), 1, "the member is removed");
        assert_eq!(after.household.version, record.household.version + 1);
        let periods = store.entitlements(&county(), h).await.unwrap();
        assert_eq!((periods[0].monthly_fen, periods[0].until), (62_000, Some(month("2026-04"))));
        assert_eq!((periods[1].monthly_fen, periods[1].from, periods[1].until), (31_000, month("2026-05"), None));
        let may = store.run_payments(&county(), month("2026-05"), date(2027, 12, 31)).await.unwrap();
        assert_eq!(may.created_fen, 31_000, "May's unpaid line at the old amount was removed and is paid anew");
        let trail = death_entries(&store, child).await;
        assert_eq!(trail.len(), 1, "one audit entry");
        assert!(trail[0].detail.contains("2026-05起调整待遇1项"), "{}", trail[0].detail);
    }

    async fn a_death_that_fails_midway_leaves_nothing_written(store) {
        let h = filed(&store, "CW-D2", &["张三", "张小"]).await;
        approved(&store, h, 62_000).await;
        let record = store.household(&county(), h).await.unwrap();
        let child = record.members[1].id;
        let open = store.entitlements(&county(), h).await.unwrap();
        let mut death = Death {
            person: child,
            household: h,
            expected_version: record.household.version,
            died_on: date(2026, 4, 15),
            today: date(2026, 6, 1),
            // Stale: computed before the open period was known. The member's removal comes
            // first in the transaction, so this fails after something was written.
            restatements: Vec::new(),
            answers: None,
        };
        let err = store.record_death(&caseworker(QINGLONG), &death).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(ref m) if m.contains("未作任何登记")), "{err}");
        // A community worker is refused before anything is written.
        death.restatements = vec![Restatement { entitlement: open[0].id, decision: decision(record.household.version, 31_000, "2026-05"), reason: "死亡".into() }];
        let err = store.record_death(&community_worker(QINGLONG_1), &death).await.unwrap_err();
        assert!(matches!(err, StoreError::Forbidden), "{err}");
        let after = store.household(&county(), h).await.unwrap();
        assert_eq!(after.members.len(), 2, "the member is still there");
        assert_eq!(after.household.version, record.household.version);
        assert_eq!(store.entitlements(&county(), h).await.unwrap(), open, "no period changed");
        assert!(death_entries(&store, child).await.is_empty(), "no audit entry of a death");
        // The retry with the right amounts succeeds: nothing was half done.
        store.record_death(&caseworker(QINGLONG), &death).await.unwrap();
        assert_eq!(store.household(&county(), h).await.unwrap().members.len(), 1);
    }

    async fn a_death_recorded_after_a_later_period_began_restates_that_period_from_its_second_month(store) {
        let h = filed(&store, "CW-D4", &["张三", "张小"]).await;
        approved(&store, h, 62_000).await;
        // A new standard from June restated the household before the April death was reported.
        let open = store.entitlements(&county(), h).await.unwrap();
        let june = Restatement { entitlement: open[0].id, decision: decision(1, 70_000, "2026-06"), reason: "新标准".into() };
        store.restate_entitlements(&county(), &[june]).await.unwrap();
        let record = store.household(&county(), h).await.unwrap();
        let periods = store.entitlements(&county(), h).await.unwrap();
        let later = periods[1].id;
        let mut death = Death {
            person: record.members[1].id,
            household: h,
            expected_version: record.household.version,
            died_on: date(2026, 4, 15),
            today: date(2026, 8, 1),
            // Restating the June period from May would rewrite it: refused, nothing written.
            restatements: vec![Restatement { entitlement: later, decision: decision(record.household.version, 35_000, "2026-05"), reason: "死亡".into() }],
            answers: None,
        };
        let err = store.record_death(&caseworker(QINGLONG), &death).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
        assert_eq!(Death::restated_from(month("2026-05"), month("2026-06")), month("2026-07"));
        death.restatements[0].decision = decision(record.household.version, 35_000, "2026-07");
        store.record_death(&caseworker(QINGLONG), &death).await.unwrap();
        let periods = store.entitlements(&county(), h).await.unwrap();
        let shape: Vec<_> = periods.iter().map(|p| (p.monthly_fen, p.from, p.until)).collect();
        assert_eq!(shape, vec![
            (62_000, month("2026-03"), Some(month("2026-05"))),
            (70_000, month("2026-06"), Some(month("2026-06"))),
            (35_000, month("2026-07"), None),
        ], "June, already in force, is paid as it was; the smaller household from July");
    }

    async fn a_death_dated_in_the_future_is_refused(store) {
        let h = filed(&store, "CW-D3", &["张三"]).await;
        approved(&store, h, 62_000).await;
        let record = store.household(&county(), h).await.unwrap();
        let death = Death {
            person: record.members[0].id,
            household: h,
            expected_version: record.household.version,
            died_on: date(2026, 6, 2),
            today: date(2026, 6, 1),
            restatements: Vec::new(),
            answers: None,
        };
        let err = store.record_death(&caseworker(QINGLONG), &death).await.unwrap_err();
        assert!(err.to_string().contains("死亡日期2026-06-02晚于今天（2026-06-01）"), "{err}");
        assert_eq!(store.entitlements(&county(), h).await.unwrap()[0].until, None);
        let today = Death { died_on: date(2026, 6, 1), ..death };
        let done = store.record_death(&caseworker(QINGLONG), &today).await.unwrap();
        let DeathRecorded::Stopped(stopped) = done else { panic!("the only member died") };
        assert_eq!(stopped.entitlements[0].until, Some(month("2026-06")));
    }

    async fn a_restatement_opens_a_new_period_and_never_rewrites_an_old_one(store) {
        let h = filed(&store, "CW-10", &["张三"]).await;
        approved(&store, h, 62_000).await;
        let open = store.open_entitlements(&county(), month("2026-08")).await.unwrap();
        assert_eq!(open.len(), 1);
        let too_early = Restatement { entitlement: open[0].id, decision: decision(1, 70_000, "2026-03"), reason: "新标准".into() };
        let err = store.restate_entitlements(&county(), &[too_early]).await.unwrap_err();
        assert!(err.to_string().contains("不能改写"), "{err}");
        let r = Restatement { entitlement: open[0].id, decision: decision(1, 70_000, "2026-09"), reason: "2026年9月起提高低保标准".into() };
        let opened = store.restate_entitlements(&county(), std::slice::from_ref(&r)).await.unwrap();
        assert_eq!(opened.len(), 1);
        let all = store.entitlements(&county(), h).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].monthly_fen, all[0].from, all[0].until), (62_000, month("2026-03"), Some(month("2026-08"))));
        assert_eq!((all[1].monthly_fen, all[1].from, all[1].until), (70_000, month("2026-09"), None));
        assert!(store.restate_entitlements(&county(), &[r]).await.is_err(), "a closed period is not restated again");
        assert_eq!(store.run_payments(&county(), month("2026-08"), date(2027, 12, 31)).await.unwrap().created_fen, 62_000);
        assert_eq!(store.run_payments(&county(), month("2026-09"), date(2027, 12, 31)).await.unwrap().created_fen, 70_000);
    }

    async fn a_review_continues_adjusts_or_exits_and_an_exit_lists_what_stops(store) {
        let h = filed(&store, "CW-11", &["张三"]).await;
        approved(&store, h, 62_000).await;
        let e = store.entitlements(&county(), h).await.unwrap().remove(0);
        let work = store.work_list(&caseworker(QINGLONG), date(2027, 3, 1), &Limits::default()).await.unwrap();
        assert_eq!(work.reviews_due.len(), 1, "the review falls due");
        assert_eq!(work.reviews_due_total, 1);
        let cw = caseworker(QINGLONG);
        store.record_review(&cw, &NewReview { entitlement: e.id, result: ReviewResult::Continue, decision: decision(1, 62_000, "2027-03"), reason: String::new(), proposal: None }, date(2028, 3, 1)).await.unwrap();
        let work = store.work_list(&cw, date(2027, 3, 1), &Limits::default()).await.unwrap();
        assert!(work.reviews_due.is_empty());
        assert_eq!(work.reviews_due_total, 0);
        let medical = store.submit_case(&cw, h, CaseType::Medical, date(2027, 3, 1)).await.unwrap();
        let stopped = store
            .record_review(&cw, &NewReview { entitlement: e.id, result: ReviewResult::Exit, decision: decision(1, 0, "2027-04"), reason: "家庭人均收入超过低保标准".into(), proposal: None }, date(2028, 3, 1))
            .await
            .unwrap();
        assert_eq!(stopped.entitlements.len(), 1);
        assert_eq!(stopped.entitlements[0].program, Category::Dibao);
        assert_eq!(stopped.entitlements[0].until, Some(month("2027-03")));
        assert_eq!(stopped.cases, vec![(medical, CaseType::Medical)]);
        assert_eq!(store.run_payments(&county(), month("2027-04"), date(2027, 12, 31)).await.unwrap().created, 0);
        assert!(store.record_review(&cw, &NewReview { entitlement: e.id, result: ReviewResult::Continue, decision: decision(1, 0, "2027-04"), reason: String::new(), proposal: None }, date(2028, 3, 1)).await.is_err());
    }

    async fn a_township_review_proposal_waits_for_the_county_who_signs_it_off_or_says_why_not(store) {
        let h = filed(&store, "CW-31", &["张三"]).await;
        approved(&store, h, 62_000).await;
        let e = store.entitlements(&county(), h).await.unwrap().remove(0);
        let cw = caseworker(QINGLONG);
        let exit = NewReviewProposal { entitlement: e.id, result: ReviewResult::Exit, monthly_fen: 0, reason: "家庭人均收入超过低保标准".into(), note: "已入户核实".into() };
        let continuing = NewReviewProposal { result: ReviewResult::Continue, ..exit.clone() };
        assert!(store.propose_review(&cw, &continuing).await.is_err(), "continuing needs no sign-off");
        let id = store.propose_review(&cw, &exit).await.unwrap();
        let err = store.propose_review(&cw, &exit).await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(_)), "one waiting proposal per period: {err}");
        let work = store.work_list(&cw, date(2027, 3, 1), &Limits::default()).await.unwrap();
        assert!(work.reviews_due.is_empty(), "a period waiting for the county is not due again");
        let waiting = store.review_proposals(&county(), None).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!((waiting[0].id, waiting[0].state, waiting[0].current_fen), (id, ProposalState::Pending, 62_000));
        assert!(matches!(store.reject_review_proposal(&cw, id, "不同意").await, Err(StoreError::Forbidden)), "only the county decides");
        assert!(store.reject_review_proposal(&county(), id, "  ").await.is_err(), "a refusal says why");
        store.reject_review_proposal(&county(), id, "收入证明不全，请补充后再报").await.unwrap();
        assert!(store.review_proposals(&county(), None).await.unwrap().is_empty());
        let mine = store.review_proposals(&cw, Some(h)).await.unwrap();
        assert_eq!((mine[0].state, mine[0].decision_note.as_deref()), (ProposalState::Rejected, Some("收入证明不全，请补充后再报")));
        assert_eq!(store.entitlements(&county(), h).await.unwrap()[0].until, None, "a refused proposal changes nothing");

        let again = store.propose_review(&cw, &exit).await.unwrap();
        let signed = NewReview { entitlement: e.id, result: ReviewResult::Exit, decision: decision(1, 0, "2027-04"), reason: "家庭人均收入超过低保标准".into(), proposal: Some(again) };
        assert!(matches!(store.record_review(&cw, &signed, date(2028, 3, 1)).await, Err(StoreError::Forbidden)), "the township cannot sign its own proposal");
        let wrong = NewReview { proposal: Some(id), ..signed.clone() };
        assert!(store.record_review(&county(), &wrong, date(2028, 3, 1)).await.is_err(), "a decided proposal is not signed again");
        assert_eq!(store.entitlements(&county(), h).await.unwrap()[0].until, None, "nothing half-written");
        let stopped = store.record_review(&county(), &signed, date(2028, 3, 1)).await.unwrap();
        assert_eq!(stopped.entitlements[0].until, Some(month("2027-03")));
        let all = store.review_proposals(&county(), Some(h)).await.unwrap();
        assert_eq!(all.iter().map(|p| p.state).collect::<Vec<_>>(), vec![ProposalState::Approved, ProposalState::Rejected]);
    }

    async fn a_waiting_review_proposal_lapses_when_its_period_ends_another_way(store) {
        let h = filed(&store, "CW-32", &["张三"]).await;
        approved(&store, h, 62_000).await;
        let e = store.entitlements(&county(), h).await.unwrap().remove(0);
        let lower = NewReviewProposal { entitlement: e.id, result: ReviewResult::Adjust, monthly_fen: 50_000, reason: "收入增加".into(), note: String::new() };
        store.propose_review(&caseworker(QINGLONG), &lower).await.unwrap();
        let r = Restatement { entitlement: e.id, decision: decision(1, 70_000, "2026-09"), reason: "2026年9月起提高低保标准".into() };
        store.restate_entitlements(&county(), &[r]).await.unwrap();
        let p = store.review_proposals(&county(), Some(h)).await.unwrap();
        assert_eq!(p[0].state, ProposalState::Lapsed);
        assert!(store.review_proposals(&county(), None).await.unwrap().is_empty());
    }

    async fn the_public_notice_lists_masked_households_of_the_community_during_the_notice_without_an_audit_row_a_view(store) {
        let h = filed(&store, "CW-12", &["张三丰", "张小"]).await;
        let cw = caseworker(QINGLONG);
        let l = Limits::default();
        let t = date(2026, 3, 2);
        let id = store.submit_case(&cw, h, CaseType::Dibao, t).await.unwrap();
        let mut v = 1;
        for a in [
            Action::Accept { complex: false },
            Action::Investigate(Investigation { visited_on: t, visit_notes: "x".into(), finances_reference: "HD".into(), survey_on_file: false }),
            Action::Appraise { held_on: t, conclusion: "同意".into() },
            Action::TownshipOpinion { recommend: true, opinion: "同意".into() },
            Action::StartNotice { from: t },
        ] {
            v = store.act_on_case(&cw, id, v, &a, t, &l).await.unwrap().version;
        }
        assert!(v > 1);
        // The notice is public and masked: a view by anyone is not an audit entry (an
        // anonymous crowd reading it would otherwise grow the trail by a row a request).
        let entries = |store: Arc<dyn Store>| async move {
            store.audit_entries(&auditor(), &AuditFilter::default(), Page { offset: 0, limit: 1 }).await.unwrap().total
        };
        let before = entries(store.clone()).await;
        for _ in 0..20 {
            store.public_notices(&code(QINGLONG_1), date(2026, 3, 8)).await.unwrap();
        }
        // The one new entry is the auditor's own read of the trail.
        assert_eq!(entries(store.clone()).await, before + 1, "viewing the public notice appends nothing to the audit trail");
        let n = store.public_notices(&code(QINGLONG_1), date(2026, 3, 8)).await.unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].head_masked, "张*丰");
        assert!(n[0].id_masked.contains("********"));
        assert_eq!((n[0].members, n[0].until), (2, date(2026, 3, 8)));
        assert!(store.public_notices(&code(QINGLONG_1), date(2026, 3, 9)).await.unwrap().is_empty());
        assert!(store.public_notices(&code(QINGLONG_2), date(2026, 3, 8)).await.unwrap().is_empty());
        let work = store.work_list(&county(), date(2026, 3, 9), &l).await.unwrap();
        assert_eq!(work.cases.len(), 1, "the county decides once the notice is over");
        let work = store.work_list(&cw, date(2026, 3, 5), &l).await.unwrap();
        assert_eq!((work.cases.len(), work.under_notice.len()), (0, 1));
    }

    async fn entitlements_carried_over_are_paid_like_decided_ones_and_a_household_appears_once(store) {
        let a = filed(&store, "CW-13", &["张三"]).await;
        let b = filed(&store, "CW-14", &["李四"]).await;
        let entry = |h: HouseholdId, fen: i64| doudi_store::casework::ImportedEntitlement {
            household: h, program: Category::Tekun, monthly_fen: fen, from: month("2026-01"),
            review_class: ReviewClass::Stable, next_review: date(2027, 1, 1), reference: "云民发〔2025〕1号".into(),
        };
        let err = store.import_entitlements(&county(), &[entry(a, 1), entry(a, 2)]).await.unwrap_err();
        assert!(err.to_string().contains("不止一次"), "{err}");
        assert!(matches!(store.import_entitlements(&caseworker(QINGLONG), &[entry(a, 1)]).await, Err(StoreError::Forbidden)));
        assert_eq!(store.import_entitlements(&command_line(), &[entry(a, 95_400), entry(b, 82_700)]).await.unwrap(), 2);
        let run = store.run_payments(&county(), month("2026-02"), date(2027, 12, 31)).await.unwrap();
        assert_eq!((run.created, run.created_fen), (2, 178_100));
        assert_eq!(store.entitlements(&county(), b).await.unwrap()[0].program, Category::Tekun);
    }

    async fn a_payment_preview_counts_what_a_run_would_add_and_names_payees_without_an_account(store) {
        let a = filed(&store, "CW-15", &["张三"]).await;
        let b = filed(&store, "CW-16", &["李四"]).await;
        let record = store.household(&county(), a).await.unwrap();
        let mut fields = record.household.fields.clone();
        fields.bank_account = Some(doudi_core::BankAccount::parse("6222020200112233445").unwrap());
        store.update_household(&county(), a, record.household.version, &fields).await.unwrap();
        let entry = |h: HouseholdId, fen: i64| doudi_store::casework::ImportedEntitlement {
            household: h, program: Category::Dibao, monthly_fen: fen, from: month("2026-01"),
            review_class: ReviewClass::Stable, next_review: date(2027, 1, 1), reference: "云民发〔2025〕2号".into(),
        };
        store.import_entitlements(&county(), &[entry(a, 50_000), entry(b, 20_000)]).await.unwrap();
        let preview = store.payment_preview(&county(), month("2026-02")).await.unwrap();
        assert_eq!((preview.new_lines, preview.new_fen, preview.existing), (2, 70_000, 0));
        assert_eq!(preview.without_account, vec![(b, "CW-16".to_owned())]);
        assert!(store.payments(&county(), month("2026-02")).await.unwrap().is_empty(), "a preview pays nothing");
        store.run_payments(&county(), month("2026-02"), date(2026, 2, 10)).await.unwrap();
        let after = store.payment_preview(&county(), month("2026-02")).await.unwrap();
        assert_eq!((after.new_lines, after.new_fen, after.existing), (0, 0, 2));
        assert!(matches!(store.payment_preview(&caseworker(QINGLONG), month("2026-02")).await, Err(StoreError::Forbidden)));
    }

    async fn importing_a_period_for_a_household_already_paid_is_refused_by_the_database_in_chinese(store) {
        let a = filed(&store, "QL-U003", &["王一"]).await;
        let entry = doudi_store::casework::ImportedEntitlement {
            household: a, program: Category::Tekun, monthly_fen: 95_400, from: month("2026-01"),
            review_class: ReviewClass::Stable, next_review: date(2027, 1, 1), reference: "云民发〔2025〕1号".into(),
        };
        assert_eq!(store.import_entitlements(&command_line(), std::slice::from_ref(&entry)).await.unwrap(), 1);
        let err = store.import_entitlements(&command_line(), &[entry]).await.unwrap_err();
        assert!(matches!(&err, StoreError::Duplicate(m) if m.contains("未终止的待遇期")), "{err:?}");
        assert_eq!(store.entitlements(&county(), a).await.unwrap().len(), 1, "the second import left nothing");
    }

    async fn benefits_filed_as_already_received_wait_for_the_county_and_become_entitlements_once(store) {
        let carried = |fen: i64| doudi_core::CarriedEntitlement {
            program: Category::Dibao, monthly: doudi_core::Money::from_fen(fen), from: month("2024-03"),
            reference: "云民〔2024〕12号".into(),
        };
        let households = [household("CR-1", QINGLONG_1, &["甲"]), household("CR-2", QINGLONG_1, &["乙"]), household("CR-3", QINGLONG_1, &["丙"])];
        store.import_households_carrying(&caseworker(QINGLONG), &households, &[Some(carried(68_000)), None, Some(carried(30_000))]).await.unwrap();
        assert!(matches!(store.carried_entitlements(&caseworker(QINGLONG)).await, Err(StoreError::Forbidden)));
        let claims = store.carried_entitlements(&county()).await.unwrap();
        assert_eq!(claims.iter().map(|c| (c.number.as_str(), c.claim.monthly.fen())).collect::<Vec<_>>(), [("CR-1", 68_000), ("CR-3", 30_000)]);
        let entry = |h: HouseholdId, fen: i64| doudi_store::casework::ImportedEntitlement {
            household: h, program: Category::Dibao, monthly_fen: fen, from: month("2024-03"),
            review_class: ReviewClass::Stable, next_review: date(2027, 3, 1), reference: "云民〔2024〕12号".into(),
        };
        assert_eq!(store.confirm_carried(&county(), &[entry(claims[0].household, 68_000)]).await.unwrap(), 1);
        assert_eq!(store.carried_entitlements(&county()).await.unwrap().len(), 1, "the confirmed claim is gone");
        assert_eq!(store.entitlements(&county(), claims[0].household).await.unwrap()[0].monthly_fen, 68_000);
        // A claim confirmed already, or never filed, is refused and nothing is written.
        let r = store.confirm_carried(&county(), &[entry(claims[1].household, 30_000), entry(claims[0].household, 1)]).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
        assert_eq!(store.carried_entitlements(&county()).await.unwrap().len(), 1);
        assert!(store.entitlements(&county(), claims[1].household).await.unwrap().is_empty());
    }

    async fn centralised_care_is_recorded_per_person_and_counted_per_township(store) {
        let mut new = household("TK-1", QINGLONG_1, &["孤老甲"]);
        new.fields.category = Category::Tekun;
        new.members[0].self_care = doudi_core::SelfCare::None;
        let a = store.create_household(&county(), &new).await.unwrap();
        let mut new = household("TK-2", QINGLONG_1, &["孤老乙"]);
        new.fields.category = Category::Tekun;
        new.members[0].self_care = doudi_core::SelfCare::Partial;
        store.create_household(&county(), &new).await.unwrap();
        let counts = store.care_counts(&county()).await.unwrap();
        assert_eq!((counts.len(), counts[0].disabled, counts[0].centralised), (1, 2, 0));
        let person = store.household(&county(), a).await.unwrap().members[0].id;
        let cw = caseworker(QINGLONG);
        assert!(store.record_care(&cw, person, true, " ", date(2026, 3, 1)).await.is_err());
        store.record_care(&cw, person, true, "云阳县城乡敬老院", date(2026, 3, 1)).await.unwrap();
        assert_eq!(store.care_counts(&cw).await.unwrap()[0].centralised, 1);
        store.record_care(&cw, person, false, "", date(2026, 6, 1)).await.unwrap();
        assert_eq!(store.care_counts(&cw).await.unwrap()[0].centralised, 0, "the newest record counts");
        assert!(store.care_counts(&caseworker(RENHE)).await.unwrap().is_empty());
        assert!(matches!(store.record_care(&caseworker(RENHE), person, true, "x", date(2026, 3, 1)).await, Err(StoreError::NotFound)));
        let dibao = filed(&store, "CW-15", &["张三"]).await;
        let someone = store.household(&county(), dibao).await.unwrap().members[0].id;
        assert!(store.record_care(&cw, someone, true, "x", date(2026, 3, 1)).await.unwrap_err().to_string().contains("特困"));
    }
}

/// A row of `cases` as raw SQL would write it: household, type, state.
fn raw_case(household: HouseholdId, case_type: &str, state: &str) -> String {
    format!(
        "INSERT INTO cases (household_id, community, case_type, state, submitted_on, \
         created_at, updated_at) VALUES ({}, '{QINGLONG_1}', '{case_type}', '{state}', \
         '2026-03-02', '2026-03-02T08:00:00Z', '2026-03-02T08:00:00Z')",
        household.0
    )
}

/// An entitlement period as raw SQL would write it, resting on the household's first decision.
fn raw_entitlement(household: HouseholdId, until: &str) -> String {
    format!(
        "INSERT INTO entitlements (household_id, decision_id, program, monthly_fen, from_month, \
         until_month, review_class, next_review, created_at) SELECT {h}, MIN(id), 'dibao', 100, \
         '2026-04', {until}, 'stable', '2027-03-01', '2026-03-10T08:00:00Z' FROM decisions \
         WHERE household_id = {h}",
        h = household.0
    )
}

on_databases! {
    async fn the_database_refuses_a_second_open_case_of_one_type_even_through_raw_sql(url) {
        let store = doudi_store::connect(&url, test_keys()).await.unwrap();
        let h = filed(&store, "QL-U001", &["张一"]).await;
        store
            .submit_case(&community_worker(QINGLONG_1), h, CaseType::Dibao, date(2026, 3, 2))
            .await
            .unwrap();
        drop(store);
        let mut raw = crate::audit::Raw::connect(&url).await;
        let error = raw.refused(&raw_case(h, "dibao", "accepted")).await;
        assert!(
            error.contains("cases_one_open_per_type")
                || error.contains("cases.household_id, cases.case_type"),
            "{error}"
        );
        // Closed cases of the type and an open case of another type are not held back.
        raw.exec(&raw_case(h, "dibao", "withdrawn")).await;
        raw.exec(&raw_case(h, "dibao", "refused")).await;
        raw.exec(&raw_case(h, "medical", "submitted")).await;
        let open = raw
            .texts(&format!(
                "SELECT case_type FROM cases WHERE household_id = {} \
                 AND state NOT IN ('approved', 'refused', 'withdrawn') ORDER BY case_type",
                h.0
            ))
            .await;
        assert_eq!(open, [Some("dibao".to_string()), Some("medical".to_string())]);
    }

    async fn the_database_refuses_a_second_open_entitlement_period_even_through_raw_sql(url) {
        let store = doudi_store::connect(&url, test_keys()).await.unwrap();
        let h = filed(&store, "QL-U002", &["李一"]).await;
        approved(&store, h, 80_000).await;
        drop(store);
        let mut raw = crate::audit::Raw::connect(&url).await;
        let error = raw.refused(&raw_entitlement(h, "NULL")).await;
        assert!(
            error.contains("entitlements_one_open") || error.contains("entitlements.household_id"),
            "{error}"
        );
        // A closed period beside the open one is accepted.
        raw.exec(&raw_entitlement(h, "'2026-04'")).await;
        let open = raw
            .texts(&format!(
                "SELECT from_month FROM entitlements WHERE household_id = {} \
                 AND until_month IS NULL",
                h.0
            ))
            .await;
        assert_eq!(open, [Some("2026-03".to_string())]);
    }
}
