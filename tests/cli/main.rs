//! End-to-end tests: the built `licctl` binary against the in-process sandbox, and request
//! shapes against wiremock. One test binary, one module per area (as ripgrep and jj do).

mod acronis;
mod acronis_sandbox;
mod acronis_shape;
mod acronis_usage;
mod bigfix;
mod common;
mod layers;
mod ocreporter;
mod ocreporter_shape;
mod otc;
mod otc_shape;
mod sandbox_api;
mod shape;
mod toplevel;
mod usage;
mod veeam;
mod veeam_seed;
mod veeam_shape;
mod veeam_usage;
