//! Cells and provenance. A cell is a number, blank, a placeholder ("-", "/", "无" …) or
//! unreadable text — never a silent 0 (SPEC §6 D8).

use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where a value came from. Offsets are byte offsets into the *decoded* source text
/// (UTF-8); `line` and `col` are 1-based (col counts characters). `grid` names the cell of
/// the source table when the value came from a table grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Src {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub col: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<GridPos>,
}

/// Position of a cell in a source table: table number in document order and the row and
/// column inside the expanded grid, all 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridPos {
    pub table: u16,
    pub row: u16,
    pub col: u16,
}

/// The state of a data cell.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "lowercase")]
pub enum CellValue {
    /// A number as printed (counts and 万元 amounts; exact decimal, never a float).
    Number(#[serde(with = "decimal_number")] Decimal),
    /// The cell exists but is empty.
    Blank,
    /// A dash, slash or word standing in for a number: "-", "—", "/", "无", "——".
    Placeholder,
    /// Text that should be a number but cannot be read as one.
    Unreadable,
    /// Digits that ran together in the source and can be split in more than one way that
    /// the table's own identities accept: the distinct values this cell takes among those
    /// splits (ascending). Never a number in arithmetic; a `P3` finding names the whole
    /// candidate splits.
    Ambiguous(#[serde(with = "decimal_list")] Vec<Decimal>),
}

impl Clone for CellValue {
    /// Cells are cloned on the parser's hot path: the common states copy without a call (the
    /// derived clone, with the candidate list of `Ambiguous`, was no longer inlined).
    #[inline(always)]
    fn clone(&self) -> Self {
        match self {
            CellValue::Number(d) => CellValue::Number(*d),
            CellValue::Blank => CellValue::Blank,
            CellValue::Placeholder => CellValue::Placeholder,
            CellValue::Unreadable => CellValue::Unreadable,
            CellValue::Ambiguous(v) => CellValue::Ambiguous(v.clone()),
        }
    }
}

/// One data cell of a report table.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    #[serde(flatten)]
    pub value: CellValue,
    /// The cell's text as found in the source (trimmed). Cells are mostly short numbers, so
    /// the text is kept inline (up to 24 bytes) instead of in a heap allocation of its own:
    /// a report has hundreds of cells and allocating each was a fifth of parse time.
    pub raw: CompactString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<Src>,
    /// True when the value was recovered rather than read directly: digits that ran
    /// together split with the table's identities, or a value row placed by position
    /// because its label was detached.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

impl Clone for Cell {
    #[inline(always)]
    fn clone(&self) -> Self {
        Cell { value: self.value.clone(), raw: self.raw.clone(), src: self.src, inferred: self.inferred }
    }
}

impl Cell {
    pub fn number(n: impl Into<Decimal>) -> Self {
        let d = n.into();
        Self {
            value: CellValue::Number(d),
            raw: compact_str::ToCompactString::to_compact_string(&d),
            src: None,
            inferred: false,
        }
    }

    pub fn blank() -> Self {
        Self { value: CellValue::Blank, raw: CompactString::default(), src: None, inferred: false }
    }

    /// Classify a cell's raw text. Full-width digits and thousands separators are accepted.
    pub fn from_raw(raw: &str, src: Option<Src>) -> Self {
        let trimmed = trim_raw(raw);
        let value = classify(trimmed);
        Self { value, raw: CompactString::from(trimmed), src, inferred: false }
    }

    pub fn as_number(&self) -> Option<Decimal> {
        match self.value {
            CellValue::Number(d) => Some(d),
            _ => None,
        }
    }

    /// The unit printed in a number cell (`件` of `53件`), if any.
    pub fn unit(&self) -> Option<&'static str> {
        match self.value {
            CellValue::Number(_) => number_with_unit(&self.raw).map(|(_, u)| u),
            _ => None,
        }
    }

    pub fn with_src(mut self, src: Src) -> Self {
        self.src = Some(src);
        self
    }
}

/// Placeholders that stand in for a number (SPEC §6 D8).
pub const PLACEHOLDERS: &[&str] =
    &["-", "--", "—", "——", "–", "－", "/", "／", "\\", "无", "空", "/ ", "—/—", "_", "——/——", "…"];

pub fn is_placeholder(s: &str) -> bool {
    PLACEHOLDERS.contains(&s)
}

/// Parse a printed number: ASCII or full-width digits, optional sign, one decimal point,
/// thousands separators (",", "，") between digit groups. Returns None for anything else.
pub fn parse_number(s: &str) -> Option<Decimal> {
    // Fast path (most cells): plain ASCII digits with at most one decimal point, no allocation.
    if let Some(d) = plain_decimal(s.as_bytes()) {
        return Some(d);
    }
    // Labels reach this function too: a number (after optional whitespace) starts with an
    // ASCII digit or '-', or with a character whose UTF-8 lead byte is E2 ('−'), EF (full-width
    // digits, '－') or, for whitespace, C2, E1, E2 or E3. Any other first byte (an ideograph,
    // a letter, a bracket) rejects the text without trimming or decoding it.
    match s.as_bytes().first() {
        Some(b'0'..=b'9' | b'-' | b' ' | b'\t'..=b'\r' | 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF) => {}
        _ => return None,
    }
    let t = s.trim();
    // Labels and prose reach this function too: anything that does not start like a number, or
    // holds a character no number has ("1.属于国家秘密"), is rejected before the normalising
    // copy below (which would reject it too).
    match t.chars().next() {
        Some('0'..='9' | '０'..='９' | '-' | '－' | '−') => {}
        _ => return None,
    }
    if !t
        .chars()
        .all(|c| matches!(c, '0'..='9' | '０'..='９' | '.' | '．' | ',' | '，' | '-' | '－' | '−') || c.is_whitespace())
    {
        return None;
    }
    parse_normalised(s)
}

/// The general reading of [`parse_number`]: full-width digits and signs made ASCII, then a
/// sign, digits with thousands separators, and one decimal point.
fn parse_normalised(s: &str) -> Option<Decimal> {
    let mut buf = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32)?,
            '．' => '.',
            '－' | '−' => '-',
            '，' => ',',
            c => c,
        };
        buf.push(c);
    }
    let t = buf.trim();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    if body.is_empty() || !body.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let mut digits = String::with_capacity(body.len());
    let mut seen_dot = false;
    for (i, c) in body.char_indices() {
        match c {
            '0'..='9' => digits.push(c),
            '.' if !seen_dot && i + 1 < body.len() => {
                seen_dot = true;
                digits.push('.');
            }
            // A thousands separator must sit between digits and be followed by three digits.
            ',' if !seen_dot => {
                let rest = &body.as_bytes()[i + 1..];
                if rest.len() < 3 || !rest[..3].iter().all(u8::is_ascii_digit) {
                    return None;
                }
            }
            _ => return None,
        }
    }
    let d: Decimal = digits.parse().ok()?;
    Some(if neg { -d } else { d })
}

/// `ddd` or `ddd.ddd` in ASCII, at most 18 bytes (so the digits fit a u64), read exactly as
/// the general path of [`parse_number`] reads it (same value and scale).
fn plain_decimal(b: &[u8]) -> Option<Decimal> {
    if b.is_empty() || b.len() > 18 || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return None;
    }
    let (mut m, mut scale, mut dot) = (0u64, 0u32, false);
    for &c in b {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                scale += u32::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    Some(if dot { Decimal::new(i64::try_from(m).ok()?, scale) } else { Decimal::from(m) })
}

/// A cell's text without surrounding whitespace, as [`Cell::from_raw`] keeps it.
pub fn trim_raw(raw: &str) -> &str {
    // Matched on the bytes (`crate::space`): front ends hand over trimmed cells, and a label
    // cell ending in an ideograph such as 密 (E5 AF 86) must not be decoded to find that out.
    crate::space::trim(raw, crate::space::Bom::Text)
}

/// What trimmed cell text stands for, as [`Cell::from_raw`] classifies it.
pub fn classify(t: &str) -> CellValue {
    if t.is_empty() {
        return CellValue::Blank;
    }
    if let Some(d) = parse_number(t) {
        return CellValue::Number(d);
    }
    if is_placeholder(t) {
        return CellValue::Placeholder;
    }
    if let Some((d, _)) = number_with_unit(t) {
        return CellValue::Number(d);
    }
    CellValue::Unreadable
}

/// Units printed inside table cells (`53件`, `96171.6万元`, `251000元`), longest first.
pub const CELL_UNITS: &[&str] = &["万元", "元", "件", "个", "项", "条", "次"];

/// A number with a unit glued on or after a space (`53件`, `96171.6 万元`): the number and
/// the unit. The printed text stays the cell's `raw`; [`Cell::unit`] reads the unit back.
pub fn number_with_unit(t: &str) -> Option<(Decimal, &'static str)> {
    // A cell with a unit starts like an ASCII number and ends in one of the unit ideographs;
    // the byte tests keep labels ("（一）予以公开", "1.属于国家秘密") from being decoded.
    if !t.as_bytes().first().is_some_and(|b| b.is_ascii_digit() || *b == b'-') {
        return None;
    }
    let unit = CELL_UNITS.iter().find(|u| t.ends_with(*u))?;
    let n = t[..t.len() - unit.len()].trim_end();
    if n.is_empty() {
        return None;
    }
    parse_number(n).map(|d| (d, *unit))
}

/// A list of candidate values as a JSON array of numbers ([`decimal_number`] for each).
mod decimal_list {
    use rust_decimal::Decimal;
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    struct One<'a>(&'a Decimal);
    impl serde::Serialize for One<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            super::decimal_number::serialize(self.0, s)
        }
    }

    #[derive(Deserialize)]
    struct Back(#[serde(with = "super::decimal_number")] Decimal);

    pub fn serialize<S: Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for d in v {
            seq.serialize_element(&One(d))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
        Ok(Vec::<Back>::deserialize(d)?.into_iter().map(|b| b.0).collect())
    }
}

/// Serialises a [`Decimal`] as a JSON number (integers exactly; fractions through the
/// shortest round-trip float text, which is exact for the ≤ 15 significant digits that
/// published reports use) and reads numbers or numeric strings back.
mod decimal_number {
    use rust_decimal::Decimal;
    use rust_decimal::prelude::{FromStr, ToPrimitive};
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        if d.fract().is_zero()
            && let Some(i) = d.to_i64()
        {
            return s.serialize_i64(i);
        }
        match d.to_string().parse::<f64>() {
            Ok(f) if f.is_finite() => s.serialize_f64(f),
            _ => s.serialize_str(&d.to_string()),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
                Decimal::from_str(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                Decimal::from_str(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_not_zero_d8() {
        assert_eq!(Cell::from_raw(" \u{3000} ", None).value, CellValue::Blank);
        assert_eq!(Cell::from_raw("-", None).value, CellValue::Placeholder);
        assert_eq!(Cell::from_raw("无", None).value, CellValue::Placeholder);
        assert_eq!(Cell::from_raw("0", None).value, CellValue::Number(Decimal::ZERO));
        assert_eq!(Cell::from_raw("约5", None).value, CellValue::Unreadable);
    }

    #[test]
    fn units_in_cells_are_read_and_kept() {
        let c = Cell::from_raw("53件", None);
        assert_eq!(
            (c.value.clone(), c.raw.as_str(), c.unit()),
            (CellValue::Number(Decimal::from(53)), "53件", Some("件"))
        );
        let c = Cell::from_raw("96171.6万元", None);
        assert_eq!((c.as_number(), c.unit()), (Some(Decimal::new(961716, 1)), Some("万元")));
        assert_eq!(Cell::from_raw("251000 元", None).unit(), Some("元"));
        assert_eq!(Cell::from_raw("53", None).unit(), None);
        for label in ["件", "万元", "1.属于国家秘密", "约5件", "五件", "2.其他法律行政法规禁止公开"]
        {
            assert_ne!(Cell::from_raw(label, None).value, CellValue::Number(Decimal::ZERO), "{label}");
            assert!(Cell::from_raw(label, None).as_number().is_none(), "{label}");
        }
    }

    #[test]
    fn numbers_parse_exactly() {
        assert_eq!(parse_number("4068.208"), Some(Decimal::new(4068208, 3)));
        assert_eq!(parse_number("３９８５７５８"), Some(Decimal::from(3985758)));
        assert_eq!(parse_number("3,985,758"), Some(Decimal::from(3985758)));
        assert_eq!(parse_number("-2"), Some(Decimal::from(-2)));
        assert_eq!(parse_number("1,2"), None);
        assert_eq!(parse_number("12."), None);
        assert_eq!(parse_number("."), None);
    }

    /// `parse_number` as it was before the decimal fast path: the oracle for
    /// `plain_decimal` (ARCHITECTURE.md invariant 14).
    fn parse_number_oracle(s: &str) -> Option<Decimal> {
        let t = s.trim();
        if !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Decimal::from(t.bytes().fold(0u64, |a, b| a * 10 + u64::from(b - b'0'))));
        }
        match t.chars().next() {
            Some('0'..='9' | '０'..='９' | '-' | '－' | '−') => {}
            _ => return None,
        }
        // The normalising reading is the production one: the fast paths above it are what
        // this oracle checks.
        parse_normalised(s)
    }

    proptest::proptest! {
        /// The byte test in `trim_raw` never skips a trim that `trim_matches` would make.
        #[test]
        fn trim_raw_agrees_with_trim_matches(
            v in proptest::collection::vec(proptest::sample::select(vec![
                " ", "\t", "\n", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{200A}", "\u{2028}", "\u{2029}",
                "\u{202F}", "\u{205F}", "\u{3000}", "a", "0", "一", "é", "—", "“", "\u{200B}", "\u{FEFF}",
            ]), 0..8)
        ) {
            let t = v.concat();
            proptest::prop_assert_eq!(trim_raw(&t), t.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}'));
        }

        /// Same value and same printed scale as before the fast paths, on any mix of digits,
        /// dots, commas, signs, spaces (incl. U+00A0, U+3000) and the label characters the
        /// first-byte reject skips (ideographs, letters, brackets).
        #[test]
        fn parse_number_agrees_with_its_oracle(s in "[0-9０-９.．,，\\- \u{a0}\u{3000}−－一a（(]{0,20}") {
            proptest::prop_assert_eq!(
                parse_number(&s).map(|d| d.to_string()),
                parse_number_oracle(&s).map(|d| d.to_string())
            );
        }
    }

    #[test]
    fn json_round_trip_keeps_decimals() {
        for raw in ["96171.6", "0", "4068.208", "7730.28", "3985758", "0.01"] {
            let c = Cell::from_raw(raw, None);
            let j = serde_json::to_string(&c).unwrap();
            let back: Cell = serde_json::from_str(&j).unwrap();
            assert_eq!(back, c, "{j}");
        }
        let amb = Cell {
            value: CellValue::Ambiguous(vec![Decimal::from(3), Decimal::new(31, 0), Decimal::new(800_050, 2)]),
            raw: "3128000.50元".into(),
            src: None,
            inferred: true,
        };
        let j = serde_json::to_string(&amb).unwrap();
        assert_eq!(j, r#"{"state":"ambiguous","value":[3,31,8000.5],"raw":"3128000.50元","inferred":true}"#);
        assert_eq!(serde_json::from_str::<Cell>(&j).unwrap().value, amb.value);
        assert_eq!(amb.as_number(), None);
        let j = serde_json::to_string(&Cell::blank()).unwrap();
        assert_eq!(j, r#"{"state":"blank","raw":""}"#);
    }
}
