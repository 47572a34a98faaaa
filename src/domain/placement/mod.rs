//! Placements: one participant at one organisation, in one form, over a period. Their rules and
//! their SQL.
//!
//! Every query takes a [`Scope`]: staff see the placements of participants in their region,
//! a partner those at their own organisation. A placement outside the scope does not exist.

mod choices;
mod input;
mod lists;
mod store;

use sqlx::PgConnection;
use time::Date;

use crate::values::dates::format_date;
use crate::values::duration::format_minutes;
use crate::values::ids::{OfferId, OrganisationId, ParticipantId, PlacementId, RegionId, UserId};
use crate::values::kinds::{PlacementKind, PlacementStatus};
use crate::values::period::{Period, Scope};

pub use choices::{ContactChoice, OrganisationChoice, contact_choices, organisation_choices};
pub use input::{Contact, MAX_PLANNED_HOURS, PlacementError, PlacementInput, parse_planned};
pub use lists::{PlacementSummary, list_for_organisation};
pub use store::{create, set_status, start_begun, update};

/// One placement as its page shows it, with the hours logged on it.
#[derive(Debug, Clone)]
pub struct Placement {
    pub id: PlacementId,
    pub participant_id: ParticipantId,
    pub participant_name: String,
    /// Hours can be logged only for participants with status `actief`.
    pub participant_active: bool,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub status: PlacementStatus,
    pub starts_on: Date,
    pub ends_on: Date,
    pub planned_minutes: i32,
    pub contact_user_id: Option<UserId>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub description: String,
    pub confirmed_minutes: i64,
    pub pending_minutes: i64,
    /// The offer it was taken from, if any.
    pub offer_id: Option<OfferId>,
    pub offer_title: Option<String>,
    /// For a placement outside the catalogue: whether every criterion was checked as met.
    pub criteria_met: Option<bool>,
}

impl Placement {
    pub fn period(&self) -> Period {
        Period::from_stored(self.starts_on, self.ends_on)
    }

    pub fn period_text(&self) -> String {
        format!(
            "{} – {}",
            format_date(self.starts_on),
            format_date(self.ends_on)
        )
    }

    pub fn planned_text(&self) -> String {
        format_minutes(i64::from(self.planned_minutes))
    }

    /// Whether new hours can be logged on it at all (the dates are checked per entry).
    pub fn accepts_hours(&self) -> bool {
        self.status.accepts_hours() && self.participant_active
    }
}

/// The placement, when it lies inside `scope`.
pub async fn get(
    conn: &mut PgConnection,
    id: PlacementId,
    scope: Scope,
) -> Result<Option<Placement>, sqlx::Error> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        Placement,
        r#"SELECT pl.id AS "id: PlacementId",
                  pl.participant_id AS "participant_id: ParticipantId",
                  p.full_name AS participant_name,
                  (p.status = 'actief') AS "participant_active!",
                  pl.organisation_id AS "organisation_id: OrganisationId",
                  o.name AS organisation_name,
                  pl.kind AS "kind: PlacementKind",
                  pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on, pl.planned_minutes,
                  pl.contact_user_id AS "contact_user_id: UserId",
                  pl.contact_name, pl.contact_email, pl.contact_phone, pl.description,
                  t.confirmed AS "confirmed_minutes!", t.pending AS "pending_minutes!",
                  pl.offer_id AS "offer_id: OfferId", f.title AS "offer_title?",
                  (pl.meets_contact AND pl.meets_dutch_setting AND pl.meets_new_contacts
                   AND pl.meets_unpaid) AS criteria_met
           FROM placements pl
           JOIN participants p ON p.id = pl.participant_id
           JOIN organisations o ON o.id = pl.organisation_id
           LEFT JOIN offers f ON f.id = pl.offer_id
           CROSS JOIN LATERAL (
               SELECT coalesce(sum(e.minutes) FILTER (WHERE e.status = 'bevestigd'), 0)::int8 AS confirmed,
                      coalesce(sum(e.minutes) FILTER (WHERE e.status = 'ingediend'), 0)::int8 AS pending
               FROM hour_entries e WHERE e.placement_id = pl.id
           ) t
           WHERE pl.id = $1 AND (p.region_id = $2 OR pl.organisation_id = $3)"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await
}

/// A participant as the placement pages name them.
#[derive(Debug, Clone)]
pub struct ParticipantRef {
    pub id: ParticipantId,
    pub full_name: String,
    pub active: bool,
}

pub async fn participant_in_region(
    conn: &mut PgConnection,
    id: ParticipantId,
    region: RegionId,
) -> Result<Option<ParticipantRef>, sqlx::Error> {
    sqlx::query_as!(
        ParticipantRef,
        r#"SELECT id AS "id: ParticipantId", full_name, (status = 'actief') AS "active!"
           FROM participants WHERE id = $1 AND region_id = $2"#,
        id.0,
        region.0,
    )
    .fetch_optional(conn)
    .await
}
