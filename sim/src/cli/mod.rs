//! Argument parsing and dispatch. Each verb lives in its own file and only parses, calls the
//! engine and renders.
use std::ffi::OsString;

/// Runs the command line and returns the process exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let _ = args;
    eprintln!("unitlab: nothing here yet");
    1
}
