//! Sandbox emulation of the veeam API: not built yet (its vendor issue adds it).

use std::sync::Arc;

use axum::Router;

use super::{Credentials, SandboxState};

/// The vendor's routes (none yet).
pub fn router(_shared: &Arc<SandboxState>) -> Router {
    Router::new()
}

/// The `LICCTL_*` variables pointing licctl at this emulation (none yet).
pub fn env_exports(_base_url: &str, _credentials: &Credentials) -> Vec<(String, String)> {
    Vec::new()
}
