//! Reading offers within a scope, and every change to them with its audit row.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use super::input::{LONG_TEXT_MAX, OfferError, OfferInput, required};
use super::{Approval, OfferState};
use crate::domain::audit::AuditEntry;
use crate::domain::search::{contains_pattern, search_key};
use crate::domain::user::Email;
use crate::values::criteria::Criteria;
use crate::values::dates::{format_date, iso_date};
use crate::values::ids::{MunicipalityId, OfferId, OrganisationId, RegionId, UserId};
use crate::values::kinds::PlacementKind;
use crate::values::level::Taalicoon;
use crate::values::period::Scope;
use crate::values::weekdays::{DayParts, Weekdays, when_text};

// --- Reading -----------------------------------------------------------------------------------

/// One offer as its page shows it, with its taken places counted from the placements.
#[derive(Debug, Clone)]
pub struct Offer {
    pub id: OfferId,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub region_id: RegionId,
    pub title: String,
    pub description: String,
    pub kind: PlacementKind,
    pub municipality_id: MunicipalityId,
    pub municipality: String,
    pub address: String,
    pub days: i16,
    pub day_parts: i16,
    pub by_arrangement: bool,
    pub places: i32,
    pub taken: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub contact_languages: String,
    pub taalicoon: i16,
    pub meets_contact: bool,
    pub meets_dutch_setting: bool,
    pub meets_new_contacts: bool,
    pub meets_unpaid: bool,
    pub criteria_note: String,
    pub approval: Approval,
    pub refusal_reason: Option<String>,
    pub state: OfferState,
}

impl Offer {
    pub fn free(&self) -> i64 {
        (i64::from(self.places) - self.taken).max(0)
    }

    pub fn taalicoon(&self) -> Taalicoon {
        Taalicoon::from_db(self.taalicoon)
    }

    pub fn weekdays(&self) -> Weekdays {
        Weekdays::from_db(self.days)
    }

    pub fn parts(&self) -> DayParts {
        DayParts::from_db(self.day_parts)
    }

    pub fn when_text(&self) -> String {
        when_text(self.weekdays(), self.parts(), self.by_arrangement)
    }

    pub fn period_text(&self) -> String {
        format!(
            "{} – {}",
            format_date(self.starts_on),
            format_date(self.ends_on)
        )
    }

    pub fn criteria(&self) -> Criteria {
        Criteria {
            contact: self.meets_contact,
            dutch_setting: self.meets_dutch_setting,
            new_contacts: self.meets_new_contacts,
            unpaid: self.meets_unpaid,
        }
    }

    /// The form fields as stored, to prefill the edit page: (title, description, …) strings.
    pub fn iso_starts_on(&self) -> String {
        iso_date(self.starts_on)
    }

    pub fn iso_ends_on(&self) -> String {
        iso_date(self.ends_on)
    }
}

/// The offer, when it lies inside `scope`.
pub async fn get(
    conn: &mut PgConnection,
    id: OfferId,
    scope: Scope,
) -> Result<Option<Offer>, sqlx::Error> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        Offer,
        r#"SELECT o.id AS "id: OfferId",
                  o.organisation_id AS "organisation_id: OrganisationId",
                  org.name AS organisation_name,
                  o.region_id AS "region_id: RegionId",
                  o.title, o.description, o.kind AS "kind: PlacementKind",
                  o.municipality_id AS "municipality_id: MunicipalityId", m.name AS municipality,
                  o.address, o.days, o.day_parts, o.by_arrangement, o.places,
                  (SELECT count(*) FROM placements pl
                   WHERE pl.offer_id = o.id AND pl.status IN ('gepland', 'lopend')) AS "taken!",
                  o.starts_on, o.ends_on, o.contact_name, o.contact_email, o.contact_phone,
                  o.contact_languages, o.taalicoon, o.meets_contact, o.meets_dutch_setting,
                  o.meets_new_contacts, o.meets_unpaid, o.criteria_note,
                  o.approval AS "approval: Approval", o.refusal_reason,
                  o.state AS "state: OfferState"
           FROM offers o
           JOIN organisations org ON org.id = o.organisation_id
           JOIN municipalities m ON m.id = o.municipality_id
           WHERE o.id = $1 AND (o.region_id = $2 OR o.organisation_id = $3)"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await
}

/// What the offers list can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct OfferFilter {
    pub search: Option<String>,
    pub municipality: Option<MunicipalityId>,
    pub kind: Option<PlacementKind>,
    /// At most this taalicoon.
    pub taalicoon: Option<Taalicoon>,
    /// Index of a weekday (0 = maandag); offers "in overleg" always match.
    pub day: Option<usize>,
    pub free_only: bool,
    pub approval: Option<Approval>,
}

/// A line in the offers list.
#[derive(Debug, Clone)]
pub struct OfferRow {
    pub id: OfferId,
    pub title: String,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub municipality: String,
    pub taalicoon: i16,
    pub places: i32,
    pub taken: i64,
    pub approval: Approval,
    pub state: OfferState,
}

impl OfferRow {
    pub fn free(&self) -> i64 {
        (i64::from(self.places) - self.taken).max(0)
    }

    pub fn taalicoon(&self) -> Taalicoon {
        Taalicoon::from_db(self.taalicoon)
    }
}

/// One page of the offers in `scope`, newest first.
pub async fn list(
    conn: &mut PgConnection,
    scope: Scope,
    filter: &OfferFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<OfferRow>, sqlx::Error> {
    let (region, organisation) = scope.params();
    let day_bit = filter.day.filter(|day| *day < 7).map(|day| 1_i16 << day);
    sqlx::query_as!(
        OfferRow,
        r#"SELECT o.id AS "id: OfferId", o.title, org.name AS organisation_name,
                  o.kind AS "kind: PlacementKind", m.name AS municipality, o.taalicoon, o.places,
                  t.taken AS "taken!", o.approval AS "approval: Approval",
                  o.state AS "state: OfferState"
           FROM offers o
           JOIN organisations org ON org.id = o.organisation_id
           JOIN municipalities m ON m.id = o.municipality_id
           CROSS JOIN LATERAL (
               SELECT count(*) AS taken FROM placements pl
               WHERE pl.offer_id = o.id AND pl.status IN ('gepland', 'lopend')
           ) t
           WHERE (o.region_id = $1 OR o.organisation_id = $2)
             AND ($3::text IS NULL OR o.search_title LIKE $3 OR org.search_name LIKE $3)
             AND ($4::uuid IS NULL OR o.municipality_id = $4)
             AND ($5::placement_kind IS NULL OR o.kind = $5)
             AND ($6::int2 IS NULL OR o.taalicoon <= $6)
             AND ($7::int2 IS NULL OR o.by_arrangement OR o.days = 0 OR o.days & $7 <> 0)
             AND (NOT $8 OR (t.taken < o.places AND o.state = 'open'))
             AND ($9::offer_approval IS NULL OR o.approval = $9)
           ORDER BY o.created_at DESC, o.id
           LIMIT $10 OFFSET $11"#,
        region,
        organisation,
        filter.search.as_deref().map(contains_pattern),
        filter.municipality.map(|m| m.0),
        filter.kind as Option<PlacementKind>,
        filter.taalicoon.map(Taalicoon::db),
        day_bit,
        filter.free_only,
        filter.approval as Option<Approval>,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await
}

/// A municipality an offer can be in: those of the scope's region, by name.
#[derive(Debug, Clone)]
pub struct MunicipalityChoice {
    pub id: MunicipalityId,
    pub name: String,
}

pub async fn municipality_choices(
    conn: &mut PgConnection,
    scope: Scope,
) -> Result<Vec<MunicipalityChoice>, sqlx::Error> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        MunicipalityChoice,
        r#"SELECT m.id AS "id: MunicipalityId", m.name FROM municipalities m
           WHERE m.region_id = $1
              OR m.region_id = (SELECT region_id FROM organisations WHERE id = $2)
           ORDER BY m.name"#,
        region,
        organisation,
    )
    .fetch_all(conn)
    .await
}

// --- Changing ----------------------------------------------------------------------------------

/// What the audit log keeps of an offer.
#[derive(Debug, Serialize)]
struct OfferAudit<'a> {
    organisation_id: OrganisationId,
    title: &'a str,
    kind: PlacementKind,
    municipality_id: MunicipalityId,
    address: &'a str,
    days: i16,
    day_parts: i16,
    by_arrangement: bool,
    places: i32,
    starts_on: String,
    ends_on: String,
    contact_name: &'a str,
    contact_languages: &'a str,
    taalicoon: i16,
    criteria: Criteria,
    criteria_note: &'a str,
    approval: Approval,
    refusal_reason: Option<&'a str>,
    state: OfferState,
}

impl Offer {
    fn audit(&self) -> OfferAudit<'_> {
        OfferAudit {
            organisation_id: self.organisation_id,
            title: &self.title,
            kind: self.kind,
            municipality_id: self.municipality_id,
            address: &self.address,
            days: self.days,
            day_parts: self.day_parts,
            by_arrangement: self.by_arrangement,
            places: self.places,
            starts_on: iso_date(self.starts_on),
            ends_on: iso_date(self.ends_on),
            contact_name: &self.contact_name,
            contact_languages: &self.contact_languages,
            taalicoon: self.taalicoon,
            criteria: self.criteria(),
            criteria_note: &self.criteria_note,
            approval: self.approval,
            refusal_reason: self.refusal_reason.as_deref(),
            state: self.state,
        }
    }
}

async fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: &str,
    before: Option<&Offer>,
    after: &Offer,
) -> Result<(), sqlx::Error> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "offer",
        entity_id: after.id.0,
        participant: None,
    }
    .record(
        conn,
        before.map(Offer::audit).as_ref(),
        Some(&after.audit()),
    )
    .await
}

/// Locks the offer's row for the rest of the transaction and returns it.
pub(super) async fn lock(
    conn: &mut PgConnection,
    id: OfferId,
    scope: Scope,
) -> Result<Offer, OfferError> {
    let (region, organisation) = scope.params();
    sqlx::query!(
        "SELECT id FROM offers WHERE id = $1 AND (region_id = $2 OR organisation_id = $3)
         FOR UPDATE",
        id.0,
        region,
        organisation,
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(OfferError::NotFound)?;
    get(conn, id, scope).await?.ok_or(OfferError::NotFound)
}

/// The municipality must lie in the organisation's region; returns that region.
async fn check_place(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    scope: Scope,
    municipality: MunicipalityId,
) -> Result<RegionId, OfferError> {
    let (region, scoped_organisation) = scope.params();
    let found = sqlx::query!(
        r#"SELECT org.region_id AS "region_id: RegionId",
                  EXISTS (SELECT 1 FROM municipalities m
                          WHERE m.id = $4 AND m.region_id = org.region_id) AS "inside!"
           FROM organisations org
           WHERE org.id = $1 AND org.active AND (org.region_id = $2 OR org.id = $3)"#,
        organisation.0,
        region,
        scoped_organisation,
        municipality.0,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(OfferError::OrganisationMissing)?;
    if found.inside {
        Ok(found.region_id)
    } else {
        Err(OfferError::MunicipalityMissing)
    }
}

/// `sqlx::$query!` with `$lead` as the first parameters, the offer's columns after them and
/// `$trail` last: creating and changing bind the columns in the same order, written down once.
macro_rules! with_columns {
    ($query:ident, $sql:tt, [$($lead:expr),*], $input:ident, [$($trail:expr),*]) => {
        sqlx::$query!(
            $sql,
            $($lead,)*
            $input.title,
            search_key(&$input.title),
            $input.description,
            $input.kind as PlacementKind,
            $input.municipality_id.0,
            $input.address,
            $input.days.db(),
            $input.day_parts.db(),
            $input.by_arrangement,
            $input.places,
            $input.period.starts_on(),
            $input.period.ends_on(),
            $input.contact_name,
            $input
                .contact_email
                .as_ref()
                .map(Email::as_str)
                .unwrap_or_default(),
            $input.contact_phone,
            $input.contact_languages,
            $input.taalicoon.db(),
            $input.criteria.contact,
            $input.criteria.dutch_setting,
            $input.criteria.new_contacts,
            $input.criteria.unpaid,
            $input.criteria_note,
            $($trail,)*
        )
    };
}

/// Creates a `voorgesteld` offer of `organisation`, which must lie inside `scope`.
pub async fn create(
    conn: &mut PgConnection,
    actor: UserId,
    scope: Scope,
    organisation: OrganisationId,
    input: &OfferInput,
) -> Result<OfferId, OfferError> {
    let region = check_place(&mut *conn, organisation, scope, input.municipality_id).await?;
    let id = with_columns!(
        query_scalar,
        r#"INSERT INTO offers (organisation_id, region_id, title, search_title, description, kind,
               municipality_id, address, days, day_parts, by_arrangement, places, starts_on,
               ends_on, contact_name, contact_email, contact_phone, contact_languages, taalicoon,
               meets_contact, meets_dutch_setting, meets_new_contacts, meets_unpaid, criteria_note)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21, $22, $23, $24)
           RETURNING id AS "id: OfferId""#,
        [organisation.0, region.0],
        input,
        []
    )
    .fetch_one(&mut *conn)
    .await?;
    let after = get(&mut *conn, id, scope)
        .await?
        .ok_or(OfferError::NotFound)?;
    audit(conn, actor, "aangemaakt", None, &after).await?;
    Ok(id)
}

/// Changes an offer inside `scope`. When the partner changes it, it goes back to
/// `voorgesteld`: what the coordinator approved is no longer what is offered.
pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    scope: Scope,
    id: OfferId,
    input: &OfferInput,
) -> Result<(), OfferError> {
    let before = lock(&mut *conn, id, scope).await?;
    check_place(
        &mut *conn,
        before.organisation_id,
        scope,
        input.municipality_id,
    )
    .await?;
    let needs_approval_again = matches!(scope, Scope::Organisation(_))
        || (before.approval == Approval::Goedgekeurd && !input.criteria.all_met());
    with_columns!(
        query,
        r#"UPDATE offers SET title = $2, search_title = $3, description = $4, kind = $5,
               municipality_id = $6, address = $7, days = $8, day_parts = $9, by_arrangement = $10,
               places = $11, starts_on = $12, ends_on = $13, contact_name = $14,
               contact_email = $15, contact_phone = $16, contact_languages = $17, taalicoon = $18,
               meets_contact = $19, meets_dutch_setting = $20, meets_new_contacts = $21,
               meets_unpaid = $22, criteria_note = $23,
               approval = CASE WHEN $24 THEN 'voorgesteld' ELSE approval END,
               refusal_reason = CASE WHEN $24 THEN NULL ELSE refusal_reason END,
               updated_at = now()
           WHERE id = $1"#,
        [id.0],
        input,
        [needs_approval_again]
    )
    .execute(&mut *conn)
    .await?;
    let after = get(&mut *conn, id, scope)
        .await?
        .ok_or(OfferError::NotFound)?;
    audit(conn, actor, "gewijzigd", Some(&before), &after).await?;
    Ok(())
}

/// Pauses, reopens or closes an offer inside `scope`.
pub async fn set_state(
    conn: &mut PgConnection,
    actor: UserId,
    scope: Scope,
    id: OfferId,
    next: OfferState,
) -> Result<(), OfferError> {
    let before = lock(&mut *conn, id, scope).await?;
    if !before.state.next().contains(&next) {
        return Err(OfferError::StateChange {
            from: before.state,
            to: next,
        });
    }
    sqlx::query!(
        "UPDATE offers SET state = $2, updated_at = now() WHERE id = $1",
        id.0,
        next as OfferState,
    )
    .execute(&mut *conn)
    .await?;
    let after = Offer {
        state: next,
        ..before.clone()
    };
    audit(conn, actor, "status gewijzigd", Some(&before), &after).await?;
    Ok(())
}

/// A coordinator's decision on a `voorgesteld` offer of their region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Refuse { reason: String },
}

impl Decision {
    pub fn refuse(reason: &str) -> Result<Self, OfferError> {
        required(reason, LONG_TEXT_MAX, OfferError::RefusalReasonMissing)
            .map(|reason| Self::Refuse { reason })
    }
}

/// Approves an offer against the criteria, or refuses it with a reason. Only an offer that
/// meets every criterion can be approved; a refused offer can be approved after all (the
/// partner may have explained), an approved one can be refused (it changed in practice).
pub async fn decide(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: OfferId,
    decision: &Decision,
) -> Result<(), OfferError> {
    let scope = Scope::Region(region);
    let before = lock(&mut *conn, id, scope).await?;
    let (approval, reason) = match decision {
        Decision::Approve => {
            if !before.criteria().all_met() {
                return Err(OfferError::CriteriaNotMet);
            }
            (Approval::Goedgekeurd, None)
        }
        Decision::Refuse { reason } => (Approval::Geweigerd, Some(reason.as_str())),
    };
    if before.approval == approval {
        return Err(OfferError::AlreadyDecided(approval));
    }
    sqlx::query!(
        "UPDATE offers SET approval = $2, refusal_reason = $3, decided_by = $4, decided_at = now(),
             updated_at = now()
         WHERE id = $1",
        id.0,
        approval as Approval,
        reason,
        actor.0,
    )
    .execute(&mut *conn)
    .await?;
    let after = Offer {
        approval,
        refusal_reason: reason.map(str::to_string),
        ..before.clone()
    };
    let action = match approval {
        Approval::Goedgekeurd => "goedgekeurd",
        _ => "geweigerd",
    };
    audit(conn, actor, action, Some(&before), &after).await?;
    Ok(())
}
