//! `compare.html`: the matrix of `conformance compare` as one page that
//! needs nothing else (styles inline, no script, nothing fetched), so it
//! can be attached to a CI run or mailed and opened offline.

use super::compare::{Matrix, totals};
use super::html::{STATUS_CSS, escape, mark};
use crate::status::Status as S;
use std::fmt::Write;

const PAGE_CSS: &str = "\
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse}\
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
thead th{background:#f4f4f4;position:sticky;top:0}\
td.status{white-space:nowrap;text-align:center}\
.legend span{display:inline-block;margin-right:.5em;padding:.1em .5em}";

/// The page.
pub(crate) fn render(matrix: &Matrix) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Insight Garden conformance, side by side</title>\
         <style>{PAGE_CSS}{STATUS_CSS}</style></head><body>\n\
         <h1>Insight Garden conformance, side by side</h1>\n<p class=\"legend\">"
    );
    for status in S::ALL.iter().copied().map(Some).chain([None]) {
        let (class, text) = mark(status);
        let _ = write!(out, "<span class=\"{class}\">{text}</span>");
    }
    let _ = write!(out, "</p>\n<table><thead><tr><th>Rule</th><th>Level</th>");
    for s in &matrix.subjects {
        let _ = write!(out, "<th>{}</th>", escape(s));
    }
    let _ = writeln!(out, "<th>Summary</th></tr></thead><tbody>");
    for r in &matrix.rows {
        let _ = write!(out, "<tr><th>{}</th><td>{}</td>", escape(&r.id), r.level);
        for c in &r.cells {
            let (class, text) = mark(*c);
            let _ = write!(out, "<td class=\"status {class}\">{text}</td>");
        }
        let _ = writeln!(out, "<td>{}</td></tr>", escape(&r.summary));
    }
    let _ = write!(out, "</tbody><tfoot><tr><th>totals</th><td></td>");
    for col in 0..matrix.subjects.len() {
        let _ = write!(out, "<td>{}</td>", escape(&totals(matrix, col)));
    }
    let _ = writeln!(out, "<td></td></tr></tfoot></table>\n</body></html>");
    super::redact::redact(&out)
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
