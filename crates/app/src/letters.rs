//! Letters to the applicant (答复书, 补正告知书, 延期答复告知书, 征求第三方意见函, 收费通知书)
//! assembled from an application's record: the one place both the CLI's `gongkai letter` and the
//! web's download use.

use gongkai_clock::{Clock, Event};
use gongkai_letters::{Context, Kind, Letter};
use gongkai_register::AppId;
use gongkai_store::{Entity, Personal};
use jiff::civil::Date;

use crate::{Action, App, AppError, Result};

/// Which letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    Reply,
    Correction,
    Extension,
    ThirdParty,
    Fee,
}

/// What a letter needs beyond the record.
#[derive(Debug, Clone, Default)]
pub struct LetterInput {
    /// Short organ name for the document number (default: the full name).
    pub short: Option<String>,
    pub review_body: Option<String>,
    pub court: Option<String>,
    pub contact: Option<String>,
    /// The letter's date (default: the date of the event it belongs to, else today).
    pub date: Option<Date>,
    /// 补正告知书: what to correct, and in how many working days.
    pub what: Option<String>,
    pub days: u32,
    /// 征求第三方意见函: the third party.
    pub third_party: Option<String>,
    /// 收费通知书: pages (按量) or items (按件, with those already charged this month).
    pub pages: Option<u64>,
    pub items: Option<u64>,
    pub already: u64,
}

fn need<T>(v: Option<T>, msg: &str) -> Result<T> {
    v.ok_or_else(|| AppError::Invalid(msg.into()))
}

impl App<'_> {
    /// Assemble a letter. It carries the applicant's name, so it needs the right to see
    /// personal data (经办人 or 负责人 of the organ) and is audited as a disclosure.
    pub fn letter(&mut self, id: AppId, kind: LetterKind, input: &LetterInput, today: Date) -> Result<Letter> {
        self.use_case("letter", |s| s.letter_uc(id, kind, input, today))
    }

    fn letter_uc(&mut self, id: AppId, kind: LetterKind, input: &LetterInput, today: Date) -> Result<Letter> {
        let organ_id = self.store_mut().application(id, Personal::Masked)?.organ;
        self.authorize(Action::Read, Some(organ_id))?;
        self.authorize(Action::Unmask, Some(organ_id))?;
        let app = self.store_mut().application(id, Personal::Visible)?;
        let organ = self.store_mut().organ(app.organ)?;
        let clock = Clock::replay(self.calendar(), &app.events)?;
        let last = |f: &dyn Fn(&Event) -> bool| app.events.iter().rev().find(|e| f(e)).map(Event::date);
        let k = match kind {
            LetterKind::Reply => {
                let c = app
                    .conclusion()
                    .ok_or_else(|| AppError::Invalid(format!("申请 {} 尚未答复或办结，不能出具答复书", id.0)))?;
                Kind::Reply { outcome: c.outcome }
            }
            LetterKind::Correction => Kind::Correction {
                what: need(input.what.clone().filter(|w| !w.trim().is_empty()), "补正告知书须写明需要补正的内容")?,
                days: input.days,
            },
            LetterKind::Extension => {
                let ext = need(clock.extension.as_ref(), &format!("申请 {} 没有延期记录，请先记录延期事件", id.0))?;
                let due = need(clock.due, &format!("申请 {} 没有答复期限", id.0))?;
                Kind::Extension { days: ext.days, new_due: due }
            }
            LetterKind::ThirdParty => Kind::ThirdParty {
                third_party: need(
                    input.third_party.clone().filter(|t| !t.trim().is_empty()),
                    "征求意见函须写明第三方名称",
                )?,
            },
            LetterKind::Fee => {
                let quote = match (input.pages, input.items) {
                    (Some(p), None) => gongkai_fees::by_pages(p),
                    (None, Some(k)) => gongkai_fees::by_items(input.already, k),
                    _ => return Err(AppError::Invalid("收费通知书须给出页数或件数（二选一）".into())),
                }
                .map_err(|e| AppError::Invalid(e.to_string()))?;
                Kind::Fee { quote }
            }
        };
        let event_date = match &k {
            Kind::Reply { .. } => app.conclusion().map(|c| c.date),
            Kind::Correction { .. } => last(&|e| matches!(e, Event::CorrectionRequested { .. })),
            Kind::Extension { .. } => last(&|e| matches!(e, Event::Extended { .. })),
            Kind::ThirdParty { .. } => last(&|e| matches!(e, Event::ConsultationStarted { .. })),
            Kind::Fee { .. } => last(&|e| matches!(e, Event::FeeNotice { .. })),
        };
        let ctx = Context {
            organ: organ.name.clone(),
            organ_short: input.short.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| organ.name.clone()),
            serial: app.serial.clone(),
            applicant: app.applicant.name.clone(),
            received: clock.received,
            description: app.description.clone(),
            date: input.date.or(event_date).unwrap_or(today),
            review_body: input.review_body.clone(),
            court: input.court.clone(),
            contact: input.contact.clone(),
        };
        let l = gongkai_letters::letter(&k, &ctx);
        let actor = self.principal().user.clone();
        self.store_mut().audit_disclosure(
            Entity::Application,
            &id.0.to_string(),
            &actor,
            &format!("生成{}", l.title),
        )?;
        Ok(l)
    }
}
