//! Scenario files: the format (`model`), loading with positioned errors
//! (`load`), variables (`vars`) and event sequence patterns (`sequence`).

pub mod browser_model;
pub mod load;
pub mod model;
pub mod schema;
pub mod sequence;
pub mod source_error;
pub mod sources;
pub mod spans;
pub mod step_entry;
pub mod vars;
