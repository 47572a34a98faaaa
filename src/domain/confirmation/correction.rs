//! "The coach is told" when a partner confirms another duration than was logged: a mail
//! through the outbox to the participant's coach, when they have an active account (every
//! account has an e-mail address). The participant page shows the correction too, mail or not.

use sqlx::PgConnection;

use crate::mail::{self, CorrectionMail};
use crate::values::ids::EntryId;

/// Queues the mail to the coach about entry `entry`, corrected from `from` to `to` minutes.
pub(super) async fn tell_the_coach(
    conn: &mut PgConnection,
    entry: EntryId,
    from: i32,
    to: i32,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let Some(row) = sqlx::query!(
        r#"SELECT u.name AS coach_name, u.email AS coach_email, p.full_name AS participant_name,
                  o.name AS organisation, e.worked_on
           FROM hour_entries e
           JOIN participants p ON p.id = e.participant_id
           JOIN users u ON u.id = p.coach_id AND u.active
           JOIN organisations o ON o.id = e.organisation_id
           WHERE e.id = $1"#,
        entry.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        // No coach (yet): the participant page shows it to whoever guides them.
        return Ok(());
    };
    let notice = CorrectionMail {
        coach_name: &row.coach_name,
        coach_email: &row.coach_email,
        participant_name: &row.participant_name,
        organisation: &row.organisation,
        worked_on: row.worked_on,
        from: i64::from(from),
        to: i64::from(to),
        reason,
    }
    .compose()
    .map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    mail::queue(conn, &notice).await?;
    Ok(())
}
