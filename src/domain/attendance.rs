//! Attendance at the door: a logged-in partner registers a group at once (a taalcafé, a group
//! activity) for one of their offers or one placement, by the attendance code on each
//! inburgeraar's card or from a list. Every entry goes through the hour rules of
//! `domain::hours` (period, 12 hours a day, not in the future) and counts as confirmed by the
//! partner; whoever cannot be registered is named with the reason, the others are registered
//! together with one `attendance_sessions` row.
//!
//! The attendance code is the card's second code. Only its hash is stored; it is looked up only
//! among the people of the session the partner opened, so a code of someone without a placement
//! there answers exactly like a code that does not exist.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use crate::domain::audit::AuditEntry;
use crate::domain::certificate::VerifyCode;
use crate::domain::confirmation::hash_token;
use crate::domain::hours::{self, EntriesError, EntryError, NewEntries};
use crate::values::dates::iso_date;
use crate::values::duration::Minutes;
use crate::values::ids::{OfferId, OrganisationId, ParticipantId, PlacementId, UserId};
use crate::values::period::Scope;

/// What a registration at the door is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Everyone with a running placement on one of the organisation's offers.
    Offer(OfferId),
    /// One placement: that one person.
    Placement(PlacementId),
}

/// The offer or placement a session page is about, as the partner sees it.
#[derive(Debug, Clone)]
pub struct SessionTitle {
    pub title: String,
    /// A placement is about one person: their name, shown in `<bdi>`.
    pub is_person: bool,
}

/// One person who can be registered: a running placement of the session.
#[derive(Debug, Clone)]
pub struct Attendee {
    pub placement_id: PlacementId,
    pub participant_id: ParticipantId,
    pub name: String,
    code_hash: Vec<u8>,
}

/// An open offer to choose on the overview, with how many people run a placement on it.
#[derive(Debug, Clone)]
pub struct OfferChoice {
    pub id: OfferId,
    pub title: String,
    pub running: i64,
}

/// A running placement to choose on the overview.
#[derive(Debug, Clone)]
pub struct PlacementChoice {
    pub id: PlacementId,
    pub participant_name: String,
    pub offer_title: Option<String>,
}

/// The offer or placement, when it belongs to the organisation.
pub async fn session_title(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    target: Target,
) -> Result<Option<SessionTitle>, sqlx::Error> {
    let title = match target {
        Target::Offer(id) => {
            sqlx::query_scalar!(
                "SELECT title FROM offers WHERE id = $1 AND organisation_id = $2",
                id.0,
                organisation.0
            )
            .fetch_optional(conn)
            .await?
        }
        Target::Placement(id) => {
            sqlx::query_scalar!(
            "SELECT p.full_name FROM placements pl JOIN participants p ON p.id = pl.participant_id
             WHERE pl.id = $1 AND pl.organisation_id = $2",
            id.0,
            organisation.0
        )
            .fetch_optional(conn)
            .await?
        }
    };
    Ok(title.map(|title| SessionTitle {
        title,
        is_person: matches!(target, Target::Placement(_)),
    }))
}

/// The people of a session: running (planned or ongoing) placements of active participants at
/// the organisation, on the offer or the one placement, by name.
pub async fn attendees(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    target: Target,
) -> Result<Vec<Attendee>, sqlx::Error> {
    let (offer, placement) = match target {
        Target::Offer(id) => (Some(id.0), None),
        Target::Placement(id) => (None, Some(id.0)),
    };
    sqlx::query_as!(
        Attendee,
        r#"SELECT pl.id AS "placement_id: PlacementId", p.id AS "participant_id: ParticipantId",
                  p.full_name AS name, p.attendance_code_hash AS code_hash
           FROM placements pl JOIN participants p ON p.id = pl.participant_id
           WHERE pl.organisation_id = $1
             AND pl.status IN ('gepland', 'lopend') AND p.status = 'actief'
             AND ($2::uuid IS NULL OR pl.offer_id = $2)
             AND ($3::uuid IS NULL OR pl.id = $3)
           ORDER BY p.full_name, pl.id"#,
        organisation.0,
        offer,
        placement,
    )
    .fetch_all(conn)
    .await
}

/// The overview: the organisation's open offers and its running placements.
pub async fn choices(
    conn: &mut PgConnection,
    organisation: OrganisationId,
) -> Result<(Vec<OfferChoice>, Vec<PlacementChoice>), sqlx::Error> {
    let offers = sqlx::query_as!(
        OfferChoice,
        r#"SELECT o.id AS "id: OfferId", o.title,
                  (SELECT count(*) FROM placements pl JOIN participants p ON p.id = pl.participant_id
                   WHERE pl.offer_id = o.id AND pl.organisation_id = o.organisation_id
                     AND pl.status IN ('gepland', 'lopend') AND p.status = 'actief') AS "running!"
           FROM offers o
           WHERE o.organisation_id = $1 AND o.state = 'open'
           ORDER BY o.title, o.id"#,
        organisation.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let placements = sqlx::query_as!(
        PlacementChoice,
        r#"SELECT pl.id AS "id: PlacementId", p.full_name AS participant_name,
                  o.title AS "offer_title?"
           FROM placements pl JOIN participants p ON p.id = pl.participant_id
           LEFT JOIN offers o ON o.id = pl.offer_id
           WHERE pl.organisation_id = $1
             AND pl.status IN ('gepland', 'lopend') AND p.status = 'actief'
           ORDER BY p.full_name, pl.id"#,
        organisation.0
    )
    .fetch_all(conn)
    .await?;
    Ok((offers, placements))
}

/// The attendee a typed or scanned code names, among the people of this session only.
pub fn find_by_code<'a>(attendees: &'a [Attendee], code: &VerifyCode) -> Option<&'a Attendee> {
    let hash = hash_token(code.as_str());
    attendees.iter().find(|a| a.code_hash == hash)
}

/// Makes a new attendance code for a participant of the region (the old card's code stops
/// working) and returns it: it is stored only as a hash, so print it now. Audited.
pub async fn renew_code(
    conn: &mut PgConnection,
    actor: UserId,
    participant: ParticipantId,
) -> Result<VerifyCode, sqlx::Error> {
    let code = VerifyCode::generate();
    sqlx::query!(
        "UPDATE participants SET attendance_code_hash = $2 WHERE id = $1",
        participant.0,
        hash_token(code.as_str()),
    )
    .execute(&mut *conn)
    .await?;
    AuditEntry {
        actor: Some(actor),
        action: "aanwezigheidscode vernieuwd",
        entity: "participant",
        entity_id: participant.0,
        participant: Some(participant),
    }
    .record::<(), ()>(conn, None, None)
    .await?;
    Ok(code)
}

/// A registration at the door, as the partner submitted it.
pub struct Registration<'a> {
    pub organisation: OrganisationId,
    pub registered_by: UserId,
    pub target: Target,
    pub worked_on: Date,
    pub minutes: Minutes,
    /// The people chosen, from the list or by their code; each once.
    pub people: &'a [Attendee],
    /// What the entries say: the offer's title, for the history.
    pub description: String,
}

/// One person the rules refused, with every reason.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub placement_id: PlacementId,
    pub name: String,
    pub reasons: Vec<EntryError>,
}

/// What became of a registration: the names registered and the refusals.
#[derive(Debug, Default)]
pub struct Registered {
    pub session: Option<Uuid>,
    pub names: Vec<String>,
    pub refused: Vec<Refusal>,
}

#[derive(Serialize)]
struct SessionAudit {
    offer_id: Option<OfferId>,
    placement_id: Option<PlacementId>,
    worked_on: String,
    minutes: i32,
    placements: Vec<PlacementId>,
}

/// Registers everyone the rules accept, each entry confirmed by the partner and audited, with
/// one session row and its audit row. Run it in a transaction: when nobody is registered
/// (`session` is `None`) roll it back, so that nothing is written.
pub async fn register(
    conn: &mut PgConnection,
    registration: &Registration<'_>,
    today: Date,
) -> Result<Registered, sqlx::Error> {
    let (offer, placement) = match registration.target {
        Target::Offer(id) => (Some(id.0), None),
        Target::Placement(id) => (None, Some(id.0)),
    };
    let session = sqlx::query_scalar!(
        "INSERT INTO attendance_sessions (organisation_id, offer_id, placement_id, worked_on, minutes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        registration.organisation.0,
        offer,
        placement,
        registration.worked_on,
        registration.minutes.get(),
        registration.registered_by.0,
    )
    .fetch_one(&mut *conn)
    .await?;
    // The participants' rows are locked in one order, so that two sessions at once cannot
    // deadlock on the same people.
    let mut people: Vec<&Attendee> = registration.people.iter().collect();
    people.sort_by_key(|person| (person.participant_id.0, person.placement_id.0));
    let mut outcome = Registered::default();
    let mut registered = Vec::new();
    for person in people {
        let command = NewEntries {
            placement: person.placement_id,
            scope: Scope::Organisation(registration.organisation),
            logged_by: registration.registered_by,
            dates: vec![registration.worked_on],
            minutes: registration.minutes,
            description: registration.description.clone(),
            attendance_session: Some(session),
        };
        match hours::log_entries(&mut *conn, &command, today).await {
            Ok(_) => registered.push(person),
            Err(EntriesError::Refused(reasons)) => outcome.refused.push(Refusal {
                placement_id: person.placement_id,
                name: person.name.clone(),
                reasons,
            }),
            // Placements that were on the page and are gone since: not registered, said so.
            Err(EntriesError::NotFound) => outcome.refused.push(Refusal {
                placement_id: person.placement_id,
                name: person.name.clone(),
                reasons: vec![EntryError::PlacementCancelled],
            }),
            Err(EntriesError::Database(error)) => return Err(error),
        }
    }
    if registered.is_empty() {
        return Ok(outcome);
    }
    // In the order of the list the partner saw.
    outcome.names = registration
        .people
        .iter()
        .filter(|person| {
            registered
                .iter()
                .any(|r| r.placement_id == person.placement_id)
        })
        .map(|person| person.name.clone())
        .collect();
    AuditEntry {
        actor: Some(registration.registered_by),
        action: "aanwezigheid geregistreerd",
        entity: "attendance_session",
        entity_id: session,
        participant: None,
    }
    .record::<(), _>(
        &mut *conn,
        None,
        Some(&SessionAudit {
            offer_id: offer.map(OfferId),
            placement_id: placement.map(PlacementId),
            worked_on: iso_date(registration.worked_on),
            minutes: registration.minutes.get(),
            placements: registered.iter().map(|p| p.placement_id).collect(),
        }),
    )
    .await?;
    outcome.session = Some(session);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attendee(name: &str, code: &VerifyCode) -> Attendee {
        Attendee {
            placement_id: PlacementId(Uuid::new_v4()),
            participant_id: ParticipantId(Uuid::new_v4()),
            name: name.to_string(),
            code_hash: hash_token(code.as_str()),
        }
    }

    #[test]
    fn a_code_finds_only_someone_of_the_session() {
        let (ahmed, olena, elsewhere) = (
            VerifyCode::generate(),
            VerifyCode::generate(),
            VerifyCode::generate(),
        );
        let people = [attendee("Ahmed", &ahmed), attendee("Olena", &olena)];
        assert_eq!(
            find_by_code(&people, &olena).map(|a| a.name.as_str()),
            Some("Olena")
        );
        let typed = VerifyCode::parse(&ahmed.grouped().to_lowercase()).expect("typed code");
        assert_eq!(
            find_by_code(&people, &typed).map(|a| a.name.as_str()),
            Some("Ahmed")
        );
        assert!(find_by_code(&people, &elsewhere).is_none());
    }
}
