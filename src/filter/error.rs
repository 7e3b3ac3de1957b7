//! Filter errors as data: a stable dotted code, a message, a byte span and an optional
//! suggestion. Rendering (the caret line) is kept apart from the data.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::fmt;

/// A half-open range of UTF-8 byte offsets into the filter text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// This span as UTF-16 code-unit offsets into `source` (for JavaScript). Offsets past
    /// the end or inside a character are clamped to the nearest character boundary before.
    pub fn to_utf16(self, source: &str) -> (usize, usize) {
        (
            utf16_offset(source, self.start),
            utf16_offset(source, self.end),
        )
    }
}

/// The UTF-16 offset of byte offset `byte` in `source`.
pub fn utf16_offset(source: &str, byte: usize) -> usize {
    let mut b = byte.min(source.len());
    while b > 0 && !source.is_char_boundary(b) {
        b -= 1;
    }
    source
        .get(..b)
        .map(|s| s.chars().map(char::len_utf16).sum())
        .unwrap_or(0)
}

/// An error in a filter (or in another query parameter), located by a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// Stable dotted code, e.g. `filter.syntax.unexpected_token`.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Where in the text (byte offsets).
    pub span: Span,
    /// A near-miss suggestion (`customerName` for `custmerName`), when one exists.
    pub suggestion: Option<String>,
}

impl FilterError {
    /// An error without a suggestion.
    pub fn new(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        FilterError {
            code,
            message: message.into(),
            span,
            suggestion: None,
        }
    }

    /// Adds a suggestion.
    pub fn with_suggestion(mut self, s: Option<String>) -> Self {
        self.suggestion = s;
        self
    }

    /// The span as UTF-16 offsets into `source`.
    pub fn utf16_span(&self, source: &str) -> (usize, usize) {
        self.span.to_utf16(source)
    }

    /// The message, the source line and a caret line under the span:
    ///
    /// ```text
    /// error[filter.field.unknown]: unknown field `custmerName`, did you mean `customerName`?
    ///   custmerName eq 'x'
    ///   ^^^^^^^^^^^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("error[{}]: {}", self.code, self);
        // Work on a single line: the one holding the span start.
        let start = floor_boundary(source, self.span.start);
        let end = floor_boundary(source, self.span.end.max(self.span.start));
        let line_start = source
            .get(..start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = source
            .get(start..)
            .and_then(|s| s.find('\n'))
            .map_or(source.len(), |i| start + i);
        let line = source.get(line_start..line_end).unwrap_or("");
        let pad = source
            .get(line_start..start)
            .map_or(0, |s| s.chars().count());
        let width = source
            .get(start..end.min(line_end).max(start))
            .map_or(0, |s| s.chars().count())
            .max(1);
        out.push_str("\n  ");
        out.push_str(line);
        out.push_str("\n  ");
        out.push_str(&" ".repeat(pad));
        out.push_str(&"^".repeat(width));
        out
    }
}

fn floor_boundary(s: &str, i: usize) -> usize {
    let mut b = i.min(s.len());
    while b > 0 && !s.is_char_boundary(b) {
        b -= 1;
    }
    b
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, ", did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for FilterError {}

/// The closest candidate to `name` by edit distance, if it is close enough to be a typo
/// (distance ≤ 2, or ≤ 1 for short names; case differences count as half).
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lname = name.to_lowercase();
    let limit = if name.chars().count() <= 3 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.len() > 64 || name.len() > 64 {
            continue;
        }
        let d = levenshtein(&lname, &c.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let e = FilterError::new("x.y", "bad", Span::new(5, 8));
        assert_eq!(
            e.render("name eq 'a'"),
            "error[x.y]: bad\n  name eq 'a'\n       ^^^"
        );
    }

    #[test]
    fn utf16_offsets_count_surrogates() {
        let s = "a😀b eq 1";
        assert_eq!(Span::new(5, 6).to_utf16(s), (3, 4));
    }

    #[test]
    fn suggests_near_misses_only() {
        let c = ["customerName", "status"];
        assert_eq!(suggest("custmerName", c).as_deref(), Some("customerName"));
        assert_eq!(suggest("zzz", c), None);
    }
}
