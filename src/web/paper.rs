//! The paper trail of a placement, for staff of the participant's region: the bewijs van
//! deelname (HTML print view and PDF) and the signed scans attached to its entries.
//!
//! The QR code on the sheet: confirmation links keep only a hash of their token, so an existing
//! link cannot be printed again. Printing the sheet therefore makes a fresh link (14 days, like
//! every link, audited as "link aangemaakt") for the placement's contact, but only when there is
//! something to confirm — pending entries — and a contact with an e-mail address. Otherwise the
//! sheet has no QR code; the partner signs the paper. Because printing makes a link, it is a
//! POST (the placement page's buttons): a GET of the sheet's address, which any site can make a
//! browser do, only leads back to the placement.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{DefaultBodyLimit, OriginalUri, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use sqlx::PgConnection;
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{FieldErrors, PathId};
use super::layout::Layout;
use super::placements::{placement_path, scoped_placement};
use super::session::{self, CaseworkUser, FlashKind};
use crate::domain::access::{Access, AccessKind};
use crate::domain::audit::AuditEntry;
use crate::domain::confirmation::{self, LinkError};
use crate::domain::hours::{self, EntryRow};
use crate::domain::logo;
use crate::domain::placement::Placement;
use crate::domain::scan::{self, NewScan, ScanError, Uploader};
use crate::error::AppError;
use crate::participation_pdf::{self, Sheet, SheetLine};
use crate::pdf;
use crate::values::ids::{EntryId, PlacementId, RegionId, ScanId, UserId};
use crate::values::kinds::EntryStatus;
use crate::values::period::Scope;
use crate::web::state::AppState;

/// The upload route's own body limit: a 5 MB scan plus the form around it. Larger requests
/// get the Dutch 413 page. Also the limit of the inburgeraar's photo upload (Mijn traject).
pub(in crate::web) const UPLOAD_BODY_LIMIT: usize = 6 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/plaatsingen/{id}/bewijs",
            get(to_placement).post(print_view),
        )
        .route(
            "/plaatsingen/{id}/bewijs.pdf",
            get(to_placement).post(print_pdf),
        )
        .route(
            "/plaatsingen/{id}/scan",
            get(upload_page)
                .post(upload)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/scans/{id}", get(download))
}

// ---------------------------------------------------------------------------------------------
// Bewijs van deelname

/// The sheet's address opened with GET (a bookmark, a link from elsewhere): back to the
/// placement's buttons, without making a link.
async fn to_placement(
    CaseworkUser { region, .. }: CaseworkUser,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
) -> Result<Redirect, AppError> {
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, id, Scope::Region(region)).await?;
    Ok(Redirect::to(&format!(
        "{}#bewijs",
        placement_path(placement.id)
    )))
}

/// The sheet's content, with a fresh confirmation link when there is something to confirm.
async fn prepare_sheet(
    app: &AppState,
    actor: UserId,
    region: RegionId,
    id: PlacementId,
    format: &'static str,
) -> Result<(Placement, Sheet), AppError> {
    let mut tx = app.pool.begin().await?;
    let placement = scoped_placement(&mut tx, id, Scope::Region(region)).await?;
    let mut entries = hours::list_for_placement(&mut tx, &placement).await?;
    entries.retain(|e| e.status != EntryStatus::Afgewezen);
    entries.sort_by_key(|e| e.worked_on);
    let confirm_url = if entries.iter().any(EntryRow::is_pending) {
        match confirmation::create_link(&mut tx, Some(actor), Some(region), placement.id).await {
            Ok(Some(link)) => Some(format!(
                "{}/bevestigen/{}",
                app.config.base_url().trim_end_matches('/'),
                link.token
            )),
            Ok(None) => return Err(AppError::NotFound),
            Err(LinkError::NoContactEmail) => None,
            Err(error) => return Err(error.into()),
        }
    } else {
        None
    };
    // The PDF's logo (the HTML print view has none).
    let logo = match format {
        "pdf" => logo::get(&mut tx, region).await?,
        _ => None,
    };
    AuditEntry {
        actor: Some(actor),
        action: "bewijs van deelname afgedrukt",
        entity: "placement",
        entity_id: placement.id.0,
        participant: Some(placement.participant_id),
    }
    .record::<(), _>(
        &mut tx,
        None,
        Some(&serde_json::json!({
            "formaat": format,
            "met_link": confirm_url.is_some(),
        })),
    )
    .await?;
    Access {
        user: Some(actor),
        kind: AccessKind::Bewijs,
        participant: Some(placement.participant_id),
        scan: None,
        path: &format!("/plaatsingen/{}/bewijs", placement.id),
    }
    .record(&mut tx)
    .await?;
    tx.commit().await?;
    let sheet = Sheet {
        participant_name: placement.participant_name.clone(),
        organisation_name: placement.organisation_name.clone(),
        kind: placement.kind.label().to_string(),
        period: placement.period_text(),
        contact_name: placement.contact_name.clone(),
        lines: entries
            .iter()
            .map(|e| SheetLine {
                date: e.date_text(),
                duration: e.duration_text(),
                description: e.description.clone(),
                status: e.status.label().to_lowercase(),
            })
            .collect(),
        confirm_url,
        logo,
    };
    Ok((placement, sheet))
}

#[derive(Template, WebTemplate)]
#[template(path = "paper/bewijs.html")]
struct PrintPage {
    placement: Placement,
    /// Each page's rows: a logged line, or an empty row to write on.
    pages: Vec<Vec<Option<SheetLine>>>,
    sheet: Sheet,
    qr: Option<(usize, String)>,
    asset_version: &'static str,
}

async fn print_view(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
) -> Result<PrintPage, AppError> {
    let (placement, sheet) = prepare_sheet(&app, user.id, region, id, "pagina").await?;
    let qr = sheet
        .confirm_url
        .as_deref()
        .map(pdf::qr_svg_path)
        .transpose()
        .map_err(|_| AppError::Internal("the QR code could not be made"))?;
    let pages = participation_pdf::pages(&sheet.lines)
        .into_iter()
        .map(|rows| rows.into_iter().map(|row| row.cloned()).collect())
        .collect();
    Ok(PrintPage {
        placement,
        pages,
        sheet,
        qr,
        asset_version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "certificates/unavailable.html")]
struct UnavailablePage {
    layout: Layout,
}

async fn print_pdf(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    layout: Layout,
    PathId(id): PathId<PlacementId>,
) -> Result<Response, AppError> {
    let Ok(fonts) = pdf::fonts(&app.config.font_dirs()) else {
        // Logged with the fix when the fonts were first looked for.
        return Ok((StatusCode::SERVICE_UNAVAILABLE, UnavailablePage { layout }).into_response());
    };
    let (placement, sheet) = prepare_sheet(&app, user.id, region, id, "pdf").await?;
    let rendered = tokio::task::spawn_blocking(move || participation_pdf::render(&fonts, &sheet))
        .await
        .map_err(|_| AppError::Internal("the PDF task panicked"))?;
    let bytes = rendered.map_err(|error| {
        tracing::error!(%error, "bewijs van deelname PDF failed");
        AppError::Internal("the bewijs van deelname PDF could not be made")
    })?;
    let short: String = placement
        .id
        .0
        .simple()
        .to_string()
        .chars()
        .take(8)
        .collect();
    let disposition = HeaderValue::from_str(&format!(
        "inline; filename=\"bewijs-van-deelname-{short}.pdf\""
    ))
    .unwrap_or(HeaderValue::from_static("inline"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Scans

#[derive(Template, WebTemplate)]
#[template(path = "paper/scan_form.html")]
struct UploadPage {
    layout: Layout,
    placement: Placement,
    entries: Vec<EntryRow>,
    chosen: Vec<EntryId>,
    errors: FieldErrors,
}

impl UploadPage {
    fn is_chosen(&self, id: &EntryId) -> bool {
        self.chosen.contains(id)
    }
}

async fn render_upload(
    conn: &mut PgConnection,
    layout: Layout,
    placement: Placement,
    chosen: Vec<EntryId>,
    errors: FieldErrors,
) -> Result<UploadPage, AppError> {
    let mut entries = hours::list_for_placement(conn, &placement).await?;
    entries.retain(|e| e.status != EntryStatus::Afgewezen);
    Ok(UploadPage {
        layout,
        placement,
        entries,
        chosen,
        errors,
    })
}

async fn upload_page(
    CaseworkUser { region, .. }: CaseworkUser,
    State(app): State<AppState>,
    layout: Layout,
    PathId(id): PathId<PlacementId>,
) -> Result<UploadPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, id, Scope::Region(region)).await?;
    render_upload(
        &mut conn,
        layout,
        placement,
        Vec::new(),
        FieldErrors::default(),
    )
    .await
}

/// What a scan's multipart form carried: the coach's names the entries, the inburgeraar's
/// (Mijn traject) the placement.
#[derive(Default)]
pub(in crate::web) struct UploadForm {
    pub(in crate::web) file_name: String,
    pub(in crate::web) content: Vec<u8>,
    pub(in crate::web) entries: Vec<EntryId>,
    pub(in crate::web) placement: String,
}

pub(in crate::web) async fn read_form(
    mut multipart: Multipart,
) -> Result<UploadForm, MultipartError> {
    let mut form = UploadForm::default();
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some("bestand") => {
                form.file_name = field.file_name().unwrap_or("").to_string();
                form.content = field.bytes().await?.to_vec();
            }
            Some("plaatsing") => form.placement = field.text().await?,
            Some("entry") => {
                let text = field.text().await?;
                // A value that is not an id cannot be one of the placement's entries.
                if let Ok(id) = Uuid::parse_str(text.trim()) {
                    form.entries.push(EntryId(id));
                }
            }
            _ => {}
        }
    }
    Ok(form)
}

async fn upload(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    layout: Layout,
    session: Session,
    PathId(id): PathId<PlacementId>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = match read_form(multipart).await {
        Ok(form) => form,
        // Over the route's body limit: the Dutch "te groot" page.
        Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
        }
        Err(_) => return Ok(StatusCode::BAD_REQUEST.into_response()),
    };
    let mut tx = app.pool.begin().await?;
    let placement = scoped_placement(&mut tx, id, Scope::Region(region)).await?;
    let mut errors = FieldErrors::default();
    let kind = errors.check("bestand", scan::check_file(&form.content));
    if form.entries.is_empty() {
        errors.add("entries", ScanError::NoEntries);
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        let page = render_upload(&mut tx, layout, placement, form.entries, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let stored = scan::store(
        &mut tx,
        NewScan {
            placement: placement.id,
            participant: placement.participant_id,
            file_name: scan::clean_file_name(&form.file_name, kind),
            kind,
            content: &form.content,
            entries: form.entries.clone(),
            uploaded_by: Uploader::User(user.id),
        },
    )
    .await;
    match stored {
        Ok(_) => {
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                "De scan is bewaard bij de gekozen prestaties.",
            )
            .await?;
            Ok(Redirect::to(&format!("{}#bewijs", placement_path(placement.id))).into_response())
        }
        Err(refused @ (ScanError::NoEntries | ScanError::ForeignEntry)) => {
            let mut errors = FieldErrors::default();
            errors.add("entries", refused);
            let page = render_upload(&mut tx, layout, placement, form.entries, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// The scan as a download: its own type, never shown inline (a PDF with scripts stays inert),
/// and logged in the access log.
async fn download(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
    PathId(id): PathId<ScanId>,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    let file = scan::get(&mut conn, region, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Access {
        user: Some(user.id),
        kind: AccessKind::Scan,
        participant: Some(file.participant_id),
        scan: Some(file.id),
        path: uri.path(),
    }
    .record(&mut conn)
    .await?;
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut safe: String = file
        .file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    // A name in another script leaves only the extension.
    if safe.starts_with('.') || safe.is_empty() {
        safe = format!("scan{safe}");
    }
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        file.content,
    )
        .into_response())
}
