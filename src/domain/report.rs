//! Reports: their rules and their SQL.
