//! `licctl acronis` end to end: added by its vendor issue.
