//! What every page's frame needs: the user (for the navigation), the CSRF token (for forms) and
//! the flash messages. Each page struct has a `layout: Layout` field that `base.html` reads.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use sqlx::PgPool;

use super::session::{self, Flash};
use crate::domain::submission::IdempotencyKey;
use crate::domain::user::{CurrentUser, Role};
use crate::error::AppError;
use crate::web::csrf::PreLoginToken;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
}

pub struct Layout {
    pub user: Option<CurrentUser>,
    pub csrf_token: String,
    /// Fresh for every page: its create forms send it back, so a repeat is recognised.
    pub idempotency_key: IdempotencyKey,
    pub flashes: Vec<Flash>,
    pub path: String,
    /// Appended to static URLs so browsers fetch new files after an upgrade.
    pub asset_version: &'static str,
}

impl Layout {
    /// For pages rendered without a session, such as error pages.
    pub fn bare() -> Self {
        Self {
            user: None,
            csrf_token: String::new(),
            idempotency_key: IdempotencyKey::generate(),
            flashes: Vec::new(),
            path: String::new(),
            asset_version: env!("CARGO_PKG_VERSION"),
        }
    }

    pub fn nav(&self) -> Vec<NavItem> {
        match self.user.as_ref().map(|user| user.role) {
            Some(role) => nav_for(role),
            None => Vec::new(),
        }
    }

    /// Marks the navigation item of the current section for screen readers and styling.
    pub fn is_current(&self, href: &str) -> bool {
        // A role's start page (such as /beheer) is a prefix of its sections: match it exactly.
        let is_home = href == "/"
            || self
                .user
                .as_ref()
                .is_some_and(|user| home_path(user.role) == href);
        if is_home {
            self.path == href
        } else {
            self.path == href || self.path.starts_with(&format!("{href}/"))
        }
    }
}

fn nav_for(role: Role) -> Vec<NavItem> {
    let item = |href, label| NavItem { href, label };
    let home = item(home_path(role), "Start");
    match role {
        Role::Admin => vec![
            home,
            item("/beheer/gebruikers", "Gebruikers"),
            item("/beheer/regios", "Regio's"),
            item("/organisaties", "Partnerorganisaties"),
            item("/beheer/outbox", "Uitgaande mail"),
            item("/beheer/toegangslog", "Toegangslog"),
        ],
        Role::Coordinator => vec![
            home,
            item("/inburgeraars", "Inburgeraars"),
            item("/organisaties", "Partnerorganisaties"),
            item("/aanbod", "Aanbod"),
            item("/certificaten", "Certificaten"),
            item("/rapporten", "Rapporten"),
            item("/kbi", "KBI"),
        ],
        Role::Coach => vec![
            home,
            item("/inburgeraars", "Inburgeraars"),
            item("/organisaties", "Partnerorganisaties"),
            item("/aanbod", "Aanbod"),
            item("/kbi", "KBI"),
        ],
        Role::Partner => vec![
            home,
            item("/partner/plaatsingen", "Plaatsingen"),
            item("/partner/aanwezigheid", "Aanwezigheid"),
            item("/partner/aanbod", "Aanbod"),
            item("/partner/geschiedenis", "Behandeld"),
        ],
    }
}

/// Where each role starts after logging in.
pub fn home_path(role: Role) -> &'static str {
    match role {
        Role::Admin => "/beheer",
        Role::Coordinator => "/coordinatie",
        Role::Coach => "/caseload",
        Role::Partner => "/partner",
    }
}

/// Only plain paths on this site: one leading `/`, then printable ASCII without backslashes;
/// once percent-decoded, still no second leading `/`, backslash or control character.
/// Absolute and scheme-relative URLs go home, and so do tabs and line breaks, which browsers
/// drop (`/<tab>/evil.example` becomes `//evil.example`) and which cannot go into a header.
pub fn safe_next(next: &str) -> Option<&str> {
    let typed = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(next).collect();
    let harmless = decoded
        .iter()
        .all(|&b| b >= b' ' && b != 0x7f && b != b'\\');
    let plain = next.starts_with('/') && !decoded.starts_with(b"//") && typed && harmless;
    plain.then_some(next)
}

impl<S> FromRequestParts<S> for Layout
where
    S: Send + Sync,
    PgPool: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let pool = PgPool::from_ref(state);
        let user = session::current_user(parts, &pool).await?;
        let session = session::session_of(parts).await?;
        let csrf_token = match session::expected_csrf_token(&session).await? {
            Some(token) => token,
            None => parts
                .extensions
                .get::<PreLoginToken>()
                .map(PreLoginToken::show)
                .ok_or(AppError::Internal("the pre-login token layer is missing"))?,
        };
        Ok(Self {
            user,
            csrf_token,
            flashes: session::take_flashes(&session).await?,
            path: parts.uri.path().to_string(),
            ..Self::bare()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next("/caseload?page=2"), Some("/caseload?page=2"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
        assert_eq!(safe_next(""), None);
        assert_eq!(safe_next("/\t/evil.example/phish"), None);
        assert_eq!(safe_next("/x\r\nSet-Cookie: x=1"), None);
        assert_eq!(safe_next("/zoeken?q=a b"), None);
        assert_eq!(safe_next("/inburgeraars/ü"), None);
        assert_eq!(safe_next("/a/\\evil.example"), None);
        assert_eq!(safe_next("/%09/evil.example/phish"), None);
        assert_eq!(safe_next("/%2F/evil.example"), None);
        assert_eq!(safe_next("/%5Cevil.example"), None);
        assert_eq!(
            safe_next("/inburgeraars?zoek=%C3%BC%20a"),
            Some("/inburgeraars?zoek=%C3%BC%20a")
        );
        assert_eq!(
            safe_next("/inburgeraars?zoek=jan"),
            Some("/inburgeraars?zoek=jan")
        );
    }
}
