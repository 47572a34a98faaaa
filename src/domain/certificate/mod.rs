//! Certificates: who is ready for one, issuing (numbered per region and year, gapless), the
//! snapshot a certificate keeps, revoking, and the public verification by code.
//!
//! Races are settled in the database. Issuing locks the participant's row (so two coordinators
//! cannot give one person two certificates; the partial unique index
//! `certificates_one_valid_per_participant` backs this up) and takes the next number from the
//! region's counter row with `INSERT … ON CONFLICT DO UPDATE … RETURNING` in the same
//! transaction: a second issuer waits for the first to commit or roll back, so numbers are
//! unique and without gaps.

mod issue;
mod read;
mod ready;
mod revoke;
mod verify;

use serde::{Deserialize, Serialize};
use time::Date;

use super::participant::ParticipantStatus;
use crate::values::duration::format_minutes;
use crate::values::kinds::PlacementKind;

pub use crate::values::ids::CertificateId;
pub use issue::{IssueError, Issued, format_number, issue, issue_many};
pub use read::{Certificate, CertificateRow, count_issued, get, get_many, list};
pub use ready::{READY_LIST_LIMIT, ReadyFilter, ReadyRow, ready};
pub use revoke::{ReasonError, RevokeError, RevokeReason, revoke};
pub use verify::{
    VERIFY_REQUESTS_PER_MINUTE, Verified, VerifyCode, count_verify_request, find_by_code,
    group_code,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize, Deserialize)]
#[sqlx(type_name = "certificate_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum CertificateStatus {
    Geldig,
    Ingetrokken,
}

impl CertificateStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Geldig => "geldig",
            Self::Ingetrokken => "ingetrokken",
        }
    }

    pub fn label(self) -> &'static str {
        self.code()
    }

    pub fn is_valid(self) -> bool {
        self == Self::Geldig
    }
}

/// Confirmed minutes in one form of placement, as stored in the snapshot (the kind by its
/// database code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindMinutes {
    pub kind: PlacementKind,
    pub minutes: i32,
}

impl KindMinutes {
    /// The Dutch name of the form, as a certificate prints it.
    pub fn label(&self) -> &'static str {
        match self.kind {
            PlacementKind::Buddy => "Buddywerking",
            PlacementKind::Stage => "Stage",
            PlacementKind::Vrijwilligerswerk => "Vrijwilligerswerk",
            PlacementKind::Taalstage => "Taalstage",
        }
    }

    pub fn hours(&self) -> String {
        format_minutes(i64::from(self.minutes))
    }
}

/// What the audit log keeps of a certificate.
#[derive(Serialize)]
struct CertificateAudit<'a> {
    number: &'a str,
    status: CertificateStatus,
    full_name: &'a str,
    issued_on: Date,
    total_minutes: i32,
    minutes_by_kind: &'a [KindMinutes],
    organisations: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    revoke_reason: Option<&'a str>,
}

/// What the audit log keeps of the participant when issuing closes the trajectory or revoking
/// opens it again.
#[derive(Serialize)]
struct ParticipantStatusAudit<'a> {
    status: ParticipantStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<&'a str>,
}
