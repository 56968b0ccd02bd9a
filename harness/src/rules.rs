//! The rules catalogue: every rule of the contract with its level and a
//! one-line summary, kept as data in `harness/rules.toml` so that coverage
//! (which scenario checks which rule) can be computed and enforced.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The catalogue as shipped with this harness (`harness/rules.toml`).
const CATALOGUE_TOML: &str = include_str!("../rules.toml");

/// How much a rule weighs: a failing MUST fails the run, a failing SHOULD is a
/// warning unless the run is strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// Decides conformance.
    Must,
    /// Reported as a warning; fails only under `--strict`.
    Should,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
        })
    }
}

/// One rule of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The stable rule ID, such as `REG-3`.
    pub id: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// What the rule demands, in one line.
    pub summary: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    rule: Vec<Rule>,
}

/// Every rule of the contract, in contract order, looked up by ID.
#[derive(Debug, Clone)]
pub struct Catalogue {
    rules: Vec<Rule>,
    index: BTreeMap<String, usize>,
}

/// The shipped catalogue does not parse: a defect of this crate, caught by its tests.
#[derive(Debug, thiserror::Error)]
#[error("the rules catalogue harness/rules.toml is invalid: {0}")]
pub struct CatalogueError(#[from] toml::de::Error);

/// A team's catalogue file could not be added to the contract's.
#[derive(Debug, thiserror::Error)]
pub enum ExtraCatalogueError {
    /// The file cannot be read.
    #[error("cannot read the rules catalogue {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not a catalogue (`[[rule]]` tables with id, level, summary).
    #[error("the rules catalogue {} is invalid: {source}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where and why it does not parse.
        source: toml::de::Error,
    },
    /// A rule ID is already taken, by the contract or an earlier file.
    #[error("rule {id} of {} is already in the catalogue: a team's rules need IDs of their own", path.display())]
    Duplicate {
        /// The rule ID.
        id: String,
        /// The file.
        path: PathBuf,
    },
}

impl Catalogue {
    /// Adds a team's own rules from a catalogue file, after the contract's,
    /// so that their scenarios can name them.
    pub fn extend_from_file(&mut self, path: &Path) -> Result<(), ExtraCatalogueError> {
        let text = std::fs::read_to_string(path).map_err(|source| ExtraCatalogueError::Io {
            path: path.to_owned(),
            source,
        })?;
        let file: CatalogueFile =
            toml::from_str(&text).map_err(|source| ExtraCatalogueError::Invalid {
                path: path.to_owned(),
                source,
            })?;
        for rule in file.rule {
            if self.index.contains_key(&rule.id) {
                return Err(ExtraCatalogueError::Duplicate {
                    id: rule.id,
                    path: path.to_owned(),
                });
            }
            self.index.insert(rule.id.clone(), self.rules.len());
            self.rules.push(rule);
        }
        Ok(())
    }

    /// Loads the catalogue shipped with the harness.
    pub fn builtin() -> Result<Catalogue, CatalogueError> {
        Self::parse(CATALOGUE_TOML)
    }

    /// Parses a catalogue from TOML text (`[[rule]]` tables).
    pub fn parse(text: &str) -> Result<Catalogue, CatalogueError> {
        let file: CatalogueFile = toml::from_str(text)?;
        let index = file
            .rule
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Ok(Catalogue {
            rules: file.rule,
            index,
        })
    }

    /// The rule with this ID, if the contract has one.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.index.get(id).map(|&i| &self.rules[i])
    }

    /// All rules in contract order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The IDs of all rules, for "expected one of" messages.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_has_every_contract_rule_once() {
        let catalogue = Catalogue::builtin().expect("catalogue parses");
        let contract = contract_rules(include_str!("../../CONTRACT.md"));
        assert_eq!(catalogue.rules().len(), contract.len());
        assert_eq!(catalogue.index.len(), contract.len(), "duplicate rule id");
        assert_eq!(catalogue.get("REG-3").map(|r| r.level), Some(Level::Must));
        assert_eq!(catalogue.get("LOG-5").map(|r| r.level), Some(Level::Should));
        assert!(catalogue.get("XYZ-1").is_none());
    }

    #[test]
    fn a_team_catalogue_adds_its_rules_and_may_not_reuse_an_id() {
        let dir = tempfile::tempdir().unwrap();
        let team = dir.path().join("team.toml");
        std::fs::write(
            &team,
            "[[rule]]\nid = \"ACME-1\"\nlevel = \"MUST\"\nsummary = \"Audit log on login.\"\n",
        )
        .unwrap();
        let mut catalogue = Catalogue::builtin().unwrap();
        let contract = catalogue.rules().len();
        catalogue.extend_from_file(&team).unwrap();
        assert_eq!(catalogue.rules().len(), contract + 1);
        assert_eq!(catalogue.get("ACME-1").map(|r| r.level), Some(Level::Must));
        let err = catalogue.extend_from_file(&team).unwrap_err();
        assert!(matches!(err, ExtraCatalogueError::Duplicate { ref id, .. } if id == "ACME-1"));

        let clash = dir.path().join("clash.toml");
        std::fs::write(
            &clash,
            "[[rule]]\nid = \"TOK-2\"\nlevel = \"MUST\"\nsummary = \"x\"\n",
        )
        .unwrap();
        let err = Catalogue::builtin()
            .unwrap()
            .extend_from_file(&clash)
            .unwrap_err();
        assert!(err.to_string().contains("TOK-2"), "{err}");

        let broken = dir.path().join("broken.toml");
        std::fs::write(
            &broken,
            "[[rule]]\nid = \"X-1\"\nlevel = \"MAYBE\"\nsummary = \"x\"\n",
        )
        .unwrap();
        let err = Catalogue::builtin()
            .unwrap()
            .extend_from_file(&broken)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("broken.toml") && err.contains("line 3"),
            "{err}"
        );
    }

    /// The rules of `CONTRACT.md` (`- **ID LEVEL**` lines), in order.
    fn contract_rules(text: &str) -> Vec<(String, String)> {
        text.lines()
            .filter_map(|line| line.strip_prefix("- **"))
            .filter_map(|rest| {
                let mut parts = rest.split_whitespace();
                let id = parts.next()?;
                let level = parts.next()?.trim_end_matches("**");
                // Other bold list items (the unchecked parts) are no rules.
                ["MUST", "SHOULD", "MAY"]
                    .contains(&level)
                    .then(|| (id.to_owned(), level.to_owned()))
            })
            .collect()
    }

    #[test]
    fn the_catalogue_and_the_contract_file_list_the_same_rules_in_the_same_order() {
        // The contract is the repository's own CONTRACT.md.
        let contract = include_str!("../../CONTRACT.md");
        let catalogue = Catalogue::builtin().expect("catalogue parses");
        let from_contract = contract_rules(contract);
        let from_catalogue: Vec<(String, String)> = catalogue
            .rules()
            .iter()
            .map(|r| (r.id.clone(), r.level.to_string()))
            .collect();
        assert_eq!(
            from_contract, from_catalogue,
            "CONTRACT.md and harness/rules.toml differ (id and level, in order)"
        );
    }
}
