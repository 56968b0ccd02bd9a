use super::*;
use crate::report::stored::{StoredRule, StoredScenario};

fn report(subject: &str, rules: &[(&str, Status)]) -> StoredReport {
    StoredReport {
        subject: subject.into(),
        rules: rules
            .iter()
            .map(|(id, status)| StoredRule {
                id: (*id).into(),
                level: Level::Must,
                summary: format!("{id} | summary"),
                status: *status,
            })
            .collect(),
        scenarios: Vec::<StoredScenario>::new(),
    }
}

#[test]
fn rules_by_subjects_with_a_row_per_rule_any_run_checked() {
    let a = report(
        "nest",
        &[
            ("REG-1", Status::Pass),
            ("REG-2", Status::NotRun),
            ("REG-3", Status::NotRun),
        ],
    );
    let b = report(
        "fastapi",
        &[
            ("REG-1", Status::Fail),
            ("REG-2", Status::Blocked),
            ("REG-3", Status::NotRun),
            ("NEW-1", Status::Warn),
        ],
    );
    let m = matrix(vec!["nest".into(), "fastapi".into()], &[a, b]);
    let rows: Vec<(&str, &[Option<Status>])> = m
        .rows
        .iter()
        .map(|r| (r.id.as_str(), r.cells.as_slice()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("REG-1", &[Some(Status::Pass), Some(Status::Fail)][..]),
            ("REG-2", &[Some(Status::NotRun), Some(Status::Blocked)][..]),
            ("NEW-1", &[None, Some(Status::Warn)][..]),
        ],
        "REG-3, checked by no run, is left out"
    );
    let md = markdown(&m);
    assert!(
        md.contains("| Rule | Level | nest | fastapi | Summary |\n|---|---|---|---|---|\n"),
        "{md}"
    );
    assert!(
        md.contains("| REG-1 | MUST | ✅ pass | ❌ fail | REG-1 \\| summary |"),
        "{md}"
    );
    assert!(md.contains("| NEW-1 | MUST | — absent | ⚠️ warn |"), "{md}");
    assert!(md.contains("| **totals** | | 1 pass, 0 fail, 0 warn, 0 blocked, 0 n/a, 0 error | 0 pass, 1 fail, 1 warn, 1 blocked, 0 n/a, 0 error | |"), "{md}");
}

#[test]
fn names_come_from_overrides_then_subjects_then_files_and_stay_distinct() {
    let paths = vec![
        PathBuf::from("a/report.json"),
        PathBuf::from("b/report.json"),
        PathBuf::from("c/nameless.json"),
    ];
    let reports = vec![
        report("reference server", &[]),
        report("reference server", &[]),
        report(" ", &[]),
    ];
    assert_eq!(
        names(&paths, &reports, &[]).expect("names"),
        vec![
            "reference server (a/report.json)",
            "reference server (b/report.json)",
            "nameless"
        ]
    );
    assert_eq!(
        names(&paths, &reports, &["v1".into(), "v2".into()]).expect("names"),
        vec!["v1", "v2", "nameless"]
    );
    let err = names(
        &paths,
        &reports,
        &["1".into(), "2".into(), "3".into(), "4".into()],
    );
    assert!(matches!(
        err,
        Err(CompareError::TooManyNames {
            names: 4,
            reports: 3
        })
    ));
}

#[test]
fn names_and_summaries_that_hold_markup_stay_text_in_the_markdown() {
    let mut hostile = report("x", &[("REG-1", Status::Pass)]);
    hostile.rules[0].summary = "<img src=x onerror=alert(1)> & <b>more</b>\nnext".into();
    let m = matrix(vec!["<b>nest</b> | a".into()], &[hostile]);
    let md = markdown(&m);
    assert!(md.contains("| &lt;b&gt;nest&lt;/b&gt; \\| a |"), "{md}");
    assert!(
        md.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;more&lt;/b&gt; next |"),
        "{md}"
    );
    assert!(!md.contains("<b>") && !md.contains("<img"), "{md}");
}
