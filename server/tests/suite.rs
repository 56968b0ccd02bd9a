//! The conformance suite as this crate's own test, for mutation testing
//! (`cargo mutants`, see the repository README, "Suite strength"): a
//! `conformance` binary built beforehand (`$CONFORMANCE_BIN`) runs every
//! scenario against the server this crate just built, so a mutant of the
//! server costs a rebuild of this crate only, not of the harness.

use std::path::PathBuf;
use std::process::Command;

#[test]
#[ignore = "needs CONFORMANCE_BIN (a conformance binary built beforehand); run by cargo mutants"]
fn the_conformance_suite_passes_against_this_build() {
    let harness = std::env::var("CONFORMANCE_BIN")
        .expect("CONFORMANCE_BIN names a conformance binary (cargo build -p conformance)");
    let server = env!("CARGO_BIN_EXE_reference-server");
    let scenarios = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios"));
    let dir = std::env::temp_dir().join(format!("suite-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory for the profile");
    let profile = dir.join("profile.toml");
    // No frontend: the browser scenarios reach the same routes as the
    // others, at several times their cost per mutant.
    std::fs::write(
        &profile,
        format!(
            "name = \"reference server under test\"\n\
             [backend]\ncommand = \"exec {server}\"\nenv = {{ WEB_PORT = \"off\" }}\n"
        ),
    )
    .expect("write the profile");
    let status = Command::new(harness)
        .arg("run")
        .arg("-q")
        // A mutant that breaks a SHOULD rule is caught too.
        .arg("--strict")
        .arg("--subject")
        .arg(&profile)
        .arg("--scenarios")
        .arg(&scenarios)
        .status()
        .expect("the conformance binary runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.success(), "the suite did not pass: {status}");
}
