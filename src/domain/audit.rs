//! The audit log: who changed what, when, with the record before and after.
//! Always written in the transaction of the change it describes.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::values::ids::{ParticipantId, UserId};

pub struct AuditEntry<'a> {
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Uuid,
    /// The participant the change concerns, so it shows in their history.
    pub participant: Option<ParticipantId>,
}

impl AuditEntry<'_> {
    pub async fn record<B: Serialize, A: Serialize>(
        self,
        conn: &mut PgConnection,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<(), sqlx::Error> {
        self.insert(conn, None, before, after).await
    }

    /// A change made through an inburgeraar's personal link (Mijn traject): no user acted, the
    /// row names the link in `actor_link_id` (`actor` is then `None`).
    pub async fn record_by_link<B: Serialize, A: Serialize>(
        self,
        conn: &mut PgConnection,
        link: Uuid,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<(), sqlx::Error> {
        self.insert(conn, Some(link), before, after).await
    }

    async fn insert<B: Serialize, A: Serialize>(
        self,
        conn: &mut PgConnection,
        link: Option<Uuid>,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<(), sqlx::Error> {
        let before = before.map(to_json).transpose()?;
        let after = after.map(to_json).transpose()?;
        sqlx::query!(
            "INSERT INTO audit_log (actor_id, action, entity, entity_id, participant_id, before, after,
                                    actor_link_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            self.actor.map(|id| id.0),
            self.action,
            self.entity,
            self.entity_id,
            self.participant.map(|id| id.0),
            before,
            after,
            link,
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, sqlx::Error> {
    serde_json::to_value(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}
