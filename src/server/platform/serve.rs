//! The connection loop: HTTP/1.1 on hyper with what `axum::serve` lacks for a server that
//! faces the internet. A client must send its request head within a deadline (idle
//! keep-alive connections included), and connections are capped in all and per client
//! address, so neither thousands of half-sent requests nor one greedy client can hold the
//! server. The last quarter of the connections is kept for clients that hold none yet, so
//! a few greedy addresses cannot fill the server either. Behind trusted proxies, whose
//! connections are not capped per address, the requests in progress are capped per
//! forwarded client instead. A connection over a cap is answered `503` with `Retry-After`
//! and closed; a request over a cap is answered `503` with `Retry-After`.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use ipnet::IpNet;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// Time a client has to send a request's head, from the moment the server waits for it.
    pub header_read_timeout: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections per client address (IPv6 per /64); trusted proxies are exempt,
    /// and the requests in progress of each client they forward are capped at this instead.
    pub max_per_address: usize,
    /// How long open connections may finish their requests once shutdown begins.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(15),
            max_connections: 2048,
            max_per_address: 256,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

const OVER_CAPACITY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Length: 42\r\nConnection: close\r\n\r\n\
Too many connections; try again shortly.\r\n";

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish
/// (for at most `limits.shutdown_grace`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    proxies: Proxies,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let all = Arc::new(Semaphore::new(limits.max_connections));
    // Connections a client that already holds some may not take.
    let reserve = limits.max_connections / 4;
    let per_address = PerAddress::default();
    let per_forwarded = PerAddress::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let ip = super::limits::unmap(peer.ip());
        let exempt = proxies.trusted.iter().any(|net| net.contains(&ip));
        let address_slot = if exempt {
            None
        } else {
            let spare = all.available_permits().saturating_sub(reserve);
            match per_address.take(ip, limits.max_per_address, spare) {
                Some(slot) => Some(slot),
                None => {
                    refuse(stream);
                    continue;
                }
            }
        };
        let Ok(permit) = all.clone().try_acquire_owned() else {
            refuse(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let forwarded = exempt.then(|| (proxies.clone(), per_forwarded.clone()));
        let max_per_address = limits.max_per_address;
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            // A request forwarded by a trusted proxy holds a slot of its client while it runs.
            let slot = forwarded.as_ref().map(|(proxies, per_forwarded)| {
                let client = super::limits::client_address(
                    peer.ip(),
                    req.headers(),
                    &proxies.trusted,
                    proxies.header,
                );
                per_forwarded.take(client, max_per_address, usize::MAX)
            });
            let app = app.clone();
            async move {
                match slot {
                    Some(None) => Ok(busy()),
                    Some(Some(slot)) => {
                        let res = tower::ServiceExt::oneshot(app, req).await;
                        drop(slot);
                        res
                    }
                    None => tower::ServiceExt::oneshot(app, req).await,
                }
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors here are clients going away or timing out: nothing to report.
            let _ = connection.await;
            drop(permit);
            drop(address_slot);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("connections still open after the shutdown grace period");
        }
    }
    Ok(())
}

/// Tells a client over a cap to come back later, without waiting for it.
fn refuse(stream: tokio::net::TcpStream) {
    let _ = stream.try_write(OVER_CAPACITY);
}

/// The answer to a forwarded request over its client's cap.
fn busy() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        http::StatusCode::SERVICE_UNAVAILABLE,
        [(http::header::RETRY_AFTER, "5")],
        "Too many requests in progress; try again shortly.",
    )
        .into_response()
}

/// The trusted reverse proxies, and the header they write the client's address into.
#[derive(Clone, Debug, Default)]
pub struct Proxies {
    pub trusted: Vec<IpNet>,
    pub header: super::limits::ForwardedHeader,
}

/// Open connections (or requests in progress) per client address.
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl PerAddress {
    /// A slot for `ip`, which may hold `max` at most. A client that holds some already
    /// gets another only while `spare` (the free slots beyond those kept for clients that
    /// hold none) is not zero.
    fn take(&self, ip: IpAddr, max: usize, spare: usize) -> Option<AddressSlot> {
        let key = super::limits::bucket(ip);
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(key).or_default();
        if *count >= max || (*count > 0 && spare == 0) {
            if *count == 0 {
                counts.remove(&key);
            }
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            owner: self.clone(),
            key,
        })
    }
}

struct AddressSlot {
    owner: PerAddress,
    key: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut counts = self.owner.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// Serves on an address already bound, for tests: returns the address and a handle that
/// stops the server when dropped.
pub async fn spawn_for_tests(
    app: Router,
    limits: ConnectionLimits,
) -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    spawn_behind_proxies_for_tests(app, limits, Proxies::default()).await
}

/// [`spawn_for_tests`] with trusted proxies.
pub async fn spawn_behind_proxies_for_tests(
    app: Router,
    limits: ConnectionLimits,
    proxies: Proxies,
) -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, app, limits, proxies, async move {
        let _ = stopped.await;
    }));
    Ok((addr, stop))
}
