//! The funder's figures: the participants of a period, what each counts for, and their
//! counts by municipality, form, age band and completion.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{Connection, PgConnection, Postgres, Transaction};
use time::Date;

use super::period::Period;
use crate::domain::participant::ParticipantStatus;
use crate::domain::search::search_key;
use crate::values::ids::{MunicipalityId, OrganisationId, ParticipantId, RegionId};
use crate::values::kinds::PlacementKind;

/// The age bands funders ask for, by age at the end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AgeBand {
    Under18,
    From18To25,
    From26To35,
    From36To45,
    From46To55,
    From56,
}

impl AgeBand {
    pub const ALL: [Self; 6] = [
        Self::Under18,
        Self::From18To25,
        Self::From26To35,
        Self::From36To45,
        Self::From46To55,
        Self::From56,
    ];

    /// The youngest age of every band but the first, in the order of `ALL`.
    pub const LOWER_BOUNDS: [i32; 5] = [18, 26, 36, 46, 56];

    pub fn of(birth: Date, at: Date) -> Self {
        Self::of_age(age(birth, at))
    }

    pub fn of_age(years: i32) -> Self {
        let band = Self::LOWER_BOUNDS
            .iter()
            .take_while(|bound| years >= **bound)
            .count();
        Self::ALL[band]
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Under18 => "jonger dan 18",
            Self::From18To25 => "18–25",
            Self::From26To35 => "26–35",
            Self::From36To45 => "36–45",
            Self::From46To55 => "46–55",
            Self::From56 => "56+",
        }
    }
}

/// Age in whole years on `at`.
pub fn age(birth: Date, at: Date) -> i32 {
    let mut years = at.year() - birth.year();
    if (u8::from(at.month()), at.day()) < (u8::from(birth.month()), birth.day()) {
        years -= 1;
    }
    years
}

/// What the funder's report counts of a participant whose trajectory overlaps the period.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodFigures {
    pub municipality: String,
    pub birth_date: Date,
    pub status: ParticipantStatus,
    pub confirmed_minutes: i32,
    pub required_minutes: i32,
    /// Confirmed minutes worked in the period, per form.
    pub minutes_by_kind: BTreeMap<PlacementKind, i64>,
}

impl PeriodFigures {
    /// The requirement met: hours enough, or the certificate already issued.
    pub fn completed(&self) -> bool {
        self.status == ParticipantStatus::Afgerond
            || self.confirmed_minutes >= self.required_minutes
    }

    pub fn period_minutes(&self) -> i64 {
        self.minutes_by_kind.values().sum()
    }

    pub fn completion(&self) -> Completion {
        Completion::of(self.status, self.confirmed_minutes >= self.required_minutes)
    }
}

/// A participant whose trajectory overlaps the period, who they are and their figures.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodParticipant {
    pub id: ParticipantId,
    pub full_name: String,
    pub external_dossier: String,
    pub start_date: Date,
    pub target_end_date: Date,
    /// Days of the period the trajectory was paused (a running pause up to today).
    pub pause_days: i32,
    #[serde(flatten)]
    pub figures: PeriodFigures,
}

/// Where a trajectory stands, for the funder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Completion {
    Done,
    Busy,
    Stopped,
    Exempted,
}

impl Completion {
    pub const ALL: [Self; 4] = [Self::Done, Self::Busy, Self::Stopped, Self::Exempted];

    /// Done with hours enough or the certificate issued; else what the status says.
    pub fn of(status: ParticipantStatus, hours_enough: bool) -> Self {
        if hours_enough || status == ParticipantStatus::Afgerond {
            Self::Done
        } else {
            match status {
                ParticipantStatus::Stopgezet => Self::Stopped,
                ParticipantStatus::Vrijgesteld => Self::Exempted,
                _ => Self::Busy,
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "uren behaald",
            Self::Busy => "nog bezig",
            Self::Stopped => "stopgezet",
            Self::Exempted => "vrijgesteld",
        }
    }
}

/// A read-only transaction whose statements all see the database as at its first: a report
/// read in two queries (participants, then their hours) adds up as if read in one.
async fn one_snapshot(conn: &mut PgConnection) -> Result<Transaction<'_, Postgres>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Confirmed minutes per participant and form worked in the period, for every participant of
/// the region with any (from `participant_monthly_hours`, one range of its primary key: periods
/// are whole months).
async fn period_hours(
    conn: &mut PgConnection,
    region: RegionId,
    period: Period,
) -> Result<HashMap<ParticipantId, BTreeMap<PlacementKind, i64>>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT participant_id AS "participant_id: ParticipantId",
                  kind AS "kind: PlacementKind", sum(confirmed_minutes)::bigint AS "minutes!"
           FROM participant_monthly_hours
           WHERE region_id = $1 AND month BETWEEN $2 AND $3
           GROUP BY participant_id, kind
           HAVING sum(confirmed_minutes) <> 0"#,
        region.0,
        period.from.first_day(),
        period.to.first_day(),
    )
    .fetch_all(conn)
    .await?;
    let mut hours: HashMap<ParticipantId, BTreeMap<PlacementKind, i64>> = HashMap::new();
    for row in rows {
        hours
            .entry(row.participant_id)
            .or_default()
            .insert(row.kind, row.minutes);
    }
    Ok(hours)
}

/// The participants of `$region` (and of `$municipality`, if any) whose trajectory overlaps
/// `$period`, with the `$columns` asked for (`id` among them), each made into a line by
/// `|row, minutes_by_kind| line` beside its confirmed minutes per form in the period, all read
/// from one snapshot, residents first (in `$order`), then how many moved away. Who counts: those who live in the region now, and those who moved away
/// during or after the period, under the municipality they left (their hours of the time
/// before the move stay with the region: `participant_region_on` in the summaries). A macro
/// because `sqlx` checks a query only when it is written out in literals, and keys its offline
/// data by the whole text; the line is written out once per query, typed by each.
macro_rules! in_period {
    ($conn:expr, $region:expr, $period:expr, $municipality:expr, $columns:tt,
     $(@order $order:tt,)? |$row:ident, $minutes:ident| $line:expr) => {{
        let mut tx = one_snapshot($conn).await?;
        let residents = sqlx::query!(
            $columns
                + r#"
           FROM participants p
           JOIN municipalities m ON m.id = p.municipality_id
           JOIN regions r ON r.id = p.region_id
           WHERE p.region_id = $1 AND p.start_date <= $3 AND p.target_end_date >= $2
             AND ($4::uuid IS NULL OR p.municipality_id = $4)"#
                $(+ $order)?,
            $region.0,
            $period.start(),
            $period.end(),
            $municipality.map(|m| m.0),
        )
        .fetch_all(&mut *tx)
        .await?;
        // The first move out of the region after the period began, per participant who lives
        // elsewhere now.
        let moved_away = sqlx::query!(
            $columns
                + r#"
           FROM participant_moves mv
           JOIN participants p ON p.id = mv.participant_id
           JOIN municipalities m ON m.id = mv.from_municipality_id
           JOIN regions r ON r.id = mv.from_region_id
           WHERE mv.from_region_id = $1 AND mv.moved_on > $2 AND p.region_id <> $1
             AND NOT EXISTS (SELECT 1 FROM participant_moves earlier
                             WHERE earlier.participant_id = mv.participant_id
                               AND earlier.from_region_id = $1 AND earlier.moved_on > $2
                               AND earlier.moved_on < mv.moved_on)
             AND p.start_date <= $3 AND p.target_end_date >= $2
             AND ($4::uuid IS NULL OR mv.from_municipality_id = $4)"#,
            $region.0,
            $period.start(),
            $period.end(),
            $municipality.map(|m| m.0),
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut hours = period_hours(&mut tx, $region, $period).await?;
        tx.commit().await?;
        let moved = moved_away.len();
        let mut lines = Vec::with_capacity(residents.len() + moved);
        for $row in residents {
            let $minutes = hours.remove(&$row.id).unwrap_or_default();
            lines.push($line);
        }
        for $row in moved_away {
            let $minutes = hours.remove(&$row.id).unwrap_or_default();
            lines.push($line);
        }
        (lines, moved)
    }};
}

/// Participants of the region (and municipality) whose trajectory overlaps the period, by
/// municipality and name, with their figures.
pub async fn period_participants(
    conn: &mut PgConnection,
    region: RegionId,
    period: Period,
    municipality: Option<MunicipalityId>,
) -> Result<Vec<PeriodParticipant>, sqlx::Error> {
    let (mut lines, moved_away) = in_period!(
        conn,
        region,
        period,
        municipality,
        r#"SELECT p.id AS "id: ParticipantId", p.full_name, p.external_dossier,
                  m.name AS municipality, p.birth_date, p.status AS "status: ParticipantStatus",
                  p.start_date, p.target_end_date, p.confirmed_minutes, r.required_minutes,
                  (SELECT coalesce(sum(greatest(0,
                              least(coalesce(t.ends_on, current_date), $3::date + 1)
                              - greatest(t.starts_on, $2::date))), 0)
                   FROM trajectory_pauses t WHERE t.participant_id = p.id)::int AS "pause_days!""#,
        @order r#"
           ORDER BY m.name, p.search_name, p.id"#,
        |row, minutes_by_kind| PeriodParticipant {
            figures: PeriodFigures {
                municipality: row.municipality,
                birth_date: row.birth_date,
                status: row.status,
                confirmed_minutes: row.confirmed_minutes,
                required_minutes: row.required_minutes,
                minutes_by_kind,
            },
            id: row.id,
            full_name: row.full_name,
            external_dossier: row.external_dossier,
            start_date: row.start_date,
            target_end_date: row.target_end_date,
            pause_days: row.pause_days,
        }
    );
    // Those who moved away join the residents in the same order (rare: sorted only then).
    if moved_away > 0 {
        lines.sort_by_cached_key(|line| {
            (
                line.figures.municipality.clone(),
                search_key(&line.full_name),
                line.id,
            )
        });
    }
    Ok(lines)
}

/// A group of the funder's participants of a period: those of one municipality, age band (at
/// the end of the period), status and side of the region's requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunderGroup {
    pub municipality: String,
    pub band: AgeBand,
    pub status: ParticipantStatus,
    /// Confirmed minutes (in all) at or above the region's requirement.
    pub hours_enough: bool,
    pub participants: i64,
    /// Their confirmed minutes worked in the period.
    pub minutes: i64,
    /// Per form, in the order of `PlacementKind::ALL`: how many of them worked confirmed
    /// minutes in it during the period, and those minutes.
    pub kinds: [(i64, i64); 4],
}

impl FunderGroup {
    pub fn completion(&self) -> Completion {
        Completion::of(self.status, self.hours_enough)
    }
}

/// A group as the statement returns it: `band` an index into `AgeBand::ALL`.
#[derive(Debug, Deserialize)]
struct GroupLine {
    municipality: String,
    band: usize,
    status: ParticipantStatus,
    hours_enough: bool,
    participants: i64,
    minutes: i64,
    kinds: [(i64, i64); 4],
}

/// What the funder's report counts, and whether the filters asked for are the region's.
#[derive(Debug, Clone)]
pub struct FunderFigures {
    /// The municipality asked for is one of the region's (false when none was asked).
    pub municipality_found: bool,
    /// Likewise the organisation (which the report does not narrow by, but the filter form
    /// checks).
    pub organisation_found: bool,
    pub groups: Vec<FunderGroup>,
}

/// The participants of `period_participants`, grouped and counted in one statement (one
/// snapshot): the residents of the region (and municipality) whose trajectory overlaps the
/// period from `participants_region_report_idx` alone, those who moved away during or after
/// it under the municipality they left, and their confirmed minutes per form in the period
/// from one range of `participant_monthly_hours`. Only the groups travel, not a row per
/// participant.
pub async fn funder_figures(
    conn: &mut PgConnection,
    region: RegionId,
    period: Period,
    municipality: Option<MunicipalityId>,
    organisation: Option<OrganisationId>,
) -> Result<FunderFigures, sqlx::Error> {
    let row = sqlx::query!(
        r#"WITH people AS (
                SELECT p.id, p.municipality_id, p.birth_date, p.status, p.confirmed_minutes
                FROM participants p
                WHERE p.region_id = $1 AND p.start_date <= $3 AND p.target_end_date >= $2
                  AND ($4::uuid IS NULL OR p.municipality_id = $4)
                UNION ALL
                -- The first move out of the region after the period began, per participant who
                -- lives elsewhere now.
                SELECT p.id, mv.from_municipality_id, p.birth_date, p.status, p.confirmed_minutes
                FROM participant_moves mv
                JOIN participants p ON p.id = mv.participant_id
                WHERE mv.from_region_id = $1 AND mv.moved_on > $2 AND p.region_id <> $1
                  AND NOT EXISTS (SELECT 1 FROM participant_moves earlier
                                  WHERE earlier.participant_id = mv.participant_id
                                    AND earlier.from_region_id = $1 AND earlier.moved_on > $2
                                    AND earlier.moved_on < mv.moved_on)
                  AND p.start_date <= $3 AND p.target_end_date >= $2
                  AND ($4::uuid IS NULL OR mv.from_municipality_id = $4)),
              hours AS (
                SELECT participant_id,
                       coalesce(sum(confirmed_minutes) FILTER (WHERE kind = 'buddy'), 0) AS buddy,
                       coalesce(sum(confirmed_minutes) FILTER (WHERE kind = 'stage'), 0) AS stage,
                       coalesce(sum(confirmed_minutes) FILTER (WHERE kind = 'vrijwilligerswerk'), 0)
                         AS vrijwilligerswerk,
                       coalesce(sum(confirmed_minutes) FILTER (WHERE kind = 'taalstage'), 0)
                         AS taalstage
                FROM participant_monthly_hours
                WHERE region_id = $1 AND month BETWEEN $5 AND $6
                GROUP BY participant_id),
              -- The day after the last birth date of each age (oldest first): a participant is
              -- at least that old at the end of the period when born before it.
              bounds AS (
                SELECT array_agg(($3::date - make_interval(years => b))::date + 1 ORDER BY b DESC) AS a
                FROM unnest($7::int[]) AS b),
              groups AS (
                SELECT pe.municipality_id,
                       cardinality(bounds.a) - width_bucket(pe.birth_date, bounds.a) AS band,
                       pe.status, pe.confirmed_minutes >= r.required_minutes AS hours_enough,
                       count(*) AS participants,
                       coalesce(sum(h.buddy + h.stage + h.vrijwilligerswerk + h.taalstage), 0)::bigint
                         AS minutes,
                       count(*) FILTER (WHERE h.buddy > 0) AS buddy_n,
                       coalesce(sum(h.buddy) FILTER (WHERE h.buddy > 0), 0)::bigint AS buddy_m,
                       count(*) FILTER (WHERE h.stage > 0) AS stage_n,
                       coalesce(sum(h.stage) FILTER (WHERE h.stage > 0), 0)::bigint AS stage_m,
                       count(*) FILTER (WHERE h.vrijwilligerswerk > 0) AS vrijwilligerswerk_n,
                       coalesce(sum(h.vrijwilligerswerk) FILTER (WHERE h.vrijwilligerswerk > 0), 0)::bigint
                         AS vrijwilligerswerk_m,
                       count(*) FILTER (WHERE h.taalstage > 0) AS taalstage_n,
                       coalesce(sum(h.taalstage) FILTER (WHERE h.taalstage > 0), 0)::bigint
                         AS taalstage_m
                FROM people pe
                CROSS JOIN bounds
                JOIN regions r ON r.id = $1
                -- FULL, not LEFT: a prepared statement gets a generic plan after five runs,
                -- which guesses a few dozen people for an optional filter and joined them in a
                -- nested loop (15,000 × 10,000 comparisons: 6.6 s instead of 44 ms at Flanders
                -- scale). A full join can only be hashed or merged. Hours of someone not among
                -- the people form a group without a municipality, which the join with
                -- municipalities below drops.
                FULL JOIN hours h ON h.participant_id = pe.id
                GROUP BY 1, 2, 3, 4)
           SELECT EXISTS (SELECT FROM municipalities WHERE id = $4 AND region_id = $1)
                    AS "municipality_found!",
                  EXISTS (SELECT FROM organisations WHERE id = $8::uuid AND region_id = $1)
                    AS "organisation_found!",
                  (SELECT coalesce(json_agg(json_build_object(
                              'municipality', m.name, 'band', g.band, 'status', g.status,
                              'hours_enough', g.hours_enough, 'participants', g.participants,
                              'minutes', g.minutes,
                              'kinds', json_build_array(
                                  json_build_array(g.buddy_n, g.buddy_m),
                                  json_build_array(g.stage_n, g.stage_m),
                                  json_build_array(g.vrijwilligerswerk_n, g.vrijwilligerswerk_m),
                                  json_build_array(g.taalstage_n, g.taalstage_m)))), '[]')
                   FROM groups g JOIN municipalities m ON m.id = g.municipality_id)
                    AS "groups!: Json<Vec<GroupLine>>""#,
        region.0,
        period.start(),
        period.end(),
        municipality.map(|m| m.0),
        period.from.first_day(),
        period.to.first_day(),
        &AgeBand::LOWER_BOUNDS[..],
        organisation.map(|o| o.0),
    )
    .fetch_one(conn)
    .await?;
    let groups = row
        .groups
        .0
        .into_iter()
        .map(|line| {
            let band = AgeBand::ALL
                .get(line.band)
                .copied()
                .ok_or_else(|| sqlx::Error::Decode("an age band out of range".into()))?;
            Ok(FunderGroup {
                municipality: line.municipality,
                band,
                status: line.status,
                hours_enough: line.hours_enough,
                participants: line.participants,
                minutes: line.minutes,
                kinds: line.kinds,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(FunderFigures {
        municipality_found: row.municipality_found,
        organisation_found: row.organisation_found,
        groups,
    })
}

/// One line of the funder's report: a group of participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunderLine {
    /// `totaal`, `gemeente`, `vorm`, `leeftijd` or `afronding`.
    pub dimension: &'static str,
    pub group: String,
    pub participants: i64,
    pub completed: i64,
    pub minutes: i64,
}

/// Counts by municipality, form, age band (at the end of the period) and completion. For a
/// form: the participants who worked confirmed hours in it during the period.
pub fn funder_lines(groups: &[FunderGroup]) -> Vec<FunderLine> {
    #[derive(Default, Clone, Copy)]
    struct Tally {
        participants: i64,
        completed: i64,
        minutes: i64,
    }
    fn add(tally: &mut Tally, participants: i64, done: bool, minutes: i64) {
        tally.participants += participants;
        tally.completed += if done { participants } else { 0 };
        tally.minutes += minutes;
    }
    let mut total = Tally::default();
    let mut by_municipality: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_kind = [Tally::default(); 4];
    let mut by_age: BTreeMap<AgeBand, Tally> = BTreeMap::new();
    let mut by_completion: BTreeMap<Completion, Tally> = BTreeMap::new();
    for g in groups {
        let completion = g.completion();
        let done = completion == Completion::Done;
        add(&mut total, g.participants, done, g.minutes);
        add(
            by_municipality.entry(&g.municipality).or_default(),
            g.participants,
            done,
            g.minutes,
        );
        for (tally, (participants, minutes)) in by_kind.iter_mut().zip(g.kinds) {
            add(tally, participants, done, minutes);
        }
        add(
            by_age.entry(g.band).or_default(),
            g.participants,
            done,
            g.minutes,
        );
        add(
            by_completion.entry(completion).or_default(),
            g.participants,
            done,
            g.minutes,
        );
    }
    let line = |dimension, group: String, tally: Option<&Tally>| FunderLine {
        dimension,
        group,
        participants: tally.map_or(0, |t| t.participants),
        completed: tally.map_or(0, |t| t.completed),
        minutes: tally.map_or(0, |t| t.minutes),
    };
    let mut lines = vec![line("totaal", "alle inburgeraars".into(), Some(&total))];
    lines.extend(
        by_municipality
            .iter()
            .map(|(name, tally)| line("gemeente", (*name).to_string(), Some(tally))),
    );
    lines.extend(
        PlacementKind::ALL
            .iter()
            .zip(&by_kind)
            .map(|(kind, tally)| line("vorm", kind.label().to_lowercase(), Some(tally))),
    );
    lines.extend(
        AgeBand::ALL
            .iter()
            .map(|band| line("leeftijd", band.label().to_string(), by_age.get(band))),
    );
    lines.extend(
        Completion::ALL
            .iter()
            .map(|c| line("afronding", c.label().to_string(), by_completion.get(c))),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn age_bands_at_the_end_of_the_period() {
        let at = date!(2026 - 12 - 31);
        assert_eq!(age(date!(2000 - 12 - 31), at), 26);
        assert_eq!(age(date!(2001 - 01 - 01), at), 25);
        assert_eq!(AgeBand::of(date!(2001 - 01 - 01), at), AgeBand::From18To25);
        assert_eq!(AgeBand::of(date!(2000 - 12 - 31), at), AgeBand::From26To35);
        assert_eq!(AgeBand::of(date!(2009 - 01 - 01), at), AgeBand::Under18);
        assert_eq!(AgeBand::of(date!(1970 - 06 - 01), at), AgeBand::From56);
        assert_eq!(AgeBand::of(date!(1971 - 01 - 01), at), AgeBand::From46To55);
        // A leap-day birthday turns a year older on 1 March.
        assert_eq!(age(date!(2000 - 02 - 29), date!(2026 - 02 - 28)), 25);
        assert_eq!(age(date!(2000 - 02 - 29), date!(2026 - 03 - 01)), 26);
    }

    #[test]
    fn age_bands_by_years() {
        assert_eq!(AgeBand::of_age(17), AgeBand::Under18);
        assert_eq!(AgeBand::of_age(18), AgeBand::From18To25);
        assert_eq!(AgeBand::of_age(25), AgeBand::From18To25);
        assert_eq!(AgeBand::of_age(26), AgeBand::From26To35);
        assert_eq!(AgeBand::of_age(55), AgeBand::From46To55);
        assert_eq!(AgeBand::of_age(56), AgeBand::From56);
    }

    fn group(
        municipality: &str,
        band: AgeBand,
        status: ParticipantStatus,
        hours_enough: bool,
        participants: i64,
        kinds: [(i64, i64); 4],
    ) -> FunderGroup {
        FunderGroup {
            municipality: municipality.into(),
            band,
            status,
            hours_enough,
            participants,
            minutes: kinds.iter().map(|(_, m)| m).sum(),
            kinds,
        }
    }

    #[test]
    fn funder_lines_count_each_dimension() {
        use AgeBand::*;
        use ParticipantStatus::*;
        // Buddy 600 + stage 60 (done); buddy 100; nothing (stopped, 66 years old).
        let groups = [
            group(
                "Brugge",
                From36To45,
                Actief,
                true,
                1,
                [(1, 600), (1, 60), (0, 0), (0, 0)],
            ),
            group(
                "Brugge",
                From18To25,
                Actief,
                false,
                1,
                [(1, 100), (0, 0), (0, 0), (0, 0)],
            ),
            group("Damme", From56, Stopgezet, false, 1, [(0, 0); 4]),
        ];
        let lines = funder_lines(&groups);
        let find = |dimension: &str, group: &str| {
            lines
                .iter()
                .find(|l| l.dimension == dimension && l.group == group)
                .map(|l| (l.participants, l.completed, l.minutes))
                .unwrap()
        };
        assert_eq!(find("totaal", "alle inburgeraars"), (3, 1, 760));
        assert_eq!(find("gemeente", "Brugge"), (2, 1, 760));
        assert_eq!(find("gemeente", "Damme"), (1, 0, 0));
        assert_eq!(find("vorm", "buddy"), (2, 1, 700));
        assert_eq!(find("vorm", "stage"), (1, 1, 60));
        assert_eq!(find("vorm", "taalstage"), (0, 0, 0));
        assert_eq!(find("leeftijd", "36–45"), (1, 1, 660));
        assert_eq!(find("leeftijd", "18–25"), (1, 0, 100));
        assert_eq!(find("leeftijd", "56+"), (1, 0, 0));
        assert_eq!(find("afronding", "uren behaald"), (1, 1, 660));
        assert_eq!(find("afronding", "nog bezig"), (1, 0, 100));
        assert_eq!(find("afronding", "stopgezet"), (1, 0, 0));
        // An issued certificate counts as done whatever the hours.
        let lines = funder_lines(&[group("Brugge", Under18, Afgerond, false, 2, [(0, 0); 4])]);
        assert_eq!(lines[0].completed, 2);
    }
}
