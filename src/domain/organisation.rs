//! Organisations: their rules and their SQL.
