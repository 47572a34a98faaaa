//! Every page of a partner organisation: the logged-in partner's home with the hours waiting
//! for them and their history (`home`), their placements (`placements`), and the personal link
//! pages a contact without an account uses (`link`), and registering a group's attendance at
//! the door (`attendance`); `decisions` is what home and link pages share. The offers a
//! partner proposes are served by `offers`, generic over the user.

mod attendance;
mod decisions;
mod home;
mod link;
mod placements;

use axum::Router;

use crate::web::state::AppState;

/// Pages behind a partner's login.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(placements::router())
        .merge(attendance::router())
}

/// The personal link pages: no login, the token is the key.
pub fn public_router() -> Router<AppState> {
    link::router()
}
