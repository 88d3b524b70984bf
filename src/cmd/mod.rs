//! Commands that are not a vendor group: config, completions, man, demo.

pub mod config;
pub mod demo;
pub mod usage;
