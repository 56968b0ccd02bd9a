//! The plan as `conformance plan` prints it: what the run can do, then one
//! line per scenario saying where it runs, or why it does not.

use crate::plan::{Lane, Placement, Plan};
use std::fmt::Write;

/// Where one planned scenario runs, in a few words.
fn placement(p: &crate::plan::Planned<'_>) -> String {
    let mut words = match &p.placement {
        Placement::Shared => "shared subject".to_owned(),
        Placement::Own { running: true } => "own subject".to_owned(),
        Placement::Own { running: false } => "own subject (started by its steps)".to_owned(),
        Placement::NotApplicable(why) => return format!("n/a: {why}"),
    };
    if p.lane == Lane::Browser {
        words.push_str(", browser");
    }
    if p.alone {
        words.push_str(", alone");
    }
    words
}

/// The plan as text.
pub(crate) fn render(plan: &Plan<'_>, subject: &str) -> String {
    let can = &plan.capabilities;
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut out = String::new();
    let _ = writeln!(out, "subject: {subject}");
    let _ = writeln!(
        out,
        "can: control the subject {}, forge tokens {}, frontend {}, browser {}{}",
        yes(can.control),
        yes(can.secret),
        yes(can.frontend),
        match &can.browser {
            Ok(()) => "found".to_owned(),
            Err(why) => format!("missing ({why})"),
        },
        if can.require_browser {
            " (required)"
        } else {
            ""
        }
    );
    if !can.missing_knobs.is_empty() {
        let _ = writeln!(
            out,
            "knobs it does not honour: {}",
            can.missing_knobs.join(", ")
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<40} {:<22} RUNS ON", "SCENARIO", "RULES");
    for p in &plan.scenarios {
        let _ = writeln!(
            out,
            "{:<40} {:<22} {}",
            p.scenario.name,
            p.scenario.scenario.rules.join(","),
            placement(p)
        );
    }
    let runs = plan
        .scenarios
        .iter()
        .filter(|p| p.not_applicable().is_none())
        .count();
    let _ = writeln!(
        out,
        "\n{runs} of {} scenarios run; {} on the shared subject, {} with a browser",
        plan.scenarios.len(),
        plan.scenarios
            .iter()
            .filter(|p| p.placement == Placement::Shared)
            .count(),
        plan.scenarios
            .iter()
            .filter(|p| p.lane == Lane::Browser && p.not_applicable().is_none())
            .count()
    );
    out
}
