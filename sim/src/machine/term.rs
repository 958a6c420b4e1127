//! The terminal: stdout and stderr written to one buffer, interleaved as a terminal shows them.
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// A terminal buffer; clones write to the same buffer.
#[derive(Clone, Default)]
pub struct Term(Rc<RefCell<Vec<u8>>>);

impl Term {
    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn take(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }

    /// Writes a line (adding the newline).
    pub fn line(&self, text: &str) {
        let mut b = self.0.borrow_mut();
        b.extend_from_slice(text.as_bytes());
        b.push(b'\n');
    }
}

impl Write for Term {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
