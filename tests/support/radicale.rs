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

/// Radicale's `owner_only` rights (radicale/rights/owner_only.py: the root to read, one's
/// principal and its collections to read and write) as a rights file, with one rule before
/// them: a collection named `shared-…` may only be read, as a calendar another user shared
/// read-only. The first rule that matches decides (radicale/rights/from_file.py).
const RIGHTS_WITH_SHARED: &str =
    "[shared-read-only]\nuser: .+\ncollection: {user}/shared-[^/]+\npermissions: r\n\n\
[root]\nuser: .+\ncollection:\npermissions: R\n\n\
[principal]\nuser: .+\ncollection: {user}\npermissions: RW\n\n\
[collections]\nuser: .+\ncollection: {user}/[^/]+\npermissions: rw\n";

impl Radicale {
    /// Starts Radicale with the users `(name, password)`; panics with the install hint when
    /// it is missing.
    pub fn start(users: &[(&str, &str)]) -> Self {
        Self::launch(users, false)
    }

    /// Starts Radicale where each user may only read their collections named `shared-…`
    /// (made with [`Self::add_read_only_calendar`]).
    #[allow(dead_code)]
    pub fn start_with_shared(users: &[(&str, &str)]) -> Self {
        Self::launch(users, true)
    }

    /// Puts a calendar `shared-{name}` of `user` straight into the store, as the user could
    /// not make it over CalDAV (they may only read it); Radicale reads its properties from
    /// `.Radicale.props` (radicale/storage/multifilesystem).
    #[allow(dead_code)]
    pub fn add_read_only_calendar(&self, user: &str, name: &str, display_name: &str) -> String {
        let path = format!("{user}/shared-{name}");
        let dir = self.dir.join("store/collection-root").join(&path);
        std::fs::create_dir_all(&dir).expect("shared calendar dir");
        let props = serde_json::json!({
            "tag": "VCALENDAR",
            "D:displayname": display_name,
            "C:supported-calendar-component-set": "VEVENT",
        });
        std::fs::write(dir.join(".Radicale.props"), props.to_string()).expect("props");
        format!("{}/{path}/", self.base)
    }

    /// Puts an event file into a calendar made by [`Self::add_read_only_calendar`], as its
    /// sharer would have (Radicale keeps each item as a file named by its href).
    #[allow(dead_code)]
    pub fn add_shared_event(&self, user: &str, name: &str, file: &str, ics: &str) {
        let dir = self
            .dir
            .join("store/collection-root")
            .join(format!("{user}/shared-{name}"));
        std::fs::write(dir.join(file), ics).expect("shared event");
    }

    fn launch(users: &[(&str, &str)], shared: bool) -> Self {
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
        let rights_file = dir.join("rights");
        std::fs::write(&rights_file, RIGHTS_WITH_SHARED).expect("rights file");
        let rights: Vec<std::ffi::OsString> = if shared {
            vec![
                "--rights-type".into(),
                "from_file".into(),
                "--rights-file".into(),
                rights_file.into(),
            ]
        } else {
            vec!["--rights-type".into(), "owner_only".into()]
        };
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
            .args(rights)
            .args(["--logging-level", "warning"])
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
