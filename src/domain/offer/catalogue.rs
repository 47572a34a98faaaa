//! Matching's copy of a region's open offers, used only while it is still exact.

use sqlx::PgConnection;
use time::Date;

use crate::values::ids::{MunicipalityId, OfferId, RegionId};
use crate::values::kinds::PlacementKind;
use std::sync::Arc;

use super::matching::Candidate;

/// The approved, open, running offers of `region` that still have a free place; taken places
/// come from `placements_offer_idx`.
async fn candidates(
    conn: &mut PgConnection,
    region: RegionId,
    today: Date,
) -> Result<Vec<Candidate>, sqlx::Error> {
    sqlx::query_as!(
        Candidate,
        r#"SELECT o.id AS "id: OfferId", o.title, org.name AS organisation_name,
                  o.kind AS "kind: PlacementKind",
                  o.municipality_id AS "municipality_id: MunicipalityId", m.name AS municipality,
                  o.days, o.day_parts, o.by_arrangement, o.taalicoon, o.contact_languages,
                  o.places, (o.places - t.taken) AS "free!"
           FROM offers o
           JOIN organisations org ON org.id = o.organisation_id
           JOIN municipalities m ON m.id = o.municipality_id
           CROSS JOIN LATERAL (
               SELECT count(*) AS taken FROM placements pl
               WHERE pl.offer_id = o.id AND pl.status IN ('gepland', 'lopend')
           ) t
           WHERE o.region_id = $1 AND o.approval = 'goedgekeurd' AND o.state = 'open'
             AND o.ends_on >= $2 AND org.active AND t.taken < o.places"#,
        region.0,
        today,
    )
    .fetch_all(conn)
    .await
}

/// A region's open offers (`candidates`) as read at one catalogue version and day.
#[derive(Debug)]
pub struct OpenOffers {
    version: i64,
    day: Date,
    pub offers: Vec<Candidate>,
}

/// Regions' open offers kept in memory. Matching ranks every open offer of the region, which
/// is most of its work when read from the database each time; a copy is used only while the
/// region's catalogue version (`offer_catalogue_versions`, changed by triggers in the same
/// transaction as anything matching reads) and the day are those it was read at, so a copy
/// is always exactly what the query would return, also with several app instances.
#[derive(Clone)]
pub struct Catalogue {
    copies: moka::sync::Cache<RegionId, Arc<OpenOffers>>,
}

/// Regions whose open offers are kept (each a few hundred kilobytes at Flanders scale).
const CATALOGUE_REGIONS: u64 = 64;

impl Default for Catalogue {
    fn default() -> Self {
        Self {
            copies: moka::sync::Cache::new(CATALOGUE_REGIONS),
        }
    }
}

impl Catalogue {
    /// The open offers of `region` today: the kept copy if still current, else read anew.
    /// The version is read first, so a copy is never older than the version it is kept under.
    pub async fn open_offers(
        &self,
        conn: &mut PgConnection,
        region: RegionId,
        today: Date,
    ) -> Result<Arc<OpenOffers>, sqlx::Error> {
        let version = sqlx::query_scalar!(
            r#"SELECT coalesce((SELECT version FROM offer_catalogue_versions
                                WHERE region_id = $1), 0) AS "version!""#,
            region.0
        )
        .fetch_one(&mut *conn)
        .await?;
        if let Some(copy) = self.copies.get(&region)
            && copy.version == version
            && copy.day == today
        {
            return Ok(copy);
        }
        let copy = Arc::new(OpenOffers {
            version,
            day: today,
            offers: candidates(conn, region, today).await?,
        });
        self.copies.insert(region, Arc::clone(&copy));
        Ok(copy)
    }
}
