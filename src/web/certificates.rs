//! Certificates: the ready list, issuing one or a selection, the certificate page with revoke,
//! the A4 print view and the PDF (one or a batch), for coördinatoren of the region; and the
//! public verification page behind the QR code.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{FieldErrors, OnceForm, Paging, PathId, non_blank, repeated};
use super::layout::Layout;
use super::middleware::ClientAddr;
use super::session::{self, CoordinatorUser, FlashKind};
use crate::certificate_pdf;
use crate::domain::certificate::{
    self, Certificate, CertificateId, CertificateRow, IssueError, ReadyFilter, ReadyRow,
    RevokeError, RevokeReason, VERIFY_REQUESTS_PER_MINUTE, Verified, VerifyCode,
};
use crate::domain::logo;
use crate::domain::participant;
use crate::domain::submission::Claim;
use crate::error::AppError;
use crate::values::dates::{self, format_date, format_moment};
use crate::values::duration::format_minutes;
use crate::values::ids::{MunicipalityId, ParticipantId, RegionId, UserId};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/certificaten", get(list))
        .route("/certificaten/uitreiken", post(issue))
        .route("/certificaten/pdf", get(batch_pdf))
        .route("/certificaten/afdruk", get(batch_print))
        .route("/certificaten/{id}", get(show))
        .route("/certificaten/{id}/afdruk", get(print))
        .route("/certificaten/{id}/pdf", get(pdf))
        .route("/certificaten/{id}/intrekken", post(revoke))
}

/// Pages without a login: the public verification page, under its Dutch name and, for the
/// certificates printed before, under its old one (the same page, not a redirect, so a reader
/// of an old paper needs nothing more than before).
/// (`certificate_pdf::VERIFY_PATH` names the new one for what is printed.)
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/controle", get(verify_form))
        .route("/controle/{code}", get(verify))
        .route("/verify", get(verify_form))
        .route("/verify/{code}", get(verify))
}

/// Options for a `<select>`: (value, label).
type Options = Vec<(String, String)>;

fn with_empty(first: &str, rest: impl IntoIterator<Item = (String, String)>) -> Options {
    std::iter::once((String::new(), first.to_string()))
        .chain(rest)
        .collect()
}

/// The ids a selection form or link sends, in the order chosen.
///
/// Ids come as repeated checkboxes (`kies` or `id`) or as a comma-separated list (`ids`), in
/// the order of the page. A number typed in `volgorde-<id>` puts that id at that place: numbered
/// ids first, by number; the others after them, in page order. A malformed id is a tampered
/// request (404).
fn selection(fields: &[(String, String)]) -> Result<Vec<Uuid>, AppError> {
    let mut ids: Vec<Uuid> = Vec::new();
    let mut push = |raw: &str| -> Result<(), AppError> {
        let id = raw.trim().parse::<Uuid>().map_err(|_| AppError::NotFound)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
        Ok(())
    };
    for (name, value) in fields {
        match name.as_str() {
            "kies" | "id" => push(value)?,
            "ids" => {
                for raw in value.split(',').filter(|raw| !raw.trim().is_empty()) {
                    push(raw)?;
                }
            }
            _ => {}
        }
    }
    let order = |id: &Uuid| -> Option<u32> {
        let key = format!("volgorde-{id}");
        fields
            .iter()
            .find(|(name, _)| *name == key)
            .and_then(|(_, value)| value.trim().parse::<u32>().ok())
    };
    let mut ordered: Vec<(Option<u32>, usize, Uuid)> = ids
        .iter()
        .enumerate()
        .map(|(position, id)| (order(id), position, *id))
        .collect();
    ordered.sort_by_key(|(number, position, _)| (number.is_none(), *number, *position));
    Ok(ordered.into_iter().map(|(_, _, id)| id).collect())
}

fn join_ids<T: std::fmt::Display>(ids: impl IntoIterator<Item = T>) -> String {
    ids.into_iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

// ---------------------------------------------------------------------------------------------
// The list: ready for a certificate, and issued

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    gemeente: String,
    begeleider: String,
    pagina: Option<String>,
    /// The certificates just issued, for the "print this batch" box.
    reeks: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "certificates/list.html")]
struct ListPage {
    layout: Layout,
    ready: Vec<ReadyRow>,
    ready_truncated: bool,
    gemeente: String,
    begeleider: String,
    municipalities: Options,
    coaches: Options,
    issued: Vec<CertificateRow>,
    page: i64,
    has_next: bool,
    filter_query: String,
    /// Just issued (from `?reeks=`), and the same ids joined for the batch links.
    batch: Vec<Certificate>,
    batch_ids: String,
}

impl ListPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn minutes(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }
}

async fn list(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let filter = ReadyFilter {
        municipality: query.gemeente.parse::<Uuid>().ok().map(MunicipalityId),
        coach: query.begeleider.parse::<Uuid>().ok().map(UserId),
    };
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let ready = certificate::ready(&mut conn, region, &filter).await?;
    let ready_truncated =
        ready.len() >= usize::try_from(certificate::READY_LIST_LIMIT).unwrap_or(usize::MAX);
    let mut issued = certificate::list(&mut conn, region, paging.offset(), paging.limit()).await?;
    let has_next = paging.trim(&mut issued);
    let batch_ids: Vec<CertificateId> = query
        .reeks
        .split(',')
        .filter_map(|raw| raw.trim().parse::<Uuid>().ok().map(CertificateId))
        .take(MAX_BATCH)
        .collect();
    let batch = if batch_ids.is_empty() {
        Vec::new()
    } else {
        certificate::get_many(&mut conn, region, &batch_ids).await?
    };
    let filter_query = serde_urlencoded::to_string([
        ("gemeente", query.gemeente.as_str()),
        ("begeleider", query.begeleider.as_str()),
    ])
    .unwrap_or_default();
    let municipalities = participant::municipalities(&mut conn, region)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name));
    let coaches = participant::coaches(&mut conn, region)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name));
    Ok(ListPage {
        layout,
        ready,
        ready_truncated,
        municipalities: with_empty("Alle gemeenten", municipalities),
        coaches: with_empty("Alle begeleiders", coaches),
        gemeente: query.gemeente,
        begeleider: query.begeleider,
        issued,
        page: paging.number,
        has_next,
        filter_query,
        batch_ids: join_ids(batch.iter().map(|c| c.id)),
        batch,
    })
}

// ---------------------------------------------------------------------------------------------
// Issuing

async fn issue(
    CoordinatorUser { user, region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    session: Session,
    once: OnceForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let submission = once.submission(user.id);
    let fields = once.form;
    let participants: Vec<ParticipantId> =
        selection(&fields)?.into_iter().map(ParticipantId).collect();
    if participants.is_empty() {
        session::flash(
            &session,
            FlashKind::Error,
            "Kies eerst wie een certificaat krijgt: vink minstens één inburgeraar aan.",
        )
        .await?;
        return Ok(Redirect::to("/certificaten").into_response());
    }
    if participants.len() > MAX_BATCH {
        let text = format!("Reik hoogstens {MAX_BATCH} certificaten tegelijk uit.");
        session::flash(&session, FlashKind::Error, text).await?;
        return Ok(Redirect::to("/certificaten").into_response());
    }
    let mut tx = app.pool.begin().await?;
    if let Claim::Repeat { location } = submission.claim(&mut tx).await? {
        return repeated(&session, location, "/certificaten").await;
    }
    let outcomes =
        certificate::issue_many(&mut tx, user.id, region, &participants, dates::today()).await?;
    // An id outside the region was never on the page: a tampered request, nothing is issued.
    if outcomes
        .iter()
        .any(|o| matches!(o, Err(IssueError::NotFound)))
    {
        return Err(AppError::NotFound);
    }
    let mut issued = Vec::new();
    let mut refusals = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(certificate) => issued.push(certificate),
            Err(refusal) => refusals.push(refusal.to_string()),
        }
    }
    let location = if issued.is_empty() {
        "/certificaten".to_string()
    } else {
        let query = serde_urlencoded::to_string([("reeks", join_ids(issued.iter().map(|c| c.id)))])
            .unwrap_or_default();
        format!("/certificaten?{query}#reeks")
    };
    submission.complete(&mut tx, &location).await?;
    tx.commit().await?;

    match issued.as_slice() {
        [] => {}
        [one] => {
            let text = format!(
                "Certificaat {} uitgereikt aan {}.",
                one.number, one.full_name
            );
            session::flash(&session, FlashKind::Success, text).await?;
        }
        [first, .., last] => {
            let text = format!(
                "{} certificaten uitgereikt: {} tot {}.",
                issued.len(),
                first.number,
                last.number
            );
            session::flash(&session, FlashKind::Success, text).await?;
        }
    }
    for refusal in refusals {
        session::flash(&session, FlashKind::Error, refusal).await?;
    }
    Ok(Redirect::to(&location).into_response())
}

// ---------------------------------------------------------------------------------------------
// The certificate page and revoking

#[derive(Template, WebTemplate)]
#[template(path = "certificates/show.html")]
struct ShowPage {
    layout: Layout,
    c: Certificate,
    verify_url: String,
    reason: String,
    errors: FieldErrors,
}

impl ShowPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn moment(&self, at: &time::OffsetDateTime) -> String {
        format_moment(*at)
    }

    fn minutes(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }
}

async fn load(
    app: &AppState,
    region: RegionId,
    id: CertificateId,
) -> Result<Certificate, AppError> {
    let mut conn = app.pool.acquire().await?;
    certificate::get(&mut conn, region, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn show(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    PathId(id): PathId<CertificateId>,
) -> Result<ShowPage, AppError> {
    let c = load(&app, region, id).await?;
    Ok(ShowPage {
        layout,
        verify_url: certificate_pdf::verify_url(&app.config.base_url(), &c.verify_code),
        c,
        reason: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    reden: String,
}

async fn revoke(
    CoordinatorUser { user, region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(id): PathId<CertificateId>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    let reason = match RevokeReason::parse(&form.reden) {
        Ok(reason) => reason,
        Err(error) => {
            let c = load(&app, region, id).await?;
            let mut errors = FieldErrors::default();
            errors.add("reden", error);
            let page = ShowPage {
                layout,
                verify_url: certificate_pdf::verify_url(&app.config.base_url(), &c.verify_code),
                c,
                reason: form.reden,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = app.pool.begin().await?;
    match certificate::revoke(&mut tx, user.id, region, id, &reason).await {
        Ok(c) => {
            tx.commit().await?;
            let text = format!(
                "Certificaat {} is ingetrokken. {} kan een nieuw certificaat krijgen, met een nieuw nummer.",
                c.number, c.full_name
            );
            session::flash(&session, FlashKind::Success, text).await?;
        }
        Err(refused @ RevokeError::AlreadyRevoked) => {
            drop(tx);
            session::flash(&session, FlashKind::Error, refused.to_string()).await?;
        }
        Err(error) => return Err(error.into()),
    }
    Ok(Redirect::to(&format!("/certificaten/{id}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Printing: the A4 view in HTML and the PDF

/// One certificate on the print view, with its QR code as an SVG path.
struct Sheet {
    c: Certificate,
    verify_url: String,
    verify_base: String,
    qr_size: usize,
    qr_path: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "certificates/print.html")]
struct PrintPage {
    sheets: Vec<Sheet>,
    back: String,
    pdf_link: String,
    asset_version: &'static str,
}

impl PrintPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn minutes(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }
}

fn print_page(
    app: &AppState,
    certificates: Vec<Certificate>,
    back: String,
    pdf_link: String,
) -> Result<PrintPage, AppError> {
    let base = app.config.base_url();
    let mut sheets = Vec::with_capacity(certificates.len());
    for c in certificates {
        let verify_url = certificate_pdf::verify_url(&base, &c.verify_code);
        let (qr_size, qr_path) = certificate_pdf::qr_svg_path(&verify_url)
            .map_err(|_| AppError::Internal("the QR code could not be made"))?;
        sheets.push(Sheet {
            c,
            verify_url,
            verify_base: certificate_pdf::verify_page(&base),
            qr_size,
            qr_path,
        });
    }
    Ok(PrintPage {
        sheets,
        back,
        pdf_link,
        asset_version: env!("CARGO_PKG_VERSION"),
    })
}

async fn print(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    PathId(id): PathId<CertificateId>,
) -> Result<PrintPage, AppError> {
    let c = load(&app, region, id).await?;
    let back = format!("/certificaten/{}", c.id);
    let pdf_link = format!("/certificaten/{}/pdf", c.id);
    print_page(&app, vec![c], back, pdf_link)
}

/// The certificates of a selection, in the order chosen; `None` when nothing was ticked. An
/// unknown id is a 404: the page's checkboxes and links only name certificates of the region.
async fn load_selection(
    app: &AppState,
    region: RegionId,
    fields: &[(String, String)],
) -> Result<Option<Vec<Certificate>>, AppError> {
    let ids: Vec<CertificateId> = selection(fields)?.into_iter().map(CertificateId).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    if ids.len() > MAX_BATCH {
        return Err(AppError::NotFound);
    }
    let mut conn = app.pool.acquire().await?;
    let found = certificate::get_many(&mut conn, region, &ids).await?;
    if found.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    Ok(Some(found))
}

/// Certificates in one batch at most (a ceremony is tens; this bounds a request's work).
const MAX_BATCH: usize = 500;

async fn nothing_selected(session: &Session) -> Result<Response, AppError> {
    session::flash(
        session,
        FlashKind::Error,
        "Vink eerst de certificaten aan die u wilt afdrukken.",
    )
    .await?;
    Ok(Redirect::to("/certificaten#uitgereikt").into_response())
}

async fn batch_print(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    session: Session,
    Query(fields): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let Some(certificates) = load_selection(&app, region, &fields).await? else {
        return nothing_selected(&session).await;
    };
    let ids = join_ids(certificates.iter().map(|c| c.id));
    let pdf_link = format!("/certificaten/pdf?ids={ids}");
    Ok(print_page(&app, certificates, "/certificaten".into(), pdf_link)?.into_response())
}

async fn pdf(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    PathId(id): PathId<CertificateId>,
) -> Result<Response, AppError> {
    let c = load(&app, region, id).await?;
    let filename = format!("{}.pdf", c.number);
    pdf_response(&app, layout, region, vec![c], &filename).await
}

async fn batch_pdf(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Query(fields): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let Some(certificates) = load_selection(&app, region, &fields).await? else {
        return nothing_selected(&session).await;
    };
    let filename = match certificates.as_slice() {
        [one] => format!("{}.pdf", one.number),
        [first, .., last] => format!("certificaten-{}-tot-{}.pdf", first.number, last.number),
        [] => "certificaten.pdf".into(),
    };
    pdf_response(&app, layout, region, certificates, &filename).await
}

#[derive(Template, WebTemplate)]
#[template(path = "certificates/unavailable.html")]
struct UnavailablePage {
    layout: Layout,
}

/// Also the inburgeraar's own download (`web::mijn`). The certificates are of `region`, whose
/// logo they carry.
pub(super) async fn pdf_response(
    app: &AppState,
    layout: Layout,
    region: RegionId,
    certificates: Vec<Certificate>,
    filename: &str,
) -> Result<Response, AppError> {
    let fonts = match certificate_pdf::fonts(&app.config.font_dirs()) {
        Ok(fonts) => fonts,
        // Logged with the fix when the fonts were first looked for.
        Err(_) => {
            let page = UnavailablePage { layout };
            return Ok((StatusCode::SERVICE_UNAVAILABLE, page).into_response());
        }
    };
    let base_url = app.config.base_url();
    let logo = {
        let mut conn = app.pool.acquire().await?;
        logo::get(&mut conn, region).await?
    };
    let rendered = tokio::task::spawn_blocking(move || {
        certificate_pdf::render(&fonts, &certificates, logo.as_ref(), &base_url)
    })
    .await
    .map_err(|_| AppError::Internal("the PDF task panicked"))?;
    let bytes = match rendered {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "certificate PDF failed");
            return Err(AppError::Internal("the certificate PDF could not be made"));
        }
    };
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
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
// Public verification

#[derive(Template, WebTemplate)]
#[template(path = "certificates/verify.html")]
struct VerifyPage {
    layout: Layout,
    /// `None`: no certificate with this code (or no code yet, on the form).
    found: Option<Verified>,
    /// What was asked for, grouped as printed; empty on the bare form.
    code: String,
    error: Option<String>,
}

impl VerifyPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn minutes(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }
}

fn public_page(status: StatusCode, page: VerifyPage) -> Response {
    let mut response = (status, page).into_response();
    // Names are personal data: search engines must not keep this page.
    response.headers_mut().insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VerifyQuery {
    code: String,
}

/// `/controle`: a field to type the short code from the paper.
async fn verify_form(Query(query): Query<VerifyQuery>) -> Response {
    let mut page = VerifyPage {
        layout: Layout::bare(),
        found: None,
        code: String::new(),
        error: None,
    };
    let Some(typed) = non_blank(&query.code) else {
        return public_page(StatusCode::OK, page);
    };
    match VerifyCode::parse(typed) {
        Some(code) => Redirect::to(&certificate_pdf::verify_url("", code.as_str())).into_response(),
        None => {
            page.code = typed.to_string();
            page.error = Some(
                "Deze code klopt niet. Ze heeft 15 tekens, zoals ABCDE-FGHJK-MNPQR; kijk ze na op het certificaat."
                    .into(),
            );
            public_page(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

/// `/controle/{code}`: valid or revoked, number, name, date and hours; nothing more. Every
/// request counts against the address's limit, found or not, so codes cannot be guessed.
async fn verify(
    State(app): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    let count = certificate::count_verify_request(&mut conn, &client.to_string()).await?;
    if count > VERIFY_REQUESTS_PER_MINUTE {
        tracing::warn!(%client, count, "verification page throttled");
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, HeaderValue::from_static("60"))],
        )
            .into_response());
    }
    let found = match VerifyCode::parse(&code) {
        Some(code) => certificate::find_by_code(&mut conn, &code).await?,
        None => None,
    };
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = VerifyPage {
        layout: Layout::bare(),
        code: VerifyCode::parse(&code)
            .map(|c| c.grouped())
            .unwrap_or_else(|| code.chars().take(40).collect()),
        found,
        error: None,
    };
    Ok(public_page(status, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_selection_keeps_page_order_unless_numbered() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let c = Uuid::from_u128(3);
        let (sa, sb, sc) = (a.to_string(), b.to_string(), c.to_string());
        let plain = fields(&[("kies", &sa), ("kies", &sb), ("kies", &sc), ("kies", &sa)]);
        assert_eq!(selection(&plain).expect("ids"), vec![a, b, c]);
        let numbered = fields(&[
            ("kies", &sa),
            ("kies", &sb),
            ("kies", &sc),
            (&format!("volgorde-{c}"), "1"),
            (&format!("volgorde-{a}"), "2"),
            (&format!("volgorde-{b}"), ""),
        ]);
        assert_eq!(selection(&numbered).expect("ids"), vec![c, a, b]);
        let listed = fields(&[("ids", &format!("{sc},{sa}"))]);
        assert_eq!(selection(&listed).expect("ids"), vec![c, a]);
        assert!(selection(&fields(&[("ids", "nope")])).is_err());
    }
}
