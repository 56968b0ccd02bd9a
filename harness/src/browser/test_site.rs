//! A site on a local port for the browser tests.

use axum::Router;

/// Serves `app` on a free loopback port: its base URL, and the task to
/// abort when the test is done.
pub(super) async fn serve(app: Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let url = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("bound").port()
    );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, server)
}
