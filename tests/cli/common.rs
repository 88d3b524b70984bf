//! Shared test helpers: an isolated environment for the binary (own HOME, XDG dirs, no
//! LICCTL_* or CI from the developer's shell, no backtraces), and sandboxes to point it at.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use licctl::sandbox::{spawn_background, BackgroundSandbox, SandboxOptions};

/// A throwaway home for one test: config and cache dirs live inside it.
pub struct TestEnv {
    dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> Self {
        TestEnv {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.path()
            .join("config")
            .join("licctl")
            .join("config.toml")
    }

    pub fn write_config(&self, text: &str) -> PathBuf {
        let p = self.config_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        p
    }

    /// The binary with a clean environment rooted in this test's home.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("licctl").expect("binary");
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("LICCTL_") || k == "CI" || k.starts_with("XDG_") {
                c.env_remove(&k);
            }
        }
        c.env("HOME", self.path())
            .env("USERPROFILE", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env("RUST_BACKTRACE", "0")
            .env("NO_COLOR", "1")
            .timeout(std::time::Duration::from_secs(120));
        c
    }

    /// The binary pointed at `sb` through the LICCTL_* variables the sandbox prints.
    pub fn cmd_for(&self, sb: &BackgroundSandbox) -> Command {
        let mut c = self.cmd();
        for (k, v) in sb.env_exports() {
            c.env(k, v);
        }
        c
    }
}

/// A sandbox with default data on an ephemeral loopback port.
pub fn sandbox() -> BackgroundSandbox {
    sandbox_with(SandboxOptions::default())
}

pub fn sandbox_with(opts: SandboxOptions) -> BackgroundSandbox {
    spawn_background(opts).expect("sandbox starts")
}

/// stdout of a finished command as text.
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr of a finished command as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// stdout parsed as JSON.
pub fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(o)))
}

/// Runs a wiremock server on a private runtime, for tests that drive the (blocking) binary.
pub struct Mock {
    pub rt: tokio::runtime::Runtime,
    pub server: wiremock::MockServer,
}

impl Mock {
    pub fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(wiremock::MockServer::start());
        Mock { rt, server }
    }

    pub fn mount(&self, mock: wiremock::Mock) {
        self.rt.block_on(mock.mount(&self.server));
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    pub fn requests(&self) -> Vec<wiremock::Request> {
        self.rt
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }
}
