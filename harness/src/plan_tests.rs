use super::*;
use crate::rules::Catalogue;
use crate::scenario::load::load_bytes;
use std::path::Path;

fn scenario(name: &str, text: &str) -> LoadedScenario {
    let catalogue = Catalogue::builtin().expect("catalogue");
    load_bytes(
        Path::new(&format!("{name}.toml")),
        text.as_bytes(),
        &catalogue,
    )
    .expect("a valid scenario")
}

fn managed() -> Capabilities {
    Capabilities::everything()
}

fn url(secret: bool) -> Capabilities {
    Capabilities {
        control: false,
        secret,
        reference: false,
        frontend: false,
        ..managed()
    }
}

const SHARED: &str = r#"title = "t"
rules = ["TOK-2"]
[[steps]]
[steps.request]
path = "/auth/me"
expect = { status = 401 }
"#;

const FORGES: &str = r#"title = "t"
rules = ["TOK-3"]
[[steps]]
[steps.forge]
into = "t"
kind = "expired"
[[steps]]
[steps.request]
path = "/auth/me"
bearer = "${t}"
expect = { status = 401 }
"#;

const RESTARTS: &str = r#"title = "t"
rules = ["TOK-6"]
[[steps]]
restart = {}
[[steps]]
[steps.request]
path = "/health"
expect = { status = 200 }
"#;

const START_FAILS: &str = r#"title = "t"
rules = ["CFG-2"]
[[steps]]
[steps.start_fails]
unset = ["JWT_SECRET"]
"#;

const BROWSER: &str = r#"title = "t"
rules = ["WEB-1"]
[needs]
browser = true
[[steps]]
browser = { goto = "/login" }
"#;

const KNOB: &str = r#"title = "t"
rules = ["SSE-6"]
[needs]
env = { STREAM_DELAY_MS = "50" }
[[steps]]
[steps.request]
path = "/health"
expect = { status = 200 }
"#;

fn placements(scenarios: &[LoadedScenario], can: Capabilities) -> Vec<Placement> {
    plan(scenarios, can)
        .expect("a plan")
        .scenarios
        .into_iter()
        .map(|p| p.placement)
        .collect()
}

#[test]
fn a_managed_subject_runs_everything_shared_or_on_a_subject_of_its_own() {
    let all = [
        scenario("a", SHARED),
        scenario("b", RESTARTS),
        scenario("c", START_FAILS),
        scenario("d", BROWSER),
    ];
    let p = plan(&all, managed()).expect("a plan");
    let got: Vec<(Placement, Lane, bool)> = p
        .scenarios
        .iter()
        .map(|s| (s.placement.clone(), s.lane, s.alone))
        .collect();
    assert_eq!(
        got,
        vec![
            (Placement::Shared, Lane::Api, false),
            (Placement::Own { running: true }, Lane::Api, false),
            (Placement::Own { running: false }, Lane::Api, true),
            (Placement::Own { running: true }, Lane::Browser, false),
        ]
    );
    assert!(p.needs_shared_subject() && p.needs_browser());
}

#[test]
fn a_url_subject_has_no_control_and_forges_only_with_its_secret() {
    let all = [
        scenario("a", SHARED),
        scenario("b", RESTARTS),
        scenario("c", FORGES),
        scenario("d", BROWSER),
    ];
    let without = placements(&all, url(false));
    assert_eq!(without[0], Placement::Shared);
    assert!(matches!(&without[1], Placement::NotApplicable(w) if w.contains("controls")));
    assert!(matches!(&without[2], Placement::NotApplicable(w) if w.contains("--jwt-secret")));
    assert!(matches!(&without[3], Placement::NotApplicable(w) if w.contains("controls")));
    let with = placements(&all, url(true));
    assert_eq!(with[2], Placement::Shared);
}

#[test]
fn a_knob_the_profile_does_not_honour_makes_its_scenarios_not_applicable() {
    let can = Capabilities {
        missing_knobs: vec!["STREAM_DELAY_MS".into()],
        ..managed()
    };
    let got = placements(&[scenario("a", KNOB)], can);
    assert!(matches!(&got[0], Placement::NotApplicable(w) if w.contains("STREAM_DELAY_MS")));
}

#[test]
fn a_missing_browser_is_n_a_unless_required_then_the_run_cannot_start() {
    let all = [scenario("a", SHARED), scenario("d", BROWSER)];
    let missing = Capabilities {
        browser: Err("chromedriver not found".into()),
        ..managed()
    };
    let got = placements(&all, missing.clone());
    assert_eq!(got[0], Placement::Shared);
    assert!(matches!(&got[1], Placement::NotApplicable(w) if w.contains("chromedriver")));
    let required = Capabilities {
        require_browser: true,
        ..missing
    };
    assert_eq!(
        plan(&all, required.clone()).err(),
        Some(PlanError::NoBrowser {
            count: 1,
            why: "chromedriver not found".into()
        })
    );
    // Without a browser scenario, nothing requires one.
    assert!(plan(&all[..1], required).is_ok());
}

#[test]
fn a_subject_without_a_frontend_has_no_browser_scenarios() {
    let can = Capabilities {
        frontend: false,
        ..managed()
    };
    let got = placements(&[scenario("d", BROWSER)], can);
    assert!(matches!(&got[0], Placement::NotApplicable(w) if w.contains("frontend")));
}
