//! The one integration-test binary: the real router on a fresh database per test.

mod access_matrix;
mod admin;
mod auth;
mod browser;
mod certificates;
mod cli;
mod confirmations;
mod helpers;
mod hostile_input;
mod organisations;
mod pages;
mod participants;
mod partner_placements;
mod placements;
mod reports;
mod security;
