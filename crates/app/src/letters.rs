//! Letters to the applicant (答复书, 补正告知书, 延期答复告知书, 征求第三方意见函, 收费通知书)
//! assembled from an application's record: the one place both the CLI's `gongkai letter` and the
//! web's download use.
//!
//! **Sign-off** (负责人 alone, [`Action::SignLetter`]): a letter is a draft until a head signs
//! off exactly its text. The sign-off is an audit row on the application (the head reads the
//! letter, which carries the applicant's name, so it is written as a disclosure whose purpose is
//! `签发：<title>（<fingerprint>）`); the fingerprint is the SHA-256 of the letter's whole text, so
//! a letter that changes after the sign-off (another event, other details) is a draft again.
//! No other purpose may start with [`SIGN_PREFIX`] (refused in `App::personal`), so a sign-off
//! cannot be forged by unmasking with a made-up purpose.

use gongkai_clock::{Clock, Event, Party, PauseKind, State};
use gongkai_letters::{Context, Kind, Letter};
use gongkai_register::{AppId, OrganId};
use gongkai_store::{Entity, Personal};
use jiff::civil::Date;

use crate::{Action, App, AppError, Result};

/// The start of a sign-off's audit purpose, reserved for [`App::sign_off_letter`].
pub const SIGN_PREFIX: &str = "签发：";

/// Who signed a letter off, and when (RFC 3339 UTC, as the audit trail keeps it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignOff {
    pub title: String,
    pub by: String,
    pub at: String,
    pub fingerprint: String,
}

/// A letter with its sign-off, if its exact text has one.
#[derive(Debug, Clone)]
pub struct CheckedLetter {
    pub letter: Letter,
    pub fingerprint: String,
    pub signed: Option<SignOff>,
}

impl CheckedLetter {
    /// The letter as it may leave the office: unsigned, its title says it is a draft.
    pub fn marked(&self) -> Letter {
        let mut l = self.letter.clone();
        if self.signed.is_none() {
            l.title = format!("{}（草稿，未经负责人签发）", l.title);
        }
        l
    }
}

/// The first 16 hex digits of the SHA-256 of a letter's whole text.
pub fn fingerprint(l: &Letter) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(l).unwrap_or_default();
    Sha256::digest(text.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn purpose_of(l: &Letter, fingerprint: &str) -> String {
    format!("{SIGN_PREFIX}{}（{fingerprint}）", l.title)
}

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

/// How a letter is sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sending {
    /// Record the letter's event in the application's log (补正告知 → `correction_requested`,
    /// 征求意见 → `consultation_started`, 收费通知 → `fee_notice`) when the log does not have
    /// it yet. Off: a draft, nothing recorded.
    pub record: bool,
    /// Write the letter even when it does not fit the application's state (a fee notice for
    /// an application already answered), with the mismatch as a warning; nothing is recorded.
    pub despite_state: bool,
}

/// A letter and what sending it did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SentLetter {
    pub letter: Letter,
    /// The event recorded for it (None: a reprint of a recorded notice, a draft, or a letter
    /// the event model has no event for: 答复书 and 延期答复告知书 follow their events).
    pub recorded: Option<Event>,
    /// The application's version after recording.
    pub version: i64,
    /// Why the letter does not fit the application's state (only with `despite_state`).
    pub warning: Option<String>,
}

/// How a letter stands to the application's log.
enum Fit {
    /// The letter follows an event already recorded (答复书, 延期答复告知书, or a reprint of a
    /// pending notice).
    Recorded,
    /// Sending the letter is this event.
    New(Event),
    /// The letter does not fit the state.
    Mismatch(String),
}

fn need<T>(v: Option<T>, msg: &str) -> Result<T> {
    v.ok_or_else(|| AppError::Invalid(msg.into()))
}

/// Whether a letter of `kind` fits the application's state, and the event sending it is.
fn fit(kind: &Kind, clock: &Clock, title: &str, date: Date, id: AppId) -> Fit {
    let closed = |on: Date, o: gongkai_clock::Outcome| {
        Fit::Mismatch(format!(
            "申请 {} 已于{}办结（{}），不应再出具{title}",
            id.0,
            gongkai_clock::zh_date(on),
            o.label()
        ))
    };
    match (&clock.state, kind) {
        (_, Kind::Reply { .. }) => Fit::Recorded,
        (State::Closed { outcome, on }, _) => closed(*on, *outcome),
        (_, Kind::Extension { .. }) => Fit::Recorded,
        (State::AwaitingCorrection, Kind::Correction { .. }) => Fit::Recorded,
        (State::Paused(PauseKind::ThirdParty), Kind::ThirdParty { .. }) => Fit::Recorded,
        (State::Paused(PauseKind::Fee), Kind::Fee { .. }) => Fit::Recorded,
        (State::Open, Kind::Correction { .. }) => Fit::New(Event::CorrectionRequested { date }),
        (State::Open, Kind::ThirdParty { .. }) => {
            Fit::New(Event::ConsultationStarted { date, party: Party::ThirdParty })
        }
        (State::Open, Kind::Fee { quote }) => Fit::New(Event::FeeNotice { date, amount: Some(quote.total) }),
        (State::AwaitingCorrection, _) => {
            Fit::Mismatch(format!("申请 {} 正在等待申请人补正，补正前不应出具{title}", id.0))
        }
        (State::Paused(_), _) => Fit::Mismatch(format!(
            "申请 {} 的答复期限正中止（{}），中止结束前不应出具{title}",
            id.0,
            crate::state_text(clock)
        )),
    }
}

impl App<'_> {
    /// Assemble a letter without recording anything and whatever the state (the web's
    /// download of a letter for an existing event).
    pub fn letter(&mut self, id: AppId, kind: LetterKind, input: &LetterInput, today: Date) -> Result<Letter> {
        let sent = self.send_letter(id, kind, input, today, Sending { record: false, despite_state: true })?;
        Ok(sent.letter)
    }

    /// Assemble a letter and send it: a letter that does not fit the application's state is
    /// refused (or, with [`Sending::despite_state`], written with a warning and not recorded);
    /// a notice whose event the log lacks has it recorded (at the application's current
    /// version, dated the letter's date, through [`App::record_event`] with its checks). The
    /// letter carries the applicant's name, so it needs the right to see personal data (经办人
    /// or 负责人 of the organ) and is audited as a disclosure.
    pub fn send_letter(
        &mut self,
        id: AppId,
        kind: LetterKind,
        input: &LetterInput,
        today: Date,
        sending: Sending,
    ) -> Result<SentLetter> {
        self.use_case("letter", |s| s.send_letter_uc(id, kind, input, today, sending))
    }

    fn send_letter_uc(
        &mut self,
        id: AppId,
        kind: LetterKind,
        input: &LetterInput,
        today: Date,
        sending: Sending,
    ) -> Result<SentLetter> {
        let organ_id = self.store().application(id, Personal::Masked)?.organ;
        self.authorize(Action::Read, Some(organ_id))?;
        self.authorize(Action::Unmask, Some(organ_id))?;
        let app = self.store().application(id, Personal::Visible)?;
        let organ = self.store().organ(app.organ)?;
        let clock = Clock::replay(&self.calendar(), &app.events)?;
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
                if quote.total == 0 {
                    return Err(AppError::Invalid(format!(
                        "{}{}在免费范围内，费用为 0 元，不需要收费通知书",
                        quote.quantity, quote.unit
                    )));
                }
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
        let letter_date = input.date.or(event_date).unwrap_or(today);
        let mut version = app.version;
        let mut warning = None;
        let mut recorded = None;
        match fit(&k, &clock, k.title(), input.date.unwrap_or(today), id) {
            Fit::Recorded => {}
            Fit::Mismatch(why) if sending.despite_state => warning = Some(why),
            Fit::Mismatch(why) => return Err(AppError::Invalid(why)),
            Fit::New(event) if sending.record => {
                let v = self.record_event(id, app.version, &event, today)?;
                version = v.version;
                recorded = Some(event);
            }
            Fit::New(_) => {}
        }
        let ctx = Context {
            organ: organ.name.clone(),
            organ_short: input.short.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| organ.name.clone()),
            serial: app.serial.clone(),
            applicant: app.applicant.name.clone(),
            received: clock.received,
            description: app.description.clone(),
            date: if recorded.is_some() { input.date.unwrap_or(today) } else { letter_date },
            review_body: input.review_body.clone(),
            court: input.court.clone(),
            contact: input.contact.clone(),
        };
        let l = gongkai_letters::letter(&k, &ctx);
        let actor = self.principal().user.clone();
        self.store().audit_disclosure(Entity::Application, &id.0.to_string(), &actor, &format!("生成{}", l.title))?;
        Ok(SentLetter { letter: l, recorded, version, warning })
    }

    /// The letter with its sign-off status (needs what [`App::letter`] needs).
    pub fn checked_letter(
        &mut self,
        id: AppId,
        kind: LetterKind,
        input: &LetterInput,
        today: Date,
    ) -> Result<CheckedLetter> {
        self.use_case("checked_letter", |s| s.checked_letter_uc(id, kind, input, today))
    }

    fn checked_letter_uc(
        &mut self,
        id: AppId,
        kind: LetterKind,
        input: &LetterInput,
        today: Date,
    ) -> Result<CheckedLetter> {
        let letter = self.letter(id, kind, input, today)?;
        let fp = fingerprint(&letter);
        let purpose = purpose_of(&letter, &fp);
        let signed = self.sign_offs(id)?.into_iter().rev().find(|(p, _)| *p == purpose).map(|(_, s)| s);
        Ok(CheckedLetter { letter, fingerprint: fp, signed })
    }

    /// Sign a letter off (负责人 of the organ alone): audited on the application with the
    /// letter's fingerprint. Signing an already signed text again is refused.
    pub fn sign_off_letter(
        &mut self,
        id: AppId,
        kind: LetterKind,
        input: &LetterInput,
        today: Date,
    ) -> Result<SignOff> {
        self.use_case("sign_off_letter", |s| s.sign_off_letter_uc(id, kind, input, today))
    }

    fn sign_off_letter_uc(&mut self, id: AppId, kind: LetterKind, input: &LetterInput, today: Date) -> Result<SignOff> {
        let organ = self.store().application(id, Personal::Masked)?.organ;
        self.authorize(Action::SignLetter, Some(organ))?;
        let checked = self.checked_letter(id, kind, input, today)?;
        if let Some(s) = checked.signed {
            return Err(AppError::Invalid(format!("{}已由{}签发，内容未变，无需再次签发", s.title, s.by)));
        }
        let actor = self.principal().user.clone();
        let purpose = purpose_of(&checked.letter, &checked.fingerprint);
        self.store().audit_disclosure(Entity::Application, &id.0.to_string(), &actor, &purpose)?;
        let (_, s) = self
            .sign_offs(id)?
            .into_iter()
            .rev()
            .find(|(p, _)| *p == purpose)
            .ok_or_else(|| AppError::Invalid("签发记录未能写入".into()))?;
        Ok(s)
    }

    /// Every sign-off of an application's letters, oldest first, with its audit purpose
    /// (needs [`Action::Read`] on the organ).
    pub fn sign_offs(&mut self, id: AppId) -> Result<Vec<(String, SignOff)>> {
        self.use_case("sign_offs", |s| s.sign_offs_uc(id))
    }

    /// [`App::show`] with the application's [`App::sign_offs`] (the detail page): the record
    /// is read once for both.
    pub fn show_with_sign_offs(
        &mut self,
        id: AppId,
        unmask: Option<&str>,
        today: Date,
    ) -> Result<(crate::ShowView, Vec<(String, SignOff)>)> {
        self.use_case("show_with_sign_offs", |s| {
            let view = s.show_uc(id, unmask, today)?;
            let signs = s.sign_offs_of(id, view.application.organ)?;
            Ok((view, signs))
        })
    }

    fn sign_offs_uc(&mut self, id: AppId) -> Result<Vec<(String, SignOff)>> {
        let organ = self.store().application(id, Personal::Masked)?.organ;
        self.sign_offs_of(id, organ)
    }

    /// The sign-offs of application `id`, whose organ is `organ`.
    fn sign_offs_of(&mut self, id: AppId, organ: OrganId) -> Result<Vec<(String, SignOff)>> {
        self.authorize(Action::Read, Some(organ))?;
        let rows = self.store().audit_log(Entity::Application, &id.0.to_string(), Personal::Masked)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let p = r.after.as_ref()?.get("disclosure")?.as_str()?.to_string();
                let rest = p.strip_prefix(SIGN_PREFIX)?;
                let (title, fp) = rest.rsplit_once('（')?;
                let fingerprint = fp.strip_suffix('）')?.to_string();
                let s = SignOff { title: title.to_string(), by: r.actor.clone(), at: r.at.clone(), fingerprint };
                Some((p, s))
            })
            .collect())
    }
}

/// The letter as a Word document (GB/T 9704 layout): what the CLI writes and the web
/// downloads.
pub fn docx(l: &Letter) -> Vec<u8> {
    gongkai_office::docx_letter(
        &l.title,
        &l.number,
        &l.addressee,
        &l.paragraphs,
        &l.signature,
        &gongkai_clock::zh_date(l.date),
    )
}
