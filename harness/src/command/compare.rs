//! `compare`: several `report.json` files side by side.

use crate::cli::CompareArgs;
use crate::report;
use anyhow::Context;

/// Prints the matrix; with `--out`, also writes `compare.md` and `compare.html`.
pub(super) fn compare(args: &CompareArgs) -> anyhow::Result<u8> {
    let reports = args
        .reports
        .iter()
        .map(|p| report::stored::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let names = report::compare::names(&args.reports, &reports, &args.name)?;
    let matrix = report::compare::matrix(names, &reports);
    print!("{}", report::compare::markdown(&matrix));
    if let Some(dir) = &args.out {
        let written = report::compare::write_files(&matrix, dir)
            .with_context(|| format!("cannot write to {}", dir.display()))?;
        for path in written {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(0)
}
