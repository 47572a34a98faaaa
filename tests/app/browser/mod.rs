//! Browser journeys in a real headless Chromium, driven through chromedriver (WebDriver).
//!
//! Chromium and chromedriver come from Debian (`chromium`, `chromium-driver`). When they are
//! missing the harness installs them as root, or stops with the command to run; it never skips.
//! Every page a journey visits is checked with axe-core (vendored in `axe.min.js`): a serious or
//! critical WCAG 2.1 A/AA violation fails the test.

mod attendance;
mod coverage;
mod journeys;
mod layout;
mod logo;
mod markers;
mod pauses;
mod work_division;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::sync::Semaphore;

use crate::helpers::TestApp;

pub const DESKTOP: (u32, u32) = (1280, 900);
pub const PHONE: (u32, u32) = (360, 740);

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const AXE: &str = include_str!("axe.min.js");
/// How long chromedriver may take to start, or a page to load after a click: far beyond a
/// loaded two-core machine's worst, so a failure means it never happened.
const PAGE_DEADLINE: Duration = Duration::from_secs(60);

/// Two cores: more than two browsers at once only makes every test slower.
static BROWSERS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

static DRIVER: OnceLock<String> = OnceLock::new();

fn driver_url() -> &'static str {
    DRIVER.get_or_init(|| {
        ensure_installed();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg(format!("--port={port}"))
            // Chromium does not start under libfaketime (scripts/test-on-date shifts the clock
            // of everything else): it keeps the real clock, and only renders what it is sent.
            .env_remove("LD_PRELOAD")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // chromedriver dies with the test process (see veertig::pg for why a parked thread).
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl is async-signal-safe.
            unsafe {
                command.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
            let _ = sender.send(command.spawn().map(|_| ()));
            loop {
                std::thread::park();
            }
        });
        receiver
            .recv()
            .expect("driver thread")
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + PAGE_DEADLINE;
        while std::time::Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return url;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("chromedriver did not start on port {port}");
    })
}

/// Installs Debian's Chromium and chromedriver when missing (as root), or fails with the command.
fn ensure_installed() {
    let present = || Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if present() {
        return;
    }
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    assert!(
        root,
        "Chromium is needed for the browser tests: run `sudo apt-get install -y chromium chromium-driver`"
    );
    eprintln!("Installing chromium and chromium-driver for the browser tests…");
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "chromium", "chromium-driver"][..],
    ] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .expect("apt-get runs");
        assert!(status.success(), "apt-get {args:?} failed");
    }
    assert!(
        present(),
        "chromium and chromedriver are still missing after apt-get install"
    );
}

/// One browser window on a `TestApp`, at a given size.
pub struct Browser {
    pub client: Client,
    pub base: String,
    width: u32,
    _profile: TempDir,
    _permit: tokio::sync::SemaphorePermit<'static>,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    pub async fn open(app: &TestApp, (width, height): (u32, u32)) -> Self {
        let permit = BROWSERS.acquire().await.expect("browser permit");
        let profile = TempDir(std::env::temp_dir().join(format!(
            "veertig-chromium-{}",
            uuid::Uuid::new_v4().simple()
        )));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.0.display()),
                    format!("--window-size={width},{height}"),
                ],
            }),
        );
        // chromedriver listens on plain HTTP on localhost: no TLS needed.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(driver_url())
            .await
            .expect("a Chromium session");
        let browser = Self {
            client,
            base: app.url(""),
            width,
            _profile: profile,
            _permit: permit,
        };
        browser.set_viewport(height).await;
        browser
    }

    /// Makes the page `self.width` wide and `height` high. The window alone cannot: Chromium
    /// keeps it at least 500 px wide, so a "360 px" window showed pages 500 px wide. The
    /// device metrics override (DevTools, through chromedriver) sets the page's own size.
    async fn set_viewport(&self, height: u32) {
        self.client
            .issue_cmd(Extension {
                path: "goog/cdp/execute".into(),
                body: Some(json!({
                    "cmd": "Emulation.setDeviceMetricsOverride",
                    "params": {
                        "width": self.width, "height": height,
                        "deviceScaleFactor": 1, "mobile": false,
                    },
                })),
            })
            .await
            .expect("the page's size");
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigation");
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("field {css}"));
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    pub async fn select(&self, css: &str, label: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("select {css}"));
        field
            .select_by_label(label)
            .await
            .unwrap_or_else(|_| panic!("option {label} in {css}"));
    }

    /// Sets a field's value directly: date inputs take typed keys in the browser's locale order.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.client
            .execute(
                "const el = document.querySelector(arguments[0]); el.value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap_or_else(|_| panic!("set {css}"));
    }

    /// Ticks a checkbox (a click that loads no page).
    pub async fn tick(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("element {css}"))
            .click()
            .await
            .unwrap_or_else(|_| panic!("tick {css}"));
    }

    /// Clicks a link or submit button and waits until the next page has loaded.
    pub async fn click(&self, css: &str) {
        self.client
            .execute("window.__veertigPreviousPage = true;", vec![])
            .await
            .expect("mark the page");
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("element {css}"))
            .click()
            .await
            .unwrap_or_else(|_| panic!("click {css}"));
        let deadline = std::time::Instant::now() + PAGE_DEADLINE;
        while std::time::Instant::now() < deadline {
            let loaded = self
                .client
                .execute(
                    "return window.__veertigPreviousPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if loaded {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {css} did not load a page");
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("element {css}"))
            .text()
            .await
            .expect("text")
    }

    pub async fn value(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("element {css}"))
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    pub async fn log_in(&self, email: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
    }

    /// Runs axe-core on the current page; fails on serious or critical WCAG A/AA violations.
    pub async fn assert_accessible(&self) {
        let path = self.path().await;
        self.client.execute(AXE, vec![]).await.expect("axe loads");
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                    .then(r => done(r.violations
                        .filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                             v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("axe runs");
        let violations: Vec<String> = serde_json::from_value(violations).expect("a list");
        assert!(
            violations.is_empty(),
            "accessibility violations on {path} at {} px:\n{}",
            self.width,
            violations.join("\n")
        );
        self.assert_markers_visible(&path).await;
    }

    /// What axe leaves as "incomplete" or cannot see (issue 22 items 13 and 15): the current
    /// page of a paged list reads at 4.5:1 or more against its own background (colours from
    /// getComputedStyle, backgrounds composited up to the page, WCAG's luminance formula), and
    /// every fold-out's summary shows a disclosure marker (the browser's own, or a ::before).
    async fn assert_markers_visible(&self, path: &str) {
        let found = self
            .client
            .execute(
                "const rgba = s => { const m = s.match(/[\\d.]+/g).map(Number);
                                     return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
                 const over = (top, below) => below.map((v, i) => top[i] * top[3] + v * (1 - top[3]));
                 const luminance = c => { const l = c.map(v => { v /= 255;
                     return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                   return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
                 const markers = [...document.querySelectorAll('.pagination [aria-current]')].map(el => {
                   const layers = [];
                   for (let n = el; n; n = n.parentElement) layers.unshift(rgba(getComputedStyle(n).backgroundColor));
                   const bg = layers.reduce((below, top) => over(top, below), [255, 255, 255]);
                   const fg = over(rgba(getComputedStyle(el).color), bg);
                   const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
                   return { text: el.textContent.trim(), ratio: (hi + 0.05) / (lo + 0.05) };
                 });
                 const unmarked = [...document.querySelectorAll('summary')]
                   .filter(s => s.getClientRects().length > 0)
                   .filter(s => { const before = getComputedStyle(s, '::before').content;
                     return getComputedStyle(s).display !== 'list-item' &&
                       (before === 'none' || before === 'normal' || before === '\"\"'); })
                   .map(s => s.textContent.trim());
                 return { markers, unmarked };",
                vec![],
            )
            .await
            .expect("marker styles");
        let markers = found["markers"].as_array().cloned().unwrap_or_default();
        for marker in &markers {
            let ratio = marker["ratio"].as_f64().expect("a contrast ratio");
            assert!(
                ratio >= 4.5,
                "the current page marker {} on {path} at {} px has contrast {ratio:.2}:1, below 4.5:1",
                marker["text"],
                self.width
            );
        }
        assert_eq!(
            found["unmarked"],
            json!([]),
            "fold-outs without a disclosure marker on {path} at {} px",
            self.width
        );
    }

    /// How many current-page markers of paged lists this page shows.
    pub async fn current_page_markers(&self) -> usize {
        self.count(".pagination [aria-current]").await
    }

    /// How many elements match `css`.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("elements {css}"))
            .len()
    }

    /// What makes this page scroll sideways: the page wider than the window, or an element of
    /// `main` wider than its own box (a table in a scrolling box counts). What is clipped out of
    /// sight, for screen readers only (`.visually-hidden`), does not count.
    pub async fn sideways_overflow(&self) -> Vec<String> {
        let wide = self
            .client
            .execute(
                "const page = document.documentElement;
                 const wide = [];
                 if (page.scrollWidth > page.clientWidth) wide.push('page ' + page.scrollWidth + ' > ' + page.clientWidth);
                 const clipped = new Set();
                 for (const el of document.querySelectorAll('main, main *')) {
                   if (clipped.has(el.parentElement) || getComputedStyle(el).clipPath !== 'none') {
                     clipped.add(el);
                     continue;
                   }
                   if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
                     const cls = typeof el.className === 'string' ? el.className : '';
                     wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (cls ? '.' + cls : '') +
                       ' ' + el.scrollWidth + ' > ' + el.clientWidth);
                   }
                 }
                 return wide;",
                vec![],
            )
            .await
            .expect("widths");
        serde_json::from_value(wide).expect("a list")
    }

    /// The elements matching `css` that do not lie wholly within the window's width, each with
    /// its text and where it starts and ends; fails when nothing matches.
    pub async fn outside_the_window(&self, css: &str) -> Vec<String> {
        let found = self
            .client
            .execute(
                "const all = [...document.querySelectorAll(arguments[0])];
                 const width = document.documentElement.clientWidth;
                 const outside = all.map(el => [el, el.getBoundingClientRect()])
                   .filter(([, r]) => r.left < 0 || r.right > width)
                   .map(([el, r]) => el.textContent.trim() + ' ' + r.left + '..' + r.right + ' of ' + width);
                 return { count: all.length, outside };",
                vec![json!(css)],
            )
            .await
            .expect("positions");
        assert!(
            found["count"].as_u64().unwrap_or(0) > 0,
            "nothing matches {css}"
        );
        serde_json::from_value(found["outside"].clone()).expect("a list")
    }

    /// The role the browser gives the first element matching `css` in its accessibility tree
    /// (WebDriver's computed role): what a screen reader is told it is.
    pub async fn computed_role(&self, css: &str) -> String {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("element {css}"));
        let role = self
            .client
            .issue_cmd(Extension {
                path: format!("element/{}/computedrole", element.element_id()),
                body: None,
            })
            .await
            .unwrap_or_else(|error| panic!("the computed role of {css}: {error}"));
        role.as_str().unwrap_or_default().to_string()
    }

    /// Saves a screenshot of the whole page under `target/screenshots/`.
    pub async fn screenshot(&self, name: &str) {
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(900)
            .clamp(400, 4000);
        self.set_viewport(u32::try_from(height).unwrap_or(900))
            .await;
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}-{}.png", self.width)), png)
            .expect("write screenshot");
    }

    /// Presses Tab until `css` has the focus (at most `limit` times); returns how many presses.
    pub async fn tab_to(&self, css: &str, limit: usize) -> usize {
        for presses in 1..=limit {
            self.client
                .active_element()
                .await
                .expect("active element")
                .send_keys(&fantoccini::key::Key::Tab)
                .await
                .expect("Tab");
            let focused: bool = self
                .client
                .execute(
                    "return document.activeElement.matches(arguments[0])",
                    vec![json!(css)],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if focused {
                return presses;
            }
        }
        panic!("{css} not reached with {limit} Tab presses");
    }

    /// The focused element shows a visible focus indicator (an outline or a box shadow).
    pub async fn assert_focus_visible(&self) {
        let visible = self
            .client
            .execute(
                "const s = getComputedStyle(document.activeElement);
                 return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';",
                vec![],
            )
            .await
            .expect("focus style");
        assert_eq!(
            visible,
            json!(true),
            "the focused element has no visible focus indicator"
        );
    }

    pub async fn type_keys(&self, text: &str) {
        self.client
            .active_element()
            .await
            .expect("active element")
            .send_keys(text)
            .await
            .expect("keys");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// A WebDriver command fantoccini does not wrap: a `path` under the session's URL, and with a
/// body a POST. "Get Computed Role" of an element, and DevTools through chromedriver.
#[derive(Debug)]
struct Extension {
    path: String,
    body: Option<serde_json::Value>,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Extension {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session.unwrap_or_default();
        base.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        match &self.body {
            Some(body) => (axum::http::Method::POST, Some(body.to_string())),
            None => (axum::http::Method::GET, None),
        }
    }
}
