//! `TestApp`: the real router, served on a free port, on a database of its own.
//!
//! Databases come from one PostgreSQL per test process: the server in `DATABASE_URL`, or a
//! private cluster started like `cargo run` does (it dies with the test process). Migrations
//! run once into a template database; each test clones it, which takes a tenth of a second.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use scraper::{Html, Selector};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;
use veertig::config::Config;
use veertig::domain::user::{self, Email, NewPassword, NewUser, PersonName, Role};
use veertig::pg::{ClusterOptions, PrivateCluster};
use veertig::values::ids::{
    EntryId, MunicipalityId, OrganisationId, ParticipantId, PlacementId, RegionId, UserId,
};
use veertig::web::state::AppState;

pub const PASSWORD: &str = "correct-horse-battery";

/// A multipart body as a browser sends it: any number of text fields and, in `file_field`,
/// one file as `(name, content type, content)`. Returns the content type (with its boundary)
/// and the body.
pub fn multipart(
    file_field: &str,
    file: Option<(&str, &str, &[u8])>,
    fields: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let boundary = "----veertig-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, content_type, content)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

struct TestServer {
    options: PgConnectOptions,
    template: String,
    /// Kept alive for the whole test process; its postmaster dies with the process.
    _cluster: Option<PrivateCluster>,
}

static SERVER: OnceLock<TestServer> = OnceLock::new();

fn server() -> &'static TestServer {
    SERVER.get_or_init(|| {
        // Set-up needs its own runtime: each test runs on a runtime that ends with the test.
        std::thread::spawn(start_server)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Certificate PDFs embed Debian's Noto fonts: install them as root when missing, or stop with
/// the command to run. Never skip: a missing font would hide broken certificates.
fn ensure_fonts() {
    let dir = std::path::Path::new("/usr/share/fonts/truetype/noto");
    let needed = [
        "NotoSans-Regular.ttf",
        "NotoSansArabic-Regular.ttf",
        "NotoSansEthiopic-Regular.ttf",
    ];
    if needed.iter().all(|font| dir.join(font).exists()) {
        return;
    }
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    assert!(
        root,
        "The certificate tests need the Noto fonts: run `sudo apt-get install -y fonts-noto-core`"
    );
    eprintln!("Installing fonts-noto-core for the certificate tests…");
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "fonts-noto-core"][..],
    ] {
        let status = std::process::Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .expect("apt-get runs");
        assert!(status.success(), "apt-get {args:?} failed");
    }
}

fn start_server() -> TestServer {
    ensure_fonts();
    if std::env::var_os("RUST_LOG").is_some() {
        veertig::telemetry::init(veertig::config::LogFormat::Text);
    }
    let (options, cluster) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url.parse::<PgConnectOptions>().expect("DATABASE_URL"), None),
        Err(_) => {
            remove_stale_clusters();
            let cluster = PrivateCluster::start(&ClusterOptions {
                data_dir: test_cluster_dir(std::process::id()).join("pg"),
                ephemeral: true,
            })
            .expect("the test cluster starts");
            (cluster.connect_options("postgres"), Some(cluster))
        }
    };
    let template = format!("veertig_template_{}", std::process::id());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut admin = PgConnection::connect_with(&options.clone().database("postgres"))
            .await
            .expect("connect to the test server");
        veertig::db::create_roles(&mut admin)
            .await
            .expect("the owner and runtime roles exist");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {template}"))
            .execute(&mut admin)
            .await
            .expect("drop old template");
        sqlx::query(&format!("CREATE DATABASE {template}"))
            .execute(&mut admin)
            .await
            .expect("create template");
        let mut conn = PgConnection::connect_with(&options.clone().database(&template))
            .await
            .expect("connect to template");
        veertig::db::MIGRATOR
            .run(&mut conn)
            .await
            .expect("migrations apply");
        conn.close().await.expect("close template connection");
    });
    TestServer {
        options,
        template,
        _cluster: cluster,
    }
}

fn test_cluster_dir(pid: u32) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("veertig-test-{pid}"))
}

/// Clusters of earlier test runs died with their process; their folders stay behind.
fn remove_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix("veertig-test-"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A fresh database cloned from the migrated template.
pub async fn fresh_database() -> (PgConnectOptions, String) {
    let server = server();
    let name = format!("test_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect_with(&server.options.clone().database("postgres"))
        .await
        .expect("connect to the test server");
    sqlx::query(&format!(
        "CREATE DATABASE {name} TEMPLATE {}",
        server.template
    ))
    .execute(&mut admin)
    .await
    .expect("clone the template");
    let _ = admin.close().await;
    (server.options.clone().database(&name), name)
}

/// Connection options for `database` of the test server as its superuser (the owner of the
/// migrated schema).
pub fn admin_options(database: &str) -> PgConnectOptions {
    server().options.clone().database(database)
}

/// The same connection, acting as `role`: its rights, and no others, apply. (Works with any
/// test server, whatever its password rules.)
pub fn as_role(options: PgConnectOptions, role: &str) -> PgConnectOptions {
    options.options([("role", role)])
}

/// [`database_url`] acting as `role`, as [`as_role`].
/// How many (region, status, start month, end month) groups of `participant_status_counts`
/// differ from a recount of the participants: 0 when the dashboard's counts are right.
pub async fn status_counts_differing(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "WITH truth AS (
             SELECT region_id, status, date_trunc('month', start_date)::date AS start_month,
                    date_trunc('month', target_end_date)::date AS end_month, count(*)::int AS n
             FROM participants GROUP BY 1, 2, 3, 4),
         kept AS (SELECT region_id, status, start_month, end_month, participants AS n
                  FROM participant_status_counts WHERE participants <> 0)
         SELECT count(*) FROM ((TABLE truth EXCEPT TABLE kept) UNION ALL (TABLE kept EXCEPT TABLE truth)) d",
    )
    .fetch_one(pool)
    .await
    .expect("compare the status counts")
}

pub fn database_url_as(database: &str, role: &str) -> String {
    format!("{}?options=-c%20role%3D{role}", database_url(database))
}

/// A `postgres://` URL for a database of the test server, for running the binary.
pub fn database_url(database: &str) -> String {
    let options = &server().options;
    match std::env::var("DATABASE_URL") {
        Ok(url) => {
            let (base, _) = url.rsplit_once('/').expect("DATABASE_URL has a database");
            format!("{base}/{database}")
        }
        Err(_) => {
            let socket = options.get_socket().expect("private cluster uses a socket");
            let host = socket.display().to_string().replace('/', "%2F");
            format!("postgres://{}@{host}/{database}", options.get_username())
        }
    }
}

pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    jar: Arc<Jar>,
    pub pool: PgPool,
    pub database: String,
    pub region: RegionId,
    pub organisation: OrganisationId,
    pub municipality: MunicipalityId,
    csrf: Mutex<Option<String>>,
    users: AtomicUsize,
}

pub struct OtherRegion {
    pub region: RegionId,
    pub municipality: MunicipalityId,
    pub organisation: OrganisationId,
}

pub struct TestUser {
    pub id: UserId,
    pub email: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Config::for_tests()).await
    }

    pub async fn spawn_with(config: Config) -> Self {
        let (options, database) = fresh_database().await;
        Self::spawn_at(options, database, config).await
    }

    /// The app on a migrated database of the caller's choosing (a fault test's own cluster).
    /// It serves as the runtime role, as in production: a missing grant fails the test.
    pub async fn spawn_at(options: PgConnectOptions, database: String, config: Config) -> Self {
        let options = as_role(options, veertig::db::APP_ROLE);
        let pool = veertig::db::pool(options, 5).await.expect("test pool");
        let region = sqlx::query_scalar!(
            r#"INSERT INTO regions (code, name) VALUES ('TST', 'Testregio') RETURNING id AS "id: RegionId""#
        )
        .fetch_one(&pool)
        .await
        .expect("test region");
        let organisation = sqlx::query_scalar!(
            r#"INSERT INTO organisations (region_id, name, kind, search_name)
               VALUES ($1, 'Testvereniging', 'vereniging', 'testvereniging')
               RETURNING id AS "id: OrganisationId""#,
            region.0
        )
        .fetch_one(&pool)
        .await
        .expect("test organisation");
        let municipality = sqlx::query_scalar!(
            r#"INSERT INTO municipalities (region_id, name) VALUES ($1, 'Testgemeente')
               RETURNING id AS "id: MunicipalityId""#,
            region.0
        )
        .fetch_one(&pool)
        .await
        .expect("test municipality");
        sqlx::query!(
            "UPDATE organisations SET municipality_id = $1 WHERE id = $2",
            municipality.0,
            organisation.0
        )
        .execute(&pool)
        .await
        .expect("organisation municipality");
        let address = serve_app(pool.clone(), config).await;
        let (client, jar) = new_client(None);
        Self {
            address,
            client,
            jar,
            pool,
            database,
            region,
            organisation,
            municipality,
            csrf: Mutex::new(None),
            users: AtomicUsize::new(0),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// Another instance of the application (its own process state, session cache included) on
    /// the same database, as behind a load balancer; the browser starts without cookies.
    pub async fn second_instance(&self) -> TestApp {
        let address = serve_app(self.pool.clone(), Config::for_tests()).await;
        let mut other = TestApp::spawn_on(self).await;
        other.address = address;
        other
    }

    /// Another browser on the same server and database, with cookies of its own.
    pub async fn spawn_on(app: &TestApp) -> TestApp {
        Self::browser_at(app, app.address)
    }

    /// A browser of its own on the same database, talking to the server at `address` (such as
    /// the `veertig` binary serving that database).
    pub fn browser_at(app: &TestApp, address: SocketAddr) -> TestApp {
        Self::browser_from(app, address, None)
    }

    /// Another browser on the same server that connects from another loopback address
    /// (`127.0.0.2`…), as someone elsewhere would: the login limits count per client address.
    pub fn spawn_from(app: &TestApp, from: std::net::Ipv4Addr) -> TestApp {
        Self::browser_from(app, app.address, Some(from.into()))
    }

    fn browser_from(app: &TestApp, address: SocketAddr, from: Option<IpAddr>) -> TestApp {
        let (client, jar) = new_client(from);
        TestApp {
            address,
            client,
            jar,
            pool: app.pool.clone(),
            database: app.database.clone(),
            region: app.region,
            organisation: app.organisation,
            municipality: app.municipality,
            csrf: Mutex::new(None),
            users: AtomicUsize::new(app.users.fetch_add(1000, Ordering::SeqCst) + 1000),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET succeeds")
    }

    /// GETs a page, remembers its CSRF token and returns status and parsed HTML.
    pub async fn get_page(&self, path: &str) -> (StatusCode, Page) {
        let response = self.get(path).await;
        let status = response.status();
        let page = Page::parse(&response.text().await.expect("body"));
        if let Some(token) = page.csrf_token() {
            *self.csrf.lock().expect("csrf lock") = Some(token);
        }
        (status, page)
    }

    /// POSTs a form with this browser's CSRF token, as the page's form would.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        body.extend_from_slice(fields);
        self.post_raw(path, &body).await
    }

    /// POSTs exactly these fields, without adding a CSRF token.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST succeeds")
    }

    pub async fn csrf_token(&self) -> String {
        if let Some(token) = self.csrf.lock().expect("csrf lock").clone() {
            return token;
        }
        let (_, page) = self.get_page("/login").await;
        page.csrf_token().expect("the login page has a CSRF token")
    }

    pub async fn create_user(&self, role: Role) -> TestUser {
        let n = self.users.fetch_add(1, Ordering::SeqCst);
        let email = format!("{role:?}-{n}@test.example").to_lowercase();
        let mut conn = self.pool.acquire().await.expect("connection");
        let id = user::create(
            &mut conn,
            None,
            NewUser {
                email: Email::parse(&email).expect("email"),
                name: PersonName::parse(&format!("Test {role:?} {n}")).expect("name"),
                role,
                password: NewPassword::parse(PASSWORD).expect("password"),
                region_id: (role != Role::Partner).then_some(self.region),
                organisation_id: (role == Role::Partner).then_some(self.organisation),
            },
        )
        .await
        .expect("user created");
        TestUser { id, email }
    }

    /// A second region with its own municipality and organisation, for access tests.
    pub async fn other_region(&self) -> OtherRegion {
        let region = sqlx::query_scalar!(
            r#"INSERT INTO regions (code, name) VALUES ('ANDR', 'Andere regio') RETURNING id AS "id: RegionId""#
        )
        .fetch_one(&self.pool)
        .await
        .expect("other region");
        let municipality = sqlx::query_scalar!(
            r#"INSERT INTO municipalities (region_id, name) VALUES ($1, 'Andere gemeente')
               RETURNING id AS "id: MunicipalityId""#,
            region.0
        )
        .fetch_one(&self.pool)
        .await
        .expect("other municipality");
        let organisation = sqlx::query_scalar!(
            r#"INSERT INTO organisations (region_id, name, kind, municipality_id, search_name)
               VALUES ($1, 'Andere vereniging', 'vereniging', $2, 'andere vereniging')
               RETURNING id AS "id: OrganisationId""#,
            region.0,
            municipality.0
        )
        .fetch_one(&self.pool)
        .await
        .expect("other organisation");
        OtherRegion {
            region,
            municipality,
            organisation,
        }
    }

    /// An active participant in `region` (the test region when `None`) who started 30 days ago.
    pub async fn create_participant(
        &self,
        name: &str,
        coach: Option<UserId>,
        place: Option<&OtherRegion>,
    ) -> ParticipantId {
        let (region, municipality) = match place {
            Some(other) => (other.region, other.municipality),
            None => (self.region, self.municipality),
        };
        sqlx::query_scalar!(
            r#"INSERT INTO participants (region_id, municipality_id, coach_id, full_name, search_name,
                   birth_date, dutch_level, start_date, target_end_date)
               VALUES ($1, $2, $3, $4, $5, '1990-05-17', 'A2', current_date - 30, current_date + 335)
               RETURNING id AS "id: ParticipantId""#,
            region.0,
            municipality.0,
            coach.map(|c| c.0),
            name,
            veertig::domain::search::search_key(name),
        )
        .fetch_one(&self.pool)
        .await
        .expect("participant")
    }

    /// A running `buddy` placement from 30 days ago until 60 days ahead, 40 planned hours.
    pub async fn create_placement(
        &self,
        participant: ParticipantId,
        organisation: OrganisationId,
    ) -> PlacementId {
        sqlx::query_scalar!(
            r#"INSERT INTO placements (participant_id, organisation_id, kind, status, starts_on, ends_on,
                   planned_minutes, contact_name)
               VALUES ($1, $2, 'buddy', 'lopend', current_date - 30, current_date + 60, 2400, 'Contact')
               RETURNING id AS "id: PlacementId""#,
            participant.0,
            organisation.0,
        )
        .fetch_one(&self.pool)
        .await
        .expect("placement")
    }

    /// A pending entry of `minutes` on `placement`, `days_ago` days back.
    pub async fn create_entry(
        &self,
        placement: PlacementId,
        minutes: i32,
        days_ago: i32,
    ) -> EntryId {
        sqlx::query_scalar!(
            r#"INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes)
               SELECT id, participant_id, organisation_id, current_date - $3::int, $2
               FROM placements WHERE id = $1
               RETURNING id AS "id: EntryId""#,
            placement.0,
            minutes,
            days_ago,
        )
        .fetch_one(&self.pool)
        .await
        .expect("entry")
    }

    /// Decides `entry` as a partner would, `hours_ago` hours back, written directly: confirmed,
    /// or rejected when there is a `rejection` reason.
    pub async fn decide_entry(&self, entry: EntryId, rejection: Option<&str>, hours_ago: i32) {
        sqlx::query(
            "UPDATE hour_entries SET decided_at = now() - make_interval(hours => $2),
                 status = CASE WHEN $3::text IS NULL THEN 'bevestigd' ELSE 'afgewezen' END::entry_status,
                 rejection_reason = $3
             WHERE id = $1",
        )
        .bind(entry.0)
        .bind(hours_ago)
        .bind(rejection)
        .execute(&self.pool)
        .await
        .expect("decided");
    }

    /// Confirmed entries adding up to `minutes`, at most 10 hours a day, on earlier days, written
    /// directly (no audit rows: not through the app).
    pub async fn confirm_minutes(&self, placement: PlacementId, minutes: i32) {
        let mut left = minutes;
        let mut day = 1;
        while left > 0 {
            let chunk = left.min(600);
            sqlx::query(
                "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes, status)
                 SELECT id, participant_id, organisation_id, current_date - $2::int, $3, 'bevestigd'
                 FROM placements WHERE id = $1",
            )
            .bind(placement.0)
            .bind(day)
            .bind(chunk)
            .execute(&self.pool)
            .await
            .expect("confirmed entry");
            left -= chunk;
            day += 1;
        }
    }

    /// Waits until some other backend waits for a lock that the backend `holder` (a
    /// `pg_backend_pid()`) holds: the observable moment a concurrent transaction has queued.
    /// The deadline is far beyond a loaded machine's worst, so a failure means it never queued.
    pub async fn wait_until_blocked_by(&self, holder: i32) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let waiting: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid)))",
            )
            .bind(holder)
            .fetch_one(&self.pool)
            .await
            .expect("lock waiters");
            if waiting {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "nobody queued behind backend {holder} within 60 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Opens the login page and submits it; returns the response to the POST.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.get_page("/login").await;
        let response = self
            .post_form("/login", &[("email", email), ("password", password)])
            .await;
        // Logging in renews the CSRF token along with the session.
        *self.csrf.lock().expect("csrf lock") = None;
        response
    }

    pub async fn login_as(&self, role: Role) -> TestUser {
        let user = self.create_user(role).await;
        let response = self.login(&user.email, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "login as {role:?}"
        );
        let home = location(&response);
        let (status, _) = self.get_page(&home).await;
        assert_eq!(status, StatusCode::OK);
        user
    }

    /// The value of the session cookie this browser holds.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.url("/").parse().expect("URL");
        let cookies = self.jar.cookies(&url)?;
        cookies
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix(&format!("{}=", veertig::web::SESSION_COOKIE)))
            .map(str::to_string)
    }

    /// Puts a cookie into this browser, as an attacker who planted one would.
    pub fn set_session_cookie(&self, value: &str) {
        let url = self.url("/").parse().expect("URL");
        self.jar.add_cookie_str(
            &format!("{}={value}; Path=/", veertig::web::SESSION_COOKIE),
            &url,
        );
    }
}

/// A `BASE_URL` that [`serve_app`] completes with the port.
pub const LOCALHOST: &str = "http://localhost";

/// Serves the application on a free local port.
async fn serve_app(pool: PgPool, mut config: Config) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let address = listener.local_addr().expect("local address");
    // Links in mails and on certificates point at this test server. `http://localhost` gets the
    // port: passkeys need a domain name, not an IP address.
    match &mut config.base_url {
        Some(url) if url == LOCALHOST => url.push_str(&format!(":{}", address.port())),
        Some(_) => {}
        None => config.base_url = Some(format!("http://{address}")),
    }
    let app = veertig::web::router(AppState::new(pool, config).expect("app state"));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("server runs");
    });
    address
}

fn new_client(from: Option<IpAddr>) -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .local_address(from)
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .build()
        .expect("HTTP client");
    (client, jar)
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .expect("ASCII location")
        .to_string()
}

/// A parsed HTML page with selector helpers.
pub struct Page(pub Html);

impl Page {
    pub fn parse(html: &str) -> Self {
        Self(Html::parse_document(html))
    }

    pub fn select_all(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.0
            .select(&selector)
            .map(|element| element.text().collect::<String>().trim().to_string())
            .collect()
    }

    /// The text of the first element matching `selector`.
    pub fn text(&self, selector: &str) -> String {
        self.select_all(selector)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no element matches {selector}"))
    }

    pub fn attr(&self, selector: &str, attribute: &str) -> Option<String> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.0
            .select(&selector)
            .next()
            .and_then(|element| element.value().attr(attribute))
            .map(str::to_string)
    }

    pub fn csrf_token(&self) -> Option<String> {
        self.attr("meta[name=csrf-token]", "content")
            .filter(|token| !token.is_empty())
    }
}
