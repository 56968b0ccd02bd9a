//! Where `file` steps read a subject's sources: a directory on disk for an
//! implementation under test, or the few files of this repository that the
//! reference is judged by, embedded in the binary so that an installed
//! `conformance` needs no source tree.

use std::path::PathBuf;

/// The repository files of the reference implementation that scenarios read.
const REFERENCE_FILES: &[(&str, &str)] = &[(
    "docker-compose.yml",
    include_str!("../../../docker-compose.yml"),
)];

/// A subject's source tree, as far as scenarios look into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceTree {
    /// An implementation's files, under this directory.
    Dir(PathBuf),
    /// The reference's files, built into the harness.
    Reference,
}

impl SourceTree {
    /// Where `path` is, for messages.
    pub fn describe(&self, path: &str) -> String {
        match self {
            SourceTree::Dir(root) => root.join(path).display().to_string(),
            SourceTree::Reference => format!("{path} (of the reference, built into the harness)"),
        }
    }

    /// The text of `path`, relative to the tree's root; the reason it
    /// cannot be read otherwise.
    pub fn read(&self, path: &str) -> Result<String, String> {
        match self {
            SourceTree::Dir(root) => std::fs::read_to_string(root.join(path))
                .map_err(|e| format!("cannot read {}: {e}", self.describe(path))),
            SourceTree::Reference => REFERENCE_FILES
                .iter()
                .find(|(name, _)| *name == path)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| format!("cannot read {}: no such file", self.describe(path))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_tree_holds_the_compose_file_and_nothing_else() {
        let compose = SourceTree::Reference.read("docker-compose.yml");
        assert!(compose.is_ok_and(|t| t.contains("postgres")));
        let missing = SourceTree::Reference.read("server/src/main.rs");
        assert!(missing.is_err_and(|e| e.contains("no such file")));
    }

    #[test]
    fn a_directory_tree_reads_from_disk_and_names_the_path_it_missed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "hello").unwrap();
        let tree = SourceTree::Dir(dir.path().to_owned());
        assert_eq!(tree.read("a.txt").unwrap(), "hello");
        let err = tree.read("b.txt").unwrap_err();
        assert!(err.contains("b.txt"), "{err}");
    }
}
