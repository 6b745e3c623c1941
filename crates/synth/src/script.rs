//! Reports delivered inside scripts (issue 13 part 2): a page's HTML written into a
//! JavaScript or JSON string literal, with the escapes sites use (`\"`, `\n`, `\/`,
//! `\uXXXX`) and unrelated script data around it (menus, dictionaries, counters).

use crate::Rng;

/// The three shapes seen on sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptShape {
    /// A `.js` file: `let content = "…";` between a menu array and a dictionary.
    JsFile,
    /// A JSON API answer: `{"code":200,"data":{"title":"…","content":"…"}}`.
    Json,
    /// An HTML page whose body is page chrome and an empty container, the report in
    /// `<script>var content = '…'; …innerHTML = content;</script>`.
    HtmlPage,
}

pub const SCRIPT_SHAPES: [ScriptShape; 3] = [ScriptShape::JsFile, ScriptShape::Json, ScriptShape::HtmlPage];

/// `html` as the content of a string literal quoted with `quote`: quotes, backslashes and
/// line breaks escaped; `/` as `\/` when `slash` (always inside an HTML page, where `</`
/// would end the script); every non-ASCII character as `\uXXXX` (surrogate pairs above the
/// BMP) when `unicode`.
pub fn escape_literal(html: &str, quote: char, slash: bool, unicode: bool) -> String {
    let mut out = String::with_capacity(html.len() * 2);
    for c in html.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '/' if slash => out.push_str("\\/"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if unicode && !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

const MENU: &str = r#"var menu = [{"name":"首页","url":"\/index.html"},{"name":"政务公开","url":"\/zwgk\/"},{"name":"年报","url":"\/ndbg\/"}];"#;
const DICT: &str =
    r#"var dict = {"zfxxgk":"政府信息公开","ndbg":"年度报告","lm":["总体情况","主动公开"],"it's":"ok"};"#;

/// `html` inside a script of the given shape; the seed draws the escapes and the quotes.
pub fn in_script(html: &str, shape: ScriptShape, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x5c81_7e11);
    let unicode = rng.chance(40);
    let slash = shape == ScriptShape::HtmlPage || rng.chance(50);
    match shape {
        ScriptShape::JsFile => {
            let quote = if rng.chance(70) { '"' } else { '\'' };
            let lit = escape_literal(html, quote, slash, unicode);
            format!(
                "// 年报内容 (don't edit)\n{MENU}\nlet content = {quote}{lit}{quote};\n{DICT}\nvar visits = 1024;\n"
            )
        }
        ScriptShape::Json => {
            let lit = escape_literal(html, '"', slash, unicode);
            format!(
                "{{\"code\":200,\"msg\":\"success\",\"data\":{{\"id\":{},\"title\":\"政府信息公开工作年度报告\",\"menu\":[\"首页\",\"政务公开\"],\"content\":\"{lit}\",\"hits\":{}}}}}\n",
                rng.range(1000, 99999),
                rng.below(5000)
            )
        }
        ScriptShape::HtmlPage => {
            let quote = if rng.chance(50) { '"' } else { '\'' };
            let lit = escape_literal(html, quote, true, unicode);
            format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>政务公开</title>\n<script>{MENU}</script></head>\n\
                 <body><div class=\"nav\">首页 &gt; 政务公开 &gt; 年度报告</div>\n<div id=\"content\"></div>\n\
                 <script>\nvar content = {quote}{lit}{quote};\ndocument.getElementById(\"content\").innerHTML = content;\n{DICT}\n</script>\n\
                 <div class=\"foot\">主办单位 版权所有</div></body></html>\n"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_reversible_by_a_json_reader() {
        // A JSON reader (the reference for the double-quoted shape) gets the HTML back.
        let html = "<p class=\"x\">一、总体情况 😀</p>\n<td>12</td>\\";
        for unicode in [false, true] {
            let lit = escape_literal(html, '"', true, unicode);
            assert!(!lit.contains("</"));
            assert_eq!(unicode, lit.is_ascii() && lit.contains("\\u"));
            let back: String = serde_json_like(&lit);
            assert_eq!(back, html);
        }
    }

    /// A minimal JSON string reader for the test (the crate has no JSON dependency).
    fn serde_json_like(lit: &str) -> String {
        let mut out = String::new();
        let mut units: Vec<u16> = Vec::new();
        let mut it = lit.chars().peekable();
        let flush = |units: &mut Vec<u16>, out: &mut String| {
            out.push_str(&String::from_utf16(units).unwrap());
            units.clear();
        };
        while let Some(c) = it.next() {
            if c != '\\' {
                flush(&mut units, &mut out);
                out.push(c);
                continue;
            }
            match it.next() {
                Some('u') => {
                    let h: String = (0..4).filter_map(|_| it.next()).collect();
                    units.push(u16::from_str_radix(&h, 16).unwrap());
                }
                Some(e) => {
                    flush(&mut units, &mut out);
                    out.push(match e {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        e => e,
                    });
                }
                None => {}
            }
        }
        flush(&mut units, &mut out);
        out
    }
}
