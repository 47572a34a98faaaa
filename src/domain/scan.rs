//! Signed scans of a bewijs van deelname: what may be uploaded (PDF, JPEG or PNG of at most
//! 5 MB, the type read from the content, never from the name or the browser's word), storing
//! it with the entries it supports, and reading it back for staff of the region.

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::audit::AuditEntry;
use crate::values::ids::{EntryId, ParticipantId, PlacementId, RegionId, ScanId, UserId};

/// The largest scan accepted: a phone photo of an A4 sheet fits comfortably.
pub const MAX_SCAN_BYTES: usize = 5 * 1024 * 1024;

/// The kinds of file a scan may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanType {
    Pdf,
    Jpeg,
    Png,
}

impl ScanType {
    /// The type the content shows by its first bytes (its "magic number"), whatever the file
    /// is called: a renamed executable or a text file with `.pdf` is refused.
    pub fn sniff(content: &[u8]) -> Option<Self> {
        if content.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if content.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanFileError {
    #[error("Kies een bestand om op te laden.")]
    Empty,
    #[error("Het bestand is groter dan 5 MB. Scan op een lagere resolutie of als JPEG.")]
    TooLarge,
    #[error("Dit bestand is geen PDF, JPEG of PNG. Laad de scan op als PDF, JPEG of PNG.")]
    WrongType,
}

/// The uploaded bytes, checked: not empty, not too large, a PDF, JPEG or PNG.
pub fn check_file(content: &[u8]) -> Result<ScanType, ScanFileError> {
    if content.is_empty() {
        return Err(ScanFileError::Empty);
    }
    if content.len() > MAX_SCAN_BYTES {
        return Err(ScanFileError::TooLarge);
    }
    ScanType::sniff(content).ok_or(ScanFileError::WrongType)
}

/// The name the file had, reduced to something harmless to show and to offer on download.
pub fn clean_file_name(name: &str, kind: ScanType) -> String {
    let stem: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
        .take(80)
        .collect();
    let stem = stem.trim().trim_start_matches('.');
    let stem = stem
        .rsplit_once('.')
        .map(|(before, _)| before)
        .unwrap_or(stem);
    if stem.is_empty() {
        format!("scan.{}", kind.extension())
    } else {
        format!("{stem}.{}", kind.extension())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("Kies minstens één prestatie die deze scan staaft.")]
    NoEntries,
    #[error("Een gekozen prestatie hoort niet bij deze plaatsing.")]
    ForeignEntry,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A scan to store.
pub struct NewScan<'a> {
    pub placement: PlacementId,
    pub participant: ParticipantId,
    pub file_name: String,
    pub kind: ScanType,
    pub content: &'a [u8],
    pub entries: Vec<EntryId>,
    pub uploaded_by: Uploader,
}

/// Who uploaded a scan: staff, who must name the entries it supports, or the inburgeraar
/// through their personal link (Mijn traject), whose photo supports the placement's entries
/// still waiting for confirmation, if any.
#[derive(Debug, Clone, Copy)]
pub enum Uploader {
    User(UserId),
    Link(uuid::Uuid),
}

/// Stores the scan and links it to its entries, which must all belong to the placement; the
/// caller has checked the placement lies in its scope. Audited without the file itself.
pub async fn store(conn: &mut PgConnection, scan: NewScan<'_>) -> Result<ScanId, ScanError> {
    if scan.entries.is_empty() && matches!(scan.uploaded_by, Uploader::User(_)) {
        return Err(ScanError::NoEntries);
    }
    let entry_ids: Vec<uuid::Uuid> = scan.entries.iter().map(|e| e.0).collect();
    let found = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM hour_entries WHERE placement_id = $1 AND id = ANY($2)"#,
        scan.placement.0,
        &entry_ids,
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut distinct = entry_ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if usize::try_from(found).unwrap_or(0) != distinct.len() {
        return Err(ScanError::ForeignEntry);
    }
    let size = i32::try_from(scan.content.len()).unwrap_or(i32::MAX);
    let (user, link) = match scan.uploaded_by {
        Uploader::User(user) => (Some(user), None),
        Uploader::Link(link) => (None, Some(link)),
    };
    let id = sqlx::query_scalar!(
        r#"INSERT INTO scans (placement_id, participant_id, file_name, content_type, size_bytes,
             content, uploaded_by, uploaded_via_link)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id AS "id: ScanId""#,
        scan.placement.0,
        scan.participant.0,
        scan.file_name,
        scan.kind.content_type(),
        size,
        scan.content,
        user.map(|u| u.0),
        link,
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO scan_entries (scan_id, entry_id) SELECT $1, unnest($2::uuid[])",
        id.0,
        &distinct,
    )
    .execute(&mut *conn)
    .await?;
    let audit = AuditEntry {
        actor: user,
        action: if link.is_some() {
            "scan opgeladen door de inburgeraar"
        } else {
            "scan opgeladen"
        },
        entity: "scan",
        entity_id: id.0,
        participant: Some(scan.participant),
    };
    let after = serde_json::json!({
        "placement_id": scan.placement,
        "bestand": scan.file_name,
        "type": scan.kind.content_type(),
        "bytes": size,
        "prestaties": distinct,
    });
    match link {
        Some(link) => {
            audit
                .record_by_link::<(), _>(conn, link, None, Some(&after))
                .await?
        }
        None => audit.record::<(), _>(conn, None, Some(&after)).await?,
    }
    Ok(id)
}

/// A scan as the placement page lists it.
#[derive(Debug, Clone)]
pub struct ScanRow {
    pub id: ScanId,
    pub file_name: String,
    pub size_bytes: i32,
    pub uploaded_at: OffsetDateTime,
    pub uploaded_by: Option<String>,
    /// Uploaded by the inburgeraar from Mijn traject.
    pub by_inburgeraar: bool,
    pub entries: i64,
}

/// The scans of a placement the caller may see, oldest first.
pub async fn list_for_placement(
    conn: &mut PgConnection,
    placement: PlacementId,
) -> Result<Vec<ScanRow>, sqlx::Error> {
    sqlx::query_as!(
        ScanRow,
        r#"SELECT s.id AS "id: ScanId", s.file_name, s.size_bytes, s.uploaded_at, u.name AS "uploaded_by?",
                  s.uploaded_via_link IS NOT NULL AS "by_inburgeraar!",
                  (SELECT count(*) FROM scan_entries se WHERE se.scan_id = s.id) AS "entries!"
           FROM scans s LEFT JOIN users u ON u.id = s.uploaded_by
           WHERE s.placement_id = $1
           ORDER BY s.uploaded_at, s.id"#,
        placement.0,
    )
    .fetch_all(conn)
    .await
}

/// A file's size as the pages show it: `12 kB`, `1,4 MB`.
pub fn size_text(bytes: i32) -> String {
    let kilobytes = (i64::from(bytes) + 1023) / 1024;
    if kilobytes >= 1024 {
        format!("{},{} MB", kilobytes / 1024, (kilobytes % 1024) * 10 / 1024)
    } else {
        format!("{kilobytes} kB")
    }
}

/// A scan's file, for download.
pub struct ScanFile {
    pub id: ScanId,
    pub participant_id: ParticipantId,
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// The scan, when its participant belongs to `region`.
pub async fn get(
    conn: &mut PgConnection,
    region: RegionId,
    id: ScanId,
) -> Result<Option<ScanFile>, sqlx::Error> {
    sqlx::query_as!(
        ScanFile,
        r#"SELECT s.id AS "id: ScanId", s.participant_id AS "participant_id: ParticipantId", s.file_name,
                  s.content_type, s.content
           FROM scans s JOIN participants p ON p.id = s.participant_id
           WHERE s.id = $1 AND p.region_id = $2"#,
        id.0,
        region.0,
    )
    .fetch_optional(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_from_the_content() {
        assert_eq!(ScanType::sniff(b"%PDF-1.7\n..."), Some(ScanType::Pdf));
        assert_eq!(
            ScanType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(ScanType::Jpeg)
        );
        assert_eq!(
            ScanType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(ScanType::Png)
        );
        // A name or a claim proves nothing: text, a GIF, an executable are refused.
        assert_eq!(ScanType::sniff(b"Dit is geen PDF"), None);
        assert_eq!(ScanType::sniff(b"GIF89a"), None);
        assert_eq!(ScanType::sniff(b"MZ\x90\0"), None);
        assert_eq!(ScanType::sniff(b"%PD"), None);
        assert_eq!(ScanType::sniff(b""), None);
    }

    #[test]
    fn empty_large_and_unknown_files_are_refused() {
        assert_eq!(check_file(b""), Err(ScanFileError::Empty));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_SCAN_BYTES + 1, b' ');
        assert_eq!(check_file(&big), Err(ScanFileError::TooLarge));
        big.truncate(MAX_SCAN_BYTES);
        assert_eq!(check_file(&big), Ok(ScanType::Pdf));
        assert_eq!(check_file(b"<html>"), Err(ScanFileError::WrongType));
    }

    #[test]
    fn file_names_keep_the_stem_and_get_the_real_extension() {
        assert_eq!(
            clean_file_name("C:\\scans\\bewijs mei.PDF", ScanType::Pdf),
            "bewijs mei.pdf"
        );
        assert_eq!(clean_file_name("foto.pdf", ScanType::Jpeg), "foto.jpg");
        assert_eq!(clean_file_name("\"><script>", ScanType::Png), "script.png");
        assert_eq!(clean_file_name("", ScanType::Png), "scan.png");
        assert_eq!(clean_file_name("..", ScanType::Pdf), "scan.pdf");
    }
}
