//! The one integration-test binary: the real router on a fresh database per test.

mod admin;
mod auth;
mod confirmations;
mod cli;
mod helpers;
mod organisations;
mod pages;
mod participants;
mod reports;
