//! A region's logo, on the beheerder's region page: uploading it (a new upload replaces the
//! old), its preview, and removing it. The file must be a PNG or JPEG by its content, at most
//! 1 MiB, and drawable into a PDF/A certificate (`pdf::check_image`, before anything is
//! stored); a refusal re-renders the region page with the Dutch reason next to the file field.

use axum::Router;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tower_sessions::Session;

use super::regions::logo_refused;
use crate::domain::logo::{self, Logo, LogoFileError, LogoType};
use crate::domain::region;
use crate::error::AppError;
use crate::pdf::{self, ImageError};
use crate::values::ids::RegionId;
use crate::web::forms::{FieldErrors, PathId, invalid};
use crate::web::layout::Layout;
use crate::web::session::{self, AdminUser, FlashKind};
use crate::web::state::AppState;

/// The upload route's own body limit: well above the largest logo, so a file somewhat too
/// large gets the Dutch message next to the field rather than only the 413 page.
const UPLOAD_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The file field of the upload form (also its id, which the error summary links to).
const FIELD: &str = "logo";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/beheer/regios/{id}/logo",
            get(image)
                .post(upload)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/beheer/regios/{id}/logo/verwijderen", post(remove))
}

fn logo_section(region: RegionId) -> String {
    format!("/beheer/regios/{region}#logo-sectie")
}

/// The logo as the preview shows it: its own type, never sniffed by the browser.
async fn image(
    _admin: AdminUser,
    State(app): State<AppState>,
    PathId(id): PathId<RegionId>,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    let logo = logo::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(logo.kind.content_type()),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline"),
            ),
        ],
        logo.content,
    )
        .into_response())
}

/// The file field's bytes; other fields are ignored.
async fn read_file(mut multipart: Multipart) -> Result<Vec<u8>, MultipartError> {
    let mut content = Vec::new();
    while let Some(field) = multipart.next_field().await? {
        if field.name() == Some(FIELD) {
            content = field.bytes().await?.to_vec();
        }
    }
    Ok(content)
}

/// Every check a logo must pass before it is stored: type and size from its bytes, then a
/// trial print (decoding takes time: off the async threads).
async fn check(region_name: String, content: Vec<u8>) -> Result<Logo, LogoFileError> {
    let kind: LogoType = logo::check_file(&content)?;
    let logo = Logo {
        region_name,
        kind,
        content,
    };
    tokio::task::spawn_blocking(move || pdf::check_image(&logo).map(|()| logo))
        .await
        .map_err(|_| LogoFileError::Unreadable)?
        .map_err(|error| {
            tracing::info!(%error, "logo refused");
            match error {
                ImageError::Unreadable(_) => LogoFileError::Unreadable,
                ImageError::TooManyPixels => LogoFileError::TooManyPixels,
                ImageError::NotArchival(_) => LogoFileError::NotArchival,
            }
        })
}

async fn upload(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(id): PathId<RegionId>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let content = match read_file(multipart).await {
        Ok(content) => Ok(content),
        // Over the route's body limit: the same message as a file just over 1 MiB.
        Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(LogoFileError::TooLarge)
        }
        Err(_) => return Ok(StatusCode::BAD_REQUEST.into_response()),
    };
    let region_name = {
        let mut conn = app.pool.acquire().await?;
        region::find(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?
            .name
    };
    let checked = match content {
        Ok(content) => check(region_name, content).await,
        Err(error) => Err(error),
    };
    let new_logo = match checked {
        Ok(new_logo) => new_logo,
        Err(error) => {
            let mut errors = FieldErrors::default();
            errors.add(FIELD, error);
            let mut conn = app.pool.acquire().await?;
            let page = logo_refused(&mut conn, layout, id, errors).await?;
            return Ok(invalid(page));
        }
    };
    let mut tx = app.pool.begin().await?;
    logo::store(&mut tx, user.id, id, new_logo.kind, &new_logo.content)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    session::flash(
        &session,
        FlashKind::Success,
        "Het logo is bewaard. Het staat voortaan op de certificaten en de bewijzen van deelname van de regio.",
    )
    .await?;
    Ok(Redirect::to(&logo_section(id)).into_response())
}

async fn remove(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<RegionId>,
) -> Result<Response, AppError> {
    let mut tx = app.pool.begin().await?;
    region::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let removed = logo::remove(&mut tx, user.id, id).await?;
    tx.commit().await?;
    let message = if removed {
        "Het logo is verwijderd. Certificaten en bewijzen van deelname worden zonder logo gedrukt."
    } else {
        "Deze regio had geen logo."
    };
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&logo_section(id)).into_response())
}
