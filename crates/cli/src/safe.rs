//! Output safety shared by the commands: private files (0600 on unix; the register's own
//! file and folder are made private by `gongkai-store-open`) and terminal-safe printing of
//! stored text. (Spreadsheet formula neutralisation for CSV is `gongkai_app::ledger`'s.)

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Create (or truncate) a file only its owner can read and write (0600 on unix). An existing
/// file is narrowed to 0600 before it is written.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let f = o.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(f)
}

/// Write `bytes` to a private file (see [`create_private`]).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut f = create_private(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Refuse to replace an existing file unless `force` (every command that writes a file asks
/// this before it does any work).
pub fn refuse_existing(path: &Path, force: bool) -> anyhow::Result<()> {
    if !force && path.exists() {
        anyhow::bail!("文件“{}”已存在，未覆盖；如要覆盖请加 --force", path.display());
    }
    Ok(())
}

/// Create a file readable by its owner only (see [`create_private`]); an existing file is
/// replaced only with `force`, otherwise refused — atomically (`O_EXCL`), so a file that
/// appears meanwhile is not overwritten either.
pub fn create_output(path: &Path, force: bool) -> anyhow::Result<File> {
    use anyhow::Context;
    if force {
        return create_private(path).with_context(|| format!("无法写入“{}”", path.display()));
    }
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    match o.open(path) {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            anyhow::bail!("文件“{}”已存在，未覆盖；如要覆盖请加 --force", path.display())
        }
        Err(e) => Err(e).with_context(|| format!("无法写入“{}”", path.display())),
    }
}

/// Write `bytes` to a new private file ([`create_output`]) and sync it.
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let mut f = create_output(path, force)?;
    f.write_all(bytes).and_then(|()| f.sync_all()).with_context(|| format!("无法写入“{}”", path.display()))
}

/// Create a folder and its missing parents, each new one 0700 on unix (existing folders are
/// left as they are).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Stored text made safe for a terminal: C0 controls (except none), DEL and C1 controls are
/// shown as `\u{..}` escapes, so a stored value cannot move the cursor, clear the screen or
/// change the window title. Line breaks and TABs are escaped too (`\n`, `\t`): one stored
/// field stays on one printed line. The stored value itself is never changed.
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`esc`] for a multi-line text (a compiled report on the terminal): line breaks and TABs
/// are kept, every other control character is escaped.
pub fn esc_multiline(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_control(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    let lines: Vec<String> =
        s.split('\n').map(|l| l.split('\t').map(|p| esc(p).into_owned()).collect::<Vec<_>>().join("\t")).collect();
    Cow::Owned(lines.join("\n"))
}

fn is_control(c: char) -> bool {
    // C0, DEL, C1; plus the bidirectional overrides and isolates that reorder what is shown.
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_app::ledger::{neutralise, unneutralise};
    use proptest::prelude::*;

    #[test]
    fn formula_cells_are_neutralised_and_restored() {
        for evil in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            let n = neutralise(evil);
            assert!(n.starts_with('\''), "{evil:?}");
            assert_eq!(unneutralise(&n), evil);
        }
        assert_eq!(neutralise("张三"), "张三");
        assert_eq!(unneutralise("'张三"), "'张三", "a quote before ordinary text is content");
    }

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(esc("某\u{1b}]0;x\u{7}事"), "某\\u{1b}]0;x\\u{7}事");
        assert_eq!(esc("a\u{9b}31m"), "a\\u{9b}31m");
        assert_eq!(esc("第一行\n第二行"), "第一行\\n第二行");
        assert_eq!(esc("普通文字 2024-03-05"), "普通文字 2024-03-05");
        assert_eq!(esc_multiline("一\t二\n三\u{1b}[2J"), "一\t二\n三\\u{1b}[2J");
    }

    proptest! {
        #[test]
        fn escaped_text_has_no_control_characters(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}a-z张]{0,40}") {
            prop_assert!(!esc(&s).chars().any(is_control));
        }

        #[test]
        fn neutralised_cells_never_start_a_formula(s in "[=+\\-@\\t\\ra-z张']{0,12}") {
            let n = neutralise(&s);
            prop_assert!(!n.starts_with(['=', '+', '-', '@', '\t', '\r']));
            prop_assert_eq!(unneutralise(&n), s.as_str());
        }
    }
}
