//! Label normalisation (SPEC §2.5): full/half-width punctuation, whitespace and line breaks
//! inside labels, curly quotes, the 、/， separator, and traditional characters.

/// Traditional → simplified pairs for the characters that occur in the report's headings,
/// labels and common prose. A full conversion table (OpenCC) is not needed to match labels;
/// this short list is kept here instead of a dependency. Mirrors serving 繁體 are covered for
/// every official label (tested below).
const TRAD_SIMP: &[(char, char)] = &[
    ('報', '报'),
    ('況', '况'),
    ('與', '与'),
    ('請', '请'),
    ('數', '数'),
    ('結', '结'),
    ('轉', '转'),
    ('處', '处'),
    ('開', '开'),
    ('機', '机'),
    ('關', '关'),
    ('實', '实'),
    ('務', '务'),
    ('訊', '讯'),
    ('資', '资'),
    ('於', '于'),
    ('規', '规'),
    ('範', '范'),
    ('許', '许'),
    ('罰', '罚'),
    ('強', '强'),
    ('費', '费'),
    ('單', '单'),
    ('萬', '万'),
    ('價', '价'),
    ('項', '项'),
    ('條', '条'),
    ('內', '内'),
    ('容', '容'),
    ('發', '发'),
    ('廢', '废'),
    ('現', '现'),
    ('為', '为'),
    ('勾', '勾'),
    ('稽', '稽'),
    ('係', '系'),
    ('應', '应'),
    ('總', '总'),
    ('計', '计'),
    ('業', '业'),
    ('構', '构'),
    ('會', '会'),
    ('組', '组'),
    ('織', '织'),
    ('律', '律'),
    ('務', '务'),
    ('辦', '办'),
    ('予', '予'),
    ('區', '区'),
    ('國', '国'),
    ('家', '家'),
    ('祕', '秘'),
    ('禁', '禁'),
    ('險', '险'),
    ('穩', '稳'),
    ('護', '护'),
    ('權', '权'),
    ('益', '益'),
    ('類', '类'),
    ('過', '过'),
    ('檔', '档'),
    ('執', '执'),
    ('卷', '卷'),
    ('詢', '询'),
    ('掌', '掌'),
    ('握', '握'),
    ('沒', '没'),
    ('製', '制'),
    ('補', '补'),
    ('後', '后'),
    ('確', '确'),
    ('訪', '访'),
    ('舉', '举'),
    ('訴', '诉'),
    ('複', '复'),
    ('復', '复'),
    ('覆', '复'),
    ('議', '议'),
    ('須', '须'),
    ('認', '认'),
    ('獲', '获'),
    ('當', '当'),
    ('逾', '逾'),
    ('繳', '缴'),
    ('納', '纳'),
    ('維', '维'),
    ('糾', '纠'),
    ('審', '审'),
    ('訟', '诉'),
    ('經', '经'),
    ('體', '体'),
    ('臺', '台'),
    ('設', '设'),
    ('監', '监'),
    ('督', '督'),
    ('題', '题'),
    ('進', '进'),
    ('項', '项'),
    ('據', '据'),
    ('採', '采'),
    ('購', '购'),
    ('額', '额'),
    ('對', '对'),
    ('外', '外'),
    ('減', '减'),
    ('數', '数'),
    ('號', '号'),
    ('於', '于'),
    ('門', '门'),
    ('縣', '县'),
    ('鎮', '镇'),
    ('鄉', '乡'),
    ('廳', '厅'),
    ('局', '局'),
    ('劃', '划'),
    ('歸', '归'),
    ('個', '个'),
    ('們', '们'),
    ('這', '这'),
    ('時', '时'),
    ('興', '兴'),
    ('長', '长'),
    ('見', '见'),
    ('問', '问'),
    ('將', '将'),
    ('學', '学'),
    ('習', '习'),
    ('積', '积'),
    ('極', '极'),
    ('級', '级'),
    ('線', '线'),
    ('網', '网'),
    ('站', '站'),
    ('紙', '纸'),
    ('質', '质'),
    ('導', '导'),
    ('領', '领'),
    ('責', '责'),
    ('任', '任'),
    ('評', '评'),
    ('考', '考'),
    ('核', '核'),
    ('衛', '卫'),
    ('健', '健'),
    ('務', '务'),
    ('從', '从'),
    ('準', '准'),
    ('確', '确'),
    ('慶', '庆'),
    ('節', '节'),
    ('義', '义'),
    ('統', '统'),
    ('籌', '筹'),
    ('雙', '双'),
    ('隨', '随'),
    ('續', '续'),
    ('並', '并'),
    ('覽', '览'),
    ('載', '载'),
    ('專', '专'),
    ('欄', '栏'),
    ('讀', '读'),
    ('聯', '联'),
    ('繫', '系'),
    ('電', '电'),
    ('話', '话'),
    ('郵', '邮'),
    ('編', '编'),
    ('無', '无'),
    ('適', '适'),
    ('達', '达'),
    ('違', '违'),
    ('產', '产'),
    ('賠', '赔'),
    ('償', '偿'),
    ('訂', '订'),
    ('參', '参'),
    ('創', '创'),
    ('樣', '样'),
    ('標', '标'),
    ('優', '优'),
    ('勢', '势'),
    ('傳', '传'),
    ('播', '播'),
    ('媒', '媒'),
    ('廣', '广'),
    ('瞭', '了'),
    ('歷', '历'),
    ('曆', '历'),
    ('據', '据'),
    ('衆', '众'),
    ('眾', '众'),
    ('僅', '仅'),
    ('壓', '压'),
    ('權', '权'),
    ('戶', '户'),
    ('濟', '济'),
    ('環', '环'),
    ('境', '境'),
    ('災', '灾'),
    ('幹', '干'),
    ('書', '书'),
    ('畫', '画'),
    ('營', '营'),
    ('動', '动'),
    ('態', '态'),
    ('黨', '党'),
    ('爭', '争'),
    ('頁', '页'),
    ('務', '务'),
    ('協', '协'),
    ('調', '调'),
    ('驗', '验'),
    ('證', '证'),
    ('檢', '检'),
    ('査', '查'),
];

/// Map one character to its normalised form: full-width ASCII → half-width, ideographic
/// space → space, curly and corner quotes → '"', 、 and ， → ',', traditional → simplified.
#[inline]
pub fn norm_char(c: char) -> char {
    norm_char_with(table(), c)
}

#[inline]
fn norm_char_with(t: &Table, c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        '“' | '”' | '「' | '」' | '『' | '』' | '〝' | '〞' => '"',
        '‘' | '’' => '\'',
        '、' => ',',
        '。' => '.',
        '〔' | '【' => '[',
        '〕' | '】' => ']',
        '—' | '–' | '−' => '-',
        c if (c as u32) >= 0x4E00 => simplify(t, c),
        c => c,
    }
}

/// Traditional → simplified lookup: a bitmap over the CJK block says in O(1) whether a
/// character has an entry at all (most characters do not); only those few are looked up.
struct Table {
    bits: Vec<u64>,
    pairs: Vec<(char, char)>,
}

fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut pairs: Vec<(char, char)> = TRAD_SIMP.iter().copied().filter(|(t, s)| t != s).collect();
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        let mut bits = vec![0u64; 0x10000 / 64];
        for (t, _) in &pairs {
            let i = *t as usize - 0x4E00;
            if i < 0x10000 {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        Table { bits, pairs }
    })
}

impl Table {
    /// Whether code point `cp` (≥ U+4E00) has a traditional → simplified entry.
    #[inline]
    fn has(&self, cp: u32) -> bool {
        let i = (cp as usize).wrapping_sub(0x4E00);
        i < 0x10000 && self.bits[i / 64] & (1 << (i % 64)) != 0
    }
}

#[inline]
fn simplify(t: &Table, c: char) -> char {
    if !t.has(c as u32) {
        return c;
    }
    match t.pairs.binary_search_by_key(&c, |p| p.0) {
        Ok(k) => t.pairs[k].1,
        Err(_) => c,
    }
}

/// Normalise a label for matching: [`norm_char`] on every character and all whitespace
/// removed ("商业 企业" → "商业企业", "（三） 不予公开" → "(三)不予公开").
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalize_into(s, &mut out);
    out
}

pub fn normalize_into(s: &str, out: &mut String) {
    out.reserve(s.len());
    let t = table();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Fast paths first (this runs for every label and heading). A run of ideographs
        // U+4000..U+9FFF (lead bytes E4..E9) without a traditional form is copied as bytes,
        // without decoding and re-encoding each character.
        let run = i;
        while i + 2 < b.len() && (0xE4..=0xE9).contains(&b[i]) {
            let cp = (u32::from(b[i] & 0x0F) << 12) | (u32::from(b[i + 1] & 0x3F) << 6) | u32::from(b[i + 2] & 0x3F);
            if cp >= 0x4E00 && t.has(cp) {
                break;
            }
            i += 3;
        }
        if i > run {
            out.push_str(&s[run..i]);
            continue;
        }
        // ASCII: kept unless whitespace (as `char::is_whitespace` defines it for ASCII).
        if b[i] < 0x80 {
            if !matches!(b[i], b' ' | b'\t'..=b'\r') {
                out.push(b[i] as char);
            }
            i += 1;
            continue;
        }
        // Everything else char by char; the Unicode whitespace table only for non-ideographs.
        let Some(c) = s[i..].chars().next() else { break };
        i += c.len_utf8();
        let n = norm_char_with(t, c);
        let keep = if n.is_ascii() {
            !n.is_whitespace()
        } else if (n as u32) >= 0x3400 && (n as u32) < 0xA000 {
            true
        } else {
            !n.is_whitespace() && !is_invisible(n)
        };
        if keep {
            out.push(n);
        }
    }
}

/// Zero-width and formatting characters that appear inside labels in web copies.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{2060}' | '\u{00AD}')
}

/// Whether a character is a CJK ideograph (basic block and extension A).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Value of a Chinese numeral 一…十二 (as used in headings); None otherwise.
pub fn chinese_numeral(s: &str) -> Option<u32> {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let digit = |c: char| D.iter().position(|d| *d == c).map(|p| p as u32);
    let cs: Vec<char> = s.chars().collect();
    match cs.as_slice() {
        [a] if *a == '十' => Some(10),
        [a] => digit(*a),
        ['十', b] => digit(*b).map(|b| 10 + b),
        [a, '十'] => digit(*a).map(|a| a * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_2_5_normalisations() {
        assert_eq!(normalize("商业 企业"), "商业企业");
        assert_eq!(normalize("（三） 不予公开"), "(三)不予公开");
        assert_eq!(normalize("(三)不予公开"), "(三)不予公开");
        assert_eq!(normalize("3.危及“三安全一稳定”"), "3.危及\"三安全一稳定\"");
        assert_eq!(normalize("3.危及\"三安全一稳定\""), "3.危及\"三安全一稳定\"");
        assert_eq!(
            normalize("1.申请人无正当理由逾期不补正，行政机关不再处理"),
            normalize("1.申请人无正当理由逾期不补正、行政机关不再处理")
        );
        assert_eq!(normalize("二、主動公開政府信息情況"), normalize("二、主动公开政府信息情况"));
        assert_eq!(normalize("收到和處理政府信息公開申請情況"), "收到和处理政府信息公开申请情况");
        assert_eq!(normalize("１．属于\u{200B}国家秘密"), "1.属于国家秘密");
    }

    /// The byte-level fast paths give exactly what mapping every char does.
    #[test]
    fn byte_fast_paths_agree_with_char_mapping() {
        let oracle = |s: &str| -> String {
            s.chars()
                .map(norm_char)
                .filter(|n| {
                    if (*n as u32) >= 0x3400 && (*n as u32) < 0xA000 {
                        true
                    } else {
                        !n.is_whitespace() && !is_invisible(*n)
                    }
                })
                .collect()
        };
        let samples = [
            "二、主動公開政府信息情況 （三）不予公开\u{3000}1.属于国家秘密",
            "收到和處理政府信息公開申請情況\t\n\u{0B}\u{0C}\r x",
            "㐀䶵一鿿\u{200B}\u{FEFF}\u{00AD}“三安全一稳定”、，。【】—–−ＡＢ１２",
            "報告總計數萬元𠀀😀é",
            "",
        ];
        for s in samples {
            assert_eq!(normalize(s), oracle(s), "{s}");
        }
        // Every code point of the ideograph blocks, traditional forms included.
        let all: String = (0x3400u32..0xA000).filter_map(char::from_u32).collect();
        assert_eq!(normalize(&all), oracle(&all));
    }

    #[test]
    fn numerals() {
        assert_eq!(chinese_numeral("三"), Some(3));
        assert_eq!(chinese_numeral("十"), Some(10));
        assert_eq!(chinese_numeral("十二"), Some(12));
        assert_eq!(chinese_numeral("二十一"), Some(21));
        assert_eq!(chinese_numeral("是"), None);
    }
}
