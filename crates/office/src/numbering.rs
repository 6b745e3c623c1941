//! Word's automatic list numbering (`word/numbering.xml`, and numbering attached to paragraph
//! styles in `word/styles.xml`). Reports often number their headings this way, so `一、` of
//! `一、总体情况` or `（一）` of a sub-heading is not in the paragraph's text at all; the reader
//! puts it back so section detection and the printed headings see what the reader of the
//! document sees.
//!
//! Supported: per-level start value, `numFmt` (decimal, Chinese counting, circled numbers,
//! letters, Roman numerals, bullets and none), `lvlText` with `%1`…`%9`, `suff`, `startOverride`,
//! numbering from the paragraph style (following `basedOn`). Counters run per list instance
//! (`numId`); deeper levels restart when a shallower one advances.

use std::collections::HashMap;

use crate::OfficeError;
use crate::xml::{Ev, Ns, Tag, Xml, attr};

#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    fmt: String,
    text: String,
    suff: String,
}

/// A paragraph style's list numbering as written on the style.
#[derive(Debug, Clone, Default)]
struct StyleNum {
    id: String,
    num: Option<String>,
    ilvl: Option<usize>,
    based_on: Option<String>,
}

/// Numbering definitions and the running counters.
#[derive(Debug, Default)]
pub struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    /// numId → (abstractNumId, start overrides per level).
    nums: HashMap<String, (String, HashMap<usize, u32>)>,
    /// Paragraph style id → its own numbering and its basedOn.
    styles: HashMap<String, StyleNum>,
    counters: HashMap<String, [Option<u32>; 9]>,
}

fn val(el: &quick_xml::events::BytesStart) -> Option<String> {
    attr(el, b"val")
}

impl Numbering {
    /// Read `numbering.xml` and `styles.xml` (either may be absent).
    pub fn read(numbering: Option<&[u8]>, styles: Option<&[u8]>) -> Result<Self, OfficeError> {
        let mut n = Numbering::default();
        if let Some(x) = numbering {
            n.read_numbering(x)?;
        }
        if let Some(x) = styles {
            n.read_styles(x)?;
        }
        Ok(n)
    }

    fn read_numbering(&mut self, xml: &[u8]) -> Result<(), OfficeError> {
        let mut x = Xml::new(xml, "word/numbering.xml")?;
        let mut abs: Option<(String, Vec<Level>)> = None;
        let mut lvl: Option<(usize, Level)> = None;
        let mut num: Option<(String, String, HashMap<usize, u32>)> = None;
        let mut override_lvl: Option<usize> = None;
        loop {
            match x.next()? {
                Ev::Eof => return Ok(()),
                Ev::Start { ns: Ns::W, tag, el, .. } => match tag {
                    Tag::AbstractNum => abs = attr(&el, b"abstractNumId").map(|id| (id, Vec::new())),
                    Tag::Lvl if abs.is_some() => {
                        let i = attr(&el, b"ilvl").and_then(|v| v.parse().ok()).unwrap_or(0usize);
                        lvl = Some((i.min(8), Level { start: 1, suff: "tab".into(), ..Level::default() }));
                    }
                    Tag::Start if lvl.is_some() => {
                        if let (Some((_, l)), Some(v)) = (lvl.as_mut(), val(&el).and_then(|v| v.parse().ok())) {
                            l.start = v;
                        }
                    }
                    Tag::NumFmt => {
                        if let (Some((_, l)), Some(v)) = (lvl.as_mut(), val(&el)) {
                            l.fmt = v;
                        }
                    }
                    Tag::LvlText => {
                        if let (Some((_, l)), Some(v)) = (lvl.as_mut(), val(&el)) {
                            l.text = v;
                        }
                    }
                    Tag::Suff => {
                        if let (Some((_, l)), Some(v)) = (lvl.as_mut(), val(&el)) {
                            l.suff = v;
                        }
                    }
                    Tag::Num => num = attr(&el, b"numId").map(|id| (id, String::new(), HashMap::new())),
                    Tag::AbstractNumId => {
                        if let (Some(n), Some(v)) = (num.as_mut(), val(&el)) {
                            n.1 = v;
                        }
                    }
                    Tag::LvlOverride => override_lvl = attr(&el, b"ilvl").and_then(|v| v.parse().ok()),
                    Tag::StartOverride => {
                        if let (Some(n), Some(i), Some(v)) =
                            (num.as_mut(), override_lvl, val(&el).and_then(|v| v.parse().ok()))
                        {
                            n.2.insert(i, v);
                        }
                    }
                    _ => {}
                },
                Ev::End { ns: Ns::W, tag } => match tag {
                    Tag::Lvl => {
                        if let (Some((_, levels)), Some((i, l))) = (abs.as_mut(), lvl.take()) {
                            if levels.len() <= i {
                                levels.resize(i + 1, Level::default());
                            }
                            levels[i] = l;
                        }
                    }
                    Tag::AbstractNum => {
                        if let Some((id, levels)) = abs.take() {
                            self.abstracts.insert(id, levels);
                        }
                    }
                    Tag::Num => {
                        if let Some((id, a, o)) = num.take() {
                            self.nums.insert(id, (a, o));
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }

    fn read_styles(&mut self, xml: &[u8]) -> Result<(), OfficeError> {
        let mut x = Xml::new(xml, "word/styles.xml")?;
        let mut cur: Option<StyleNum> = None;
        loop {
            match x.next()? {
                Ev::Eof => return Ok(()),
                Ev::Start { ns: Ns::W, tag, el, .. } => match tag {
                    Tag::Style if attr(&el, b"type").as_deref() == Some("paragraph") => {
                        cur = attr(&el, b"styleId").map(|id| StyleNum { id, ..StyleNum::default() });
                    }
                    Tag::NumId => {
                        if let Some(c) = cur.as_mut() {
                            c.num = val(&el);
                        }
                    }
                    Tag::Ilvl => {
                        if let Some(c) = cur.as_mut() {
                            c.ilvl = val(&el).and_then(|v| v.parse().ok());
                        }
                    }
                    Tag::BasedOn => {
                        if let Some(c) = cur.as_mut() {
                            c.based_on = val(&el);
                        }
                    }
                    _ => {}
                },
                Ev::End { ns: Ns::W, tag: Tag::Style } => {
                    if let Some(st) = cur.take() {
                        self.styles.insert(st.id.clone(), st);
                    }
                }
                _ => {}
            }
        }
    }

    /// The numbering of a paragraph style, following `basedOn` (at most 16 steps).
    fn style_num(&self, style: &str) -> Option<(String, usize)> {
        let mut s = style;
        for _ in 0..16 {
            let st = self.styles.get(s)?;
            if let Some(n) = &st.num {
                return Some((n.clone(), st.ilvl.unwrap_or(0).min(8)));
            }
            s = st.based_on.as_deref()?;
        }
        None
    }

    /// Advance the counters for a paragraph and return its number text (with suffix), if it
    /// is numbered. `num`/`ilvl` are the paragraph's own `w:numPr`; `style` its `w:pStyle`.
    pub fn label(&mut self, num: Option<&str>, ilvl: Option<usize>, style: Option<&str>) -> Option<String> {
        let (num_id, level) = match num {
            Some(n) => (n.to_string(), ilvl.unwrap_or(0).min(8)),
            None => {
                let (n, l) = self.style_num(style?)?;
                (n, ilvl.map_or(l, |i| i.min(8)))
            }
        };
        if num_id == "0" {
            return None;
        }
        let (abs_id, overrides) = self.nums.get(&num_id)?;
        let levels = self.abstracts.get(abs_id)?;
        let lvl = levels.get(level)?;
        let counters = self.counters.entry(num_id.clone()).or_insert([None; 9]);
        let start_of = |i: usize| overrides.get(&i).copied().or(levels.get(i).map(|l| l.start)).unwrap_or(1);
        counters[level] = Some(counters[level].map_or(start_of(level), |c| c.saturating_add(1)));
        for c in counters.iter_mut().skip(level + 1) {
            *c = None;
        }
        if lvl.fmt == "bullet" || lvl.fmt == "none" {
            return None;
        }
        let mut out = String::new();
        let mut chars = lvl.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
            {
                chars.next();
                let i = (d as usize).saturating_sub(1).min(8);
                let v = counters[i].unwrap_or_else(|| start_of(i));
                let fmt = levels.get(i).map_or("decimal", |l| l.fmt.as_str());
                out.push_str(&format_number(v, fmt));
            } else {
                out.push(c);
            }
        }
        if out.is_empty() {
            return None;
        }
        let wide_end = out.chars().next_back().is_some_and(|c| !c.is_ascii());
        match lvl.suff.as_str() {
            "nothing" => {}
            "space" => out.push(' '),
            // A tab after "一、" or "（一）" only aligns the text; after "1." it separates.
            _ if wide_end => {}
            _ => out.push(' '),
        }
        Some(out)
    }
}

const CN: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Chinese counting numbers as Word writes them (一 … 十 … 九十九, then digit by digit).
pub fn chinese(n: u32) -> String {
    match n {
        0..=9 => CN[n as usize].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", CN[(n % 10) as usize]),
        20..=99 => {
            let ones = if n % 10 == 0 { String::new() } else { CN[(n % 10) as usize].to_string() };
            format!("{}十{ones}", CN[(n / 10) as usize])
        }
        _ => n.to_string().chars().map(|c| CN[c.to_digit(10).unwrap_or(0) as usize]).collect(),
    }
}

fn letters(n: u32, upper: bool) -> String {
    let mut n = n.max(1);
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(if upper { b'A' } else { b'a' } + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn roman(mut n: u32, upper: bool) -> String {
    const T: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in T {
        while n >= v && s.len() < 64 {
            s.push_str(r);
            n -= v;
        }
    }
    if upper { s } else { s.to_lowercase() }
}

/// One number in a `numFmt`.
pub fn format_number(n: u32, fmt: &str) -> String {
    match fmt {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "ideographTraditional"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand" => chinese(n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map(String::from).unwrap_or_default()
        }
        "upperLetter" => letters(n, true),
        "lowerLetter" => letters(n, false),
        "upperRoman" => roman(n, true),
        "lowerRoman" => roman(n, false),
        "decimalFullWidth" | "decimalFullWidth2" => {
            n.to_string().chars().filter_map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32)).collect()
        }
        "decimalZero" if n < 10 => format!("0{n}"),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(chinese(1), "一");
        assert_eq!(chinese(10), "十");
        assert_eq!(chinese(12), "十二");
        assert_eq!(chinese(20), "二十");
        assert_eq!(chinese(35), "三十五");
        assert_eq!(format_number(3, "decimalEnclosedCircle"), "③");
        assert_eq!(format_number(4, "lowerRoman"), "iv");
        assert_eq!(format_number(28, "upperLetter"), "AB");
        assert_eq!(format_number(7, "decimalFullWidth"), "７");
    }
}
