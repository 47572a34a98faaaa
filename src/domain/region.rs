//! Regions, their municipalities (names, and which border each other) and their settings: the
//! code that prefixes certificate numbers, the required hours and the trajectory length. Every
//! change writes its audit row in the caller's transaction.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::audit::AuditEntry;
use crate::values::duration::format_minutes;
use crate::values::ids::{MunicipalityId, RegionId, UserId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionInputError {
    #[error("Vul een code van 2 tot 6 letters in, bijvoorbeeld BRG.")]
    BadCode,
    #[error("Vul een naam in.")]
    EmptyName,
    #[error("Een naam heeft hoogstens 200 tekens.")]
    NameTooLong,
    #[error("Vul het aantal uren in, bijvoorbeeld 40 of 40,5.")]
    BadHours,
    #[error("Het aantal uren ligt tussen 1 en 1000.")]
    HoursOutOfRange,
    #[error("Vul een aantal maanden in, van 1 tot 60.")]
    BadMonths,
}

/// A region's code, the prefix of its certificate numbers: 2 to 6 capital letters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(input: &str) -> Result<Self, RegionInputError> {
        let code = input.trim().to_uppercase();
        if (2..=6).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(RegionInputError::BadCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of a region or municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PlaceName(String);

impl PlaceName {
    pub fn parse(input: &str) -> Result<Self, RegionInputError> {
        let name = input.trim();
        if name.is_empty() {
            Err(RegionInputError::EmptyName)
        } else if name.chars().count() > 200 {
            Err(RegionInputError::NameTooLong)
        } else {
            Ok(Self(name.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Required hours as typed (`40`, `40,5`, `40.5`, `40 u`, `40 uur`), in minutes.
pub fn parse_required_hours(input: &str) -> Result<i32, RegionInputError> {
    let text = input.trim().to_lowercase();
    let text = text
        .strip_suffix("uur")
        .or_else(|| text.strip_suffix('u'))
        .unwrap_or(&text)
        .trim();
    let (int, frac) = match text.split_once([',', '.']) {
        Some((int, frac)) => (int, frac),
        None => (text, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !(frac.is_empty() || digits(frac)) {
        return Err(RegionInputError::BadHours);
    }
    let hours: i64 = int.parse().map_err(|_| RegionInputError::BadHours)?;
    let fraction_minutes = if frac.is_empty() {
        0
    } else {
        let value: i64 = frac.parse().map_err(|_| RegionInputError::BadHours)?;
        let scale = 10i64.pow(u32::try_from(frac.len()).map_err(|_| RegionInputError::BadHours)?);
        (value * 60 + scale / 2) / scale
    };
    let minutes = hours * 60 + fraction_minutes;
    if !(60..=60_000).contains(&minutes) {
        return Err(RegionInputError::HoursOutOfRange);
    }
    i32::try_from(minutes).map_err(|_| RegionInputError::HoursOutOfRange)
}

pub fn parse_trajectory_months(input: &str) -> Result<i32, RegionInputError> {
    input
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|m| (1..=60).contains(m))
        .ok_or(RegionInputError::BadMonths)
}

/// A region's fields, parsed.
#[derive(Debug, Clone, Serialize)]
pub struct RegionInput {
    pub code: RegionCode,
    pub name: PlaceName,
    pub required_minutes: i32,
    pub trajectory_months: i32,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveRegionError {
    #[error("Er bestaat al een regio met deze code.")]
    CodeTaken,
    #[error("Er bestaat al een regio met deze naam.")]
    NameTaken,
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SaveRegionError {
    fn from(error: sqlx::Error) -> Self {
        match error.as_database_error().and_then(|e| e.constraint()) {
            Some("regions_code_key") => Self::CodeTaken,
            Some("regions_name_key") => Self::NameTaken,
            _ => Self::Database(error),
        }
    }
}

/// A line of the region list.
#[derive(Debug, Clone)]
pub struct RegionRow {
    pub id: RegionId,
    pub code: String,
    pub name: String,
    pub required_minutes: i32,
    pub trajectory_months: i32,
    pub municipalities: i64,
}

impl RegionRow {
    /// The required hours as the lists show them (`40 u 30`).
    pub fn required_hours(&self) -> String {
        format_minutes(i64::from(self.required_minutes))
    }
}

pub async fn list(conn: &mut PgConnection) -> Result<Vec<RegionRow>, sqlx::Error> {
    sqlx::query_as!(
        RegionRow,
        r#"SELECT r.id AS "id: RegionId", r.code, r.name, r.required_minutes, r.trajectory_months,
                  (SELECT count(*) FROM municipalities m WHERE m.region_id = r.id) AS "municipalities!"
           FROM regions r ORDER BY r.name"#
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub id: RegionId,
    pub code: String,
    pub name: String,
    pub required_minutes: i32,
    pub trajectory_months: i32,
}

pub async fn find(conn: &mut PgConnection, id: RegionId) -> Result<Option<Region>, sqlx::Error> {
    sqlx::query_as!(
        Region,
        r#"SELECT id AS "id: RegionId", code, name, required_minutes, trajectory_months
           FROM regions WHERE id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await
}

/// The beheerder's audit row for a region or municipality: no participant is concerned.
fn audit_entry<'a>(actor: UserId, action: &'a str, entity: &'a str, id: Uuid) -> AuditEntry<'a> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity,
        entity_id: id,
        participant: None,
    }
}

pub async fn create(
    conn: &mut PgConnection,
    actor: UserId,
    input: &RegionInput,
) -> Result<RegionId, SaveRegionError> {
    let id = sqlx::query_scalar!(
        r#"INSERT INTO regions (code, name, required_minutes, trajectory_months)
           VALUES ($1, $2, $3, $4) RETURNING id AS "id: RegionId""#,
        input.code.as_str(),
        input.name.as_str(),
        input.required_minutes,
        input.trajectory_months,
    )
    .fetch_one(&mut *conn)
    .await?;
    let after = find(conn, id).await?;
    audit_entry(actor, "aangemaakt", "region", id.0)
        .record::<Region, _>(conn, None, after.as_ref())
        .await?;
    Ok(id)
}

/// Changes a region's code, name and settings. A new requirement applies at once to every
/// active participant of the region (lists and progress compare with the region's value).
pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    id: RegionId,
    input: &RegionInput,
) -> Result<Option<()>, SaveRegionError> {
    sqlx::query!("SELECT id FROM regions WHERE id = $1 FOR UPDATE", id.0)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(before) = find(conn, id).await? else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE regions SET code = $2, name = $3, required_minutes = $4, trajectory_months = $5
         WHERE id = $1",
        id.0,
        input.code.as_str(),
        input.name.as_str(),
        input.required_minutes,
        input.trajectory_months,
    )
    .execute(&mut *conn)
    .await?;
    let after = find(conn, id).await?;
    audit_entry(actor, "gewijzigd", "region", id.0)
        .record(conn, Some(&before), after.as_ref())
        .await?;
    Ok(Some(()))
}

/// A municipality with the number of participants who live there.
#[derive(Debug, Clone)]
pub struct MunicipalityRow {
    pub id: MunicipalityId,
    pub name: String,
    pub participants: i64,
    pub neighbours: i64,
}

pub async fn municipalities(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<MunicipalityRow>, sqlx::Error> {
    sqlx::query_as!(
        MunicipalityRow,
        r#"SELECT m.id AS "id: MunicipalityId", m.name,
                  (SELECT count(*) FROM participants p WHERE p.municipality_id = m.id) AS "participants!",
                  (SELECT count(*) FROM municipality_neighbours n WHERE n.municipality_id = m.id)
                      AS "neighbours!"
           FROM municipalities m WHERE m.region_id = $1 ORDER BY m.name"#,
        region.0
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum SaveMunicipalityError {
    #[error("Er bestaat al een gemeente met deze naam.")]
    NameTaken,
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SaveMunicipalityError {
    fn from(error: sqlx::Error) -> Self {
        match error.as_database_error().and_then(|e| e.constraint()) {
            Some("municipalities_name_key") => Self::NameTaken,
            _ => Self::Database(error),
        }
    }
}

#[derive(Serialize)]
struct MunicipalityAudit<'a> {
    region_id: RegionId,
    name: &'a str,
}

pub async fn add_municipality(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    name: &PlaceName,
) -> Result<MunicipalityId, SaveMunicipalityError> {
    let id = sqlx::query_scalar!(
        r#"INSERT INTO municipalities (region_id, name) VALUES ($1, $2)
           RETURNING id AS "id: MunicipalityId""#,
        region.0,
        name.as_str()
    )
    .fetch_one(&mut *conn)
    .await?;
    audit_entry(actor, "aangemaakt", "municipality", id.0)
        .record::<(), _>(
            conn,
            None,
            Some(&MunicipalityAudit {
                region_id: region,
                name: name.as_str(),
            }),
        )
        .await?;
    Ok(id)
}

/// Renames a municipality of `region`; `None` when it is not one of the region's.
pub async fn rename_municipality(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: MunicipalityId,
    name: &PlaceName,
) -> Result<Option<()>, SaveMunicipalityError> {
    let Some(before) = sqlx::query_scalar!(
        "SELECT name FROM municipalities WHERE id = $1 AND region_id = $2 FOR UPDATE",
        id.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE municipalities SET name = $2 WHERE id = $1",
        id.0,
        name.as_str()
    )
    .execute(&mut *conn)
    .await?;
    audit_entry(actor, "hernoemd", "municipality", id.0)
        .record(
            conn,
            Some(&MunicipalityAudit {
                region_id: region,
                name: &before,
            }),
            Some(&MunicipalityAudit {
                region_id: region,
                name: name.as_str(),
            }),
        )
        .await?;
    Ok(Some(()))
}

// --- Neighbouring municipalities -----------------------------------------------------------------

/// Another municipality of the region, and whether it borders the one being edited.
#[derive(Debug, Clone)]
pub struct NeighbourChoice {
    pub id: MunicipalityId,
    pub name: String,
    pub neighbour: bool,
}

/// A municipality of the region with its neighbours among the region's other municipalities
/// (matching's "in een buurgemeente"), or `None` when it is not of the region.
pub async fn neighbour_choices(
    conn: &mut PgConnection,
    region: RegionId,
    id: MunicipalityId,
) -> Result<Option<(String, Vec<NeighbourChoice>)>, sqlx::Error> {
    let Some(name) = sqlx::query_scalar!(
        "SELECT name FROM municipalities WHERE id = $1 AND region_id = $2",
        id.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let choices = sqlx::query_as!(
        NeighbourChoice,
        r#"SELECT m.id AS "id: MunicipalityId", m.name,
                  EXISTS (SELECT 1 FROM municipality_neighbours n
                          WHERE n.municipality_id = $2 AND n.neighbour_id = m.id) AS "neighbour!"
           FROM municipalities m
           WHERE m.region_id = $1 AND m.id <> $2
           ORDER BY m.name, m.id"#,
        region.0,
        id.0
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some((name, choices)))
}

#[derive(Debug, thiserror::Error)]
pub enum NeighbourError {
    #[error("Kies de buurgemeenten uit de lijst.")]
    NotInRegion,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Serialize)]
struct NeighboursAudit<'a> {
    region_id: RegionId,
    neighbours: &'a [MunicipalityId],
}

/// Makes `chosen` the neighbours of `id` among the region's municipalities, in both directions
/// (bordering is mutual); neighbours in other regions stay. `None` when `id` is not of the
/// region; every chosen one must be another municipality of the region.
pub async fn set_neighbours(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: MunicipalityId,
    chosen: &[MunicipalityId],
) -> Result<Option<()>, NeighbourError> {
    // FOR NO KEY UPDATE: inserting a pair checks the other municipality's key (KEY SHARE), which
    // FOR UPDATE would block, so two beheerders pairing A and B from either side would deadlock.
    let found = sqlx::query_scalar!(
        "SELECT id FROM municipalities WHERE id = $1 AND region_id = $2 FOR NO KEY UPDATE",
        id.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    if found.is_none() {
        return Ok(None);
    }
    let mut chosen: Vec<Uuid> = chosen.iter().map(|m| m.0).collect();
    chosen.sort_unstable();
    chosen.dedup();
    let of_region = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM municipalities
           WHERE id = ANY($1) AND region_id = $2 AND id <> $3"#,
        &chosen,
        region.0,
        id.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if usize::try_from(of_region).ok() != Some(chosen.len()) {
        return Err(NeighbourError::NotInRegion);
    }
    let before: Vec<MunicipalityId> = sqlx::query_scalar!(
        r#"SELECT n.neighbour_id AS "id: MunicipalityId" FROM municipality_neighbours n
           JOIN municipalities m ON m.id = n.neighbour_id
           WHERE n.municipality_id = $1 AND m.region_id = $2
           ORDER BY n.neighbour_id"#,
        id.0,
        region.0
    )
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM municipality_neighbours n
         USING municipalities m
         WHERE m.region_id = $2
           AND ((n.municipality_id = $1 AND n.neighbour_id = m.id)
             OR (n.neighbour_id = $1 AND n.municipality_id = m.id))",
        id.0,
        region.0
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO municipality_neighbours (municipality_id, neighbour_id)
         SELECT $1, c FROM unnest($2::uuid[]) AS c
         UNION ALL
         SELECT c, $1 FROM unnest($2::uuid[]) AS c",
        id.0,
        &chosen
    )
    .execute(&mut *conn)
    .await?;
    let after: Vec<MunicipalityId> = chosen.into_iter().map(MunicipalityId).collect();
    audit_entry(actor, "buren gewijzigd", "municipality", id.0)
        .record(
            conn,
            Some(&NeighboursAudit {
                region_id: region,
                neighbours: &before,
            }),
            Some(&NeighboursAudit {
                region_id: region,
                neighbours: &after,
            }),
        )
        .await?;
    Ok(Some(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes_are_capital_letters() {
        assert_eq!(RegionCode::parse(" brg ").unwrap().as_str(), "BRG");
        for bad in ["", "B", "BRUGGEX", "BR1", "B-G", "ÉÉ"] {
            assert_eq!(
                RegionCode::parse(bad),
                Err(RegionInputError::BadCode),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn required_hours_as_typed() {
        for (typed, minutes) in [
            ("40", 2400),
            ("40,5", 2430),
            ("40.25", 2415),
            ("40 u", 2400),
            ("60 uur", 3600),
            ("1", 60),
        ] {
            assert_eq!(parse_required_hours(typed), Ok(minutes), "{typed:?}");
        }
        for bad in ["", "veertig", "-5", "40:30", "4,0,0"] {
            assert_eq!(
                parse_required_hours(bad),
                Err(RegionInputError::BadHours),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_required_hours("0"),
            Err(RegionInputError::HoursOutOfRange)
        );
        assert_eq!(
            parse_required_hours("1001"),
            Err(RegionInputError::HoursOutOfRange)
        );
    }

    #[test]
    fn trajectory_months_between_one_and_sixty() {
        assert_eq!(parse_trajectory_months(" 12 "), Ok(12));
        for bad in ["0", "61", "", "twaalf", "1.5"] {
            assert_eq!(
                parse_trajectory_months(bad),
                Err(RegionInputError::BadMonths),
                "{bad:?}"
            );
        }
    }
}
