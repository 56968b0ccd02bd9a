//! Free TCP ports on loopback, for services and proxies.

use std::net::TcpListener;

use super::error::ServicesError;

/// A loopback port nobody listens on right now: bind port 0 and read what
/// the kernel chose. Another process may take it before it is used; the
/// window is small and local services retry on a bind failure.
pub fn free_port() -> Result<u16, ServicesError> {
    free_ports(1)?.pop().ok_or_else(|| ServicesError::Io {
        what: "could not bind a free port on 127.0.0.1".to_owned(),
        source: std::io::Error::other("no port was returned"),
    })
}

/// `count` distinct free loopback ports (held together while chosen, so they
/// differ from each other).
pub(super) fn free_ports(count: usize) -> Result<Vec<u16>, ServicesError> {
    let listeners = (0..count)
        .map(|_| TcpListener::bind(("127.0.0.1", 0)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ServicesError::io("could not bind a free port on 127.0.0.1"))?;
    listeners
        .iter()
        .map(|listener| listener.local_addr().map(|addr| addr.port()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ServicesError::io("could not read a bound port"))
}
