//! The browser scenarios of a real run against the reference: each says
//! where its time went (`report.json`'s `browser`, the console's sum), the
//! browsers started ahead are the ones used, and WEB-2 to WEB-5 never touch
//! the login form (no `POST /auth/login` in their HAR files): they sign in
//! by the persisted state.

use super::support::run_cli;

#[test]
fn browser_scenarios_say_where_their_time_went_and_only_web_1_logs_in_through_the_form() {
    let run = run_cli(["--filter", "browser", "--browsers", "1"]);
    let stdout = &run.stdout;
    assert_eq!(run.code, Some(0), "{stdout}");
    assert!(
        stdout.contains("browser: 6 scenarios; waiting "),
        "{stdout}"
    );
    assert!(stdout.contains("browsers start"), "{stdout}");

    let report = run.report();
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    assert_eq!(scenarios.len(), 6);
    for s in scenarios {
        let name = s["name"].as_str().expect("a name");
        let timing = &s["browser"];
        let steps_ms = timing["steps_ms"].as_u64().expect("steps_ms");
        assert!(steps_ms > 0, "{name}: {timing}");
        assert!(
            steps_ms <= s["millis"].as_u64().expect("millis"),
            "{name}: {s}"
        );
        // One lane, one browser: started ahead, then handed from scenario to scenario.
        assert_eq!(timing["reused"], true, "{name}: {timing}");
        let holds = timing["holds_ms"].as_u64().expect("holds_ms");
        if name.starts_with("web-2-") {
            assert!(holds > 0 && holds <= 1_600, "{name}: {timing}");
        } else {
            assert_eq!(holds, 0, "{name}: {timing}");
        }

        let har =
            std::fs::read_to_string(run.reports.path().join(format!("{name}.har"))).expect("HAR");
        let logged_in_by_form = har.contains("/auth/login");
        assert_eq!(
            logged_in_by_form,
            name == "web-1-login-persists-auth",
            "{name}: only WEB-1 logs in through the form"
        );
    }
}
