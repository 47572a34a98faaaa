//! The one integration-test binary: the real router on a fresh database per test.

mod auth;
mod browser;
mod confirmations;
mod cli;
mod helpers;
mod organisations;
mod pages;
mod participants;
