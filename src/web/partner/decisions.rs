//! What the partner's home page and the personal link pages share: pending entries grouped by
//! placement, a rejection's or a correction's problem, and deciding one entry or all shown of
//! a placement.

use serde::Deserialize;
use tower_sessions::Session;

use crate::domain::confirmation::{
    self, CorrectionReason, Decider, Decision, DecisionOutcome, PendingEntry, RejectionReason,
};
use crate::domain::hours::parse_entry_minutes;
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

/// A rejection without a reason, or a correction the page refused, shown next to its entry
/// with what was typed.
#[derive(Default)]
pub struct DecisionProblem {
    pub entry: Option<EntryId>,
    /// The reason's message (empty when the reason was fine).
    pub message: String,
    /// The reason as typed.
    pub typed: String,
    /// The problem is of the "another duration" form, not of the rejection.
    pub correcting: bool,
    pub duration_message: String,
    pub typed_duration: String,
}

impl DecisionProblem {
    /// A problem of the rejection form of `entry`.
    pub fn is_for(&self, entry: &EntryId) -> bool {
        self.entry.as_ref() == Some(entry) && !self.correcting
    }

    /// A problem of the "another duration" form of `entry`.
    pub fn is_correcting(&self, entry: &EntryId) -> bool {
        self.entry.as_ref() == Some(entry) && self.correcting
    }

    /// (field id, message) for the summary at the top of the page.
    pub fn links(&self) -> Vec<(String, String)> {
        let Some(entry) = self.entry else {
            return Vec::new();
        };
        let mut links = Vec::new();
        if self.correcting {
            if !self.duration_message.is_empty() {
                links.push((format!("duration-{entry}"), self.duration_message.clone()));
            }
            if !self.message.is_empty() {
                links.push((format!("correction-{entry}"), self.message.clone()));
            }
        } else {
            links.push((format!("reason-{entry}"), self.message.clone()));
        }
        links
    }

    /// The summary's heading.
    pub fn heading(&self) -> &'static str {
        if self.correcting {
            "Bevestigen met een andere duur lukte niet"
        } else {
            "Afwijzen lukte niet"
        }
    }

    /// A refusal of the correction of `entry` by the rules of hours (12 hours a day).
    pub fn refused(entry: EntryId, form: DecisionForm, message: String) -> Self {
        Self {
            entry: Some(entry),
            message: String::new(),
            typed: form.reason,
            correcting: true,
            duration_message: message,
            typed_duration: form.duration,
        }
    }
}

/// The two decisions a form asks something for: rejecting (a reason) and confirming another
/// duration (the duration and a reason).
#[derive(Debug, Clone, Copy)]
pub(super) enum Asked {
    Reject,
    Correct,
}

impl Asked {
    /// The form read into its decision and what to say when it is done, or its problem with
    /// what was typed.
    pub(super) fn parse(
        self,
        entry: EntryId,
        form: &DecisionForm,
    ) -> Result<(Decision, &'static str), DecisionProblem> {
        match self {
            Self::Reject => RejectionReason::parse(&form.reason)
                .map(|reason| (Decision::Reject(reason), REJECTED))
                .map_err(|error| DecisionProblem {
                    entry: Some(entry),
                    message: error.to_string(),
                    typed: form.reason.clone(),
                    ..DecisionProblem::default()
                }),
            Self::Correct => {
                let minutes = parse_entry_minutes(&form.duration);
                let reason = CorrectionReason::parse(&form.reason);
                match (minutes, reason) {
                    (Ok(minutes), Ok(reason)) => {
                        Ok((Decision::Correct { minutes, reason }, CORRECTED))
                    }
                    (minutes, reason) => Err(DecisionProblem {
                        entry: Some(entry),
                        message: reason.err().map(|e| e.to_string()).unwrap_or_default(),
                        duration_message: minutes.err().map(|e| e.to_string()).unwrap_or_default(),
                        typed: form.reason.clone(),
                        typed_duration: form.duration.clone(),
                        correcting: true,
                    }),
                }
            }
        }
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

/// What a partner reads after confirming another duration.
const CORRECTED: &str =
    "Bevestigd met de aangepaste duur. De trajectbegeleider ziet beide bedragen en uw reden.";
/// What a partner reads after rejecting.
const REJECTED: &str = "Afgewezen. De begeleider ziet uw reden.";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DecisionForm {
    pub(super) version: String,
    pub(super) reason: String,
    /// The confirmed duration of "Bevestigen met andere duur", in any notation.
    pub(super) duration: String,
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
/// now); a correction the rules of hours refuse is returned, for the page to show next to the
/// entry, and nothing is said.
pub(super) async fn decide_one(
    app: &AppState,
    session: &Session,
    decider: &Decider<'_>,
    entry: EntryId,
    version: i32,
    decision: &Decision,
    done: &str,
) -> Result<Option<String>, AppError> {
    // Most decisions are one statement, a transaction of its own: no BEGIN and COMMIT.
    let mut conn = app.pool.acquire().await?;
    let alone = confirmation::decide_alone(&mut conn, decider, entry, version, decision).await?;
    drop(conn);
    let outcome = match alone {
        Some(outcome) => outcome,
        None => {
            let mut tx = app.pool.begin().await?;
            let outcome = confirmation::decide(&mut tx, decider, entry, version, decision).await?;
            if let DecisionOutcome::Refused(message) = outcome {
                return Ok(Some(message));
            }
            tx.commit().await?;
            outcome
        }
    };
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
        // Returned above, before the commit.
        DecisionOutcome::Refused(message) => return Ok(Some(message)),
    };
    session::flash(session, kind, text).await?;
    Ok(None)
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
            // Only a correction is refused, and "confirm all" confirms as logged.
            DecisionOutcome::NotFound | DecisionOutcome::Refused(_) => {
                return Err(AppError::NotFound);
            }
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
