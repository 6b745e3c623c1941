//! The integration tests of this crate in one binary (one link instead of one per file).

mod common;
mod http;
mod request_log;
mod routes;
