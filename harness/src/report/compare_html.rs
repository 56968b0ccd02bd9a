//! `compare.html`: the matrix of `conformance compare` as one page that
//! needs nothing else (styles inline, no script, nothing fetched), so it
//! can be attached to a CI run or mailed and opened offline.

use super::compare::{Matrix, totals};
use super::html::{DOCTYPE, STATUS_CSS, mark};
use crate::status::Status as S;
use maud::{PreEscaped, html};

const PAGE_CSS: &str = "\
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse}\
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
thead th{background:#f4f4f4;position:sticky;top:0}\
td.status{white-space:nowrap;text-align:center}\
.legend span{display:inline-block;margin-right:.5em;padding:.1em .5em}";

/// The page.
pub(crate) fn render(matrix: &Matrix) -> String {
    let page = html! {
        // PreEscaped: the doctype and the style sheets are the harness's
        // own constants, never text of a run.
        (PreEscaped(DOCTYPE))
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Insight Garden conformance, side by side" }
                style { (PreEscaped(PAGE_CSS)) (PreEscaped(STATUS_CSS)) }
            }
            body {
                h1 { "Insight Garden conformance, side by side" }
                p.legend {
                    @for status in S::ALL.iter().copied().map(Some).chain([None]) {
                        @let (class, text) = mark(status);
                        span class=(class) { (text) }
                    }
                }
                table {
                    thead {
                        tr {
                            th { "Rule" } th { "Level" }
                            @for s in &matrix.subjects { th { (s) } }
                            th { "Summary" }
                        }
                    }
                    tbody {
                        @for r in &matrix.rows {
                            tr {
                                th { (r.id) }
                                td { (r.level.to_string()) }
                                @for c in &r.cells {
                                    @let (class, text) = mark(*c);
                                    td class={ "status " (class) } { (text) }
                                }
                                td { (r.summary) }
                            }
                        }
                    }
                    tfoot {
                        tr {
                            th { "totals" } td {}
                            @for col in 0..matrix.subjects.len() { td { (totals(matrix, col)) } }
                            td {}
                        }
                    }
                }
            }
        }
    };
    super::redact::redact(&page.into_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compare::MatrixRow;
    use crate::rules::Level;

    #[test]
    fn the_page_is_self_contained_escaped_and_marks_each_status() {
        let matrix = Matrix {
            subjects: vec!["<b>nest</b>".into(), "fastapi".into()],
            rows: vec![MatrixRow {
                id: "REG-1".into(),
                level: Level::Must,
                summary: "201 & {accessToken}".into(),
                cells: vec![Some(S::Pass), Some(S::Blocked)],
            }],
        };
        let page = render(&matrix);
        assert!(page.starts_with("<!doctype html>"), "{page}");
        assert!(page.contains("<th>&lt;b&gt;nest&lt;/b&gt;</th>"), "{page}");
        assert!(!page.contains("<b>nest"), "{page}");
        assert!(page.contains("<td>201 &amp; {accessToken}</td>"), "{page}");
        assert!(
            page.contains(r#"<td class="status pass">✔ pass</td>"#),
            "{page}"
        );
        assert!(
            page.contains(r#"<td class="status blocked">⊘ blocked</td>"#),
            "{page}"
        );
        assert!(page.contains(".blocked{background:"), "{page}");
        assert!(
            page.contains("<td>0 pass, 0 fail, 0 warn, 1 blocked, 0 n/a, 0 error</td>"),
            "{page}"
        );
        for outside in ["<script", "<link", "src=", "http://", "https://"] {
            assert!(!page.contains(outside), "{outside} in {page}");
        }
    }
}
