//! The native mock upstream server (`make mock`): the flexedge simulator of the four vendor
//! APIs (GreenLake Flex, FNO entitlementOrders, FNO Entitlements Beta, TelecomX) behind one
//! HTTP/1.1 server on 127.0.0.1, for end-to-end tests through `wrangler dev` and benchmarks.
//!
//! The HTTP layer is a small std-only HTTP/1.1 server (keep-alive, Content-Length and
//! chunked request bodies, `Expect: 100-continue`), one thread per connection up to
//! [`MAX_CONNECTIONS`]. tiny_http was tried first: it writes headers and body in separate
//! writes without `TCP_NODELAY`, which stalls every keep-alive response ~40 ms on delayed
//! ACKs (45 requests/s); this server sets `TCP_NODELAY` and writes each response at once.
//!
//! ```text
//! flexedge-mock [--port 8790] [--seed 1] [--records 1000] [--rate-limit 100]
//!               [--fno-dates epoch|iso] [--max-seconds N] [--bench N [--clients 2]]
//! ```
//! `--bench N` starts the server on a free port, fires N keep-alive requests for a
//! 100-record GreenLake orders page over loopback, prints requests/s, and exits.
//! Faults: `POST /__sim/faults {"vendor":"hpe_flex","fault":"status500"}`, `DELETE
//! /__sim/faults`, or the `x-sim-fault` request header. See `docs/simulator.md`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use flexedge::sim::{creds, FnoDateFormat, SimConfig, Simulator};

/// Largest request body accepted.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// Largest request head (request line + headers).
const MAX_HEAD: usize = 64 * 1024;
/// Most open connections (one thread each).
const MAX_CONNECTIONS: usize = 512;
/// An idle keep-alive connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

struct Opts {
    port: u16,
    clients: usize,
    max_seconds: Option<u64>,
    bench: Option<usize>,
    cfg: SimConfig,
}

fn usage() -> &'static str {
    "usage: flexedge-mock [--port 8790] [--seed 1] [--records 1000] [--rate-limit 100] \
     [--fno-dates epoch|iso] [--max-seconds N] [--bench N [--clients 2]]"
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        port: 8790,
        clients: 2,
        max_seconds: None,
        bench: None,
        cfg: SimConfig::default(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let num = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: not a number: {v}"))
        };
        match a.as_str() {
            "--port" => {
                o.port =
                    u16::try_from(num("--port", val("--port")?)?).map_err(|_| "--port too large")?
            }
            "--seed" => o.cfg.seed = num("--seed", val("--seed")?)?,
            "--records" => o.cfg.records_per_source = num("--records", val("--records")?)? as usize,
            "--clients" => o.clients = (num("--clients", val("--clients")?)? as usize).clamp(1, 64),
            "--rate-limit" => {
                o.cfg.rate_limit_per_minute =
                    u32::try_from(num("--rate-limit", val("--rate-limit")?)?).unwrap_or(u32::MAX)
            }
            "--fno-dates" => {
                o.cfg.fno_dates = match val("--fno-dates")?.as_str() {
                    "epoch" | "epoch-ms" => FnoDateFormat::EpochMillis,
                    "iso" | "yyyy-MM-dd" => FnoDateFormat::IsoDate,
                    other => {
                        return Err(format!("--fno-dates: expected epoch or iso, got {other}"))
                    }
                }
            }
            "--max-seconds" => o.max_seconds = Some(num("--max-seconds", val("--max-seconds")?)?),
            "--bench" => o.bench = Some(num("--bench", val("--bench")?)? as usize),
            "-h" | "--help" => return Err(usage().to_string()),
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    Ok(o)
}

// Native only: the mock server stamps requests with the wall clock.
#[allow(clippy::disallowed_methods)]
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A parsed request head.
struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    close: bool,
}

fn read_head(r: &mut BufReader<TcpStream>) -> Result<Option<Head>, String> {
    let mut line = String::new();
    let mut total = 0usize;
    // Skip stray empty lines between requests.
    loop {
        line.clear();
        let n = r.read_line(&mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(None);
        }
        total += n;
        if !line.trim().is_empty() || total > MAX_HEAD {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("bad request line".into());
    };
    let (method, target) = (method.to_string(), target.to_string());
    let mut close = version == "HTTP/1.0";
    let mut headers = Vec::new();
    loop {
        line.clear();
        let n = r.read_line(&mut line).map_err(|e| e.to_string())?;
        total += n;
        if n == 0 || total > MAX_HEAD || headers.len() > 200 {
            return Err("request head too large or truncated".into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_string(), v.trim().to_string());
            if k.eq_ignore_ascii_case("connection") {
                close = v.eq_ignore_ascii_case("close")
                    || (close && !v.eq_ignore_ascii_case("keep-alive"));
            }
            headers.push((k, v));
        }
    }
    Ok(Some(Head {
        method,
        target,
        headers,
        close,
    }))
}

fn header<'a>(h: &'a Head, name: &str) -> Option<&'a str> {
    h.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn read_body(r: &mut BufReader<TcpStream>, h: &Head) -> Result<Vec<u8>, String> {
    if header(h, "transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
        let mut body = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            r.read_line(&mut line).map_err(|e| e.to_string())?;
            let size =
                usize::from_str_radix(line.trim().split(';').next().unwrap_or("").trim(), 16)
                    .map_err(|_| "bad chunk size")?;
            if size == 0 {
                // Trailers until the empty line.
                loop {
                    line.clear();
                    let n = r.read_line(&mut line).map_err(|e| e.to_string())?;
                    if n == 0 || line.trim().is_empty() {
                        return Ok(body);
                    }
                }
            }
            if body.len() + size > MAX_BODY {
                return Err("body too large".into());
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(body.get_mut(start..).unwrap_or_default())
                .map_err(|e| e.to_string())?;
            line.clear();
            r.read_line(&mut line).map_err(|e| e.to_string())?;
        }
    }
    let len = match header(h, "content-length") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| "bad content-length")?,
    };
    if len > MAX_BODY {
        return Err("body too large".into());
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok(body)
}

fn write_response(
    w: &mut TcpStream,
    resp: &http::Response<Vec<u8>>,
    close: bool,
) -> std::io::Result<()> {
    if let Some((bytes, chunked)) = flexedge::sim::padding(resp) {
        return write_padded(w, resp, bytes, chunked);
    }
    let status = resp.status();
    let mut out = Vec::with_capacity(resp.body().len() + 512);
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {} {}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Unknown")
        )
        .as_bytes(),
    );
    for (name, value) in resp.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("content-length: {}\r\n", resp.body().len()).as_bytes());
    out.extend_from_slice(if close {
        b"connection: close\r\n\r\n"
    } else {
        b"connection: keep-alive\r\n\r\n"
    });
    out.extend_from_slice(resp.body());
    w.write_all(&out)?;
    w.flush()
}

/// An `oversize` fault's answer: the body, then `bytes` of spaces written 64 KiB at a
/// time (never held in memory), with a `Content-Length` or chunked; the connection is
/// closed after it. A client that stops reading ends the write with an error.
fn write_padded(
    w: &mut TcpStream,
    resp: &http::Response<Vec<u8>>,
    bytes: u64,
    chunked: bool,
) -> std::io::Result<()> {
    let status = resp.status();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Unknown")
    );
    for (name, value) in resp.headers() {
        if name.as_str() == flexedge::sim::PADDING_HEADER {
            continue;
        }
        if let Ok(v) = value.to_str() {
            head.push_str(&format!("{name}: {v}\r\n"));
        }
    }
    let total = (resp.body().len() as u64).saturating_add(bytes);
    if chunked {
        head.push_str("transfer-encoding: chunked\r\n");
    } else {
        head.push_str(&format!("content-length: {total}\r\n"));
    }
    head.push_str("connection: close\r\n\r\n");
    w.write_all(head.as_bytes())?;
    let piece = |w: &mut TcpStream, data: &[u8]| -> std::io::Result<()> {
        if chunked {
            w.write_all(format!("{:x}\r\n", data.len()).as_bytes())?;
            w.write_all(data)?;
            w.write_all(b"\r\n")
        } else {
            w.write_all(data)
        }
    };
    piece(w, resp.body())?;
    let block = vec![b' '; 64 * 1024];
    let mut left = bytes;
    while left > 0 {
        let n = usize::try_from(left.min(block.len() as u64)).unwrap_or(block.len());
        piece(w, block.get(..n).unwrap_or(&block))?;
        left -= n as u64;
    }
    if chunked {
        w.write_all(b"0\r\n\r\n")?;
    }
    w.flush()
}

fn plain(status: u16, msg: &str) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(msg.as_bytes().to_vec());
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    r
}

fn serve_connection(stream: TcpStream, sim: &Simulator) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let head = match read_head(&mut reader) {
            Ok(Some(h)) => h,
            Ok(None) => return,
            Err(e) => {
                let _ = write_response(&mut writer, &plain(400, &e), true);
                return;
            }
        };
        if header(&head, "expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
            && writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err()
        {
            return;
        }
        let body = match read_body(&mut reader, &head) {
            Ok(b) => b,
            Err(e) => {
                let _ = write_response(&mut writer, &plain(400, &e), true);
                return;
            }
        };
        let mut b = http::Request::builder()
            .method(head.method.as_str())
            .uri(head.target.as_str());
        for (k, v) in &head.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let resp = match b.body(body) {
            Ok(req) => {
                let out = sim.handle(&req, now_ms());
                if let Some(ms) = out.delay_ms.filter(|ms| *ms > 0) {
                    // Latency and hang faults: this connection waits, others are unaffected.
                    thread::sleep(Duration::from_millis(ms));
                }
                out.response
            }
            Err(e) => plain(400, &format!("bad request: {e}")),
        };
        let close = head.close || flexedge::sim::padding(&resp).is_some();
        if write_response(&mut writer, &resp, close).is_err() || close {
            return;
        }
    }
}

/// A running server.
struct Running {
    port: u16,
    stop: Arc<AtomicBool>,
    accept: thread::JoinHandle<()>,
}

impl Running {
    /// Stops accepting: raises the flag, wakes the blocked `accept` with one connection of
    /// its own, and waits for the accept thread.
    fn shutdown(self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(1),
        );
        let _ = self.accept.join();
    }
}

// Native only: times the data generation.
#[allow(clippy::disallowed_methods)]
fn start(o: &Opts, port: u16) -> Result<Running, String> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot bind 127.0.0.1:{port}: {e}"))?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    let sim = Arc::new(Simulator::new(o.cfg.clone()));
    let t0 = Instant::now();
    sim.warm_up();
    eprintln!(
        "flexedge-mock: generated {} records per source in {} ms",
        sim.config().records_per_source,
        t0.elapsed().as_millis()
    );
    let stop = Arc::new(AtomicBool::new(false));
    let open = Arc::new(AtomicUsize::new(0));
    let stop2 = Arc::clone(&stop);
    // A blocking accept: a new connection is served at once (polling a non-blocking
    // listener would add up to the poll interval to every new connection).
    let accept = thread::spawn(move || {
        while !stop2.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok(_) if stop2.load(Ordering::SeqCst) => break,
                Ok((stream, _)) => {
                    if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                        open.fetch_sub(1, Ordering::SeqCst);
                        let mut s = stream;
                        let _ = write_response(&mut s, &plain(503, "too many connections"), true);
                        continue;
                    }
                    let (sim, open) = (Arc::clone(&sim), Arc::clone(&open));
                    thread::spawn(move || {
                        serve_connection(stream, &sim);
                        open.fetch_sub(1, Ordering::SeqCst);
                    });
                }
                Err(_) => thread::sleep(Duration::from_millis(50)),
            }
        }
    });
    Ok(Running { port, stop, accept })
}

/// One keep-alive HTTP/1.1 exchange; returns (status, body).
fn exchange(stream: &mut BufReader<TcpStream>, request: &str) -> Result<(u16, Vec<u8>), String> {
    stream
        .get_mut()
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    stream.read_line(&mut line).map_err(|e| e.to_string())?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut len = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).map_err(|e| e.to_string())?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().map_err(|_| "bad content-length")?;
            }
        }
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok((status, body))
}

// Native only: measures requests per second with the wall clock.
#[allow(clippy::disallowed_methods)]
fn bench(o: &Opts, n: usize) -> Result<(), String> {
    let mut cfg_opts = Opts {
        port: 0,
        clients: o.clients,
        max_seconds: None,
        bench: None,
        cfg: o.cfg.clone(),
    };
    // The benchmark measures the server, not GreenLake's 100 requests/minute.
    cfg_opts.cfg.rate_limit_per_minute = 0;
    let running = start(&cfg_opts, 0)?;
    let addr = format!("127.0.0.1:{}", running.port);
    let connect = || -> Result<BufReader<TcpStream>, String> {
        let s = TcpStream::connect(&addr).map_err(|e| e.to_string())?;
        s.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(BufReader::new(s))
    };
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        creds::HPE_FLEX_CLIENT_ID,
        creds::HPE_FLEX_CLIENT_SECRET
    );
    let mut c = connect()?;
    let (status, body) = exchange(
        &mut c,
        &format!(
            "POST /as/token.oauth2 HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    )?;
    if status != 200 {
        return Err(format!("token endpoint answered {status}"));
    }
    let token = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("access_token")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        })
        .ok_or("no access_token")?;
    let request = format!(
        "GET /flex/v1beta1/orders?limit=100&offset=0 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    let clients = o.clients;
    let per = n.div_ceil(clients);
    let t0 = Instant::now();
    let mut joins = Vec::new();
    for _ in 0..clients {
        let mut c = connect()?;
        let request = request.clone();
        joins.push(thread::spawn(move || -> Result<(usize, usize), String> {
            let mut bytes = 0;
            for _ in 0..per {
                let (status, body) = exchange(&mut c, &request)?;
                if status != 200 {
                    return Err(format!("status {status}"));
                }
                bytes += body.len();
            }
            Ok((per, bytes))
        }));
    }
    let mut done = 0;
    let mut bytes = 0;
    for j in joins {
        let (d, b) = j.join().map_err(|_| "client thread panicked")??;
        done += d;
        bytes += b;
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "flexedge-mock bench: {done} requests for a 100-record GreenLake orders page in {secs:.3} s = {:.0} requests/s ({} KiB/response, {} keep-alive client connections, {} records/source)",
        done as f64 / secs.max(1e-9),
        bytes / done.max(1) / 1024,
        clients,
        o.cfg.records_per_source
    );
    running.shutdown();
    Ok(())
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(n) = o.bench {
        return match bench(&o, n.max(1)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("flexedge-mock bench failed: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let running = match start(&o, o.port) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("flexedge-mock: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "flexedge-mock listening on http://127.0.0.1:{} (seed {}, {} records/source)",
        running.port, o.cfg.seed, o.cfg.records_per_source
    );
    let _ = std::io::stdout().flush();
    // Ctrl-C and SIGTERM end the process (default disposition); --max-seconds ends it too.
    match o.max_seconds {
        Some(s) => {
            thread::sleep(Duration::from_secs(s));
            running.shutdown();
        }
        None => {
            let _ = running.accept.join();
        }
    }
    ExitCode::SUCCESS
}
