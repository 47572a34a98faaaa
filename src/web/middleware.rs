//! Cross-cutting request handling: the request log line, Dutch error pages, client addresses,
//! refused requests in the access log.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use askama::Template;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tower_sessions::Session;
use uuid::Uuid;

use super::layout::Layout;
use crate::domain::access::{self, Access, AccessKind};
use crate::domain::user::Role;
use crate::error::{CsrfFailure, ErrorPage, RefusedRole};
use crate::values::ids::ParticipantId;
use crate::values::redact::redact_path;
use crate::web::state::AppState;

/// One log line per request: method, path (its secrets masked), status, latency and request id.
pub async fn request_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = redact_path(request.uri().path());
    let request_id = request_id_of(&request);
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(%method, %path, status, latency_ms, %request_id, "request");
    } else {
        tracing::info!(%method, %path, status, latency_ms, %request_id, "request");
    }
    response
}

fn request_id_of(request: &Request) -> String {
    request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    layout: Layout,
    status: u16,
    title: &'static str,
    message: &'static str,
    request_id: String,
}

/// Every error response, ours or one axum made (a malformed form, an unknown route), becomes
/// a Dutch page that says what happened and what to do; a 500 shows only the request id.
pub async fn error_pages(request: Request, next: Next) -> Response {
    let request_id = request_id_of(&request);
    let is_head = request.method() == Method::HEAD;
    let response = next.run(request).await;
    let status = response.status();
    let already_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let marked = response.extensions().get::<ErrorPage>().is_some();
    if !(status.is_client_error() || status.is_server_error()) || (already_html && !marked) {
        return response;
    }
    let csrf = response.extensions().get::<CsrfFailure>().is_some();
    let refused = response.extensions().get::<RefusedRole>().map(|r| r.0);
    let (title, message) = describe(status, csrf, refused);
    let page = ErrorTemplate {
        layout: Layout::bare(),
        status: status.as_u16(),
        title,
        message,
        request_id,
    };
    let mut rendered = match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, title).into_response(),
    };
    // Keep headers such as Retry-After or Allow.
    for (name, value) in response.headers() {
        if name != CONTENT_TYPE && name != "content-length" {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    if is_head {
        *rendered.body_mut() = axum::body::Body::empty();
    }
    rendered
}

/// Whom each role asks for more access: who makes and changes its accounts.
fn refused_message(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Partner) => {
            "U hebt geen toegang tot deze pagina. Als partnerorganisatie ziet u de plaatsingen, het aanbod en de uren van uw eigen organisatie. Hebt u meer nodig? Vraag het aan de coördinator inburgering van de regio waarmee uw organisatie samenwerkt: die maakt en beheert de accounts van partnerorganisaties."
        }
        Some(Role::Coach) => {
            "U hebt geen toegang tot deze pagina. Denkt u dat dit niet klopt? Vraag het aan de coördinator van uw regio."
        }
        Some(Role::Coordinator) => {
            "U hebt geen toegang tot deze pagina. Denkt u dat dit niet klopt? Vraag het aan de beheerder van Veertig."
        }
        Some(Role::Admin) => {
            "Deze pagina is voor het werk in een regio (trajectbegeleiders en coördinatoren). Als beheerder werkt u vanuit Beheer."
        }
        None => {
            "U hebt geen toegang tot deze pagina. Denkt u dat dit niet klopt? Vraag het aan wie uw account beheert."
        }
    }
}

fn describe(status: StatusCode, csrf: bool, refused: Option<Role>) -> (&'static str, &'static str) {
    match status {
        StatusCode::FORBIDDEN if csrf => (
            "Formulier verlopen",
            "Dit formulier is verlopen of kwam niet van Veertig. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
        ),
        StatusCode::FORBIDDEN => ("Geen toegang", refused_message(refused)),
        StatusCode::NOT_FOUND => (
            "Pagina niet gevonden",
            "Deze pagina bestaat niet (meer). Controleer het adres of ga naar de startpagina.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Dat kan hier niet",
            "Deze pagina kan niet op die manier gebruikt worden. Ga naar de startpagina en probeer het opnieuw.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Te groot",
            "Wat u verstuurde is te groot. Probeer het met minder gegevens of een kleiner bestand.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "Even niet beschikbaar",
            "Veertig kan zijn gegevens op dit moment niet bereiken. Wacht enkele ogenblikken en probeer het opnieuw. Verstuurde u net een formulier? Kijk na of het bewaard is; hetzelfde formulier nog eens versturen registreert niets dubbel.",
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "Even geduld",
            "Er kwamen te veel verzoeken na elkaar. Wacht even en probeer het opnieuw.",
        ),
        s if s.is_client_error() => (
            "Dit verzoek klopt niet",
            "Wat er verstuurd werd, kon Veertig niet lezen. Ga terug, controleer het formulier en probeer het opnieuw.",
        ),
        _ => (
            "Er ging iets mis",
            "Er ging bij ons iets mis. Uw gegevens zijn niet gewijzigd. Probeer het later opnieuw; blijft het misgaan, geef dan de code hieronder door aan de beheerder.",
        ),
    }
}

/// tower-sessions answers a bare 500 when it cannot write the session back; the session store
/// is PostgreSQL, so that means the database went away during the request: say 503, like every
/// other request during the outage. Our own errors carry an [`ErrorPage`] marker and pass as
/// they are.
pub async fn session_store_outage(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || response.extensions().get::<ErrorPage>().is_some()
        || response.headers().contains_key(CONTENT_TYPE)
    {
        return response;
    }
    tracing::warn!("the session could not be saved: database unavailable");
    let status = StatusCode::SERVICE_UNAVAILABLE;
    let mut replaced = status.into_response();
    replaced.headers_mut().insert(
        RETRY_AFTER,
        HeaderValue::from_static(crate::error::RETRY_AFTER_SECONDS),
    );
    replaced.extensions_mut().insert(ErrorPage(status));
    replaced
}

/// PostgreSQL text cannot hold a NUL character, and no person types one: a query, path or
/// form that carries one is refused here (400, the Dutch "could not read" page) instead of
/// failing in the database. Uploads (multipart) are not forms and pass untouched.
pub async fn refuse_nul_bytes(request: Request, next: Next) -> Response {
    let has_nul = |text: &[u8]| text.contains(&0) || text.windows(3).any(|w| w == b"%00");
    if has_nul(request.uri().path().as_bytes())
        || request.uri().query().is_some_and(|q| has_nul(q.as_bytes()))
    {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, super::BODY_LIMIT).await else {
        return crate::error::AppError::PayloadTooLarge.into_response();
    };
    if has_nul(&bytes) {
        return StatusCode::BAD_REQUEST.into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// Pages show personal data: no shared cache may keep them. Static files set their own policy.
pub async fn no_store_by_default(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The address of the client: the peer, or behind a trusted proxy the last X-Forwarded-For hop.
pub struct ClientAddr(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        if app.config.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .and_then(|hop| hop.trim().parse().ok());
            if let Some(ip) = forwarded {
                return Ok(Self(ip));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(Self(peer))
    }
}

/// Logs every request of a logged-in user that was refused in the access log, with the path:
/// a 403 (a wrong role, another region's record), or a 404 for a participant page of a
/// participant outside the user's region (the page does not reveal them, the log does record
/// the attempt). A refused form token (CSRF) is not an access attempt and is left out. Costs
/// nothing on allowed requests.
pub async fn log_denied(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let session = request.extensions().get::<Session>().cloned();
    let raw_path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    if !matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
        || response.extensions().get::<CsrfFailure>().is_some()
    {
        return response;
    }
    let participant = raw_path
        .strip_prefix("/inburgeraars/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| Uuid::parse_str(id).ok())
        .map(ParticipantId);
    if status == StatusCode::NOT_FOUND && participant.is_none() {
        return response;
    }
    let Some(session) = session else {
        return response;
    };
    let Some(user) = super::session::user_id(&session).await else {
        return response;
    };
    let path = redact_path(&raw_path);
    let logged = async {
        let mut conn = app.pool.acquire().await?;
        if status == StatusCode::NOT_FOUND {
            let Some(participant) = participant else {
                return Ok(());
            };
            if !access::outside_users_region(&mut conn, user, participant).await? {
                return Ok(());
            }
        }
        Access {
            user: Some(user),
            kind: AccessKind::Geweigerd,
            participant,
            scan: None,
            path: &path,
        }
        .record(&mut conn)
        .await
    };
    if let Err(error) = logged.await {
        tracing::error!(%error, %path, "a refused request could not be written to the access log");
    }
    response
}
