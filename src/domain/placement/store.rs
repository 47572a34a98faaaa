//! Creating and changing placements, each change with its audit row.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use crate::domain::audit::AuditEntry;
use crate::values::dates::{format_date, iso_date};
use crate::values::ids::{OfferId, OrganisationId, ParticipantId, PlacementId, RegionId, UserId};
use crate::values::kinds::{PlacementKind, PlacementStatus};

use super::input::{Contact, PlacementError, PlacementInput};
use super::participant_in_region;

/// What the audit log keeps of a placement.
#[derive(Debug, Serialize)]
struct PlacementAudit {
    participant_id: ParticipantId,
    organisation_id: OrganisationId,
    kind: PlacementKind,
    status: PlacementStatus,
    starts_on: String,
    ends_on: String,
    planned_minutes: i32,
    contact_user_id: Option<UserId>,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    description: String,
}

/// The row as stored, locked for a change.
struct StoredPlacement {
    id: PlacementId,
    participant_id: ParticipantId,
    organisation_id: OrganisationId,
    kind: PlacementKind,
    status: PlacementStatus,
    starts_on: Date,
    ends_on: Date,
    planned_minutes: i32,
    contact_user_id: Option<UserId>,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    description: String,
}

impl StoredPlacement {
    fn audit(&self) -> PlacementAudit {
        PlacementAudit {
            participant_id: self.participant_id,
            organisation_id: self.organisation_id,
            kind: self.kind,
            status: self.status,
            starts_on: iso_date(self.starts_on),
            ends_on: iso_date(self.ends_on),
            planned_minutes: self.planned_minutes,
            contact_user_id: self.contact_user_id,
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
            description: self.description.clone(),
        }
    }
}

async fn lock_in_region(
    conn: &mut PgConnection,
    id: PlacementId,
    region: RegionId,
) -> Result<StoredPlacement, PlacementError> {
    sqlx::query_as!(
        StoredPlacement,
        r#"SELECT pl.id AS "id: PlacementId",
                  pl.participant_id AS "participant_id: ParticipantId",
                  pl.organisation_id AS "organisation_id: OrganisationId",
                  pl.kind AS "kind: PlacementKind",
                  pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on, pl.planned_minutes,
                  pl.contact_user_id AS "contact_user_id: UserId",
                  pl.contact_name, pl.contact_email, pl.contact_phone, pl.description
           FROM placements pl JOIN participants p ON p.id = pl.participant_id
           WHERE pl.id = $1 AND p.region_id = $2
           FOR UPDATE OF p, pl"#,
        id.0,
        region.0,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(PlacementError::NotFound)
}

/// The organisation must be active and in the region of the participant.
async fn check_organisation(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    region: RegionId,
) -> Result<(), PlacementError> {
    let usable = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1 AND region_id = $2 AND active)
           AS "usable!""#,
        organisation.0,
        region.0,
    )
    .fetch_one(conn)
    .await?;
    if usable {
        Ok(())
    } else {
        Err(PlacementError::OrganisationUnavailable)
    }
}

/// Name, e-mail and phone of the contact to store: a chosen partner user must belong to the
/// organisation, and lends their name and e-mail where none was typed.
async fn resolve_contact(
    conn: &mut PgConnection,
    contact: &Contact,
    organisation: OrganisationId,
) -> Result<(String, String), PlacementError> {
    let typed_email = contact
        .email
        .as_ref()
        .map(|email| email.as_str().to_string())
        .unwrap_or_default();
    let Some(user) = contact.user_id else {
        return Ok((contact.name.clone(), typed_email));
    };
    let partner = sqlx::query!(
        "SELECT name, email FROM users
         WHERE id = $1 AND role = 'partner' AND organisation_id = $2 AND active",
        user.0,
        organisation.0,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(PlacementError::ContactNotOfOrganisation)?;
    let name = if contact.name.is_empty() {
        partner.name
    } else {
        contact.name.clone()
    };
    let email = if typed_email.is_empty() {
        partner.email
    } else {
        typed_email
    };
    Ok((name, email))
}

/// `sqlx::query_as!` of a [`StoredPlacement`] with `$first` as `$1` and the placement's
/// columns after it (the offer it was taken from, on creation only, before the criteria):
/// creating and changing bind them in the same order, written down once.
macro_rules! with_columns {
    ($sql:tt, $first:expr, $input:ident, ($contact_name:ident, $contact_email:ident), [$($offer:expr)?]) => {
        sqlx::query_as!(
            StoredPlacement,
            $sql,
            $first,
            $input.organisation_id.0,
            $input.kind as PlacementKind,
            $input.period.starts_on(),
            $input.period.ends_on(),
            $input.planned.get(),
            $input.contact.user_id.map(|id| id.0),
            $contact_name,
            $contact_email,
            $input.contact.phone,
            $input.description,
            $($offer,)?
            $input.criteria.map(|c| c.contact),
            $input.criteria.map(|c| c.dutch_setting),
            $input.criteria.map(|c| c.new_contacts),
            $input.criteria.map(|c| c.unpaid),
        )
    };
}

/// Creates a `gepland` placement for a participant of `region`, with its audit row.
pub async fn create(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    participant: ParticipantId,
    input: &PlacementInput,
    offer: Option<OfferId>,
) -> Result<PlacementId, PlacementError> {
    participant_in_region(&mut *conn, participant, region)
        .await?
        .ok_or(PlacementError::NotFound)?;
    check_organisation(&mut *conn, input.organisation_id, region).await?;
    let (contact_name, contact_email) =
        resolve_contact(&mut *conn, &input.contact, input.organisation_id).await?;
    let stored = with_columns!(
        r#"INSERT INTO placements (participant_id, organisation_id, kind, starts_on, ends_on,
               planned_minutes, contact_user_id, contact_name, contact_email, contact_phone, description,
               offer_id, meets_contact, meets_dutch_setting, meets_new_contacts, meets_unpaid)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
           RETURNING id AS "id: PlacementId",
                     participant_id AS "participant_id: ParticipantId",
                     organisation_id AS "organisation_id: OrganisationId",
                     kind AS "kind: PlacementKind",
                     status AS "status: PlacementStatus",
                     starts_on, ends_on, planned_minutes,
                     contact_user_id AS "contact_user_id: UserId",
                     contact_name, contact_email, contact_phone, description"#,
        participant.0,
        input,
        (contact_name, contact_email),
        [offer.map(|id| id.0)]
    )
    .fetch_one(&mut *conn)
    .await?;
    AuditEntry {
        actor: Some(actor),
        action: "aangemaakt",
        entity: "placement",
        entity_id: stored.id.0,
        participant: Some(participant),
    }
    .record::<(), _>(conn, None, Some(&stored.audit()))
    .await?;
    Ok(stored.id)
}

/// Changes a placement of `region`. The organisation stays once hours are logged (their rows
/// carry it), and the period must keep containing the logged hours.
pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: PlacementId,
    input: &PlacementInput,
) -> Result<(), PlacementError> {
    let before = lock_in_region(&mut *conn, id, region).await?;
    if input.organisation_id != before.organisation_id {
        let has_entries = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM hour_entries WHERE placement_id = $1) AS "exists!""#,
            id.0
        )
        .fetch_one(&mut *conn)
        .await?;
        if has_entries {
            return Err(PlacementError::OrganisationFixed);
        }
        check_organisation(&mut *conn, input.organisation_id, region).await?;
    }
    let outside = sqlx::query_scalar!(
        r#"SELECT DISTINCT worked_on FROM hour_entries
           WHERE placement_id = $1 AND status <> 'afgewezen' AND (worked_on < $2 OR worked_on > $3)
           ORDER BY worked_on LIMIT 5"#,
        id.0,
        input.period.starts_on(),
        input.period.ends_on(),
    )
    .fetch_all(&mut *conn)
    .await?;
    if !outside.is_empty() {
        let dates: Vec<String> = outside.into_iter().map(format_date).collect();
        return Err(PlacementError::EntriesOutsidePeriod(dates.join(", ")));
    }
    let (contact_name, contact_email) =
        resolve_contact(&mut *conn, &input.contact, input.organisation_id).await?;
    let after = with_columns!(
        r#"UPDATE placements SET organisation_id = $2, kind = $3, starts_on = $4, ends_on = $5,
               planned_minutes = $6, contact_user_id = $7, contact_name = $8, contact_email = $9,
               contact_phone = $10, description = $11,
               meets_contact = coalesce($12, meets_contact),
               meets_dutch_setting = coalesce($13, meets_dutch_setting),
               meets_new_contacts = coalesce($14, meets_new_contacts),
               meets_unpaid = coalesce($15, meets_unpaid), updated_at = now()
           WHERE id = $1
           RETURNING id AS "id: PlacementId",
                     participant_id AS "participant_id: ParticipantId",
                     organisation_id AS "organisation_id: OrganisationId",
                     kind AS "kind: PlacementKind",
                     status AS "status: PlacementStatus",
                     starts_on, ends_on, planned_minutes,
                     contact_user_id AS "contact_user_id: UserId",
                     contact_name, contact_email, contact_phone, description"#,
        id.0,
        input,
        (contact_name, contact_email),
        []
    )
    .fetch_one(&mut *conn)
    .await?;
    AuditEntry {
        actor: Some(actor),
        action: "gewijzigd",
        entity: "placement",
        entity_id: id.0,
        participant: Some(before.participant_id),
    }
    .record(conn, Some(&before.audit()), Some(&after.audit()))
    .await?;
    Ok(())
}

/// Moves a placement of `region` to `next`, if the current status allows it.
pub async fn set_status(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: PlacementId,
    next: PlacementStatus,
) -> Result<(), PlacementError> {
    let before = lock_in_region(&mut *conn, id, region).await?;
    let next = before.status.change_to(next)?;
    sqlx::query!(
        "UPDATE placements SET status = $2, updated_at = now() WHERE id = $1",
        id.0,
        next as PlacementStatus,
    )
    .execute(&mut *conn)
    .await?;
    let after = StoredPlacement {
        status: next,
        ..before
    };
    AuditEntry {
        actor: Some(actor),
        action: "status gewijzigd",
        entity: "placement",
        entity_id: id.0,
        participant: Some(after.participant_id),
    }
    .record(
        conn,
        Some(&PlacementAudit {
            status: before.status,
            ..after.audit()
        }),
        Some(&after.audit()),
    )
    .await?;
    Ok(())
}

/// Moves `gepland` placements to `lopend` once they have begun, audited as a status change by
/// the system (no actor). With `placement`: that one, whose hours were just confirmed; without:
/// every one whose start date is `today` or earlier, except those a person deliberately planned
/// again on or after their start date (the hourly task must not undo that choice). Locks the
/// participant before the placement, as every change to a placement does, and skips a row
/// another transaction holds: logging hours holds its placement before its participant, so
/// waiting could deadlock, and the hourly task starts a skipped placement on its next round.
pub async fn start_begun(
    conn: &mut PgConnection,
    placement: Option<PlacementId>,
    today: Date,
) -> Result<(), sqlx::Error> {
    let started = sqlx::query_as!(
        StoredPlacement,
        r#"WITH begun AS (
               SELECT pl.id FROM placements pl JOIN participants p ON p.id = pl.participant_id
               WHERE pl.status = 'gepland'
                 AND CASE WHEN $1::uuid IS NULL
                     THEN pl.starts_on <= $2 AND NOT EXISTS (
                         SELECT 1 FROM audit_log a
                         WHERE a.entity = 'placement' AND a.entity_id = pl.id
                           AND a.action = 'status gewijzigd' AND a.actor_id IS NOT NULL
                           AND a.after->>'status' = 'gepland'
                           AND (a.at AT TIME ZONE 'Europe/Brussels')::date >= pl.starts_on)
                     ELSE pl.id = $1 END
               FOR UPDATE OF p, pl SKIP LOCKED
           )
           UPDATE placements pl SET status = 'lopend', updated_at = now()
           FROM begun WHERE pl.id = begun.id
           RETURNING pl.id AS "id: PlacementId",
                     pl.participant_id AS "participant_id: ParticipantId",
                     pl.organisation_id AS "organisation_id: OrganisationId",
                     pl.kind AS "kind: PlacementKind",
                     pl.status AS "status: PlacementStatus",
                     pl.starts_on, pl.ends_on, pl.planned_minutes,
                     pl.contact_user_id AS "contact_user_id: UserId",
                     pl.contact_name, pl.contact_email, pl.contact_phone, pl.description"#,
        placement.map(|id| id.0),
        today,
    )
    .fetch_all(&mut *conn)
    .await?;
    for after in started {
        AuditEntry {
            actor: None,
            action: "status gewijzigd",
            entity: "placement",
            entity_id: after.id.0,
            participant: Some(after.participant_id),
        }
        .record(
            &mut *conn,
            Some(&PlacementAudit {
                status: PlacementStatus::Gepland,
                ..after.audit()
            }),
            Some(&after.audit()),
        )
        .await?;
    }
    Ok(())
}
