//! The unit-file parser (reference §3.1–3.2). Placeholder: filled in by the syntax work of issue 2.
