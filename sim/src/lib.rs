//! # unitlab-sim
//!
//! The `unitlab` command line (a thin layer over `unitlab-engine`) and, later, the simulator.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
mod demo;
pub mod machine;
pub mod manager;
pub mod scenario;
