//! Taking a place in an offer: the offer row locked first, so the last place goes once.

use sqlx::PgConnection;
use time::Date;

use super::input::OfferError;
use super::store::lock;
use super::{Approval, OfferState};
use crate::domain::placement::{self, Contact, PlacementInput};
use crate::domain::user::Email;
use crate::values::ids::{OfferId, ParticipantId, PlacementId, RegionId, UserId};
use crate::values::period::{Period, Scope};

/// The planned hours of a placement taken from the catalogue: the trajectory's 40.
const PLANNED_MINUTES: i32 = 40 * 60;

/// Takes a place in an offer for a participant of `region`: a `gepland` placement from the
/// later of today and the offer's start to the offer's end. The offer row is locked first,
/// so the free places counted next cannot be taken by anyone else before this commits.
pub async fn take_place(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    participant: ParticipantId,
    id: OfferId,
    today: Date,
) -> Result<PlacementId, OfferError> {
    let someone = placement::participant_in_region(&mut *conn, participant, region)
        .await?
        .ok_or(OfferError::NotFound)?;
    if !someone.active {
        return Err(OfferError::ParticipantNotActive);
    }
    let offer = lock(&mut *conn, id, Scope::Region(region)).await?;
    if offer.approval != Approval::Goedgekeurd
        || offer.state != OfferState::Open
        || offer.ends_on < today
    {
        return Err(OfferError::NotAvailable);
    }
    let already = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM placements WHERE offer_id = $1 AND participant_id = $2
                          AND status IN ('gepland', 'lopend')) AS "exists!""#,
        id.0,
        participant.0,
    )
    .fetch_one(&mut *conn)
    .await?;
    if already {
        return Err(OfferError::AlreadyPlaced);
    }
    if offer.free() == 0 {
        return Err(OfferError::Full);
    }
    let period = Period::new(offer.starts_on.max(today), offer.ends_on)
        .map_err(|_| OfferError::NotAvailable)?;
    let input = PlacementInput {
        organisation_id: offer.organisation_id,
        kind: offer.kind,
        period,
        planned: crate::values::duration::Minutes::new(PLANNED_MINUTES)
            .ok_or(OfferError::NotAvailable)?,
        contact: Contact {
            user_id: None,
            name: offer.contact_name.clone(),
            email: Email::parse(&offer.contact_email).ok(),
            phone: offer.contact_phone.clone(),
        },
        description: offer.title.clone(),
        criteria: None,
    };
    placement::create(&mut *conn, actor, region, participant, &input, Some(id))
        .await
        .map_err(|error| match error {
            placement::PlacementError::Database(error) => OfferError::Database(error),
            placement::PlacementError::NotFound => OfferError::NotFound,
            _ => OfferError::NotAvailable,
        })
}
