//! The integration tests of this crate in one binary (one link instead of one per file).

mod fuzz_corpus;
mod handbuilt;
mod hostile;
mod ledger_read;
mod libreoffice;
mod libreoffice_live;
mod print;
mod roundtrip;
mod writers;
