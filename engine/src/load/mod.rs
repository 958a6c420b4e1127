//! Load paths, the unit catalog, drop-ins and load states (reference §1, §3.3–3.7).
//! Placeholder: filled in by issue 2.
