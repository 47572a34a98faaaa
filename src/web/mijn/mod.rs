//! Mijn traject: the inburgeraar's own page behind a personal link (public, no account), in
//! their language; and for the trajectbegeleider or coördinator of the region, making and
//! revoking that link and printing its card. The inburgeraar's own reports of hours and
//! photos of the signed bewijs are in `report`.

mod report;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use tower_sessions::Session;

use super::certificates::pdf_response;
use super::forms::PathId;
use super::layout::Layout;
use super::middleware::ClientAddr;
use super::participants::scoped_participant;
use super::progress::Progress;
use super::session::{self, CaseworkUser, FlashKind};
use crate::certificate_pdf;
use crate::domain::access::{Access, AccessKind};
use crate::domain::attendance;
use crate::domain::certificate::{self, VERIFY_REQUESTS_PER_MINUTE};
use crate::domain::mijn_traject::{
    self, OpenLink, OwnCertificate, OwnEntry, OwnPlacement, ReportablePlacement,
};
use crate::error::AppError;
use crate::i18n::{Lang, messages};
use crate::values::dates::{format_date, iso_date, today};
use crate::values::ids::ParticipantId;
use crate::values::kinds::{EntryStatus, PlacementKind, PlacementStatus};
use crate::web::state::AppState;

/// Staff pages (behind the login).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inburgeraars/{id}/mijn-traject", post(create_link))
        .route("/inburgeraars/{id}/mijn-traject/kaart", get(card))
        .route(
            "/inburgeraars/{id}/mijn-traject/intrekken",
            post(revoke_link),
        )
}

/// The inburgeraar's pages (no login: the token is the key).
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/mijn/{token}", get(own_page))
        .route("/mijn/{token}/certificaat.pdf", get(own_certificate_pdf))
        .merge(report::router())
}

/// The cookie that keeps the chosen language, only sent to the Mijn traject pages.
const LANG_COOKIE: &str = "veertig_taal";

/// Where the card of a link just made is kept: the token is stored nowhere else, so the card
/// can only be printed right after making the link, by the one who made it.
const FRESH_LINK_KEY: &str = "mijn_traject_nieuwe_link";

/// How long the card of a new link can be opened again (e.g. after the printer jammed).
const CARD_MINUTES: i64 = 30;

#[derive(Serialize, Deserialize)]
struct FreshLink {
    participant: ParticipantId,
    token: String,
    /// The card's second code, for partners registering attendance (`domain::attendance`):
    /// made anew with each card, stored only as a hash.
    #[serde(default)]
    attendance_code: Option<String>,
    made_at: OffsetDateTime,
}

fn own_url(base_url: &str, token: &str) -> String {
    format!("{}/mijn/{token}", base_url.trim_end_matches('/'))
}

// ---------------------------------------------------------------------------------------------
// Staff: make, print, revoke

async fn create_link(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<ParticipantId>,
) -> Result<Redirect, AppError> {
    let mut tx = app.pool.begin().await?;
    let link = mijn_traject::create_link(&mut tx, user.id, region, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attendance_code = attendance::renew_code(&mut tx, user.id, id).await?;
    tx.commit().await?;
    let fresh = FreshLink {
        participant: id,
        token: link.token,
        attendance_code: Some(attendance_code.as_str().to_string()),
        made_at: OffsetDateTime::now_utc(),
    };
    session.insert(FRESH_LINK_KEY, &fresh).await?;
    Ok(Redirect::to(&format!(
        "/inburgeraars/{id}/mijn-traject/kaart"
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "mijn/card.html")]
struct CardPage {
    participant_id: ParticipantId,
    full_name: String,
    url: String,
    qr_size: usize,
    qr_path: String,
    /// The attendance code, grouped, with its QR code (which holds the code alone).
    attendance: Option<(String, usize, String)>,
    asset_version: &'static str,
}

async fn card(
    CaseworkUser { region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<ParticipantId>,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    let p = scoped_participant(&mut conn, region, id).await?;
    let fresh = session
        .get::<FreshLink>(FRESH_LINK_KEY)
        .await?
        .filter(|fresh| fresh.participant == id)
        .filter(|fresh| {
            OffsetDateTime::now_utc() - fresh.made_at <= time::Duration::minutes(CARD_MINUTES)
        });
    // The link may have been revoked or replaced since, from another session.
    let still_active = match &fresh {
        Some(_) => mijn_traject::active_link(&mut conn, id).await?.is_some(),
        None => false,
    };
    let Some(fresh) = fresh.filter(|_| still_active) else {
        session::flash(
            &session,
            FlashKind::Error,
            "De kaart kan alleen meteen na het maken van de link afgedrukt worden. Maak een nieuwe link; de oude werkt dan niet meer.",
        )
        .await?;
        return Ok(Redirect::to(&format!("/inburgeraars/{id}#mijn-traject")).into_response());
    };
    let url = own_url(&app.config.base_url(), &fresh.token);
    let (qr_size, qr_path) = certificate_pdf::qr_svg_path(&url)
        .map_err(|_| AppError::Internal("the QR code could not be made"))?;
    let attendance = match &fresh.attendance_code {
        Some(code) => {
            let (size, path) = certificate_pdf::qr_svg_path(code)
                .map_err(|_| AppError::Internal("the QR code could not be made"))?;
            Some((certificate::group_code(code), size, path))
        }
        None => None,
    };
    let page = CardPage {
        participant_id: id,
        full_name: p.full_name,
        url,
        qr_size,
        qr_path,
        attendance,
        asset_version: env!("CARGO_PKG_VERSION"),
    };
    let mut response = page.into_response();
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

async fn revoke_link(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<ParticipantId>,
) -> Result<Redirect, AppError> {
    let mut tx = app.pool.begin().await?;
    let revoked = mijn_traject::revoke_link(&mut tx, user.id, region, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let fresh_for_this = session
        .get::<FreshLink>(FRESH_LINK_KEY)
        .await?
        .is_some_and(|fresh| fresh.participant == id);
    if fresh_for_this {
        session.remove::<FreshLink>(FRESH_LINK_KEY).await?;
    }
    if revoked {
        session::flash(
            &session,
            FlashKind::Success,
            "De persoonlijke link is ingetrokken. Hij werkt niet meer.",
        )
        .await?;
    } else {
        session::flash(&session, FlashKind::Error, "Er was geen werkende link.").await?;
    }
    Ok(Redirect::to(&format!("/inburgeraars/{id}#mijn-traject")))
}

// ---------------------------------------------------------------------------------------------
// The inburgeraar's page

#[derive(Deserialize, Default)]
#[serde(default)]
struct OwnQuery {
    taal: String,
    /// Set by the redirect after a report (`uren`) or an upload (`bewijs`).
    gemeld: String,
}

/// The language chosen before (cookie), else Dutch.
fn chosen_language(headers: &HeaderMap) -> Lang {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Lang::parse(value))
        .unwrap_or(Lang::Nl)
}

/// What every response of these pages carries: the token is in the URL, so no referrer may
/// leave with it, nothing may be cached, and search engines must not keep it.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

/// Every request counts against the address's limit, found or not, so tokens cannot be
/// guessed; the same table as `/verify` with a counter of its own.
async fn throttled(app: &AppState, client: &ClientAddr) -> Result<Option<Response>, AppError> {
    let mut conn = app.pool.acquire().await?;
    let key = format!("mijn {}", client.0);
    let count = certificate::count_verify_request(&mut conn, &key).await?;
    if count > VERIFY_REQUESTS_PER_MINUTE {
        tracing::warn!(client = %client.0, count, "Mijn traject throttled");
        return Ok(Some(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, HeaderValue::from_static("60"))],
            )
                .into_response(),
        ));
    }
    Ok(None)
}

#[derive(Template, WebTemplate)]
#[template(path = "mijn/page.html")]
struct OwnPageView {
    lang: Lang,
    languages: [Lang; 7],
    full_name: String,
    progress: Progress,
    confirmed_minutes: i64,
    pending_minutes: i64,
    required_minutes: i64,
    placements: Vec<OwnPlacement>,
    entries: Vec<OwnEntry>,
    certificate: Option<OwnCertificate>,
    pdf_link: String,
    /// The two forms: what was typed, what was wrong, what just succeeded.
    forms: report::Forms,
    report_placements: Vec<ReportablePlacement>,
    /// The token's address, where the forms post.
    own_path: String,
    csrf_token: String,
    /// The latest date the date field offers (ISO, for `max`).
    today_iso: String,
    asset_version: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "mijn/invalid.html")]
struct InvalidLinkView {
    lang: Lang,
    asset_version: &'static str,
}

/// The texts of these pages, in the chosen language.
trait Texts {
    fn lang(&self) -> Lang;

    fn t(&self, key: &str) -> String {
        messages().text(self.lang(), key, &[])
    }
}

impl Texts for OwnPageView {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl Texts for InvalidLinkView {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl OwnPageView {
    fn with(&self, key: &str, args: &[(&str, &str)]) -> String {
        messages().text(self.lang, key, args)
    }

    fn duration<T: Copy + Into<i64>>(&self, minutes: &T) -> String {
        messages().duration(self.lang, (*minutes).into())
    }

    fn date(&self, date: &Date) -> String {
        format_date(*date)
    }

    /// The message for one form field, if the last try went wrong there.
    fn error(&self, field: &str) -> Option<String> {
        self.forms.errors.get(field)
    }

    fn report_choice(&self, placement: &ReportablePlacement) -> String {
        let (from, to) = (
            format_date(placement.starts_on),
            format_date(placement.ends_on),
        );
        let period = self.with("placement-period", &[("from", &from), ("to", &to)]);
        format!(
            "{} ({}, {period})",
            placement.organisation,
            self.kind(&placement.kind)
        )
    }

    fn kind(&self, kind: &PlacementKind) -> String {
        self.t(&format!("kind-{}", kind.code()))
    }

    fn status(&self, status: &PlacementStatus) -> String {
        self.t(&format!("status-{}", status.code()))
    }

    fn entry_status(&self, status: &EntryStatus) -> String {
        self.t(&format!("entry-{}", status.code()))
    }

    fn confirmed_sentence(&self) -> String {
        let confirmed = self.duration(&self.confirmed_minutes);
        let required = self.duration(&self.required_minutes);
        self.with(
            "progress-confirmed",
            &[("confirmed", &confirmed), ("required", &required)],
        )
    }

    fn pending_sentence(&self) -> String {
        let pending = self.duration(&self.pending_minutes);
        self.with("progress-pending", &[("pending", &pending)])
    }

    fn remaining_sentence(&self) -> String {
        let remaining = (self.required_minutes - self.confirmed_minutes).max(0);
        let remaining = self.duration(&remaining);
        self.with("progress-remaining", &[("remaining", &remaining)])
    }

    fn period(&self, placement: &OwnPlacement) -> String {
        let (from, to) = (
            format_date(placement.starts_on),
            format_date(placement.ends_on),
        );
        self.with("placement-period", &[("from", &from), ("to", &to)])
    }

    fn issued_sentence(&self, certificate: &OwnCertificate) -> String {
        let date = format_date(certificate.issued_on);
        self.with("certificate-issued", &[("date", &date)])
    }

    fn number_sentence(&self, certificate: &OwnCertificate) -> String {
        self.with("certificate-number", &[("number", &certificate.number)])
    }

    /// The organisation's address, with its municipality unless the address names it.
    fn where_text(&self, placement: &OwnPlacement) -> Option<String> {
        let address = placement.address.trim();
        let municipality = placement
            .municipality
            .as_deref()
            .filter(|m| !m.is_empty() && !address.contains(*m));
        match (address.is_empty(), municipality) {
            (true, None) => None,
            (true, Some(m)) => Some(m.to_string()),
            (false, None) => Some(address.to_string()),
            (false, Some(m)) => Some(format!("{address}, {m}")),
        }
    }
}

async fn own_page(
    State(app): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    layout: Layout,
    Path(token): Path<String>,
    Query(query): Query<OwnQuery>,
) -> Result<Response, AppError> {
    if let Some(refusal) = throttled(&app, &client).await? {
        return Ok(private(refusal));
    }
    // Only a token of the right shape goes back into a `Location` header.
    if !mijn_traject::plausible_token(&token) {
        return Ok(private(invalid(chosen_language(&headers))));
    }
    // The switcher's links: remember the choice, then show the clean address.
    if let Some(lang) = Lang::parse(&query.taal) {
        let secure = if app.config.secure_cookies() {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/mijn; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
            lang.code()
        );
        let mut response = Redirect::to(&format!("/mijn/{token}")).into_response();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        return Ok(private(response));
    }
    let lang = chosen_language(&headers);
    let mut tx = app.pool.begin().await?;
    let Some(link) = mijn_traject::open(&mut tx, &token).await? else {
        return Ok(private(invalid(lang)));
    };
    let forms = report::Forms::after(&query.gemeld);
    let view = own_view(&mut tx, lang, &token, &link, layout, forms).await?;
    tx.commit().await?;
    Ok(private(match view {
        Some(view) => view.into_response(),
        None => invalid(lang),
    }))
}

/// The page of an opened link, with the forms as given; the view is logged in the access
/// log. `None` when the participant is gone.
async fn own_view(
    conn: &mut sqlx::PgConnection,
    lang: Lang,
    token: &str,
    link: &OpenLink,
    layout: Layout,
    forms: report::Forms,
) -> Result<Option<OwnPageView>, AppError> {
    let participant = link.participant;
    let Some(page) = mijn_traject::page(&mut *conn, participant).await? else {
        return Ok(None);
    };
    let report_placements =
        mijn_traject::reportable_placements(&mut *conn, participant, today()).await?;
    // The token is the key to the page: the log keeps the participant, not the token.
    Access {
        user: None,
        kind: AccessKind::MijnTraject,
        participant: Some(participant),
        scan: None,
        path: "/mijn/…",
    }
    .record(&mut *conn)
    .await?;
    let own = page.own;
    let (confirmed, pending, required) = (
        i64::from(own.confirmed_minutes),
        i64::from(own.pending_minutes),
        i64::from(own.required_minutes),
    );
    Ok(Some(OwnPageView {
        lang,
        languages: Lang::ALL,
        full_name: own.full_name,
        progress: Progress::new(confirmed, pending, required),
        confirmed_minutes: confirmed,
        pending_minutes: pending,
        required_minutes: required,
        placements: page.placements,
        entries: page.entries,
        certificate: page.certificate,
        pdf_link: format!("/mijn/{token}/certificaat.pdf"),
        forms,
        report_placements,
        own_path: format!("/mijn/{token}"),
        csrf_token: layout.csrf_token,
        today_iso: iso_date(today()),
        asset_version: env!("CARGO_PKG_VERSION"),
    }))
}

fn invalid(lang: Lang) -> Response {
    let view = InvalidLinkView {
        lang,
        asset_version: env!("CARGO_PKG_VERSION"),
    };
    (StatusCode::NOT_FOUND, view).into_response()
}

async fn own_certificate_pdf(
    State(app): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if let Some(refusal) = throttled(&app, &client).await? {
        return Ok(private(refusal));
    }
    let lang = chosen_language(&headers);
    let mut conn = app.pool.acquire().await?;
    let Some(link) = mijn_traject::open(&mut conn, &token).await? else {
        return Ok(private(invalid(lang)));
    };
    let Some(own) = mijn_traject::valid_certificate(&mut conn, link.participant).await? else {
        return Ok(private(invalid(lang)));
    };
    let c = certificate::get(&mut conn, own.region_id, own.id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Back to the pool before the slow PDF render.
    drop(conn);
    let filename = format!("{}.pdf", c.number);
    let response = pdf_response(&app, Layout::bare(), own.region_id, vec![c], &filename).await?;
    Ok(private(response))
}
