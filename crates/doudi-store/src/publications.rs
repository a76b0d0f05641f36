//! Policy pages and good cases for the public (3.4): written by the civil affairs bureau (the
//! county approver), shown without login once published. The [`Publications`] trait is a
//! supertrait of [`crate::Store`]; both backends implement it in `publications_impl.rs`
//! (migration 0022).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use doudi_core::Actor;

use crate::StoreError;

doudi_core::vocabulary! {
    /// What a publication is.
    PublicationKind, "公开内容类别" {
        /// A policy explained (政策解读).
        Policy = ("policy", "政策解读"),
        /// A good case (典型案例).
        Story = ("story", "典型案例"),
    }
}

/// A publication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publication {
    /// Its id.
    pub id: i64,
    /// Policy or story.
    pub kind: PublicationKind,
    /// Title.
    pub title: String,
    /// Body, plain text; blank lines separate paragraphs.
    pub body: String,
    /// Shown to the public.
    pub published: bool,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A publication to save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPublication {
    /// Policy or story.
    pub kind: PublicationKind,
    /// Title, 1 to 80 characters.
    pub title: String,
    /// Body, 1 to 20,000 characters.
    pub body: String,
    /// Shown to the public.
    pub published: bool,
}

/// The publications of a store.
#[async_trait]
pub trait Publications: Send + Sync + 'static {
    /// Published ones (anyone, no login needed), or every one (`drafts`, the county approver),
    /// newest first.
    async fn publications(
        &self,
        actor: Option<&Actor>,
        drafts: bool,
    ) -> Result<Vec<Publication>, StoreError>;

    /// Saves a new one (`id` none) or changes one (the county approver).
    async fn save_publication(
        &self,
        actor: &Actor,
        id: Option<i64>,
        publication: &NewPublication,
    ) -> Result<i64, StoreError>;
}

/// Who writes publications: the civil affairs bureau's approver.
pub fn may_publish(actor: &Actor) -> bool {
    actor.role == doudi_core::Role::CountyApprover
}
