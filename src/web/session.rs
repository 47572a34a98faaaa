//! What the session holds (user id, CSRF token, flash messages) and the extractors that make
//! access checks part of a handler's signature.
//!
//! A handler that takes `CoachUser` cannot run for anyone but a logged-in coach: forgetting the
//! check does not compile, because without the extractor the handler has no user to work with.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::Method;
use axum::http::request::Parts;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::Session;

use crate::domain::organisation;
use crate::domain::user::{self, CurrentUser, Role};
use crate::error::AppError;
use crate::values::ids::{OrganisationId, RegionId, UserId};
use crate::values::redact::redact_path;

const USER_KEY: &str = "user_id";
const CSRF_KEY: &str = "csrf_token";
const FLASH_KEY: &str = "flash";
const TOUCHED_KEY: &str = "touched_at";
/// Unix time after which the session ends however active it is (`SESSION_MAX_HOURS`).
const ENDS_KEY: &str = "ends_at";
/// The user's session generation at login; a new password moves it on, ending the session.
const GENERATION_KEY: &str = "generation";

pub async fn session_of(parts: &mut Parts) -> Result<Session, AppError> {
    Session::from_request_parts(parts, &())
        .await
        .map_err(|_| AppError::Internal("the session layer is missing"))
}

/// The logged-in user of this request, loaded once and kept in the request's extensions.
pub async fn current_user(
    parts: &mut Parts,
    pool: &PgPool,
) -> Result<Option<CurrentUser>, AppError> {
    if let Some(user) = parts.extensions.get::<CurrentUser>() {
        return Ok(Some(user.clone()));
    }
    let session = session_of(parts).await?;
    let Some(id) = session.get::<UserId>(USER_KEY).await? else {
        return Ok(None);
    };
    let Some(session_id) = session.id() else {
        return Ok(None);
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // Sessions from before the absolute lifetime existed carry no end: they end now.
    let ends_at: i64 = session.get(ENDS_KEY).await?.unwrap_or(i64::MIN);
    let generation: Option<i32> = session.get(GENERATION_KEY).await?;
    // Loaded on every request, so a new role or a deactivation counts from the next request on.
    let user = user::find_active(pool, id, Some(&session_id.to_string()))
        .await?
        .filter(|user| now < ends_at && generation == Some(user.session_generation));
    match &user {
        Some(user) => {
            keep_alive(&session).await?;
            parts.extensions.insert(user.clone());
        }
        // Deactivated, deleted, past its lifetime, ended by a password reset or ended on another
        // instance: worthless.
        None => end(&session).await?,
    }
    Ok(user)
}

/// The id of the logged-in user of a session, without loading the user.
pub async fn user_id(session: &Session) -> Option<UserId> {
    session.get::<UserId>(USER_KEY).await.ok().flatten()
}

/// Starts an authenticated session with a fresh id, so a session id planted before login is
/// worthless after it. It ends after `lifetime` even when used all the time.
pub async fn log_in(
    session: &Session,
    user: &CurrentUser,
    lifetime: time::Duration,
) -> Result<(), AppError> {
    let ends_at = (time::OffsetDateTime::now_utc() + lifetime).unix_timestamp();
    session.cycle_id().await?;
    session.insert(USER_KEY, user.id).await?;
    session
        .insert(GENERATION_KEY, user.session_generation)
        .await?;
    session.insert(ENDS_KEY, ends_at).await?;
    session.insert(CSRF_KEY, new_token()).await?;
    Ok(())
}

/// After the user changed their password: this session carries on under a fresh id with the
/// account's new session generation, while every other session of the account ends.
pub async fn keep_after_password_change(
    session: &Session,
    session_generation: i32,
) -> Result<(), AppError> {
    session.cycle_id().await?;
    session.insert(GENERATION_KEY, session_generation).await?;
    Ok(())
}

pub async fn log_out(session: &Session) -> Result<(), AppError> {
    end(session).await
}

/// Deletes the session from the store. A new id follows, because the store would otherwise
/// reuse the deleted id for whatever the rest of the request keeps (a flash message), and
/// other instances that cached the old session would find its row again.
async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    session.cycle_id().await?;
    Ok(())
}

/// The CSRF token a logged-in session got at login; `None` before login (see `csrf`).
pub async fn expected_csrf_token(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get::<String>(CSRF_KEY).await?)
}

/// What [`new_token`] makes: 64 hexadecimal characters.
pub fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlashKind {
    Success,
    Error,
}

impl FlashKind {
    pub fn css_class(self) -> &'static str {
        match self {
            FlashKind::Success => "flash flash-success",
            FlashKind::Error => "flash flash-error",
        }
    }
}

/// A one-time message shown on the next page, after a redirect.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

pub async fn flash(
    session: &Session,
    kind: FlashKind,
    text: impl Into<String>,
) -> Result<(), AppError> {
    let mut messages: Vec<Flash> = session.get(FLASH_KEY).await?.unwrap_or_default();
    messages.push(Flash {
        kind,
        text: text.into(),
    });
    session.insert(FLASH_KEY, messages).await?;
    Ok(())
}

/// The flash messages, removed from the session. A session without any is left untouched:
/// removing marks it modified, and a modified session is written back to PostgreSQL.
pub async fn take_flashes(session: &Session) -> Result<Vec<Flash>, AppError> {
    if session.get_value(FLASH_KEY).await?.is_none() {
        return Ok(Vec::new());
    }
    Ok(session.remove(FLASH_KEY).await?.unwrap_or_default())
}

/// Sessions end after SESSION_IDLE_MINUTES without use, but a session is only saved (and its
/// expiry moved) when it changes. Touching it once every five minutes keeps an active user
/// logged in without writing the session on every request.
async fn keep_alive(session: &Session) -> Result<(), AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let touched: Option<i64> = session.get(TOUCHED_KEY).await?;
    if touched.is_none_or(|at| now - at >= 300) {
        session.insert(TOUCHED_KEY, now).await?;
    }
    Ok(())
}

/// Which roles may pass; implemented by the marker types below.
pub trait Allowed {
    const ROLES: &'static [Role];
}

/// A logged-in user whose role is one of `R::ROLES`. Anyone else gets the login page
/// (not logged in) or the 403 page (wrong role).
pub struct Authorized<R: Allowed> {
    pub user: CurrentUser,
    _roles: PhantomData<R>,
}

impl<R: Allowed, S> FromRequestParts<S> for Authorized<R>
where
    S: Send + Sync,
    PgPool: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let pool = PgPool::from_ref(state);
        let Some(user) = current_user(parts, &pool).await? else {
            let next = (parts.method == Method::GET).then(|| {
                parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/".into())
            });
            return Err(AppError::LoginRequired { next });
        };
        if !R::ROLES.contains(&user.role) {
            let path = redact_path(parts.uri.path());
            tracing::warn!(user = %user.id, role = ?user.role, %path, "access denied");
            return Err(AppError::Forbidden(user.role));
        }
        Ok(Self {
            user,
            _roles: PhantomData,
        })
    }
}

macro_rules! roles {
    ($($(#[$doc:meta])* $marker:ident = $alias:ident: $user:ident [$($role:ident),+];)*) => {$(
        $(#[$doc])*
        pub struct $marker;
        impl Allowed for $marker {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
        $(#[$doc])*
        pub type $alias = $user<$marker>;
    )*};
}

roles! {
    /// Any logged-in user.
    AnyRole = AnyUser: Authorized [Admin, Coordinator, Coach, Partner];
    /// A beheerder.
    AdminRole = AdminUser: Authorized [Admin];
    /// A coördinator.
    CoordinatorRole = CoordinatorUser: Staff [Coordinator];
    /// A trajectbegeleider.
    CoachRole = CoachUser: Staff [Coach];
    /// Staff who work with participants: trajectbegeleiders and coördinatoren.
    CaseworkRole = CaseworkUser: Staff [Coach, Coordinator];
}

/// Staff whose every role works in one region (`R` admits only trajectbegeleiders and
/// coördinatoren), with that region: everything they see is scoped to it.
pub struct Staff<R: Allowed> {
    pub user: CurrentUser,
    pub region: RegionId,
    _roles: PhantomData<R>,
}

impl<R: Allowed, S> FromRequestParts<S> for Staff<R>
where
    S: Send + Sync,
    PgPool: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Authorized { user, .. } = Authorized::<R>::from_request_parts(parts, state).await?;
        // The database guarantees staff have a region; without one, deny.
        let region = user.region_id.ok_or(AppError::Forbidden(user.role))?;
        Ok(Self {
            user,
            region,
            _roles: PhantomData,
        })
    }
}

/// Who manages partner organisations, with the organisations they may see and change:
/// coördinatoren their own region, beheerders every region.
pub struct OrganisationManager {
    pub user: CurrentUser,
    pub scope: organisation::Scope,
}

impl<S> FromRequestParts<S> for OrganisationManager
where
    S: Send + Sync,
    PgPool: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        struct ManagerRole;
        impl Allowed for ManagerRole {
            const ROLES: &'static [Role] = &[Role::Coordinator, Role::Admin];
        }
        let Authorized { user, .. } =
            Authorized::<ManagerRole>::from_request_parts(parts, state).await?;
        let scope = organisation_scope(&user)?;
        Ok(Self { user, scope })
    }
}

/// The organisations a staff member sees: a beheerder every region, coördinatoren and
/// trajectbegeleiders their own.
fn organisation_scope(user: &CurrentUser) -> Result<organisation::Scope, AppError> {
    match user.role {
        Role::Admin => Ok(organisation::Scope::AllRegions),
        // The database guarantees staff have a region; without one, deny.
        Role::Coordinator | Role::Coach => user
            .region_id
            .map(organisation::Scope::Region)
            .ok_or(AppError::Forbidden(user.role)),
        Role::Partner => Err(AppError::Forbidden(user.role)),
    }
}

/// Who may read the partner organisations and their contacts: the managers, and
/// trajectbegeleiders (their region's, read only: they look up whom to call about a
/// placement). `may_change` is false for them, so the pages leave out the buttons; the
/// changing routes take an [`OrganisationManager`] and refuse them anyway.
pub struct OrganisationReader {
    pub scope: organisation::Scope,
    pub may_change: bool,
}

impl<S> FromRequestParts<S> for OrganisationReader
where
    S: Send + Sync,
    PgPool: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        struct ReaderRole;
        impl Allowed for ReaderRole {
            const ROLES: &'static [Role] = &[Role::Coordinator, Role::Admin, Role::Coach];
        }
        let Authorized { user, .. } =
            Authorized::<ReaderRole>::from_request_parts(parts, state).await?;
        Ok(Self {
            scope: organisation_scope(&user)?,
            may_change: user.role != Role::Coach,
        })
    }
}

/// A partnercontact, with the one organisation all their data is scoped to.
pub struct PartnerUser {
    pub user: CurrentUser,
    pub organisation_id: OrganisationId,
}

impl<S> FromRequestParts<S> for PartnerUser
where
    S: Send + Sync,
    PgPool: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        struct PartnerRole;
        impl Allowed for PartnerRole {
            const ROLES: &'static [Role] = &[Role::Partner];
        }
        let Authorized { user, .. } =
            Authorized::<PartnerRole>::from_request_parts(parts, state).await?;
        // The database guarantees a partner has an organisation; without one, deny.
        let organisation_id = user.organisation_id.ok_or(AppError::Forbidden(user.role))?;
        Ok(Self {
            user,
            organisation_id,
        })
    }
}
