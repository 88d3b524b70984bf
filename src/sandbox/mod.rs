//! The built-in sandbox: every vendor API licctl speaks, emulated on loopback.
//!
//! It exists so that users can try every command without credentials (`licctl sandbox`,
//! `licctl demo`) and so that licctl's tests talk real HTTP to a real server instead of
//! mocking inside the process.
//!
//! Layout: this file owns the server (listening, TLS, graceful shutdown, the handles), the
//! shared state and the router that merges the vendors; `middleware.rs` records requests and
//! injects `--latency-ms` and `--chaos`; `data.rs` generates deterministic fake data; each
//! vendor API is one file with a `router` function and an `env_exports` function, listed once
//! in `VENDORS`. Adding a vendor is that file, its line in `VENDORS` and its token in
//! [`Credentials`].
//!
//! Everything is deterministic from `--seed`: the data, the credentials and which requests
//! chaos fails. Only the TLS keys are fresh for every start.

mod acronis;
mod bigfix;
mod data;
mod middleware;
mod ocreporter;
mod otc;
mod params;
mod tls;
mod veeam;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use futures::FutureExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::error::{Error, Result};

pub use middleware::{ChaosAnswer, RecordedRequest};

/// How long a graceful shutdown waits for requests in flight before cutting connections.
const GRACE: Duration = Duration::from_secs(5);

/// Every emulated vendor API: its routes and the variables that point licctl at it.
/// Adding a vendor is one file under `src/sandbox/` and one line here.
const VENDORS: &[Vendor] = &[
    Vendor {
        router: ocreporter::router,
        env_exports: ocreporter::env_exports,
    },
    Vendor {
        router: otc::router,
        env_exports: otc::env_exports,
    },
    Vendor {
        router: acronis::router,
        env_exports: acronis::env_exports,
    },
    Vendor {
        router: bigfix::router,
        env_exports: bigfix::env_exports,
    },
    Vendor {
        router: veeam::router,
        env_exports: veeam::env_exports,
    },
];

/// One vendor API of the sandbox.
struct Vendor {
    /// The vendor's routes, with its own state already applied.
    router: fn(&Arc<SandboxState>) -> Router,
    /// `LICCTL_<VENDOR>_*` variables for a sandbox listening at the given base URL.
    env_exports: fn(&str, &Credentials) -> Vec<(String, String)>,
}

/// How a sandbox behaves; the library-side twin of [`SandboxArgs`], for tests and the demo.
#[derive(Clone, Debug)]
pub struct SandboxOptions {
    /// TCP port on 127.0.0.1; 0 picks a free ephemeral port.
    pub port: u16,
    /// Seed of all generated data, credentials and chaos decisions.
    pub seed: u64,
    /// How many records the large collections hold (e.g. BigFix custom metrics).
    pub scale: u64,
    /// Share of requests answered with a failure (0.0 never ..= 1.0 always).
    pub chaos: f64,
    /// Delay added before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Serve HTTPS with a freshly generated certificate authority.
    pub tls: bool,
    /// Lifetime of the OAuth / session tokens the sandbox issues (Acronis, Veeam), in
    /// seconds; short lifetimes exercise licctl's refresh.
    pub token_ttl_secs: u64,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            port: 0,
            seed: 42,
            scale: 100,
            chaos: 0.0,
            latency_ms: 0,
            tls: false,
            token_ttl_secs: 3600,
        }
    }
}

/// Run a local emulation of every vendor API, for trying licctl without credentials.
///
/// Prints `export NAME='value'` lines on stdout (the URL and token of every vendor, and
/// LICCTL_CA_CERT with --tls), then serves until Ctrl-C. Because it keeps running,
/// `eval "$(licctl sandbox)"` would wait forever: run it in the background with the exports
/// in a file instead, `licctl --out sandbox.env sandbox &`, and `. ./sandbox.env` once the
/// file exists (--out writes it atomically: once there, it is complete).
///
/// Data, tokens and chaos failures are deterministic from --seed.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// TCP port to listen on at 127.0.0.1 (0 picks a free port)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub port: u16,

    /// Seed for the generated data, the tokens and the chaos decisions
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub seed: u64,

    /// How many records the large collections hold (e.g. BigFix custom metrics)
    #[arg(long, default_value_t = 100, value_name = "N",
          value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub scale: u64,

    /// Share of requests answered with 429 (Retry-After: 1), 503 or a dropped connection,
    /// from 0.0 (never) to 1.0 (always)
    #[arg(long, default_value_t = 0.0, value_name = "RATE", value_parser = parse_rate)]
    pub chaos: f64,

    /// Delay added before every answer, in milliseconds
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub latency_ms: u64,

    /// Serve HTTPS with a generated CA; its certificate file is exported as LICCTL_CA_CERT
    #[arg(long)]
    pub tls: bool,

    /// Lifetime of issued OAuth / session tokens (Acronis, Veeam) in seconds
    #[arg(long, default_value_t = 3600, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub token_ttl: u64,
}

impl From<SandboxArgs> for SandboxOptions {
    fn from(args: SandboxArgs) -> Self {
        SandboxOptions {
            port: args.port,
            seed: args.seed,
            scale: args.scale,
            chaos: args.chaos,
            latency_ms: args.latency_ms,
            tls: args.tls,
            token_ttl_secs: args.token_ttl,
        }
    }
}

/// clap value parser for `--chaos`: a number in 0.0..=1.0.
fn parse_rate(s: &str) -> std::result::Result<f64, String> {
    let rate: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number between 0.0 and 1.0"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("`{s}` is not between 0.0 and 1.0"))
    }
}

/// The sandbox's own credentials, derived from the seed, which licctl must present.
///
/// These are not secrets (they are printed by `licctl sandbox`), but `Debug` still hides
/// them so they never end up in logs next to real ones.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// The BigFix Inventory API token (`?token=` or `Token:` header): 40 hex digits.
    pub bigfix_token: String,
    /// OC Reporter `_token`.
    pub ocr_token: String,
    /// OC Reporter OCID, sent as `_tenant`.
    pub ocr_tenant: String,
    /// OTC Enterprise Dashboard API key (bearer).
    pub otc_api_key: String,
    /// OTC Grafana user (HTTP Basic).
    pub otc_grafana_user: String,
    /// OTC Grafana password (HTTP Basic).
    pub otc_grafana_password: String,
    /// Acronis API client id.
    pub acronis_client_id: String,
    /// Acronis API client secret.
    pub acronis_client_secret: String,
    /// Acronis tenant the client belongs to (a UUID).
    pub acronis_tenant_id: String,
    /// Veeam VSPC user name (password grant).
    pub veeam_username: String,
    /// Veeam VSPC password (password grant).
    pub veeam_password: String,
    /// Veeam VSPC static API key (bearer).
    pub veeam_api_key: String,
}

impl Credentials {
    /// The credentials of a sandbox started with `seed`.
    fn from_seed(seed: u64) -> Self {
        Credentials {
            bigfix_token: data::DataGen::new(seed, "credentials/bigfix").hex(40),
            ocr_token: data::DataGen::new(seed, "credentials/ocr").hex(40),
            ocr_tenant: format!(
                "OC-{}",
                data::DataGen::new(seed, "credentials/ocr-tenant").int(100_000..=999_999)
            ),
            otc_api_key: data::DataGen::new(seed, "credentials/otc").hex(48),
            otc_grafana_user: "sandbox-admin".to_owned(),
            otc_grafana_password: data::DataGen::new(seed, "credentials/otc-grafana").hex(16),
            acronis_client_id: data::DataGen::new(seed, "credentials/acronis-id").uuid(),
            acronis_client_secret: data::DataGen::new(seed, "credentials/acronis-secret").hex(32),
            acronis_tenant_id: data::DataGen::new(seed, "credentials/acronis-tenant").uuid(),
            veeam_username: "svc-licctl".to_owned(),
            veeam_password: data::DataGen::new(seed, "credentials/veeam").hex(20),
            veeam_api_key: data::DataGen::new(seed, "credentials/veeam-key").hex(48),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("bigfix_token", &crate::http::redact::MASK)
            .finish_non_exhaustive()
    }
}

/// State shared by the middleware and every vendor: options, credentials and the request log.
/// Vendors keep their own mutable data in their own state struct, behind a `Mutex`.
struct SandboxState {
    /// The options the sandbox was started with.
    opts: SandboxOptions,
    /// The credentials every vendor checks.
    credentials: Credentials,
    /// Every request received, in arrival order.
    log: Mutex<Vec<RecordedRequest>>,
    /// Requests received so far (drives chaos).
    seq: AtomicU64,
    /// Chaos answers given so far (rotates their kind).
    chaos_seq: AtomicU64,
}

impl SandboxState {
    /// Fresh state for a sandbox started with `opts`.
    fn new(opts: SandboxOptions) -> Self {
        SandboxState {
            credentials: Credentials::from_seed(opts.seed),
            opts,
            log: Mutex::new(Vec::new()),
            seq: AtomicU64::new(0),
            chaos_seq: AtomicU64::new(0),
        }
    }

    /// The generator for one collection (see `data.rs`).
    fn data(&self, label: &str) -> data::DataGen {
        data::DataGen::new(self.opts.seed, label)
    }

    /// Numbers an arriving request.
    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    /// Numbers a chaos answer.
    fn next_chaos_seq(&self) -> u64 {
        self.chaos_seq.fetch_add(1, Ordering::SeqCst)
    }
}

/// Locks a mutex, ignoring poisoning: a panicked handler must not take the sandbox down.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `{"error": message}` with `status`: the error shape of BigFix and of the sandbox itself.
fn json_error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// One router for all vendors, wrapped in the recording/latency/chaos middleware.
fn app(state: &Arc<SandboxState>) -> Router {
    VENDORS
        .iter()
        .fold(Router::new(), |app, vendor| {
            app.merge((vendor.router)(state))
        })
        .fallback(|| async { json_error(StatusCode::NOT_FOUND, "not found") })
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(state),
            middleware::observe,
        ))
}

/// What both handles expose: where the sandbox listens and what it has seen.
struct Endpoint {
    addr: SocketAddr,
    base_url: String,
    state: Arc<SandboxState>,
    /// Kept alive with the sandbox; `None` without TLS.
    ca: Option<tls::CaFile>,
}

impl Endpoint {
    /// Every vendor's variables, then `LICCTL_CA_CERT` with TLS.
    fn env_exports(&self) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = VENDORS
            .iter()
            .flat_map(|v| (v.env_exports)(&self.base_url, &self.state.credentials))
            .collect();
        if let Some(ca) = &self.ca {
            vars.push((
                "LICCTL_CA_CERT".to_owned(),
                ca.path.to_string_lossy().into_owned(),
            ));
        }
        vars
    }
}

/// Accessors shared by [`Sandbox`] and [`BackgroundSandbox`], written once.
macro_rules! endpoint_accessors {
    () => {
        /// The address the sandbox listens on (always 127.0.0.1).
        pub fn addr(&self) -> SocketAddr {
            self.endpoint.addr
        }

        /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS (the certificate
        /// names both `localhost` and `127.0.0.1`).
        pub fn base_url(&self) -> String {
            self.endpoint.base_url.clone()
        }

        /// The credentials the sandbox accepts.
        pub fn credentials(&self) -> &Credentials {
            &self.endpoint.state.credentials
        }

        /// The options the sandbox was started with.
        pub fn options(&self) -> &SandboxOptions {
            &self.endpoint.state.opts
        }

        /// `(NAME, value)` pairs that point licctl at this sandbox: `LICCTL_BIGFIX_URL`,
        /// `LICCTL_BIGFIX_TOKEN`, ..., and `LICCTL_CA_CERT` with TLS.
        pub fn env_exports(&self) -> Vec<(String, String)> {
            self.endpoint.env_exports()
        }

        /// Every request received since start (or the last [`clear_requests`](Self::clear_requests)),
        /// in arrival order, chaos-answered ones included.
        pub fn requests(&self) -> Vec<RecordedRequest> {
            lock(&self.endpoint.state.log).clone()
        }

        /// How many requests are in the log.
        pub fn request_count(&self) -> usize {
            lock(&self.endpoint.state.log).len()
        }

        /// Empties the request log (the arrival counter that drives chaos keeps counting).
        pub fn clear_requests(&self) {
            lock(&self.endpoint.state.log).clear();
        }

        /// The CA certificate (PEM) to trust with TLS; `None` without.
        pub fn ca_cert_path(&self) -> Option<PathBuf> {
            self.endpoint.ca.as_ref().map(|ca| ca.path.clone())
        }
    };
}

/// A running sandbox on the caller's tokio runtime.
///
/// Dropping it stops accepting connections; [`shutdown`](Sandbox::shutdown) also waits for
/// requests in flight.
pub struct Sandbox {
    endpoint: Arc<Endpoint>,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    endpoint_accessors!();

    /// Stops accepting, lets requests in flight finish (at most a few seconds), and returns
    /// once every connection is closed.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
    }
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.endpoint.base_url)
            .finish_non_exhaustive()
    }
}

/// Starts a sandbox on 127.0.0.1 on the current tokio runtime.
///
/// Fails with a usage error when the port is taken or an option is out of range, and with an
/// internal error when the TLS material cannot be made.
pub async fn start(opts: SandboxOptions) -> Result<Sandbox> {
    if !(0.0..=1.0).contains(&opts.chaos) {
        return Err(Error::usage(format!(
            "sandbox chaos rate {} is not between 0.0 and 1.0",
            opts.chaos
        )));
    }
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))
        .await
        .map_err(|e| {
            Error::usage(format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))
                .with_hint("choose another --port, or 0 for any free one")
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::internal(format!("sandbox listener address: {e}")))?;
    let (acceptor, ca) = if opts.tls {
        let (acceptor, ca) = tls::setup()?;
        (Some(acceptor), Some(ca))
    } else {
        (None, None)
    };
    let base_url = if opts.tls {
        format!("https://localhost:{}", addr.port())
    } else {
        format!("http://127.0.0.1:{}", addr.port())
    };

    let state = Arc::new(SandboxState::new(opts));
    let router = app(&state);
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve(listener, router, acceptor, stopped));
    Ok(Sandbox {
        endpoint: Arc::new(Endpoint {
            addr,
            base_url,
            state,
            ca,
        }),
        stop,
        server,
    })
}

/// Resolves once shutdown is requested (or the handle that could request it is gone).
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|&stop| stop).await;
}

/// The accept loop: one task per connection, all of them drained on shutdown.
async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(
                        stream,
                        router.clone(),
                        tls.clone(),
                        stop.clone(),
                    ));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            () = stop_requested(&mut stop) => break,
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    // Every connection watches the same signal and closes once its request in flight is
    // answered; wait for that, but not forever.
    let _ = tokio::time::timeout(GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

/// Optional TLS handshake, then HTTP/1.1 until the client leaves or shutdown.
async fn serve_connection(
    stream: TcpStream,
    router: Router,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    match tls {
        None => serve_http(TokioIo::new(stream), router, stop).await,
        Some(acceptor) => {
            let handshake = tokio::select! {
                hs = acceptor.accept(stream) => hs,
                () = stop_requested(&mut stop) => return,
            };
            // A client that does not trust the certificate aborts here; nothing to answer.
            if let Ok(stream) = handshake {
                serve_http(TokioIo::new(stream), router, stop).await;
            }
        }
    }
}

/// The error that makes hyper close a connection without answering (chaos).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by sandbox chaos")]
struct ConnectionDropped;

/// HTTP/1.1 on one connection: the router behind a hyper service that hangs up on chaos's
/// [`middleware::DropConnection`] marker, with a graceful close on shutdown.
async fn serve_http<I>(io: I, router: Router, mut stop: watch::Receiver<bool>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let router = router.clone();
        async move {
            let resp = match router.oneshot(req).await {
                Ok(resp) => resp,
                Err(never) => match never {},
            };
            if resp
                .extensions()
                .get::<middleware::DropConnection>()
                .is_some()
            {
                Err(ConnectionDropped)
            } else {
                Ok(resp)
            }
        }
    });
    let mut conn = pin!(hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(io, service));
    let mut stopping = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            () = stop_requested(&mut stop), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// A sandbox on its own thread with its own tokio runtime, for synchronous callers: tests
/// that run the licctl binary against it, and `licctl demo`.
///
/// Dropping it shuts the sandbox down gracefully and joins the thread.
pub struct BackgroundSandbox {
    endpoint: Arc<Endpoint>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundSandbox {
    endpoint_accessors!();
}

impl Drop for BackgroundSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl fmt::Debug for BackgroundSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackgroundSandbox")
            .field("base_url", &self.endpoint.base_url)
            .finish_non_exhaustive()
    }
}

/// Starts a sandbox on a new thread with a single-threaded tokio runtime and returns once it
/// is listening. Blocks the caller for that short while, so call it outside async code (or
/// accept the brief block, as `licctl demo` does).
pub fn spawn_background(opts: SandboxOptions) -> Result<BackgroundSandbox> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<Arc<Endpoint>>>();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("licctl-sandbox".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(Error::internal(format!(
                        "starting the sandbox runtime: {e}"
                    ))));
                    return;
                }
            };
            runtime.block_on(async move {
                match start(opts).await {
                    Ok(sandbox) => {
                        let _ = ready_tx.send(Ok(Arc::clone(&sandbox.endpoint)));
                        // Either an explicit stop or the handle being dropped.
                        let _ = stop_rx.await;
                        sandbox.shutdown().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })
        .map_err(|e| Error::internal(format!("starting the sandbox thread: {e}")))?;
    match ready_rx.recv() {
        Ok(Ok(endpoint)) => Ok(BackgroundSandbox {
            endpoint,
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err(Error::internal("the sandbox thread ended before listening"))
        }
    }
}

/// Quotes `value` for a POSIX shell: `'...'`, with `'` written as `'\''`.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The `export NAME='value'` lines `licctl sandbox` prints, one per variable.
fn export_lines(vars: &[(String, String)]) -> String {
    vars.iter()
        .map(|(name, value)| format!("export {name}={}\n", shell_quote(value)))
        .collect()
}

/// `licctl sandbox`: start, print the exports on stdout, serve until Ctrl-C, shut down.
pub async fn run(args: SandboxArgs, out: &crate::output::OutputOptions) -> Result<()> {
    let sandbox = start(args.into()).await?;
    // Listen for Ctrl-C before announcing anything: a script that reads the exports and then
    // sends SIGINT must find the handler in place (tokio installs it on the first poll).
    let mut ctrl_c = pin!(tokio::signal::ctrl_c());
    if let Some(Err(e)) = ctrl_c.as_mut().now_or_never() {
        return Err(Error::internal(format!("listening for Ctrl-C: {e}")));
    }
    crate::output::print_text(out, &export_lines(&sandbox.env_exports()))?;
    let opts = sandbox.options();
    crate::output::note(&format!(
        "licctl sandbox listening on {} (seed {}, scale {}, chaos {}, latency {} ms); Ctrl-C to stop",
        sandbox.base_url(),
        opts.seed,
        opts.scale,
        opts.chaos,
        opts.latency_ms
    ));
    let waited = ctrl_c.await;
    sandbox.shutdown().await;
    waited.map_err(|e| Error::internal(format!("waiting for Ctrl-C: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    #[test]
    fn args_defaults_match_options_defaults() {
        let opts: SandboxOptions = Cli::try_parse_from(["t"]).unwrap().args.into();
        let def = SandboxOptions::default();
        assert_eq!(
            (opts.port, opts.seed, opts.scale, opts.latency_ms, opts.tls),
            (def.port, def.seed, def.scale, def.latency_ms, def.tls)
        );
        assert_eq!(opts.chaos, def.chaos);
    }

    #[test]
    fn chaos_rate_is_validated() {
        for ok in ["0", "0.0", "0.25", "1", "1.0"] {
            assert!(Cli::try_parse_from(["t", "--chaos", ok]).is_ok(), "{ok}");
        }
        for bad in ["-0.1", "1.01", "abc", "NaN", ""] {
            let err = Cli::try_parse_from(["t", "--chaos", bad]).err().unwrap();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
        assert!(Cli::try_parse_from(["t", "--scale", "1000001"]).is_err());
    }

    #[test]
    fn exports_are_shell_quoted() {
        let vars = vec![
            ("A".to_owned(), "plain".to_owned()),
            ("B".to_owned(), "it's".to_owned()),
        ];
        assert_eq!(
            export_lines(&vars),
            "export A='plain'\nexport B='it'\\''s'\n"
        );
    }

    #[test]
    fn credentials_are_deterministic_and_hidden_from_debug() {
        let a = Credentials::from_seed(42);
        assert_eq!(a, Credentials::from_seed(42));
        assert_ne!(a, Credentials::from_seed(43));
        assert!(!format!("{a:?}").contains(&a.bigfix_token));
    }
}
