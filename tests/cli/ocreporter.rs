//! `licctl ocreporter` end to end: added by its vendor issue.
