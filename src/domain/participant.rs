//! Participants: their rules and their SQL.
