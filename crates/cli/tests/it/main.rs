//! The integration tests of this crate in one binary (one link instead of one per file).

mod audit_cross;
mod cli;
mod compile;
mod huge;
mod register;
mod safety;
mod walkthrough;
