//! `<scenario>.har` of a browser scenario, written by a real run: HAR 1.2
//! that names the requests the browser made, with no token in it.

use std::process::Command;

#[test]
fn a_browser_scenario_leaves_a_har_file_without_tokens() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args([
            "run",
            "-q",
            "--filter",
            "web-1-login-persists-auth",
            "--report-dir",
        ])
        .arg(tmp.path())
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("REFERENCE_FAULTS")
        .output()
        .expect("conformance runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let text = std::fs::read_to_string(tmp.path().join("web-1-login-persists-auth.har"))
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
