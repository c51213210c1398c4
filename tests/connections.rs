#![cfg(feature = "ssr")]
//! The connection loop against real sockets: half-sent requests are cut off, connections
//! are capped in all and per address, and complete requests are served throughout.

use std::time::{Duration, Instant};

use accord::server::platform::serve::{spawn_for_tests, ConnectionLimits};
use axum::routing::get;
use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn app() -> Router {
    Router::new().route("/", get(|| async { "ok" }))
}

fn limits(max_connections: usize, max_per_address: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_read_timeout: Duration::from_secs(1),
        max_connections,
        max_per_address,
        shutdown_grace: Duration::from_secs(1),
    }
}

async fn get_ok(addr: std::net::SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut out))
        .await
        .expect("answer in time")
        .unwrap();
    out
}

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Option<(Duration, Vec<u8>)> {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(limit.saturating_sub(start.elapsed()), s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some((start.elapsed(), got)),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn half_sent_requests_are_cut_off() {
    let (addr, _stop) = spawn_for_tests(app(), limits(1000, 1000)).await.unwrap();
    let mut held = Vec::new();
    for i in 0..300 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // A request head that never ends, or a connection that never says anything.
        if i % 2 == 0 {
            s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: 1")
                .await
                .unwrap();
        }
        held.push(s);
    }
    assert!(get_ok(addr).await.ends_with("ok"), "served while held");
    let mut closed = 0;
    for s in held.iter_mut() {
        if let Some((after, _)) = closed_within(s, Duration::from_secs(4)).await {
            assert!(after < Duration::from_secs(4));
            closed += 1;
        }
    }
    println!("half-sent or silent connections: 300, closed by the server: {closed}");
    assert_eq!(closed, 300);
}

#[tokio::test]
async fn connections_are_capped_per_address_and_in_all() {
    let (addr, _stop) = spawn_for_tests(app(), limits(1000, 8)).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    // Give the server time to accept them all.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut extra = TcpStream::connect(addr).await.unwrap();
    let (_, answer) = closed_within(&mut extra, Duration::from_secs(2))
        .await
        .expect("refused at once");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("Retry-After: 5"), "{answer}");
    // Once those connections are gone, the client is served again.
    held.clear();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(get_ok(addr).await.ends_with("ok"));

    let (addr, _stop) = spawn_for_tests(app(), limits(3, 100)).await.unwrap();
    let held: Vec<_> = futures_connect(addr, 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut extra = TcpStream::connect(addr).await.unwrap();
    let (_, answer) = closed_within(&mut extra, Duration::from_secs(2))
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 503"));
    drop(held);
}

async fn futures_connect(addr: std::net::SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(TcpStream::connect(addr).await.unwrap());
    }
    out
}

#[tokio::test]
async fn keep_alive_connections_serve_several_requests() {
    let (addr, _stop) = spawn_for_tests(app(), limits(10, 10)).await.unwrap();
    let mut s = TcpStream::connect(addr).await.unwrap();
    for _ in 0..3 {
        s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).await.unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    // Idle afterwards: closed once the head-read deadline passes.
    assert!(closed_within(&mut s, Duration::from_secs(4))
        .await
        .is_some());
}

/// A connection from `source` (any 127.x.y.z: all of them are this machine on Linux).
async fn connect_from(addr: std::net::SocketAddr, source: &str) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Whether the server refused `s` at once (503) rather than keeping it open.
async fn refused(s: &mut TcpStream) -> bool {
    match closed_within(s, Duration::from_millis(100)).await {
        Some((_, answer)) => String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 503"),
        None => false,
    }
}

/// A few greedy addresses cannot fill the server: the last quarter of the connections is
/// kept for clients that hold none yet.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn greedy_addresses_leave_room_for_new_clients() {
    // Silent connections stay open for the whole test.
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(60),
        ..limits(40, 20)
    };
    let (addr, _stop) = spawn_for_tests(app(), limits).await.unwrap();
    let mut held = Vec::new();
    let mut refusals = [0usize; 2];
    for (n, greedy) in ["127.0.0.2", "127.0.0.3"].into_iter().enumerate() {
        for _ in 0..20 {
            let mut s = connect_from(addr, greedy).await;
            tokio::time::sleep(Duration::from_millis(5)).await;
            if refused(&mut s).await {
                refusals[n] += 1;
            } else {
                held.push(s);
            }
        }
    }
    println!(
        "2 greedy addresses, 20 connections each, server cap 40: {} held, {refusals:?} refused",
        held.len()
    );
    assert_eq!(held.len(), 30, "three quarters of the cap at most");
    // Clients that hold nothing get in, up to the whole cap.
    for i in 0..10 {
        let mut s = connect_from(addr, &format!("127.0.1.{}", i + 1)).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(!refused(&mut s).await, "new client {i} refused");
        held.push(s);
    }
}

/// Behind a trusted proxy, the requests in progress are capped per forwarded client: one
/// client cannot take all of them, while others are served.
#[tokio::test]
async fn requests_are_capped_per_forwarded_client() {
    use accord::server::platform::serve::{spawn_behind_proxies_for_tests, Proxies};
    let slow = Router::new().route("/", get(|| async { "ok" })).route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            "slow"
        }),
    );
    let proxies = Proxies {
        trusted: vec!["127.0.0.1/32".parse().unwrap()],
        header: Default::default(),
    };
    let (addr, _stop) = spawn_behind_proxies_for_tests(slow, limits(100, 4), proxies)
        .await
        .unwrap();
    let request = |path: &'static str, client: &'static str| async move {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: {client}\r\nConnection: close\r\n\r\n"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    };
    let greedy: Vec<_> = (0..4)
        .map(|_| tokio::spawn(request("/slow", "203.0.113.7")))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let over = request("/", "203.0.113.7").await;
    assert!(over.starts_with("HTTP/1.1 503"), "{over}");
    assert!(
        over.contains("retry-after: 5") || over.contains("Retry-After: 5"),
        "{over}"
    );
    let other = request("/", "198.51.100.9").await;
    assert!(other.starts_with("HTTP/1.1 200"), "{other}");
    for g in greedy {
        assert!(g.await.unwrap().starts_with("HTTP/1.1 200"));
    }
    // Once its requests are done, the client is served again.
    assert!(request("/", "203.0.113.7")
        .await
        .starts_with("HTTP/1.1 200"));
}
