//! End-to-end tests: the built `licctl` binary against the in-process sandbox, and request
//! shapes against wiremock. One test binary, one module per area (as ripgrep and jj do).

mod acronis;
mod bigfix;
mod common;
mod layers;
mod ocreporter;
mod ocreporter_shape;
mod otc;
mod sandbox_api;
mod shape;
mod toplevel;
mod veeam;
