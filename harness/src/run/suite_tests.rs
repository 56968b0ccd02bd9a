//! The order a run takes the built-in scenarios in, on a subject the
//! harness starts: those that time the subject's own start (CFG-2, CFG-3)
//! first and apart from all the others, which then run in the browser
//! lane and the API lane (scenarios with a subject of their own first).

use super::RunningOrder;
use crate::plan::{Capabilities, Lane, Placement, plan};
use crate::rules::Catalogue;
use crate::scenario::sources::{ScenarioSource, load_sources};

fn names(list: &[&crate::plan::Planned<'_>]) -> Vec<String> {
    list.iter().map(|p| p.scenario.name.clone()).collect()
}

#[test]
fn the_scenarios_that_time_a_start_run_first_and_alone_then_the_two_lanes() {
    let catalogue = Catalogue::builtin().expect("catalogue");
    let scenarios = load_sources(&[ScenarioSource::Builtin], &catalogue).expect("scenarios");
    let plan = plan(&scenarios, Capabilities::everything()).expect("a plan");
    let order = RunningOrder::of(&plan);

    assert_eq!(
        names(&order.alone),
        ["cfg-2-missing-secret", "cfg-3-default-secret"]
    );
    assert!(
        order
            .browser
            .iter()
            .all(|p| p.lane == Lane::Browser && !p.alone)
            && names(&order.browser).iter().all(|n| n.starts_with("web-")),
        "{:?}",
        names(&order.browser)
    );
    assert!(!order.browser.is_empty());
    let own = order
        .api
        .iter()
        .take_while(|p| matches!(p.placement, Placement::Own { .. }))
        .count();
    assert!(
        own > 0 && own < order.api.len(),
        "{own} of {}",
        order.api.len()
    );
    assert!(
        order.api[own..]
            .iter()
            .all(|p| !matches!(p.placement, Placement::Own { .. })
                && p.lane == Lane::Api
                && !p.alone),
        "a scenario with a subject of its own comes after a shared one: {:?}",
        names(&order.api)
    );
    // Every scenario is in exactly one list.
    let mut all: Vec<usize> = [&order.alone, &order.browser, &order.api]
        .into_iter()
        .flatten()
        .map(|p| p.index)
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..plan.scenarios.len()).collect::<Vec<_>>());
}
