//! Local fakes of Google, Microsoft, Zoom and a Resend-compatible email API, served
//! from ONE HTTP server so `make dev` and the end-to-end tests can point the
//! Worker's base URLs at it. Each real host gets a path prefix and the real path
//! follows it (`/google/api/calendar/v3/freeBusy`, `/microsoft/graph/v1.0/me`, ...);
//! `/_fake/` is the control API. Synchronous: `tiny_http` and a thread per request.
//!
//! In-process use (tests):
//! ```no_run
//! let fakes = openslot_fakes::FakeServer::start("127.0.0.1:0").unwrap();
//! let base = fakes.url(); // e.g. http://127.0.0.1:40123
//! fakes.state().set_login(openslot_fakes::Provider::Google, "ada@example.com", Some("Ada"), None);
//! ```

#![warn(missing_docs)]

pub mod control;
pub mod email;
pub mod google;
pub mod http;
pub mod ids;
pub mod microsoft;
pub mod oauth;
pub mod router;
pub mod state;
pub mod time;
pub mod zoom;

pub use state::{Provider, State};

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// How the server behaves beyond its wire formats.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Log one line per request (method, path, status; never bodies) to stderr.
    pub log_requests: bool,
}

/// A running fake server; dropping it stops accepting requests.
pub struct FakeServer {
    addr: SocketAddr,
    shared: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Starts a quiet server; `"127.0.0.1:0"` picks a free port (see [`FakeServer::url`]).
    pub fn start(bind: &str) -> std::io::Result<FakeServer> {
        FakeServer::start_with(bind, Config::default())
    }

    /// Starts a server with explicit settings (the binary logs requests).
    pub fn start_with(bind: &str, config: Config) -> std::io::Result<FakeServer> {
        let server = tiny_http::Server::http(bind).map_err(std::io::Error::other)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| std::io::Error::other("not an IP listener"))?;
        let server = Arc::new(server);
        let shared = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (server, shared, stop) = (server.clone(), shared.clone(), stop.clone());
            std::thread::Builder::new()
                .name("fakes-accept".into())
                .spawn(move || accept_loop(&server, &shared, &stop, config.log_requests))?
        };
        Ok(FakeServer {
            addr,
            shared,
            server,
            stop,
            accept: Some(accept),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`, to put in front of the provider prefixes.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Locks the shared state for direct inspection or setup in in-process tests.
    /// Do not hold the guard while making HTTP calls to this server.
    pub fn state(&self) -> MutexGuard<'_, State> {
        router::lock(&self.shared)
    }

    /// The whole state as JSON, as `GET /_fake/state` answers.
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(&*self.state()).unwrap_or_default()
    }

    /// Forgets everything, as `POST /_fake/reset` does.
    pub fn reset(&self) {
        *self.state() = State::default();
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(
    server: &tiny_http::Server,
    shared: &Arc<Mutex<State>>,
    stop: &AtomicBool,
    log: bool,
) {
    while !stop.load(Ordering::SeqCst) {
        match server.recv() {
            Ok(rq) => {
                let shared = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name("fakes-request".into())
                    .spawn(move || serve(&shared, rq, log));
                if let Err(e) = spawned {
                    eprintln!("fakes: cannot spawn a request thread: {e}");
                }
            }
            Err(_) if stop.load(Ordering::SeqCst) => break,
            Err(_) => continue,
        }
    }
}

fn serve(shared: &Mutex<State>, mut rq: tiny_http::Request, log: bool) {
    let mut body = Vec::new();
    let _ = rq.as_reader().read_to_end(&mut body);
    let headers = rq
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_string(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    let req = http::Req::new(rq.method().as_str(), rq.url(), headers, body);
    let resp = router::handle(shared, &req);
    if log {
        eprintln!("{} {} {}", req.method, req.path, resp.status);
    }
    let mut out = tiny_http::Response::from_data(resp.body).with_status_code(resp.status);
    for (k, v) in resp.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            out.add_header(h);
        }
    }
    let _ = rq.respond(out);
}
