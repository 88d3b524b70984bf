//! The unified usage model and the monthly bundle (DESIGN.md §7).

pub mod model;

pub use model::{Month, UsageRow, VendorUsage};
