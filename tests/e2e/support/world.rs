//! One running Openslot for the suite: fakes in-process, `wrangler dev` (workerd) as a child
//! process group with its own fresh `--persist-to` directory, stopped when the test binary exits.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use openslot_fakes::FakeServer;

/// The token key the suite's Worker runs with (tests only).
pub const TEST_TOKEN_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// The email API key the suite's Worker sends with (the fakes accept any non-empty key).
pub const TEST_EMAIL_API_KEY: &str = "re_test_openslot";

/// The instance's privacy address: mail to it asks for deletion or erasure.
pub const TEST_PRIVACY_ADDRESS: &str = "privacy@openslot.test";

/// The Zoom app's webhook secret token the suite's Worker verifies signatures with.
pub const TEST_ZOOM_WEBHOOK_SECRET: &str = "zoom-webhook-secret-e2e";

/// The one origin the suite's instance lets frame its booking pages.
pub const TEST_EMBED_ORIGIN: &str = "https://example.org";

/// The running system under test.
pub struct World {
    pub base_url: String,
    /// The fakes' base URL: `/_fake/emails` and friends.
    pub fakes_url: String,
    pub state_dir: PathBuf,
    /// Everything `wrangler dev` and the Worker print.
    pub log_path: PathBuf,
    /// Kept alive for as long as the Worker runs: its outside services point here.
    _fakes: FakeServer,
    /// `wrangler dev`; its whole process group is signalled at exit (see `stop_workerd`).
    _workerd: Child,
}

static WORLD: OnceLock<World> = OnceLock::new();
static WORKERD_GROUP: AtomicI32 = AtomicI32::new(0);

/// The suite's Openslot, started on first use.
pub fn world() -> &'static World {
    WORLD.get_or_init(World::start)
}

extern "C" fn stop_workerd() {
    let group = WORKERD_GROUP.load(Ordering::SeqCst);
    if group > 0 {
        // SAFETY: signalling a process group we created; no memory is touched.
        unsafe {
            libc::killpg(group, libc::SIGTERM);
        }
    }
}

/// The suite's last check, after every test: the Worker's whole log must hold no personal
/// data (support/log_scan.rs). A finding ends the test binary with a failure status.
extern "C" fn scan_log_at_exit() {
    let Some(world) = WORLD.get() else {
        return;
    };
    let log = world.worker_log();
    let found = std::panic::catch_unwind(|| super::log_scan::findings(&log)).unwrap_or_default();
    if !found.is_empty() {
        eprintln!(
            "\nthe Worker's log ({}) holds personal data: {found:?}",
            world.log_path.display()
        );
        stop_workerd();
        // SAFETY: ending the process at exit without running further handlers.
        unsafe { libc::_exit(1) }
    }
}

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A command for the pinned wrangler, with Node 22 from node_modules first on PATH and
/// wrangler's outside lookups switched off.
pub fn wrangler() -> Command {
    let root = repo_root();
    let bin = root.join("node_modules/.bin");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new(bin.join("wrangler"));
    command
        .current_dir(root)
        .env("PATH", path)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("NO_COLOR", "1");
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl World {
    fn start() -> World {
        let root = repo_root();
        assert!(
            root.join("build/index.js").exists(),
            "build/index.js is missing: run `make test`, which builds the Worker before this suite"
        );
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let state_dir = root.join(format!("target/e2e/run-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&state_dir).unwrap();
        apply_migrations(&state_dir);

        let fakes = FakeServer::start("127.0.0.1:0").expect("the fakes start");
        let suite_vars: Vec<String> = [
            format!("PRIVACY_ADDRESS:{TEST_PRIVACY_ADDRESS}"),
            format!("ZOOM_WEBHOOK_SECRET:{TEST_ZOOM_WEBHOOK_SECRET}"),
            // Webhooks may go to the tests' loopback receivers (tests/e2e/webhooks.rs).
            "LOCAL_DEVELOPMENT:true".to_owned(),
            // One cron run does all that is due, so a test's `run_cron` finishes its bookings
            // whatever else runs beside it; the free plan's turns have their own Worker
            // (tests/e2e/cron_turns.rs).
            "WORKERS_PLAN:paid".to_owned(),
        ]
        .into_iter()
        .flat_map(|var| ["--var".to_owned(), var])
        .collect();
        let (child, base_url, log_path) = spawn_worker(&state_dir, &fakes.url(), &suite_vars);
        WORKERD_GROUP.store(child.id() as i32, Ordering::SeqCst);
        // SAFETY: registering a plain extern "C" function to run at process exit.
        unsafe {
            libc::atexit(stop_workerd);
            // Registered later, so it runs first: the log is complete, workerd still up.
            libc::atexit(scan_log_at_exit);
        }
        wait_until_up(&base_url, &log_path);
        World {
            base_url,
            fakes_url: fakes.url(),
            state_dir,
            log_path,
            _fakes: fakes,
            _workerd: child,
        }
    }
}

/// Applies the D1 migrations to a fresh local state directory.
pub fn apply_migrations(state_dir: &Path) {
    let status = wrangler()
        .args(["d1", "migrations", "apply", "DB", "--local", "--persist-to"])
        .arg(state_dir)
        .stdout(Stdio::null())
        .status()
        .expect("wrangler runs");
    assert!(status.success(), "applying the D1 migrations failed");
}

/// Starts `wrangler dev` on a free port over `state_dir`, with the outside services at
/// `fakes` and `extra` flags last (a later `--var` wins); returns the child (its own process
/// group), its base URL and the file it logs to. The caller waits for it and stops it.
pub fn spawn_worker(state_dir: &Path, fakes: &str, extra: &[String]) -> (Child, String, PathBuf) {
    let port = free_port();
    let log_path = state_dir.join("workerd.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut command = wrangler();
    command
        .args([
            "dev",
            "--local",
            "--ip",
            "127.0.0.1",
            "--show-interactive-dev-session=false",
            // Exposes GET /__scheduled?cron=... so tests can run the cron trigger.
            "--test-scheduled",
        ])
        .args([
            "--port",
            &port.to_string(),
            "--inspector-port",
            &free_port().to_string(),
        ])
        .arg("--persist-to")
        .arg(state_dir)
        .args(["--var", &format!("TOKEN_ENCRYPTION_KEY:{TEST_TOKEN_KEY}")])
        .args(["--var", &format!("EMAIL_API_KEY:{TEST_EMAIL_API_KEY}")])
        // The booking pages of the suite's instance may be framed by this origin.
        .args([
            "--var",
            &format!("EMBED_ALLOWED_ORIGINS:{TEST_EMBED_ORIGIN}"),
        ])
        // Links in emails the Worker sends on its own (cron, inbound mail) need an origin.
        .args(["--var", &format!("PUBLIC_BASE_URL:http://127.0.0.1:{port}")])
        .args(fake_vars(fakes))
        .args(sign_in_vars())
        .args(extra)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0);
    let child = command.spawn().expect("wrangler dev starts");
    (child, format!("http://127.0.0.1:{port}"), log_path)
}

impl World {
    /// What the Worker has logged so far.
    pub fn worker_log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

/// `--var` flags pointing every outside service at the fakes (mirrors tests/support/fake-vars.sh).
fn fake_vars(fakes: &str) -> Vec<String> {
    [
        ("GOOGLE_ACCOUNTS_URL", "/google/accounts"),
        ("GOOGLE_OAUTH2_URL", "/google/oauth2"),
        ("GOOGLE_OPENID_URL", "/google/openidconnect"),
        ("GOOGLE_API_URL", "/google/api"),
        ("MICROSOFT_LOGIN_URL", "/microsoft/login"),
        ("MICROSOFT_GRAPH_URL", "/microsoft/graph"),
        ("ZOOM_OAUTH_URL", "/zoom"),
        ("ZOOM_API_URL", "/zoom/api"),
        ("EMAIL_API_URL", "/email/resend"),
    ]
    .iter()
    .flat_map(|(name, path)| ["--var".to_owned(), format!("{name}:{fakes}{path}")])
    .collect()
}

/// OAuth clients the fakes accept, and the suite's sign-up policy (tests/e2e/sign_in.rs).
fn sign_in_vars() -> Vec<String> {
    [
        (
            "GOOGLE_CLIENT_ID",
            "openslot-e2e.apps.googleusercontent.com",
        ),
        ("GOOGLE_CLIENT_SECRET", "e2e-google-secret"),
        (
            "MICROSOFT_CLIENT_ID",
            "00000000-0000-4000-a000-00000000e2e0",
        ),
        ("MICROSOFT_CLIENT_SECRET", "e2e-microsoft-secret"),
        ("ZOOM_CLIENT_ID", "e2eZoomClientId"),
        ("ZOOM_CLIENT_SECRET", "e2e-zoom-secret"),
        (
            "SIGNUP_POLICY",
            "allow:@hosts.example,listed@elsewhere.example",
        ),
    ]
    .iter()
    .flat_map(|(name, value)| ["--var".to_owned(), format!("{name}:{value}")])
    .collect()
}

/// Waits until the Worker at `base_url` answers `/healthz`, or fails with its log.
pub fn wait_until_up(base_url: &str, log_path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if let Ok(response) = ureq::get(&format!("{base_url}/healthz"))
            .timeout(Duration::from_secs(2))
            .call()
        {
            if response.status() == 200 {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let log = std::fs::read_to_string(log_path).unwrap_or_default();
    panic!("workerd did not answer within 90 s; its log:\n{log}");
}
