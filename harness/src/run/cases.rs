//! The cases of a matrix scenario: each case's variables (`${axis}`,
//! `${axis.field}`, absent fields), then its `[[each]]` steps, on the
//! scenario's subject, many cases at once. A case that needs a value this
//! run does not have (the subject's secret, an origin variant its allowed
//! origin has none of) is not applicable, with the reason.

use super::scene::Scene;
use super::step_list::{StepList, run_steps};
use crate::outcome::{CaseResult, Verdict};
use crate::scenario::load::LoadedScenario;
use crate::scenario::matrix::{Case, Matrix};
use crate::scenario::vars::{Vars, references};
use futures::StreamExt;
use std::time::Instant;

/// How many cases of one scenario run at once.
const CASES_AT_ONCE: usize = 16;

/// Why a case's variables cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CaseVarsError {
    /// A value uses a variable this run has no value for: not applicable.
    Missing(String),
    /// A value uses an absent field inside a longer text, or values use
    /// each other in a circle: the scenario is wrong.
    Broken(String),
}

/// The variables of `case`: the scenario's (`base`), each axis's value
/// name, and each field of the case's values expanded (fields may use
/// other axes' fields); fields other values of an axis give and this one
/// does not are absent.
pub(crate) fn case_vars(
    base: &Vars,
    matrix: &Matrix,
    case: &Case<'_>,
) -> Result<Vars, CaseVarsError> {
    let mut vars = base.clone();
    let mut pending: Vec<(String, &str)> = Vec::new();
    for (axis, value) in &case.values {
        vars.set(*axis, value.name.clone());
        for (field, template) in &value.fields {
            pending.push((format!("{axis}.{field}"), template.as_str()));
        }
        let declared = matrix
            .axes
            .iter()
            .filter(|a| a.name == *axis)
            .flat_map(|a| &a.values)
            .flat_map(|v| v.fields.iter().map(|(f, _)| f));
        for field in declared {
            if value.field(field).is_none() {
                vars.set_absent(format!("{axis}.{field}"));
            }
        }
    }
    while !pending.is_empty() {
        let before = pending.len();
        let mut still = Vec::new();
        for (name, template) in pending {
            let refs = references(template);
            if refs.iter().any(|r| still_pending(&still, r.name, &name)) {
                still.push((name, template));
                continue;
            }
            match vars.expand_optional(template) {
                Ok(Some(value)) => vars.set(name, value),
                Ok(None) => vars.set_absent(name),
                Err(undefined) if vars.is_absent(&undefined.0) => {
                    return Err(CaseVarsError::Broken(format!(
                        "${{{name}}} uses ${{{}}}, which this case does not give, inside a longer text",
                        undefined.0
                    )));
                }
                Err(undefined) if is_field(matrix, &undefined.0) => {
                    still.push((name, template));
                }
                Err(undefined) => {
                    return Err(CaseVarsError::Missing(format!(
                        "needs ${{{}}}, which has no value against this subject",
                        undefined.0
                    )));
                }
            }
        }
        if still.len() == before {
            let names: Vec<&str> = still.iter().map(|(n, _)| n.as_str()).collect();
            return Err(CaseVarsError::Broken(format!(
                "the values {names:?} use each other in a circle"
            )));
        }
        pending = still;
    }
    Ok(vars)
}

/// Whether `name` is among the fields not yet expanded (other than `own`).
fn still_pending(still: &[(String, &str)], name: &str, own: &str) -> bool {
    name != own && still.iter().any(|(n, _)| n == name)
}

/// Whether `name` is `axis.field` of the matrix.
fn is_field(matrix: &Matrix, name: &str) -> bool {
    matrix
        .variables()
        .iter()
        .any(|v| v == name && v.contains('.'))
}

/// Runs every selected case of `s`, many at once, on `scene`'s subject;
/// the results in the matrix's order.
pub(crate) async fn run_cases(
    s: &LoadedScenario,
    matrix: &Matrix,
    scene: &Scene,
) -> Vec<CaseResult> {
    let cases: Vec<Case<'_>> = matrix
        .cases()
        .into_iter()
        .filter(|c| s.selects_case(&c.label()))
        .collect();
    let list = StepList {
        entries: &s.scenario.each,
        positions: &s.each_positions,
        first_index: s.scenario.steps.len() + 1,
    };
    let list = &list;
    futures::stream::iter(cases)
        .map(|case| async move {
            let started = Instant::now();
            let label = case.label();
            let (steps, verdict) = match case_vars(&scene.vars, matrix, &case) {
                Ok(vars) => {
                    let mut case_scene = scene.for_case(vars, &label);
                    let (steps, ended) = run_steps(list, &s.scenario.rules, &mut case_scene).await;
                    (steps, ended.map_or(Verdict::Pass, |e| e.verdict))
                }
                Err(CaseVarsError::Missing(why)) => (Vec::new(), Verdict::NotApplicable(why)),
                Err(CaseVarsError::Broken(why)) => (Vec::new(), Verdict::Error(why)),
            };
            CaseResult {
                case: label,
                steps: if verdict == Verdict::Pass {
                    Vec::new()
                } else {
                    steps
                },
                verdict,
                millis: started.elapsed().as_millis() as u64,
            }
        })
        .buffered(CASES_AT_ONCE)
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(text: &str) -> Matrix {
        #[derive(serde::Deserialize)]
        struct File {
            matrix: Matrix,
        }
        toml::from_str::<File>(text).expect("a matrix").matrix
    }

    #[test]
    fn fields_use_other_axes_and_an_absent_one_stays_absent() {
        let m = matrix(
            "[matrix]\ntoken = [{ name = \"none\" }, { name = \"expired\", header = \"Bearer ${t}\" }]\n\
             via = [{ name = \"header\", authorization = \"${token.header}\" }]\n",
        );
        let mut base = Vars::default();
        base.set("t", "abc");
        let cases = m.cases();
        let none = case_vars(&base, &m, &cases[0]).expect("vars");
        assert!(none.is_absent("token.header"));
        assert!(none.is_absent("via.authorization"));
        assert_eq!(none.get("token"), Some("none"));
        let expired = case_vars(&base, &m, &cases[1]).expect("vars");
        assert_eq!(expired.get("via.authorization"), Some("Bearer abc"));
    }

    #[test]
    fn a_value_the_run_lacks_makes_the_case_not_applicable() {
        let m = matrix(
            "[matrix]\norigin = [{ name = \"dot\", value = \"${origin_unescaped_dot}\" }]\n",
        );
        let got = case_vars(&Vars::default(), &m, &m.cases()[0]);
        assert!(
            matches!(got, Err(CaseVarsError::Missing(why)) if why.contains("origin_unescaped_dot"))
        );
    }

    #[test]
    fn an_absent_field_inside_a_longer_text_is_the_scenario_s_mistake() {
        let m = matrix(
            "[matrix]\ntoken = [{ name = \"none\" }, { name = \"x\", header = \"h\" }]\n\
             via = [{ name = \"header\", authorization = \"Bearer ${token.header}\" }]\n",
        );
        let got = case_vars(&Vars::default(), &m, &m.cases()[0]);
        assert!(matches!(got, Err(CaseVarsError::Broken(_))), "{got:?}");
    }
}
