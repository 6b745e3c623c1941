//! The integration tests of this crate in one binary (one link instead of one per file).

mod accounts;
mod authorization;
mod batch;
mod tracing_privacy;
