//! A real, headless Debian Chromium driven over WebDriver (chromedriver), with axe-core and
//! the Nu HTML checker run on every page a test looks at.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// The two widths every page is checked at: a laptop and a phone.
const WIDTHS: [(u32, u32); 2] = [(1280, 900), (390, 844)];

/// The WCAG 2.1 A and AA rules of axe-core.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  .then(result => done(result.violations.map(v =>
    `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map(n => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n'))))
  .catch(error => done([`axe failed: ${error}`]));
"#;

/// What the browser tests need besides the server: Debian's chromium and chromedriver, and
/// the checkers of `tests/browser/package.json` (installed by `npm ci --prefix tests/browser`).
pub struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
    axe: PathBuf,
    vnu: PathBuf,
}

impl Tools {
    fn find() -> Result<Tools, String> {
        let checkers = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules");
        let tools = Tools {
            chromium: on_path("chromium")?,
            chromedriver: on_path("chromedriver")?,
            axe: existing(checkers.join("axe-core/axe.min.js"))?,
            vnu: existing(checkers.join("vnu-jar/build/dist/vnu.jar"))?,
        };
        on_path("java")?;
        Ok(tools)
    }
}

fn on_path(program: &str) -> Result<PathBuf, String> {
    std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|dir| dir.join(program)).find(|file| file.is_file()))
        .ok_or_else(|| format!("`{program}` is not installed"))
}

fn existing(file: PathBuf) -> Result<PathBuf, String> {
    if file.is_file() {
        Ok(file)
    } else {
        Err(format!("{} is missing", file.display()))
    }
}

/// One browser session for one test; `finish` runs the HTML checker over every page seen.
pub struct Browser {
    client: Client,
    /// Dropped after `client`: ends chromedriver and its browser, also when a check fails.
    _driver: Driver,
    base: String,
    axe_source: String,
    vnu: PathBuf,
    pages: tempfile::TempDir,
    seen: usize,
}

/// The browser tools, or `None` (with a notice on stderr) where one is missing; on CI
/// (`CI=true`) a missing tool fails the test instead, so a broken install cannot pass unnoticed.
pub fn tools_or_skip() -> Option<Tools> {
    match Tools::find() {
        Ok(tools) => Some(tools),
        Err(missing) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("browser tests cannot run on CI: {missing}")
        }
        Err(missing) => {
            // Straight to stderr, so the skip shows without --nocapture.
            use std::io::Write;
            let _ =
                writeln!(std::io::stderr(), "NOTICE: browser test skipped: {missing} (see README, \"Browser tests\")");
            None
        }
    }
}

impl Browser {
    /// A browser session on the app at `base`.
    pub async fn open(tools: Tools, base: &str) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pages = tempfile::tempdir().expect("folder for the pages seen");
        let driver = Driver::start(&tools.chromedriver, port, pages.path());
        let client = connect(port, &tools.chromium).await;
        Browser {
            client,
            _driver: driver,
            base: base.to_string(),
            axe_source: std::fs::read_to_string(&tools.axe).expect("axe-core readable"),
            vnu: tools.vnu,
            pages,
            seen: 0,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.expect("page opens");
    }

    /// The path (and query) of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|error| panic!("no {css} on the page: {error}"))
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|error| panic!("click on {css}: {error}"));
    }

    /// Clicks a link or button that opens another page, and waits until it is there.
    pub async fn open_by(&self, css: &str) {
        let page = self.find("html").await;
        self.click(css).await;
        let started = Instant::now();
        while page.tag_name().await.is_ok() {
            assert!(started.elapsed() < Duration::from_secs(10), "{css} opened no new page");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("field clears");
        field.send_keys(text).await.unwrap_or_else(|error| panic!("typing into {css}: {error}"));
    }

    /// Sets a field's value as a date or time picker would (typing into one depends on the locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        let script = "arguments[0].value = arguments[1];";
        self.client.execute(script, vec![json!(field), json!(value)]).await.expect("value set");
    }

    /// What `script` (a function body) returns on the page shown.
    pub async fn eval<T: DeserializeOwned>(&self, script: &str) -> T {
        let value = self.client.execute(script, vec![]).await.unwrap_or_else(|error| panic!("{script}: {error}"));
        serde_json::from_value(value).unwrap_or_else(|error| panic!("{script} returned: {error}"))
    }

    /// Whether the element with the keyboard focus matches `css`.
    pub async fn focus_is_on(&self, css: &str) -> bool {
        self.eval(&format!("return document.activeElement.matches({});", json!(css))).await
    }

    /// Presses Tab on a page just opened (nothing focused yet) until `css` has the focus, at
    /// most `most` times; what had the focus on the way (tag, type and text), `css` last.
    pub async fn tab_to(&self, css: &str, most: usize) -> Vec<String> {
        let mut passed = Vec::new();
        while !self.focus_is_on(css).await {
            assert!(passed.len() < most, "{css} not reached in {most} Tab presses, passing {passed:#?}");
            let focused = self.client.active_element().await.expect("focused element");
            focused.send_keys(&char::from(Key::Tab).to_string()).await.expect("Tab pressed");
            passed.push(
                self.eval("const e = document.activeElement; return `${e.localName}${e.type ? '[' + e.type + ']' : ''} ${e.textContent.trim().slice(0, 40)}`;")
                    .await,
            );
        }
        passed
    }

    /// Sets the window to one of the checked widths.
    pub async fn resize(&self, width: u32) {
        let (width, height) = WIDTHS.into_iter().find(|(checked, _)| *checked == width).expect("a checked width");
        self.client.set_window_size(width, height).await.expect("window resizes");
    }

    /// Runs axe at both widths on the page shown (zero WCAG 2.1 A/AA violations), keeps its
    /// HTML for the checker under `name`.
    pub async fn check(&mut self, name: &str) {
        let path = self.path().await;
        let loaded = self.client.execute("return typeof axe !== 'undefined'", vec![]).await.expect("script runs");
        if loaded != json!(true) {
            self.client.execute(&self.axe_source, vec![]).await.expect("axe-core loads");
        }
        for (width, _) in WIDTHS {
            self.resize(width).await;
            let violations = self.client.execute_async(AXE_RUN, vec![]).await.expect("axe runs");
            let violations: Vec<String> = serde_json::from_value(violations).expect("axe's list");
            assert!(
                violations.is_empty(),
                "axe found {} WCAG violation(s) on {path} at {width}px:\n{}",
                violations.len(),
                violations.join("\n")
            );
        }
        self.resize(WIDTHS[0].0).await;
        self.keep_html(name, &path).await;
    }

    /// With `OOGST_SCREENSHOTS=1`, saves the page at both widths as
    /// `docs/screenshots/{name}-{width}.png`, for reviewers who do not run the tests.
    pub async fn capture(&self, name: &str) {
        if !std::env::var("OOGST_SCREENSHOTS").is_ok_and(|value| value == "1") {
            return;
        }
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&folder).expect("screenshot folder");
        for (width, _) in WIDTHS {
            self.resize(width).await;
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(folder.join(format!("{name}-{width}.png")), png).expect("screenshot saved");
        }
        self.resize(WIDTHS[0].0).await;
    }

    /// Keeps the page for the checker, which reads it after the test: as the browser has it
    /// (also a form shown again after a POST) and as the server sends it on a GET (the
    /// browser's DOM has its parse errors repaired).
    async fn keep_html(&mut self, name: &str, path: &str) {
        let dom = self.client.source().await.expect("page source");
        let sent = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(location.href, { credentials: 'same-origin' }).then(r => r.text()).then(done, e => done(String(e)));",
                vec![],
            )
            .await
            .expect("page fetched again");
        self.seen += 1;
        let file = |kind: &str| self.pages.path().join(format!("{:02}-{name}.{kind}.html", self.seen));
        // The DOM's source has no doctype; the server sends one, and the checker needs it.
        std::fs::write(file("dom"), format!("<!DOCTYPE html>\n<!-- {path} -->\n{dom}")).expect("page kept");
        std::fs::write(file("sent"), sent.as_str().unwrap_or_default()).expect("page kept");
    }

    /// Runs the Nu HTML checker on every page seen (zero errors) and closes the browser.
    pub async fn finish(self) {
        let client = self.client.clone();
        client.close().await.expect("browser closes");
        let output = Command::new("java")
            .arg("-jar")
            .arg(&self.vnu)
            .args(["--errors-only", "--format", "json", "--skip-non-html"])
            .arg(self.pages.path())
            .output()
            .expect("the Nu HTML checker runs");
        let report: Value = serde_json::from_slice(&output.stderr).unwrap_or_else(|_| {
            panic!("the Nu HTML checker did not answer JSON: {}", String::from_utf8_lossy(&output.stderr))
        });
        let errors: Vec<String> = report["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|message| {
                let file = message["url"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default();
                format!("{file}:{}: {}", message["lastLine"], message["message"].as_str().unwrap_or_default())
            })
            .collect();
        assert!(errors.is_empty(), "the Nu HTML checker found {} error(s):\n{}", errors.len(), errors.join("\n"));
    }
}

/// chromedriver in a process group of its own, with the Chromium it starts.
struct Driver(Child);

impl Driver {
    /// Its temporary files (profile, shared memory) go to `temporary`, which the test removes:
    /// a browser ended with SIGKILL cannot clean up after itself.
    fn start(chromedriver: &Path, port: u16, temporary: &Path) -> Driver {
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", temporary)
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        Driver(child)
    }
}

impl Drop for Driver {
    /// A failing test never closes its session: without this its Chromium would outlive it.
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// A session once chromedriver answers (it needs a moment to start).
async fn connect(port: u16, chromium: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--lang=nl-NL", "--hide-scrollbars", "--window-size=1280,900"]
        }),
    );
    let started = Instant::now();
    loop {
        let attempt = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match attempt {
            Ok(client) => return client,
            Err(error) if started.elapsed() > Duration::from_secs(30) => panic!("no browser session: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
