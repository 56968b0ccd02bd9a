//! Feeds arbitrary bytes to the scenario loader: it must answer a value or
//! positioned errors, never panic.

#![no_main]

use conformance::rules::Catalogue;
use conformance::scenario::load::load_bytes;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::LazyLock;

static CATALOGUE: LazyLock<Catalogue> =
    LazyLock::new(|| Catalogue::builtin().expect("the shipped catalogue parses"));

fuzz_target!(|data: &[u8]| {
    if let Err(errors) = load_bytes(Path::new("fuzz.toml"), data, &CATALOGUE) {
        for error in errors {
            assert!(error.line >= 1 && error.column >= 1);
            let _ = error.to_string();
        }
    }
});
