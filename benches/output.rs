//! Throughput and memory of the output sink: 1,000,000 synthetic nested items through jsonl,
//! csv and json into `std::io::sink()`.
//!
//! Streaming is a promise of DESIGN.md §2 (a list is written as pages arrive, never collected),
//! so besides items/second this checks that the process's peak resident memory (VmHWM, Linux)
//! does not grow with the item count: it fails if the peak grows by more than 64 MiB while the
//! million items go through. std timing only, no harness: `cargo bench --bench output`.

use std::hint::black_box;
use std::time::Instant;

use licctl::output::{Format, OutputOptions, Shape, Sink};
use serde_json::{json, Value};

const ITEMS: u64 = 1_000_000;
const MAX_GROWTH_KIB: u64 = 64 * 1024;

/// One usage row shaped like the vendors' answers: nested objects, an array, a null.
fn item(i: u64) -> Value {
    json!({
        "id": i,
        "customer": {"id": format!("C-{:06}", i % 5_000), "name": "Contoso Ltd", "country": "DE"},
        "product": {"code": "SQL-ENT-2C", "name": "SQL Server Enterprise Core", "edition": null},
        "period": {"start": "2025-01-01", "end": "2025-01-31"},
        "metric": "cores",
        "quantity": i % 64,
        "amount": (i % 10_000) as f64 / 100.0,
        "tags": ["spla", "monthly"],
    })
}

/// Peak resident set size in KiB, from /proc/self/status (None off Linux).
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(format: Format) -> f64 {
    let opts = OutputOptions::default();
    let mut sink = Sink::to_writer(Box::new(std::io::sink()), format, &opts, Shape::List, &[]);
    let start = Instant::now();
    for i in 0..ITEMS {
        sink.write_item(black_box(&item(i))).expect("write");
    }
    sink.finish().expect("finish");
    let secs = start.elapsed().as_secs_f64();
    let rate = ITEMS as f64 / secs;
    let name = format!("{format:?}").to_lowercase();
    println!("{name:>8}: {ITEMS} items in {secs:5.2} s = {rate:>9.0} items/s (building each item included)");
    rate
}

/// The cost of building the synthetic items alone, to read the per-format numbers against.
fn baseline() {
    let start = Instant::now();
    for i in 0..ITEMS {
        black_box(item(i));
    }
    let secs = start.elapsed().as_secs_f64();
    let rate = ITEMS as f64 / secs;
    println!(
        "{:>8}: {ITEMS} items in {secs:5.2} s = {rate:>9.0} items/s (no output)",
        "build"
    );
}

fn main() {
    // Warm up allocator and code paths so the baseline is not the empty process.
    for format in [Format::Jsonl, Format::Csv, Format::Json] {
        let mut sink = Sink::to_writer(
            Box::new(std::io::sink()),
            format,
            &OutputOptions::default(),
            Shape::List,
            &[],
        );
        for i in 0..1_000 {
            sink.write_item(&item(i)).expect("write");
        }
        sink.finish().expect("finish");
    }
    let before = vm_hwm_kib();

    baseline();
    for format in [Format::Jsonl, Format::Csv, Format::Json] {
        black_box(run(format));
    }

    match (before, vm_hwm_kib()) {
        (Some(before), Some(after)) => {
            let growth = after.saturating_sub(before);
            println!(
                "peak memory (VmHWM): {before} KiB before, {after} KiB after, growth {growth} KiB"
            );
            if growth > MAX_GROWTH_KIB {
                eprintln!(
                    "FAIL: peak memory grew by {growth} KiB (> {MAX_GROWTH_KIB} KiB) over {ITEMS} items: \
                     the sink is buffering instead of streaming"
                );
                std::process::exit(1);
            }
        }
        _ => println!("peak memory: VmHWM not available on this platform, not checked"),
    }
}
