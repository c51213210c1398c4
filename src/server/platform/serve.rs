//! The connection loop: HTTP/1.1 on hyper with what `axum::serve` lacks for a server that
//! faces the internet. A client must send its request head within a deadline (idle
//! keep-alive connections included), and connections are capped in all and per client
//! address, so neither thousands of half-sent requests nor one greedy client can hold the
//! server. A connection over a cap is answered `503` with `Retry-After` and closed.

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
    /// Open connections per client address (IPv6 per /64); trusted proxies are exempt.
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
    trusted_proxies: Vec<IpNet>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let all = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = PerAddress::default();
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
        let exempt = trusted_proxies.iter().any(|net| net.contains(&ip));
        let address_slot = if exempt {
            None
        } else {
            match per_address.take(ip, limits.max_per_address) {
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
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            tower::ServiceExt::oneshot(app.clone(), req)
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

/// Open connections per client address.
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl PerAddress {
    fn take(&self, ip: IpAddr, max: usize) -> Option<AddressSlot> {
        let key = super::limits::bucket(ip);
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(key).or_default();
        if *count >= max {
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
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, app, limits, Vec::new(), async move {
        let _ = stopped.await;
    }));
    Ok((addr, stop))
}
