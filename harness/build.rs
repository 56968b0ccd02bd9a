//! Rebuilds the harness when a scenario file is added, changed or removed:
//! the scenarios are embedded in the binary (`scenario::sources`).

fn main() {
    println!("cargo:rerun-if-changed=../scenarios");
}
