//! Test support: the server under test on 127.0.0.1 with the real Nghệ An
//! units and one account per role (`spawn_app`), HTTP helpers, the catalogue
//! documents the tests use, a minimal WebDriver client and an SMTP sink.

pub mod smtp_sink;
pub mod statements;

pub use baocao_app::auth::system_principal;
pub use baocao_app::mail::{Mailer, SmtpSecurity, SmtpSettings};
pub use baocao_app::users::UserInput;
pub use baocao_app::App;
pub use baocao_domain::access::{Role, UserId};
pub use baocao_domain::report::ReportId;
pub use baocao_domain::unit::UnitId;
pub use baocao_store::Store;
pub use baocao_testkit::both_backends;
pub use chrono::NaiveDate;
pub use reqwest::{redirect, Client, StatusCode};
pub use serde_json::{json, Value};
pub use smtp_sink::SmtpSink;

pub use baocao_testkit::{metadata, three_level_metadata, PASSWORD};

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub province: UnitId,
    pub district: UnitId,
    pub other_district: UnitId,
    pub commune: UnitId,
    pub sibling_commune: UnitId,
    pub far_commune: UnitId,
}

pub async fn spawn_app(store: Store) -> TestApp {
    spawn_app_with(store, baocao_web::WebConfig::default()).await
}

/// The server with its HTTP settings (connection limits, proxies).
pub async fn spawn_app_with(store: Store, config: baocao_web::WebConfig) -> TestApp {
    let world = baocao_testkit::nghe_an(store).await;
    let app = world.app.clone();
    // The operations centre's engine follows the store, as under `serve`.
    app.start_analytics();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(baocao_web::serve(
        listener,
        app.clone(),
        config,
        std::future::pending(),
    ));
    TestApp {
        base,
        app,
        province: world.province,
        district: world.district,
        other_district: world.other_district,
        commune: world.commune,
        sibling_commune: world.sibling_commune,
        far_commune: world.far_commune,
    }
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Logs in through the API; returns the client (holding the cookie) and the CSRF token.
    pub async fn login(&self, username: &str) -> (Client, String) {
        let c = client();
        let r = c
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        let body: Value = r.json().await.unwrap();
        (c, body["csrf_token"].as_str().unwrap().to_string())
    }

    pub async fn get(&self, c: &Client, path: &str) -> (StatusCode, Value) {
        let r = c.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(
        &self,
        c: &Client,
        csrf: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let r = c
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A user's id by login name.
    pub async fn user_id(&self, username: &str) -> UserId {
        self.app.user_by_name(username).await.unwrap().id
    }

    /// A report's stored draft values (as the system holds them).
    pub async fn stored_values(&self, id: i64) -> Value {
        let view = self
            .app
            .report(&system_principal(), ReportId::new(id))
            .await
            .unwrap();
        serde_json::to_value(&view.content.values).unwrap()
    }

    pub async fn user_count(&self) -> usize {
        self.app
            .list_users(&system_principal())
            .await
            .unwrap()
            .len()
    }
}

pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// A minimal W3C WebDriver client over HTTP (chromedriver), enough to type, click and read.
pub struct Browser {
    pub http: Client,
    pub base: String,
    pub driver: std::process::Child,
}

pub const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    pub async fn start() -> Browser {
        let driver_path = std::env::var("BAOCAO_TEST_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = std::process::Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium chromium-driver)");
        let http = Client::new();
        let root = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{root}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("baocao-chromium-{port}"));
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": std::env::var("BAOCAO_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1024,768", "--lang=en-US", format!("--user-data-dir={}", profile.display())]
        }}}});
        let r: Value = http
            .post(format!("{root}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {r}"))
            .to_string();
        let browser = Browser {
            http,
            base: format!("{root}/session/{id}"),
            driver,
        };
        // Element look-ups wait for the element to appear (pages load after clicks).
        browser
            .cmd(
                reqwest::Method::POST,
                "/timeouts",
                json!({"implicit": 10_000}),
            )
            .await;
        browser
    }

    /// The page's width in CSS pixels (wider than the window: sideways scrolling).
    pub async fn page_width(&self) -> i64 {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": "return document.documentElement.scrollWidth", "args": []}),
        )
        .await
        .as_i64()
        .unwrap_or_default()
    }

    /// Whether the page fits a window `width` px wide (a little slack for
    /// the scroll bar).
    pub async fn width_fits(&self, width: u32) -> bool {
        self.page_width().await <= i64::from(width) + 10
    }

    /// Logs in through the form and waits to land.
    pub async fn login(&self, base: &str, user: &str) {
        self.go(&format!("{base}/login")).await;
        self.type_into("input[name=username]", user).await;
        self.type_into("input[name=password]", PASSWORD).await;
        self.click("main button[type=submit]").await;
        self.wait_url(|u| !u.contains("/login")).await;
    }

    /// The serious and critical WCAG 2.1 A/AA violations axe-core finds on
    /// the current page, one line each (rule, impact, first elements). axe
    /// is read from `BAOCAO_AXE_JS` (installed by `.ci/run` outside the
    /// repository; nothing third-party is committed).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let path = std::env::var("BAOCAO_AXE_JS")
            .expect("BAOCAO_AXE_JS: the path of axe.min.js (npm install axe-core; see .ci/run)");
        let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let script = format!(
            "{axe}\nconst done = arguments[arguments.length - 1];\n\
             axe.run(document, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}, resultTypes: ['violations']}})\n\
             .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\n\
               .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))\n\
             .catch(e => done(['axe failed: ' + e]));"
        );
        let found = self
            .cmd(
                reqwest::Method::POST,
                "/execute/async",
                json!({"script": script, "args": []}),
            )
            .await;
        found
            .as_array()
            .unwrap_or_else(|| panic!("axe answered {found}"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Polls until `check` holds for the text of `css` (a click's navigation may
    /// still be under way when the click returns); returns the last text seen.
    pub async fn wait_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            text = self.text(css).await;
            if check(&text) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        text
    }

    /// Polls until `check` holds for an attribute of `css` (a form posted to
    /// the page it is on leaves the URL as it was: only the content tells
    /// that the new page is there); returns the last value seen.
    pub async fn wait_attribute(
        &self,
        css: &str,
        name: &str,
        check: impl Fn(&str) -> bool,
    ) -> String {
        let mut value = String::new();
        for _ in 0..100 {
            value = self.attribute(css, name).await;
            if check(&value) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        value
    }

    /// Polls until the URL satisfies `check`; returns the last URL seen.
    pub async fn wait_url(&self, check: impl Fn(&str) -> bool) -> String {
        let mut url = String::new();
        for _ in 0..100 {
            url = self.url().await;
            if check(&url) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        url
    }

    pub async fn cmd(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if !body.is_null() {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        v["value"].clone()
    }

    pub async fn go(&self, url: &str) {
        let v = self
            .cmd(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
        assert!(v.is_null(), "navigation to {url} failed: {v}");
    }

    pub async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", Value::Null)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            json!({"text": text}),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            json!({}),
        )
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
        // The element may be replaced by a navigation between finding and reading it.
        for _ in 0..20 {
            let e = self.find(css).await;
            let v = self
                .cmd(
                    reqwest::Method::GET,
                    &format!("/element/{e}/text"),
                    Value::Null,
                )
                .await;
            if let Some(text) = v.as_str() {
                return text.to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        String::new()
    }

    pub async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", Value::Null)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// An attribute of the first element matching `css`.
    pub async fn attribute(&self, css: &str, name: &str) -> String {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::GET,
            &format!("/element/{e}/attribute/{name}"),
            Value::Null,
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    /// Sets the window's size (a screenshot takes what the window shows).
    pub async fn resize(&self, width: u32, height: u32) {
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
    }

    /// Saves a PNG of the window as `name.png` in the folder named by
    /// `BAOCAO_SCREENSHOTS` (default: the workspace's `target/screenshots`),
    /// kept by CI as artifacts.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let dir = std::env::var_os("BAOCAO_SCREENSHOTS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
            });
        std::fs::create_dir_all(&dir).unwrap();
        let encoded = self
            .cmd(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        let png = base64_decode(
            encoded
                .as_str()
                .unwrap_or_else(|| panic!("no screenshot: {encoded}")),
        );
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    pub async fn stop(mut self) {
        let _ = self.http.delete(&self.base).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

// The pages in a real headless Chromium: log in with the form, browse units,
// switch language, be refused a neighbour's unit, log out. Needs Chromium and
// chromedriver, so it is ignored by default; `.ci/run` installs them and runs it.

pub async fn page_login(t: &TestApp, username: &str) -> Client {
    let c = client();
    let login = c
        .get(format!("{}/login", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&login, "_csrf");
    let r = c
        .post(format!("{}/login", t.base))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    c
}

/// A change that breaks a document.
pub type Change = Box<dyn Fn(&mut Value)>;

/// Sorted as export writes it.
pub fn exported(mut doc: Value) -> Value {
    for key in ["disaggregations", "indicators", "regimes", "requests"] {
        if let Some(list) = doc[key].as_array_mut() {
            list.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
        }
    }
    doc
}

/// The editor's form for a new monthly regime received by Nghệ An.
pub fn editor_form(csrf: &str, code: &str, deadline_day: &str) -> Vec<(String, String)> {
    let pairs = [
        ("_csrf", csrf),
        ("is_new", "1"),
        ("code", code),
        ("from", "2026M01"),
        ("name_vi", "Báo cáo việc làm hằng tháng"),
        ("name_en", "Monthly jobs report"),
        ("legal_basis", "Quyết định 2/2026/QĐ-UBND"),
        ("content_vi", ""),
        ("content_en", ""),
        ("kind", "periodic"),
        ("frequency", "monthly"),
        ("convention", "administrative"),
        ("receiving_unit", "40"),
        ("method", "system"),
        ("method", "email"),
        ("signature_required", "1"),
        ("g0_name_vi", "UBND cấp xã"),
        ("g0_name_en", "Communes"),
        ("g0_level", "commune"),
        ("g0_kind", ""),
        ("g0_units", ""),
        ("g0_stage", "1"),
        ("g0_rule", "fixed_day"),
        ("g0_n", deadline_day),
        ("g0_months", "0"),
        ("g1_name_vi", ""),
        ("g1_name_en", ""),
        ("g1_level", ""),
        ("g1_kind", ""),
        ("g1_units", ""),
        ("g1_stage", ""),
        ("g1_rule", "working_days"),
        ("g1_n", ""),
        ("g1_months", ""),
        ("f0_code", "B01"),
        ("f0_title_vi", "Biểu 01: Lao động, việc làm"),
        ("f0_title_en", "Table 01: Jobs"),
        ("f0_c0_code", "C1"),
        ("f0_c0_title_vi", "Thực hiện kỳ này"),
        ("f0_c0_title_en", "This period"),
        ("f0_c0_source", "current"),
        ("f0_c0_formula", ""),
        ("f0_c1_code", "C2"),
        ("f0_c1_title_vi", "Cùng kỳ"),
        ("f0_c1_title_en", "Last year"),
        ("f0_c1_source", "same_period_last_year"),
        ("f0_c1_formula", ""),
        ("f0_c2_code", "C3"),
        ("f0_c2_title_vi", "So sánh (%)"),
        ("f0_c2_title_en", "Change (%)"),
        ("f0_c2_source", "formula"),
        ("f0_c2_formula", "100 * C1 / C2"),
        ("f0_r0_indicator", "LD01"),
        ("f0_r0_breakdown", "1"),
        ("f0_r1_indicator", "LD02"),
        ("f0_r2_indicator", "LD03"),
        ("f0_r3_indicator", ""),
        ("o0_number", "I"),
        ("o0_title_vi", "Kết quả thực hiện"),
        ("o0_title_en", "Results"),
        ("o0_guidance_vi", "Nêu kết quả chính"),
        ("o0_guidance_en", "Main results"),
        ("o1_number", "II"),
        ("o1_title_vi", "Nhiệm vụ tháng tới"),
        ("o1_title_en", "Next month"),
        ("o1_guidance_vi", ""),
        ("o1_guidance_en", ""),
    ];
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub async fn send(
    c: &Client,
    method: reqwest::Method,
    url: String,
    csrf: &str,
    body: Value,
) -> (StatusCode, Value) {
    let r = c
        .request(method, url)
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A mailer that delivers to the test sink, without TLS, daily e-mails from 0:00.
pub fn sink_mailer(sink: &SmtpSink) -> Mailer {
    Mailer::new(&sink_settings(sink)).unwrap()
}

pub fn sink_settings(sink: &SmtpSink) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port: Some(sink.port),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Hệ thống báo cáo <baocao@nghean.example.vn>".into(),
        public_url: "https://baocao.example.vn/".into(),
        daily_hour: 0,
        ca_file: None,
    }
}

pub use baocao_testkit::spreadsheets::{fill, BOUNDS};

/// Standard base64 (WebDriver's screenshots), padding and line breaks allowed.
pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().fold(0u32, |acc, d| acc << 6 | d) << (6 * (4 - chunk.len()));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// Opens, fills and submits a report of `unit` through the API as `officer`
/// and `head`; returns its id.
pub async fn submitted_report(
    t: &TestApp,
    officer: &str,
    head: &str,
    unit: UnitId,
    period: &str,
    draft: Value,
) -> i64 {
    let (o, oc) = t.login(officer).await;
    let (h, hc) = t.login(head).await;
    let (status, report) = t
        .post(
            &o,
            &oc,
            "/api/v1/reports",
            json!({"regime": "BC-LD", "unit_id": unit.get(), "period": period}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let id = report["id"].as_i64().unwrap();
    let (status, body) = send(
        &o,
        reqwest::Method::PUT,
        format!("{}/api/v1/reports/{id}/draft", t.base),
        &oc,
        draft,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = send(
        &h,
        reqwest::Method::POST,
        format!("{}/api/v1/reports/{id}/submit", t.base),
        &hc,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

/// The text a person reads on a page: tags, scripts and styles removed.
pub fn visible_text(html: &str) -> String {
    let mut html = html.to_string();
    for element in ["script", "style"] {
        while let Some(start) = html.find(&format!("<{element}")) {
            let close = format!("</{element}>");
            let stop = html[start..]
                .find(&close)
                .map_or(html.len(), |e| start + e + close.len());
            html.replace_range(start..stop, " ");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Internal words a Vietnamese official should never read.
pub const INTERNAL_WORDS: [&str; 15] = [
    "Failed to",
    "deserialize",
    "missing field",
    "unit_id",
    "unit:",
    "file:",
    "error",
    "warning",
    "null",
    "undefined",
    "regimes[",
    "indicators[",
    "Not found",
    "Forbidden",
    "Internal",
];

/// Each internal word a page shows, with the text around it.
pub fn internal_words(html: &str) -> Vec<String> {
    let text = visible_text(html);
    INTERNAL_WORDS
        .iter()
        .filter_map(|word| {
            let at = text.find(word)?;
            let start = text[..at]
                .char_indices()
                .rev()
                .nth(40)
                .map_or(0, |(i, _)| i);
            let around: String = text[start..].chars().take(120).collect();
            Some(format!(
                "«{word}» in …{}…",
                around.split_whitespace().collect::<Vec<_>>().join(" ")
            ))
        })
        .collect()
}
