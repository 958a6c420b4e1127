//! # unitlab-sim
//!
//! The `unitlab` command line (a thin layer over `unitlab-engine`) and the simulator: a
//! simulated machine ([`machine`]) running the service managers ([`manager`]), driven by
//! scenario files ([`scenario`], `unitlab replay`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
mod demo;
pub mod machine;
pub mod manager;
pub mod scenario;
pub mod tour;
