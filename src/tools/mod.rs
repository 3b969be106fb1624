//! Tools beside the pipeline: the synthetic corpus for benchmarks (`gen-corpus`) and the skeleton
//! of a new entry (`new`).

pub mod corpus;
pub mod scaffold;
