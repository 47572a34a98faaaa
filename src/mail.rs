//! Outgoing mail. Every mail is first written to the `outbox` table in the transaction that
//! causes it, so none is lost if the app stops; a sender delivers it over SMTP when `SMTP_URL`
//! is set. Without SMTP the mails stay in the outbox, which the beheerder reads in Veertig.
//!
//! A mail with a personal link (confirming hours, a new password) is stored without the link's
//! secret: the body holds [`SECRET_MARK`] where the secret goes, the secret waits in a column
//! of its own, is put in only when the mail is handed to SMTP, and is forgotten in the same
//! UPDATE that marks the mail sent. So the outbox page, which never reads that column, cannot
//! show a working link, and a sent mail's row holds none.

use std::time::Duration;

use askama::Template;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::{PgConnection, PgPool};
use time::Date;
use uuid::Uuid;

use crate::values::dates::format_date;
use crate::values::duration::format_minutes;
use crate::values::ids::ParticipantId;
use crate::values::kinds::PlacementKind;

/// Stands for the secret in a stored body; what the beheerder reads on the outbox page. Text
/// a person typed (a name) that happens to hold it could at worst repeat the recipient's own
/// link in their own mail.
pub const SECRET_MARK: &str = "[verborgen]";

/// Delivery attempts before the sender gives a mail up (and forgets its secret).
const MAX_ATTEMPTS: i32 = 10;

pub struct Mail {
    pub to: String,
    pub subject: String,
    /// Bodies with [`SECRET_MARK`] where `secret` goes.
    pub text: String,
    pub html: String,
    /// The secret of the link in the mail, if it has one.
    pub secret: Option<String>,
}

pub async fn queue(conn: &mut PgConnection, mail: &Mail) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO outbox (recipient, subject, body_text, body_html, secret)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        mail.to,
        mail.subject,
        mail.text,
        mail.html,
        mail.secret,
    )
    .fetch_one(conn)
    .await
}

/// A stored body as it leaves for the recipient: with the working link.
fn with_secret(body: &str, secret: Option<&str>) -> String {
    match secret {
        Some(secret) => body.replace(SECRET_MARK, secret),
        None => body.to_string(),
    }
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: Uuid,
    pub created_at: time::OffsetDateTime,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub sent_at: Option<time::OffsetDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

pub async fn recent(conn: &mut PgConnection, limit: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
    sqlx::query_as!(
        OutboxRow,
        "SELECT id, created_at, recipient, subject, body_text, sent_at, attempts, last_error
         FROM outbox ORDER BY created_at DESC LIMIT $1",
        limit
    )
    .fetch_all(conn)
    .await
}

/// Mail not sent yet: still being tried, and given up after [`MAX_ATTEMPTS`] (for `/metrics`).
pub async fn unsent_counts(pool: &PgPool) -> Result<(i64, i64), sqlx::Error> {
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE attempts < $1) AS "waiting!",
                  count(*) FILTER (WHERE attempts >= $1) AS "given_up!"
           FROM outbox WHERE sent_at IS NULL"#,
        MAX_ATTEMPTS
    )
    .fetch_one(pool)
    .await?;
    Ok((counts.waiting, counts.given_up))
}

/// Days a mail stays in the outbox once sent or given up: long enough to answer "did the
/// reminder go out?", not so long that names of inburgeraars and contacts pile up (ASVS 8.3.8).
pub const KEEP_DAYS: i32 = 90;

/// Deletes mail sent, or given up, more than [`KEEP_DAYS`] ago; mail still being tried stays.
pub async fn forget_old(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!(
        "DELETE FROM outbox
          WHERE created_at < now() - make_interval(days => $1)
            AND (sent_at IS NOT NULL OR attempts >= $2)",
        KEEP_DAYS,
        MAX_ATTEMPTS
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}

#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("SMTP_URL is not usable: {0}")]
    Url(#[from] lettre::transport::smtp::Error),
    #[error("MAIL_FROM is not an address: {0}")]
    From(#[from] lettre::address::AddressError),
}

/// Delivers queued mail over SMTP until the process ends.
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Sender {
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, SmtpError> {
        Ok(Self {
            transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?.build(),
            from: from.parse()?,
        })
    }

    pub async fn run(self, pool: PgPool) {
        loop {
            if let Err(error) = self.send_batch(&pool).await {
                tracing::warn!(%error, "sending mail failed; will retry");
            }
            tokio::time::sleep(Duration::from_secs(15)).await;
        }
    }

    /// Sends up to 20 waiting mails. `SKIP LOCKED` lets several instances share the queue.
    pub async fn send_batch(&self, pool: &PgPool) -> Result<(), sqlx::Error> {
        let mut tx = pool.begin().await?;
        let waiting = sqlx::query!(
            "SELECT id, recipient, subject, body_text, body_html, secret FROM outbox
             WHERE sent_at IS NULL AND attempts < $1
             ORDER BY created_at LIMIT 20 FOR UPDATE SKIP LOCKED",
            MAX_ATTEMPTS
        )
        .fetch_all(&mut *tx)
        .await?;
        for mail in waiting {
            let outcome = match mail.recipient.parse::<Mailbox>() {
                Err(error) => Err(error.to_string()),
                Ok(to) => match Message::builder()
                    .from(self.from.clone())
                    .to(to)
                    .subject(&mail.subject)
                    .multipart(MultiPart::alternative_plain_html(
                        with_secret(&mail.body_text, mail.secret.as_deref()),
                        with_secret(&mail.body_html, mail.secret.as_deref()),
                    )) {
                    Err(error) => Err(error.to_string()),
                    Ok(message) => self
                        .transport
                        .send(message)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                },
            };
            match outcome {
                Ok(()) => {
                    sqlx::query!(
                        "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, secret = NULL
                         WHERE id = $1",
                        mail.id
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                Err(error) => {
                    tracing::warn!(%error, recipient = %mail.recipient, "mail not delivered");
                    // A mail given up keeps no working link either.
                    sqlx::query!(
                        "UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                                secret = CASE WHEN attempts + 1 >= $3 THEN NULL ELSE secret END
                         WHERE id = $1",
                        mail.id,
                        error,
                        MAX_ATTEMPTS
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await
    }
}

// ---------------------------------------------------------------------------------------------
// The mails themselves

/// A personal confirmation link for a placement's contact person.
pub struct LinkMail<'a> {
    pub base_url: &'a str,
    pub token: &'a str,
    pub contact_name: &'a str,
    pub contact_email: &'a str,
    pub participant_name: &'a str,
    pub organisation: &'a str,
    pub pending_entries: usize,
    pub pending_minutes: i64,
    pub valid_until: Date,
}

/// A mail template that did not render: a bug in a template, never the reader's input.
#[derive(Debug, thiserror::Error)]
#[error("mail template: {0}")]
pub struct ComposeError(#[from] askama::Error);

#[derive(Template)]
#[template(path = "mail/link.txt")]
struct LinkText<'a> {
    mail: &'a LinkMail<'a>,
    url: &'a str,
    minutes: &'a str,
    until: &'a str,
}

#[derive(Template)]
#[template(path = "mail/link.html")]
struct LinkHtml<'a> {
    mail: &'a LinkMail<'a>,
    url: &'a str,
    minutes: &'a str,
    until: &'a str,
}

impl LinkMail<'_> {
    pub fn compose(&self) -> Result<Mail, ComposeError> {
        let url = format!("{}/bevestigen/{SECRET_MARK}", self.base_url);
        let minutes = format_minutes(self.pending_minutes);
        let until = format_date(self.valid_until);
        Ok(Mail {
            to: self.contact_email.to_string(),
            subject: format!("Uren bevestigen voor {}", self.participant_name),
            text: LinkText {
                mail: self,
                url: &url,
                minutes: &minutes,
                until: &until,
            }
            .render()?,
            html: LinkHtml {
                mail: self,
                url: &url,
                minutes: &minutes,
                until: &until,
            }
            .render()?,
            secret: Some(self.token.to_string()),
        })
    }
}

/// One line of the weekly digest: a placement with entries waiting.
pub struct DigestLine {
    pub participant_name: String,
    pub kind: PlacementKind,
    pub entries: i64,
    pub minutes: String,
    pub oldest: String,
}

pub struct DigestMail<'a> {
    pub base_url: &'a str,
    pub to: &'a str,
    pub name: &'a str,
    pub organisation: &'a str,
    pub lines: &'a [DigestLine],
}

#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct DigestText<'a> {
    mail: &'a DigestMail<'a>,
}

#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    mail: &'a DigestMail<'a>,
}

impl DigestMail<'_> {
    pub fn compose(&self) -> Result<Mail, ComposeError> {
        Ok(Mail {
            to: self.to.to_string(),
            subject: format!("Uren die wachten op bevestiging bij {}", self.organisation),
            text: DigestText { mail: self }.render()?,
            html: DigestHtml { mail: self }.render()?,
            secret: None,
        })
    }
}

/// A participant in a coach's weekly digest, with why they are in it.
pub struct CoachDigestLine {
    pub participant: ParticipantId,
    pub name: String,
    pub detail: String,
}

/// A coach's weekly mail: who stalled, whose end date is near, what waits too long.
pub struct CoachDigestMail<'a> {
    pub base_url: &'a str,
    pub to: &'a str,
    pub name: &'a str,
    pub stalled: &'a [CoachDigestLine],
    pub deadline_near: &'a [CoachDigestLine],
    pub waiting: &'a [CoachDigestLine],
    pub waiting_days: i32,
}

#[derive(Template)]
#[template(path = "mail/coach_digest.txt")]
struct CoachDigestText<'a> {
    mail: &'a CoachDigestMail<'a>,
}

#[derive(Template)]
#[template(path = "mail/coach_digest.html")]
struct CoachDigestHtml<'a> {
    mail: &'a CoachDigestMail<'a>,
}

impl CoachDigestMail<'_> {
    pub fn compose(&self) -> Result<Mail, ComposeError> {
        Ok(Mail {
            to: self.to.to_string(),
            subject: "Uw caseload deze week".to_string(),
            text: CoachDigestText { mail: self }.render()?,
            html: CoachDigestHtml { mail: self }.render()?,
            secret: None,
        })
    }
}

/// A link to choose a new password, for someone who forgot theirs.
pub struct PasswordResetMail<'a> {
    pub base_url: &'a str,
    pub token: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub valid_minutes: i64,
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct PasswordResetText<'a> {
    mail: &'a PasswordResetMail<'a>,
    url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct PasswordResetHtml<'a> {
    mail: &'a PasswordResetMail<'a>,
    url: &'a str,
}

impl PasswordResetMail<'_> {
    pub fn compose(&self) -> Result<Mail, ComposeError> {
        let url = format!("{}/wachtwoord-herstellen/{SECRET_MARK}", self.base_url);
        Ok(Mail {
            to: self.email.to_string(),
            subject: "Een nieuw wachtwoord voor Veertig".to_string(),
            text: PasswordResetText {
                mail: self,
                url: &url,
            }
            .render()?,
            html: PasswordResetHtml {
                mail: self,
                url: &url,
            }
            .render()?,
            secret: Some(self.token.to_string()),
        })
    }
}

/// The notice that an account's password changed (by the user, or through a reset link). It
/// holds no link and no secret: a mail anyone may read, telling the owner what to do if it was
/// not them.
pub struct PasswordChangedMail<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// Belgian time, `23/11/2026 14:05`.
    pub changed_at: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_changed.txt")]
struct PasswordChangedText<'a> {
    mail: &'a PasswordChangedMail<'a>,
}

#[derive(Template)]
#[template(path = "mail/password_changed.html")]
struct PasswordChangedHtml<'a> {
    mail: &'a PasswordChangedMail<'a>,
}

impl PasswordChangedMail<'_> {
    pub fn compose(&self) -> Result<Mail, ComposeError> {
        Ok(Mail {
            to: self.email.to_string(),
            subject: "Uw wachtwoord voor Veertig werd gewijzigd".to_string(),
            text: PasswordChangedText { mail: self }.render()?,
            html: PasswordChangedHtml { mail: self }.render()?,
            secret: None,
        })
    }
}

/// To the coach: a partner confirmed an entry with another duration than was logged.
pub struct CorrectionMail<'a> {
    pub coach_name: &'a str,
    pub coach_email: &'a str,
    pub participant_name: &'a str,
    pub organisation: &'a str,
    pub worked_on: Date,
    /// Minutes as logged and as confirmed.
    pub from: i64,
    pub to: i64,
    pub reason: &'a str,
}

#[derive(Template)]
#[template(path = "mail/correction.txt")]
struct CorrectionText<'a> {
    mail: &'a CorrectionMail<'a>,
    day: &'a str,
    from: &'a str,
    to: &'a str,
}

#[derive(Template)]
#[template(path = "mail/correction.html")]
struct CorrectionHtml<'a> {
    mail: &'a CorrectionMail<'a>,
    day: &'a str,
    from: &'a str,
    to: &'a str,
}

impl CorrectionMail<'_> {
    pub fn compose(&self) -> Result<Mail, ComposeError> {
        let day = format_date(self.worked_on);
        let from = format_minutes(self.from);
        let to = format_minutes(self.to);
        Ok(Mail {
            to: self.coach_email.to_string(),
            subject: format!(
                "Uren van {} aangepast door {}",
                self.participant_name, self.organisation
            ),
            text: CorrectionText {
                mail: self,
                day: &day,
                from: &from,
                to: &to,
            }
            .render()?,
            html: CorrectionHtml {
                mail: self,
                day: &day,
                from: &from,
                to: &to,
            }
            .render()?,
            secret: None,
        })
    }
}
