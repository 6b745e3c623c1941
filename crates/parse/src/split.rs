//! Recovering cells whose digits ran together in web or PDF text exports
//! (`34 0 0 0 0 0 34` printed as `34000 0034`). The split is constrained by the table's own
//! identities (E3 for a table-三 row, E4 for table 四); an answer is returned only when it is
//! unique. Hand-written: this is a small constrained search no crate provides.

/// Outcome of a split attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// Exactly one split satisfies the check.
    Unique(Vec<u64>),
    /// Several splits satisfy it (count, capped at the search limit).
    Ambiguous(usize),
    /// None does.
    Impossible,
    /// The search space exceeded the work limit.
    TooLarge,
}

/// Longest part [`split_all`] tries (bytes): a count has at most 15 digits, an amount a few more.
const MAX_PART: usize = 24;

/// Maximum search nodes before giving up.
const WORK_LIMIT: usize = 200_000;

/// Split each digit token into one or more non-negative integers without leading zeros so
/// that the total number of parts is `n` and `check(parts)` holds.
pub fn split_runs(tokens: &[&str], n: usize, check: &dyn Fn(&[u64]) -> bool) -> Split {
    if tokens.iter().any(|t| !t.bytes().all(|b| b.is_ascii_digit())) {
        return Split::Impossible;
    }
    let check = |parts: &[&str]| {
        parts.len() < n || {
            let v: Vec<u64> = parts.iter().map(|p| digits_value(p)).collect();
            check(&v)
        }
    };
    match split_all(tokens, n, &|_, p| count_part(p), &check, 2) {
        Cuts::TooLarge => Split::TooLarge,
        Cuts::Found(c, _) if c.is_empty() => Split::Impossible,
        Cuts::Found(c, false) if c.len() == 1 => Split::Unique(c[0].iter().map(|p| digits_value(p)).collect()),
        Cuts::Found(c, _) => Split::Ambiguous(c.len()),
    }
}

/// The value of a run of ASCII digits (at most 15, see [`count_part`]).
pub fn digits_value(p: &str) -> u64 {
    p.bytes().fold(0u64, |a, b| a.wrapping_mul(10).wrapping_add(u64::from(b.wrapping_sub(b'0'))))
}

/// A count as printed: ASCII digits, no leading zero unless it is `0`, at most 15 digits.
pub fn count_part(p: &str) -> bool {
    !p.is_empty() && p.len() <= 15 && p.bytes().all(|b| b.is_ascii_digit()) && (p.len() == 1 || !p.starts_with('0'))
}

/// Outcome of [`split_all`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cuts<'t> {
    /// The splits found (each one `n` parts, slices of the tokens), in search order, and
    /// whether the search stopped at the cap (more may exist).
    Found(Vec<Vec<&'t str>>, bool),
    /// The search space exceeded the work limit.
    TooLarge,
}

/// Every way, up to `cap`, to cut each token into one or more parts accepted by `part_ok`
/// (called with the part's index among the `n`) so that there are `n` parts in all and
/// `check` holds. `check` is also asked about every shorter prefix of parts, so that it can
/// reject a partial split early (table 四's groups of five); it answers true for a prefix it
/// cannot judge yet. Cuts fall on character boundaries; a token is never joined with the next
/// one (a space in the source is a cell boundary). The one search behind [`split_runs`] and
/// the crawl front end's table solver (`crate::crawl`).
pub fn split_all<'t>(
    tokens: &[&'t str],
    n: usize,
    part_ok: &dyn Fn(usize, &str) -> bool,
    check: &dyn Fn(&[&str]) -> bool,
    cap: usize,
) -> Cuts<'t> {
    if tokens.is_empty() || tokens.iter().any(|t| t.is_empty()) || tokens.len() > n {
        return Cuts::Found(Vec::new(), false);
    }
    let mut st = State { tokens, n, part_ok, check, parts: Vec::with_capacity(n), found: Vec::new(), cap, work: 0 };
    st.token(0);
    if st.work > WORK_LIMIT {
        return Cuts::TooLarge;
    }
    let capped = st.found.len() >= cap;
    Cuts::Found(st.found, capped)
}

struct State<'a, 't> {
    tokens: &'a [&'t str],
    n: usize,
    part_ok: &'a dyn Fn(usize, &str) -> bool,
    check: &'a dyn Fn(&[&str]) -> bool,
    parts: Vec<&'t str>,
    found: Vec<Vec<&'t str>>,
    cap: usize,
    work: usize,
}

impl<'t> State<'_, 't> {
    fn token(&mut self, ti: usize) {
        if ti == self.tokens.len() {
            if self.parts.len() == self.n && (self.check)(&self.parts) {
                self.found.push(self.parts.clone());
            }
            return;
        }
        self.rest(ti, 0);
    }

    /// Split the remainder of token `ti` starting at byte `from`.
    fn rest(&mut self, ti: usize, from: usize) {
        self.work += 1;
        if self.work > WORK_LIMIT || self.found.len() >= self.cap {
            return;
        }
        let t: &'t str = self.tokens[ti];
        // Each remaining token needs at least one part, and each part at least one byte.
        let tokens_left = self.tokens.len() - ti - 1;
        if self.parts.len() + 1 + tokens_left > self.n {
            return;
        }
        let bytes_left = t.len() - from + self.tokens[ti + 1..].iter().map(|t| t.len()).sum::<usize>();
        let parts_left = self.n - self.parts.len();
        if bytes_left < parts_left || bytes_left > parts_left * MAX_PART {
            return;
        }
        // The last part takes the rest of the last token.
        let first_end = if parts_left == 1 { t.len() } else { from + 1 };
        for end in first_end..=t.len().min(from + MAX_PART) {
            if !t.is_char_boundary(end) {
                continue;
            }
            let part = &t[from..end];
            if !(self.part_ok)(self.parts.len(), part) {
                continue;
            }
            self.parts.push(part);
            if self.parts.len() < self.n && !(self.check)(&self.parts) {
                self.parts.pop();
                continue;
            }
            if end == t.len() {
                self.token(ti + 1);
            } else {
                self.rest(ti, end);
            }
            self.parts.pop();
        }
    }
}

/// E3 for one table-三 row: the six applicant columns sum to the total.
pub fn e3_row(p: &[u64]) -> bool {
    p.len() == 7 && p[..6].iter().sum::<u64>() == p[6]
}

/// E4 for the 15 values of table 四: each group's four outcomes sum to its total.
pub fn e4_table(p: &[u64]) -> bool {
    p.len() == 15 && e4_groups(p)
}

/// E4 for every complete group of five among the values so far (a prefix check).
pub fn e4_groups(p: &[u64]) -> bool {
    p.chunks_exact(5).all(|g| g[..4].iter().sum::<u64>() == g[4])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e3_recovers_a_unique_split() {
        // 32 2 0 0 0 0 34 printed without separators.
        assert_eq!(split_runs(&["322000034"], 7, &e3_row), Split::Unique(vec![32, 2, 0, 0, 0, 0, 34]));
        // Separators kept where the source had them.
        assert_eq!(split_runs(&["705", "30050", "713"], 7, &e3_row), Split::Unique(vec![705, 3, 0, 0, 5, 0, 713]));
    }

    #[test]
    fn e3_reports_ambiguity_instead_of_guessing() {
        // "110000011" is 1,10,0,0,0,0,11 or 11,0,0,0,0,0,11: both satisfy E3.
        assert_eq!(split_runs(&["110000011"], 7, &e3_row), Split::Ambiguous(2));
        assert_eq!(split_runs(&["1100002"], 7, &e3_row), Split::Unique(vec![1, 1, 0, 0, 0, 0, 2]));
        // No split satisfies E3.
        assert_eq!(split_runs(&["11000011"], 7, &e3_row), Split::Impossible);
        assert_eq!(split_runs(&["1234"], 7, &e3_row), Split::Impossible);
    }

    #[test]
    fn split_all_lists_every_candidate() {
        let any = |_: usize, p: &str| count_part(p);
        let e3 = |p: &[&str]| p.len() < 7 || e3_row(&p.iter().map(|x| digits_value(x)).collect::<Vec<_>>());
        assert_eq!(
            split_all(&["110000011"], 7, &any, &e3, 8),
            Cuts::Found(
                vec![vec!["1", "10", "0", "0", "0", "0", "11"], vec!["11", "0", "0", "0", "0", "0", "11"]],
                false
            )
        );
        // Signed and decimal parts: a count, then an amount with its unit already removed.
        let amount =
            |i: usize, p: &str| if i == 0 { count_part(p) } else { p.parse::<f64>().is_ok() && !p.starts_with("00") };
        let c = split_all(&["3128000.50"], 2, &amount, &|_| true, 8);
        let Cuts::Found(c, false) = c else { panic!("{c:?}") };
        assert_eq!(c[0], vec!["3", "128000.50"]);
        assert_eq!(c[1], vec!["31", "28000.50"]);
        // The cap stops the search and says so.
        assert_eq!(
            split_all(&["1111"], 2, &any, &|_| true, 2),
            Cuts::Found(vec![vec!["1", "111"], vec!["11", "11"]], true)
        );
    }

    #[test]
    fn all_zero_runs_are_unique() {
        assert_eq!(split_runs(&["000000000000000"], 15, &e4_table), Split::Unique(vec![0; 15]));
    }
}
