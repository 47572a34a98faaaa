//! Passkeys in the browser (see `domain::passkey`): registering them in one's own account, and
//! logging in with one, after the password or without it.
//!
//! Every ceremony takes two requests. A script (`static/passkey.js`) POSTs for the options,
//! which the server keeps in the session; the browser asks the authenticator, and the script
//! puts its answer in a hidden field and submits an ordinary form, which is checked against the
//! options kept, used once. Without JavaScript (or passkeys) the buttons stay hidden and every
//! other way in works as before.

mod account;
mod login;

pub use account::router as account_router;
pub use login::router;

use serde::de::DeserializeOwned;
use webauthn_rs::prelude::Webauthn;

use crate::error::AppError;
use crate::web::state::AppState;

/// Shown when a ceremony's answer is missing, garbled or no longer expected.
const CEREMONY_LOST: &str = "Dit lukte niet: de aanvraag voor uw passkey is verlopen of werd al gebruikt. Probeer het opnieuw.";
/// Shown when the authenticator's answer does not hold.
const NOT_ACCEPTED: &str = "Deze passkey werd niet aanvaard. Probeer het opnieuw, of gebruik een andere manier om u aan te melden.";

/// The relying party; without one (a `BASE_URL` that is no domain name) the routes are absent.
fn relying_party(app: &AppState) -> Result<&Webauthn, AppError> {
    app.passkeys.as_deref().ok_or(AppError::NotFound)
}

/// Whether passkeys can be used on this site at all.
pub fn available(app: &AppState) -> bool {
    app.passkeys.is_some()
}

/// The browser's answer from the form's hidden field; `None` when it is not one.
fn browser_answer<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_str(text).ok()
}
