//! Rendering DOT text to SVG, PNG or PDF with Graphviz's `dot`: the text
//! goes to `dot` through a pipe (no temporary file), the drawing comes back
//! on its standard output.
//!
//! **Invariant:** the one place that starts a process. It knows DOT only
//! as text (the AST is `export::dot`'s), and the same text gives the same
//! bytes: the one timestamp Graphviz writes (a PDF's creation date) is
//! replaced by a fixed one. On Linux `dot` is killed when the thread that
//! started it dies, so a killed run leaves no Graphviz behind.

use std::io::{self, Write};
use std::process::{Command, ExitStatus, Stdio};

/// A format Graphviz draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Svg,
    Png,
    Pdf,
}

impl ImageFormat {
    /// The format a file extension asks for (case-insensitive).
    pub fn from_extension(ext: &str) -> Option<ImageFormat> {
        match ext.to_ascii_lowercase().as_str() {
            "svg" => Some(ImageFormat::Svg),
            "png" => Some(ImageFormat::Png),
            "pdf" => Some(ImageFormat::Pdf),
            _ => None,
        }
    }

    /// `dot`'s flag for this format.
    fn flag(self) -> &'static str {
        match self {
            ImageFormat::Svg => "-Tsvg",
            ImageFormat::Png => "-Tpng",
            ImageFormat::Pdf => "-Tpdf",
        }
    }
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "Graphviz's `dot` program was not found on the PATH; install Graphviz \
         (apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/), \
         or write the DOT text instead with -o FILE.dot"
    )]
    NotFound,
    #[error("Graphviz's `dot` could not be run: {0}")]
    Start(io::Error),
    /// `dot` ended badly: how (exit status or signal), then what it
    /// printed on stderr, trimmed.
    #[error("Graphviz's `dot` failed: {0}")]
    Failed(String),
}

/// At most this many bytes of `dot`'s stderr go into a message (its end,
/// where the cause is).
const STDERR_MAX: usize = 2000;

/// Renders DOT text to `format`, in memory.
///
/// # Complexity
/// Graphviz's layout; the text is written to `dot`'s standard input while
/// its output is read, so neither waits on the other.
pub fn render(dot: String, format: ImageFormat) -> Result<Vec<u8>, RenderError> {
    let mut command = Command::new("dot");
    command
        .arg(format.flag())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    die_with_parent(&mut command);
    let mut child = command.spawn().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => RenderError::NotFound,
        _ => RenderError::Start(e),
    })?;
    let mut stdin = child.stdin.take();
    let output = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(pipe) = stdin.as_mut() {
                // A `dot` that stops reading (it crashed, or refused the
                // text) closes the pipe; its exit status says why.
                let _ = pipe.write_all(dot.as_bytes());
            }
            drop(stdin);
        });
        child.wait_with_output()
    })
    .map_err(RenderError::Start)?;
    if !output.status.success() {
        return Err(RenderError::Failed(failure(output.status, &output.stderr)));
    }
    Ok(match format {
        ImageFormat::Pdf => fixed_pdf_date(output.stdout),
        _ => output.stdout,
    })
}

/// How `dot` ended and what it said: `killed by signal 11 (SIGSEGV); it
/// printed: ...`, or `exited with status 1; ...`.
fn failure(status: ExitStatus, stderr: &[u8]) -> String {
    let ended = ended(status);
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.is_empty() {
        return format!("{ended}, printing nothing on stderr");
    }
    let tail = if text.len() > STDERR_MAX {
        let mut at = text.len() - STDERR_MAX;
        while !text.is_char_boundary(at) {
            at += 1;
        }
        format!("...{}", &text[at..])
    } else {
        text.to_string()
    };
    format!("{ended}; it printed: {tail}")
}

/// `exited with status N` or `killed by signal N (NAME)`.
fn ended(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let core = if status.core_dumped() {
                ", core dumped"
            } else {
                ""
            };
            return match signal_name(sig) {
                Some(name) => format!("it was killed by signal {sig} ({name}{core})"),
                None => format!("it was killed by signal {sig}{core}"),
            };
        }
    }
    match status.code() {
        Some(code) => format!("it exited with status {code}"),
        None => format!("it ended with {status}"),
    }
}

/// The usual name of the signals a crashing or killed program gets.
#[cfg(unix)]
fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        _ => return None,
    })
}

/// On Linux, asks the kernel to kill `dot` when the thread that started it
/// ends (a run killed with -9 included); `render` waits for `dot` on that
/// same thread, so this never cuts a drawing short.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id();
    // SAFETY: the closure runs in the child between fork and exec; it
    // allocates nothing and makes only async-signal-safe system calls
    // (prctl, getppid, kill, getpid).
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(io::Error::last_os_error());
            }
            // The parent died before the request took effect.
            if u32::try_from(libc::getppid()).ok() != Some(parent) {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut Command) {}

/// Replaces the PDF's `/CreationDate (D:…)` by the same number of bytes of
/// a fixed date, so that offsets in the file stay right.
fn fixed_pdf_date(mut pdf: Vec<u8>) -> Vec<u8> {
    const KEY: &[u8] = b"/CreationDate (D:";
    let Some(at) = pdf.windows(KEY.len()).position(|w| w == KEY) else {
        return pdf;
    };
    let start = at + KEY.len();
    let Some(len) = pdf[start..].iter().position(|&b| b == b')') else {
        return pdf;
    };
    // D:YYYYMMDDHHmmSS then an optional zone: keep the length, zero the time.
    let fixed = b"19700101000000Z00'00'";
    for (i, b) in pdf[start..start + len].iter_mut().enumerate() {
        *b = fixed.get(i).copied().unwrap_or(b' ');
    }
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_pick_the_format() {
        assert_eq!(ImageFormat::from_extension("SVG"), Some(ImageFormat::Svg));
        assert_eq!(ImageFormat::from_extension("png"), Some(ImageFormat::Png));
        assert_eq!(ImageFormat::from_extension("pdf"), Some(ImageFormat::Pdf));
        assert_eq!(ImageFormat::from_extension("jpg"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_failure_says_how_dot_ended_and_what_it_printed() {
        use std::os::unix::process::ExitStatusExt;
        let crashed = failure(ExitStatus::from_raw(libc::SIGSEGV), b"");
        assert_eq!(
            crashed,
            "it was killed by signal 11 (SIGSEGV), printing nothing on stderr"
        );
        let refused = failure(
            ExitStatus::from_raw(1 << 8),
            b"\nError: <stdin>: syntax error in line 1 near 'x'\n\n",
        );
        assert_eq!(
            refused,
            "it exited with status 1; it printed: Error: <stdin>: syntax error in line 1 near 'x'"
        );
        let long = "é".repeat(STDERR_MAX);
        let cut = failure(ExitStatus::from_raw(2 << 8), long.as_bytes());
        assert!(cut.starts_with("it exited with status 2; it printed: ..."));
        assert!(cut.len() < STDERR_MAX + 60, "{}", cut.len());
    }

    #[test]
    fn the_pdf_date_is_fixed_in_place() {
        let pdf = b"x /CreationDate (D:20261126130409Z) y".to_vec();
        let fixed = fixed_pdf_date(pdf.clone());
        assert_eq!(fixed.len(), pdf.len());
        assert_eq!(fixed, b"x /CreationDate (D:19700101000000Z) y".to_vec());
    }
}
