//! The rules of Veertig. Nothing here knows about HTTP: handlers parse input into these types,
//! call these functions and render what they return.

pub mod access;
pub mod account;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod certificate;
pub mod confirmation;
pub mod hours;
pub mod kbi;
pub mod logo;
pub mod mijn_traject;
pub mod offer;
pub mod oidc;
pub mod organisation;
pub mod participant;
pub mod passkey;
pub mod placement;
pub mod privacy;
pub mod region;
pub mod report;
pub mod scan;
pub mod search;
pub mod second_factor;
pub mod submission;
pub mod user;
