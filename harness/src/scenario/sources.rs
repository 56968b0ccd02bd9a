//! Which scenario files a run reads: the suite's own, built into the binary
//! so that an installed `conformance` needs no source tree, and any
//! directories of a team's own scenarios beside them or instead of them.

use super::load::{LoadError, LoadedScenario, load_files, read_dir_files};
use crate::rules::Catalogue;
use include_dir::{Dir, include_dir};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The repository's `scenarios/`, as it was when the harness was built.
static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../scenarios");

/// What `--scenarios` names on the command line for the built-in set.
pub const BUILTIN_NAME: &str = "builtin";

/// One place scenario files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioSource {
    /// The scenarios shipped inside the harness.
    Builtin,
    /// Every `*.toml` of a directory.
    Dir(PathBuf),
}

impl ScenarioSource {
    /// `builtin` names the shipped set; anything else is a directory
    /// (`./builtin` for a directory of that name).
    pub fn parse(arg: &str) -> ScenarioSource {
        if arg == BUILTIN_NAME {
            ScenarioSource::Builtin
        } else {
            ScenarioSource::Dir(PathBuf::from(arg))
        }
    }
}

impl fmt::Display for ScenarioSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioSource::Builtin => f.write_str("the built-in scenarios"),
            ScenarioSource::Dir(dir) => write!(f, "{}", dir.display()),
        }
    }
}

/// The built-in scenario files, sorted by name, each with the path it has
/// in the repository (`scenarios/<name>.toml`) for reports and errors.
pub fn builtin_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = BUILTIN
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .map(|f| (Path::new("scenarios").join(f.path()), f.contents().to_vec()))
        .collect();
    files.sort();
    files
}

/// Loads every source in turn; all invalid files are reported at once, and
/// two files of the same name (the scenario's stable name) are an error.
pub fn load_sources(
    sources: &[ScenarioSource],
    catalogue: &Catalogue,
) -> Result<Vec<LoadedScenario>, LoadError> {
    let mut files = Vec::new();
    for source in sources {
        match source {
            ScenarioSource::Builtin => files.extend(builtin_files()),
            ScenarioSource::Dir(dir) => files.extend(read_dir_files(dir)?),
        }
    }
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (path, _) in &files {
        let name = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        if let Some(first) = seen.insert(name.clone(), path.clone()) {
            return Err(LoadError::Duplicate {
                name,
                first,
                second: path.clone(),
            });
        }
    }
    load_files(files, catalogue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_set_is_the_repository_directory() {
        let on_disk = read_dir_files(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios"
        )))
        .unwrap();
        let built_in = builtin_files();
        let names = |files: &[(PathBuf, Vec<u8>)]| -> Vec<(String, Vec<u8>)> {
            files
                .iter()
                .map(|(p, b)| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        b.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(names(&built_in), names(&on_disk));
        assert!(built_in.len() > 40, "{} files", built_in.len());
    }

    #[test]
    fn builtin_is_a_name_and_anything_else_a_directory() {
        assert_eq!(ScenarioSource::parse("builtin"), ScenarioSource::Builtin);
        assert_eq!(
            ScenarioSource::parse("./builtin"),
            ScenarioSource::Dir(PathBuf::from("./builtin"))
        );
    }

    #[test]
    fn a_team_file_named_like_a_built_in_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tok-2-no-token.toml"), "").unwrap();
        let catalogue = Catalogue::builtin().unwrap();
        let sources = [
            ScenarioSource::Builtin,
            ScenarioSource::Dir(dir.path().to_owned()),
        ];
        let err = load_sources(&sources, &catalogue).unwrap_err().to_string();
        assert!(err.contains("tok-2-no-token"), "{err}");
        assert!(err.contains("scenarios/tok-2-no-token.toml"), "{err}");
    }
}
