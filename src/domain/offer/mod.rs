//! Aanbod: the activities partner organisations open for inburgeraars, their approval against
//! the criteria of the participatie- en netwerktraject, matching a participant to them, and
//! taking a place. Their rules and their SQL.
//!
//! Every query takes a [`Scope`]: staff see the offers of their region, a partner those of
//! their own organisation. An offer outside the scope does not exist.
//!
//! Places are never stored as a counter: the taken places of an offer are its `gepland` and
//! `lopend` placements, counted when needed; taking a place locks the offer row first, so two
//! coaches taking the last place at once end with one placement.

mod catalogue;
mod input;
mod matching;
mod place;
mod store;

use serde::Serialize;

pub use catalogue::{Catalogue, OpenOffers};
pub use input::{
    ADDRESS_MAX, LONG_TEXT_MAX, OfferError, OfferInput, PHONE_MAX, TEXT_MAX, bounded, offered_days,
    parse_places, required,
};
pub use matching::{Candidate, Profile, Reason, Suggestion, neighbours, rank};
pub use place::take_place;
pub use store::{
    Decision, MunicipalityChoice, Offer, OfferFilter, OfferRow, create, decide, get, list,
    municipality_choices, set_state, update,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "offer_approval", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    Voorgesteld,
    Goedgekeurd,
    Geweigerd,
}

impl Approval {
    pub const ALL: [Self; 3] = [Self::Voorgesteld, Self::Goedgekeurd, Self::Geweigerd];

    /// The value in filters and the database, and the badge's CSS class suffix.
    pub fn code(self) -> &'static str {
        match self {
            Self::Voorgesteld => "voorgesteld",
            Self::Goedgekeurd => "goedgekeurd",
            Self::Geweigerd => "geweigerd",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Voorgesteld => "Voorgesteld",
            Self::Goedgekeurd => "Goedgekeurd",
            Self::Geweigerd => "Geweigerd",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == input.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "offer_state", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum OfferState {
    Open,
    Gepauzeerd,
    Gesloten,
}

impl OfferState {
    pub const ALL: [Self; 3] = [Self::Open, Self::Gepauzeerd, Self::Gesloten];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Gepauzeerd => "gepauzeerd",
            Self::Gesloten => "gesloten",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Gepauzeerd => "Gepauzeerd",
            Self::Gesloten => "Gesloten",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == input.trim())
    }

    /// What a button that moves an offer to this state says.
    pub fn action_label(self) -> &'static str {
        match self {
            Self::Open => "Weer openstellen",
            Self::Gepauzeerd => "Pauzeren",
            Self::Gesloten => "Sluiten",
        }
    }

    /// A closed offer stays closed: its placements remain, new ones go to a new offer.
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::Open => &[Self::Gepauzeerd, Self::Gesloten],
            Self::Gepauzeerd => &[Self::Open, Self::Gesloten],
            Self::Gesloten => &[],
        }
    }
}
