//! Where the bytes of a [`super::Sink`] go: stdout, a file replaced atomically, or any writer.
//!
//! `--out FILE` promises a file that is complete or absent, never truncated (DESIGN.md §2). So
//! the bytes go to a temporary file created next to the target (same directory, hence same file
//! system, so the final rename is atomic) and [`Out::commit`] syncs and renames it over the
//! target. Dropping an uncommitted `Out` deletes the temporary file and leaves any existing
//! target untouched.

use std::fs;
use std::io::{self, BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Buffer size in front of stdout and files: large enough that a lock or syscall per item
/// never shows in a profile.
const BUFFER: usize = 64 * 1024;

/// The destination of one sink.
pub(crate) enum Out {
    /// The process's stdout. `BufWriter<Stdout>` rather than a `StdoutLock`, which is not `Send`.
    Stdout(BufWriter<Stdout>),
    /// `--out FILE`: a temporary file renamed over `target` on commit.
    File {
        tmp: BufWriter<NamedTempFile>,
        target: PathBuf,
    },
    /// Any writer: tests, benches, in-memory rendering.
    Writer(BufWriter<Box<dyn Write + Send>>),
}

impl Out {
    /// Buffered stdout.
    pub(crate) fn stdout() -> Out {
        Out::Stdout(BufWriter::with_capacity(BUFFER, io::stdout()))
    }

    /// A buffered writer of the caller's choice.
    pub(crate) fn writer(w: Box<dyn Write + Send>) -> Out {
        Out::Writer(BufWriter::with_capacity(BUFFER, w))
    }

    /// A temporary file next to `target`, to be renamed over it by [`Out::commit`].
    ///
    /// New files get the usual `0666 & !umask` mode rather than tempfile's private 0600, and a
    /// replaced file keeps its mode, as a shell redirection would.
    pub(crate) fn file(target: &Path) -> Result<Out> {
        check_target(target)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let tmp = builder
            .tempfile_in(parent_dir(target))
            .map_err(|e| Error::from(e).context(format!("writing {}", target.display())))?;
        if let Ok(meta) = fs::metadata(target) {
            // Best effort: a mode we cannot copy is no reason to lose the output.
            let _ = tmp.as_file().set_permissions(meta.permissions());
        }
        Ok(Out::File {
            tmp: BufWriter::with_capacity(BUFFER, tmp),
            target: target.to_owned(),
        })
    }

    /// Whether this is the process's stdout (tables then fit the terminal's width).
    pub(crate) fn is_stdout(&self) -> bool {
        matches!(self, Out::Stdout(_))
    }

    /// Flushes everything; for a file, syncs it to disk and renames it over the target.
    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Out::Stdout(mut w) => Ok(w.flush()?),
            Out::Writer(mut w) => Ok(w.flush()?),
            Out::File { tmp, target } => {
                let context = || format!("writing {}", target.display());
                let tmp = tmp
                    .into_inner()
                    .map_err(|e| Error::from(e.into_error()).context(context()))?;
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| Error::from(e).context(context()))?;
                tmp.persist(&target)
                    .map_err(|e| Error::from(e.error).context(context()))?;
                Ok(())
            }
        }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Out::Stdout(w) => w.write(buf),
            Out::File { tmp, .. } => tmp.write(buf),
            Out::Writer(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Out::Stdout(w) => w.write_all(buf),
            Out::File { tmp, .. } => tmp.write_all(buf),
            Out::Writer(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Stdout(w) => w.flush(),
            Out::File { tmp, .. } => tmp.flush(),
            Out::Writer(w) => w.flush(),
        }
    }
}

/// The directory a target lives in (`.` for a bare file name).
fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Rejects an `--out` path that cannot name a file: no file name, an existing directory, or a
/// directory that does not exist. A usage error, found before anything is fetched.
pub(crate) fn check_target(target: &Path) -> Result<()> {
    let shown = target.display();
    if target.file_name().is_none() {
        return Err(Error::usage(format!("--out {shown}: not a file name")));
    }
    if target.is_dir() {
        return Err(Error::usage(format!("--out {shown}: is a directory")));
    }
    let dir = parent_dir(target);
    if !dir.is_dir() {
        return Err(Error::usage(format!(
            "--out {shown}: directory {} does not exist",
            dir.display()
        )));
    }
    Ok(())
}
