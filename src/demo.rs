//! Demo data: one region with its municipalities, a partner organisation and a login per role.
//! Loaded the first time `cargo run` starts its private cluster, or by `veertig demo-data`.

use sqlx::{PgConnection, PgPool};

use crate::domain::attendance;
use crate::domain::offer::Approval;
use crate::domain::organisation::OrganisationKind;
use crate::domain::participant::{PauseInput, PauseReason};
use crate::domain::search::search_key;
use crate::domain::user::{self, CreateUserError, Email, NewPassword, NewUser, PersonName, Role};
use crate::values::duration::Minutes;
use crate::values::ids::{OrganisationId, ParticipantId, PlacementId, RegionId, UserId};
use crate::values::kinds::PlacementKind;
use crate::values::level::DutchLevel;

pub const PASSWORD: &str = "veertig-demo";

pub const LOGINS: [(&str, Role); 4] = [
    ("beheerder@example.org", Role::Admin),
    ("coordinator@example.org", Role::Coordinator),
    ("begeleider@example.org", Role::Coach),
    ("partner@example.org", Role::Partner),
];

const MUNICIPALITIES: [&str; 6] = [
    "Brugge", "Beernem", "Damme", "Jabbeke", "Oostkamp", "Zedelgem",
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("demo user: {0}")]
    User(#[from] CreateUserError),
    #[error("demo data is invalid: {0}")]
    Invalid(#[from] user::UserInputError),
    #[error("demo story: {0}")]
    Story(&'static str),
}

/// Whether the database holds no users yet (a fresh install).
pub async fn is_empty(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let exists = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM users) AS "exists!""#)
        .fetch_one(pool)
        .await?;
    Ok(!exists)
}

/// Loads the demo data in one transaction. Returns false when it was already there.
pub async fn load(pool: &PgPool) -> Result<bool, DemoError> {
    let mut tx = pool.begin().await?;
    let already = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE email = $1) AS "exists!""#,
        LOGINS[0].0
    )
    .fetch_one(&mut *tx)
    .await?;
    if already {
        return Ok(false);
    }
    let region = sqlx::query_scalar!(
        r#"INSERT INTO regions (code, name) VALUES ('BRG', 'Regio Brugge')
           ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code
           RETURNING id AS "id: RegionId""#
    )
    .fetch_one(&mut *tx)
    .await?;
    for name in MUNICIPALITIES {
        sqlx::query!(
            "INSERT INTO municipalities (region_id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            region.0,
            name
        )
        .execute(&mut *tx)
        .await?;
    }
    let organisation = sqlx::query_scalar!(
        r#"INSERT INTO organisations (region_id, name, kind, search_name)
           VALUES ($1, 'Buurtwerk De Brug', 'buurtwerking', 'buurtwerk de brug')
           ON CONFLICT (region_id, name) DO UPDATE SET name = EXCLUDED.name
           RETURNING id AS "id: OrganisationId""#,
        region.0
    )
    .fetch_one(&mut *tx)
    .await?;
    let names = [
        "Bram Beheerder",
        "Chloë Coördinator",
        "Bilal Begeleider",
        "Petra Partner",
    ];
    for ((email, role), name) in LOGINS.into_iter().zip(names) {
        user::create(
            &mut tx,
            None,
            NewUser {
                email: Email::parse(email)?,
                name: PersonName::parse(name)?,
                role,
                password: NewPassword::parse(PASSWORD)?,
                region_id: matches!(role, Role::Coach | Role::Coordinator | Role::Admin)
                    .then_some(region),
                organisation_id: (role == Role::Partner).then_some(organisation),
            },
        )
        .await?;
    }
    load_trajectories(&mut tx, region).await?;
    load_offers(&mut tx, region).await?;
    load_story(&mut tx, region).await?;
    tx.commit().await?;
    Ok(true)
}

/// Partner organisations, participants with names in several scripts, placements and hours in
/// every state: one ready for a certificate, one stalled, one close to the deadline, and entries
/// waiting for Buurtwerk De Brug to confirm.
async fn load_trajectories(conn: &mut PgConnection, region: RegionId) -> Result<(), DemoError> {
    let organisations = [
        (
            "Buurtwerk De Brug",
            OrganisationKind::Buurtwerking,
            "Brugge",
            "Langestraat 12, 8000 Brugge",
        ),
        (
            "WZC Ter Duinen",
            OrganisationKind::Woonzorgcentrum,
            "Oostkamp",
            "Duinenlaan 3, 8020 Oostkamp",
        ),
        (
            "FC Damme",
            OrganisationKind::Vereniging,
            "Damme",
            "Sportlaan 1, 8340 Damme",
        ),
        (
            "Stad Brugge – Groendienst",
            OrganisationKind::LokaalBestuur,
            "Brugge",
            "Burg 12, 8000 Brugge",
        ),
        (
            "Kringwinkel Zedelgem",
            OrganisationKind::Andere,
            "Zedelgem",
            "Torhoutsesteenweg 80, 8210 Zedelgem",
        ),
    ];
    for (name, kind, municipality, address) in organisations {
        sqlx::query!(
            r#"INSERT INTO organisations (region_id, name, kind, municipality_id, address, search_name)
               SELECT $1, $2, $3::organisation_kind, m.id, $5, $6
               FROM municipalities m WHERE m.name = $4
               ON CONFLICT (region_id, name) DO UPDATE
                   SET municipality_id = EXCLUDED.municipality_id, address = EXCLUDED.address,
                       search_name = EXCLUDED.search_name"#,
            region.0,
            name,
            kind as OrganisationKind,
            municipality,
            address,
            search_key(name),
        )
        .execute(&mut *conn)
        .await?;
    }
    // (name, municipality, level, languages, days since start, days to deadline)
    let participants = [
        (
            "Ayşe Öztürk",
            "Brugge",
            DutchLevel::A2,
            "Turks, Engels",
            200,
            165,
        ),
        (
            "Олена Шевченко",
            "Oostkamp",
            DutchLevel::A1,
            "Oekraïens, Russisch",
            120,
            245,
        ),
        ("محمد الحداد", "Brugge", DutchLevel::A0, "Arabisch", 90, 40),
        (
            "ተስፋይ ገብረሂወት",
            "Damme",
            DutchLevel::A1,
            "Tigrinya, Arabisch",
            150,
            215,
        ),
        (
            "Ahmad Rahimi",
            "Zedelgem",
            DutchLevel::A2,
            "Dari, Pasjtoe",
            100,
            265,
        ),
        (
            "Marie-Claire Nkurunziza",
            "Beernem",
            DutchLevel::B1,
            "Frans, Kirundi",
            60,
            305,
        ),
        ("李明", "Jabbeke", DutchLevel::A1, "Chinees", 45, 320),
        (
            "Fatima Zahra El Idrissi",
            "Brugge",
            DutchLevel::A2,
            "Arabisch, Frans",
            20,
            345,
        ),
    ];
    for (name, municipality, level, languages, since, until) in participants {
        sqlx::query!(
            r#"INSERT INTO participants (region_id, municipality_id, coach_id, full_name, search_name,
                   birth_date, dutch_level, languages, start_date, target_end_date)
               SELECT $1, m.id, (SELECT id FROM users WHERE email = 'begeleider@example.org'), $2, $3,
                      DATE '1988-03-14' + (length($2) * 97), $5::dutch_level, $6,
                      current_date - $7::int, current_date + $8::int
               FROM municipalities m WHERE m.name = $4"#,
            region.0,
            name,
            search_key(name),
            municipality,
            level as DutchLevel,
            languages,
            since,
            until,
        )
        .execute(&mut *conn)
        .await?;
    }
    // (participant, organisation, form, days since start, days to end, planned hours)
    let placements = [
        (
            "Ayşe Öztürk",
            "WZC Ter Duinen",
            PlacementKind::Vrijwilligerswerk,
            180,
            30,
            40,
        ),
        (
            "Олена Шевченко",
            "Buurtwerk De Brug",
            PlacementKind::Buddy,
            100,
            80,
            30,
        ),
        (
            "محمد الحداد",
            "FC Damme",
            PlacementKind::Vrijwilligerswerk,
            85,
            35,
            40,
        ),
        (
            "ተስፋይ ገብረሂወት",
            "Stad Brugge – Groendienst",
            PlacementKind::Stage,
            140,
            20,
            40,
        ),
        (
            "Ahmad Rahimi",
            "Buurtwerk De Brug",
            PlacementKind::Taalstage,
            60,
            120,
            40,
        ),
        (
            "Marie-Claire Nkurunziza",
            "Kringwinkel Zedelgem",
            PlacementKind::Vrijwilligerswerk,
            30,
            150,
            40,
        ),
    ];
    for (participant, organisation, kind, since, until, hours) in placements {
        sqlx::query!(
            // The contact is the organisation's partner account where it has one (Petra, at
            // De Brug: she confirms when logged in), else someone with an e-mail address and no
            // account, who gets a personal link: both ways of confirming work in the demo.
            r#"INSERT INTO placements (participant_id, organisation_id, kind, status, starts_on, ends_on,
                   planned_minutes, contact_user_id, contact_name, contact_email)
               SELECT p.id, o.id, $3::placement_kind, 'lopend', current_date - $4::int,
                      current_date + $5::int, $6::int * 60, u.id,
                      coalesce(u.name, 'Contactpersoon ' || o.name),
                      CASE WHEN u.id IS NULL
                           THEN 'contact@' || trim(both '-' FROM regexp_replace(o.search_name, '[^a-z]+', '-', 'g')) || '.example'
                           ELSE '' END
               FROM participants p
               JOIN organisations o ON o.name = $2
               LEFT JOIN users u ON u.organisation_id = o.id AND u.role = 'partner'
               WHERE p.full_name = $1"#,
            participant,
            organisation,
            kind as PlacementKind,
            since,
            until,
            hours,
        )
        .execute(&mut *conn)
        .await?;
    }
    // Weekly sessions: (participant, weeks, minutes per week, weeks pending at the end).
    // Ayşe is done (40 h), محمد stalled (last hours long ago), the others under way.
    let sessions = [
        ("Ayşe Öztürk", 16, 150, 0, 7),
        ("Олена Шевченко", 10, 120, 2, 3),
        ("محمد الحداد", 4, 90, 0, 50),
        ("ተስፋይ ገብረሂወት", 12, 180, 1, 4),
        ("Ahmad Rahimi", 6, 120, 3, 2),
        ("Marie-Claire Nkurunziza", 3, 90, 1, 1),
    ];
    for (participant, weeks, minutes, pending, last_days_ago) in sessions {
        sqlx::query!(
            r#"INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes,
                   status, description, decided_at)
               SELECT pl.id, pl.participant_id, pl.organisation_id,
                      current_date - $4::int - (($2::int - week) * 7), $3::int,
                      CASE WHEN week > $2::int - $5::int THEN 'ingediend' ELSE 'bevestigd' END::entry_status,
                      'Wekelijkse activiteit',
                      CASE WHEN week > $2::int - $5::int THEN NULL ELSE now() END
               FROM placements pl JOIN participants p ON p.id = pl.participant_id,
                    generate_series(1, $2::int) AS week
               WHERE p.full_name = $1"#,
            participant,
            weeks,
            minutes,
            last_days_ago,
            pending,
        )
        .execute(&mut *conn)
        .await?;
    }
    // Dossier numbers link each trajectory to KBI; Fatima moved away, so her stopped
    // trajectory waits on the coach's KBI list until it is marked "doorgegeven".
    sqlx::query!(
        r#"UPDATE participants
           SET external_dossier = 'KBI-' || to_char(start_date, 'YYYY') || '-' || substr(md5(full_name), 1, 6)
           WHERE region_id = $1"#,
        region.0
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd',
               status_note = 'Verhuisd naar Gent'
           WHERE region_id = $1 AND full_name = 'Fatima Zahra El Idrissi'"#,
        region.0
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Which demo municipalities border each other (both directions are stored).
const NEIGHBOURS: [(&str, &str); 8] = [
    ("Brugge", "Damme"),
    ("Brugge", "Jabbeke"),
    ("Brugge", "Oostkamp"),
    ("Brugge", "Zedelgem"),
    ("Beernem", "Oostkamp"),
    ("Beernem", "Damme"),
    ("Jabbeke", "Zedelgem"),
    ("Oostkamp", "Zedelgem"),
];

/// Aanbod: approved offers of several organisations (one with taalicoon 4), one still waiting
/// for the coordinator, the municipalities' neighbours, and the available days of two A1
/// participants, so "Zoek een plaats" has something to rank.
async fn load_offers(conn: &mut PgConnection, region: RegionId) -> Result<(), DemoError> {
    for (a, b) in NEIGHBOURS {
        sqlx::query!(
            "INSERT INTO municipality_neighbours (municipality_id, neighbour_id)
             SELECT x.id, y.id FROM municipalities x, municipalities y
             WHERE (x.name, y.name) IN (($1, $2), ($2, $1))
             ON CONFLICT DO NOTHING",
            a,
            b
        )
        .execute(&mut *conn)
        .await?;
    }
    // (title, organisation, form, municipality, taalicoon, days bits (ma = 1), parts bits
    //  (voormiddag = 1), places, contact languages, approval)
    let offers = [
        (
            "Taalcafé op woensdag",
            "Buurtwerk De Brug",
            PlacementKind::Buddy,
            "Brugge",
            1,
            4,
            2,
            6,
            "Arabisch, Frans",
            Approval::Goedgekeurd,
        ),
        (
            "Onthaal in het buurthuis",
            "Buurtwerk De Brug",
            PlacementKind::Vrijwilligerswerk,
            "Brugge",
            4,
            3,
            1,
            2,
            "Engels",
            Approval::Goedgekeurd,
        ),
        (
            "Moestuin De Brug",
            "Buurtwerk De Brug",
            PlacementKind::Vrijwilligerswerk,
            "Oostkamp",
            2,
            0,
            0,
            4,
            "",
            Approval::Goedgekeurd,
        ),
        (
            "Voorlezen in de bib",
            "Buurtwerk De Brug",
            PlacementKind::Taalstage,
            "Brugge",
            3,
            16,
            2,
            2,
            "",
            Approval::Voorgesteld,
        ),
        (
            "Babbelen met bewoners",
            "WZC Ter Duinen",
            PlacementKind::Buddy,
            "Oostkamp",
            1,
            10,
            2,
            3,
            "Oekraïens, Russisch",
            Approval::Goedgekeurd,
        ),
        (
            "Kantineploeg",
            "FC Damme",
            PlacementKind::Vrijwilligerswerk,
            "Damme",
            2,
            32,
            2,
            2,
            "",
            Approval::Goedgekeurd,
        ),
        (
            "Stage bij de groendienst",
            "Stad Brugge – Groendienst",
            PlacementKind::Stage,
            "Brugge",
            3,
            31,
            1,
            1,
            "",
            Approval::Goedgekeurd,
        ),
    ];
    for (title, organisation, kind, municipality, icon, days, parts, places, languages, approval) in
        offers
    {
        sqlx::query!(
            r#"INSERT INTO offers (organisation_id, region_id, title, search_title, description, kind,
                   municipality_id, address, days, day_parts, by_arrangement, places, starts_on,
                   ends_on, contact_name, contact_email, contact_languages, taalicoon,
                   meets_contact, meets_dutch_setting, meets_new_contacts, meets_unpaid,
                   approval, decided_at)
               SELECT o.id, $1, $2, $3, 'Samen met vrijwilligers en buurtbewoners.',
                      $5::placement_kind, m.id, o.address, $7::int2, $8::int2, $7 = 0, $9,
                      current_date - 30, current_date + 300, 'Petra Partner',
                      'partner@example.org', $10, $6::int2, true, true, true, true,
                      $11::offer_approval,
                      CASE WHEN $11 = 'goedgekeurd' THEN now() END
               FROM organisations o, municipalities m
               WHERE o.region_id = $1 AND o.name = $4 AND m.name = $12"#,
            region.0,
            title,
            search_key(title),
            organisation,
            kind as PlacementKind,
            icon,
            days,
            parts,
            places,
            languages,
            approval as Approval,
            municipality,
        )
        .execute(&mut *conn)
        .await?;
    }
    // Two A1 participants with their available days: 李明 has no placement yet.
    for (name, days) in [("李明", 5_i16), ("Олена Шевченко", 14)] {
        sqlx::query!(
            "UPDATE participants SET available_days = $2 WHERE full_name = $1 AND region_id = $3",
            name,
            days,
            region.0
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// How the work is really divided, made through the same rules as the pages: Ahmad reported
/// yesterday's hours himself on Mijn traject (they wait for Petra, marked as his),
/// Marie-Claire's trajectory is paused since she fell ill, and Petra registered Олена at the
/// door.
async fn load_story(conn: &mut PgConnection, region: RegionId) -> Result<(), DemoError> {
    let today = crate::values::dates::today();
    let coach = sqlx::query_scalar!(
        r#"SELECT id AS "id: UserId" FROM users WHERE email = 'begeleider@example.org'"#
    )
    .fetch_one(&mut *conn)
    .await?;
    let participant = |name: &'static str| {
        sqlx::query_scalar!(
            r#"SELECT id AS "id: ParticipantId" FROM participants WHERE full_name = $1"#,
            name
        )
    };
    let ahmad = participant("Ahmad Rahimi").fetch_one(&mut *conn).await?;
    let placement = sqlx::query_scalar!(
        r#"SELECT id AS "id: PlacementId" FROM placements WHERE participant_id = $1"#,
        ahmad.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let link = crate::domain::mijn_traject::create_link(conn, coach, region, ahmad)
        .await?
        .ok_or(DemoError::Story("Ahmad is in the demo region"))?;
    let reported = crate::domain::hours::ReportedHours {
        link: link.id,
        participant: ahmad,
        region,
        placement,
        worked_on: today - time::Duration::days(1),
        minutes: Minutes::new(90).ok_or(DemoError::Story("90 minutes is a duration"))?,
    };
    crate::domain::hours::report_hours(conn, &reported, today)
        .await
        .map_err(|_| DemoError::Story("Ahmad's reported hours follow the rules"))?;
    let marie_claire = participant("Marie-Claire Nkurunziza")
        .fetch_one(&mut *conn)
        .await?;
    let pause = PauseInput {
        starts_on: today - time::Duration::days(12),
        reason: PauseReason::Ziekte,
        note: String::new(),
    };
    crate::domain::participant::pause(conn, coach, region, marie_claire, &pause, today)
        .await
        .map_err(|_| DemoError::Story("Marie-Claire's trajectory can be paused"))?
        .ok_or(DemoError::Story("Marie-Claire is in the demo region"))?;
    // Petra registered Олена at the door of yesterday's buddy afternoon: confirmed at once.
    let (petra, de_brug) = sqlx::query!(
        r#"SELECT id AS "id: UserId", organisation_id AS "organisation_id!: OrganisationId"
           FROM users WHERE email = 'partner@example.org'"#
    )
    .fetch_one(&mut *conn)
    .await
    .map(|row| (row.id, row.organisation_id))?;
    let olena = participant("Олена Шевченко").fetch_one(&mut *conn).await?;
    let buddy = sqlx::query_scalar!(
        r#"SELECT id AS "id: PlacementId" FROM placements
           WHERE participant_id = $1 AND organisation_id = $2"#,
        olena.0,
        de_brug.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let target = attendance::Target::Placement(buddy);
    let people = attendance::attendees(conn, de_brug, target).await?;
    let registered = attendance::register(
        conn,
        &attendance::Registration {
            organisation: de_brug,
            registered_by: petra,
            target,
            worked_on: today - time::Duration::days(1),
            minutes: Minutes::new(90).ok_or(DemoError::Story("90 minutes is a duration"))?,
            people: &people,
            description: "Buddynamiddag".to_string(),
        },
        today,
    )
    .await?;
    if registered.session.is_none() {
        return Err(DemoError::Story("Олена's attendance follows the rules"));
    }
    Ok(())
}
