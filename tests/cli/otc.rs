//! `licctl otc` end to end: added by its vendor issue.
