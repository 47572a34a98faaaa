//! Placements: their rules and their SQL.
