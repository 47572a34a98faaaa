//! The data-protection export of one participant (right of access), as a page and as JSON.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{OriginalUri, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::domain::privacy::{self, AccessExport, ExportFormat};
use crate::error::AppError;
use crate::values::dates::{self, format_date, format_moment};
use crate::values::duration::format_minutes;
use crate::values::ids::ParticipantId;
use crate::web::forms::PathId;
use crate::web::layout::Layout;
use crate::web::session::CoordinatorUser;
use crate::web::state::AppState;

async fn gather(
    app: &AppState,
    CoordinatorUser { user, region, .. }: &CoordinatorUser,
    id: ParticipantId,
    format: ExportFormat,
    path: &str,
) -> Result<AccessExport, AppError> {
    let mut tx = app.pool.begin().await?;
    let Some(export) = privacy::access_export(&mut tx, user.id, *region, id, format, path).await?
    else {
        tracing::warn!(user = %user.id, participant = %id, "access export of a participant outside the region refused");
        return Err(AppError::NotFound);
    };
    tx.commit().await?;
    Ok(export)
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/access.html")]
pub(super) struct AccessPage {
    layout: Layout,
    export: AccessExport,
}

impl AccessPage {
    fn hours(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }

    fn date(&self, iso: &str) -> String {
        dates::parse_date(iso)
            .map(format_date)
            .unwrap_or_else(|_| iso.to_string())
    }

    fn moment(&self, at: &time::OffsetDateTime) -> String {
        format_moment(*at)
    }

    fn exported_on(&self) -> String {
        format_date(dates::today())
    }

    fn optional<'a>(&self, value: &'a str) -> &'a str {
        if value.is_empty() { "—" } else { value }
    }
}

pub(super) async fn access_page(
    user: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    OriginalUri(uri): OriginalUri,
    PathId(id): PathId<ParticipantId>,
) -> Result<AccessPage, AppError> {
    let export = gather(&app, &user, id, ExportFormat::Page, uri.path()).await?;
    Ok(AccessPage { layout, export })
}

pub(super) async fn access_json(
    user: CoordinatorUser,
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
    PathId(id): PathId<ParticipantId>,
) -> Result<Response, AppError> {
    let export = gather(&app, &user, id, ExportFormat::Json, uri.path()).await?;
    let body = serde_json::to_vec_pretty(&export)
        .map_err(|_| AppError::Internal("cannot write the access export as JSON"))?;
    let short: String = export
        .person
        .id
        .0
        .simple()
        .to_string()
        .chars()
        .take(8)
        .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"inzage-{short}.json\""),
            ),
        ],
        body,
    )
        .into_response())
}
