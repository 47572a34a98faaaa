//! Registering and changing participants, each change with its audit row.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use crate::domain::audit::AuditEntry;
use crate::domain::search::search_key;
use crate::domain::user::Email;
use crate::values::ids::{MunicipalityId, ParticipantId, RegionId, UserId};
use crate::values::level::DutchLevel;

use super::input::ParticipantInput;
use super::{Obligation, Participant, ParticipantError, ParticipantStatus, get};

/// The columns of the audit row: the record as entered, without totals.
#[derive(Serialize)]
struct AuditView<'a> {
    full_name: &'a str,
    birth_date: Date,
    municipality_id: MunicipalityId,
    dutch_level: DutchLevel,
    languages: &'a str,
    phone: &'a str,
    email: &'a str,
    external_dossier: &'a str,
    obligation: Obligation,
    start_date: Date,
    target_end_date: Date,
    notes: &'a str,
    coach_id: Option<UserId>,
    status: ParticipantStatus,
    status_reason: Option<&'a str>,
    status_note: &'a str,
    available_days: i16,
}

impl Participant {
    fn audit_view(&self) -> AuditView<'_> {
        AuditView {
            full_name: &self.full_name,
            birth_date: self.birth_date,
            municipality_id: self.municipality_id,
            dutch_level: self.dutch_level,
            languages: &self.languages,
            phone: &self.phone,
            email: &self.email,
            external_dossier: self.external_dossier.as_str(),
            obligation: self.obligation,
            start_date: self.start_date,
            target_end_date: self.target_end_date,
            notes: &self.notes,
            coach_id: self.coach_id,
            status: self.status,
            status_reason: self.status_reason.as_deref(),
            status_note: &self.status_note,
            available_days: self.available_days,
        }
    }
}

async fn check_municipality(
    conn: &mut PgConnection,
    region: RegionId,
    municipality: MunicipalityId,
) -> Result<(), ParticipantError> {
    let inside = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM municipalities WHERE id = $1 AND region_id = $2) AS "inside!""#,
        municipality.0,
        region.0
    )
    .fetch_one(conn)
    .await?;
    if inside {
        Ok(())
    } else {
        Err(ParticipantError::MunicipalityOutsideRegion)
    }
}

async fn check_coach(
    conn: &mut PgConnection,
    region: RegionId,
    coach: UserId,
) -> Result<(), ParticipantError> {
    let inside = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND region_id = $2 AND role = 'coach' AND active) AS "inside!""#,
        coach.0,
        region.0
    )
    .fetch_one(conn)
    .await?;
    if inside {
        Ok(())
    } else {
        Err(ParticipantError::CoachOutsideRegion)
    }
}

/// `sqlx::$query!` with `$lead` as the first parameters and the participant's columns after
/// them: registering and changing bind them in the same order, written down once.
macro_rules! with_columns {
    ($query:ident, $sql:tt, [$($lead:expr),*], $input:ident) => {
        sqlx::$query!(
            $sql,
            $($lead,)*
            $input.full_name.as_str(),
        search_key($input.full_name.as_str()),
            $input.birth_date,
            $input.dutch_level as DutchLevel,
            $input.languages,
            $input.phone,
            $input.email.as_ref().map(Email::as_str).unwrap_or_default(),
            $input.external_dossier.as_str(),
            $input.obligation as Obligation,
            $input.start_date,
            $input.target_end_date,
            $input.notes,
            $input.available_days.db(),
        )
    };
}

/// Registers a participant in `region`, coached by `coach`. Run inside the caller's transaction.
pub async fn register(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    coach: Option<UserId>,
    input: &ParticipantInput,
) -> Result<ParticipantId, ParticipantError> {
    check_municipality(conn, region, input.municipality_id).await?;
    if let Some(coach) = coach {
        check_coach(conn, region, coach).await?;
    }
    let id = with_columns!(
        query_scalar,
        r#"INSERT INTO participants (region_id, municipality_id, coach_id, full_name, search_name,
               birth_date, dutch_level, languages, phone, email, external_dossier, obligation,
               start_date, target_end_date, notes, available_days)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                  coalesce($14, ($13::date + make_interval(months => r.trajectory_months))::date), $15,
                  $16
           FROM regions r WHERE r.id = $1
           RETURNING id AS "id: ParticipantId""#,
        [region.0, input.municipality_id.0, coach.map(|c| c.0)],
        input
    )
    .fetch_one(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    audit(conn, actor, "ingeschreven", id, None, after.as_ref()).await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    input: &ParticipantInput,
) -> Result<Option<()>, ParticipantError> {
    check_municipality(conn, region, input.municipality_id).await?;
    let Some(before) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    with_columns!(
        query,
        r#"UPDATE participants SET municipality_id = $3, full_name = $4, search_name = $5,
               birth_date = $6, dutch_level = $7, languages = $8, phone = $9, email = $10,
               external_dossier = $11, obligation = $12, start_date = $13,
               target_end_date = coalesce($14, target_end_date), notes = $15,
               available_days = $16, updated_at = now()
           WHERE id = $1 AND region_id = $2"#,
        [id.0, region.0, input.municipality_id.0],
        input
    )
    .execute(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    audit(conn, actor, "gewijzigd", id, Some(&before), after.as_ref()).await?;
    Ok(Some(()))
}

/// Locks the participant's row for the rest of the transaction and returns it.
pub async fn lock(
    conn: &mut PgConnection,
    region: RegionId,
    id: ParticipantId,
) -> Result<Option<Participant>, sqlx::Error> {
    sqlx::query!(
        "SELECT id FROM participants WHERE id = $1 AND region_id = $2 FOR UPDATE",
        id.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    get(conn, region, id).await
}

async fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: &str,
    id: ParticipantId,
    before: Option<&Participant>,
    after: Option<&Participant>,
) -> Result<(), sqlx::Error> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "participant",
        entity_id: id.0,
        participant: Some(id),
    }
    .record(
        conn,
        before.map(Participant::audit_view).as_ref(),
        after.map(Participant::audit_view).as_ref(),
    )
    .await
}

pub async fn assign_coach(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    coach: Option<UserId>,
) -> Result<Option<()>, ParticipantError> {
    if let Some(coach) = coach {
        check_coach(conn, region, coach).await?;
    }
    let Some(before) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE participants SET coach_id = $2, updated_at = now() WHERE id = $1",
        id.0,
        coach.map(|c| c.0)
    )
    .execute(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    audit(
        conn,
        actor,
        "begeleider toegewezen",
        id,
        Some(&before),
        after.as_ref(),
    )
    .await?;
    Ok(Some(()))
}

/// Ends an active trajectory without a certificate: `stopgezet` or `vrijgesteld`, with a reason
/// from the fixed list and an optional note.
pub async fn close(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    status: ParticipantStatus,
    reason: &str,
    note: &str,
) -> Result<Option<()>, ParticipantError> {
    let Some(before) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    if before.status != ParticipantStatus::Actief {
        return Err(ParticipantError::NotActive);
    }
    sqlx::query!(
        "UPDATE participants SET status = $2, status_reason = $3, status_note = $4, updated_at = now()
         WHERE id = $1",
        id.0,
        status as ParticipantStatus,
        reason,
        note
    )
    .execute(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    let action = match status {
        ParticipantStatus::Vrijgesteld => "vrijgesteld",
        _ => "stopgezet",
    };
    audit(conn, actor, action, id, Some(&before), after.as_ref()).await?;
    Ok(Some(()))
}

/// Undoes a stop or exemption (a mistake, or someone who comes back).
pub async fn reactivate(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
) -> Result<Option<()>, ParticipantError> {
    let Some(before) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    if !matches!(
        before.status,
        ParticipantStatus::Stopgezet | ParticipantStatus::Vrijgesteld
    ) {
        return Err(ParticipantError::NotStopped);
    }
    sqlx::query!(
        "UPDATE participants SET status = 'actief', status_reason = NULL, status_note = '',
             updated_at = now() WHERE id = $1",
        id.0
    )
    .execute(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    audit(
        conn,
        actor,
        "heractiveerd",
        id,
        Some(&before),
        after.as_ref(),
    )
    .await?;
    Ok(Some(()))
}
