//! The official layout for the office writers: the tables are
//! [`gongkai_render::layout`]'s positioned cells (the one description every writer
//! iterates; DOCX turns the spans into `w:gridSpan`/`w:vMerge`, XLSX into `mergeCells`);
//! what is added here is office-only: the section heading to write and the document
//! properties.

use gongkai_model::Report;
pub use gongkai_render::layout::{
    DataRef, Kind, LCell, T3_NOTE, Table, cell_text, is_2021, preamble, t3_rows, table2, table3, table4, tables, value,
};

/// The heading to write for section `id`: the printed one when the report has the section;
/// the template's for a missing 二/三/四 whose table has data (the table needs its place);
/// none for any other missing section — a writer does not invent what the report lacks,
/// so the checker still reports it (D12) and no empty heading ends the document.
pub fn heading(r: &Report, id: u8) -> Option<&str> {
    if let Some(s) = r.section(id) {
        return Some(s.heading.as_str());
    }
    let has_table = match id {
        2 => !r.table2.is_empty(),
        3 => !r.table3.is_empty(),
        4 => !r.table4.is_empty(),
        _ => false,
    };
    has_table.then(|| gongkai_model::SectionId(id).official_heading())
}

/// `docProps/core.xml`: the document properties Word and Excel show as 标题 and 作者 (the
/// report title and the organ). No dates, so output stays deterministic.
pub fn core_props(r: &Report) -> String {
    let title = r.title.as_ref().map_or("政府信息公开工作年度报告", |t| t.value.as_str());
    core_props_for(title, r.organ.as_ref().map(|o| o.value.as_str()))
}

/// `docProps/core.xml` with a title and an optional author (the organ).
pub fn core_props_for(title: &str, creator: Option<&str>) -> String {
    let creator = creator.map(|o| format!("<dc:creator>{}</dc:creator>", crate::xml::esc(o)));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties \
xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title>{}<dc:language>zh-CN</dc:language></cp:coreProperties>",
        crate::xml::esc(title),
        creator.unwrap_or_default()
    )
}

/// Content-type override of `docProps/core.xml`.
pub const CORE_CT: &str = "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>";
