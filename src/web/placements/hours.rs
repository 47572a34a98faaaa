//! Hours on a placement: the log-hours form and its submission (shared with the partner's
//! placement page), and editing or deleting hours that still wait for the partner.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::{Connection, PgConnection};
use tower_sessions::Session;

use super::{placement_path, scoped_placement};
use crate::domain::confirmation;
use crate::domain::hours::{
    self, EntriesError, EntryChange, EntryError, NewEntries, parse_dates, parse_entry_minutes,
};
use crate::domain::placement::Placement;
use crate::domain::submission::{Claim, Submission};
use crate::error::AppError;
use crate::values::dates::{format_date, iso_date, parse_date, today};
use crate::values::ids::{EntryId, PlacementId, RegionId};
use crate::values::kinds::EntryStatus;
use crate::values::period::Scope;
use crate::web::forms::{FieldErrors, PathId};
use crate::web::layout::Layout;
use crate::web::session::{self, CaseworkUser, FlashKind};
use crate::web::state::AppState;

/// The log-hours form as typed.
#[derive(Debug, Default, Deserialize)]
pub(in crate::web) struct LogForm {
    #[serde(default)]
    pub dates: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub description: String,
}

impl LogForm {
    /// A fresh form: today's date when the placement runs today.
    pub fn fresh(placement: &Placement) -> Self {
        let today = today();
        Self {
            dates: if placement.period().contains(today) {
                format_date(today)
            } else {
                String::new()
            },
            ..Self::default()
        }
    }
}

/// The log-hours form with what was typed and its messages, for the template.
pub(in crate::web) struct LogView {
    pub form: LogForm,
    pub errors: FieldErrors,
    /// Every message about the dates, one per bad date, shown under the dates field.
    pub date_errors: Vec<String>,
    pub action: String,
    /// What happens to the hours once logged: pending for staff, confirmed for a partner.
    pub note: &'static str,
}

impl LogView {
    pub fn new(form: LogForm, errors: FieldErrors, action: String, scope: Scope) -> Self {
        let date_errors = errors
            .all()
            .iter()
            .filter(|(field, _)| *field == LOG_DATES)
            .map(|(_, message)| message.clone())
            .collect();
        let note = match scope {
            Scope::Region(_) => {
                "Uren die u registreert, wachten op bevestiging door de partnerorganisatie."
            }
            Scope::Organisation(_) => "Uren die u hier registreert, zijn meteen door u bevestigd.",
        };
        Self {
            form,
            errors,
            date_errors,
            action,
            note,
        }
    }
}

const LOG_DATES: &str = "dates";
const REPEATED_HOURS: &str =
    "Dit formulier was al verstuurd: deze uren zijn één keer geregistreerd, niet twee keer.";
const LOG_MINUTES: &str = "minutes";
/// Messages about the placement or the entry as a whole point at the form itself.
const LOG_FORM: &str = "uren";

/// The field a problem belongs next to: the dates (named `dates_field` on this form), the
/// duration, or the form as a whole for the placement, the participant or the entry.
fn entry_field(problem: &EntryError, dates_field: &'static str) -> &'static str {
    use EntryError as E;
    match problem {
        E::NoDates
        | E::TooManyDates
        | E::UnreadableDate(_)
        | E::DuplicateDate(_)
        | E::BeforeStart { .. }
        | E::AfterEnd { .. }
        | E::InFuture(_)
        | E::DayLimit { .. } => dates_field,
        E::Duration(_) | E::LongerThanADay => LOG_MINUTES,
        E::PlacementCancelled
        | E::ParticipantNotActive
        | E::NotPending(_)
        | E::ChangedMeanwhile => LOG_FORM,
    }
}

fn add_entry_errors(
    errors: &mut FieldErrors,
    problems: Vec<EntryError>,
    dates_field: &'static str,
) {
    for problem in problems {
        errors.add(entry_field(&problem, dates_field), problem);
    }
}

/// What became of typed hours.
pub(in crate::web) enum Logged {
    /// Logged (or a repeat of a form already logged, which logs nothing): the flash to show.
    Saved(String),
    /// Nothing was written: the form must be shown again with these errors.
    Refused(FieldErrors),
}

/// Logs the typed hours on a placement the caller may see (`NotFound` otherwise), in a
/// transaction on `conn`. The placement is read only when the form is unreadable; otherwise the
/// domain reads it, locked, in the transaction.
pub(in crate::web) async fn submit_hours(
    app: &AppState,
    conn: &mut PgConnection,
    placement: PlacementId,
    scope: Scope,
    submission: &Submission,
    form: &LogForm,
) -> Result<Logged, AppError> {
    let logged_by = submission.user;
    let mut errors = FieldErrors::default();
    let (dates, readable) = match parse_dates(&form.dates) {
        Ok(dates) => (Some(dates.clone()), dates),
        Err(refused) => {
            add_entry_errors(&mut errors, refused.errors, LOG_DATES);
            (None, refused.readable)
        }
    };
    let minutes = errors.check(LOG_MINUTES, parse_entry_minutes(&form.minutes));
    let (Some(dates), Some(minutes)) = (dates, minutes) else {
        // Everything that can be checked without the database, so one answer names every
        // problem; the day limit needs a readable duration and waits for the next try.
        let placement = scoped_placement(conn, placement, scope).await?;
        let mut problems = hours::check_open(placement.status, placement.participant_active);
        let (period, today) = (placement.period(), today());
        problems.extend(
            readable
                .into_iter()
                .filter_map(|date| hours::check_date(date, period, today).err()),
        );
        add_entry_errors(&mut errors, problems, LOG_DATES);
        return Ok(Logged::Refused(errors));
    };
    let command = NewEntries {
        placement,
        scope,
        logged_by,
        dates,
        minutes,
        description: form.description.trim().to_string(),
        attendance_session: None,
    };
    let mut tx = conn.begin().await?;
    // Both answers lead back to the placement: a repeat needs no stored address.
    if let Claim::Repeat { .. } = submission.claim(&mut tx).await? {
        return Ok(Logged::Saved(REPEATED_HOURS.to_string()));
    }
    match hours::log_entries(&mut tx, &command, today()).await {
        Ok(ids) => {
            // Hours a coach logs wait for the partner: mail the contact a personal link.
            if !command.counts_as_confirmed() {
                confirmation::notify_contact_of_new_entries(
                    &mut tx,
                    &app.config.base_url(),
                    placement,
                )
                .await?;
            }
            tx.commit().await?;
            let confirmed = if command.counts_as_confirmed() {
                " en bevestigd"
            } else {
                ""
            };
            Ok(Logged::Saved(match command.dates.as_slice() {
                [date] => format!(
                    "{minutes} geregistreerd{confirmed} op {}.",
                    format_date(*date)
                ),
                _ => format!(
                    "{} keer {minutes} geregistreerd{confirmed}, op {}.",
                    ids.len(),
                    command
                        .dates
                        .iter()
                        .map(|date| format_date(*date))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }))
        }
        Err(EntriesError::Refused(problems)) => {
            add_entry_errors(&mut errors, problems, LOG_DATES);
            Ok(Logged::Refused(errors))
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EntryForm {
    #[serde(default)]
    worked_on: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    version: String,
}

const ENTRY_DATE: &str = "worked_on";

#[derive(Template, WebTemplate)]
#[template(path = "placements/entry_form.html")]
struct EntryFormPage {
    layout: Layout,
    entry: hours::Entry,
    form: EntryForm,
    errors: FieldErrors,
}

async fn scoped_entry(
    conn: &mut PgConnection,
    id: EntryId,
    region: RegionId,
) -> Result<hours::Entry, AppError> {
    hours::get_entry(conn, id, Scope::Region(region))
        .await?
        .ok_or(AppError::NotFound)
}

/// The status the store found when it refused because the entry was decided in the meantime.
fn decided_since(problems: &[EntryError]) -> Option<EntryStatus> {
    problems.iter().find_map(|problem| match problem {
        EntryError::NotPending(status) => Some(*status),
        _ => None,
    })
}

/// A decided entry cannot change: back to its placement with the reason.
async fn refuse_decided(
    session: &Session,
    placement: PlacementId,
    status: EntryStatus,
) -> Result<Response, AppError> {
    let message = EntryError::NotPending(status).to_string();
    session::flash(session, FlashKind::Error, message).await?;
    Ok(Redirect::to(&placement_path(placement)).into_response())
}

pub(super) async fn edit_entry_page(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<EntryId>,
) -> Result<Response, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let entry = scoped_entry(&mut conn, id, region).await?;
    if !entry.status.is_pending() {
        return refuse_decided(&session, entry.placement_id, entry.status).await;
    }
    let form = EntryForm {
        worked_on: iso_date(entry.worked_on),
        minutes: entry.duration_text().replace(' ', ""),
        description: entry.description.clone(),
        version: entry.version.to_string(),
    };
    Ok(EntryFormPage {
        layout,
        entry,
        form,
        errors: FieldErrors::default(),
    }
    .into_response())
}

pub(super) async fn update_entry(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<EntryId>,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let entry = scoped_entry(&mut conn, id, region).await?;
    if !entry.status.is_pending() {
        return refuse_decided(&session, entry.placement_id, entry.status).await;
    }
    let mut errors = FieldErrors::default();
    let worked_on = errors.check(ENTRY_DATE, parse_date(&form.worked_on));
    let minutes = errors.check(LOG_MINUTES, parse_entry_minutes(&form.minutes));
    if let (Some(worked_on), Some(minutes)) = (worked_on, minutes) {
        let change = EntryChange {
            entry: entry.id,
            scope: Scope::Region(region),
            changed_by: user.user.id,
            // An unreadable version cannot match: the form is treated as outdated.
            version: form.version.trim().parse().unwrap_or(-1),
            worked_on,
            minutes,
            description: form.description.trim().to_string(),
        };
        let mut tx = conn.begin().await?;
        match hours::update_entry(&mut tx, &change, today()).await {
            Ok(()) => {
                tx.commit().await?;
                session::flash(&session, FlashKind::Success, "De uren zijn gewijzigd.").await?;
                return Ok(Redirect::to(&placement_path(entry.placement_id)).into_response());
            }
            Err(EntriesError::Refused(problems)) => {
                if let Some(status) = decided_since(&problems) {
                    return refuse_decided(&session, entry.placement_id, status).await;
                }
                add_entry_errors(&mut errors, problems, ENTRY_DATE);
            }
            Err(error) => return Err(error.into()),
        }
    }
    let page = EntryFormPage {
        layout,
        entry,
        form,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub(super) async fn delete_entry(
    user: CaseworkUser,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<EntryId>,
) -> Result<Response, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let entry = scoped_entry(&mut conn, id, region).await?;
    let mut tx = conn.begin().await?;
    match hours::delete_entry(&mut tx, entry.id, Scope::Region(region), user.user.id).await {
        Ok(()) => {
            tx.commit().await?;
            let message = format!(
                "De uren van {} ({}) zijn verwijderd.",
                entry.date_text(),
                entry.duration_text()
            );
            session::flash(&session, FlashKind::Success, message).await?;
            Ok(Redirect::to(&placement_path(entry.placement_id)).into_response())
        }
        Err(EntriesError::Refused(problems)) => {
            let status = decided_since(&problems).unwrap_or(entry.status);
            refuse_decided(&session, entry.placement_id, status).await
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hours::parse_entry_minutes;

    #[test]
    fn problems_land_next_to_the_dates_or_the_minutes() {
        let refused = parse_dates("23/11/2026\n31/02/2026\nvolgende week\n23/11/2026").unwrap_err();
        assert!(
            refused
                .errors
                .iter()
                .all(|e| entry_field(e, LOG_DATES) == LOG_DATES)
        );
        assert_eq!(
            entry_field(&parse_entry_minutes("twee").unwrap_err(), LOG_DATES),
            LOG_MINUTES
        );
    }
}
