//! The outbox page for the beheerder: the mail Veertig sent or still has to send, without the
//! secrets of personal links (see `mail`: the bodies it reads never hold them).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::error::AppError;
use crate::mail::{self, OutboxRow};
use crate::values::dates::format_moment;
use crate::web::layout::Layout;
use crate::web::session::AdminUser;
use crate::web::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/beheer/outbox", get(outbox))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    layout: Layout,
    mails: Vec<OutboxRow>,
    smtp_configured: bool,
    secret_mark: &'static str,
}

impl OutboxPage {
    fn moment(&self, at: &time::OffsetDateTime) -> String {
        format_moment(*at)
    }
}

async fn outbox(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<OutboxPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    Ok(OutboxPage {
        layout,
        mails: mail::recent(&mut conn, 200).await?,
        smtp_configured: app.config.smtp_url.is_some(),
        secret_mark: mail::SECRET_MARK,
    })
}
