//! `--filter`: which loaded scenarios, and which cases of a matrix
//! scenario, a run keeps. A filter with `=` selects cases (`token=expired`,
//! or several pairs at once: `token=expired,via=query`); any other filter
//! selects scenarios by rule ID or tag (case-insensitively) or by a part of
//! their name. Scenario filters keep what any of them names; case filters
//! then keep, in matrix scenarios, the cases every one of them names.

use super::load::LoadedScenario;

/// The scenarios (and cases) the filters keep.
pub(crate) fn selected(scenarios: Vec<LoadedScenario>, filters: &[String]) -> Vec<LoadedScenario> {
    let (case_filters, scenario_filters): (Vec<&String>, Vec<&String>) =
        filters.iter().partition(|f| f.contains('='));
    scenarios
        .into_iter()
        .filter(|s| {
            scenario_filters.is_empty()
                || scenario_filters.iter().any(|f| {
                    s.scenario.rules.iter().any(|r| r.eq_ignore_ascii_case(f))
                        || s.scenario.tags.iter().any(|t| t.eq_ignore_ascii_case(f))
                        || s.name.contains(f.as_str())
                })
        })
        .filter_map(|mut s| {
            if case_filters.is_empty() {
                return Some(s);
            }
            let matrix = s.scenario.matrix.as_ref()?;
            let labels: Vec<String> = matrix
                .cases()
                .iter()
                .map(|c| c.label())
                .filter(|label| case_filters.iter().all(|f| case_matches(label, f)))
                .collect();
            if labels.is_empty() {
                return None;
            }
            s.selected_cases = Some(labels);
            Some(s)
        })
        .collect()
}

/// Whether a case's label (`a=x, b=y`) has every `axis=value` pair of
/// `filter` (`a=x` or `a=x,b=y`).
pub(crate) fn case_matches(label: &str, filter: &str) -> bool {
    let pairs: Vec<&str> = label.split(", ").collect();
    filter
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .all(|want| pairs.contains(&want))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_filter_names_pairs_of_the_case() {
        let label = "route=GET /auth/me, token=expired, via=query";
        assert!(case_matches(label, "token=expired"));
        assert!(case_matches(label, "token=expired,via=query"));
        assert!(case_matches(label, "route=GET /auth/me"));
        assert!(!case_matches(label, "token=expired,via=header"));
        assert!(!case_matches(label, "token=exp"));
    }
}
