//! Letters to applicants and third parties, written from templates the project owns:
//!
//! - 政府信息公开申请答复书, one template per outcome family of table 三 (SPEC §3.5), citing the
//!   article of the 条例 that grounds the reply;
//! - 补正告知书 (第三十条), 延期答复告知书 (第三十三条第二款), 征求第三方意见函 (第三十二条),
//!   收费通知书 (《政府信息公开信息处理费管理办法》, SPEC §4).
//!
//! A [`Letter`] is structured content (title, number, addressee, paragraphs, signature, date);
//! the office crate lays it out as a GB/T 9704 document and [`Letter::to_text`] prints it. Pure:
//! dates and amounts are passed in (the clock and the fee calculator compute them).

use gongkai_clock::{Outcome, zh_date};
use gongkai_fees::Quote;
use jiff::civil::Date;
use serde::Serialize;

/// Which letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// 答复书 with the table-三 row of the reply.
    Reply { outcome: Outcome },
    /// 补正告知书: what to correct and the period (working days) for it.
    Correction { what: String, days: u32 },
    /// 延期答复告知书: the extension and the new due date.
    Extension { days: u32, new_due: Date },
    /// 征求第三方意见函, addressed to the third party.
    ThirdParty { third_party: String },
    /// 收费通知书 with the fee quote.
    Fee { quote: Quote },
}

impl Kind {
    /// The letter's title.
    pub fn title(&self) -> &'static str {
        match self {
            Kind::Reply { .. } => "政府信息公开申请答复书",
            Kind::Correction { .. } => "政府信息公开申请补正告知书",
            Kind::Extension { .. } => "政府信息公开申请延期答复告知书",
            Kind::ThirdParty { .. } => "政府信息公开征求第三方意见函",
            Kind::Fee { .. } => "政府信息公开信息处理费收费通知书",
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Kind::Reply { .. } => "答",
            Kind::Correction { .. } => "补",
            Kind::Extension { .. } => "延",
            Kind::ThirdParty { .. } => "征",
            Kind::Fee { .. } => "费",
        }
    }
}

/// What every letter needs to know about the application and the organ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Context {
    /// The organ's full name, e.g. `某县科学技术局`.
    pub organ: String,
    /// Short name used in document numbers, e.g. `某科技`.
    pub organ_short: String,
    /// The application's register number (受理编号), e.g. `2024-015`.
    pub serial: String,
    /// Applicant's name (letters go to the applicant: not masked).
    pub applicant: String,
    /// Receipt date (第三十一条).
    pub received: Date,
    /// What was asked for, as the applicant described it.
    pub description: String,
    /// Date of the letter.
    pub date: Date,
    /// The body that hears an administrative review (e.g. `某县人民政府`); None: the letter
    /// names no body and says "依法".
    pub review_body: Option<String>,
    /// The court for litigation (e.g. `某县人民法院`).
    pub court: Option<String>,
    /// Contact line of the disclosure office (address, telephone).
    pub contact: Option<String>,
}

/// A letter's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub title: String,
    /// Document number, e.g. `某科技依申请公开〔2024〕答第015号`.
    pub number: String,
    /// Salutation line, e.g. `张三：`.
    pub addressee: String,
    pub paragraphs: Vec<String>,
    /// Signing organ.
    pub signature: String,
    pub date: Date,
}

impl Letter {
    /// Plain text: title, number, addressee, paragraphs, signature and date.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n{}\n\n{}\n", self.title, self.number, self.addressee);
        for p in &self.paragraphs {
            s.push_str("    ");
            s.push_str(p);
            s.push('\n');
        }
        s.push_str(&format!("\n{}\n{}\n", self.signature, zh_date(self.date)));
        s
    }
}

/// The document number `示科依申请公开〔2024〕答第015号`. The year stands once, in the
/// brackets: a 受理编号 that begins with the same year (`2024-015`, `2024/015`, `2024015`,
/// `2024年015`) gives only the rest; another year (`2023-099`, answered in 2024) stays, since
/// it is not the letter's year.
fn number(short: &str, year: i16, code: &str, serial: &str) -> String {
    let y = year.to_string();
    let rest = serial
        .trim()
        .strip_prefix(y.as_str())
        .map(|r| r.trim_start_matches(['-', '_', '/', '.', '年', ' ', '－', '—']))
        .filter(|r| !r.is_empty() && r.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-'))
        .unwrap_or(serial.trim());
    format!("{short}依申请公开〔{year}〕{code}第{rest}号")
}

/// The legal ground of a reply, by outcome row (SPEC §3.5; rows marked there as practice keep
/// the article practice cites).
fn ground(o: Outcome) -> &'static str {
    use Outcome::*;
    match o {
        R3_1 => "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
        R3_2 => "《中华人民共和国政府信息公开条例》第三十七条",
        R3_3_1 | R3_3_2 | R3_3_3 => "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
        R3_3_4 => "《中华人民共和国政府信息公开条例》第十五条、第三十二条、第三十六条第（三）项",
        R3_3_5 => "《中华人民共和国政府信息公开条例》第十六条第一款、第三十六条第（三）项",
        R3_3_6 | R3_3_7 => "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项",
        R3_3_8 => "《中华人民共和国政府信息公开条例》第三十六条第（七）项",
        R3_4_1 => "《中华人民共和国政府信息公开条例》第三十六条第（四）项",
        R3_4_2 => "《中华人民共和国政府信息公开条例》第三十八条",
        R3_4_3 => "《中华人民共和国政府信息公开条例》第三十条",
        R3_5_1 => "《中华人民共和国政府信息公开条例》第三十九条第一款",
        R3_5_2 => "《中华人民共和国政府信息公开条例》第三十六条第（六）项",
        R3_5_3 => "《中华人民共和国政府信息公开条例》第三十九条第二款",
        R3_5_4 => "《中华人民共和国政府信息公开条例》第三十五条",
        // SPEC §3.5: no single article; the letter cites the regulation as a whole.
        R3_5_5 => "《中华人民共和国政府信息公开条例》的有关规定",
        R3_6_1 => "《中华人民共和国政府信息公开条例》第三十条",
        R3_6_2 => "《政府信息公开信息处理费管理办法》",
        R3_6_3 => "《中华人民共和国政府信息公开条例》的有关规定",
    }
}

/// The finding sentence of a reply, by outcome row.
fn finding(o: Outcome) -> &'static str {
    use Outcome::*;
    match o {
        R3_1 => "您申请获取的政府信息属于可以公开的政府信息，本机关决定予以公开，现将该信息提供给您（见附件）。",
        R3_2 => {
            "您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理，本机关向您提供可以公开的部分（见附件），不予公开的部分说明理由如下：该部分内容依法不应公开。"
        }
        R3_3_1 => "您申请获取的政府信息依法确定为国家秘密，本机关决定不予公开。",
        R3_3_2 => "您申请获取的政府信息属于法律、行政法规禁止公开的政府信息，本机关决定不予公开。",
        R3_3_3 => "您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关决定不予公开。",
        R3_3_4 => {
            "您申请获取的政府信息涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的内容，经书面征求第三方意见，第三方不同意公开，本机关决定不予公开。"
        }
        R3_3_5 => "您申请获取的信息属于人事管理、后勤管理、内部工作流程等内部事务信息，本机关决定不予公开。",
        R3_3_6 => "您申请获取的信息属于讨论记录、过程稿、磋商信函、请示报告等过程性信息，本机关决定不予公开。",
        R3_3_7 => "您申请获取的信息属于行政执法案卷信息，本机关决定不予公开。",
        R3_3_8 => {
            "您申请获取的信息属于工商、不动产登记资料等有关法律、行政法规对信息的获取有特别规定的情形，请您按照相关法律、行政法规的规定办理。"
        }
        R3_4_1 => "经本机关认真检索查找，本机关未制作或获取您申请获取的政府信息，该政府信息不存在。",
        R3_4_2 => "您申请获取的信息需要本机关对现有政府信息进行加工、分析才能形成，本机关不提供需要另行制作的信息。",
        R3_4_3 => "经补正，您的申请内容仍不明确，本机关无法确定您所需的政府信息，无法提供。",
        R3_5_1 => {
            "您提出的申请实为信访、投诉、举报等诉求，不属于政府信息公开申请，本机关不作为政府信息公开申请处理，请您通过相应渠道提出。"
        }
        R3_5_2 => "您的申请与此前已答复的申请内容相同，属于重复申请，本机关不予重复处理。",
        R3_5_3 => "您申请获取的是政府公报、报刊、书籍等公开出版物，请您通过相应的出版物获取。",
        R3_5_4 => "您申请公开政府信息的数量、频次明显超过合理范围，且未能说明合理理由，本机关不予处理。",
        R3_5_5 => "您要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请的处理范围，本机关不予处理。",
        R3_6_1 => "本机关已向您发出补正告知，您无正当理由逾期未补正，视为放弃申请，本机关不再处理该政府信息公开申请。",
        R3_6_2 => {
            "本机关已向您发出收费通知，您逾期未按要求缴纳信息处理费，视为放弃申请，本机关不再处理该政府信息公开申请。"
        }
        R3_6_3 => "您已撤回该政府信息公开申请，本机关终止处理。",
    }
}

fn remedy(c: &Context) -> String {
    match (&c.review_body, &c.court) {
        (Some(b), Some(k)) => format!(
            "如对本答复不服，可以自收到本答复之日起六十日内向{b}申请行政复议，或者自收到本答复之日起六个月内向{k}提起行政诉讼。"
        ),
        _ => "如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，或者自收到本答复之日起六个月内依法提起行政诉讼。"
            .to_string(),
    }
}

fn opening(c: &Context) -> String {
    format!(
        "本机关于{}收到您提出的政府信息公开申请（受理编号：{}），您申请获取“{}”。",
        zh_date(c.received),
        c.serial,
        c.description
    )
}

/// Write the letter.
pub fn letter(kind: &Kind, c: &Context) -> Letter {
    let mut p = Vec::new();
    let mut addressee = format!("{}：", c.applicant);
    match kind {
        Kind::Reply { outcome } => {
            p.push(opening(c));
            p.push(format!("经审查，现答复如下：{}", finding(*outcome)));
            p.push(format!("依据：{}。", ground(*outcome)));
            // Every reply is an administrative act that can be challenged (第五十一条).
            p.push(remedy(c));
        }
        Kind::Correction { what, days } => {
            p.push(opening(c));
            p.push(format!(
                "经审查，您的申请内容不明确，需要补正：{what}。根据《中华人民共和国政府信息公开条例》第三十条的规定，请您自收到本告知书之日起{days}个工作日内补正。答复期限自本机关收到补正后的申请之日起计算。"
            ));
            p.push("无正当理由逾期不补正的，视为放弃申请，本机关将不再处理该政府信息公开申请。".to_string());
        }
        Kind::Extension { days, new_due } => {
            p.push(opening(c));
            p.push(format!(
                "因所需时间较长，本机关无法在法定期限内答复。根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，经本机关政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，本机关将于{}前作出答复。",
                zh_date(*new_due)
            ));
        }
        Kind::ThirdParty { third_party } => {
            addressee = format!("{third_party}：");
            p.push(format!(
                "本机关于{}收到政府信息公开申请（受理编号：{}），申请获取“{}”。该信息可能涉及贵方的商业秘密、个人隐私等合法权益。",
                zh_date(c.received),
                c.serial,
                c.description
            ));
            p.push(
                "根据《中华人民共和国政府信息公开条例》第三十二条的规定，现书面征求贵方意见。请贵方自收到本函之日起15个工作日内提出是否同意公开的意见；不同意公开的，请说明理由。逾期未提出意见的，由本机关依照条例的规定决定是否公开。"
                    .to_string(),
            );
            p.push(
                "第三方不同意公开且有合理理由的，本机关不予公开；本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，并将决定公开的政府信息内容和理由书面告知贵方。"
                    .to_string(),
            );
        }
        Kind::Fee { quote } => {
            p.push(opening(c));
            p.push(format!(
                "您申请公开政府信息的数量、频次明显超过合理范围。根据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）的规定，本机关决定收取信息处理费{}元（{}）。",
                quote.total,
                quote.explain()
            ));
            p.push(
                "请您自收到本通知之日起20个工作日内缴纳。自本通知发出之日至您缴纳费用之日，不计算在答复期限内。"
                    .to_string(),
            );
            p.push("逾期未缴纳的，视为放弃申请，本机关将不再处理该政府信息公开申请。".to_string());
        }
    }
    if let Some(ct) = &c.contact {
        p.push(format!("联系方式：{ct}"));
    }
    Letter {
        title: kind.title().to_string(),
        number: number(&c.organ_short, c.date.year(), kind.code(), &c.serial),
        addressee,
        paragraphs: p,
        signature: c.organ.clone(),
        date: c.date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ctx() -> Context {
        Context {
            organ: "示例县科学技术局".into(),
            organ_short: "示科".into(),
            serial: "2024-015".into(),
            applicant: "张三".into(),
            received: date(2024, 9, 27),
            description: "2023年度科技项目资金分配结果".into(),
            date: date(2024, 10, 18),
            review_body: Some("示例县人民政府".into()),
            court: Some("示例县人民法院".into()),
            contact: Some("示例县科学技术局办公室，电话0000-1234567".into()),
        }
    }

    #[test]
    fn every_outcome_has_its_own_finding_and_ground() {
        let mut seen = std::collections::BTreeSet::new();
        for o in Outcome::ALL {
            let l = letter(&Kind::Reply { outcome: *o }, &ctx());
            let text = l.to_text();
            assert!(text.contains("《"), "{o:?} cites a ground");
            assert!(text.contains("六十日内向示例县人民政府申请行政复议"), "{o:?}");
            assert!(seen.insert(finding(*o)), "{o:?} repeats another outcome's finding");
        }
        assert!(finding(Outcome::R3_3_4).contains("第三方"));
        assert!(ground(Outcome::R3_4_2).contains("第三十八条"));
    }

    #[test]
    fn letters_snapshot() {
        let c = ctx();
        let kinds = [
            Kind::Reply { outcome: Outcome::R3_4_1 },
            Kind::Correction { what: "请明确所需信息的项目名称和年度".into(), days: 15 },
            Kind::Extension { days: 20, new_due: date(2024, 11, 22) },
            Kind::ThirdParty { third_party: "某科技有限公司".into() },
            Kind::Fee { quote: gongkai_fees::by_pages(2_219).unwrap() },
        ];
        let all: Vec<String> = kinds.iter().map(|k| letter(k, &c).to_text()).collect();
        insta::assert_snapshot!(all.join("\n――――――――\n"));
    }

    #[test]
    fn without_named_bodies_the_remedy_says_依法() {
        let c = Context { review_body: None, court: None, ..ctx() };
        let l = letter(&Kind::Reply { outcome: Outcome::R3_1 }, &c);
        assert!(l.paragraphs.iter().any(|p| p.contains("依法申请行政复议")));
        assert_eq!(l.number, "示科依申请公开〔2024〕答第015号");
    }

    #[test]
    fn the_document_number_states_the_year_once() {
        for (serial, want) in [
            ("2024-015", "〔2024〕答第015号"),
            ("2024/015", "〔2024〕答第015号"),
            ("2024015", "〔2024〕答第015号"),
            ("2024年015", "〔2024〕答第015号"),
            ("2023-099", "〔2024〕答第2023-099号"),
            ("A-7", "〔2024〕答第A-7号"),
            ("2024", "〔2024〕答第2024号"),
        ] {
            let n = number("示科", 2024, "答", serial);
            assert_eq!(n, format!("示科依申请公开{want}"), "{serial}");
        }
    }
}
