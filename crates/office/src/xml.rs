//! A guarded XML event reader over quick-xml: no DOCTYPE (so no entity definitions and no
//! entity expansion), only the five predefined entities and character references, bounded
//! element depth, UTF-8 only. Element names are resolved to their namespace so `w:t` is not
//! confused with DrawingML's `a:t`.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

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

fn ns_of(r: &ResolveResult) -> Ns {
    match r {
        ResolveResult::Bound(n) => match n.as_ref() {
            NS_W | NS_W_STRICT => Ns::W,
            NS_S | NS_S_STRICT => Ns::S,
            NS_MC => Ns::Mc,
            NS_PKG_REL => Ns::Rel,
            _ => Ns::Other,
        },
        _ => Ns::Other,
    }
}

/// A simplified event.
#[derive(Debug)]
pub enum Ev<'a> {
    /// An opening tag; `empty` is true for `<x/>` (no matching `End` follows).
    Start {
        ns: Ns,
        local: Vec<u8>,
        el: BytesStart<'a>,
        empty: bool,
    },
    End {
        ns: Ns,
        local: Vec<u8>,
    },
    Text(Cow<'a, str>),
    Eof,
}

#[derive(Debug)]
pub struct Xml<'a> {
    r: NsReader<&'a [u8]>,
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
        let mut r = NsReader::from_reader(bytes);
        let c = r.config_mut();
        c.check_end_names = true;
        c.expand_empty_elements = false;
        Ok(Xml { r, depth: 0, part })
    }

    fn err(&self, what: impl std::fmt::Display) -> OfficeError {
        OfficeError::Xml(self.part, format!("{what}（位置{}）", self.r.buffer_position()))
    }

    pub fn next(&mut self) -> Result<Ev<'a>, OfficeError> {
        loop {
            let (res, ev) = match self.r.read_resolved_event() {
                Ok(x) => x,
                Err(e) => return Err(self.err(format!("不是格式正确的XML：{e}"))),
            };
            let ns = ns_of(&res);
            match ev {
                Event::Start(el) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(OfficeError::TooDeep(self.part, MAX_DEPTH));
                    }
                    let local = el.local_name().as_ref().to_vec();
                    return Ok(Ev::Start { ns, local, el, empty: false });
                }
                Event::Empty(el) => {
                    let local = el.local_name().as_ref().to_vec();
                    return Ok(Ev::Start { ns, local, el, empty: true });
                }
                Event::End(el) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Ev::End { ns, local: el.local_name().as_ref().to_vec() });
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

/// Escape text for XML content and attribute values. Characters XML 1.0 forbids (C0
/// controls other than TAB, LF, CR) are dropped.
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))) {
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
            c if c < ' ' && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    Cow::Owned(o)
}
