// TEMPORARY shim until gongkai-html lands; removed before commit.
pub struct HtmlDoc {
    pub doc: gongkai_model::doc::Doc,
    pub warnings: Vec<String>,
}
pub fn html_to_doc(text: &str) -> HtmlDoc {
    HtmlDoc { doc: crate::text::text_to_doc(text).doc, warnings: vec![] }
}
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    pub had_errors: bool,
}
pub fn looks_like_html(_b: &[u8]) -> bool {
    false
}
pub fn decode(b: &[u8], _h: bool) -> Decoded {
    Decoded { text: String::from_utf8_lossy(b).into_owned(), encoding: "UTF-8", had_errors: false }
}
