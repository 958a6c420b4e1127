//! # unitlab-engine
//!
//! A pure-Rust engine for systemd 252 unit files. (Crate docs are completed in `README.md` and below.)
#![forbid(unsafe_code)]

pub mod diag;
pub mod fs;
pub mod load;
pub mod name;
pub mod syntax;
