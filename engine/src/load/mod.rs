//! Load paths, the unit catalog, drop-ins and load states (reference §1, §3.3–3.7).
//!
//! The lookup-path part decides *where* unit files are looked for: [`Scope`] selects the
//! configuration, [`Env`] supplies the environment it depends on, [`LookupPaths`] is the ordered
//! search path (each directory tagged with its [`DirClass`]) plus the named directories install
//! operations write to.

mod class;
mod env;
mod paths;

pub use class::{DirClass, Scope};
pub use env::{current_dir_name, Env, MapEnv, ProcessEnv};
pub use paths::{
    is_user_config_dir, LookupError, LookupPaths, SearchDir, UnitPathOverride,
    SYSTEM_DATA_UNIT_DIR, USER_CONFIG_UNIT_DIR,
};
