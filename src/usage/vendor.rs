//! The vendors a monthly run can cover: their names on the command line, their
//! configuration sections, the settings each needs, and the function that collects a month.

use std::fmt;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::http::HttpClient;
use crate::usage::{Month, VendorUsage};

/// One vendor of the monthly bundle, in the bundle's (and the command tree's) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VendorId {
    /// OC Reporter.
    Ocreporter,
    /// OTC Enterprise Dashboard.
    Otc,
    /// Acronis usage reports.
    Acronis,
    /// BigFix Inventory.
    Bigfix,
    /// Veeam VSPC.
    Veeam,
}

impl VendorId {
    /// Every vendor, in bundle order.
    pub const ALL: [VendorId; 5] = [
        VendorId::Ocreporter,
        VendorId::Otc,
        VendorId::Acronis,
        VendorId::Bigfix,
        VendorId::Veeam,
    ];

    /// The configuration section, also the `vendor` column and the raw file's name.
    pub fn section(self) -> &'static str {
        match self {
            VendorId::Ocreporter => "ocreporter",
            VendorId::Otc => "otc-dashboard",
            VendorId::Acronis => "acronis-reports",
            VendorId::Bigfix => "bigfix-metrics",
            VendorId::Veeam => "veeam-vspc",
        }
    }

    /// The short name `--vendors` takes.
    pub fn short(self) -> &'static str {
        match self {
            VendorId::Ocreporter => "ocr",
            VendorId::Otc => "otc",
            VendorId::Acronis => "acronis",
            VendorId::Bigfix => "bigfix",
            VendorId::Veeam => "veeam",
        }
    }

    /// Parses a short name or a section name.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase();
        VendorId::ALL
            .into_iter()
            .find(|v| v.short() == s || v.section() == s)
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown vendor {s:?}: expected ocr, otc, acronis, bigfix or veeam"
                ))
            })
    }

    /// Checks, without any request, that every setting the vendor needs is there: builds the
    /// vendor's own client (the one place that knows its settings) and drops it. Secrets are
    /// resolved, so a failing `command` shows up now too.
    pub fn check_configured(self, ctx: &Context, http: &HttpClient) -> Result<()> {
        use crate::vendors::{acronis, bigfix, ocreporter, otc, veeam};
        let http = http.clone();
        match self {
            VendorId::Ocreporter => {
                ocreporter::cmd::client_with(ctx, http, &Default::default()).map(drop)
            }
            VendorId::Otc => otc::consumption_client(ctx, http).map(drop),
            VendorId::Acronis => {
                acronis::connect(ctx, http)?;
                acronis::tenant(ctx, None).map(drop)
            }
            VendorId::Bigfix => bigfix::client(None, ctx, http).map(drop),
            VendorId::Veeam => veeam::client_with(ctx, http).map(drop),
        }
    }

    /// Collects `month` for this vendor through `http`.
    pub async fn collect(
        self,
        ctx: &Context,
        http: HttpClient,
        month: Month,
    ) -> Result<VendorUsage> {
        use crate::vendors::{acronis, bigfix, ocreporter, otc, veeam};
        match self {
            VendorId::Ocreporter => ocreporter::usage::collect_month(ctx, http, month).await,
            VendorId::Otc => otc::usage::collect_month(ctx, http, month).await,
            VendorId::Acronis => acronis::usage::collect_month(ctx, http, month).await,
            VendorId::Bigfix => bigfix::usage::collect_month(ctx, http, month).await,
            VendorId::Veeam => veeam::usage::collect_month(ctx, http, month).await,
        }
    }
}

impl fmt::Display for VendorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.section())
    }
}

impl std::str::FromStr for VendorId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        VendorId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in VendorId::ALL {
            assert_eq!(VendorId::parse(v.short()).unwrap(), v);
            assert_eq!(VendorId::parse(v.section()).unwrap(), v);
        }
        assert_eq!(VendorId::parse("sap").unwrap_err().exit_code(), 2);
    }
}
