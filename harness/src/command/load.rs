//! The load stage as the command line asks for it: the catalogue (the
//! contract's rules and a team's own), the scenario sources, and the
//! scenarios a `--filter` keeps.

use crate::cli::ScenarioArgs;
use crate::rules::Catalogue;
use crate::scenario::load::LoadedScenario;
use crate::scenario::sources::{ScenarioSource, load_sources};

pub(super) use crate::scenario::select::selected;

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
