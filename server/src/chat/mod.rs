//! Chat about a document: a deterministic answer built from the document's
//! own text, streamed as server-sent events.

pub mod answer;
pub mod store;
pub mod stream;
pub mod writer;
