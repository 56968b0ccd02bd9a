//! Removing a run's containers by label, including those whose handle the
//! harness never got: a Ctrl-C during a pull or a start, a deadline that
//! cancelled a start half-way, a panic. Every container of one start
//! attempt carries the same run label; the sweep is registered with the
//! interrupt handler before the first container is asked for.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use testcontainers::bollard::query_parameters::{
    ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
};

use super::daemon::connect;
use super::daemon_address::DaemonAddress;
use crate::process::{CleanupRegistration, register_cleanup};

/// The label whose value names one start attempt; what the sweep removes.
pub const RUN_LABEL: &str = "org.insight-garden.conformance.run";
/// The label whose value is the harness's process id, so that a person (or
/// a test) can find the containers of one `conformance` process.
pub const PID_LABEL: &str = "org.insight-garden.conformance.pid";
/// One sweep (a list and the removals) gives up after this: a healthy
/// daemon needs well under a second, and a stalled one must not hold up
/// `auto`'s fallback or the end of the run for long.
const SWEEP_TIMEOUT: Duration = Duration::from_secs(5);
/// After Ctrl-C, how long the handler keeps sweeping while container
/// starts are still in flight (a create that was sent may complete later).
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(5);
/// Pause between two sweeps while starts are in flight.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(100);

/// The label of one start attempt and the means to remove what carries it:
/// on demand, on Ctrl-C (registered when made) and when dropped.
#[derive(Debug)]
pub(super) struct ContainerSweep {
    address: DaemonAddress,
    run: String,
    in_flight: Arc<AtomicUsize>,
    _interrupt: CleanupRegistration,
}

/// Counts one container start as in flight until dropped.
pub(super) struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ContainerSweep {
    /// A fresh run label for containers of the daemon at `address`, with
    /// its interrupt cleanup already registered.
    pub(super) fn register(address: DaemonAddress) -> Self {
        let run = uuid::Uuid::new_v4().simple().to_string();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let interrupt = {
            let (address, run, in_flight) = (address.clone(), run.clone(), in_flight.clone());
            register_cleanup(move || sweep_until_settled(&address, &run, &in_flight))
        };
        Self {
            address,
            run,
            in_flight,
            _interrupt: interrupt,
        }
    }

    /// The labels every container of this attempt gets.
    pub(super) fn labels(&self) -> [(&'static str, String); 2] {
        [
            (RUN_LABEL, self.run.clone()),
            (PID_LABEL, std::process::id().to_string()),
        ]
    }

    /// Marks a container start as in flight, for the interrupt handler.
    pub(super) fn in_flight(&self) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self.in_flight.clone())
    }

    /// Removes every container with this run's label (bounded in time).
    pub(super) async fn sweep(&self) {
        sweep_once(&self.address, &self.run).await;
    }
}

impl Drop for ContainerSweep {
    fn drop(&mut self) {
        let (address, run) = (&self.address, self.run.as_str());
        on_own_runtime(|| sweep_once(address, run));
    }
}

/// One list-and-remove round; failures are logged, not returned: a sweep
/// runs on the way out, where nothing better can be done.
async fn sweep_once(address: &DaemonAddress, run: &str) {
    let round = async {
        let docker = connect(address)?;
        let filters = HashMap::from([("label", vec![format!("{RUN_LABEL}={run}")])]);
        let options = ListContainersOptionsBuilder::new()
            .all(true)
            .filters(&filters)
            .build();
        let containers = docker
            .list_containers(Some(options))
            .await
            .map_err(|error| error.to_string())?;
        for id in containers.into_iter().filter_map(|container| container.id) {
            let options = RemoveContainerOptionsBuilder::new()
                .force(true)
                .v(true)
                .build();
            if let Err(error) = docker.remove_container(&id, Some(options)).await {
                tracing::warn!("could not remove container {id} via {address}: {error}");
            }
        }
        Ok::<_, String>(())
    };
    match tokio::time::timeout(SWEEP_TIMEOUT, round).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!("could not list containers via {address}: {error}"),
        Err(_) => tracing::warn!("{address} did not list or remove containers in time"),
    }
}

/// The interrupt handler's sweep: again and again while starts are in
/// flight (bounded), then once more.
fn sweep_until_settled(address: &DaemonAddress, run: &str, in_flight: &AtomicUsize) {
    let deadline = Instant::now() + IN_FLIGHT_WAIT;
    on_own_runtime(|| async {
        loop {
            sweep_once(address, run).await;
            if in_flight.load(Ordering::SeqCst) == 0 || Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(IN_FLIGHT_POLL).await;
        }
        sweep_once(address, run).await;
    });
}

/// Runs a future to completion on a runtime of its own, on a thread of its
/// own: this works from the interrupt handler, from a drop outside any
/// runtime and from a drop inside one (where blocking on the current
/// runtime is not allowed).
fn on_own_runtime<F, Fut>(make: F)
where
    F: FnOnce() -> Fut + Send,
    Fut: std::future::Future<Output = ()>,
{
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(make()),
                Err(error) => tracing::warn!("no runtime to remove containers: {error}"),
            }
        });
        let _ = worker.join();
    });
}
