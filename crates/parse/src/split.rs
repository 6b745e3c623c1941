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

/// Maximum search nodes before giving up.
const WORK_LIMIT: usize = 200_000;

/// Split each digit token into one or more non-negative integers without leading zeros so
/// that the total number of parts is `n` and `check(parts)` holds.
pub fn split_runs(tokens: &[&str], n: usize, check: &dyn Fn(&[u64]) -> bool) -> Split {
    if tokens.is_empty() || tokens.iter().any(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit())) {
        return Split::Impossible;
    }
    let total_digits: usize = tokens.iter().map(|t| t.len()).sum();
    if total_digits < n || tokens.len() > n {
        return Split::Impossible;
    }
    let mut st = State { tokens, n, check, parts: Vec::with_capacity(n), found: None, count: 0, work: 0 };
    st.token(0);
    if st.work > WORK_LIMIT {
        return Split::TooLarge;
    }
    match (st.count, st.found) {
        (0, _) => Split::Impossible,
        (1, Some(f)) => Split::Unique(f),
        (c, _) => Split::Ambiguous(c),
    }
}

struct State<'a> {
    tokens: &'a [&'a str],
    n: usize,
    check: &'a dyn Fn(&[u64]) -> bool,
    parts: Vec<u64>,
    found: Option<Vec<u64>>,
    count: usize,
    work: usize,
}

impl State<'_> {
    fn token(&mut self, ti: usize) {
        if ti == self.tokens.len() {
            if self.parts.len() == self.n && (self.check)(&self.parts) {
                self.count += 1;
                if self.count == 1 {
                    self.found = Some(self.parts.clone());
                }
            }
            return;
        }
        self.rest(ti, 0);
    }

    /// Split the remainder of token `ti` starting at byte `from`.
    fn rest(&mut self, ti: usize, from: usize) {
        self.work += 1;
        if self.work > WORK_LIMIT || self.count > 1 {
            return;
        }
        let t = self.tokens[ti].as_bytes();
        // Each remaining token needs at least one part.
        let tokens_left = self.tokens.len() - ti - 1;
        if self.parts.len() + 1 + tokens_left > self.n {
            return;
        }
        let max_len = if t[from] == b'0' { 1 } else { (t.len() - from).min(15) };
        for len in 1..=max_len {
            let end = from + len;
            let v = t[from..end].iter().fold(0u64, |a, b| a * 10 + u64::from(b - b'0'));
            self.parts.push(v);
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
    p.len() == 15 && p.chunks(5).all(|g| g[..4].iter().sum::<u64>() == g[4])
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
    fn all_zero_runs_are_unique() {
        assert_eq!(split_runs(&["000000000000000"], 15, &e4_table), Split::Unique(vec![0; 15]));
    }
}
