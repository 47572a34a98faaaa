//! What the partner's home page and the personal link pages share: pending entries grouped by
//! placement, a rejection's problem, and deciding one entry or all shown of a placement.

use serde::Deserialize;
use tower_sessions::Session;

use crate::domain::confirmation::{self, Decider, Decision, DecisionOutcome, PendingEntry};
use crate::error::AppError;
use crate::values::dates::{format_date, format_moment};
use crate::values::duration::format_minutes;
use crate::values::ids::{EntryId, PlacementId};
use crate::values::kinds::PlacementKind;
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;

/// The entries of one placement, waiting for a decision.
pub struct PendingGroup {
    pub placement_id: PlacementId,
    pub participant_name: String,
    pub kind: PlacementKind,
    pub entries: Vec<PendingEntry>,
    pub total: String,
    /// `id:version,…` of the entries shown, for "confirm all".
    pub shown: String,
}

pub(super) fn group(entries: Vec<PendingEntry>) -> Vec<PendingGroup> {
    let mut groups: Vec<PendingGroup> = Vec::new();
    for entry in entries {
        match groups.last_mut() {
            Some(last) if last.placement_id == entry.placement_id => last.entries.push(entry),
            _ => groups.push(PendingGroup {
                placement_id: entry.placement_id,
                participant_name: entry.participant_name.clone(),
                kind: entry.kind,
                entries: vec![entry],
                total: String::new(),
                shown: String::new(),
            }),
        }
    }
    for group in &mut groups {
        group.total = format_minutes(group.entries.iter().map(|e| i64::from(e.minutes)).sum());
        group.shown = group
            .entries
            .iter()
            .map(|e| format!("{}:{}", e.id, e.version))
            .collect::<Vec<_>>()
            .join(",");
    }
    groups
}

/// A rejection without a reason, shown next to its entry.
#[derive(Default)]
pub struct RejectProblem {
    pub entry: Option<EntryId>,
    pub message: String,
    pub typed: String,
}

impl RejectProblem {
    pub fn is_for(&self, entry: &EntryId) -> bool {
        self.entry.as_ref() == Some(entry)
    }
}

/// Formatting helpers the entry templates call.
pub trait EntryFormat {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }
    fn minutes(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }
    fn moment(&self, at: &time::OffsetDateTime) -> String {
        format_moment(*at)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DecisionForm {
    pub(super) version: String,
    pub(super) reason: String,
    /// The page of the partner's list the form was on, to show it again with the error.
    pub(super) pagina: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ConfirmAllForm {
    pub(super) entries: String,
}

pub(super) fn parse_version(raw: &str) -> Result<i32, AppError> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// `id:version,…` as the page sent it.
pub(super) fn parse_shown(raw: &str) -> Vec<(EntryId, i32)> {
    raw.split(',')
        .filter_map(|pair| {
            let (id, version) = pair.split_once(':')?;
            Some((
                EntryId(id.trim().parse().ok()?),
                version.trim().parse().ok()?,
            ))
        })
        .collect()
}

/// Decides one entry in its own transaction and says what happened (`done` when it was decided
/// now).
pub(super) async fn decide_one(
    app: &AppState,
    session: &Session,
    decider: &Decider<'_>,
    entry: EntryId,
    version: i32,
    decision: &Decision,
    done: &str,
) -> Result<(), AppError> {
    let mut tx = app.pool.begin().await?;
    let outcome = confirmation::decide(&mut tx, decider, entry, version, decision).await?;
    tx.commit().await?;
    let (kind, text) = match outcome {
        DecisionOutcome::Done => (FlashKind::Success, done.to_string()),
        DecisionOutcome::AlreadyDecided => (
            FlashKind::Success,
            "Deze uren waren intussen al behandeld; er is niets gewijzigd.".to_string(),
        ),
        DecisionOutcome::Changed => (
            FlashKind::Error,
            "Deze uren werden intussen gewijzigd door de begeleider. Bekijk ze opnieuw en beslis dan."
                .to_string(),
        ),
        DecisionOutcome::NotFound => return Err(AppError::NotFound),
    };
    session::flash(session, kind, text).await
}

/// Decides every entry in `shown`, in one transaction; reports the tally.
/// Confirms the entries shown of one placement: an entry of another placement in the form is
/// not of this page, and the whole request is not found.
pub(super) async fn confirm_many(
    app: &AppState,
    session: &Session,
    decider: &Decider<'_>,
    placement: PlacementId,
    shown: &[(EntryId, i32)],
) -> Result<(), AppError> {
    let mut tx = app.pool.begin().await?;
    let ids: Vec<EntryId> = shown.iter().map(|(entry, _)| *entry).collect();
    if !confirmation::all_of_placement(&mut tx, placement, &ids).await? {
        return Err(AppError::NotFound);
    }
    let (mut done, mut already, mut changed) = (0, 0, 0);
    for (entry, version) in shown {
        match confirmation::decide(&mut tx, decider, *entry, *version, &Decision::Confirm).await? {
            DecisionOutcome::Done => done += 1,
            DecisionOutcome::AlreadyDecided => already += 1,
            DecisionOutcome::Changed => changed += 1,
            DecisionOutcome::NotFound => return Err(AppError::NotFound),
        }
    }
    tx.commit().await?;
    let mut text = match done {
        1 => "1 prestatie bevestigd.".to_string(),
        n => format!("{n} prestaties bevestigd."),
    };
    if already > 0 {
        text.push_str(&format!(" {already} waren intussen al behandeld."));
    }
    if changed > 0 {
        text.push_str(&format!(
            " {changed} werden intussen gewijzigd: bekijk die opnieuw en beslis dan."
        ));
    }
    let kind = if changed > 0 {
        FlashKind::Error
    } else {
        FlashKind::Success
    };
    session::flash(session, kind, text).await
}
