use super::*;

fn recorded(status: Option<u16>) -> Recorded {
    Recorded {
        at_ms: 1500,
        method: "GET".into(),
        path: "/chat/stream".into(),
        authorization: None,
        query_token: Some("<jwt>".into()),
        origin: Some("http://localhost:5999".into()),
        status,
        allow_origin: vec!["http://localhost:5999".into()],
        allow_credentials: Some("true".into()),
        request_method: None,
        request_headers: None,
        allow_methods: Vec::new(),
        allow_headers: Vec::new(),
        wait_ms: 12,
    }
}

#[test]
fn an_entry_is_har_1_2_with_what_the_proxy_saw() {
    let started = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
        .expect("a date")
        .with_timezone(&Utc);
    let har = from_recorded("http://localhost:4000", started, &[recorded(Some(200))]);
    let v: serde_json::Value =
        serde_json::from_str(&render(&har).expect("json")).expect("valid JSON");
    assert_eq!(v["log"]["version"], "1.2");
    let e = &v["log"]["entries"][0];
    assert_eq!(e["startedDateTime"], "2026-01-02T03:04:06.500Z");
    assert_eq!(e["time"], 12);
    assert_eq!(e["timings"]["wait"], 12);
    assert_eq!(
        e["request"]["url"],
        "http://localhost:4000/chat/stream?token=<jwt>"
    );
    assert_eq!(
        e["request"]["headers"][0],
        serde_json::json!({"name": "Origin", "value": "http://localhost:5999"})
    );
    assert_eq!(e["response"]["status"], 200);
    assert_eq!(e["response"]["statusText"], "OK");
    assert_eq!(e["response"]["redirectURL"], "");
    assert_eq!(
        e["response"]["headers"][1],
        serde_json::json!({"name": "Access-Control-Allow-Credentials", "value": "true"})
    );
}

#[test]
fn no_answer_is_status_0_and_a_token_that_slipped_through_is_redacted() {
    let mut r = recorded(None);
    r.authorization = Some("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig".into());
    let text = render(&from_recorded("http://p", Utc::now(), &[r])).expect("json");
    assert!(text.contains("\"status\": 0"), "{text}");
    assert!(text.contains("the API could not be reached"), "{text}");
    assert!(
        text.contains("Bearer [token]") && !text.contains("eyJhbGci"),
        "{text}"
    );
}
