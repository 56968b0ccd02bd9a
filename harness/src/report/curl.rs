//! A `curl` command that repeats one recorded HTTP exchange, so whoever
//! reads a failure can reproduce it by pasting one line. Tokens are
//! redacted like everywhere else: the command says where a fresh one goes.

use crate::outcome::Transcript;

/// `text` as one single-quoted shell word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The command for `t`; `stream` asks curl not to buffer (server-sent
/// events show as they arrive). `None` when the request line has no URL.
pub(crate) fn command(t: &Transcript, stream: bool) -> Option<String> {
    let (method, url) = t.request.split_once(' ')?;
    if url.is_empty() {
        return None;
    }
    let mut words = vec!["curl".to_owned(), "-i".to_owned()];
    if stream {
        words.push("-N".to_owned());
    }
    if method != "GET" {
        words.push(format!("-X {}", quote(method)));
    }
    words.push(quote(url));
    for (k, v) in &t.request_headers {
        words.push(format!("-H {}", quote(&format!("{k}: {v}"))));
    }
    if let Some(body) = &t.request_body {
        words.push(format!("--data-raw {}", quote(body)));
    }
    Some(super::redact::redact(&words.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_with_headers_and_a_body_is_quoted_for_the_shell() {
        let t = Transcript {
            request: "POST http://127.0.0.1:8080/auth/login".into(),
            request_headers: vec![
                ("content-type".into(), "application/json".into()),
                (
                    "authorization".into(),
                    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig".into(),
                ),
            ],
            request_body: Some(r#"{"email":"o'neil@example.com"}"#.into()),
            ..Transcript::default()
        };
        assert_eq!(
            command(&t, false).expect("a command"),
            r#"curl -i -X 'POST' 'http://127.0.0.1:8080/auth/login' -H 'content-type: application/json' -H 'authorization: Bearer [token]' --data-raw '{"email":"o'\''neil@example.com"}'"#
        );
    }

    #[test]
    fn a_stream_is_not_buffered_and_a_get_needs_no_method() {
        let t = Transcript {
            request: "GET http://h/chat/stream?documentId=1".into(),
            ..Transcript::default()
        };
        assert_eq!(
            command(&t, true).expect("a command"),
            "curl -i -N 'http://h/chat/stream?documentId=1'"
        );
        let none = Transcript {
            request: "GET".into(),
            ..Transcript::default()
        };
        assert_eq!(command(&none, false), None);
    }
}
