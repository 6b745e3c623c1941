//! Shared by the tests that read the real files of `../shared` (corpus, seed).

use std::path::{Path, PathBuf};

/// The `shared` folder (`GONGKAI_SHARED`, else beside the repository), or None — said loudly,
/// since a test that returns then has checked nothing. With `GONGKAI_REQUIRE_CORPUS` set an
/// absent corpus is a failure instead.
pub fn shared() -> Option<PathBuf> {
    let p = std::env::var_os("GONGKAI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if p.join("corpus").is_dir() {
        Some(p)
    } else {
        eprintln!(
            "\n*** SKIPPED: corpus folder {} not found (set GONGKAI_SHARED); NOTHING WAS CHECKED ***\n",
            p.display()
        );
        assert!(
            std::env::var_os("GONGKAI_REQUIRE_CORPUS").is_none(),
            "GONGKAI_REQUIRE_CORPUS is set but the corpus is absent"
        );
        None
    }
}
