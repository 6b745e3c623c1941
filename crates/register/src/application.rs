//! Disclosure applications and their append-only event logs (SPEC §3).

use crate::{Applicant, OrganId};
use gongkai_clock::{Channel, Event, Outcome};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Database id of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AppId(pub i64);

/// The form in which the applicant asks to receive the information (第四十条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestedForm {
    /// 纸质文本.
    Paper,
    /// 电子数据 (e-mail, disc …).
    Electronic,
    /// 当场查阅.
    Inspection,
    /// 摘抄.
    Copying,
}

impl RequestedForm {
    pub const ALL: [RequestedForm; 4] =
        [RequestedForm::Paper, RequestedForm::Electronic, RequestedForm::Inspection, RequestedForm::Copying];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            RequestedForm::Paper => "纸质文本",
            RequestedForm::Electronic => "电子数据",
            RequestedForm::Inspection => "当场查阅",
            RequestedForm::Copying => "摘抄",
        }
    }
}

/// A registered application. `events` is append-only; `version` is the optimistic-concurrency
/// counter a store bumps on every accepted write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: AppId,
    pub organ: OrganId,
    /// The office's own register number (受理编号), unique within the organ.
    pub serial: String,
    pub applicant: Applicant,
    pub channel: Channel,
    /// What is asked for (内容描述).
    pub description: String,
    pub form: RequestedForm,
    /// The event log in the order recorded; the first event is `Received`.
    pub events: Vec<Event>,
    pub version: i64,
}

/// How and when an application ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conclusion {
    pub date: Date,
    /// The one table-三 row this application is counted in (E8).
    pub outcome: Outcome,
}

impl Application {
    /// The legal receipt date (第三十一条): the date of the `Received` event.
    pub fn received(&self) -> Option<Date> {
        self.events.iter().find_map(|e| match e {
            Event::Received { date, .. } => Some(*date),
            _ => None,
        })
    }

    /// The closing event, if any, mapped to its table-三 row (SPEC §3.5): a reply counts in its
    /// outcome row, 补正 expiry in R3.6.1, an unpaid fee in R3.6.2, a withdrawal in R3.6.3.
    pub fn conclusion(&self) -> Option<Conclusion> {
        self.events.iter().find_map(|e| {
            let (date, outcome) = match e {
                Event::Replied { date, outcome } => (*date, *outcome),
                Event::CorrectionExpired { date } => (*date, Outcome::R3_6_1),
                Event::FeeNotPaid { date } => (*date, Outcome::R3_6_2),
                Event::Withdrawn { date } => (*date, Outcome::R3_6_3),
                _ => return None,
            };
            Some(Conclusion { date, outcome })
        })
    }

    /// Whether the application was received on or before `day` and not concluded by the end of
    /// `day` (R2 uses the day before 1 January, R4 uses 31 December; SPEC §1.7).
    pub fn open_at_end_of(&self, day: Date) -> bool {
        match self.received() {
            Some(r) if r <= day => self.conclusion().is_none_or(|c| c.date > day),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApplicantKind;
    use jiff::civil::date;

    fn app(events: Vec<Event>) -> Application {
        Application {
            id: AppId(1),
            organ: OrganId(1),
            serial: "2024-001".into(),
            applicant: Applicant::new(ApplicantKind::NaturalPerson, "王五"),
            channel: Channel::Online,
            description: "某项目环评批复".into(),
            form: RequestedForm::Electronic,
            events,
            version: 1,
        }
    }

    #[test]
    fn closing_events_map_to_exactly_one_row_spec_3_5() {
        let r = Event::Received { date: date(2024, 12, 20), channel: Channel::Online };
        let cases = [
            (Event::Replied { date: date(2025, 1, 10), outcome: Outcome::R3_2 }, Outcome::R3_2),
            (Event::CorrectionExpired { date: date(2025, 1, 10) }, Outcome::R3_6_1),
            (Event::FeeNotPaid { date: date(2025, 1, 10) }, Outcome::R3_6_2),
            (Event::Withdrawn { date: date(2025, 1, 10) }, Outcome::R3_6_3),
        ];
        for (closing, row) in cases {
            let a = app(vec![r.clone(), closing]);
            assert_eq!(a.conclusion(), Some(Conclusion { date: date(2025, 1, 10), outcome: row }));
            // Open at the end of 2024 (→ R4 of 2024 and R2 of 2025), closed at the end of 2025.
            assert!(a.open_at_end_of(date(2024, 12, 31)));
            assert!(!a.open_at_end_of(date(2025, 12, 31)));
            assert!(!a.open_at_end_of(date(2024, 12, 19)), "not yet received");
        }
        assert_eq!(app(vec![r]).conclusion(), None);
        assert_eq!(app(vec![]).received(), None);
    }
}
