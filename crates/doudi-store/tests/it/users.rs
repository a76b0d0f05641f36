//! Accounts and sessions.

use chrono::{Duration, Utc};
use doudi_core::{Role, Scope};
use doudi_store::{NewUser, StoreError};

use crate::support::*;

fn caseworker_account(username: &str) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: "青龙街道经办员".into(),
        role: Role::TownshipCaseworker,
        scope: Scope::Division(code(QINGLONG)),
        department: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        must_change_password: true,
    }
}

conformance! {
    async fn a_user_is_created_and_found_by_login_name_and_id(store) {
        let new = caseworker_account("qinglong01");
        let id = store.create_user(&command_line(), &new).await.unwrap();
        let county_user = NewUser { username: "county".into(), role: Role::CountyApprover, scope: Scope::County, ..new.clone() };
        let county_id = store.create_user(&command_line(), &county_user).await.unwrap();
        assert_ne!(id, county_id);

        let found = store.user_by_username("qinglong01").await.unwrap().unwrap();
        assert_eq!(found.id, id);
        assert_eq!((found.username.as_str(), found.display_name.as_str()), ("qinglong01", "青龙街道经办员"));
        assert_eq!(found.role, Role::TownshipCaseworker);
        assert_eq!(found.scope, Scope::Division(code(QINGLONG)));
        assert_eq!(found.password_hash, new.password_hash);
        assert!(found.must_change_password);
        assert_eq!(store.user_by_id(id).await.unwrap(), Some(found.clone()));
        assert_eq!(found.actor().scope, Scope::Division(code(QINGLONG)));

        assert_eq!(store.user_by_id(county_id).await.unwrap().unwrap().scope, Scope::County);
        assert_eq!(store.user_by_username("nobody").await.unwrap(), None);
        assert_eq!(store.user_by_id(987_654).await.unwrap(), None);
    }

    async fn a_login_name_already_taken_is_a_duplicate(store) {
        store.create_user(&command_line(), &caseworker_account("renhe01")).await.unwrap();
        let r = store.create_user(&command_line(), &caseworker_account("renhe01")).await;
        assert!(matches!(&r, Err(StoreError::Duplicate(m)) if m.contains("renhe01")), "{r:?}");
        let r = store.create_user(&command_line(), &caseworker_account("  ")).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    }

    async fn a_new_password_clears_the_must_change_flag(store) {
        let id = store.create_user(&command_line(), &caseworker_account("pw01")).await.unwrap();
        store.set_password(id, "$argon2id$new", None).await.unwrap();
        let user = store.user_by_id(id).await.unwrap().unwrap();
        assert_eq!(user.password_hash, "$argon2id$new");
        assert!(!user.must_change_password);
        assert!(matches!(store.set_password(987_654, "$argon2id$x", None).await, Err(StoreError::NotFound)));
    }

    async fn a_session_lasts_until_it_expires_or_is_deleted(store) {
        let id = store.create_user(&command_line(), &caseworker_account("session01")).await.unwrap();
        let now = Utc::now();
        store.create_session("hash-a", id, now, now + Duration::hours(8)).await.unwrap();
        store.create_session("hash-b", id, now, now + Duration::hours(8)).await.unwrap();
        let idle = Duration::hours(9);

        let user = store.session_user("hash-a", now, idle).await.unwrap().unwrap();
        assert_eq!(user.id, id);
        assert_eq!(store.session_user("hash-a", now + Duration::hours(7), idle).await.unwrap().map(|u| u.id), Some(id));
        assert_eq!(store.session_user("hash-a", now + Duration::hours(8), idle).await.unwrap(), None, "expired at its expiry time");
        assert_eq!(store.session_user("unknown", now, idle).await.unwrap(), None);

        store.delete_session("hash-a").await.unwrap();
        assert_eq!(store.session_user("hash-a", now, idle).await.unwrap(), None);
        assert!(store.session_user("hash-b", now, idle).await.unwrap().is_some(), "other sessions live on");
        store.delete_session("hash-a").await.unwrap();

        let r = store.create_session("hash-c", 987_654, now, now + Duration::hours(1)).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    }
}
