//! The load generator's side of HTTP: logged-in sessions, the requests they send, and what
//! counts as an answer.

use std::time::Duration;

/// A logged-in browser: its cookie and its CSRF token.
#[derive(Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
}

/// One request of a page: a GET, or a POST of a form (the session's CSRF token is added).
#[derive(Clone)]
pub struct Request {
    pub path: String,
    pub form: Option<Vec<(String, String)>>,
}

impl Request {
    pub fn get(path: String) -> Self {
        Self { path, form: None }
    }

    pub fn post(path: String, form: Vec<(String, String)>) -> Self {
        Self {
            path,
            form: Some(form),
        }
    }
}

impl Session {
    /// Sends the request and reads the answer to the end (an unread body keeps the connection
    /// from being reused). True for 2xx and 3xx; false for any other status, a broken
    /// connection, or no whole answer within `timeout`.
    pub async fn send(&self, base: &str, request: &Request, timeout: Option<Duration>) -> bool {
        let url = format!("{base}{}", request.path);
        let mut builder = match &request.form {
            None => self.client.get(url),
            Some(form) => {
                let mut fields = form.clone();
                fields.push(("csrf_token".into(), self.csrf.clone()));
                self.client.post(url).form(&fields)
            }
        };
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        match builder.send().await {
            Ok(response) => {
                let status = response.status();
                let body = response.bytes().await;
                body.is_ok() && (status.is_success() || status.is_redirection())
            }
            Err(_) => false,
        }
    }
}

/// Logs in with the demo password. `idle_connections`: how many kept-alive connections the
/// session's client keeps to the server between requests.
pub async fn log_in(base: &str, email: &str, idle_connections: usize) -> Session {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(idle_connections)
        .build()
        .expect("client");
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("body");
    let csrf = csrf_of(&page);
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", "veertig-demo"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 303, "login as {email}");
    let home = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let page = client
        .get(format!("{base}{home}"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    Session {
        csrf: csrf_of(&page),
        client,
    }
}

fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    let start = page.find(marker).expect("a CSRF token") + marker.len();
    page[start..start + 64].to_string()
}

/// `count` sessions (one kept-alive connection each), cycling through the given users.
pub async fn log_in_many(base: &str, emails: &[String], count: usize) -> Vec<Session> {
    let mut sessions = Vec::new();
    for n in 0..count {
        sessions.push(log_in(base, &emails[n % emails.len()], 1).await);
    }
    sessions
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s[1..].to_string())
        .unwrap_or_default()
}

/// Sorted latencies and their quantiles.
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut latencies: Vec<Duration>) -> Self {
        latencies.sort();
        Self(latencies)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The quantile `q` (0.99 for p99) in milliseconds; 0 without latencies.
    pub fn ms(&self, q: f64) -> f64 {
        self.0
            .get(((self.0.len() as f64 * q) as usize).min(self.0.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }

    /// p50, p99 and p99.9 in milliseconds.
    pub fn quantiles(&self) -> [f64; 3] {
        [self.ms(0.50), self.ms(0.99), self.ms(0.999)]
    }
}
