//! Scenario files: the format (`model`), loading with positioned errors
//! (`load`), variables (`vars`) and event sequence patterns (`sequence`).

pub(crate) mod browser_model;
pub mod load;
pub mod matrix;
pub mod model;
pub mod schema;
pub(crate) mod select;
pub(crate) mod sequence;
pub mod source_error;
pub mod sources;
pub(crate) mod spans;
pub(crate) mod step_entry;
pub mod vars;
