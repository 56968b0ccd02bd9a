//! The load stage as the command line asks for it: the catalogue (the
//! contract's rules and a team's own), the scenario sources, and the
//! scenarios a `--filter` keeps.

use crate::cli::ScenarioArgs;
use crate::rules::Catalogue;
use crate::scenario::load::LoadedScenario;
use crate::scenario::sources::{ScenarioSource, load_sources};

/// The sources, the scenarios and the catalogue that `args` name.
pub(super) fn load(
    args: &ScenarioArgs,
) -> anyhow::Result<(Vec<ScenarioSource>, Vec<LoadedScenario>, Catalogue)> {
    let mut catalogue = Catalogue::builtin()?;
    for file in &args.catalogue {
        catalogue.extend_from_file(file)?;
    }
    let sources: Vec<ScenarioSource> = if args.scenarios.is_empty() {
        vec![ScenarioSource::Builtin]
    } else {
        args.scenarios
            .iter()
            .map(|arg| ScenarioSource::parse(arg))
            .collect()
    };
    let scenarios = load_sources(&sources, &catalogue)?;
    Ok((sources, scenarios, catalogue))
}

/// The scenarios a filter keeps: those naming a rule or a tag equal to
/// one of `filters` (case-insensitively), or whose name contains one.
pub(super) fn selected(scenarios: Vec<LoadedScenario>, filters: &[String]) -> Vec<LoadedScenario> {
    if filters.is_empty() {
        return scenarios;
    }
    scenarios
        .into_iter()
        .filter(|s| {
            filters.iter().any(|f| {
                s.scenario.rules.iter().any(|r| r.eq_ignore_ascii_case(f))
                    || s.scenario.tags.iter().any(|t| t.eq_ignore_ascii_case(f))
                    || s.name.contains(f.as_str())
            })
        })
        .collect()
}
