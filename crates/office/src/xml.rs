//! A guarded XML event reader over quick-xml: no DOCTYPE (so no entity definitions and no
//! entity expansion), only the five predefined entities and character references, bounded
//! element depth, UTF-8 only. Element names are resolved to their namespace so `w:t` is not
//! confused with DrawingML's `a:t`.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::OfficeError;

/// Deepest element nesting accepted. Real documents stay below 60 even with nested tables
/// inside text boxes.
pub const MAX_DEPTH: usize = 256;

pub const NS_W: &[u8] = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub const NS_W_STRICT: &[u8] = b"http://purl.oclc.org/ooxml/wordprocessingml/main";
pub const NS_MC: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";
pub const NS_S: &[u8] = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main";
pub const NS_S_STRICT: &[u8] = b"http://purl.oclc.org/ooxml/spreadsheetml/main";
pub const NS_PKG_REL: &[u8] = b"http://schemas.openxmlformats.org/package/2006/relationships";

/// Namespace family of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// WordprocessingML (transitional or strict).
    W,
    /// SpreadsheetML.
    S,
    /// Markup compatibility (`mc:AlternateContent`).
    Mc,
    /// Package relationships.
    Rel,
    Other,
}

/// Element names the readers act on; everything else is `Other`. Matching on a small
/// `Copy` enum keeps the event loop free of allocations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    // WordprocessingML
    Body,
    P,
    R,
    T,
    Tab,
    Br,
    Cr,
    NoBreakHyphen,
    Tbl,
    Tr,
    Tc,
    TcPr,
    TrPr,
    RPr,
    GridSpan,
    VMerge,
    GridBefore,
    Vanish,
    TxbxContent,
    Del,
    MoveFrom,
    DelText,
    InstrText,
    // markup compatibility
    Fallback,
    // SpreadsheetML and relationships
    Sheet,
    Si,
    RPh,
    PhoneticPr,
    Row,
    C,
    V,
    Is,
    F,
    MergeCell,
    Relationship,
    // numbering and styles
    PPr,
    PStyle,
    NumPr,
    NumId,
    Ilvl,
    AbstractNum,
    AbstractNumId,
    Num,
    Lvl,
    Start,
    NumFmt,
    LvlText,
    Suff,
    StartOverride,
    LvlOverride,
    Style,
    BasedOn,
    // document properties
    Title,
    Other,
}

fn tag_of(local: &[u8]) -> Tag {
    match local {
        b"body" => Tag::Body,
        b"p" => Tag::P,
        b"r" => Tag::R,
        b"t" => Tag::T,
        b"tab" => Tag::Tab,
        b"br" => Tag::Br,
        b"cr" => Tag::Cr,
        b"noBreakHyphen" => Tag::NoBreakHyphen,
        b"tbl" => Tag::Tbl,
        b"tr" => Tag::Tr,
        b"tc" => Tag::Tc,
        b"tcPr" => Tag::TcPr,
        b"trPr" => Tag::TrPr,
        b"rPr" => Tag::RPr,
        b"gridSpan" => Tag::GridSpan,
        b"vMerge" => Tag::VMerge,
        b"gridBefore" => Tag::GridBefore,
        b"vanish" => Tag::Vanish,
        b"txbxContent" => Tag::TxbxContent,
        b"del" => Tag::Del,
        b"moveFrom" => Tag::MoveFrom,
        b"delText" => Tag::DelText,
        b"instrText" => Tag::InstrText,
        b"Fallback" => Tag::Fallback,
        b"sheet" => Tag::Sheet,
        b"si" => Tag::Si,
        b"rPh" => Tag::RPh,
        b"phoneticPr" => Tag::PhoneticPr,
        b"row" => Tag::Row,
        b"c" => Tag::C,
        b"v" => Tag::V,
        b"is" => Tag::Is,
        b"f" => Tag::F,
        b"mergeCell" => Tag::MergeCell,
        b"Relationship" => Tag::Relationship,
        b"pPr" => Tag::PPr,
        b"pStyle" => Tag::PStyle,
        b"numPr" => Tag::NumPr,
        b"numId" => Tag::NumId,
        b"ilvl" => Tag::Ilvl,
        b"abstractNum" => Tag::AbstractNum,
        b"abstractNumId" => Tag::AbstractNumId,
        b"num" => Tag::Num,
        b"lvl" => Tag::Lvl,
        b"start" => Tag::Start,
        b"numFmt" => Tag::NumFmt,
        b"lvlText" => Tag::LvlText,
        b"suff" => Tag::Suff,
        b"startOverride" => Tag::StartOverride,
        b"lvlOverride" => Tag::LvlOverride,
        b"style" => Tag::Style,
        b"basedOn" => Tag::BasedOn,
        b"title" => Tag::Title,
        _ => Tag::Other,
    }
}

/// A simplified event.
#[derive(Debug)]
pub enum Ev<'a> {
    /// An opening tag; `empty` is true for `<x/>` (no matching `End` follows).
    Start {
        ns: Ns,
        tag: Tag,
        el: BytesStart<'a>,
        empty: bool,
    },
    End {
        ns: Ns,
        tag: Tag,
    },
    Text(Cow<'a, str>),
    Eof,
}

/// Namespace prefixes in scope: (element depth that declared it, prefix, namespace).
/// Declarations are looked for only in tags whose attributes mention `xmlns`, so the
/// common case (everything declared on the root) costs one byte search per tag.
#[derive(Debug, Default)]
struct Scope {
    decls: Vec<(usize, Vec<u8>, Ns)>,
}

impl Scope {
    fn declare(&mut self, el: &BytesStart, depth: usize) {
        if memchr_xmlns(el.attributes_raw()) {
            for a in el.attributes().with_checks(false).flatten() {
                let key = a.key.as_ref();
                let prefix = if key == b"xmlns" { Some(&b""[..]) } else { key.strip_prefix(b"xmlns:".as_slice()) };
                if let Some(prefix) = prefix
                    && self.decls.len() < 10_000
                {
                    self.decls.push((depth, prefix.to_vec(), ns_class(&a.value)));
                }
            }
        }
    }

    fn resolve(&self, qname: &[u8]) -> Ns {
        let prefix = match qname.iter().position(|b| *b == b':') {
            Some(i) => &qname[..i],
            None => b"",
        };
        self.decls.iter().rev().find(|d| d.1 == prefix).map_or(Ns::Other, |d| d.2)
    }

    fn leave(&mut self, depth: usize) {
        while self.decls.last().is_some_and(|d| d.0 > depth) {
            self.decls.pop();
        }
    }
}

fn memchr_xmlns(raw: &[u8]) -> bool {
    raw.windows(5).any(|w| w == b"xmlns")
}

fn ns_class(uri: &[u8]) -> Ns {
    match uri {
        NS_W | NS_W_STRICT => Ns::W,
        NS_S | NS_S_STRICT => Ns::S,
        NS_MC => Ns::Mc,
        NS_PKG_REL => Ns::Rel,
        _ => Ns::Other,
    }
}

fn local_of(qname: &[u8]) -> &[u8] {
    match qname.iter().rposition(|b| *b == b':') {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

#[derive(Debug)]
pub struct Xml<'a> {
    r: Reader<&'a [u8]>,
    scope: Scope,
    depth: usize,
    part: &'static str,
}

impl<'a> Xml<'a> {
    /// `part` names the archive entry in error messages.
    pub fn new(bytes: &'a [u8], part: &'static str) -> Result<Self, OfficeError> {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(OfficeError::Xml(part, "使用UTF-16编码，本程序只读取UTF-8".to_string()));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
        let mut r = Reader::from_reader(bytes);
        let c = r.config_mut();
        c.check_end_names = true;
        c.expand_empty_elements = false;
        Ok(Xml { r, scope: Scope::default(), depth: 0, part })
    }

    fn err(&self, what: impl std::fmt::Display) -> OfficeError {
        OfficeError::Xml(self.part, format!("{what}（位置{}）", self.r.buffer_position()))
    }

    pub fn next(&mut self) -> Result<Ev<'a>, OfficeError> {
        loop {
            let ev = match self.r.read_event() {
                Ok(x) => x,
                Err(e) => return Err(self.err(format!("不是格式正确的XML：{e}"))),
            };
            match ev {
                Event::Start(el) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(OfficeError::TooDeep(self.part, MAX_DEPTH));
                    }
                    self.scope.declare(&el, self.depth);
                    let q = el.name();
                    let (ns, tag) = (self.scope.resolve(q.as_ref()), tag_of(local_of(q.as_ref())));
                    return Ok(Ev::Start { ns, tag, el, empty: false });
                }
                Event::Empty(el) => {
                    self.scope.declare(&el, self.depth + 1);
                    let q = el.name();
                    let (ns, tag) = (self.scope.resolve(q.as_ref()), tag_of(local_of(q.as_ref())));
                    self.scope.leave(self.depth);
                    return Ok(Ev::Start { ns, tag, el, empty: true });
                }
                Event::End(el) => {
                    let q = el.name();
                    let (ns, tag) = (self.scope.resolve(q.as_ref()), tag_of(local_of(q.as_ref())));
                    self.depth = self.depth.saturating_sub(1);
                    self.scope.leave(self.depth);
                    return Ok(Ev::End { ns, tag });
                }
                Event::Text(t) => match t.decode() {
                    Ok(s) => return Ok(Ev::Text(s)),
                    Err(_) => return Err(self.err("含有不是UTF-8的字节")),
                },
                Event::CData(t) => match t.decode() {
                    Ok(s) => return Ok(Ev::Text(s)),
                    Err(_) => return Err(self.err("含有不是UTF-8的字节")),
                },
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => match &*r {
                            b"amp" => '&',
                            b"lt" => '<',
                            b"gt" => '>',
                            b"quot" => '"',
                            b"apos" => '\'',
                            other => {
                                // Never expanded: a document without DOCTYPE cannot define it.
                                let name = String::from_utf8_lossy(other).into_owned();
                                return Err(self.err(format!("含有未定义的实体引用“&{name};”")));
                            }
                        },
                        Err(e) => return Err(self.err(format!("字符引用无效：{e}"))),
                    };
                    return Ok(Ev::Text(Cow::Owned(c.to_string())));
                }
                Event::DocType(_) => return Err(OfficeError::DocType(self.part)),
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        let e = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                        if e != "utf-8" && e != "utf8" {
                            return Err(self.err(format!("声明的编码为“{e}”，本程序只读取UTF-8")));
                        }
                    }
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => {
                    if self.depth != 0 {
                        return Err(self.err("文件在元素结束之前就结束了"));
                    }
                    return Ok(Ev::Eof);
                }
            }
        }
    }

    /// Skip the rest of the element whose `Start` was just returned (not for empty ones).
    pub fn skip(&mut self) -> Result<(), OfficeError> {
        let target = self.depth - 1;
        loop {
            match self.next()? {
                Ev::End { .. } if self.depth == target => return Ok(()),
                Ev::Eof => return Err(self.err("文件在元素结束之前就结束了")),
                _ => {}
            }
        }
    }
}

/// The raw value of attribute `local` (any prefix) of an element, unescaped.
pub fn attr(el: &BytesStart, local: &[u8]) -> Option<String> {
    el.attributes().flatten().find(|a| a.key.local_name().as_ref() == local).map(|a| {
        match a.normalized_value(quick_xml::XmlVersion::Explicit1_0) {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        }
    })
}

/// Whether XML 1.0 allows the character (C0 controls other than TAB, LF, CR, and the
/// non-characters U+FFFE/U+FFFF are not allowed).
fn xml_char(c: char) -> bool {
    !((c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// Escape text for XML content and attribute values. Characters XML 1.0 forbids are
/// dropped.
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || !xml_char(c)) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if !xml_char(c) => {}
            c => o.push(c),
        }
    }
    Cow::Owned(o)
}
