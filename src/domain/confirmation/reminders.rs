//! Mails to partners: a personal link when hours are logged or staff send one, and the
//! weekly digest of what waits.

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::links::{LINK_VALID_DAYS, LinkError, NewLink, create_link};
use crate::values::ids::{PlacementId, RegionId, UserId};
use crate::values::kinds::PlacementKind;

/// Makes a link for the placement's contact and queues the mail that carries it.
pub async fn send_link(
    conn: &mut PgConnection,
    base_url: &str,
    actor: Option<UserId>,
    region: Option<RegionId>,
    placement: PlacementId,
) -> Result<Option<NewLink>, LinkError> {
    let Some(link) = create_link(conn, actor, region, placement).await? else {
        return Ok(None);
    };
    let about = sqlx::query!(
        r#"SELECT p.full_name, o.name AS organisation,
                  count(e.id) AS "entries!", coalesce(sum(e.minutes), 0) AS "minutes!"
           FROM placements pl
           JOIN participants p ON p.id = pl.participant_id
           JOIN organisations o ON o.id = pl.organisation_id
           LEFT JOIN hour_entries e ON e.placement_id = pl.id AND e.status = 'ingediend'
           WHERE pl.id = $1
           GROUP BY p.full_name, o.name"#,
        placement.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let mail = crate::mail::LinkMail {
        base_url,
        token: &link.token,
        contact_name: &link.contact_name,
        contact_email: &link.contact_email,
        participant_name: &about.full_name,
        organisation: &about.organisation,
        pending_entries: usize::try_from(about.entries).unwrap_or(0),
        pending_minutes: about.minutes,
        valid_until: crate::values::dates::today() + time::Duration::days(LINK_VALID_DAYS),
    }
    .compose()
    .map_err(|error| LinkError::Database(sqlx::Error::Encode(Box::new(error))))?;
    crate::mail::queue(conn, &mail).await?;
    Ok(Some(link))
}

/// After hours are logged: mail the contact a link, unless one went out in the last day.
pub async fn notify_contact_of_new_entries(
    conn: &mut PgConnection,
    base_url: &str,
    placement: PlacementId,
) -> Result<(), sqlx::Error> {
    let recent = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM confirmation_links
                          WHERE placement_id = $1 AND revoked_at IS NULL
                            AND created_at > now() - interval '1 day') AS "recent!""#,
        placement.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if recent {
        return Ok(());
    }
    match send_link(conn, base_url, None, None, placement).await {
        Ok(_) | Err(LinkError::NoContactEmail) => Ok(()),
        Err(LinkError::Database(error)) => Err(error),
    }
}

/// Queues this week's digest for every partner user whose organisation has entries waiting.
/// Returns how many mails were queued.
pub async fn queue_weekly_digest(
    conn: &mut PgConnection,
    base_url: &str,
) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT u.email, u.name, o.name AS organisation, p.full_name, pl.kind AS "kind: PlacementKind",
                  count(*) AS "entries!", sum(e.minutes) AS "minutes!", min(e.worked_on) AS "oldest!"
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN participants p ON p.id = e.participant_id
           JOIN organisations o ON o.id = e.organisation_id
           JOIN users u ON u.organisation_id = e.organisation_id AND u.role = 'partner' AND u.active
           WHERE e.status = 'ingediend'
           GROUP BY u.id, u.email, u.name, o.name, pl.id, p.full_name, p.search_name
           ORDER BY u.id, p.search_name, pl.id"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut mails = Vec::new();
    let mut current: Option<(String, String, String, Vec<crate::mail::DigestLine>)> = None;
    for row in rows {
        if current
            .as_ref()
            .is_none_or(|(email, ..)| *email != row.email)
        {
            mails.extend(current.take());
            current = Some((
                row.email.clone(),
                row.name.clone(),
                row.organisation.clone(),
                Vec::new(),
            ));
        }
        if let Some((.., lines)) = current.as_mut() {
            lines.push(crate::mail::DigestLine {
                participant_name: row.full_name,
                kind: row.kind,
                entries: row.entries,
                minutes: crate::values::duration::format_minutes(row.minutes),
                oldest: crate::values::dates::format_date(row.oldest),
            });
        }
    }
    mails.extend(current);
    for (email, name, organisation, lines) in &mails {
        let mail = crate::mail::DigestMail {
            base_url,
            to: email,
            name,
            organisation,
            lines,
        }
        .compose()
        .map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
        crate::mail::queue(conn, &mail).await?;
    }
    Ok(mails.len())
}

/// Queues the partners' and the coaches' digests once per week (from Monday 08:00, Belgian
/// time), whichever instance asks first; returns whether this call queued them.
pub async fn queue_weekly_digest_once(
    conn: &mut PgConnection,
    base_url: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let belgian = crate::values::dates::in_belgium(now);
    let today = belgian.date();
    let monday = today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()));
    if today == monday && belgian.hour() < 8 {
        return Ok(false);
    }
    let claimed = sqlx::query_scalar!(
        "INSERT INTO digest_runs (week_of) VALUES ($1) ON CONFLICT DO NOTHING RETURNING week_of",
        monday
    )
    .fetch_optional(&mut *conn)
    .await?;
    if claimed.is_none() {
        return Ok(false);
    }
    queue_weekly_digest(conn, base_url).await?;
    super::coach_digest::queue_coach_digests(conn, base_url, today).await?;
    Ok(true)
}
