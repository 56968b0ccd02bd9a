//! `--filter`: which loaded scenarios a run keeps.

use super::load::LoadedScenario;

/// The scenarios a filter keeps: those naming a rule or a tag equal to
/// one of `filters` (case-insensitively), or whose name contains one.
pub(crate) fn selected(scenarios: Vec<LoadedScenario>, filters: &[String]) -> Vec<LoadedScenario> {
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
