//! The one integration-test binary: the real router on a fresh database per test.

mod aanbod;
mod admin;
mod auth;
mod browser;
mod certificates;
mod cli;
mod confirmations;
mod helpers;
mod organisations;
mod pages;
mod participants;
mod partner_placements;
mod placements;
mod reports;
