//! Logs on stderr through `tracing`, with every line scrubbed of secrets.
//!
//! Verbosity follows DESIGN.md §2: warnings by default, `-v` retries and progress notes,
//! `-vv` each request and answer status, `-vvv` headers and bodies, `-q` errors only. Only
//! licctl's own events are shown — a dependency's debug output could carry a URL with a
//! token — and the writer passes each line through [`crate::http::redact::scrub`] anyway.

use std::io::Write;

use tracing::Level;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the stderr logger for `verbose` (`-v` count) and `quiet`.
pub fn init(verbose: u8, quiet: bool) {
    let level = if quiet {
        Level::ERROR
    } else {
        match verbose {
            0 => Level::WARN,
            1 => Level::INFO,
            2 => Level::DEBUG,
            _ => Level::TRACE,
        }
    };
    let filter = tracing_subscriber::filter::Targets::new().with_target("licctl", level);
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(ScrubbingStderr)
        .with_ansi(false)
        .event_format(Plain);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init();
}

/// `warning: ...`, `info: ...`: the same shape as the `error:` / `hint:` lines of `main`, without
/// timestamps or targets (a CLI's stderr is read by people and CI logs, not log shippers).
struct Plain;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for Plain
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let label = match *event.metadata().level() {
            Level::ERROR => "error",
            Level::WARN => "warning",
            Level::INFO => "info",
            Level::DEBUG => "debug",
            Level::TRACE => "trace",
        };
        write!(writer, "{label}: ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// A stderr writer that redacts secrets from every chunk it is given.
#[derive(Clone, Copy)]
struct ScrubbingStderr;

impl<'a> MakeWriter<'a> for ScrubbingStderr {
    type Writer = Scrubbed;
    fn make_writer(&'a self) -> Self::Writer {
        Scrubbed(Vec::new())
    }
}

/// Buffers one event and writes it scrubbed when dropped.
struct Scrubbed(Vec<u8>);

impl Write for Scrubbed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Scrubbed {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let text = crate::http::redact::scrub(&String::from_utf8_lossy(&self.0));
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}
