//! The `flexedge-mock` binary end to end on 127.0.0.1: it starts on a free port, serves all
//! four vendors from one base URL, switches faults through `/__sim/faults`, honours latency,
//! and its self-benchmark prints requests/s. Built only with `--features mock`.

// Native only: measures wall time.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]
#![cfg(feature = "mock")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flexedge-mock"))
        .args(["--port", "0", "--records", "50", "--max-seconds", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Server { child, port }
}

/// One request on a fresh connection: (status, headers lower-cased, body).
fn call(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body)
}

fn json(b: &[u8]) -> serde_json::Value {
    serde_json::from_slice(b).unwrap()
}

#[test]
fn serves_all_four_vendors_from_one_base_url() {
    let srv = start();
    let p = srv.port;
    let (st, _, body) = call(
        p,
        "POST",
        "/as/token.oauth2",
        &[("content-type", "application/x-www-form-urlencoded")],
        "grant_type=client_credentials&client_id=sim-greenlake-client&client_secret=sim-greenlake-secret",
    );
    assert_eq!(st, 200);
    let tok = json(&body)["access_token"].as_str().unwrap().to_string();
    let gl = format!("Bearer {tok}");
    let (st, headers, body) = call(
        p,
        "GET",
        "/flex/v1beta1/orders?limit=100",
        &[("authorization", &gl)],
        "",
    );
    assert_eq!(st, 200);
    assert_eq!(json(&body)["count"], 50);
    assert!(headers
        .iter()
        .any(|(k, v)| k == "content-length" && v == &body.len().to_string()));
    assert!(headers.iter().any(|(k, _)| k == "x-ratelimit-remaining"));
    let basic = "Basic c2ltLWZuby11c2VyOnNpbS1mbm8tcGFzc3dvcmQ="; // sim-fno-user:sim-fno-password
    let (st, _, body) = call(
        p,
        "POST",
        "/flexnet/operations/entitlementOrders/count",
        &[("authorization", basic)],
        r#"{"queryParams":{}}"#,
    );
    assert_eq!(st, 200);
    assert_eq!(json(&body)["count"], 50);
    let (st, _, body) = call(
        p,
        "GET",
        "/entitlements-api/v1/entitlements?limit=5",
        &[(
            "authorization",
            "Bearer rna_51d0c0ffee5eed0000000000000000000000000000000000",
        )],
        "",
    );
    assert_eq!(st, 200);
    assert_eq!(
        json(&body)["entitlements"].as_array().map(Vec::len),
        Some(5)
    );
    let (st, _, body) = call(
        p,
        "POST",
        "/auth/login",
        &[],
        r#"{"username":"admin@sim.telecomx.test","password":"sim-telecomx-admin"}"#,
    );
    assert_eq!(st, 200);
    let tx = json(&body)["token"].as_str().unwrap().to_string();
    let (st, _, body) = call(
        p,
        "GET",
        &format!("/iptv/flexcareorder?token={tx}&limit=7"),
        &[],
        "",
    );
    assert_eq!(st, 200);
    assert_eq!(
        json(&body)["flexcareOrders"].as_array().map(Vec::len),
        Some(7)
    );

    // Faults through the admin endpoint, and latency honoured by the server.
    let (st, _, _) = call(
        p,
        "POST",
        "/__sim/faults",
        &[],
        r#"{"vendor":"telecomx_flexcare","fault":"status500"}"#,
    );
    assert_eq!(st, 200);
    let (st, _, body) = call(
        p,
        "GET",
        &format!("/iptv/flexcareorder?token={tx}"),
        &[],
        "",
    );
    assert_eq!(st, 500);
    assert_eq!(json(&body)["message"], "internal_error");
    let (st, _, _) = call(p, "DELETE", "/__sim/faults", &[], "");
    assert_eq!(st, 200);
    let t0 = Instant::now();
    let (st, _, _) = call(
        p,
        "GET",
        "/flex/v1beta1/orders?limit=1",
        &[("authorization", &gl), ("x-sim-fault", "latency(300)")],
        "",
    );
    assert_eq!(st, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let (st, headers, _) = call(
        p,
        "GET",
        "/flex/v1beta1/devices",
        &[("authorization", &gl), ("x-sim-fault", "rate_limited(9)")],
        "",
    );
    assert_eq!(st, 429);
    assert!(headers.iter().any(|(k, v)| k == "retry-after" && v == "9"));
    // Chunked request bodies are read.
    let mut s = TcpStream::connect(("127.0.0.1", p)).unwrap();
    s.write_all(
        format!(
            "POST /flexnet/operations/entitlementOrders/count HTTP/1.1\r\nHost: x\r\nAuthorization: {basic}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\n{{\"qu\r\nE\r\neryParams\":{{}}}}\r\n0\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(raw.contains("\"count\":50"), "{raw}");
}

#[test]
fn self_benchmark_prints_requests_per_second() {
    let out = Command::new(env!("CARGO_BIN_EXE_flexedge-mock"))
        .args(["--bench", "300", "--records", "200"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    let rps: f64 = text
        .split(" = ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no figure in {text:?}"));
    assert!(rps > 0.0);
    assert!(text.contains("300 requests for a 100-record GreenLake orders page"));
}
