//! A real CalDAV server for the tests: Radicale (pinned in `tests/support/install.sh`, from
//! the Python package registry) on a free loopback port, with a throwaway store and one user
//! per test, signed in with HTTP Basic over a plain-text htpasswd file. The server stops when
//! the value is dropped.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Radicale.
pub struct Radicale {
    child: Child,
    dir: PathBuf,
    /// `http://127.0.0.1:{port}`.
    pub base: String,
}

impl Radicale {
    /// Starts Radicale with the users `(name, password)`; panics with the install hint when
    /// it is missing.
    pub fn start(users: &[(&str, &str)]) -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let binary = root.join("target/tools/venv/bin/radicale");
        assert!(
            binary.exists(),
            "Radicale is not installed: run `bash tests/support/install.sh` (make test does)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let dir = root.join(format!("target/radicale/{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("radicale dir");
        let users_file = dir.join("users");
        let lines: String = users
            .iter()
            .map(|(name, password)| format!("{name}:{password}\n"))
            .collect();
        std::fs::write(&users_file, lines).expect("users file");
        let child = Command::new(&binary)
            .args(["--server-hosts", &format!("127.0.0.1:{port}")])
            .arg("--storage-filesystem-folder")
            .arg(dir.join("store"))
            .args([
                "--auth-type",
                "htpasswd",
                "--auth-htpasswd-encryption",
                "plain",
            ])
            .arg("--auth-htpasswd-filename")
            .arg(&users_file)
            .args(["--rights-type", "owner_only", "--logging-level", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("radicale starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "radicale did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            dir,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
