//! Flanders-scale data for benchmarks: `veertig demo-data --scale flanders` loads about
//! 300,000 participants, 3,000 organisations, 20,000 offers, 5,000 users and 6,000,000 hour
//! entries.
//!
//! Rows are generated inside PostgreSQL with `generate_series` (no round trips); the entry
//! trigger is switched off during the load and the participants' totals are computed once at
//! the end. Names mix Latin with diacritics, Arabic, Cyrillic and Ethiopic. `setseed` makes
//! every load the same.

use std::time::{Duration, Instant};

use indicatif::{HumanCount, HumanDuration, ProgressBar, ProgressStyle};
use sqlx::PgPool;

use crate::domain::search::search_key;

/// Sizes derived from the number of participants (300,000 for Flanders).
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub participants: i32,
}

impl Scale {
    pub const FLANDERS: Scale = Scale {
        participants: 300_000,
    };

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "flanders" | "vlaanderen" => Some(Self::FLANDERS),
            number => number
                .replace('_', "")
                .parse()
                .ok()
                .filter(|n| *n >= 100)
                .map(|participants| Self { participants }),
        }
    }

    pub fn regions(self) -> i32 {
        (self.participants / 15_000).clamp(1, 20)
    }

    pub fn organisations(self) -> i32 {
        (self.participants / 100).max(10)
    }

    /// One coach per 55 participants: caseloads of 30 to 80.
    pub fn coaches(self) -> i32 {
        (self.participants / 55).max(2)
    }

    pub fn partners(self) -> i32 {
        (self.organisations() / 3).max(5)
    }

    /// About seven offers per organisation: 20,000 for Flanders.
    pub fn offers(self) -> i32 {
        self.organisations() * 20 / 3
    }
}

/// The bar `demo-data --scale` shows on a terminal. The load is a handful of statements that
/// each write up to millions of rows, so the bar moves per step, weighted by how long a step
/// took in a measured load; between steps the spinner and clock show it works.
struct LoadProgress {
    bar: ProgressBar,
    scale: Scale,
}

impl LoadProgress {
    fn new(scale: Scale) -> Self {
        let bar = ProgressBar::new(STEPS.iter().map(|step| (step.weight)(scale)).sum());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% · {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(250));
        let progress = Self { bar, scale };
        progress.announce(&STEPS[0]);
        progress
    }

    /// Prints the step's time above the bar (or alone, without a terminal) and moves on.
    fn done(&self, name: &str, elapsed: f64) {
        self.bar
            .suspend(|| println!("  {name:<28} {elapsed:>7.1} s"));
        let mut steps = STEPS.iter().skip_while(|step| step.name != name);
        if let Some(step) = steps.next() {
            self.bar.inc((step.weight)(self.scale));
        }
        if let Some(next) = steps.next() {
            self.announce(next);
        }
    }

    /// Names the step and the time left, estimated from the steps done so far: indicatif's own
    /// estimate follows the bar's speed, which stands still during each long statement.
    fn announce(&self, step: &LoadStep) {
        let rows = HumanCount((step.rows)(self.scale));
        let done = self.bar.position();
        let left = self.bar.length().unwrap_or(done).saturating_sub(done);
        let estimate = if done == 0 {
            String::new()
        } else {
            let seconds = self.bar.elapsed().as_secs_f64() * left as f64 / done as f64;
            format!(
                " · about {} left",
                HumanDuration(Duration::from_secs_f64(seconds))
            )
        };
        self.bar
            .set_message(format!("{}: about {rows} rows{estimate}", step.name));
    }
}

struct LoadStep {
    name: &'static str,
    /// About how many rows it writes or reads.
    rows: fn(Scale) -> u64,
    /// Its share of the time, in the time one hour entry takes to write (measured at 30,000
    /// participants: the entries took 21 s of 35).
    weight: fn(Scale) -> u64,
}

const STEPS: [LoadStep; 10] = [
    LoadStep {
        name: "regions, municipalities",
        rows: |_| 300,
        weight: |_| 300,
    },
    LoadStep {
        name: "organisations",
        rows: |s| count(s.organisations()),
        weight: |s| count(s.organisations()),
    },
    LoadStep {
        name: "offers",
        rows: |s| count(s.offers()),
        weight: |s| count(s.offers()),
    },
    LoadStep {
        name: "users",
        rows: |s| count(s.coaches() + s.partners()),
        weight: |s| count(s.coaches() + s.partners()),
    },
    LoadStep {
        name: "participants",
        rows: |s| count(s.participants),
        weight: |s| count(s.participants) * 2,
    },
    LoadStep {
        name: "placements",
        rows: |s| count(s.participants) * 3 / 2,
        weight: |s| count(s.participants) * 3,
    },
    LoadStep {
        name: "hour entries",
        rows: |s| count(s.participants) * 20,
        weight: |s| count(s.participants) * 20,
    },
    LoadStep {
        name: "hour entry indexes",
        rows: |s| count(s.participants) * 20,
        weight: |s| count(s.participants) * 2,
    },
    LoadStep {
        name: "participant totals",
        rows: |s| count(s.participants),
        weight: |s| count(s.participants) * 4,
    },
    LoadStep {
        name: "vacuum analyze",
        rows: |s| count(s.participants) * 23,
        weight: |s| count(s.participants) * 3,
    },
];

fn count(rows: i32) -> u64 {
    u64::try_from(rows).unwrap_or(0)
}

const FIRST_NAMES: [&str; 24] = [
    "Ayşe",
    "Mehmet",
    "Zoë",
    "Noël",
    "Fatima",
    "Youssef",
    "Olena",
    "Dmytro",
    "Ahmad",
    "Mariam",
    "Tesfay",
    "Senait",
    "محمد",
    "فاطمة",
    "أحمد",
    "Олена",
    "Андрій",
    "Наталія",
    "ተስፋይ",
    "ሰላም",
    "Łukasz",
    "Agnieszka",
    "Nguyễn",
    "Bilal",
];

const LAST_NAMES: [&str; 24] = [
    "Öztürk",
    "Yılmaz",
    "El Idrissi",
    "Benali",
    "Haddad",
    "Rahimi",
    "Shevchenko",
    "Kovalenko",
    "Gebremedhin",
    "Tesfamariam",
    "الحداد",
    "العلي",
    "Шевченко",
    "Коваленко",
    "Бондаренко",
    "ገብረሂወት",
    "ተወልደ",
    "Nowak",
    "Wiśniewski",
    "Nkurunziza",
    "Mukamana",
    "Peeters",
    "Janssens",
    "Van Damme",
];

/// Loads the data set; the region codes are `RGA`, `RGB`, … so it sits beside the demo region.
/// Every generated user has the password `veertig-demo`.
pub async fn load(pool: &PgPool, scale: Scale) -> Result<(), sqlx::Error> {
    let started = Instant::now();
    let password_hash =
        tokio::task::spawn_blocking(|| password_auth::generate_hash(crate::demo::PASSWORD))
            .await
            .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()));
    let first_keys: Vec<String> = FIRST_NAMES.iter().map(|n| search_key(n)).collect();
    let last_keys: Vec<String> = LAST_NAMES.iter().map(|n| search_key(n)).collect();
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT setseed(0.42)")
        .execute(&mut *tx)
        .await?;
    let progress = LoadProgress::new(scale);
    let step = |name: &'static str| {
        let elapsed = started.elapsed().as_secs_f64();
        let progress = &progress;
        move || progress.done(name, elapsed)
    };

    sqlx::query(
        "INSERT INTO regions (code, name)
         SELECT 'RG' || chr(65 + r), 'Regio ' || (r + 1) FROM generate_series(0, $1 - 1) AS r",
    )
    .bind(scale.regions())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO municipalities (region_id, name)
         SELECT g.id, 'Gemeente ' || g.code || '-' || m
         FROM regions g, generate_series(1, 15) AS m WHERE g.code LIKE 'RG_'",
    )
    .execute(&mut *tx)
    .await?;
    step("regions, municipalities")();

    sqlx::query(
        "INSERT INTO organisations (region_id, municipality_id, name, kind, search_name, address)
         SELECT g.id, m.id, 'Organisatie ' || o, (enum_range(NULL::organisation_kind))[1 + o % 7],
                'organisatie ' || o, 'Straat ' || o
         FROM generate_series(1, $1) AS o
         JOIN LATERAL (SELECT id, code FROM regions WHERE code LIKE 'RG_'
                       ORDER BY code OFFSET (o % $2) LIMIT 1) g ON true
         JOIN LATERAL (SELECT id FROM municipalities WHERE region_id = g.id
                       ORDER BY name OFFSET (o % 15) LIMIT 1) m ON true",
    )
    .bind(scale.organisations())
    .bind(scale.regions())
    .execute(&mut *tx)
    .await?;
    step("organisations")();

    // Aanbod: offers spread over the organisations, most approved and open, every taalicoon,
    // form and day; neighbouring municipalities are the next and previous number.
    sqlx::query(
        "INSERT INTO municipality_neighbours (municipality_id, neighbour_id)
         SELECT a.id, b.id FROM municipalities a
         JOIN municipalities b ON b.region_id = a.region_id
         WHERE a.name LIKE 'Gemeente RG%' AND b.name LIKE 'Gemeente RG%'
           AND abs(split_part(a.name, '-', 2)::int - split_part(b.name, '-', 2)::int) = 1",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO offers (organisation_id, region_id, title, search_title, kind, municipality_id,
             days, day_parts, by_arrangement, places, starts_on, ends_on, contact_name,
             contact_languages, taalicoon, meets_contact, meets_dutch_setting, meets_new_contacts,
             meets_unpaid, approval, state)
         SELECT o.id, o.region_id, 'Aanbod ' || n, 'aanbod ' || n,
                (enum_range(NULL::placement_kind))[1 + n % 4], o.municipality_id,
                ((1 << (n % 7)) | (1 << ((n / 7) % 7)))::int2, (1 << (n % 3))::int2, n % 5 = 0,
                1 + n % 6, current_date - (n % 200), current_date + 100 + (n % 300),
                'Contactpersoon',
                (ARRAY['Arabisch', 'Frans', 'Engels', 'Oekraïens', 'Turks', ''])[1 + n % 6],
                1 + n % 4, true, true, true, true,
                CASE WHEN n % 10 = 0 THEN 'voorgesteld' ELSE 'goedgekeurd' END::offer_approval,
                CASE WHEN n % 17 = 0 THEN 'gepauzeerd' ELSE 'open' END::offer_state
         FROM generate_series(0, $1 - 1) AS n
         JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, region_id, municipality_id
               FROM organisations
               WHERE region_id IN (SELECT id FROM regions WHERE code LIKE 'RG_')) o
           ON o.k = n % $2",
    )
    .bind(scale.offers())
    .bind(scale.organisations())
    .execute(&mut *tx)
    .await?;
    step("offers")();

    // Users: coaches and one coordinator per region; partners of organisations.
    sqlx::query(
        "INSERT INTO users (email, name, role, password_hash, region_id)
         SELECT 'coach' || c || '@scale.example', 'Coach ' || c, 'coach', $2, g.id
         FROM generate_series(1, $1) AS c
         JOIN LATERAL (SELECT id FROM regions WHERE code LIKE 'RG_'
                       ORDER BY code OFFSET (c % $3) LIMIT 1) g ON true",
    )
    .bind(scale.coaches())
    .bind(&password_hash)
    .bind(scale.regions())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO users (email, name, role, password_hash, region_id)
         SELECT 'coordinator-' || lower(code) || '@scale.example', 'Coördinator ' || code,
                'coordinator', $1, id
         FROM regions WHERE code LIKE 'RG_'",
    )
    .bind(&password_hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO users (email, name, role, password_hash, organisation_id)
         SELECT 'partner' || row_number() OVER (ORDER BY o.name) || '@scale.example',
                'Partner ' || o.name, 'partner', $2, o.id
         FROM (SELECT id, name FROM organisations o
               WHERE o.region_id IN (SELECT id FROM regions WHERE code LIKE 'RG_')
               ORDER BY name LIMIT $1) o",
    )
    .bind(scale.partners())
    .bind(&password_hash)
    .execute(&mut *tx)
    .await?;
    step("users")();

    // Participants: each coach gets a share of their region; statuses mostly active.
    sqlx::query(
        "CREATE TEMP TABLE scale_coaches ON COMMIT DROP AS
         SELECT row_number() OVER (ORDER BY email) - 1 AS n, id, region_id
         FROM users WHERE email LIKE 'coach%@scale.example'",
    )
    .execute(&mut *tx)
    .await?;
    // One upsert of the status counts per participant would serialise the load on a few rows:
    // counted once after it instead.
    sqlx::query("ALTER TABLE participants DISABLE TRIGGER participant_status_counts_insert")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO participants (region_id, municipality_id, coach_id, full_name, search_name,
             birth_date, dutch_level, languages, status, status_reason, start_date, target_end_date,
             available_days)
         SELECT c.region_id, m.id, c.id,
                ($2::text[])[1 + (p % 24)] || ' ' || ($3::text[])[1 + ((p / 24) % 24)],
                ($4::text[])[1 + (p % 24)] || ' ' || ($5::text[])[1 + ((p / 24) % 24)],
                DATE '1960-01-01' + (random() * 16000)::int,
                (enum_range(NULL::dutch_level))[1 + p % 5],
                'Nederlands',
                CASE WHEN p % 20 = 0 THEN 'stopgezet' WHEN p % 33 = 0 THEN 'vrijgesteld'
                     ELSE 'actief' END::participant_status,
                CASE WHEN p % 20 = 0 THEN 'verhuisd' WHEN p % 33 = 0 THEN 'medisch' END,
                start, start + 365, ((p * 37) % 128)::int2
         -- random() in the inner select list is drawn per row (a LATERAL without outer
         -- references would be drawn once for all).
         FROM (SELECT n AS p, current_date - (random() * 700)::int AS start
               FROM generate_series(0, $1 - 1) AS n) g
         JOIN scale_coaches c ON c.n = p % (SELECT count(*) FROM scale_coaches)
         JOIN LATERAL (SELECT id FROM municipalities WHERE region_id = c.region_id
                       ORDER BY name OFFSET (p % 15) LIMIT 1) m ON true",
    )
    .bind(scale.participants)
    .bind(FIRST_NAMES.to_vec())
    .bind(LAST_NAMES.to_vec())
    .bind(&first_keys)
    .bind(&last_keys)
    .execute(&mut *tx)
    .await?;
    sqlx::query("ALTER TABLE participants ENABLE TRIGGER participant_status_counts_insert")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO participant_status_counts AS c
             (region_id, status, start_month, end_month, participants)
         SELECT region_id, status, date_trunc('month', start_date)::date,
                date_trunc('month', target_end_date)::date, count(*)
         FROM participants
         WHERE region_id IN (SELECT id FROM regions WHERE code LIKE 'RG_')
         GROUP BY 1, 2, 3, 4
         ON CONFLICT ON CONSTRAINT participant_status_counts_pkey DO UPDATE
             SET participants = c.participants + EXCLUDED.participants",
    )
    .execute(&mut *tx)
    .await?;
    step("participants")();

    // One or two placements each, at an organisation of the region.
    sqlx::query(
        "CREATE TEMP TABLE scale_orgs ON COMMIT DROP AS
         SELECT region_id, array_agg(id ORDER BY id) AS ids FROM organisations GROUP BY region_id",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO placements (participant_id, organisation_id, kind, status, starts_on, ends_on,
             planned_minutes, contact_name, contact_email)
         SELECT p.id, o.ids[1 + floor(random() * array_length(o.ids, 1))::int],
                (enum_range(NULL::placement_kind))[1 + k + (hashtext(p.id::text) & 3) % 3],
                'lopend', p.start_date + k * 60, p.start_date + 365, 2400,
                'Contactpersoon', 'contact@scale.example'
         FROM participants p JOIN scale_orgs o ON o.region_id = p.region_id,
              generate_series(0, 1) AS k
         WHERE p.region_id IN (SELECT id FROM regions WHERE code LIKE 'RG_')
           AND (k = 0 OR hashtext(p.id::text) % 2 = 0)",
    )
    .execute(&mut *tx)
    .await?;
    // Some placements were taken from an offer of their organisation: places are counted.
    sqlx::query(
        "UPDATE placements pl SET offer_id = f.id
         FROM (SELECT DISTINCT ON (organisation_id) id, organisation_id FROM offers
               ORDER BY organisation_id, id) f
         WHERE f.organisation_id = pl.organisation_id AND hashtext(pl.id::text) % 4 = 0",
    )
    .execute(&mut *tx)
    .await?;
    step("placements")();

    // 4–33 entries per placement (about 20 per participant), one a week; the last two pending.
    // Secondary indexes are dropped for the load and built again after: building an index once
    // is far cheaper than updating it six million times.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.indexname::text, i.indexdef FROM pg_indexes i
         JOIN pg_index x ON x.indexrelid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
         WHERE i.tablename = 'hour_entries' AND NOT x.indisprimary",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(&format!("DROP INDEX {name}"))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("ALTER TABLE hour_entries DISABLE TRIGGER hour_entries_totals")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes,
             status, decided_at)
         SELECT pl.id, pl.participant_id, pl.organisation_id,
                least(pl.starts_on + w * 7, current_date - 1), 60 + (w % 4) * 30,
                CASE WHEN w >= n - 2 THEN 'ingediend' ELSE 'bevestigd' END::entry_status,
                CASE WHEN w >= n - 2 THEN NULL ELSE now() END
         FROM (SELECT pl.*, 4 + (abs(hashtext(pl.id::text)) % 30) / (1 + (hashtext(pl.id::text) & 1)) AS n
               FROM placements pl JOIN participants p ON p.id = pl.participant_id
               WHERE p.region_id IN (SELECT id FROM regions WHERE code LIKE 'RG_')) pl,
              generate_series(0, pl.n - 1) AS w
         WHERE pl.starts_on + w * 7 < current_date",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("ALTER TABLE hour_entries ENABLE TRIGGER hour_entries_totals")
        .execute(&mut *tx)
        .await?;
    step("hour entries")();
    for (_, definition) in &indexes {
        sqlx::query(definition).execute(&mut *tx).await?;
    }
    step("hour entry indexes")();
    sqlx::query(
        "UPDATE participants p SET confirmed_minutes = t.confirmed, pending_minutes = t.pending,
             last_confirmed_on = t.last_confirmed
         FROM (SELECT participant_id,
                      coalesce(sum(minutes) FILTER (WHERE status = 'bevestigd'), 0)::int AS confirmed,
                      coalesce(sum(minutes) FILTER (WHERE status = 'ingediend'), 0)::int AS pending,
                      max(worked_on) FILTER (WHERE status = 'bevestigd') AS last_confirmed
               FROM hour_entries GROUP BY participant_id) t
         WHERE p.id = t.participant_id",
    )
    .execute(&mut *tx)
    .await?;
    step("participant totals")();
    tx.commit().await?;
    // What autovacuum would do within the hour on a live database: statistics for the planner,
    // and the visibility map that lets index-only scans (the name search) skip the table.
    // Only this database's own tables: the owner may not vacuum the system catalogs, and a
    // database-wide VACUUM prints a notice for each of them.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
         WHERE tableowner = current_user",
    )
    .fetch_all(pool)
    .await?;
    sqlx::query(&format!("VACUUM ANALYZE {}", tables.join(", ")))
        .execute(pool)
        .await?;
    step("vacuum analyze")();
    progress.bar.finish_and_clear();
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM participants), (SELECT count(*) FROM organisations),
                (SELECT count(*) FROM users), (SELECT count(*) FROM hour_entries)",
    )
    .fetch_one(pool)
    .await?;
    println!(
        "Loaded in {:.1} s: {} participants, {} organisations, {} users, {} hour entries.",
        started.elapsed().as_secs_f64(),
        counts.0,
        counts.1,
        counts.2,
        counts.3
    );
    Ok(())
}
