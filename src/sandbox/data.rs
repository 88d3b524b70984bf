//! Deterministic fake data for the sandbox's collections.
//!
//! Every collection draws from its own generator, seeded from the sandbox seed *and* a label
//! (`"bigfix/metrics"`, `"credentials/bigfix"`, ...). Adding a vendor, or growing one
//! collection, therefore never changes the data of another: snapshots taken against the
//! sandbox stay stable as the sandbox grows.

use std::ops::RangeInclusive;

/// A seeded random source scoped to one collection, with helpers for realistic-looking values.
pub struct DataGen {
    rng: fastrand::Rng,
}

impl DataGen {
    /// The generator for `label` under the sandbox `seed`; the same pair always yields the
    /// same sequence.
    pub fn new(seed: u64, label: &str) -> Self {
        DataGen {
            rng: fastrand::Rng::with_seed(mix(seed, fnv1a(label))),
        }
    }

    /// An integer in `range` (inclusive).
    pub fn int(&mut self, range: RangeInclusive<i64>) -> i64 {
        self.rng.i64(range)
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.usize(..items.len())]
    }

    /// True with probability `p` (0.0 never, 1.0 always).
    #[allow(dead_code, reason = "for the vendor emulations still to come")]
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    /// `len` lower-case hex digits, the shape of BigFix's and many other vendors' API tokens.
    pub fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.u32(..16), 16).unwrap_or('0'))
            .collect()
    }

    /// A random (version 4 shaped) UUID in its hyphenated lower-case form, as Acronis and
    /// Veeam use for ids.
    #[allow(
        dead_code,
        reason = "for the Acronis and Veeam emulations still to come"
    )]
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let variant = ['8', '9', 'a', 'b'][self.rng.usize(..4)];
        format!(
            "{}-{}-4{}-{}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            variant,
            &h[17..20],
            &h[20..32]
        )
    }

    /// A plausible customer company name (`"Northwind Logistics GmbH"`).
    #[allow(
        dead_code,
        reason = "for the OC Reporter and Veeam emulations still to come"
    )]
    pub fn company(&mut self) -> String {
        const FIRST: &[&str] = &[
            "Northwind",
            "Contoso",
            "Fabrikam",
            "Tailspin",
            "Litware",
            "Adatum",
            "Proseware",
            "Woodgrove",
            "Lucerne",
            "Wingtip",
            "Alpine",
            "Blue Yonder",
            "Coho",
            "Fourth Coffee",
            "Humongous",
            "Margie's",
            "Trey",
            "Wide World",
        ];
        const SECOND: &[&str] = &[
            "Logistics",
            "Hosting",
            "Systems",
            "Data",
            "Networks",
            "Cloud",
            "Consulting",
            "Software",
            "Health",
            "Finance",
            "Retail",
            "Media",
        ];
        const FORM: &[&str] = &["GmbH", "AG", "Ltd", "Inc.", "B.V.", "S.A.", "Oy", "AB"];
        format!(
            "{} {} {}",
            self.pick(FIRST),
            self.pick(SECOND),
            self.pick(FORM)
        )
    }
}

/// Combines a seed with a second value into a well-spread 64-bit number (splitmix64's
/// finaliser), so that neighbouring inputs give unrelated outputs.
pub fn mix(seed: u64, value: u64) -> u64 {
    let mut z = seed ^ value.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a label: stable across Rust versions, unlike `std`'s `DefaultHasher`.
fn fnv1a(label: &str) -> u64 {
    label.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_label_repeat() {
        let a: Vec<String> = (0..5).map(|_| DataGen::new(7, "x").company()).collect();
        let b: Vec<String> = (0..5).map(|_| DataGen::new(7, "x").company()).collect();
        assert_eq!(a, b);
        assert_ne!(DataGen::new(7, "x").hex(40), DataGen::new(8, "x").hex(40));
        assert_ne!(DataGen::new(7, "x").hex(40), DataGen::new(7, "y").hex(40));
    }

    #[test]
    fn shapes() {
        let mut g = DataGen::new(1, "shapes");
        let token = g.hex(40);
        assert_eq!(token.len(), 40);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        let uuid = g.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(g.chance(1.0));
        assert!(!g.chance(0.0));
    }
}
