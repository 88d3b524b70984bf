//! `licctl veeam` end to end: added by its vendor issue.
