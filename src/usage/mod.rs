//! The unified usage model and the monthly bundle (DESIGN.md §7): every vendor's month
//! normalised into [`UsageRow`]s and written, with the raw answers and a manifest, as one
//! reproducible, verifiable directory.

pub mod bundle;
pub mod model;
pub mod monthly;
pub mod summary;
pub mod vendor;

pub use model::{Month, UsageRow, VendorUsage};
pub use vendor::VendorId;
