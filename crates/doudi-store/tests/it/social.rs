//! The social-forces platform in the store (3.1, 3.2): participants verified by the county,
//! offers only of verified participants and only their own, needs published de-identified, and
//! an offer matched, delivered and acknowledged with the money accounted.

use doudi_core::social::{MatchState, OfferKind, ParticipantKind, SizeBracket, Urgency};
use doudi_core::{Actor, Category, Money, Need};
use doudi_store::StoreError;
use doudi_store::social::{NewMatch, NewOffer, NewParticipant};

use crate::support::*;

fn participant(name: &str) -> NewParticipant {
    NewParticipant {
        kind: Some(ParticipantKind::Enterprise),
        name: name.into(),
        contact: "王经理 13800000000".into(),
        credit_code: Some("91500235MA5U000000".into()),
    }
}

fn money(amount_yuan: i64, capacity: u32, township: Option<&str>) -> NewOffer {
    NewOffer {
        kind: OfferKind::Money,
        description: "助困金".into(),
        township: township.map(Into::into),
        capacity,
        amount: Money::from_yuan(amount_yuan),
        valid_until: date(2099, 12, 31),
    }
}

fn other_organisation() -> Actor {
    Actor {
        user_id: 8,
        ..social_organisation()
    }
}

conformance! {
    async fn an_unverified_participant_cannot_post_and_each_sees_only_its_own_offers(store) {
        let org = social_organisation();
        let p = store.register_participant(&org, &participant("云阳爱心企业")).await.unwrap();
        assert!(!p.verified);
        let again = store.register_participant(&org, &participant("重复")).await.unwrap_err();
        assert!(matches!(again, StoreError::Duplicate(_)), "{again}");
        let refused = store.add_offer(&org, &money(1_000, 2, None)).await.unwrap_err();
        assert!(matches!(refused, StoreError::Invalid(_)), "{refused}");
        let by_org = store.verify_participant(&org, p.id, true).await.unwrap_err();
        assert!(matches!(by_org, StoreError::Forbidden), "{by_org}");
        store.verify_participant(&county(), p.id, true).await.unwrap();
        let mine = store.add_offer(&org, &money(1_000, 2, None)).await.unwrap();

        let other = other_organisation();
        let q = store.register_participant(&other, &participant("另一家企业")).await.unwrap();
        store.verify_participant(&county(), q.id, true).await.unwrap();
        let theirs = store.add_offer(&other, &money(500, 1, None)).await.unwrap();
        let seen: Vec<i64> = store.offers(&org).await.unwrap().iter().map(|o| o.id).collect();
        assert_eq!(seen, [mine.id]);
        let edit = store.update_offer(&org, theirs.id, &money(1, 1, None)).await.unwrap_err();
        assert!(matches!(edit, StoreError::NotFound), "{edit}");
        let edited = store.update_offer(&org, mine.id, &money(2_000, 2, None)).await.unwrap();
        assert_eq!(edited.fields.amount, Money::from_yuan(2_000));
        assert_eq!(store.participants(&org).await.unwrap().len(), 1);
        assert_eq!(store.participants(&county()).await.unwrap().len(), 2);
    }

    async fn needs_are_published_without_the_household_and_matched_delivered_and_acknowledged(store) {
        let mut tekun = household("SF-1", QINGLONG_1, &["张三", "李四"]);
        tekun.fields.category = Category::Tekun;
        tekun.fields.needs = vec![Need::Living, Need::Care];
        store.create_household(&county(), &tekun).await.unwrap();
        store.create_household(&county(), &household("SF-2", RENHE_1, &["王五"])).await.unwrap();

        let qinglong = caseworker(QINGLONG);
        assert_eq!(store.publish_needs(&qinglong).await.unwrap(), 2, "only in scope");
        assert_eq!(store.publish_needs(&county()).await.unwrap(), 1);
        assert_eq!(store.publish_needs(&county()).await.unwrap(), 0, "published once");
        let org = social_organisation();
        let needs = store.open_needs(&org).await.unwrap();
        assert_eq!(needs.len(), 3);
        let living = needs
            .iter()
            .find(|n| n.township == QINGLONG && n.kind == Need::Living)
            .unwrap()
            .clone();
        assert_eq!((living.urgency, living.size), (Urgency::Urgent, SizeBracket::Two));
        assert!(living.token.starts_with("XQ") && living.token.len() == 14);
        assert!(!living.token.contains("SF-1"));

        let p = store.register_participant(&org, &participant("云阳爱心企业")).await.unwrap();
        store.verify_participant(&county(), p.id, true).await.unwrap();
        let offer = store.add_offer(&org, &money(1_000, 2, Some(QINGLONG))).await.unwrap();
        let m = NewMatch { need: living.token.clone(), offer: offer.id, reasons: "同一乡镇".into() };
        let by_org = store.confirm_match(&org, &m).await.unwrap_err();
        assert!(matches!(by_org, StoreError::Forbidden), "{by_org}");
        let renhe = store.confirm_match(&caseworker(RENHE), &m).await.unwrap_err();
        assert!(matches!(renhe, StoreError::NotFound), "{renhe}");
        let confirmed = store.confirm_match(&qinglong, &m).await.unwrap();
        assert_eq!((confirmed.state, confirmed.amount), (MatchState::Confirmed, Money::from_yuan(500)));
        assert_eq!(store.open_needs(&org).await.unwrap().len(), 2, "a matched need is no longer open");
        let twice = store.confirm_match(&qinglong, &m).await.unwrap_err();
        assert!(matches!(twice, StoreError::Invalid(_)), "{twice}");

        let early = store.acknowledge_match(&qinglong, confirmed.id).await.unwrap_err();
        assert!(matches!(early, StoreError::Invalid(_)), "{early}");
        let stranger = store.deliver_match(&other_organisation(), confirmed.id, "送达").await.unwrap_err();
        assert!(stranger.to_string().contains("登记"), "{stranger}");
        let delivered = store.deliver_match(&org, confirmed.id, "已转账").await.unwrap();
        assert_eq!(delivered.state, MatchState::Delivered);
        let acknowledged = store.acknowledge_match(&qinglong, confirmed.id).await.unwrap();
        assert_eq!(acknowledged.state, MatchState::Acknowledged);
        let account = store.own_participant(&org).await.unwrap().unwrap();
        assert_eq!(
            (account.pledged, account.delivered, account.acknowledged),
            (Money::from_yuan(1_000), Money::from_yuan(500), Money::from_yuan(500))
        );
        assert_eq!(store.matches(&org).await.unwrap().len(), 1);
        assert_eq!(store.matches(&caseworker(RENHE)).await.unwrap().len(), 0);
    }
}

async fn paired_cadre(store: &std::sync::Arc<dyn doudi_store::Store>, username: &str) -> Actor {
    let id = store
        .create_user(
            &command_line(),
            &doudi_store::NewUser {
                username: username.into(),
                display_name: "结对干部".into(),
                role: doudi_core::Role::PairedCadre,
                scope: doudi_core::Scope::County,
                department: None,
                password_hash: "$argon2id$x".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    store.user_by_id(id).await.unwrap().unwrap().actor()
}

conformance! {
    async fn only_the_households_paired_cadre_acknowledges_among_cadres(store) {
        let mut h = household("SF-9", QINGLONG_1, &["赵六"]);
        h.fields.needs = vec![Need::Care];
        let id = store.create_household(&county(), &h).await.unwrap();
        store.publish_needs(&county()).await.unwrap();
        let need = store.open_needs(&county()).await.unwrap().remove(0);
        let org = social_organisation();
        let p = store.register_participant(&org, &participant("陪护志愿队")).await.unwrap();
        store.verify_participant(&county(), p.id, true).await.unwrap();
        let offer = store
            .add_offer(&org, &NewOffer { kind: OfferKind::Services, amount: Money::ZERO, ..money(0, 1, None) })
            .await
            .unwrap();
        let m = store
            .confirm_match(&county(), &NewMatch { need: need.token, offer: offer.id, reasons: String::new() })
            .await
            .unwrap();
        assert_eq!(m.amount, Money::ZERO, "only money offers carry an amount");
        store.deliver_match(&org, m.id, "上门陪护两次").await.unwrap();
        let mine = paired_cadre(&store, "cadre-mine").await;
        let other = paired_cadre(&store, "cadre-other").await;
        store.pair(&caseworker(QINGLONG), id, mine.user_id).await.unwrap();
        assert_eq!(store.matches(&other).await.unwrap().len(), 0);
        assert_eq!(store.matches(&mine).await.unwrap().len(), 1);
        let refused = store.acknowledge_match(&other, m.id).await.unwrap_err();
        assert!(matches!(refused, StoreError::NotFound), "{refused}");
        let done = store.acknowledge_match(&mine, m.id).await.unwrap();
        assert_eq!(done.state, MatchState::Acknowledged);
    }
}
