//! The HTTP server loop: connections are bounded so that one client cannot
//! exhaust the process's file descriptors or hold the server with slow
//! requests.
//!
//! - **Header read timeout**: a request's headers must arrive within it, and an
//!   idle keep-alive connection is closed after it (hyper starts the timer
//!   whenever it waits for the next request).
//! - **Caps**: at most `max_connections` at once, and `max_per_address` from
//!   one address (not counting trusted reverse proxies, through which many
//!   users come); a connection over a cap is closed as soon as it is accepted.
//! - **Behind a proxy**: the client's address is read from `X-Forwarded-For`
//!   only when the connection comes from a configured trusted proxy; it is
//!   what login throttling counts per address.
//!
//! Graceful shutdown: on the signal the loop stops accepting and waits for the
//! requests in flight.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use ipnet::IpNet;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Limits on connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Connections open at once, in all.
    pub max_connections: usize,
    /// Connections open at once from one address (trusted proxies excepted).
    pub max_per_address: usize,
    /// Time to send a request's headers, and longest idle keep-alive.
    pub header_read_timeout: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 4096,
            max_per_address: 256,
            header_read_timeout: Duration::from_secs(15),
            trusted_proxies: Vec::new(),
        }
    }
}

/// The address a request comes from: the connection's peer, or — when the
/// peer is a trusted proxy — the nearest untrusted address of
/// `X-Forwarded-For`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The client's address from a peer and an `X-Forwarded-For` header value,
/// believing the header only from trusted proxies: reading it right to left
/// (each proxy appends the address it saw), the first address that is not a
/// trusted proxy is the client.
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut last = peer;
    for part in header.rsplit(',') {
        let Ok(ip) = part.trim().parse::<IpAddr>() else {
            // A malformed entry: nothing to its left can be believed.
            return last;
        };
        if !is_trusted(&ip) {
            return ip;
        }
        last = ip;
    }
    last
}

/// Open connections per address.
#[derive(Debug, Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

/// One open connection counted against its address; uncounted when dropped.
struct AddressTurn {
    counts: Arc<PerAddress>,
    ip: IpAddr,
}

impl PerAddress {
    fn enter(counts: &Arc<PerAddress>, ip: IpAddr, max: usize) -> Option<AddressTurn> {
        let mut map = counts.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(AddressTurn {
            counts: counts.clone(),
            ip,
        })
    }
}

impl Drop for AddressTurn {
    fn drop(&mut self) {
        let mut map = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// How long to wait for requests in flight at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let total = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = Arc::new(PerAddress::default());
    let trusted = Arc::new(limits.trusted_proxies.clone());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors or the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(total_turn) = total.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "connection refused: too many connections");
            drop(stream);
            continue;
        };
        let address_turn = if trusted.iter().any(|net| net.contains(&peer.ip())) {
            None
        } else {
            match PerAddress::enter(&per_address, peer.ip(), limits.max_per_address) {
                Some(turn) => Some(turn),
                None => {
                    tracing::debug!(%peer, "connection refused: too many from this address");
                    drop(stream);
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let trusted = trusted.clone();
        let service = router
            .clone()
            .map_request(move |mut req: Request<Incoming>| {
                let forwarded = req
                    .headers()
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok());
                let ip = client_ip(peer.ip(), forwarded, &trusted);
                req.extensions_mut().insert(ClientIp(ip));
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(total_turn);
            drop(address_turn);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still in flight at shutdown were cut");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // Direct client: the header is a lie to ignore.
        assert_eq!(
            client_ip(ip("203.0.113.5"), Some("1.2.3.4"), &proxies),
            ip("203.0.113.5")
        );
        // Through the proxy: the address it saw.
        assert_eq!(
            client_ip(ip("10.0.0.2"), Some("198.51.100.7"), &proxies),
            ip("198.51.100.7")
        );
        // A client that sent its own header: the proxy appended the real one.
        assert_eq!(
            client_ip(ip("10.0.0.2"), Some("1.2.3.4, 198.51.100.7"), &proxies),
            ip("198.51.100.7")
        );
        // Two proxies in a row.
        assert_eq!(
            client_ip(ip("10.0.0.2"), Some("198.51.100.7, 10.0.0.9"), &proxies),
            ip("198.51.100.7")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(client_ip(ip("10.0.0.2"), None, &proxies), ip("10.0.0.2"));
        assert_eq!(
            client_ip(ip("10.0.0.2"), Some("not an address"), &proxies),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn an_address_gets_its_share_and_gets_it_back() {
        let counts = Arc::new(PerAddress::default());
        let a = ip("192.0.2.1");
        let first = PerAddress::enter(&counts, a, 2);
        let second = PerAddress::enter(&counts, a, 2);
        assert!(first.is_some() && second.is_some());
        assert!(PerAddress::enter(&counts, a, 2).is_none());
        assert!(PerAddress::enter(&counts, ip("192.0.2.2"), 2).is_some());
        drop(first);
        assert!(PerAddress::enter(&counts, a, 2).is_some());
    }
}
