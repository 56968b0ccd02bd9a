//! Free TCP ports on loopback, for services, subjects and proxies.
//!
//! A port is chosen below the kernel's ephemeral range: the ports the kernel
//! hands out for `bind(0)` are the same ones it gives outgoing connections
//! as their local port, and a run makes thousands of those, so a port picked
//! there can be taken by a client socket between the choice and the
//! subject's own `bind` (seen as a frontend that "never answered"). Below
//! the range only listeners compete, and no port is handed out twice in one
//! process, so concurrent scenarios cannot be given the same one.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::{Mutex, PoisonError};

use rand::RngExt;

use super::error::ServicesError;

/// The lowest port chosen from.
const LOWEST: u16 = 10_000;
/// Candidates tried before falling back to the kernel's choice.
const ATTEMPTS: usize = 200;

/// Ports this process has handed out already.
static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A loopback port nobody listens on right now (see the module's doc).
pub fn free_port() -> Result<u16, ServicesError> {
    free_ports(1)?.pop().ok_or_else(|| ServicesError::Io {
        what: "could not bind a free port on 127.0.0.1".to_owned(),
        source: std::io::Error::other("no port was returned"),
    })
}

/// `count` distinct free loopback ports.
pub(super) fn free_ports(count: usize) -> Result<Vec<u16>, ServicesError> {
    let (low, high) = range_below_ephemeral();
    let mut handed = HANDED_OUT.lock().unwrap_or_else(PoisonError::into_inner);
    let handed = handed.get_or_insert_with(HashSet::new);
    if handed.len() > usize::from(high - low) / 2 {
        // A very long-lived process: start over rather than run dry.
        handed.clear();
    }
    let mut rng = rand::rng();
    let mut ports = Vec::with_capacity(count);
    for _ in 0..count {
        let chosen = (0..ATTEMPTS)
            .map(|_| rng.random_range(low..high))
            .find(|port| !handed.contains(port) && TcpListener::bind(("127.0.0.1", *port)).is_ok());
        let port = match chosen {
            Some(port) => port,
            None => kernel_choice()?,
        };
        handed.insert(port);
        ports.push(port);
    }
    Ok(ports)
}

/// Ports from [`LOWEST`] up to the start of the ephemeral range (from
/// `/proc/sys/net/ipv4/ip_local_port_range`, 32768 when it cannot be read).
fn range_below_ephemeral() -> (u16, u16) {
    let start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768);
    if start > LOWEST + 1_000 {
        (LOWEST, start)
    } else {
        // Nearly every port is ephemeral here: take the upper half; the
        // handed-out set still keeps this run's scenarios apart.
        (u16::MAX / 2 + 1, u16::MAX)
    }
}

/// A port the kernel picks for `bind(0)`.
fn kernel_choice() -> Result<u16, ServicesError> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(ServicesError::io("could not bind a free port on 127.0.0.1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_free_and_below_the_ephemeral_range() {
        let (low, high) = range_below_ephemeral();
        let ports = free_ports(50).expect("ports");
        let unique: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(unique.len(), 50, "no port twice: {ports:?}");
        for port in ports {
            assert!((low..high).contains(&port), "{port} outside {low}..{high}");
            TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
        }
    }
}
