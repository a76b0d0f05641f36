//! Inspections, disclosure and reports in the store (5.4): plans and their reproducible samples,
//! findings, rectification tasks walking their states by the right roles only, accountability,
//! the public disclosure adding up the month's paid lines with every name and number masked,
//! and reports from the public moving from 待受理 to 办结 with a reply the receipt shows.

use doudi_core::{Role, Scope};
use doudi_store::casework::Settlement;
use doudi_store::inspections::{
    FindingCategory, InspectionKind, Measure, NewAccountability, NewFinding, NewPlan, NewReport,
    NewTask, ReportCategory, ReportFilter, ReportState, ReportStep, Severity, TaskState, TaskStep,
};
use doudi_store::{AuditFilter, NewUser, Page, StoreError};

use crate::casework::{approved, filed, month};
use crate::support::*;

fn plan(kind: InspectionKind, townships: &[&str]) -> NewPlan {
    NewPlan {
        kind,
        title: "2026年第四季度低保专项督查".into(),
        townships: townships.iter().map(|t| code(t)).collect(),
        starts_on: date(2026, 11, 1),
        ends_on: date(2026, 11, 30),
        inspectors: "县纪委监委、县民政局联合督查组".into(),
    }
}

async fn audited(store: &dyn doudi_store::Store, target: &str) -> usize {
    store
        .audit_entries(
            &auditor(),
            &AuditFilter::default(),
            Page {
                offset: 0,
                limit: 500,
            },
        )
        .await
        .unwrap()
        .rows
        .iter()
        .filter(|e| e.target == target)
        .count()
}

conformance! {
    async fn a_spot_check_draws_the_same_sample_from_the_same_seed_and_only_once(store) {
        for i in 0..12 {
            let community = if i % 3 == 0 { RENHE_1 } else { QINGLONG_1 };
            store
                .create_household(&county(), &household(&format!("SP-{i:02}"), community, &["张三丰"]))
                .await
                .unwrap();
        }
        let a = store.create_plan(&auditor(), &plan(InspectionKind::SpotCheck, &[QINGLONG])).await.unwrap();
        let b = store.create_plan(&county(), &plan(InspectionKind::SpotCheck, &[QINGLONG])).await.unwrap();
        let first = store.draw_sample(&auditor(), a, 4, 20_261_128).await.unwrap();
        let second = store.draw_sample(&county(), b, 4, 20_261_128).await.unwrap();
        assert_eq!(first.len(), 4);
        assert_eq!(first, second, "the same seed over the same households draws the same sample");
        assert!(first.iter().all(|s| s.community.starts_with(QINGLONG)), "only the plan's scope");
        let again = store.draw_sample(&auditor(), a, 4, 1).await.unwrap_err();
        assert!(matches!(&again, StoreError::Invalid(m) if m.contains("已抽取")), "{again}");
        let detail = store.plan(&auditor(), a).await.unwrap();
        assert_eq!((detail.plan.sample_seed, detail.sample), (Some(20_261_128), first));

        let other = store.create_plan(&auditor(), &plan(InspectionKind::Patrol, &[])).await.unwrap();
        let patrol = store.draw_sample(&auditor(), other, 4, 1).await.unwrap_err();
        assert!(matches!(&patrol, StoreError::Invalid(m) if m.contains("随机抽查")), "{patrol}");
        assert!(matches!(
            store.create_plan(&caseworker(QINGLONG), &plan(InspectionKind::Patrol, &[])).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(store.plans(&caseworker(QINGLONG)).await, Err(StoreError::Forbidden)));
        assert_eq!(store.plans(&county()).await.unwrap().len(), 3);
        let mut bad = plan(InspectionKind::Patrol, &[]);
        bad.ends_on = date(2026, 10, 1);
        let bad = store.create_plan(&auditor(), &bad).await.unwrap_err();
        assert!(matches!(&bad, StoreError::Invalid(m) if m.contains("结束日期")), "{bad}");
    }

    async fn a_rectification_is_answered_by_its_township_and_closed_by_the_inspector(store) {
        let h = store
            .create_household(&county(), &household("RC-1", QINGLONG_1, &["李四"]))
            .await
            .unwrap();
        store
            .create_user(&command_line(), &NewUser {
                username: "ql_jbr".into(),
                display_name: "青龙经办".into(),
                role: Role::TownshipCaseworker,
                scope: Scope::Division(code(QINGLONG)),
                department: None,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                must_change_password: false,
            })
            .await
            .unwrap();
        let p = store.create_plan(&auditor(), &plan(InspectionKind::Concentrated, &[])).await.unwrap();
        let finding = NewFinding {
            household: Some(h),
            account: Some("ql_jbr".into()),
            category: FindingCategory::Targeting,
            severity: Severity::Serious,
            text: "家庭有登记车辆未申报，仍享受低保".into(),
        };
        let f = store.record_finding(&auditor(), p, &finding).await.unwrap();
        let unknown = store
            .record_finding(&auditor(), p, &NewFinding { account: Some("nobody".into()), ..finding.clone() })
            .await
            .unwrap_err();
        assert!(matches!(&unknown, StoreError::Invalid(m) if m.contains("账号不存在")), "{unknown}");
        assert!(matches!(
            store.record_finding(&caseworker(QINGLONG), p, &finding).await,
            Err(StoreError::Forbidden)
        ));
        let t = store
            .assign_task(&county(), f, &NewTask {
                township: code(QINGLONG),
                unit: "青龙街道民政办".into(),
                deadline: date(2026, 12, 15),
            })
            .await
            .unwrap();

        // Out of turn, or by the wrong role: refused in Chinese, nothing changed.
        let early = store.task_step(&auditor(), t, &TaskStep::Verify("核验".into())).await.unwrap_err();
        assert!(matches!(&early, StoreError::Invalid(m) if m.contains("整改中")), "{early}");
        let wrong = store.task_step(&auditor(), t, &TaskStep::Submit("已整改".into())).await.unwrap_err();
        assert!(matches!(&wrong, StoreError::Invalid(m) if m.contains("乡镇（街道）经办人员")), "{wrong}");
        assert!(matches!(
            store.task_step(&caseworker(RENHE), t, &TaskStep::Submit("已整改".into())).await,
            Err(StoreError::NotFound)
        ), "another township does not see the task");
        assert!(store.tasks(&caseworker(RENHE)).await.unwrap().is_empty());

        let qinglong = caseworker(QINGLONG);
        let submitted = store.task_step(&qinglong, t, &TaskStep::Submit("已停发并追回".into())).await.unwrap();
        assert_eq!((submitted.state, submitted.note.as_deref()), (TaskState::Submitted, Some("已停发并追回")));
        let by_township = store.task_step(&qinglong, t, &TaskStep::Verify("自己销号".into())).await.unwrap_err();
        assert!(matches!(&by_township, StoreError::Invalid(m) if m.contains("督查人员")), "{by_township}");
        let back = store.task_step(&auditor(), t, &TaskStep::SendBack("缺少追回凭证".into())).await.unwrap();
        assert_eq!((back.state, back.reply.as_deref()), (TaskState::Open, Some("缺少追回凭证")));
        store.task_step(&qinglong, t, &TaskStep::Submit("补充追回凭证".into())).await.unwrap();
        let closed = store.task_step(&auditor(), t, &TaskStep::Verify("核验属实，予以销号".into())).await.unwrap();
        assert_eq!(closed.state, TaskState::Closed);
        assert!(!closed.overdue(date(2027, 1, 1)), "a closed task is never overdue");
        assert_eq!(store.tasks(&qinglong).await.unwrap().len(), 1);

        let c = store
            .record_accountability(&county(), f, &NewAccountability {
                person: "青龙街道经办人员".into(),
                account: Some("ql_jbr".into()),
                measure: Measure::Talk,
                decided_on: date(2026, 11, 20),
                note: "审核不严".into(),
            })
            .await
            .unwrap();
        let detail = store.plan(&auditor(), p).await.unwrap();
        assert_eq!(detail.findings.len(), 1);
        assert_eq!(detail.findings[0].account.as_ref().map(|a| a.0.as_str()), Some("ql_jbr"));
        assert_eq!(detail.findings[0].household_number.as_deref(), Some("RC-1"));
        assert_eq!(detail.tasks[0].state, TaskState::Closed);
        assert_eq!((detail.accountability[0].id, detail.accountability[0].measure), (c, Measure::Talk));
        assert_eq!(audited(&*store, &format!("rectification:{t}")).await, 5, "the task and its four steps");
        assert_eq!(audited(&*store, &format!("accountability:{c}")).await, 1);
    }

    async fn the_disclosure_adds_up_the_paid_lines_of_the_township_and_masks_every_name(store) {
        let a = filed(&store, "DS-1", &["张三丰", "张小明"]).await;
        let b = filed(&store, "DS-2", &["李四光"]).await;
        approved(&store, a, 62_000).await;
        approved(&store, b, 30_050).await;
        store.run_payments(&county(), month("2026-04"), date(2027, 12, 31)).await.unwrap();
        assert!(store.disclosed_months().await.unwrap().is_empty(), "nothing paid yet");
        let lines = store.payments(&county(), month("2026-04")).await.unwrap();
        let (paid, failed) = if lines[0].payee == "张三丰" { (&lines[0], &lines[1]) } else { (&lines[1], &lines[0]) };
        store
            .settle_payments(&county(), month("2026-04"), &[
                Settlement { payment: paid.id, failure: None },
                Settlement { payment: failed.id, failure: Some("账户已销户".into()) },
            ])
            .await
            .unwrap();
        assert_eq!(store.disclosed_months().await.unwrap(), vec![month("2026-04")]);

        let d = store.disclosure(&code(QINGLONG), month("2026-04")).await.unwrap();
        assert_eq!((d.dibao_households, d.dibao_people, d.dibao_fen), (1, 2, paid.amount_fen));
        assert_eq!((d.tekun_households, d.tekun_fen), (0, 0));
        assert_eq!(d.rows.len(), 1);
        assert_eq!(d.rows.iter().map(|r| r.amount_fen).sum::<i64>(), d.dibao_fen + d.tekun_fen);
        let row = &d.rows[0];
        assert_eq!((row.head_masked.as_str(), row.people, row.community.as_str()), ("张*丰", 2, QINGLONG_1));
        let full = store.household(&county(), a).await.unwrap();
        let id = full.members[0].fields.id_number.as_str().to_owned();
        assert!(row.id_masked.contains('*') && row.id_masked != id, "the identity number is masked");
        assert!(!format!("{d:?}").contains("张三丰") && !format!("{d:?}").contains(&id));

        let renhe = store.disclosure(&code(RENHE), month("2026-04")).await.unwrap();
        assert_eq!((renhe.dibao_households, renhe.rows.len()), (0, 0), "another township's lines are not counted");
    }

    async fn a_report_from_the_public_moves_to_a_closing_reply_that_its_receipt_shows(store) {
        let report = NewReport {
            township: code(QINGLONG),
            community: Some(code(QINGLONG_1)),
            household_ref: "张*丰".into(),
            category: ReportCategory::Ineligible,
            text: "该户家中有两套住房，家人有稳定工作，不应享受低保。".into(),
            contact: "13800000000".into(),
            filed_on: date(2026, 11, 28),
        };
        let receipt = store.file_report(&report, "198.51.100.4").await.unwrap();
        assert!(receipt.starts_with("JB") && receipt.len() == 12, "{receipt}");
        let view = store.receipt(&receipt).await.unwrap();
        assert_eq!((view.state, view.reply), (ReportState::Received, None));
        assert!(matches!(store.receipt("JB0000000000").await, Err(StoreError::NotFound)));
        assert!(matches!(store.receipt("'; DROP").await, Err(StoreError::NotFound)));
        let short = store
            .file_report(&NewReport { text: "太短".into(), ..report.clone() }, "198.51.100.4")
            .await
            .unwrap_err();
        assert!(matches!(&short, StoreError::Invalid(m) if m.contains("举报内容")), "{short}");

        let list = store.reports(&auditor(), &ReportFilter::default()).await.unwrap();
        assert_eq!(list.len(), 1);
        let id = list[0].id;
        assert_eq!(store.reports(&caseworker(QINGLONG), &ReportFilter::default()).await.unwrap().len(), 1);
        assert!(store.reports(&caseworker(RENHE), &ReportFilter::default()).await.unwrap().is_empty());
        assert!(matches!(store.report(&caseworker(RENHE), id).await, Err(StoreError::NotFound)));
        assert!(matches!(
            store.report_step(&caseworker(QINGLONG), id, &ReportStep::Accept("受理".into())).await,
            Err(StoreError::Forbidden)
        ), "a township reads its reports but does not handle them");

        let early = store
            .report_step(&auditor(), id, &ReportStep::Close { founded: true, reply: "属实".into() })
            .await
            .unwrap_err();
        assert!(matches!(&early, StoreError::Invalid(m) if m.contains("待受理")), "{early}");
        store.report_step(&auditor(), id, &ReportStep::Accept("转青龙街道核查".into())).await.unwrap();
        assert_eq!(store.receipt(&receipt).await.unwrap().state, ReportState::Investigating);
        store.report_step(&county(), id, &ReportStep::Note("入户核实：有住房两套".into())).await.unwrap();
        let closed = store
            .report_step(&auditor(), id, &ReportStep::Close { founded: true, reply: "经核实属实，已停发低保。".into() })
            .await
            .unwrap();
        assert_eq!(closed.state, ReportState::Founded);
        let view = store.receipt(&receipt.to_lowercase()).await.unwrap();
        assert_eq!((view.state, view.reply.as_deref()), (ReportState::Founded, Some("经核实属实，已停发低保。")));
        let (r, notes) = store.report(&auditor(), id).await.unwrap();
        assert_eq!(r.contact, "13800000000");
        assert_eq!(notes.iter().map(|n| n.state).collect::<Vec<_>>(), [
            ReportState::Investigating,
            ReportState::Investigating,
            ReportState::Founded,
        ]);
        let after = store.report_step(&auditor(), id, &ReportStep::Note("再记".into())).await.unwrap_err();
        assert!(matches!(&after, StoreError::Invalid(m) if m.contains("已办结")), "{after}");
        let filter = ReportFilter { state: Some(ReportState::Received), township: None };
        assert!(store.reports(&auditor(), &filter).await.unwrap().is_empty());
        assert_eq!(audited(&*store, &format!("report:{id}")).await, 1 + 3 + 1, "filed, three steps, one read");
    }
}
