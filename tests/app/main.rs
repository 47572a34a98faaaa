//! The one integration-test binary: the real router on a fresh database per test.

mod aanbod;
mod access_matrix;
mod admin;
mod auth;
mod browser;
mod certificates;
mod cli;
mod confirmations;
mod db_roles;
mod double_submit;
mod faults;
mod helpers;
mod hostile_input;
mod mijn_traject;
mod oidc;
mod organisations;
mod pages;
mod paper_trail;
mod participants;
mod partner_placements;
mod password_change;
mod placements;
mod reports;
mod second_factor;
mod secrets;
mod security;
