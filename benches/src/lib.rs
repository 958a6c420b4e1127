//! Shared helpers for the benchmarks (synthetic trees).
