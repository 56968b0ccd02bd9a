//! A TCP proxy the harness puts between a subject and Postgres, to cut the
//! database off (REG-4), slow it down (a race between a look-up and an
//! insert shows however narrow its window, REG-3) and restore it, the same
//! way for every services mode.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::error::ServicesError;

/// How long [`FaultProxy::cut`] waits for open connections to be closed.
const CUT_TIMEOUT: Duration = Duration::from_secs(1);
/// Pause after a failed accept (e.g. out of file descriptors), so the loop
/// does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);

/// A loopback TCP proxy to one target. While cut, every connection is
/// closed as soon as it is accepted, so clients fail at once instead of
/// hanging, and open connections are dropped. Dropping the proxy stops it
/// and closes everything.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    target: String,
    cut: watch::Sender<bool>,
    latency: watch::Sender<Duration>,
    active: watch::Receiver<usize>,
    accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `target` (`host:port`,
    /// resolved for every new connection). Needs a tokio runtime.
    pub async fn start(target: impl Into<String>) -> Result<Self, ServicesError> {
        let target = target.into();
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(ServicesError::io(
                "could not bind the fault proxy on 127.0.0.1",
            ))?;
        let addr = listener
            .local_addr()
            .map_err(ServicesError::io("could not read the fault proxy's port"))?;
        let (cut, cut_rx) = watch::channel(false);
        let (latency, latency_rx) = watch::channel(Duration::ZERO);
        let (active_tx, active) = watch::channel(0_usize);
        let accepted = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(accept_loop(
            listener,
            target.clone(),
            Links {
                cut: cut_rx,
                latency: latency_rx,
            },
            active_tx,
            Arc::clone(&accepted),
        ));
        Ok(Self {
            addr,
            target,
            cut,
            latency,
            active,
            accepted,
            task,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where connections are forwarded.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// How many connections the proxy has let through since it started:
    /// proof that a client used this address (CFG-5).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Whether the proxy is cut.
    pub fn is_cut(&self) -> bool {
        *self.cut.borrow()
    }

    /// Cuts the target off: new connections are closed on accept and open
    /// ones are dropped. Returns once the open ones are closed (at most 1 s).
    pub async fn cut(&self) {
        self.cut.send_replace(true);
        let mut active = self.active.clone();
        let _ = tokio::time::timeout(CUT_TIMEOUT, active.wait_for(|count| *count == 0)).await;
    }

    /// Lets connections through again, at full speed.
    pub fn restore(&self) {
        self.latency.send_replace(Duration::ZERO);
        self.cut.send_replace(false);
    }

    /// Delays every answer from the target by `latency`: each query then
    /// takes at least that long, so the window between a look-up and the
    /// insert that depends on it is at least that wide.
    pub fn slow_down(&self, latency: Duration) {
        self.latency.send_replace(latency);
    }

    /// `url` (a `postgres://` URL of the target) with host and port replaced
    /// by the proxy's, for the subject's `DATABASE_URL`.
    pub fn database_url_via(&self, url: &str) -> Result<String, ServicesError> {
        let invalid = |reason: &str| ServicesError::InvalidUrl {
            what: "database URL".to_owned(),
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let mut parsed = reqwest::Url::parse(url).map_err(|error| invalid(&error.to_string()))?;
        parsed
            .set_host(Some(&self.addr.ip().to_string()))
            .map_err(|error| invalid(&error.to_string()))?;
        parsed
            .set_port(Some(self.addr.port()))
            .map_err(|()| invalid("cannot carry a port"))?;
        Ok(parsed.into())
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // Aborting the loop drops the listener and its `JoinSet`, which
        // aborts every relay and closes their sockets.
        self.task.abort();
    }
}

/// Counts a relay as open for as long as it lives.
struct ActiveGuard(Arc<watch::Sender<usize>>);

impl ActiveGuard {
    fn new(active: &Arc<watch::Sender<usize>>) -> Self {
        active.send_modify(|count| *count += 1);
        Self(Arc::clone(active))
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.send_modify(|count| *count = count.saturating_sub(1));
    }
}

/// The switches every relay watches.
#[derive(Clone)]
struct Links {
    cut: watch::Receiver<bool>,
    latency: watch::Receiver<Duration>,
}

async fn accept_loop(
    listener: TcpListener,
    target: String,
    links: Links,
    active: watch::Sender<usize>,
    let_through: Arc<AtomicUsize>,
) {
    let active = Arc::new(active);
    let mut relays = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((client, _)) if *links.cut.borrow() => drop(client),
                Ok((client, _)) => {
                    let_through.fetch_add(1, Ordering::Relaxed);
                    let guard = ActiveGuard::new(&active);
                    relays.spawn(relay(client, target.clone(), links.clone(), guard));
                }
                Err(error) => {
                    tracing::warn!("fault proxy to {target}: accept failed: {error}");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                }
            },
            Some(_) = relays.join_next(), if !relays.is_empty() => {}
        }
    }
}

async fn relay(client: TcpStream, target: String, links: Links, _guard: ActiveGuard) {
    let Links { mut cut, latency } = links;
    let forward = async {
        let server = TcpStream::connect(&target).await?;
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        let no_latency = watch::channel(Duration::ZERO).1;
        tokio::try_join!(
            pump(client_read, server_write, no_latency),
            pump(server_read, client_write, latency),
        )
    };
    tokio::select! {
        result = forward => {
            if let Err(error) = result {
                tracing::debug!("fault proxy to {target}: connection ended: {error}");
            }
        }
        _ = cut.wait_for(|cut| *cut) => {}
    }
}

/// Chunks read but not yet written, per direction: past this many the
/// reader waits (at most 1 MiB held back).
const HELD_BACK: usize = 64;

/// Copies one direction of a connection, each chunk written the current
/// latency after it was read: a delay line, so that chunks that arrive
/// together leave together. (Sleeping before each write instead held every
/// chunk back by the time the ones before it waited too: an answer that
/// came in several pieces, as a connection's start-up does, took that many
/// times the latency, and a subject's pool could time out on the harness's
/// slowness rather than the database's.)
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    latency: watch::Receiver<Duration>,
) -> std::io::Result<()> {
    let (held, mut due) = tokio::sync::mpsc::channel::<(tokio::time::Instant, Vec<u8>)>(HELD_BACK);
    let read = async move {
        let mut buffer = vec![0_u8; 16 * 1024];
        loop {
            let read = from.read(&mut buffer).await?;
            if read == 0 {
                // Dropping the sender ends the writer once it has written
                // what is held back.
                return Ok::<(), std::io::Error>(());
            }
            let at = tokio::time::Instant::now() + *latency.borrow();
            if held.send((at, buffer[..read].to_vec())).await.is_err() {
                return Ok(());
            }
        }
    };
    let write = async move {
        while let Some((at, chunk)) = due.recv().await {
            tokio::time::sleep_until(at).await;
            to.write_all(&chunk).await?;
        }
        to.shutdown().await
    };
    tokio::try_join!(read, write).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// The target writes five chunks 20 ms apart; through the proxy held
    /// back by 300 ms, each arrives no sooner than 300 ms after it was
    /// written, and the last one 300 ms after it was written, not after
    /// the ones before it each waited (600 ms and more).
    #[tokio::test]
    async fn every_chunk_is_held_back_by_the_latency_once() {
        const LATENCY: Duration = Duration::from_millis(300);
        let target = TcpListener::bind(("127.0.0.1", 0)).await.expect("a target");
        let address = target.local_addr().expect("its address");
        let writer = tokio::spawn(async move {
            let (mut socket, _) = target.accept().await.expect("a connection");
            let _ = socket.set_nodelay(true);
            let mut sent = Vec::new();
            for i in 0..5_u8 {
                sent.push(Instant::now());
                socket.write_all(&[i]).await.expect("a chunk written");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            sent
        });
        let proxy = FaultProxy::start(address.to_string())
            .await
            .expect("a proxy");
        proxy.slow_down(LATENCY);
        let mut client = TcpStream::connect(proxy.addr()).await.expect("connected");
        let mut received = Vec::new();
        let mut byte = [0_u8; 1];
        while received.len() < 5 {
            client.read_exact(&mut byte).await.expect("a chunk read");
            received.push((byte[0], Instant::now()));
        }
        let sent = writer.await.expect("the target wrote");
        for (i, at) in &received {
            let waited = at.duration_since(sent[usize::from(*i)]);
            assert!(waited >= LATENCY, "chunk {i} arrived after {waited:?}");
        }
        let last = received[4].1.duration_since(sent[4]);
        assert!(
            last < LATENCY + Duration::from_millis(200),
            "the last chunk waited {last:?}: the chunks before it were held back one after the other"
        );
        assert_eq!(
            received.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4],
            "the order is kept"
        );
    }
}
