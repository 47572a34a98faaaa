//! The coaches' weekly mail about their caseload: who stalled, whose end date is near, and hours
//! that wait too long at a partner. It goes out with the partners' digest, from the same weekly
//! claim, to every active coach who did not switch it off and has something to read.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use crate::domain::audit::AuditEntry;
use crate::domain::participant::{self, Attention, CaseloadRow};
use crate::domain::report::PENDING_TOO_LONG_DAYS;
use crate::mail::{CoachDigestLine, CoachDigestMail};
use crate::values::dates::format_date;
use crate::values::duration::format_minutes;
use crate::values::ids::{ParticipantId, UserId};

/// Queues this week's mail for every coach with the digest on and something in it; returns how
/// many were queued.
pub async fn queue_coach_digests(
    conn: &mut PgConnection,
    base_url: &str,
    today: Date,
) -> Result<usize, sqlx::Error> {
    let coaches = sqlx::query!(
        r#"SELECT id AS "id: UserId", email, name FROM users
           WHERE role = 'coach' AND active AND weekly_digest
           ORDER BY id"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut queued = 0;
    for coach in coaches {
        let caseload = participant::caseload(&mut *conn, coach.id).await?;
        let (stalled, deadline_near) = needing_attention(&caseload, today);
        let waiting = waiting_too_long(&mut *conn, coach.id).await?;
        if stalled.is_empty() && deadline_near.is_empty() && waiting.is_empty() {
            continue;
        }
        let mail = CoachDigestMail {
            base_url,
            to: &coach.email,
            name: &coach.name,
            stalled: &stalled,
            deadline_near: &deadline_near,
            waiting: &waiting,
            waiting_days: PENDING_TOO_LONG_DAYS,
        }
        .compose()
        .map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
        crate::mail::queue(conn, &mail).await?;
        queued += 1;
    }
    Ok(queued)
}

/// The caseload's stalled trajectories and those whose end date is near, as the mail lists them.
fn needing_attention(
    caseload: &[CaseloadRow],
    today: Date,
) -> (Vec<CoachDigestLine>, Vec<CoachDigestLine>) {
    let mut stalled = Vec::new();
    let mut deadline_near = Vec::new();
    for row in caseload {
        let attention = row.attention(today);
        let progress = format!(
            "{} van {}",
            format_minutes(i64::from(row.confirmed_minutes)),
            format_minutes(i64::from(row.required_minutes))
        );
        let line = |detail: String| CoachDigestLine {
            participant: row.id,
            name: row.full_name.clone(),
            detail,
        };
        if attention.contains(&Attention::Stalled) {
            let last = row
                .last_confirmed_on
                .map_or_else(|| "nog geen".to_string(), format_date);
            stalled.push(line(format!("{progress}; laatste bevestigde uren: {last}")));
        }
        if attention.contains(&Attention::DeadlineNear) {
            deadline_near.push(line(format!(
                "einddatum {}; {progress}",
                format_date(row.target_end_date)
            )));
        }
    }
    (stalled, deadline_near)
}

/// The coach's active participants with hours pending at a partner for longer than the
/// coördinator's working list allows, per participant and organisation, the oldest first.
async fn waiting_too_long(
    conn: &mut PgConnection,
    coach: UserId,
) -> Result<Vec<CoachDigestLine>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT p.id AS "id: ParticipantId", p.full_name, o.name AS organisation,
                  count(*) AS "entries!", sum(e.minutes) AS "minutes!",
                  min(e.created_at AT TIME ZONE 'Europe/Brussels')::date AS "oldest!"
           FROM hour_entries e
           JOIN participants p ON p.id = e.participant_id
           JOIN organisations o ON o.id = e.organisation_id
           WHERE p.coach_id = $1 AND p.status = 'actief' AND e.status = 'ingediend'
             AND e.created_at < now() - make_interval(days => $2)
           GROUP BY p.id, p.full_name, p.search_name, o.id, o.name
           ORDER BY 6, p.search_name, o.name"#,
        coach.0,
        PENDING_TOO_LONG_DAYS,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| CoachDigestLine {
            participant: row.id,
            name: row.full_name,
            detail: format!(
                "bij {}: {}, {}, de oudste gemeld op {}",
                row.organisation,
                if row.entries == 1 {
                    "1 prestatie".to_string()
                } else {
                    format!("{} prestaties", row.entries)
                },
                format_minutes(row.minutes),
                format_date(row.oldest)
            ),
        })
        .collect())
}

/// A coach switches their weekly mail on or off; audited.
pub async fn set_weekly_digest(
    conn: &mut PgConnection,
    coach: UserId,
    on: bool,
) -> Result<(), sqlx::Error> {
    #[derive(Serialize)]
    struct Setting {
        weekly_digest: bool,
    }
    let before = sqlx::query_scalar!(
        "SELECT weekly_digest FROM users WHERE id = $1 FOR UPDATE",
        coach.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if before == on {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE users SET weekly_digest = $2 WHERE id = $1",
        coach.0,
        on
    )
    .execute(&mut *conn)
    .await?;
    AuditEntry {
        actor: Some(coach),
        action: if on {
            "weekoverzicht aan"
        } else {
            "weekoverzicht uit"
        },
        entity: "user",
        entity_id: coach.0,
        participant: None,
    }
    .record(
        conn,
        Some(&Setting {
            weekly_digest: before,
        }),
        Some(&Setting { weekly_digest: on }),
    )
    .await
}
