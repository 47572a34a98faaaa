//! Partners confirming (possibly with another duration, `correction`) or rejecting hours: with an account, or through a personal link.
//!
//! Every decision locks the entry, checks that it is still pending and still the version the
//! partner saw, and writes its audit row in the same transaction. Two people confirming the
//! same entry at once end with one confirmation and one audit row; an entry changed since it
//! was shown is refused.

mod coach_digest;
mod correction;
mod decision;
mod links;
mod pending;
mod reminders;

pub use coach_digest::{queue_coach_digests, set_weekly_digest};
pub(crate) use decision::parse_reason;
pub use decision::{
    CorrectionReason, CorrectionReasonError, Decider, Decision, DecisionOutcome, ReasonError,
    RejectionReason, decide, decide_alone,
};
pub use links::{
    ConfirmerName, LINK_VALID_DAYS, LinkError, LinkLookup, LinkRow, LinkState, NameError, NewLink,
    ValidLink, create_link, find_link, links_for_placement, record_opened, revoke_link,
};
pub(crate) use links::{hash_token, new_token};
pub use pending::{
    DecidedEntry, PendingEntry, all_of_placement, decided_for_organisation,
    pending_for_organisation, pending_for_placement,
};
pub use reminders::{
    notify_contact_of_new_entries, queue_weekly_digest, queue_weekly_digest_once, send_link,
};
