//! The decoded query string every vendor emulation reads its parameters from. Vendors add
//! their own validated accessors (`impl Params` blocks in their files), answering in their
//! own error format.

/// A request's query parameters, in order; the first value of a name wins with [`Params::get`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes a raw query string (`None` when the request had none).
    pub(crate) fn parse<S: AsRef<str>>(raw: Option<S>) -> Self {
        let raw = raw.as_ref().map_or("", |r| r.as_ref());
        Params(
            url::form_urlencoded::parse(raw.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// Parameters given as pairs, for tests.
    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Params(pairs)
    }

    /// Every pair, in order.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated `name` (`columns[]=a&columns[]=b`), in order.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_value_wins_and_repeats_are_kept() {
        let p = Params::parse(Some("a=1&columns%5B%5D=x&a=2&columns[]=y&b=two+words"));
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), Some("two words"));
        assert_eq!(p.all("columns[]").collect::<Vec<_>>(), vec!["x", "y"]);
        assert_eq!(Params::parse(None::<&str>).get("a"), None);
        let p = Params::from_pairs(vec![("k".into(), "v".into())]);
        assert_eq!(p.pairs(), &[("k".to_owned(), "v".to_owned())]);
    }
}
