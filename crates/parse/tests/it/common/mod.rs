//! Shared by the tests that read the real files of `../shared` (corpus, seed).

use std::path::PathBuf;

/// The `shared` folder (`GONGKAI_SHARED`, else beside the repository), or None — said loudly,
/// since a test that returns then has checked nothing. With `GONGKAI_REQUIRE_CORPUS` set an
/// absent corpus is a failure instead.
pub fn shared() -> Option<PathBuf> {
    gongkai_testkit::shared("a test over the real reports (nothing was checked)")
}
