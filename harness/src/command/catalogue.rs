//! `check`, `list`, `rules` and `schema`: the scenario files and the rules
//! catalogue, without running anything.

use super::load::load;
use crate::cli::ScenarioArgs;
use anyhow::Context;
use std::path::PathBuf;

/// `check`: every scenario file parses and validates.
pub(super) fn check(args: &ScenarioArgs) -> anyhow::Result<u8> {
    let (sources, scenarios, _) = load(args)?;
    println!(
        "{} scenario files in {} are valid",
        scenarios.len(),
        sources
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(0)
}

/// `list`: the scenarios with their level, rules and tags.
pub(super) fn list(args: &ScenarioArgs) -> anyhow::Result<u8> {
    let (_, scenarios, _) = load(args)?;
    for s in &scenarios {
        println!(
            "{:<40} {:<6} {:<22} {}",
            s.name,
            s.level.to_string(),
            s.scenario.rules.join(","),
            s.scenario.tags.join(",")
        );
    }
    Ok(0)
}

/// `rules`: which scenarios cover which rule; 1 when a rule has none.
pub(super) fn rules(args: &ScenarioArgs) -> anyhow::Result<u8> {
    let (_, scenarios, catalogue) = load(args)?;
    let mut uncovered = Vec::new();
    for rule in catalogue.rules() {
        let names: Vec<&str> = scenarios
            .iter()
            .filter(|s| s.scenario.rules.contains(&rule.id))
            .map(|s| s.name.as_str())
            .collect();
        if names.is_empty() {
            uncovered.push(rule.id.as_str());
        }
        let shown = if names.is_empty() {
            "(no scenario)".to_owned()
        } else {
            names.join(", ")
        };
        println!("{:<7} {:<6} {}", rule.id, rule.level.to_string(), shown);
    }
    if uncovered.is_empty() {
        Ok(0)
    } else {
        eprintln!("error: rules without a scenario: {}", uncovered.join(", "));
        Ok(1)
    }
}

/// `schema`: the JSON Schemas of scenario and profile files.
pub(super) fn schema(out: Option<PathBuf>) -> anyhow::Result<u8> {
    use crate::scenario::schema;
    match out {
        Some(dir) => {
            for write in [schema::write_scenario_schema, schema::write_profile_schema] {
                let path = write(&dir)
                    .with_context(|| format!("cannot write the schema to {}", dir.display()))?;
                println!("wrote {}", path.display());
            }
        }
        None => print!("{}", schema::scenario_schema_text()),
    }
    Ok(0)
}
