//! `<scenario>.har` of a browser scenario, written by a real run: HAR 1.2
//! that names the requests the browser made, with no token in it.

use super::support::run_cli;

#[test]
fn a_browser_scenario_leaves_a_har_file_without_tokens() {
    let run = run_cli(["-q", "--filter", "web-1-login-persists-auth"]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let text = std::fs::read_to_string(run.reports.path().join("web-1-login-persists-auth.har"))
        .expect("the HAR file");
    assert!(!text.contains("eyJ"), "no token: {text}");
    let har: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(har["log"]["version"], "1.2");
    let entries = har["log"]["entries"].as_array().expect("entries");
    let login = entries
        .iter()
        .find(|e| e["request"]["method"] == "POST")
        .expect("the login request");
    assert!(
        login["request"]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/auth/login")),
        "{login}"
    );
    assert_eq!(login["response"]["status"], 200, "{login}");
    let documents = entries
        .iter()
        .find(|e| {
            e["request"]["method"] == "GET"
                && e["request"]["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with("/documents"))
        })
        .expect("the GET /documents request");
    assert_eq!(
        documents["request"]["headers"][0],
        serde_json::json!({"name": "Authorization", "value": "Bearer <jwt>"}),
        "{documents}"
    );
}
