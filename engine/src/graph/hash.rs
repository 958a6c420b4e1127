//! The hasher of the graph's maps keyed by unit names (and of the simulator's tables): the
//! engine's fast word-at-a-time hasher ([`crate::fs::FastBuildHasher`], see its module docs).
//! The standard library's SipHash cost about a sixth of the time of loading 10,000 units; this
//! one is not resistant to chosen collisions, which can only make lookups slower, never wrong.

/// The build-hasher of the graph's name-keyed maps.
pub type NameHash = crate::fs::FastBuildHasher;

/// The hasher itself.
pub type NameHasher = crate::fs::FastHasher;
