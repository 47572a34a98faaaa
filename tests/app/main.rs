//! The one integration-test binary: the real router on a fresh database per test.

mod auth;
mod cli;
mod helpers;
mod pages;
mod partner_placements;
mod placements;
