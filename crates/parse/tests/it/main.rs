//! The integration tests of this crate in one binary (one link instead of one per file).

mod cms;
mod common;
mod corpus;
mod crawl;
mod dump;
mod fuzz_corpus;
mod infer;
mod pdf_roundtrip;
mod pre2019;
mod render_roundtrip;
mod roundtrip;
mod shapes;
mod stage;
