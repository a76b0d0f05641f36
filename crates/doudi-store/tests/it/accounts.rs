//! Accounts: who manages them, the lockout after failed logins, idle and absolute session
//! expiry, and ending sessions when an account changes.

use chrono::{Duration, Utc};
use doudi_core::access::ACCOUNT_LOCKOUT_THRESHOLD;
use doudi_core::{Department, Role, Scope};
use doudi_store::{AccountChange, AuditFilter, LoginReservation, NewUser, Page, Store, StoreError};

use crate::support::*;

fn account(username: &str, role: Role, scope: Scope) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: "测试账户".into(),
        role,
        scope,
        department: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        must_change_password: false,
    }
}

async fn caseworker_id(store: &dyn Store, username: &str) -> i64 {
    store
        .create_user(
            &command_line(),
            &account(
                username,
                Role::TownshipCaseworker,
                Scope::Division(code(QINGLONG)),
            ),
        )
        .await
        .unwrap()
}

/// The administrator as stored, acting.
async fn administrator(store: &dyn Store) -> doudi_core::Actor {
    let id = store
        .create_user(
            &command_line(),
            &account("admin", Role::Admin, Scope::County),
        )
        .await
        .unwrap();
    store.user_by_id(id).await.unwrap().unwrap().actor()
}

async fn details_for(store: &dyn Store, target: &str) -> Vec<String> {
    let filter = AuditFilter {
        target: Some(target.into()),
        ..Default::default()
    };
    store
        .audit_entries(
            &auditor(),
            &filter,
            Page {
                offset: 0,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|e| format!("{} {} {}", e.actor_name, e.action, e.detail))
        .collect()
}

conformance! {
    async fn fifty_reserved_logins_lock_the_account_with_a_back_off_that_doubles(store) {
        let id = caseworker_id(store.as_ref(), "lock01").await;
        // Whole seconds: PostgreSQL keeps microseconds, so a lock read back would differ.
        let t0 = chrono::SubsecRound::trunc_subsecs(Utc::now(), 0);
        for i in 1..ACCOUNT_LOCKOUT_THRESHOLD {
            assert_eq!(
                store.reserve_login(id, t0).await.unwrap(),
                LoginReservation::Reserved { failures: i, locked_until: None },
                "failure {i} does not lock yet"
            );
        }
        let LoginReservation::Reserved { locked_until: Some(until), .. } = store.reserve_login(id, t0).await.unwrap() else {
            panic!("the fiftieth attempt locks");
        };
        assert_eq!(until - t0, Duration::minutes(1));
        assert_eq!(store.reserve_login(id, t0).await.unwrap(), LoginReservation::Locked(until), "locked: nothing is counted or checked");
        let user = store.user_by_id(id).await.unwrap().unwrap();
        assert_eq!(user.failed_logins, ACCOUNT_LOCKOUT_THRESHOLD);
        assert!(user.locked_at(t0 + Duration::seconds(59)).is_some(), "locked within the minute");
        assert!(user.locked_at(t0 + Duration::minutes(1)).is_none(), "unlocked after it");

        let t1 = t0 + Duration::minutes(2);
        let LoginReservation::Reserved { locked_until: Some(until), .. } = store.reserve_login(id, t1).await.unwrap() else {
            panic!("the next attempt locks again");
        };
        assert_eq!(until - t1, Duration::minutes(2), "the next failure doubles the lock");

        store.login_succeeded(id).await.unwrap();
        let user = store.user_by_id(id).await.unwrap().unwrap();
        assert_eq!((user.failed_logins, user.locked_until), (0, None), "a success starts the count again");
        assert_eq!(store.reserve_login(id, t1).await.unwrap(), LoginReservation::Reserved { failures: 1, locked_until: None });
        assert!(matches!(store.reserve_login(987_654, t1).await, Err(StoreError::NotFound)));
    }

    async fn simultaneous_login_attempts_are_each_counted_and_none_past_the_lock_is_let_through(store) {
        let id = caseworker_id(store.as_ref(), "burst01").await;
        let now = Utc::now();
        let attempts: Vec<_> = (0..ACCOUNT_LOCKOUT_THRESHOLD + 30)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.reserve_login(id, now).await.unwrap() })
            })
            .collect();
        let mut reserved = 0;
        for attempt in attempts {
            if matches!(attempt.await.unwrap(), LoginReservation::Reserved { .. }) {
                reserved += 1;
            }
        }
        assert_eq!(reserved, ACCOUNT_LOCKOUT_THRESHOLD, "exactly the threshold's number of passwords may be checked");
        let user = store.user_by_id(id).await.unwrap().unwrap();
        assert_eq!(user.failed_logins, ACCOUNT_LOCKOUT_THRESHOLD);
    }

    async fn an_idle_session_ends_and_a_used_one_lives_until_its_absolute_expiry(store) {
        let id = caseworker_id(store.as_ref(), "idle01").await;
        let t0 = Utc::now();
        let idle = Duration::minutes(30);
        store.create_session("busy", id, t0, t0 + Duration::hours(8)).await.unwrap();
        store.create_session("idle", id, t0, t0 + Duration::hours(8)).await.unwrap();

        // The busy session is used every 20 minutes for 8 hours; the idle one is left alone.
        let mut t = t0;
        while t + Duration::minutes(20) < t0 + Duration::hours(8) {
            t += Duration::minutes(20);
            assert!(store.session_user("busy", t, idle).await.unwrap().is_some(), "busy at {}", t - t0);
        }
        assert_eq!(store.session_user("idle", t0 + Duration::minutes(31), idle).await.unwrap(), None);
        assert_eq!(
            store.session_user("idle", t0 + Duration::minutes(1), idle).await.unwrap(),
            None,
            "an idle session, once refused, is gone"
        );
        assert_eq!(
            store.session_user("busy", t0 + Duration::hours(8), idle).await.unwrap(),
            None,
            "however busy, a session ends after 8 hours"
        );
    }

    async fn only_administrators_and_the_command_line_manage_accounts(store) {
        let admin = administrator(store.as_ref()).await;
        let id = store
            .create_user(&admin, &account("made01", Role::CommunityWorker, Scope::Division(code(QINGLONG_1))))
            .await
            .unwrap_err();
        assert!(matches!(id, StoreError::Invalid(ref m) if m.contains("区划代码")), "{id:?}: the community is not in the table yet");
        let id = store
            .create_user(&admin, &account("made01", Role::TownshipCaseworker, Scope::Division(code(QINGLONG))))
            .await
            .unwrap();
        for not_admin in [county(), caseworker(QINGLONG), auditor()] {
            let r = store.create_user(&not_admin, &account("made02", Role::Auditor, Scope::County)).await;
            assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
            assert!(matches!(store.users(&not_admin).await, Err(StoreError::Forbidden)));
            let r = store.change_user(&not_admin, id, &AccountChange::Disable).await;
            assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        }
        let names: Vec<String> = store.users(&admin).await.unwrap().into_iter().map(|u| u.username).collect();
        assert_eq!(names, ["admin", "made01"]);

        let changed = store
            .change_user(&admin, id, &AccountChange::Assign {
                role: Role::DepartmentOfficer,
                scope: Scope::County,
                department: Some(Department::Education),
            })
            .await
            .unwrap();
        assert_eq!((changed.role, changed.department), (Role::DepartmentOfficer, Some(Department::Education)));
        assert_eq!(changed.actor().department_view().unwrap().department, Department::Education);

        let audit = details_for(store.as_ref(), &format!("user:{id}")).await;
        assert!(audit.iter().any(|e| e.starts_with("admin create 新建账户：乡镇（街道）经办人员，区划500235002")), "{audit:?}");
        assert!(audit.iter().any(|e| e.starts_with("admin update 修改角色与范围：部门工作人员（教育），全县")), "{audit:?}");
    }

    async fn a_role_without_the_scope_or_department_it_needs_is_refused(store) {
        for (role, scope, department) in [
            (Role::TownshipCaseworker, Scope::County, None),
            (Role::DepartmentOfficer, Scope::County, None),
            (Role::Auditor, Scope::Division(code(QINGLONG)), None),
            (Role::CountyApprover, Scope::County, Some(Department::Health)),
        ] {
            let r = store
                .create_user(&command_line(), &NewUser { department, ..account("bad01", role, scope) })
                .await;
            assert!(matches!(r, Err(StoreError::Invalid(_))), "{role:?}: {r:?}");
        }
        assert!(store.user_by_username("bad01").await.unwrap().is_none());
    }

    async fn disabling_resetting_or_reassigning_an_account_ends_its_sessions(store) {
        let admin = administrator(store.as_ref()).await;
        let id = caseworker_id(store.as_ref(), "reset01").await;
        let now = Utc::now();
        let idle = Duration::minutes(30);
        let later = now + Duration::hours(8);

        store.create_session("s1", id, now, later).await.unwrap();
        store.change_user(&admin, id, &AccountChange::Disable).await.unwrap();
        assert_eq!(store.session_user("s1", now, idle).await.unwrap(), None);
        store.create_session("s2", id, now, later).await.unwrap();
        assert_eq!(store.session_user("s2", now, idle).await.unwrap(), None, "a disabled account has no live session");
        let user = store.change_user(&admin, id, &AccountChange::Enable).await.unwrap();
        assert!(!user.disabled);
        assert!(store.session_user("s2", now, idle).await.unwrap().is_none(), "disabling ended it for good");

        store.create_session("s3", id, now, later).await.unwrap();
        store.reserve_login(id, now).await.unwrap();
        let user = store
            .change_user(&admin, id, &AccountChange::ResetPassword { password_hash: "$argon2id$temp".into() })
            .await
            .unwrap();
        assert!(user.must_change_password);
        assert_eq!((user.password_hash.as_str(), user.failed_logins), ("$argon2id$temp", 0));
        assert_eq!(store.session_user("s3", now, idle).await.unwrap(), None);

        store.create_session("s4", id, now, later).await.unwrap();
        store
            .change_user(&admin, id, &AccountChange::Assign { role: Role::Auditor, scope: Scope::County, department: None })
            .await
            .unwrap();
        assert_eq!(store.session_user("s4", now, idle).await.unwrap(), None);

        let r = store.change_user(&admin, admin.user_id, &AccountChange::Disable).await;
        assert!(matches!(r, Err(StoreError::Invalid(ref m)) if m.contains("自己")), "{r:?}");
        let r = store
            .change_user(&admin, admin.user_id, &AccountChange::Assign { role: Role::Auditor, scope: Scope::County, department: None })
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
        let r = store.change_user(&admin, 987_654, &AccountChange::Enable).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        let audit = details_for(store.as_ref(), &format!("user:{id}")).await;
        assert!(audit.iter().any(|e| e == "admin update 停用账户；结束其1个会话"), "{audit:?}");
        assert!(audit.iter().any(|e| e.starts_with("admin update 重置密码")), "{audit:?}");
    }

    async fn ending_every_other_session_keeps_the_current_one(store) {
        let id = caseworker_id(store.as_ref(), "everywhere01").await;
        let other = caseworker_id(store.as_ref(), "everywhere02").await;
        let now = Utc::now();
        let idle = Duration::minutes(30);
        for (hash, user) in [("mine", id), ("laptop", id), ("phone", id), ("theirs", other)] {
            store.create_session(hash, user, now, now + Duration::hours(8)).await.unwrap();
        }
        assert_eq!(store.end_sessions(id, Some("mine")).await.unwrap(), 2);
        assert!(store.session_user("mine", now, idle).await.unwrap().is_some());
        assert!(store.session_user("laptop", now, idle).await.unwrap().is_none());
        assert!(store.session_user("theirs", now, idle).await.unwrap().is_some(), "another user's session lives on");

        store.create_session("tablet", id, now, now + Duration::hours(8)).await.unwrap();
        store.set_password(id, "$argon2id$new", Some("mine")).await.unwrap();
        assert!(store.session_user("tablet", now, idle).await.unwrap().is_none(), "a new password ends the other sessions");
        assert!(store.session_user("mine", now, idle).await.unwrap().is_some());
        assert_eq!(store.end_sessions(id, None).await.unwrap(), 1);
        assert!(store.session_user("mine", now, idle).await.unwrap().is_none());
    }
}
