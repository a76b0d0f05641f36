//! Visits, campaigns and coverage in the store (3.3, 4.3 "帮困不漏户、户户见干部"): a visit is
//! recorded once per draft id, by the roles that may and in their scope (a paired cadre: their
//! households only), with its attachments served only to those who may read the household; the
//! coverage read returns every current household of the scope with its cadres and last visit.

use std::sync::Arc;

use doudi_core::visits::VisitKind;
use doudi_core::{Department, HouseholdId, Need, Role, Scope};
use doudi_store::visits::{CoverageCounts, NewAttachment, NewCampaign, NewVisit, VisitFilter};
use doudi_store::{NewUser, Store, StoreError};

use crate::support::*;

async fn cadre(store: &Arc<dyn Store>, username: &str) -> doudi_core::Actor {
    let id = store
        .create_user(
            &command_line(),
            &NewUser {
                username: username.into(),
                display_name: format!("干部{username}"),
                role: Role::PairedCadre,
                scope: Scope::County,
                department: None,
                password_hash: "$argon2id$x".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    store.user_by_id(id).await.unwrap().unwrap().actor()
}

fn visit(household: HouseholdId, draft: &str) -> NewVisit {
    NewVisit {
        household,
        visited_on: date(2026, 11, 30),
        kind: VisitKind::Routine,
        found: "老人身体尚可，屋顶漏雨".into(),
        needs: vec![Need::Housing, Need::Care],
        draft_id: draft.into(),
        attachments: vec![],
    }
}

conformance! {
    async fn a_visit_is_kept_once_per_draft_with_its_needs_and_attachments(store) {
        let h = store.create_household(&county(), &household("VS-1", QINGLONG_1, &["张三"])).await.unwrap();
        let worker = community_worker(QINGLONG_1);
        let mut v = visit(h, "draft-0001");
        v.attachments.push(NewAttachment {
            file_name: "屋顶.pdf".into(),
            media_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 roof".to_vec(),
        });
        let kept = store.record_visit(&worker, &v).await.unwrap();
        assert_eq!((kept.household_number.as_str(), kept.kind, kept.needs.clone()), ("VS-1", VisitKind::Routine, vec![Need::Housing, Need::Care]));
        assert_eq!(kept.attachments.len(), 1);
        assert_eq!(kept.attachments[0].size, 13);

        let again = store.record_visit(&worker, &v).await.unwrap();
        assert_eq!(again.id, kept.id, "a resend is the same visit");
        let listed = store.visits(&county(), &VisitFilter { household: Some(h), ..VisitFilter::default() }).await.unwrap();
        assert_eq!(listed.len(), 1, "written once");

        let (name, media, bytes) = store.visit_attachment(&caseworker(QINGLONG), kept.attachments[0].id).await.unwrap();
        assert_eq!((name.as_str(), media.as_str(), bytes.as_slice()), ("屋顶.pdf", "application/pdf", b"%PDF-1.4 roof".as_slice()));
        let r = store.visit_attachment(&caseworker(RENHE), kept.attachments[0].id).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "another township: {r:?}");

        // The same draft id for another household is refused, not merged.
        let other = store.create_household(&county(), &household("VS-2", QINGLONG_1, &["李四"])).await.unwrap();
        let r = store.record_visit(&worker, &visit(other, "draft-0001")).await;
        assert!(matches!(r, Err(StoreError::Duplicate(_))), "{r:?}");
    }

    async fn a_paired_cadre_records_and_reads_visits_of_their_households_only(store) {
        let mine = store.create_household(&county(), &household("VC-1", QINGLONG_1, &["张三"])).await.unwrap();
        let other = store.create_household(&county(), &household("VC-2", QINGLONG_1, &["李四"])).await.unwrap();
        let cadre = cadre(&store, "vcadre1").await;
        store.pair(&county(), mine, cadre.user_id).await.unwrap();
        store.record_visit(&cadre, &visit(mine, "draft-mine")).await.unwrap();
        let r = store.record_visit(&cadre, &visit(other, "draft-other")).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        store.record_visit(&county(), &visit(other, "draft-county")).await.unwrap();
        let seen = store.visits(&cadre, &VisitFilter::default()).await.unwrap();
        assert_eq!(seen.iter().map(|v| v.household).collect::<Vec<_>>(), [mine]);
        assert_eq!(seen[0].visited_by, "干部vcadre1");

        for not_allowed in [department_officer(Department::Health), social_organisation(), auditor()] {
            let r = store.record_visit(&not_allowed, &visit(mine, "draft-no")).await;
            assert!(matches!(r, Err(StoreError::Forbidden)), "{:?}: {r:?}", not_allowed.role);
        }
        assert!(matches!(store.visits(&department_officer(Department::Health), &VisitFilter::default()).await, Err(StoreError::Forbidden)));
        assert_eq!(store.visits(&auditor(), &VisitFilter::default()).await.unwrap().len(), 2);
        assert_eq!(store.visits(&caseworker(RENHE), &VisitFilter::default()).await.unwrap().len(), 0);
    }

    async fn coverage_returns_every_current_household_with_its_cadres_and_last_visit(store) {
        let paired = store.create_household(&county(), &household("CV-1", QINGLONG_1, &["张三"])).await.unwrap();
        let visited = store.create_household(&county(), &household("CV-2", QINGLONG_2, &["李四"])).await.unwrap();
        let neither = store.create_household(&county(), &household("CV-3", RENHE_1, &["王五"])).await.unwrap();
        let mut gone = household("CV-4", RENHE_1, &["赵六"]);
        gone.fields.exited_on = Some(date(2026, 6, 1));
        store.create_household(&county(), &gone).await.unwrap();
        let cadre = cadre(&store, "vcadre2").await;
        store.pair(&county(), paired, cadre.user_id).await.unwrap();
        let mut old = visit(paired, "draft-old");
        old.visited_on = date(2026, 1, 5);
        store.record_visit(&county(), &old).await.unwrap();
        store.record_visit(&county(), &visit(visited, "draft-new")).await.unwrap();

        let all = store.coverage(&county(), date(2026, 12, 4), date(2026, 9, 5), None).await.unwrap();
        let view: Vec<_> = all.iter().map(|c| (c.number.as_str(), c.cadres.len(), c.last_visit)).collect();
        assert_eq!(view, [("CV-1", 1, None), ("CV-2", 0, Some(date(2026, 11, 30))), ("CV-3", 0, None)], "the exited household is not current");
        assert_eq!(all[2].household, neither);

        let holiday = store.coverage(&county(), date(2026, 12, 4), date(2026, 9, 5), Some(VisitKind::Holiday)).await.unwrap();
        assert!(holiday.iter().all(|c| c.last_visit.is_none()));
        let qinglong = store.coverage(&caseworker(QINGLONG), date(2026, 12, 4), date(2025, 12, 4), None).await.unwrap();
        assert_eq!(qinglong.iter().map(|c| (c.number.as_str(), c.last_visit)).collect::<Vec<_>>(), [("CV-1", Some(date(2026, 1, 5))), ("CV-2", Some(date(2026, 11, 30)))]);
        let mine = store.coverage(&cadre, date(2026, 12, 4), date(2025, 12, 4), None).await.unwrap();
        assert_eq!(mine.len(), 1);
    }

    async fn coverage_counts_agree_with_the_coverage_lists_in_every_scope(store) {
        let paired = store.create_household(&county(), &household("CC-1", QINGLONG_1, &["张三"])).await.unwrap();
        let visited = store.create_household(&county(), &household("CC-2", QINGLONG_2, &["李四"])).await.unwrap();
        store.create_household(&county(), &household("CC-3", RENHE_1, &["王五"])).await.unwrap();
        let mut gone = household("CC-4", QINGLONG_1, &["赵六"]);
        gone.fields.exited_on = Some(date(2026, 6, 1));
        store.create_household(&county(), &gone).await.unwrap();
        let cadre = cadre(&store, "vcadre3").await;
        store.pair(&county(), paired, cadre.user_id).await.unwrap();
        let mut old = visit(paired, "draft-cc-old");
        old.visited_on = date(2026, 1, 5);
        store.record_visit(&county(), &old).await.unwrap();
        store.record_visit(&county(), &visit(visited, "draft-cc-new")).await.unwrap();

        let (today, since) = (date(2026, 12, 4), date(2026, 9, 5));
        for actor in [county(), caseworker(QINGLONG), caseworker(RENHE), community_worker(QINGLONG_1), cadre.clone(), auditor()] {
            let list = store.coverage(&actor, today, since, None).await.unwrap();
            let counts = store.coverage_counts(&actor, today, since).await.unwrap();
            let expected = CoverageCounts {
                households: list.len() as u64,
                unpaired: list.iter().filter(|c| c.cadres.is_empty()).count() as u64,
                unvisited: list.iter().filter(|c| c.last_visit.is_none()).count() as u64,
            };
            assert_eq!(counts, expected, "{:?} {:?}", actor.role, actor.scope);
        }
        assert_eq!(store.coverage_counts(&county(), today, since).await.unwrap(), CoverageCounts { households: 3, unpaired: 2, unvisited: 2 });
        assert_eq!(store.coverage_counts(&caseworker(QINGLONG), today, date(2025, 12, 4)).await.unwrap(), CoverageCounts { households: 2, unpaired: 1, unvisited: 0 });
        let r = store.coverage_counts(&department_officer(Department::Health), today, since).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
    }

    async fn campaigns_are_created_by_the_county_approver_only(store) {
        let c = NewCampaign { name: "2027年春节走访".into(), kind: VisitKind::Holiday, from: date(2027, 1, 20), to: date(2027, 2, 20) };
        let r = store.create_campaign(&caseworker(QINGLONG), &c).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        let kept = store.create_campaign(&county(), &c).await.unwrap();
        assert_eq!((kept.name.as_str(), kept.kind, kept.from, kept.to), ("2027年春节走访", VisitKind::Holiday, date(2027, 1, 20), date(2027, 2, 20)));
        assert_eq!(store.campaigns(&caseworker(QINGLONG)).await.unwrap(), vec![kept.clone()]);
        assert_eq!(store.campaign(&community_worker(QINGLONG_1), kept.id).await.unwrap(), kept);
        let bad = NewCampaign { to: date(2027, 1, 1), ..c };
        assert!(matches!(store.create_campaign(&county(), &bad).await, Err(StoreError::Invalid(_))));
    }
}
