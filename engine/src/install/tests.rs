//! Engine-level tests of the install operations on MemFs.
