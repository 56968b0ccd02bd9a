//! `plan` (and `run --dry-run`): what a run with these options would do,
//! with nothing started.

use super::load::{load, selected};
use super::run::options;
use crate::cli::RunArgs;
use anyhow::bail;

/// Prints the plan; 2 when the run could not go ahead as asked.
pub(super) fn show(args: &RunArgs) -> anyhow::Result<u8> {
    let (_, scenarios, _) = load(&args.scenarios)?;
    let scenarios = selected(scenarios, &args.filter);
    if scenarios.is_empty() {
        bail!("no scenario matches the filter {:?}", args.filter);
    }
    let options = options(args)?;
    let plan = crate::plan::plan(&scenarios, options.capabilities())?;
    print!(
        "{}",
        crate::report::plan::render(&plan, &options.subject.describe())
    );
    Ok(0)
}
