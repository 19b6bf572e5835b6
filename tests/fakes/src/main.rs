//! `openslot-fakes [--port N] [--bind ADDR]`: runs the fakes until killed, for
//! `make dev` and the end-to-end harness. Prints exactly one line,
//! `fakes listening on http://127.0.0.1:PORT`, once ready.

use std::io::Write;

fn main() {
    let mut host = "127.0.0.1".to_string();
    let mut port = "8788".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().unwrap_or_else(|| usage("--port needs a value")),
            "--bind" => host = args.next().unwrap_or_else(|| usage("--bind needs a value")),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if port.parse::<u16>().is_err() {
        usage("--port must be a number 0-65535");
    }
    let config = openslot_fakes::Config { log_requests: true };
    let server = match openslot_fakes::FakeServer::start_with(&format!("{host}:{port}"), config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("openslot-fakes: cannot listen on {host}:{port}: {e}");
            std::process::exit(1);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "fakes listening on {}", server.url());
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("openslot-fakes: {problem}");
    }
    eprintln!("usage: openslot-fakes [--port 8788] [--bind 127.0.0.1]");
    std::process::exit(if problem.is_empty() { 0 } else { 2 });
}
