//! Users and the data their requests touch: participants of their region, placements to log
//! hours on, pending entries of their organisation to confirm.

use std::collections::HashMap;

use sqlx::PgPool;
use uuid::Uuid;

/// Pending entries of each benchmark partner's organisation while the partner list is measured:
/// a fresh Flanders data set has about 300 (the last two of each placement).
pub const LIST_BACKLOG: usize = 300;

/// Pending entries of the benchmark partners' organisations together when confirming starts,
/// shared equally: more than the connections confirm in a run (about 10,000 at 1,250/s for
/// 8 s), so that none of them runs out while others still have some.
pub const CONFIRM_BACKLOG: usize = 24_000;

/// The pending entries (id, version) of one organisation.
pub type Pending = Vec<(String, i32)>;

/// The closed loop's users: coaches of region RGA, its coördinator, partners of up to 32
/// organisations.
pub struct Fixtures {
    pub coach_emails: Vec<String>,
    pub coordinator_email: String,
    pub partner_emails: Vec<String>,
    pub participant_ids: Vec<String>,
    pub placements: Vec<String>,
    /// The organisation of each partner in `partner_emails`.
    pub partner_organisations: Vec<Uuid>,
    /// The last 28 days (`DD/MM/YYYY`), yesterday first: inside every benchmark placement.
    pub recent_days: Vec<String>,
}

impl Fixtures {
    pub async fn load(pool: &PgPool) -> Self {
        // Coaches of region RGA (the coordinator's region), with their participants.
        let coach_emails: Vec<String> = sqlx::query_scalar(
            "SELECT u.email FROM users u JOIN regions r ON r.id = u.region_id
             WHERE r.code = 'RGA' AND u.role = 'coach' ORDER BY u.email LIMIT 32",
        )
        .fetch_all(pool)
        .await
        .expect("coaches");
        let participant_ids: Vec<String> = sqlx::query_scalar(
            "SELECT p.id::text FROM participants p JOIN regions r ON r.id = p.region_id
             WHERE r.code = 'RGA' ORDER BY p.id LIMIT 2000",
        )
        .fetch_all(pool)
        .await
        .expect("participants");
        let placements: Vec<String> = sqlx::query_scalar(
            "SELECT pl.id::text FROM placements pl JOIN participants p ON p.id = pl.participant_id
             JOIN regions r ON r.id = p.region_id
             WHERE r.code = 'RGA' AND p.status = 'actief' AND pl.status = 'lopend'
               AND pl.starts_on <= current_date - 28 AND pl.ends_on >= current_date - 1
             ORDER BY pl.id LIMIT 5000",
        )
        .fetch_all(pool)
        .await
        .expect("placements");
        let partners: Vec<(String, Uuid)> = sqlx::query_as(
            "SELECT email, organisation_id FROM users WHERE role = 'partner' AND email LIKE '%@scale.example'
             ORDER BY email LIMIT 32",
        )
        .fetch_all(pool)
        .await
        .expect("partners");
        let partner_organisations: Vec<Uuid> = partners
            .iter()
            .map(|(_, organisation)| *organisation)
            .collect();
        top_up_pending(pool, &partner_organisations, LIST_BACKLOG * partners.len()).await;
        Self {
            coach_emails,
            coordinator_email: "coordinator-rga@scale.example".into(),
            partner_emails: partners.into_iter().map(|(email, _)| email).collect(),
            partner_organisations,
            participant_ids,
            placements,
            recent_days: recent_days(pool).await,
        }
    }
}

/// The last 28 days (`DD/MM/YYYY`), yesterday first.
async fn recent_days(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT to_char(current_date - d, 'DD/MM/YYYY') FROM generate_series(1, 28) AS d ORDER BY d",
    )
    .fetch_all(pool)
    .await
    .expect("dates")
}

/// The open loop's users, spread over the regions and organisations: at most `coaches` coaches
/// (taken from every region in turn), `partners` partners (each of another organisation) and
/// `coordinators` coördinatoren (each of another region), with what their requests need per
/// region.
pub struct Crowd {
    /// Email and region of each coach.
    pub coaches: Vec<(String, Uuid)>,
    pub coordinators: Vec<String>,
    /// Email and organisation of each partner.
    pub partners: Vec<(String, Uuid)>,
    /// Per region of the coaches: some of its participants, and running placements (of active
    /// participants) that cover the last 28 days.
    pub participants: HashMap<Uuid, Vec<String>>,
    pub placements: HashMap<Uuid, Vec<String>>,
    pub recent_days: Vec<String>,
}

impl Crowd {
    pub async fn load(pool: &PgPool, coaches: i64, partners: i64, coordinators: i64) -> Self {
        let coaches: Vec<(String, Uuid)> = sqlx::query_as(
            "SELECT email, region_id FROM (
                 SELECT u.email, u.region_id,
                        row_number() OVER (PARTITION BY u.region_id ORDER BY u.email) AS k
                 FROM users u JOIN regions r ON r.id = u.region_id
                 WHERE u.role = 'coach' AND u.email LIKE '%@scale.example' AND r.code LIKE 'RG_') c
             ORDER BY k, email LIMIT $1",
        )
        .bind(coaches)
        .fetch_all(pool)
        .await
        .expect("coaches");
        let coordinators: Vec<String> = sqlx::query_scalar(
            "SELECT email FROM users WHERE role = 'coordinator'
               AND email LIKE 'coordinator-rg_@scale.example' ORDER BY email LIMIT $1",
        )
        .bind(coordinators)
        .fetch_all(pool)
        .await
        .expect("coordinators");
        let partners: Vec<(String, Uuid)> = sqlx::query_as(
            "SELECT email, organisation_id FROM users WHERE role = 'partner' AND email LIKE '%@scale.example'
             ORDER BY email LIMIT $1",
        )
        .bind(partners)
        .fetch_all(pool)
        .await
        .expect("partners");
        let mut regions: Vec<Uuid> = coaches.iter().map(|(_, region)| *region).collect();
        regions.sort();
        regions.dedup();
        let participants = per_region(
            pool,
            &regions,
            "SELECT p.region_id, array_agg(p.id::text ORDER BY p.id) FROM (
                 SELECT region_id, id, row_number() OVER (PARTITION BY region_id ORDER BY id) AS k
                 FROM participants WHERE region_id = ANY($1)) p
             WHERE p.k <= 500 GROUP BY p.region_id",
        )
        .await;
        let placements = per_region(
            pool,
            &regions,
            "SELECT q.region_id, array_agg(q.id::text ORDER BY q.id) FROM (
                 SELECT p.region_id, pl.id,
                        row_number() OVER (PARTITION BY p.region_id ORDER BY pl.id) AS k
                 FROM placements pl JOIN participants p ON p.id = pl.participant_id
                 WHERE p.region_id = ANY($1) AND p.status = 'actief' AND pl.status = 'lopend'
                   AND pl.starts_on <= current_date - 28 AND pl.ends_on >= current_date - 1) q
             WHERE q.k <= 500 GROUP BY q.region_id",
        )
        .await;
        Self {
            coaches,
            coordinators,
            partners,
            participants,
            placements,
            recent_days: recent_days(pool).await,
        }
    }

    pub fn organisations(&self) -> Vec<Uuid> {
        self.partners
            .iter()
            .map(|(_, organisation)| *organisation)
            .collect()
    }
}

async fn per_region(pool: &PgPool, regions: &[Uuid], sql: &str) -> HashMap<Uuid, Vec<String>> {
    let rows: Vec<(Uuid, Vec<String>)> = sqlx::query_as(sql)
        .bind(regions)
        .fetch_all(pool)
        .await
        .expect("per region");
    rows.into_iter().collect()
}

/// Gives the organisations `backlog` pending entries together (equally shared), whatever earlier
/// runs confirmed, so every run measures the same backlog; returns the pending entries (id,
/// version) of each organisation. New entries are of the last 28 days, on the organisation's
/// running placements. Then does what autovacuum does soon after such a batch on a live
/// database: the participants' totals changed, and the name search reads the table's
/// visibility map.
pub async fn top_up_pending(pool: &PgPool, organisations: &[Uuid], backlog: usize) -> Vec<Pending> {
    let each = i32::try_from(backlog / organisations.len().max(1)).unwrap_or(i32::MAX);
    let mut pending = Vec::new();
    for organisation in organisations {
        sqlx::query(
            "WITH pl AS (
                 SELECT pl.id, pl.participant_id, pl.organisation_id,
                        row_number() OVER (ORDER BY pl.id) - 1 AS i, count(*) OVER () AS n
                 FROM placements pl JOIN participants p ON p.id = pl.participant_id
                 WHERE pl.organisation_id = $1 AND pl.status = 'lopend' AND p.status = 'actief'
                   AND pl.starts_on <= current_date - 28 AND pl.ends_on >= current_date - 1),
             missing AS (
                 SELECT greatest(0, $2 - count(*))::int AS n FROM hour_entries
                 WHERE organisation_id = $1 AND status = 'ingediend')
             INSERT INTO hour_entries (placement_id, participant_id, organisation_id,
                                       worked_on, minutes, status)
             SELECT pl.id, pl.participant_id, pl.organisation_id,
                    current_date - 1 - ((g / pl.n) % 28)::int, 15, 'ingediend'
             FROM missing, generate_series(0, missing.n - 1) AS g
             JOIN pl ON pl.i = g % pl.n",
        )
        .bind(organisation)
        .bind(each)
        .execute(pool)
        .await
        .expect("pending backlog");
        let rows: Pending = sqlx::query_as(
            "SELECT id::text, version FROM hour_entries WHERE organisation_id = $1 AND status = 'ingediend'",
        )
        .bind(organisation)
        .fetch_all(pool)
        .await
        .expect("pending entries");
        pending.push(rows);
    }
    sqlx::query("VACUUM participants")
        .execute(pool)
        .await
        .expect("vacuum");
    pending
}
