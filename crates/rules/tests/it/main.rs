//! The integration tests of this crate in one binary (one link instead of one per file).

mod citation;
mod cross_year;
mod generated;
mod identities;
mod peer_cases;
mod seed;
mod similarity;
mod text_rules;
