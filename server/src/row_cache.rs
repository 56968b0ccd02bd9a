//! In-memory copies of the rows that never change once written: users and
//! documents. The API has no way to update or delete either, so a copy read
//! once stays true, and the account check of every protected route,
//! `GET /documents/:id` and every chat stream are spared a database round
//! trip. A miss reads the database as
//! before; an absent row is never remembered. Both caches are bounded: users
//! by count, documents by their size.

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::users::{self, User};
use crate::db::DbError;
use crate::documents::store::{self, Document};

/// Users kept at most (a few hundred bytes each).
const USERS: usize = 100_000;
/// Documents kept at most, whatever their size.
const DOCUMENTS: usize = 10_000;
/// Bytes of document text kept at most.
const DOCUMENT_BYTES: u64 = 32 * 1024 * 1024;

/// A document with its owner, so that the owner check needs no query.
#[derive(Debug, Clone)]
struct Owned {
    owner: Uuid,
    document: Arc<Document>,
}

/// Weighs a document by its text, so big ones count for what they hold.
#[derive(Debug, Clone)]
struct ByText;

impl Weighter<Uuid, Owned> for ByText {
    fn weight(&self, _: &Uuid, owned: &Owned) -> u64 {
        let d = &owned.document;
        // Never zero: a zero weight would never be evicted.
        (d.content.len() + d.title.len() + 64) as u64
    }
}

/// The shared caches; cheap to clone.
#[derive(Clone)]
pub struct RowCache {
    users: Arc<Cache<Uuid, Arc<User>>>,
    documents: Arc<Cache<Uuid, Owned, ByText>>,
}

impl Default for RowCache {
    fn default() -> Self {
        RowCache {
            users: Arc::new(Cache::new(USERS)),
            documents: Arc::new(Cache::with_weighter(DOCUMENTS, DOCUMENT_BYTES, ByText)),
        }
    }
}

impl RowCache {
    /// The user with this id, from memory or else from the database.
    pub async fn user(&self, db: &PgPool, id: Uuid) -> Result<Option<Arc<User>>, DbError> {
        if let Some(user) = self.users.get(&id) {
            return Ok(Some(user));
        }
        let Some(user) = users::find_by_id(db, id).await? else {
            return Ok(None);
        };
        Ok(Some(self.remember_user(user)))
    }

    /// Keeps a user just written or read.
    pub fn remember_user(&self, user: User) -> Arc<User> {
        let user = Arc::new(user);
        self.users.insert(user.id, Arc::clone(&user));
        user
    }

    /// The document `id` if `owner` owns it, from memory or else from the
    /// database; `None` when it is absent or someone else's.
    pub async fn document_for_owner(
        &self,
        db: &PgPool,
        id: Uuid,
        owner: Uuid,
    ) -> Result<Option<Arc<Document>>, DbError> {
        if let Some(owned) = self.documents.get(&id) {
            return Ok((owned.owner == owner).then_some(owned.document));
        }
        let Some(document) = store::find_for_owner(db, id, owner).await? else {
            return Ok(None);
        };
        Ok(Some(self.remember_document(owner, document)))
    }

    /// Keeps a document just written or read, with its owner.
    pub fn remember_document(&self, owner: Uuid, document: Document) -> Arc<Document> {
        let document = Arc::new(document);
        self.documents.insert(
            document.id,
            Owned {
                owner,
                document: Arc::clone(&document),
            },
        );
        document
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    /// A pool that cannot connect: a miss fails, a hit never asks it.
    fn unreachable_pool() -> PgPool {
        sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_millis(50))
            .connect_lazy("postgres://nobody@127.0.0.1:1/none")
            .unwrap()
    }

    fn document(owner_text: &str) -> Document {
        Document {
            id: Uuid::new_v4(),
            title: "Tomato diary".into(),
            content: owner_text.into(),
            created_at: Utc::now(),
        }
    }

    #[tokio::test]
    async fn a_remembered_document_is_only_found_for_its_owner() {
        let cache = RowCache::default();
        let owner = Uuid::new_v4();
        let doc = cache.remember_document(owner, document("Basil"));
        let db = unreachable_pool();
        let found = cache.document_for_owner(&db, doc.id, owner).await.unwrap();
        assert_eq!(found.map(|d| d.content.clone()), Some("Basil".to_owned()));
        let stranger = cache
            .document_for_owner(&db, doc.id, Uuid::new_v4())
            .await
            .unwrap();
        assert!(
            stranger.is_none(),
            "someone else's document must not be found"
        );
        let unknown = cache.document_for_owner(&db, Uuid::new_v4(), owner).await;
        assert!(unknown.is_err(), "an unknown id must go to the database");
    }

    #[tokio::test]
    async fn a_remembered_user_needs_no_database() {
        let cache = RowCache::default();
        let user = cache.remember_user(User {
            id: Uuid::new_v4(),
            email: "gardener@example.com".into(),
            name: None,
            password_hash: "$argon2id$...".into(),
        });
        let db = unreachable_pool();
        let found = cache.user(&db, user.id).await.unwrap();
        assert_eq!(found.map(|u| u.email.clone()), Some(user.email.clone()));
        assert!(cache.user(&db, Uuid::new_v4()).await.is_err());
    }
}
