//! The 台账 pages: upload an XLSX or CSV ledger, see every bad row before anything is written,
//! import all or nothing, and download the ledger masked. The use cases are
//! `gongkai_app::ledger` (the CLI's `gongkai ledger` calls the same ones).
//!
//! **The import is bound to the bytes previewed.** A preview that passes stages the uploaded
//! bytes on the server under the session (one upload per session, kept [`STAGE_SECONDS`], at
//! most [`STAGE_TOTAL`] bytes for all sessions) with their SHA-256; the import form carries
//! only that digest, and the import reads exactly the staged bytes (and checks them again, so
//! a 受理编号 registered in between is refused, not duplicated). A different digest, another
//! session or an expired upload imports nothing.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::ledger::{self as ledger_io, LedgerFormat, LedgerOutcome};
use gongkai_app::{Action, AppError};
use gongkai_register::OrganId;
use sha2::{Digest, Sha256};

use crate::{Ready, Web, WebError, as_user, check_csrf, now, pages, today};

/// Largest ledger upload through the browser (bytes); larger ledgers go through the CLI.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;
/// How long a previewed upload waits for its import (seconds).
pub const STAGE_SECONDS: i64 = 30 * 60;
/// All staged uploads together (bytes).
pub const STAGE_TOTAL: usize = 256 * 1024 * 1024;

/// An upload that passed its preview, waiting for the import.
#[derive(Debug)]
pub struct Staged {
    pub organ: OrganId,
    pub name: String,
    pub digest: String,
    pub bytes: Vec<u8>,
    pub at: i64,
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct LedgerQuery {
    organ: Option<String>,
    imported: Option<usize>,
    first: Option<i64>,
    last: Option<i64>,
}

pub(crate) async fn page(State(web): State<Arc<Web>>, Ready(c): Ready, Query(q): Query<LedgerQuery>) -> Response {
    let chosen = q.organ.as_deref().and_then(|o| o.trim().parse::<i64>().ok());
    let done = q.imported.map(|n| (n, q.first.unwrap_or(0), q.last.unwrap_or(0)));
    show(&web, &c, chosen, pages::LedgerResult { imported: done, ..Default::default() }, StatusCode::OK).await
}

async fn show(
    web: &Arc<Web>,
    c: &crate::Ctx,
    chosen: Option<i64>,
    r: pages::LedgerResult,
    status: StatusCode,
) -> Response {
    match as_user(web, c, |a| a.organs()).await {
        Ok(organs) => {
            let organ = chosen.map(OrganId).or_else(|| organs.first().map(|o| o.id));
            (status, pages::ledger(c, &organs, organ, &r)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// The fields of the upload form.
#[derive(Default)]
struct Upload {
    csrf: String,
    organ: String,
    name: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut m: Multipart) -> Result<Upload, String> {
    let too_big = || {
        format!(
            "上传的文件超过网页导入上限{}MiB，请分成几个文件，或用命令行 gongkai ledger import 导入",
            UPLOAD_LIMIT >> 20
        )
    };
    let mut u = Upload::default();
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
            Err(_) => return Err("上传的表单无法读取，请重新选择文件上传".into()),
        };
        let key = field.name().unwrap_or_default().to_string();
        let file = field.file_name().map(str::to_string);
        let data = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
            Err(_) => return Err("上传的文件没有完整收到，请重新上传".into()),
        };
        match key.as_str() {
            "csrf" => u.csrf = String::from_utf8_lossy(&data).into_owned(),
            "organ" => u.organ = String::from_utf8_lossy(&data).into_owned(),
            "file" => {
                u.name = file.unwrap_or_default();
                u.bytes = data.to_vec();
            }
            _ => {}
        }
    }
    Ok(u)
}

pub(crate) async fn preview(State(web): State<Arc<Web>>, Ready(c): Ready, m: Multipart) -> Response {
    let u = match read_upload(m).await {
        Ok(u) => u,
        Err(msg) => {
            let r = pages::LedgerResult { error: Some(msg), ..Default::default() };
            return show(&web, &c, None, r, StatusCode::PAYLOAD_TOO_LARGE).await;
        }
    };
    if let Err(e) = check_csrf(&c, &u.csrf) {
        return e.into_response();
    }
    let Ok(organ) = u.organ.trim().parse::<i64>().map(OrganId) else {
        let r = pages::LedgerResult { error: Some("请选择受理机关".into()), ..Default::default() };
        return show(&web, &c, None, r, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let fail = |msg: String| pages::LedgerResult { error: Some(msg), ..Default::default() };
    if u.bytes.is_empty() {
        let msg = if u.name.is_empty() {
            "请选择要上传的台账文件（.xlsx 或 .csv）".to_string()
        } else {
            format!("“{}”是空文件", u.name)
        };
        return show(&web, &c, Some(organ.0), fail(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let lower = u.name.to_lowercase();
    if !lower.ends_with(".xlsx") && !lower.ends_with(".csv") {
        let msg = format!("“{}”不是 .xlsx 或 .csv 文件", u.name);
        return show(&web, &c, Some(organ.0), fail(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let name = u.name.clone();
    let bytes = Arc::new(u.bytes);
    let b = bytes.clone();
    let checked = as_user(&web, &c, move |a| {
        // Authorization first: a reader may not learn what a file would do to the register.
        a.authorize(Action::Register, Some(organ))?;
        let sheet = ledger_io::read_rows(&b, &name)?;
        let outcome = a.import_ledger(organ, &sheet.rows, today(), true)?;
        Ok((sheet.warnings, outcome))
    })
    .await;
    let (warnings, outcome) = match checked {
        Ok(x) => x,
        Err(WebError::App(e)) if e.code() == "invalid" => {
            return show(&web, &c, Some(organ.0), fail(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return e.into_response(),
    };
    match outcome {
        LedgerOutcome::Refused { errors } => {
            let r = pages::LedgerResult { file: u.name, errors, warnings, ..Default::default() };
            show(&web, &c, Some(organ.0), r, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        LedgerOutcome::Checked { rows } => {
            let bytes = Arc::try_unwrap(bytes).unwrap_or_else(|b| b.as_ref().clone());
            let d = digest(&bytes);
            if !stage(
                &web,
                &c.session.token_hash,
                Staged { organ, name: u.name.clone(), digest: d.clone(), bytes, at: now() },
            ) {
                let msg = "服务器暂存的待导入文件已满，请稍后重试".to_string();
                return show(&web, &c, Some(organ.0), fail(msg), StatusCode::SERVICE_UNAVAILABLE).await;
            }
            let r =
                pages::LedgerResult { file: u.name, checked: Some(rows), digest: d, warnings, ..Default::default() };
            show(&web, &c, Some(organ.0), r, StatusCode::OK).await
        }
        LedgerOutcome::Imported { .. } => {
            WebError::Internal { code: "web.ledger.preview", kind: "wrote" }.into_response()
        }
    }
}

/// Keep `s` for the session (replacing its earlier upload); false when the space is full.
fn stage(web: &Web, session: &str, s: Staged) -> bool {
    let Ok(mut map) = web.staged.lock() else { return false };
    let t = now();
    map.retain(|_, v| t - v.at < STAGE_SECONDS);
    map.remove(session);
    let used: usize = map.values().map(|v| v.bytes.len()).sum();
    if used + s.bytes.len() > STAGE_TOTAL {
        return false;
    }
    map.insert(session.to_string(), s);
    true
}

#[derive(serde::Deserialize)]
pub(crate) struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    organ: String,
    #[serde(default)]
    digest: String,
}

pub(crate) async fn import(State(web): State<Arc<Web>>, Ready(c): Ready, Form(f): Form<ImportForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let Ok(organ) = f.organ.trim().parse::<i64>().map(OrganId) else {
        return WebError::App(AppError::Invalid("请选择受理机关".into())).into_response();
    };
    // Authorization before anything about the staged upload is said.
    if let Err(e) = as_user(&web, &c, move |a| a.authorize(Action::Register, Some(organ))).await {
        return e.into_response();
    }
    let staged = web.staged.lock().ok().and_then(|mut m| {
        let hit = m
            .get(&c.session.token_hash)
            .is_some_and(|s| s.digest == f.digest && s.organ == organ && now() - s.at < STAGE_SECONDS);
        if hit { m.remove(&c.session.token_hash) } else { None }
    });
    let Some(s) = staged else {
        let msg = "没有与此相符的已校验文件（预览已过期、已导入或文件已更换），请重新上传并校验".to_string();
        let r = pages::LedgerResult { error: Some(msg), ..Default::default() };
        return show(&web, &c, Some(organ.0), r, StatusCode::CONFLICT).await;
    };
    let (name, bytes) = (s.name.clone(), s.bytes);
    let done = as_user(&web, &c, move |a| {
        let sheet = ledger_io::read_rows(&bytes, &name)?;
        a.import_ledger(organ, &sheet.rows, today(), false)
    })
    .await;
    match done {
        Ok(LedgerOutcome::Imported { ids }) => {
            let (first, last) = (ids.first().map_or(0, |i| i.0), ids.last().map_or(0, |i| i.0));
            Redirect::to(&format!("/ledger?organ={}&imported={}&first={first}&last={last}", organ.0, ids.len()))
                .into_response()
        }
        Ok(LedgerOutcome::Refused { errors }) => {
            let r = pages::LedgerResult { file: s.name, errors, ..Default::default() };
            show(&web, &c, Some(organ.0), r, StatusCode::CONFLICT).await
        }
        Ok(LedgerOutcome::Checked { .. }) => {
            WebError::Internal { code: "web.ledger.import", kind: "not_run" }.into_response()
        }
        Err(WebError::App(e)) if matches!(e.code(), "invalid" | "duplicate") => {
            let r = pages::LedgerResult { error: Some(e.to_string()), ..Default::default() };
            show(&web, &c, Some(organ.0), r, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ExportQuery {
    organ: Option<String>,
    format: Option<LedgerFormat>,
}

/// The ledger of one organ as a file, personal data masked.
pub(crate) async fn export(State(web): State<Arc<Web>>, Ready(c): Ready, Query(q): Query<ExportQuery>) -> Response {
    match organ_of(q.organ.as_deref()) {
        Ok(organ) => download(&web, &c, organ, q.format.unwrap_or(LedgerFormat::Xlsx), None).await,
        Err(e) => e.into_response(),
    }
}

/// The form of the unmasked export.
#[derive(serde::Deserialize, Default)]
pub(crate) struct UnmaskedForm {
    #[serde(default)]
    csrf: String,
    organ: Option<String>,
    format: Option<LedgerFormat>,
    #[serde(default)]
    purpose: String,
}

/// The ledger of one organ as a file with the applicants' personal data: an explicit action
/// (a POST with the session's CSRF token) with a stated purpose, which the use case checks
/// against `Action::Unmask` and records in the audit trail on the organ before the file is
/// made, like the unmasking of one record.
pub(crate) async fn export_unmasked(
    State(web): State<Arc<Web>>,
    Ready(c): Ready,
    Form(f): Form<UnmaskedForm>,
) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let organ = match organ_of(f.organ.as_deref()) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let purpose = f.purpose.trim().to_string();
    if purpose.is_empty() {
        let r = pages::LedgerResult {
            error: Some("导出含个人信息的台账须填写用途（将记入审计日志）".into()),
            ..Default::default()
        };
        return show(&web, &c, Some(organ.0), r, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    download(&web, &c, organ, f.format.unwrap_or(LedgerFormat::Xlsx), Some(purpose)).await
}

/// The organ a ledger form or query names.
fn organ_of(organ: Option<&str>) -> Result<OrganId, WebError> {
    organ
        .and_then(|o| o.trim().parse::<i64>().ok())
        .map(OrganId)
        .ok_or_else(|| WebError::App(AppError::Invalid("请选择要导出台账的机关".into())))
}

/// The export of `organ` as a download: masked, or with `unmask` (the purpose) unmasked.
async fn download(
    web: &Arc<Web>,
    c: &crate::Ctx,
    organ: OrganId,
    format: LedgerFormat,
    unmask: Option<String>,
) -> Response {
    let made = as_user(web, c, move |a| {
        let x = a.export_ledger(organ, unmask.as_deref())?;
        Ok((ledger_io::write_rows(format, x.sheet, &x.rows)?, x.masked))
    })
    .await;
    match made {
        Ok((bytes, masked)) => {
            let (what, file) =
                if masked { ("个人信息已隐去", "ledger") } else { ("含个人信息", "ledger-unmasked") };
            let ext = format.extension();
            let name = format!("台账-机关{}-{what}.{ext}", organ.0);
            let disposition =
                format!("attachment; filename=\"{file}-{}.{ext}\"; filename*=UTF-8''{}", organ.0, pages::encode(&name));
            ([(header::CONTENT_TYPE, format.mime().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}
