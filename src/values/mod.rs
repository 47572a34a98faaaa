//! The bottom layer: value types that mean the same on every page, in every rule and in every
//! document. Nothing here imports anything above it, so the domain, the web layer, mail and
//! the PDFs all build on it.

pub mod criteria;
pub mod dates;
pub mod duration;
pub mod ids;
pub mod kinds;
pub mod level;
pub mod period;
pub mod redact;
pub mod weekdays;
