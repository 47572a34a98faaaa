//! Veertig: the participatie- en netwerktraject of inburgeraars, from placement to certificate.

pub mod backup;
pub mod certificate_pdf;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod participation_pdf;
pub mod pdf;
pub mod pg;
pub mod scale;
pub mod startup;
pub mod telemetry;
pub mod values;
pub mod web;
