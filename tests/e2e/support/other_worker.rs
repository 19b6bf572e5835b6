//! A second Worker beside the suite's own, for settings the shared one cannot have (another
//! email backend, no `PUBLIC_BASE_URL`, other encryption keys). It talks to the same fakes,
//! runs over its own state directory (or one a test prepared), and its process group is
//! stopped when it is dropped.

use std::path::PathBuf;
use std::process::Child;
use std::time::{SystemTime, UNIX_EPOCH};

use super::world::{apply_migrations, repo_root, spawn_worker, wait_until_up, world};

/// A running second Worker.
pub struct OtherWorker {
    child: Child,
    pub base_url: String,
    pub log_path: PathBuf,
    pub state_dir: PathBuf,
}

/// A new state directory under `target/e2e/` with the migrations applied.
pub fn fresh_state_dir(tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let state_dir = repo_root().join(format!("target/e2e/{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&state_dir).unwrap();
    apply_migrations(&state_dir);
    state_dir
}

impl OtherWorker {
    /// Starts a Worker over a fresh state directory with `vars` (`NAME:value`) set last.
    pub fn start(tag: &str, vars: &[&str]) -> OtherWorker {
        Self::start_in(fresh_state_dir(tag), vars)
    }

    /// Starts a Worker over `state_dir` (migrated, perhaps filled by the test) with `vars`.
    pub fn start_in(state_dir: PathBuf, vars: &[&str]) -> OtherWorker {
        let extra: Vec<String> = vars
            .iter()
            .flat_map(|var| ["--var".to_owned(), (*var).to_owned()])
            .collect();
        let (child, base_url, log_path) = spawn_worker(&state_dir, &world().fakes_url, &extra);
        let worker = OtherWorker {
            child,
            base_url,
            log_path,
            state_dir,
        };
        wait_until_up(&worker.base_url, &worker.log_path);
        worker
    }

    /// What this Worker has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

impl Drop for OtherWorker {
    fn drop(&mut self) {
        // SAFETY: signalling the process group this test created; no memory is touched.
        unsafe {
            libc::killpg(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}
