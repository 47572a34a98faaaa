//! A region's logo, printed at the top of its certificates and of the bewijs van deelname: what
//! may be uploaded (PNG or JPEG of at most 1 MiB, the type read from the content like a scan's,
//! never from the name or the browser's word), storing and replacing it, removing it, and reading
//! it back for the beheerder's preview and for the PDFs. Every change writes its audit row in the
//! caller's transaction. Whether the image can really be drawn (a cut-off or corrupt file, too
//! many pixels, colours PDF/A does not allow) is the PDF layer's check (`pdf::check_image`); its
//! refusals are the variants of [`LogoFileError`] after `WrongType`.

use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

use super::audit::AuditEntry;
use super::scan::ScanType;
use crate::values::ids::{RegionId, UserId};

/// The largest logo accepted: a logo prints a few centimetres wide.
pub const MAX_LOGO_BYTES: usize = 1024 * 1024;

/// The kinds of image a logo may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoType {
    Png,
    Jpeg,
}

impl LogoType {
    /// The type the content shows by its first bytes, whatever the file is called.
    pub fn sniff(content: &[u8]) -> Option<Self> {
        match ScanType::sniff(content)? {
            ScanType::Png => Some(Self::Png),
            ScanType::Jpeg => Some(Self::Jpeg),
            ScanType::Pdf => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => ScanType::Png.content_type(),
            Self::Jpeg => ScanType::Jpeg.content_type(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoFileError {
    #[error("Kies een afbeelding om op te laden.")]
    Empty,
    #[error(
        "Het logo is groter dan 1 MB. Bewaar het kleiner (bijvoorbeeld 600 pixels breed) en laad het opnieuw op."
    )]
    TooLarge,
    #[error("Dit bestand is geen PNG of JPEG. Laad het logo op als PNG of JPEG.")]
    WrongType,
    #[error(
        "Dit bestand is beschadigd of onvolledig en kan niet afgedrukt worden. Bewaar het logo opnieuw als PNG of JPEG en laad het opnieuw op."
    )]
    Unreadable,
    #[error(
        "Het logo heeft te veel pixels: hoogstens 2500 bij 2500. Bewaar het kleiner en laad het opnieuw op."
    )]
    TooManyPixels,
    #[error(
        "Dit logo past niet in een archiefbestendige PDF (bijvoorbeeld door CMYK-kleuren). Bewaar het als PNG of als JPEG in RGB en laad het opnieuw op."
    )]
    NotArchival,
}

/// The uploaded bytes, checked: not empty, not too large, a PNG or JPEG.
pub fn check_file(content: &[u8]) -> Result<LogoType, LogoFileError> {
    if content.is_empty() {
        return Err(LogoFileError::Empty);
    }
    if content.len() > MAX_LOGO_BYTES {
        return Err(LogoFileError::TooLarge);
    }
    LogoType::sniff(content).ok_or(LogoFileError::WrongType)
}

/// A logo to draw: its image and the name of the region it stands for (its description).
#[derive(Debug, Clone)]
pub struct Logo {
    pub region_name: String,
    pub kind: LogoType,
    pub content: Vec<u8>,
}

/// The region's logo, when it has one.
pub async fn get(conn: &mut PgConnection, region: RegionId) -> Result<Option<Logo>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT r.name, l.content FROM region_logos l JOIN regions r ON r.id = l.region_id
         WHERE l.region_id = $1",
        region.0,
    )
    .fetch_optional(conn)
    .await?;
    // Stored only after `check_file`, so the content says its type.
    Ok(row.and_then(|row| {
        let kind = LogoType::sniff(&row.content)?;
        Some(Logo {
            region_name: row.name,
            kind,
            content: row.content,
        })
    }))
}

/// What the region's page says about its logo.
#[derive(Debug, Clone)]
pub struct LogoInfo {
    pub content_type: String,
    pub size_bytes: i32,
    pub uploaded_at: OffsetDateTime,
    pub uploaded_by: Option<String>,
}

impl LogoInfo {
    /// "PNG" or "JPEG".
    pub fn kind_label(&self) -> &'static str {
        if self.content_type == LogoType::Jpeg.content_type() {
            LogoType::Jpeg.label()
        } else {
            LogoType::Png.label()
        }
    }
}

pub async fn info(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Option<LogoInfo>, sqlx::Error> {
    sqlx::query_as!(
        LogoInfo,
        r#"SELECT l.content_type, l.size_bytes, l.uploaded_at, u.name AS "uploaded_by?"
           FROM region_logos l LEFT JOIN users u ON u.id = l.uploaded_by
           WHERE l.region_id = $1"#,
        region.0,
    )
    .fetch_optional(conn)
    .await
}

/// What the audit log keeps of a logo: its type and size, not the image.
#[derive(Debug, Serialize)]
struct Audited {
    #[serde(rename = "type")]
    content_type: String,
    bytes: i32,
}

/// Stores the region's logo, replacing the one it had. `None`: no such region. The content has
/// passed `check_file` and the PDF layer's check.
pub async fn store(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    kind: LogoType,
    content: &[u8],
) -> Result<Option<()>, sqlx::Error> {
    // The region's row first: two uploads at once replace one another in turn.
    let found = sqlx::query_scalar!("SELECT id FROM regions WHERE id = $1 FOR UPDATE", region.0)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Ok(None);
    }
    let before = sqlx::query_as!(
        Audited,
        r#"SELECT content_type, size_bytes AS bytes FROM region_logos WHERE region_id = $1"#,
        region.0,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let size = i32::try_from(content.len()).unwrap_or(i32::MAX);
    sqlx::query!(
        "INSERT INTO region_logos (region_id, content_type, size_bytes, content, uploaded_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (region_id) DO UPDATE
         SET content_type = EXCLUDED.content_type, size_bytes = EXCLUDED.size_bytes,
             content = EXCLUDED.content, uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now()",
        region.0,
        kind.content_type(),
        size,
        content,
        actor.0,
    )
    .execute(&mut *conn)
    .await?;
    let after = Audited {
        content_type: kind.content_type().to_string(),
        bytes: size,
    };
    audit_entry(actor, "logo opgeladen", region)
        .record(conn, before.as_ref(), Some(&after))
        .await?;
    Ok(Some(()))
}

/// Removes the region's logo. `false`: it had none (nothing changed, nothing audited).
pub async fn remove(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query_as!(
        Audited,
        r#"DELETE FROM region_logos WHERE region_id = $1
           RETURNING content_type, size_bytes AS bytes"#,
        region.0,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(before) = removed else {
        return Ok(false);
    };
    audit_entry(actor, "logo verwijderd", region)
        .record::<_, Audited>(conn, Some(&before), None)
        .await?;
    Ok(true)
}

/// The beheerder's audit row for a region's logo: no participant is concerned.
fn audit_entry(actor: UserId, action: &str, region: RegionId) -> AuditEntry<'_> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "region",
        entity_id: region.0,
        participant: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_png_and_jpeg_by_their_content_are_logos() {
        assert_eq!(
            check_file(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Ok(LogoType::Png)
        );
        assert_eq!(
            check_file(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Ok(LogoType::Jpeg)
        );
        // A PDF is a scan, not a logo; a GIF or text called logo.png is neither.
        assert_eq!(check_file(b"%PDF-1.7"), Err(LogoFileError::WrongType));
        assert_eq!(check_file(b"GIF89a"), Err(LogoFileError::WrongType));
        assert_eq!(check_file(b"logo"), Err(LogoFileError::WrongType));
        assert_eq!(check_file(b""), Err(LogoFileError::Empty));
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert_eq!(check_file(&big), Err(LogoFileError::TooLarge));
        big.truncate(MAX_LOGO_BYTES);
        assert_eq!(check_file(&big), Ok(LogoType::Png));
    }
}
