//! A hostile subject cannot inject anything into a report. The suite runs
//! against `tests/fixtures/subjects/hostile.py` (managed, so what it prints
//! is reported too), whose bodies, header values, event names and data and
//! output carry scripts, elements with event handlers, quotes, a
//! `</details>`, Markdown fences and `javascript:` URLs. Its name (as a
//! subject profile names a subject) carries them too, so `compare.html`
//! gets them. Then:
//!
//! - `index.html` and `compare.html`, opened in Chromium through the
//!   harness's WebDriver, ran no script, opened no alert, hold no element
//!   or attribute the templates do not make, and show every payload as text;
//! - `summary.md`, read by a CommonMark parser as GitHub reads it, has one
//!   `<details>` block per failure, each closed once, and no markup of the
//!   subject's;
//! - `junit.xml` reads back with one test case per scenario and the
//!   payloads as text;
//! - the console report shows control characters (a screen clear, a
//!   carriage return) escaped and no line a CI runner would take for a
//!   workflow command (`::error::`, `::add-mask::`).

use crate::browser::driver::Driver;
use crate::browser::session::Session;
use crate::outcome::{RunOutcome, Verdict};
use crate::report::{compare, console, stored};
use crate::rules::Catalogue;
use crate::run::{Silent, SuiteOptions, plan_and_run};
use crate::scenario::sources::{ScenarioSource, load_sources};
use crate::services::{DockerOptions, ServicesMode};
use crate::subject::spec::{Launch, SubjectSpec};
use serde_json::Value;
use std::path::Path;

/// The fixture subject.
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/subjects/hostile.py"
);

/// Scenarios whose failures show each place the subject's text reaches:
/// an answer's body and headers (REG-1, INF-1), a preflight's headers
/// (CORS-1), a stream's events and a bearer it handed out (SSE-1), and
/// what it printed (CFG-1, on a subject of its own).
const SCENARIOS: [&str; 5] = [
    "reg-1-new-email-registers",
    "inf-1-health",
    "cors-1-preflight",
    "sse-1-header-token-stream",
    "cfg-1-banner-and-port",
];

/// What the subject sends, each of which a report must show as text.
const PAYLOADS: [&str; 6] = [
    "<script>window.__pwned=1</script>",
    r#"</pre><img src=x onerror="window.__pwned=2">"#,
    r#"" onmouseover="window.__pwned=3" x=""#,
    r#"<a href="javascript:alert(1)">javascript:alert(1)</a>"#,
    "</details>",
    "```",
];

/// The subject's name, as a profile could give it.
const NAME: &str = r#"hostile <script>window.__pwned=4</script> "quoted" </details> ```"#;

/// The elements the report templates make (screenshots and HAR links
/// aside: this run has no browser scenario). Anything else in a page came
/// from the subject.
const TEMPLATE_ELEMENTS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "section", "h1", "h2", "h3", "h4", "p",
    "span", "br", "b", "small", "code", "ul", "li", "pre", "details", "summary", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "div", "input", "label",
];

async fn hostile_run(artifacts: &Path) -> RunOutcome {
    let catalogue = Catalogue::builtin().expect("catalogue");
    let scenarios: Vec<_> = load_sources(&[ScenarioSource::Builtin], &catalogue)
        .expect("the built-in scenarios load")
        .into_iter()
        .filter(|s| SCENARIOS.contains(&s.name.as_str()))
        .collect();
    assert_eq!(scenarios.len(), SCENARIOS.len(), "every scenario exists");
    let mut launch = Launch::command(&format!("exec python3 {FIXTURE}"), None);
    launch.description = NAME.to_owned();
    let options = SuiteOptions {
        services: ServicesMode::Auto,
        docker: DockerOptions::default(),
        subject: SubjectSpec::Managed(launch),
        strict: false,
        concurrency: 4,
        browser_lanes: 1,
        require_browser: false,
        tls: Default::default(),
        artifacts: artifacts.to_owned(),
    };
    plan_and_run(&scenarios, &catalogue, &options, &Silent)
        .await
        .expect("the suite runs (it needs python3, and Docker or postgres and redis-server)")
}

/// How many scenarios have a section of their own in each report.
fn sections(outcome: &RunOutcome) -> usize {
    outcome
        .scenarios
        .iter()
        .filter(|s| {
            matches!(
                s.verdict,
                Verdict::Fail | Verdict::Blocked(_) | Verdict::Error(_)
            )
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_subject_injects_nothing_into_any_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outcome = hostile_run(&dir.path().join("artifacts")).await;
    let text = console::render(&outcome);
    for s in &outcome.scenarios {
        assert_eq!(s.verdict, Verdict::Fail, "{}: {text}", s.name);
    }
    // The console (a terminal, a CI log) gets no control character and no
    // workflow command, yet shows that the subject sent them.
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("::")),
        "{text}"
    );
    assert!(
        text.contains("\\u{1b}[2J") && text.contains("\\u{3a}:error::injected annotation"),
        "{text}"
    );
    let reports = dir.path().join("report");
    crate::report::write_files(&outcome, None, &reports).expect("the reports are written");
    let compared = compare_with_itself(&reports, &dir.path().join("compare"));

    markdown_is_intact(&reports.join("summary.md"), sections(&outcome));
    junit_reads_back(&reports.join("junit.xml"), outcome.scenarios.len());

    let driver = Driver::start().await.expect("chromedriver and Chromium");
    let session = Session::open(&driver).await.expect("a browser");
    let index = open(&session, &reports.join("index.html")).await;
    for payload in PAYLOADS.iter().chain([&NAME]) {
        assert!(index.contains(payload), "{payload} not shown in {index}");
    }
    let cmp = open(&session, &compared).await;
    assert!(cmp.contains(NAME), "{NAME} not shown in {cmp}");
    session.close().await;
}

/// `conformance compare` of the report with a copy of itself.
fn compare_with_itself(reports: &Path, out: &Path) -> std::path::PathBuf {
    let copy = out.join("copy");
    std::fs::create_dir_all(&copy).expect("a directory for the copy");
    std::fs::copy(reports.join("report.json"), copy.join("report.json")).expect("copy");
    let paths = vec![reports.join("report.json"), copy.join("report.json")];
    let loaded: Vec<_> = paths
        .iter()
        .map(|p| stored::load(p).expect("report.json reads back"))
        .collect();
    let names = compare::names(&paths, &loaded, &[]).expect("names");
    let matrix = compare::matrix(names, &loaded);
    let [_, html] = compare::write_files(&matrix, out).expect("compare files");
    html
}

/// Opens `page`, checks that nothing of the subject's ran or became
/// markup, and returns the page's text with every `<details>` open.
async fn open(session: &Session, page: &Path) -> String {
    let client = &session.client;
    client
        .goto(&format!("file://{}", page.display()))
        .await
        .expect("open the page");
    let alert = client.get_alert_text().await;
    assert!(alert.is_err(), "an alert is open: {alert:?}");
    let found = client
        .execute(
            r#"
            const attributes = [];
            for (const e of document.querySelectorAll('*')) {
              for (const a of e.attributes) {
                if (a.name.startsWith('on') || /^\s*javascript:/i.test(a.value)) {
                  attributes.push(e.localName + '[' + a.name + '=' + a.value + ']');
                }
              }
            }
            const summaries = [...document.querySelectorAll('summary')].map(s => s.textContent);
            document.querySelectorAll('details').forEach(d => { d.open = true; });
            return {
              pwned: typeof window.__pwned,
              tags: [...new Set([...document.querySelectorAll('*')].map(e => e.localName))],
              attributes,
              injected: summaries.filter(s => s.includes('injected')),
              text: document.body.innerText,
            };
            "#,
            vec![],
        )
        .await
        .expect("read the page");
    let shown = |key: &str| found[key].clone();
    assert_eq!(shown("pwned"), Value::from("undefined"), "a script ran");
    let tags: Vec<String> = serde_json::from_value(shown("tags")).expect("tags");
    let foreign: Vec<&String> = tags
        .iter()
        .filter(|t| !TEMPLATE_ELEMENTS.contains(&t.as_str()))
        .collect();
    assert!(
        foreign.is_empty(),
        "elements the templates do not make: {foreign:?}"
    );
    assert_eq!(
        shown("attributes"),
        Value::Array(vec![]),
        "event handlers or javascript: URLs"
    );
    assert_eq!(
        shown("injected"),
        Value::Array(vec![]),
        "a summary of the subject's"
    );
    shown("text").as_str().unwrap_or_default().to_owned()
}

/// The summary as GitHub renders it: one `<details>` per failure, each
/// closed once, and nothing of the subject's as markup.
fn markdown_is_intact(path: &Path, failures: usize) {
    let md = std::fs::read_to_string(path).expect("summary.md");
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
    let count = |needle: &str| html.matches(needle).count();
    assert_eq!(
        (count("<details>"), count("</details>")),
        (failures, failures),
        "the summary's blocks are broken:\n{md}\n---\n{html}"
    );
    // A quote of the subject's matters only inside a tag, and none of its
    // tags survives.
    for markup in ["<script", "<img", "<a ", "injected</summary>"] {
        assert!(
            !html.contains(markup),
            "{markup} in the rendered summary:\n{html}"
        );
    }
}

/// `junit.xml` parses, with a test case per scenario and the payloads as
/// text in the failures.
fn junit_reads_back(path: &Path, scenarios: usize) {
    let xml = std::fs::read_to_string(path).expect("junit.xml");
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("junit.xml parses");
    let cases: Vec<_> = report
        .test_suites
        .iter()
        .flat_map(|s| s.test_cases.iter())
        .collect();
    assert_eq!(cases.len(), scenarios, "{xml}");
    let descriptions: String = cases
        .iter()
        .filter_map(|c| match &c.status {
            quick_junit::TestCaseStatus::NonSuccess { description, .. } => {
                description.as_ref().map(|d| d.as_str().to_owned())
            }
            _ => None,
        })
        .collect();
    for payload in PAYLOADS {
        assert!(descriptions.contains(payload), "{payload} not in {xml}");
    }
}
