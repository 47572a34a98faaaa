//! Secrets of personal links (Mijn traject, confirmation and password reset links, certificate
//! verification codes) reach no log and stay in no stored mail: the whole output of the real
//! `veertig` binary through every flow that makes or uses one, the access log table, and the
//! outbox before and after its mail goes over SMTP.
//!
//! The log test runs the binary rather than capturing tracing in this process: the binary logs
//! through its own subscriber (`telemetry::init`, the filter and writer operators get), and
//! everything it prints counts, while this test process shares one global subscriber among all
//! tests running at once.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use veertig::domain::user::Role;
use veertig::mail::SECRET_MARK;
use veertig::values::ids::{ParticipantId, PlacementId};

use crate::helpers::{TestApp, database_url, location};

/// `veertig serve` on a test database, with everything it writes to stdout and stderr.
pub(crate) struct RunningBinary {
    child: Child,
    pub(crate) address: SocketAddr,
    output: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

/// Appends every line of `stream` to `output`; hands the address the binary prints to `found`.
fn collect_lines(
    stream: impl Read + Send + 'static,
    output: Arc<Mutex<String>>,
    found: mpsc::Sender<SocketAddr>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("Veertig is running at http://")
                && let Ok(address) = url.parse()
            {
                let _ = found.send(address);
            }
            let mut all = output.lock().expect("output lock");
            all.push_str(&line);
            all.push('\n');
        }
    })
}

impl RunningBinary {
    /// Starts the binary at the most talkative level anyone would troubleshoot with.
    fn start(database: &str) -> Self {
        Self::start_with(database, &[])
    }

    /// As [`RunningBinary::start`], with more environment variables (or others than these).
    pub(crate) fn start_with(database: &str, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_veertig"))
            .env("DATABASE_URL", database_url(database))
            .env("BIND", "127.0.0.1:0")
            .env("RUST_LOG", "debug")
            .env("DB_MAX_CONNECTIONS", "10")
            // Its coördinatoren log in with a password only (the second factor has tests of its own).
            .env("SECOND_FACTOR_ROLES", "geen")
            .env_remove("SMTP_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("veertig starts");
        let output = Arc::new(Mutex::new(String::new()));
        let (found, address) = mpsc::channel();
        let readers = vec![
            collect_lines(
                child.stdout.take().expect("stdout"),
                output.clone(),
                found.clone(),
            ),
            collect_lines(child.stderr.take().expect("stderr"), output.clone(), found),
        ];
        let address = address
            .recv_timeout(Duration::from_secs(120))
            .expect("the binary prints its address");
        Self {
            child,
            address,
            output,
            readers,
        }
    }

    /// Stops the binary (SIGTERM, as an operator would) and returns all it wrote.
    pub(crate) fn stop(mut self) -> String {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        self.child.wait().expect("veertig stops");
        for reader in self.readers {
            reader.join().expect("reader thread");
        }
        self.output.lock().expect("output lock").clone()
    }
}

/// A participant of the region with a placement whose contact has an e-mail address.
async fn participant_with_contact(app: &TestApp, name: &str) -> (ParticipantId, PlacementId) {
    let participant = app.create_participant(name, None, None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    sqlx::query(
        "UPDATE placements SET contact_name = 'Karel Contact', contact_email = 'karel@vereniging.example'
         WHERE id = $1",
    )
    .bind(placement.0)
    .execute(&app.pool)
    .await
    .expect("contact");
    (participant, placement)
}

/// The secret waiting beside the newest mail to `recipient`.
async fn mail_secret(app: &TestApp, recipient: &str) -> String {
    sqlx::query_scalar(
        "SELECT secret FROM outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(recipient)
    .fetch_one(&app.pool)
    .await
    .expect("a mail with a secret")
}

/// Walks every flow that makes or uses a personal secret against the running binary and
/// returns the secrets it made (each in every form a visitor sent it).
async fn walk_every_secret_flow(app: &TestApp, address: SocketAddr) -> Vec<String> {
    let mut secrets = Vec::new();
    let staff = TestApp::browser_at(app, address);
    staff.login_as(Role::Coordinator).await;
    let visitor = TestApp::browser_at(app, address);

    // Mijn traject: a link, its page, the language switch, the certificate PDF, a mistyped
    // address; the participant has a certificate, so the PDF is there.
    let (participant, placement) = participant_with_contact(app, "Amina Haddad").await;
    app.confirm_minutes(placement, 2400).await;
    let response = staff
        .post_form(
            "/certificaten/uitreiken",
            &[("kies", participant.to_string().as_str())],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "certificate issued"
    );
    staff
        .get_page(&format!("/inburgeraars/{participant}"))
        .await;
    let response = staff
        .post_form(&format!("/inburgeraars/{participant}/mijn-traject"), &[])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "Mijn traject link"
    );
    let (_, card) = staff.get_page(&location(&response)).await;
    let url = card.text(".own-card-url");
    let token = url
        .split("/mijn/")
        .nth(1)
        .expect("a /mijn/ link on the card")
        .to_string();
    let own = format!("/mijn/{token}");
    assert_eq!(visitor.get(&own).await.status(), StatusCode::OK);
    let response = visitor.get(&format!("{own}?taal=en")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "language switch");
    assert_eq!(
        visitor.get(&location(&response)).await.status(),
        StatusCode::OK
    );
    let pdf = visitor.get(&format!("{own}/certificaat.pdf")).await;
    assert_eq!(pdf.status(), StatusCode::OK, "own certificate PDF");
    assert_eq!(
        visitor.get(&format!("/Mijn/{token}")).await.status(),
        StatusCode::NOT_FOUND
    );
    secrets.push(token);

    // The certificate's verification code, as printed and as typed.
    let code: String =
        sqlx::query_scalar("SELECT verify_code FROM certificates WHERE participant_id = $1")
            .bind(participant.0)
            .fetch_one(&app.pool)
            .await
            .expect("a verification code");
    let grouped = veertig::domain::certificate::group_code(&code).to_lowercase();
    assert_eq!(
        visitor.get(&format!("/verify/{code}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        visitor.get(&format!("/verify/{grouped}")).await.status(),
        StatusCode::OK
    );
    let response = visitor.get(&format!("/verify?code={grouped}")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        visitor.get(&location(&response)).await.status(),
        StatusCode::OK
    );
    secrets.extend([code, grouped]);

    // A confirmation link: its page, the name, a confirmation, a rejection, confirming all.
    let (_, placement) = participant_with_contact(app, "Yusuf Demir").await;
    let entries = [
        app.create_entry(placement, 60, 4).await,
        app.create_entry(placement, 60, 3).await,
        app.create_entry(placement, 60, 2).await,
    ];
    let response = staff
        .post_form(&format!("/plaatsingen/{placement}/herinnering"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "reminder sent");
    let token = mail_secret(app, "karel@vereniging.example").await;
    let contact = TestApp::browser_at(app, address);
    let link = format!("/bevestigen/{token}");
    let (status, _) = contact.get_page(&link).await;
    assert_eq!(status, StatusCode::OK);
    for (path, fields) in [
        (format!("{link}/naam"), vec![("name", "Karel Contact")]),
        (
            format!("{link}/uren/{}/bevestigen", entries[0]),
            vec![("version", "1")],
        ),
        (
            format!("{link}/uren/{}/afwijzen", entries[1]),
            vec![("version", "1"), ("reason", "Niet gezien")],
        ),
        (
            format!("{link}/plaatsingen/{placement}/alles-bevestigen"),
            vec![("entries", &*format!("{}:1", entries[2]))],
        ),
    ] {
        let response = contact.post_form(&path, &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    }
    secrets.push(token);

    // A password reset: the request, the link, the new password.
    let user = app.create_user(Role::Coach).await;
    let forgetful = TestApp::browser_at(app, address);
    forgetful.get_page("/wachtwoord-vergeten").await;
    let response = forgetful
        .post_form("/wachtwoord-vergeten", &[("email", &user.email)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "reset asked");
    let token = mail_secret(app, &user.email).await;
    let link = format!("/wachtwoord-herstellen/{token}");
    let (status, _) = forgetful.get_page(&link).await;
    assert_eq!(status, StatusCode::OK);
    let new_password = "fiets-regen-brugge-7";
    let response = forgetful
        .post_form(
            &link,
            &[("password", new_password), ("password_again", new_password)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "new password set");
    secrets.push(token);
    secrets
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_of_a_personal_link_reaches_any_log() {
    let app = TestApp::spawn().await;
    let database = app.database.clone();
    let binary = tokio::task::spawn_blocking(move || RunningBinary::start(&database))
        .await
        .expect("start");
    let mut secrets = walk_every_secret_flow(&app, binary.address).await;
    // Every login decision is logged too (ASVS 7.2.1), never with the password typed.
    let stranger = TestApp::browser_at(&app, binary.address);
    let wrong_password = "fout-wachtwoord-7.2.1";
    let refused = stranger.login("niemand@example.org", wrong_password).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    secrets.push(wrong_password.to_string());
    let log = tokio::task::spawn_blocking(move || binary.stop())
        .await
        .expect("stop");

    let paths: Vec<String> = sqlx::query_scalar("SELECT path FROM access_log")
        .fetch_all(&app.pool)
        .await
        .expect("access log");
    assert!(!paths.is_empty(), "the visits are in the access log");
    let lower = without_colours(&log).to_lowercase();
    for secret in &secrets {
        let secret = secret.to_lowercase();
        let line = lower.lines().find(|line| line.contains(&secret));
        assert!(line.is_none(), "a secret in the log: {line:?}");
        let row = paths
            .iter()
            .find(|path| path.to_lowercase().contains(&secret));
        assert!(row.is_none(), "a secret in the access log: {row:?}");
    }
    for decision in ["logged in", "login refused"] {
        assert!(
            lower.contains(decision),
            "no \"{decision}\" in the log:\n{log}"
        );
    }
    // The log did record those requests (so the above is no empty promise), in their route's
    // shape.
    for shape in [
        "/mijn/…",
        "/mijn/…/certificaat.pdf",
        "/verify/…",
        "/controle/…",
        "/bevestigen/…/naam",
        "/wachtwoord-herstellen/…",
    ] {
        assert!(
            log.contains(shape),
            "no request to {shape} in the log:\n{log}"
        );
    }
}

/// `text` without the ANSI colour codes the text log format writes around field names, so
/// that no code between two characters of a secret could hide it from the search.
pub(crate) fn without_colours(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An escape sequence ends with its first letter (`ESC [ 2 m`).
            chars.by_ref().find(char::is_ascii_alphabetic);
        } else {
            plain.push(c);
        }
    }
    plain
}

/// A minimal SMTP server on a free port that accepts every mail and keeps what came after
/// DATA, as lettre sends it.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let port = listener.local_addr().expect("address").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = tokio::io::BufReader::new(read).lines();
                let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            kept.lock().expect("mail lock").push(std::mem::take(body));
                            data = None;
                            let _ = write.write_all(b"250 kept\r\n").await;
                        } else {
                            // A leading dot is doubled on the wire (RFC 5321 4.5.2).
                            body.push_str(line.strip_prefix('.').unwrap_or(&line));
                            body.push_str("\r\n");
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(answer).await;
                    if verb == "QUIT" {
                        break;
                    }
                }
            });
        }
    });
    (port, received)
}

/// The outbox page's text, as the beheerder reads it.
async fn outbox_page(admin: &TestApp) -> String {
    let (status, page) = admin.get_page("/beheer/outbox").await;
    assert_eq!(status, StatusCode::OK);
    page.text("main")
}

#[tokio::test]
async fn a_mail_keeps_its_working_link_only_until_smtp_has_it() {
    let app = TestApp::spawn().await;
    let admin = TestApp::spawn_on(&app).await;
    admin.login_as(Role::Admin).await;
    app.login_as(Role::Coach).await;

    // A confirmation link and a password reset link, queued.
    let (_, placement) = participant_with_contact(&app, "Amina Yusuf").await;
    app.create_entry(placement, 60, 2).await;
    let response = app
        .post_form(&format!("/plaatsingen/{placement}/herinnering"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let user = app.create_user(Role::Partner).await;
    let forgetful = TestApp::spawn_on(&app).await;
    forgetful.get_page("/wachtwoord-vergeten").await;
    forgetful
        .post_form("/wachtwoord-vergeten", &[("email", &user.email)])
        .await;
    let secrets = [
        mail_secret(&app, "karel@vereniging.example").await,
        mail_secret(&app, &user.email).await,
    ];

    // Waiting: the stored bodies hold the mark, the page shows no secret.
    let bodies: Vec<(String, String)> = sqlx::query_as("SELECT body_text, body_html FROM outbox")
        .fetch_all(&app.pool)
        .await
        .expect("outbox");
    assert_eq!(bodies.len(), 2);
    for (text, html) in &bodies {
        assert!(text.contains(SECRET_MARK) && html.contains(SECRET_MARK));
        for secret in &secrets {
            assert!(!text.contains(secret) && !html.contains(secret));
        }
    }
    let page = outbox_page(&admin).await;
    assert!(
        page.contains(&format!("/bevestigen/{SECRET_MARK}")),
        "{page}"
    );
    assert!(page.contains(&format!("/wachtwoord-herstellen/{SECRET_MARK}")));
    for secret in &secrets {
        assert!(
            !page.contains(secret),
            "a waiting mail's secret on the page"
        );
    }

    // Sent: SMTP got each working link, the rows keep none.
    let (port, received) = fake_smtp().await;
    let sender = veertig::mail::Sender::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Veertig <veertig@localhost>",
    )
    .expect("sender");
    sender.send_batch(&app.pool).await.expect("sent");
    let sent = received.lock().expect("mail lock").clone();
    assert_eq!(sent.len(), 2, "both mails reached SMTP");
    // Quoted-printable folds long lines with a `=` at the end; the links hold no `=`.
    let sent = sent.join("\n").replace("=\r\n", "");
    assert!(
        sent.contains(&format!("/bevestigen/{}", secrets[0])),
        "{sent}"
    );
    assert!(sent.contains(&format!("/wachtwoord-herstellen/{}", secrets[1])));
    assert!(!sent.contains(SECRET_MARK), "no mark left in a sent mail");
    let rows: Vec<(String, String, Option<String>, bool)> =
        sqlx::query_as("SELECT body_text, body_html, secret, sent_at IS NOT NULL FROM outbox")
            .fetch_all(&app.pool)
            .await
            .expect("outbox");
    for (text, html, secret, sent) in &rows {
        assert!(sent, "marked sent");
        assert_eq!(secret, &None, "the secret is forgotten once sent");
        for secret in &secrets {
            assert!(!text.contains(secret) && !html.contains(secret));
        }
    }
    let page = outbox_page(&admin).await;
    for secret in &secrets {
        assert!(!page.contains(secret), "a sent mail's secret on the page");
    }

    // The link that reached SMTP works.
    let contact = TestApp::spawn_on(&app).await;
    let (status, page) = contact
        .get_page(&format!("/bevestigen/{}", secrets[0]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("label[for=name]"), "Uw naam");
}

#[tokio::test]
async fn sent_mail_is_forgotten_after_its_keeping_time_and_waiting_mail_is_not() {
    let app = TestApp::spawn().await;
    let keep = veertig::mail::KEEP_DAYS;
    // (recipient, days old, sent, attempts)
    let rows = [
        ("oud-verstuurd@example.org", keep + 1, true, 1),
        ("oud-opgegeven@example.org", keep + 1, false, 10),
        ("oud-wachtend@example.org", keep + 1, false, 2),
        ("recent-verstuurd@example.org", keep - 1, true, 1),
    ];
    for (recipient, days, sent, attempts) in rows {
        sqlx::query(
            "INSERT INTO outbox (created_at, recipient, subject, body_text, body_html, sent_at, attempts)
             VALUES (now() - make_interval(days => $2), $1, 'Onderwerp', 'Tekst', '<p>Tekst</p>',
                     CASE WHEN $3 THEN now() - make_interval(days => $2) END, $4)",
        )
        .bind(recipient)
        .bind(days)
        .bind(sent)
        .bind(attempts)
        .execute(&app.pool)
        .await
        .expect("mail");
    }
    assert_eq!(
        veertig::mail::forget_old(&app.pool).await.expect("forget"),
        2
    );
    let left: Vec<String> = sqlx::query_scalar("SELECT recipient FROM outbox ORDER BY recipient")
        .fetch_all(&app.pool)
        .await
        .expect("outbox");
    assert_eq!(
        left,
        ["oud-wachtend@example.org", "recent-verstuurd@example.org"]
    );
}
