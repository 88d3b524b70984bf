//! The OTC v2 NDJSON stream end to end in constant memory: the in-process sandbox serves
//! 1,000,000 consumption records (generated on the fly), licctl's client parses them line by
//! line as they arrive and the output sink writes them as csv into `std::io::sink()`.
//!
//! Fails if the process's peak resident memory (VmHWM, Linux) grows by more than 64 MiB while
//! the million records (~600 MB of NDJSON) go through: memory must not depend on the size of
//! the answer. std timing only, no harness: `cargo bench --bench otc_stream`.

use std::time::{Duration, Instant};

use licctl::http::{HttpClient, HttpSettings, SecretString};
use licctl::output::{write_stream, Format, OutputOptions, Shape, Sink};
use licctl::sandbox::{start, SandboxOptions};
use licctl::vendors::otc::client::OtcClient;
use licctl::vendors::otc::model::{Granularity, V2Filter, CONSUMPTION_V2_COLUMNS};

const RECORDS: u64 = 1_000_000;
const MAX_GROWTH_KIB: u64 = 64 * 1024;

/// Peak resident set size in KiB, from /proc/self/status (None off Linux).
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn stream_all(client: &OtcClient) -> u64 {
    let records = client
        .stream_v2(Granularity::Daily, &V2Filter::default())
        .await
        .expect("stream starts");
    let items = futures::StreamExt::map(records, |r| r.map(|r| r.into_raw()));
    let sink = Sink::to_writer(
        Box::new(std::io::sink()),
        Format::Csv,
        &OutputOptions::default(),
        Shape::List,
        CONSUMPTION_V2_COLUMNS,
    );
    write_stream(sink, items).await.expect("stream completes")
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sandbox = start(SandboxOptions { scale: RECORDS, ..Default::default() }).await.expect("sandbox");
        let http = HttpClient::new(HttpSettings { timeout: Duration::from_secs(3600), ..HttpSettings::default() }).expect("client");
        let base = url::Url::parse(&sandbox.base_url()).expect("url");
        let client = OtcClient::new(http, base, Some(SecretString::new(sandbox.credentials().otc_api_key.clone())));

        // Warm up: a first pass of the same stream, so the baseline is not the empty process.
        let before_warmup = vm_hwm_kib();
        let n = stream_all(&client).await;
        assert_eq!(n, RECORDS);
        let baseline = vm_hwm_kib();

        let t = Instant::now();
        let n = stream_all(&client).await;
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(n, RECORDS);
        println!("otc v2 stream → csv: {n} records in {secs:5.2} s = {:>9.0} records/s", n as f64 / secs);
        match (before_warmup, baseline, vm_hwm_kib()) {
            (Some(start), Some(base), Some(peak)) => {
                println!("peak RSS: {start} KiB at start, {base} KiB after the first million, {peak} KiB after the second");
                assert!(
                    peak.saturating_sub(start) <= MAX_GROWTH_KIB,
                    "memory grew by {} KiB streaming {RECORDS} records: it must not depend on the answer's size",
                    peak - start
                );
            }
            _ => println!("peak RSS: not available on this platform"),
        }
        sandbox.shutdown().await;
    });
}
