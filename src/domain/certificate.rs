//! Certificates: their rules and their SQL.
