//! Department data in the store (5.3): an import is kept once per content, with its records and
//! alerts in one transaction; alerts are read and worked in the household's scope only.

use std::sync::Arc;

use doudi_core::discovery::{AlertLevel, AlertRule, AlertState, FeedKind};
use doudi_core::{Department, HouseholdId, Role};
use doudi_store::discovery::{AlertFilter, NewAlert, NewFeedImport, NewFeedRecord, ScanAlert};
use doudi_store::{Store, StoreError};

use crate::support::*;

async fn filed(store: &Arc<dyn Store>, number: &str, community: &str) -> HouseholdId {
    store
        .create_household(&county(), &household(number, community, &["张三"]))
        .await
        .unwrap()
}

fn record(person: Option<(doudi_core::PersonId, HouseholdId)>, alert: bool) -> NewFeedRecord {
    NewFeedRecord {
        record_id: "R1".into(),
        person,
        permille: if person.is_some() { 999 } else { 0 },
        evidence: "身份证号码一致；姓名一致".into(),
        shown: "张* 5002**********0013".into(),
        date: Some(date(2026, 10, 5)),
        amount_fen: Some(120_000),
        detail: "云阳县人民医院".into(),
        alert: alert.then(|| NewAlert {
            rule: AlertRule::Medical,
            level: AlertLevel::Amber,
            reason: "住院自付1,200.00元［依据 2.4］".into(),
        }),
        identity: "500235195612150133|张三|".into(),
    }
}

conformance! {
    async fn an_import_is_kept_once_with_its_records_and_alerts_for_the_households_township(store) {
        let h = filed(&store, "FD-1", QINGLONG_1).await;
        let person = store.household(&county(), h).await.unwrap().members[0].id;
        let import = NewFeedImport {
            kind: FeedKind::Hospital,
            source: "医保11月住院结算.xlsx".into(),
            digest: "abc".into(),
            records: vec![record(Some((person, h)), true), record(None, false)],
        };
        let kept = store.record_feed(&county(), &import).await.unwrap();
        assert_eq!((kept.records, kept.linked, kept.unmatched, kept.alerts), (2, 1, 1, 1));
        let again = store.record_feed(&county(), &import).await.unwrap_err();
        assert!(matches!(again, StoreError::Duplicate(_)), "{again}");
        assert_eq!(store.feed_imported(FeedKind::Hospital, "abc").await.unwrap().unwrap().id, kept.id);
        assert_eq!(store.feed_imports(&county()).await.unwrap().len(), 1);

        let qinglong = caseworker(QINGLONG);
        let open = AlertFilter { open_only: true, household: None };
        let alerts = store.alerts(&qinglong, &open).await.unwrap();
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!((a.rule, a.level, a.state, a.household), (AlertRule::Medical, AlertLevel::Amber, AlertState::New, h));
        assert_eq!(a.record.as_ref().unwrap().permille, 999);
        assert!(store.alerts(&caseworker(RENHE), &open).await.unwrap().is_empty(), "another township sees none");
        assert!(matches!(store.update_alert(&caseworker(RENHE), a.id, AlertState::InProgress, "").await, Err(StoreError::NotFound)));
        assert!(store.update_alert(&qinglong, a.id, AlertState::Done, " ").await.is_err(), "done says what was done");
        store.update_alert(&qinglong, a.id, AlertState::InProgress, "").await.unwrap();
        let done = store.update_alert(&qinglong, a.id, AlertState::Done, "已受理医疗救助申请").await.unwrap();
        assert_eq!(done.state, AlertState::Done);
        assert!(store.update_alert(&qinglong, a.id, AlertState::Dismissed, "x").await.is_err(), "closed stays closed");
        assert!(store.alerts(&qinglong, &open).await.unwrap().is_empty());
        let all = AlertFilter { open_only: false, household: Some(h) };
        assert_eq!(store.alerts(&qinglong, &all).await.unwrap()[0].outcome.as_deref(), Some("已受理医疗救助申请"));
    }

    async fn a_caseworkers_answer_about_a_possible_match_is_remembered_for_the_record(store) {
        let h = filed(&store, "FD-3", QINGLONG_1).await;
        let person = store.household(&county(), h).await.unwrap().members[0].id;
        let mut possible = record(Some((person, h)), true);
        possible.alert = Some(NewAlert { rule: AlertRule::Match, level: AlertLevel::Red, reason: "疑似本户成员".into() });
        let import = |digest: &str, r: NewFeedRecord| NewFeedImport { kind: FeedKind::Death, source: "x".into(), digest: digest.into(), records: vec![r] };
        store.record_feed(&county(), &import("d1", possible.clone())).await.unwrap();
        let identity = possible.identity.clone();
        assert_eq!(store.link_decisions(std::slice::from_ref(&identity)).await.unwrap(), vec![vec![]]);
        let open = AlertFilter { open_only: true, household: None };
        let a = store.alerts(&caseworker(QINGLONG), &open).await.unwrap().remove(0);
        store.update_alert(&caseworker(QINGLONG), a.id, AlertState::Dismissed, "入户核实不是本人").await.unwrap();
        let said = store.link_decisions(&[identity.clone(), "其他|记录|".into(), identity.clone()]).await.unwrap();
        assert_eq!(said, vec![vec![(person, false)], vec![], vec![(person, false)]]);
        // Said otherwise later, the later answer stands.
        store.record_feed(&county(), &import("d2", possible)).await.unwrap();
        let a = store.alerts(&caseworker(QINGLONG), &open).await.unwrap().remove(0);
        store.update_alert(&caseworker(QINGLONG), a.id, AlertState::Done, "复核确认为本人").await.unwrap();
        assert_eq!(store.link_decisions(&[identity]).await.unwrap(), vec![vec![(person, true)]]);
    }

    async fn a_scan_alert_is_raised_once_however_often_the_registry_is_scanned(store) {
        let h = filed(&store, "FD-2", RENHE_1).await;
        let alert = ScanAlert {
            household: h,
            person: None,
            alert: NewAlert { rule: AlertRule::ZeroEmployment, level: AlertLevel::Amber, reason: "零就业家庭［依据 2.7］".into() },
            dedupe: format!("zero:{}:2026", h.0),
        };
        assert!(matches!(store.raise_alerts(&caseworker(RENHE), std::slice::from_ref(&alert)).await, Err(StoreError::Forbidden)));
        assert_eq!(store.raise_alerts(&county(), std::slice::from_ref(&alert)).await.unwrap(), 1);
        assert_eq!(store.raise_alerts(&county(), &[alert.clone(), alert]).await.unwrap(), 0);
        let open = AlertFilter { open_only: true, household: None };
        let alerts = store.alerts(&caseworker(RENHE), &open).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert!(alerts[0].record.is_none(), "a scan alert has no department record");
    }

    async fn only_the_county_and_the_kinds_own_department_send_data(store) {
        let mut officer = county();
        officer.role = Role::DepartmentOfficer;
        officer.department = Some(Department::Education);
        let import = |kind| NewFeedImport { kind, source: "x".into(), digest: format!("{kind:?}"), records: Vec::new() };
        assert!(matches!(store.record_feed(&officer, &import(FeedKind::Death)).await, Err(StoreError::Forbidden)));
        store.record_feed(&officer, &import(FeedKind::School)).await.unwrap();
        assert!(matches!(store.record_feed(&caseworker(QINGLONG), &import(FeedKind::School)).await, Err(StoreError::Forbidden)));
        assert!(matches!(store.put_feed_mapping(&officer, FeedKind::Hospital, "name=姓名").await, Err(StoreError::Forbidden)));
        store.put_feed_mapping(&officer, FeedKind::School, "name=学生姓名").await.unwrap();
        store.put_feed_mapping(&officer, FeedKind::School, "name=姓名").await.unwrap();
        assert_eq!(store.feed_mapping(FeedKind::School).await.unwrap().as_deref(), Some("name=姓名"));
    }
}
