//! One file per resource of the `otc-dashboard` group: arguments → options → client call.

pub mod consumption;
pub mod grafana;
