//! The subject under test: how to start it (`spec`), the environment the
//! contract hands it (`env`) and a started, controllable instance (`managed`).

pub mod env;
pub mod managed;
pub mod overrides;
pub mod profile;
pub mod sources;
pub mod spec;
