//! Buffered standard output and standard error that keep their relative order.
//!
//! The verbs write line by line (`preset-all` writes one stderr line per link it makes: 2,048
//! `write` system calls on the 10,000-unit benchmark tree when stderr is unbuffered). Here both
//! streams share **one** pending buffer: bytes written to one stream are appended while the
//! buffer holds bytes of the same stream, and the buffer is written out first whenever the
//! other stream is written to. So the bytes reach the two file descriptors in exactly the order
//! the verbs wrote them (what a reader of `2>&1` sees does not change), with one `write` per run
//! of same-stream output instead of one per line. The buffer is also written out when it grows
//! past [`LIMIT`], on `flush`, and when the streams are dropped (the end of
//! [`run`](super::run), before the process exits with the verb's status).
//!
//! A stream that is a terminal is written through at every write, as before: a person watching
//! sees each line when it is printed.
use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};

/// The pending bytes are written out beyond this size.
pub const LIMIT: usize = 64 * 1024;

/// Which stream bytes belong to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Which {
    Out,
    Err,
}

/// The state shared by the two halves.
pub struct Shared {
    pending: Vec<u8>,
    which: Which,
    out: io::Stdout,
    err: io::Stderr,
    out_tty: bool,
    err_tty: bool,
}

impl Shared {
    /// The process's standard output and error, buffered together.
    pub fn stdio() -> RefCell<Shared> {
        let out = io::stdout();
        let err = io::stderr();
        RefCell::new(Shared {
            pending: Vec::new(),
            which: Which::Out,
            out_tty: out.is_terminal(),
            err_tty: err.is_terminal(),
            out,
            err,
        })
    }

    /// Writes the pending bytes to their stream.
    fn drain(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let r = match self.which {
            Which::Out => {
                let mut s = self.out.lock();
                s.write_all(&self.pending).and_then(|()| s.flush())
            }
            Which::Err => self.err.lock().write_all(&self.pending),
        };
        self.pending.clear();
        r
    }

    fn write(&mut self, which: Which, buf: &[u8]) -> io::Result<usize> {
        if self.which != which {
            // The other stream's bytes go first; a failure there is that stream's, not this
            // one's (unbuffered, it would have been reported to a write nobody checks now).
            let _ = self.drain();
            self.which = which;
        }
        self.pending.extend_from_slice(buf);
        let tty = match which {
            Which::Out => self.out_tty,
            Which::Err => self.err_tty,
        };
        if tty || self.pending.len() >= LIMIT {
            self.drain()?;
        }
        Ok(buf.len())
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let _ = self.drain();
    }
}

/// One of the two streams (a `Write` for [`Context`](super::Context)).
pub struct Half<'a> {
    shared: &'a RefCell<Shared>,
    which: Which,
}

impl<'a> Half<'a> {
    /// Standard output of `shared`.
    pub fn out(shared: &'a RefCell<Shared>) -> Half<'a> {
        Half {
            shared,
            which: Which::Out,
        }
    }

    /// Standard error of `shared`.
    pub fn err(shared: &'a RefCell<Shared>) -> Half<'a> {
        Half {
            shared,
            which: Which::Err,
        }
    }
}

impl Write for Half<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.shared.borrow_mut().write(self.which, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.shared.borrow_mut().drain()
    }
}
