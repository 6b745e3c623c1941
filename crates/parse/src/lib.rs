//! Parsers for published annual reports. Bytes in, `(Report, findings)` out: parsing never
//! fails on content, only on IO (which happens in the caller). Every value keeps its
//! provenance.
//!
//! Pipeline: decode (BOM, meta charset, sniffing) → front end (text or HTML) → document
//! blocks ([`gongkai_model::doc::Doc`]) → [`interpret::interpret`] → [`Report`].

pub mod crawl;
pub mod encoding;
pub mod html;
mod infer;
pub mod interpret;
pub mod items;
mod keys;
pub mod labels;
mod pre2019;
mod script;
pub mod split;
pub mod text;

use std::borrow::Cow;

use gongkai_model::{Finding, Report, Severity};

/// Largest input accepted (bytes). Larger inputs are cut and a finding says so.
pub const MAX_INPUT: usize = 16 * 1024 * 1024;

/// A parsed document: the report, what the parser found wrong with the document, and the
/// decoded source text that every `Src` in them points into.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub report: Report,
    pub findings: Vec<Finding>,
    pub text: String,
    /// Set when the input is a kind this version cannot read (PDF, DOCX/XLSX, binary): the
    /// report is then empty and the message says why.
    pub unsupported: Option<String>,
}

/// Input kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Html,
}

/// Parse decoded text of a known kind. The text is copied into [`Parsed::text`]; a caller
/// that owns it hands it over with [`parse_string`].
pub fn parse_str(text: &str, kind: Kind) -> Parsed {
    parse_string(text.to_string(), kind)
}

/// Parse decoded text of a known kind, keeping the text itself as [`Parsed::text`] (the
/// source every `Src` points into) without copying it.
pub fn parse_string(text: String, kind: Kind) -> Parsed {
    let mut findings = Vec::new();
    let mut crawled = None;
    let doc = match kind {
        Kind::Text => {
            let t = text::text_to_doc(&text);
            // Crawler exports are text with a shape of their own (`crawl`), recognised
            // without a flag from the text front end's lines.
            if crawl::detect_doc(&t.doc) {
                crawled = Some(crawl::crawl_to_doc(&text));
                Default::default()
            } else {
                for w in t.warnings {
                    findings.push(Finding::new("P6", Severity::Warning, w));
                }
                t.doc
            }
        }

        Kind::Html => {
            let h = html::html_to_doc(&text);
            for w in h.warnings {
                findings.push(Finding::new("P6", Severity::Warning, w));
            }
            h.doc
        }
    };
    let mut report = match crawled {
        Some(mut c) => {
            let doc = std::mem::take(&mut c.doc);
            let mut report = interpret::interpret(doc, &mut findings);
            crawl::apply(c, &mut report, &mut findings);
            report
        }
        None => interpret::interpret(doc, &mut findings),
    };
    // A report in a script literal: looked for when the file's own parse is not a complete
    // report, or when the text has escapes (its own parse may have read the report through
    // the escaped markup). A complete report without a backslash costs one memchr.
    if (!script::complete(&report) || memchr::memchr(b'\\', text.as_bytes()).is_some())
        && let Some((r, f, span)) = embedded_report(&text, kind)
    {
        let (own, theirs) = (script::body_score(&report), script::body_score(&r));
        let read_through = report.sections.first().is_some_and(|s| span.contains(&(s.src.start as usize)));
        if theirs > own || (read_through && theirs >= own) {
            report = r;
            findings = f;
        }
    }
    report.source.kind = match kind {
        Kind::Text => "text",
        Kind::Html => "html",
    }
    .to_string();
    report.source.encoding = "UTF-8".to_string();
    report.source.bytes = text.len() as u64;
    Parsed { report, findings, text, unsupported: None }
}

/// The report held in a script's string literal (see `script`): the report read from the
/// unescaped literal with provenance into `text`, its findings (the first saying where the
/// report was found) and the literal's byte range.
fn embedded_report(text: &str, kind: Kind) -> Option<(Report, Vec<Finding>, std::ops::Range<usize>)> {
    let e = script::embedded(text, kind == Kind::Html)?;
    let h = html::html_to_doc(&e.text);
    let mut doc = h.doc;
    script::remap(&mut doc, &e, text);
    let at = gongkai_model::doc::LineIndex::new(text).src(text, e.start, e.end);
    let mut findings = vec![
        Finding::new(
            "P6",
            Severity::Info,
            format!("报告正文在脚本的字符串中（第{}行第{}列起），已还原转义字符后按网页读取", at.line, at.col),
        )
        .at(Some(at)),
    ];
    findings.extend(h.warnings.into_iter().map(|w| Finding::new("P6", Severity::Warning, w)));
    let report = interpret::interpret(doc, &mut findings);
    Some((report, findings, e.start..e.end))
}

/// Parse the layout text extracted from a PDF (see the `gongkai-pdf` crate). Provenance
/// points into `text`; a `String` handed over is kept as [`Parsed::text`] without a copy.
pub fn parse_pdf_text(text: impl Into<String>, pdf_bytes: usize, name: Option<&str>) -> Parsed {
    let mut p = parse_string(text.into(), Kind::Text);
    p.report.source.kind = "pdf".to_string();
    p.report.source.bytes = pdf_bytes as u64;
    p.report.source.name = name.map(str::to_string);
    p
}

/// Whether the bytes are a PDF file.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// Parse raw bytes: detect the encoding and whether the input is HTML.
///
/// UTF-8 bytes, owned or borrowed, are validated once (SIMD) and copied once into
/// [`Parsed::text`] (see [`encoding::decode`]).
pub fn parse_bytes<'a>(bytes: impl Into<Cow<'a, [u8]>>, name: Option<&str>) -> Parsed {
    parse_cow(bytes.into(), name)
}

fn parse_cow(mut bytes: Cow<'_, [u8]>, name: Option<&str>) -> Parsed {
    if let Some(why) = unsupported_kind(&bytes) {
        let mut report = Report::empty();
        report.source.name = name.map(str::to_string);
        report.source.bytes = bytes.len() as u64;
        return Parsed { report, findings: Vec::new(), text: String::new(), unsupported: Some(why.to_string()) };
    }
    let mut pre = Vec::new();
    if bytes.len() > MAX_INPUT {
        pre.push(Finding::new(
            "P6",
            Severity::Warning,
            format!("文件过大（{}字节），只读取前{}字节", bytes.len(), MAX_INPUT),
        ));
        match &mut bytes {
            Cow::Borrowed(b) => *b = &b[..MAX_INPUT],
            Cow::Owned(v) => v.truncate(MAX_INPUT),
        }
    }
    let len = bytes.len();
    let is_html = (encoding::looks_like_html(&bytes) && !encoding::is_markdown_with_tags(&bytes))
        || name.is_some_and(|n| n.ends_with(".html") || n.ends_with(".htm") || n.ends_with(".shtml"));
    let decoded = encoding::decode(bytes, is_html);
    if decoded.had_errors {
        pre.push(Finding::new(
            "P6",
            Severity::Warning,
            format!("按{}解码时遇到无法识别的字节，已替换为“\u{FFFD}”", decoded.encoding),
        ));
    }
    let mut p = parse_string(decoded.text, if is_html { Kind::Html } else { Kind::Text });
    p.report.source.encoding = decoded.encoding.to_string();
    p.report.source.bytes = len as u64;
    p.report.source.name = name.map(str::to_string);
    pre.append(&mut p.findings);
    p.findings = pre;
    p
}

/// Container formats recognised by their magic bytes that this version does not read.
fn unsupported_kind(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(b"%PDF-") {
        Some(
            "这是PDF文件：文本与网页解析器不直接读取PDF（gongkai check/parse 会先用 pdftotext 提取文字；程序中请调用 gongkai_ingest::read）",
        )
    } else if b.starts_with(b"PK\x03\x04") {
        Some(
            "这是ZIP容器（DOCX/XLSX）文件：文本与网页解析器不直接读取（gongkai check/parse 会交给 Word/Excel 读取器；程序中请调用 gongkai_ingest::read）",
        )
    } else if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("这是旧版Office二进制文件（DOC/XLS）：请另存为网页（HTML）或文本再检查")
    } else if b.iter().take(4096).filter(|c| **c == 0).count() > 16
        && !b.starts_with(&[0xFF, 0xFE])
        && !b.starts_with(&[0xFE, 0xFF])
    {
        Some("这是二进制文件，不是文本或网页")
    } else {
        None
    }
}
