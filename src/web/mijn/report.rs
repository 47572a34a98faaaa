//! The inburgeraar reports their own hours and uploads a photo of the signed bewijs van
//! deelname from Mijn traject. No account: the personal link is the key and the audit rows
//! name it. Reported hours wait, marked as theirs, for the partner to confirm (the contact gets
//! the same personal link mail as for hours a coach logs); a photo is a scan of the placement.
//! Every message is in the inburgeraar's language, and a link makes at most
//! [`REPORTS_PER_HOUR`] reports and uploads an hour.

use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::http::header::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use super::{chosen_language, invalid, own_view, private, throttled};
use crate::domain::confirmation;
use crate::domain::hours::{self, EntriesError, EntryError, ReportedHours, parse_entry_minutes};
use crate::domain::mijn_traject::{self, OpenLink, REPORTS_PER_HOUR};
use crate::domain::scan::{self, NewScan, ScanFileError, Uploader};
use crate::error::AppError;
use crate::i18n::{Lang, messages};
use crate::values::dates::{format_date, parse_date, today};
use crate::values::ids::PlacementId;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::middleware::ClientAddr;
use crate::web::paper::{UPLOAD_BODY_LIMIT, read_form};
use crate::web::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/mijn/{token}/uren", post(report_hours))
        .route(
            "/mijn/{token}/bewijs",
            post(upload_bewijs).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
}

/// The fields of the two forms (their `name`s and the keys of their errors).
const DATE: &str = "worked_on";
const PLACEMENT: &str = "placement";
const MINUTES: &str = "minutes";
const UPLOAD_PLACEMENT: &str = "plaatsing";
const FILE: &str = "bestand";

/// The hours form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReportForm {
    pub(super) worked_on: String,
    pub(super) placement: String,
    pub(super) minutes: String,
}

/// What the page's two forms show: what was typed, what went wrong (already in the
/// inburgeraar's language), and what just succeeded.
#[derive(Default)]
pub(super) struct Forms {
    pub(super) report: ReportForm,
    pub(super) upload_placement: String,
    pub(super) errors: FieldErrors,
    /// The key of the sentence that says what was saved.
    pub(super) notice: Option<&'static str>,
}

impl Forms {
    /// The forms after the redirect of a report (`?gemeld=uren`) or an upload (`bewijs`).
    pub(super) fn after(reported: &str) -> Self {
        let notice = match reported {
            "uren" => Some("report-done"),
            "bewijs" => Some("upload-done"),
            _ => None,
        };
        Self {
            notice,
            ..Self::default()
        }
    }
}

fn text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    messages().text(lang, key, args)
}

/// A refused rule of the hours, in the inburgeraar's words, and the field it belongs to.
fn entry_message(lang: Lang, error: &EntryError) -> (&'static str, String) {
    let duration = |minutes: i64| messages().duration(lang, minutes);
    match error {
        EntryError::BeforeStart { date, starts_on } => (
            DATE,
            text(
                lang,
                "report-error-before-start",
                &[
                    ("date", &format_date(*date)),
                    ("start", &format_date(*starts_on)),
                ],
            ),
        ),
        EntryError::AfterEnd { date, ends_on } => (
            DATE,
            text(
                lang,
                "report-error-after-end",
                &[
                    ("date", &format_date(*date)),
                    ("end", &format_date(*ends_on)),
                ],
            ),
        ),
        EntryError::InFuture(date) => (
            DATE,
            text(
                lang,
                "report-error-future",
                &[("date", &format_date(*date))],
            ),
        ),
        EntryError::DayLimit { date, already, .. } => (
            MINUTES,
            text(
                lang,
                "report-error-day-limit",
                &[
                    ("date", &format_date(*date)),
                    ("already", &duration(*already)),
                ],
            ),
        ),
        EntryError::LongerThanADay => (MINUTES, text(lang, "report-error-too-long", &[])),
        EntryError::Duration(_) => (MINUTES, text(lang, "report-error-duration", &[])),
        EntryError::PlacementCancelled | EntryError::ParticipantNotActive => {
            (PLACEMENT, text(lang, "report-error-closed", &[]))
        }
        // One typed date: what remains can only be an unreadable or missing one.
        EntryError::NoDates
        | EntryError::TooManyDates
        | EntryError::UnreadableDate(_)
        | EntryError::DuplicateDate(_)
        | EntryError::NotPending(_)
        | EntryError::ChangedMeanwhile => (DATE, text(lang, "report-error-date", &[])),
    }
}

fn file_message(lang: Lang, error: &ScanFileError) -> String {
    let key = match error {
        ScanFileError::Empty => "upload-error-empty",
        ScanFileError::TooLarge => "upload-error-too-large",
        ScanFileError::WrongType => "upload-error-type",
    };
    text(lang, key, &[])
}

/// One of the placements the page offers for reports, or `None` (also for someone else's).
async fn chosen_placement(
    conn: &mut PgConnection,
    link: &OpenLink,
    typed: &str,
) -> Result<Option<PlacementId>, AppError> {
    let Ok(id) = Uuid::parse_str(typed.trim()) else {
        return Ok(None);
    };
    let offered = mijn_traject::reportable_placements(conn, link.participant, today()).await?;
    Ok(offered
        .into_iter()
        .map(|placement| placement.id)
        .find(|placement| placement.0 == id))
}

/// A form sent through a working link: the transaction that opened the link, and what the
/// page needs to be shown again.
struct Sent {
    tx: Transaction<'static, Postgres>,
    lang: Lang,
    token: String,
    link: OpenLink,
    layout: Layout,
}

impl Sent {
    /// Opens the link in a transaction; `Err` is the answer for an unknown or revoked one.
    async fn open(
        app: &AppState,
        lang: Lang,
        token: String,
        layout: Layout,
    ) -> Result<Result<Self, Response>, AppError> {
        let mut tx = app.pool.begin().await?;
        Ok(match mijn_traject::open(&mut tx, &token).await? {
            Some(link) => Ok(Self {
                tx,
                lang,
                token,
                link,
                layout,
            }),
            None => Err(private(invalid(lang))),
        })
    }

    /// Whether the link made all the reports and uploads it may make this hour.
    async fn over_limit(&mut self) -> Result<bool, AppError> {
        Ok(
            mijn_traject::reports_in_last_hour(&mut self.tx, self.link.id).await?
                >= REPORTS_PER_HOUR,
        )
    }

    fn text(&self, key: &str) -> String {
        text(self.lang, key, &[])
    }

    /// The page again with the forms as typed and their errors; ends the transaction (which
    /// wrote nothing but the visit).
    async fn again(mut self, status: StatusCode, forms: Forms) -> Result<Response, AppError> {
        let view = own_view(
            &mut self.tx,
            self.lang,
            &self.token,
            &self.link,
            self.layout,
            forms,
        )
        .await?;
        self.tx.commit().await?;
        Ok(match view {
            Some(view) => private((status, view).into_response()),
            None => private(invalid(self.lang)),
        })
    }
}

async fn report_hours(
    State(app): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    layout: Layout,
    Path(token): Path<String>,
    Form(form): Form<ReportForm>,
) -> Result<Response, AppError> {
    if let Some(refusal) = throttled(&app, &client).await? {
        return Ok(private(refusal));
    }
    let lang = chosen_language(&headers);
    let mut sent = match Sent::open(&app, lang, token, layout).await? {
        Ok(sent) => sent,
        Err(answer) => return Ok(answer),
    };
    let mut forms = Forms {
        report: form.clone(),
        ..Forms::default()
    };
    if sent.over_limit().await? {
        forms.errors.add(DATE, sent.text("report-error-too-many"));
        return sent.again(StatusCode::TOO_MANY_REQUESTS, forms).await;
    }
    let worked_on = parse_date(&form.worked_on).ok();
    if worked_on.is_none() {
        forms.errors.add(DATE, sent.text("report-error-date"));
    }
    let placement = chosen_placement(&mut sent.tx, &sent.link, &form.placement).await?;
    if placement.is_none() {
        forms
            .errors
            .add(PLACEMENT, sent.text("report-error-placement"));
    }
    let minutes = match parse_entry_minutes(&form.minutes) {
        Ok(minutes) => Some(minutes),
        Err(error) => {
            let (field, message) = entry_message(lang, &error);
            forms.errors.add(field, message);
            None
        }
    };
    let (Some(worked_on), Some(placement), Some(minutes)) = (worked_on, placement, minutes) else {
        return sent.again(StatusCode::UNPROCESSABLE_ENTITY, forms).await;
    };
    let report = ReportedHours {
        link: sent.link.id,
        participant: sent.link.participant,
        region: sent.link.region,
        placement,
        worked_on,
        minutes,
    };
    match hours::report_hours(&mut sent.tx, &report, today()).await {
        Ok(_) => {
            // Like hours a coach logs: the contact gets a personal link to confirm them.
            confirmation::notify_contact_of_new_entries(
                &mut sent.tx,
                &app.config.base_url(),
                placement,
            )
            .await?;
            sent.tx.commit().await?;
            Ok(private(
                Redirect::to(&format!("/mijn/{}?gemeld=uren#melden", sent.token)).into_response(),
            ))
        }
        Err(EntriesError::Refused(problems)) => {
            for problem in &problems {
                let (field, message) = entry_message(lang, problem);
                forms.errors.add(field, message);
            }
            sent.again(StatusCode::UNPROCESSABLE_ENTITY, forms).await
        }
        Err(EntriesError::NotFound) => {
            forms
                .errors
                .add(PLACEMENT, sent.text("report-error-placement"));
            sent.again(StatusCode::UNPROCESSABLE_ENTITY, forms).await
        }
        Err(EntriesError::Database(error)) => Err(error.into()),
    }
}

async fn upload_bewijs(
    State(app): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    layout: Layout,
    Path(token): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    if let Some(refusal) = throttled(&app, &client).await? {
        return Ok(private(refusal));
    }
    let lang = chosen_language(&headers);
    if !mijn_traject::is_working(&mut *app.pool.acquire().await?, &token).await? {
        return Ok(private(invalid(lang)));
    }
    let upload = match read_form(multipart).await {
        Ok(upload) => upload,
        Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(private(StatusCode::PAYLOAD_TOO_LARGE.into_response()));
        }
        Err(_) => return Ok(private(StatusCode::BAD_REQUEST.into_response())),
    };
    let mut sent = match Sent::open(&app, lang, token, layout).await? {
        Ok(sent) => sent,
        Err(answer) => return Ok(answer),
    };
    let mut forms = Forms {
        upload_placement: upload.placement.clone(),
        ..Forms::default()
    };
    if sent.over_limit().await? {
        forms.errors.add(FILE, sent.text("report-error-too-many"));
        return sent.again(StatusCode::TOO_MANY_REQUESTS, forms).await;
    }
    let placement = chosen_placement(&mut sent.tx, &sent.link, &upload.placement).await?;
    if placement.is_none() {
        forms
            .errors
            .add(UPLOAD_PLACEMENT, sent.text("report-error-placement"));
    }
    let kind = match scan::check_file(&upload.content) {
        Ok(kind) => Some(kind),
        Err(error) => {
            forms.errors.add(FILE, file_message(lang, &error));
            None
        }
    };
    let (Some(placement), Some(kind)) = (placement, kind) else {
        return sent.again(StatusCode::UNPROCESSABLE_ENTITY, forms).await;
    };
    let entries = mijn_traject::waiting_entries(&mut sent.tx, placement).await?;
    scan::store(
        &mut sent.tx,
        NewScan {
            placement,
            participant: sent.link.participant,
            file_name: scan::clean_file_name(&upload.file_name, kind),
            kind,
            content: &upload.content,
            entries,
            uploaded_by: Uploader::Link(sent.link.id),
        },
    )
    .await
    .map_err(|error| match error {
        scan::ScanError::Database(error) => AppError::from(error),
        _ => AppError::Internal("a scan of the inburgeraar was refused"),
    })?;
    sent.tx.commit().await?;
    Ok(private(
        Redirect::to(&format!("/mijn/{}?gemeld=bewijs#bewijs", sent.token)).into_response(),
    ))
}
