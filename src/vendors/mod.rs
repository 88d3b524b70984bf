//! One module per vendor API. Each has `mod.rs` (the clap commands and their dispatch),
//! `client.rs` (typed async calls, no clap, no printing) and `model.rs` (serde types and the
//! vendor's validation rules).

pub mod acronis;
pub mod bigfix;
pub mod ocreporter;
pub mod otc;
pub mod veeam;
