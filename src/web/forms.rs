//! What form handlers share: field errors in Dutch, the typed values kept for re-rendering, the
//! checkbox groups, and paging through long lists.

use axum::Form;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_sessions::Session;
use uuid::Uuid;

use super::session::{self, FlashKind};
use crate::domain::submission::{IdempotencyKey, Submission};
use crate::error::AppError;
use crate::values::criteria::Criteria;
use crate::values::ids::UserId;
use crate::values::weekdays::{DAY_PARTS, DayParts, WEEKDAYS, Weekdays};

/// Errors per form field, in the order of the form, for the inline messages and the summary.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl ToString) {
        self.0.push((field, message.to_string()));
    }

    /// Runs a parser; records its error under `field` and returns the value when it parsed.
    pub fn check<T, E: ToString>(
        &mut self,
        field: &'static str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }

    /// The message for one field (templates call this for each input).
    pub fn get(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (field, message) pairs for the summary at the top of the form.
    pub fn all(&self) -> &[(&'static str, String)] {
        &self.0
    }
}

/// One box of a checkbox group, as the `checkboxes` macro takes it: (field name, label, ticked).
pub type Checkbox = (&'static str, &'static str, bool);

/// The names the weekday boxes send, in the order of [`WEEKDAYS`].
const DAY_FIELDS: [&str; 7] = [
    "dag_ma", "dag_di", "dag_wo", "dag_do", "dag_vr", "dag_za", "dag_zo",
];
/// The names the day-part boxes send, in the order of [`DAY_PARTS`].
const DAY_PART_FIELDS: [&str; 3] = ["deel_vm", "deel_nm", "deel_av"];
/// The names the criteria boxes send, in the order of [`Criteria::values`].
const CRITERIA_FIELDS: [&str; 4] = [
    "meets_contact",
    "meets_dutch_setting",
    "meets_new_contacts",
    "meets_unpaid",
];

pub fn day_boxes(days: Weekdays) -> Vec<Checkbox> {
    DAY_FIELDS
        .into_iter()
        .zip(WEEKDAYS)
        .enumerate()
        .map(|(i, (field, (_, name)))| (field, name, days.contains(i)))
        .collect()
}

pub fn day_part_boxes(parts: DayParts) -> Vec<Checkbox> {
    DAY_PART_FIELDS
        .into_iter()
        .zip(DAY_PARTS)
        .enumerate()
        .map(|(i, (field, (_, name)))| (field, name, parts.contains(i)))
        .collect()
}

pub fn criteria_boxes(criteria: Criteria) -> Vec<Checkbox> {
    CRITERIA_FIELDS
        .into_iter()
        .zip(criteria.worded())
        .map(|(field, (text, met))| (field, text, met))
        .collect()
}

/// Rows per page in every list.
pub const PAGE_SIZE: i64 = 50;

/// `?pagina=N`, 1-based; anything unreadable is the first page.
#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub pagina: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub number: i64,
    size: i64,
}

impl Paging {
    pub fn from_query(value: Option<&str>) -> Self {
        let number = value
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|n| (1..=100_000).contains(n))
            .unwrap_or(1);
        Self {
            number,
            size: PAGE_SIZE,
        }
    }

    /// Pages of `size` rows instead of `PAGE_SIZE`, for lists whose rows are large.
    pub fn of_size(self, size: i64) -> Self {
        Self { size, ..self }
    }

    pub fn offset(self) -> i64 {
        (self.number - 1) * self.size
    }

    /// One row more than shown tells whether a next page exists, without counting.
    pub fn limit(self) -> i64 {
        self.size + 1
    }

    /// Cuts the extra row off; returns whether there is a next page.
    pub fn trim<T>(self, rows: &mut Vec<T>) -> bool {
        let size = usize::try_from(self.size).unwrap_or(usize::MAX);
        let more = rows.len() > size;
        rows.truncate(size);
        more
    }
}

/// Empty form fields arrive as empty strings; treat blank as absent.
pub fn non_blank(value: &str) -> Option<&str> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then_some(trimmed)
}

/// The `{id}` of the URL path as the id type the handler asks for. Anything that is not an id
/// names a page that does not exist: the Dutch 404 page, like an id that is not there.
pub struct PathId<T>(pub T);

impl<T: From<Uuid>, S: Send + Sync> FromRequestParts<S> for PathId<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        path_id(&raw).map(Self)
    }
}

/// An id from a path segment the handler extracted itself (a path that also carries a token).
pub fn path_id<T: From<Uuid>>(raw: &str) -> Result<T, AppError> {
    Uuid::parse_str(raw.trim())
        .map(T::from)
        .map_err(|_| AppError::NotFound)
}

/// Name of the hidden form field that carries a create form's idempotency key.
const IDEMPOTENCY_FIELD: &str = "idempotency_key";

/// A create form's fields together with its idempotency key and path: the handler claims the
/// submission before creating anything (see `domain::submission`).
pub struct OnceForm<T> {
    pub key: Option<IdempotencyKey>,
    pub action: String,
    pub form: T,
}

impl<T> OnceForm<T> {
    pub fn submission(&self, user: UserId) -> Submission {
        Submission {
            user,
            key: self.key,
            action: self.action.clone(),
        }
    }
}

impl<T, S> FromRequest<S> for OnceForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let action = request.uri().path().to_string();
        let (parts, body) = request.into_parts();
        let mut copy = Request::new(Body::empty());
        *copy.method_mut() = parts.method.clone();
        *copy.uri_mut() = parts.uri.clone();
        *copy.headers_mut() = parts.headers.clone();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let key = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|fields| {
                fields
                    .into_iter()
                    .find(|(name, _)| name == IDEMPOTENCY_FIELD)
                    .and_then(|(_, value)| IdempotencyKey::parse(&value))
            });
        *copy.body_mut() = Body::from(bytes);
        // The fields themselves as `Form` reads them, with its answers to a malformed body.
        let Form(form) = Form::<T>::from_request(copy, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self { key, action, form })
    }
}

/// The answer to a repeated create form: where the first submission went, with a note.
pub async fn repeated(
    session: &Session,
    location: Option<String>,
    fallback: &str,
) -> Result<Response, AppError> {
    session::flash(
        session,
        FlashKind::Success,
        "Dit formulier was al verstuurd en is één keer verwerkt: er is niets dubbel geregistreerd.",
    )
    .await?;
    Ok(Redirect::to(location.as_deref().unwrap_or(fallback)).into_response())
}

/// A form with errors: shown again with what was typed, status 422.
pub fn invalid(page: impl IntoResponse) -> Response {
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}
