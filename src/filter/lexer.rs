//! The hand-written lexer: filter text to spanned tokens. Keywords are not special
//! here (the parser decides, case-insensitively, whether an identifier is an operator).
//!
//! Imports no I/O, no wasm, no `worker`.

use super::error::{ErrorKind, FilterError, Span};
use super::temporal;

/// A token kind; identifiers and literal texts borrow from the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok<'a> {
    /// Identifier or keyword (may contain `.`, may start with `$`).
    Ident(&'a str),
    /// A string literal, unescaped.
    Str(String),
    /// `prefix'text'` (duration, binary, geography, geometry, enum).
    Typed(&'a str, String),
    Int(i64),
    Float(f64),
    /// A date and its midnight UTC (epoch ms).
    Date(&'a str, i64),
    /// A date-time and its instant (epoch ms).
    DateTime(&'a str, i64),
    Time(&'a str),
    Guid(&'a str),
    LParen,
    RParen,
    Comma,
    Slash,
    Colon,
    Minus,
    Eof,
}

/// A token with its span.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    pub span: Span,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 36
        && b.iter().take(36).enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
        && !s
            .get(36..)
            .and_then(|r| r.chars().next())
            .is_some_and(is_ident_char)
}

/// Splits `src` into tokens, ending with `Eof`.
pub(crate) fn lex(src: &str) -> Result<Vec<Token<'_>>, FilterError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = src.get(i..).and_then(|r| r.chars().next()) {
        let start = i;
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let one = |tok| Token {
            tok,
            span: Span::new(start, start + 1),
        };
        match c {
            '(' => out.push(one(Tok::LParen)),
            ')' => out.push(one(Tok::RParen)),
            ',' => out.push(one(Tok::Comma)),
            '/' => out.push(one(Tok::Slash)),
            ':' => out.push(one(Tok::Colon)),
            '\'' => {
                let (s, end) = string(src, start)?;
                out.push(Token {
                    tok: Tok::Str(s),
                    span: Span::new(start, end),
                });
                i = end;
                continue;
            }
            '-' => {
                let rest = src.get(i + 1..).unwrap_or("");
                if rest.starts_with(|c: char| c.is_ascii_digit()) {
                    let end = i + 1 + run_len(rest);
                    let text = src.get(start..end).unwrap_or("");
                    let tok = number(text).ok_or_else(|| invalid(start, end, text))?;
                    out.push(Token {
                        tok,
                        span: Span::new(start, end),
                    });
                    i = end;
                    continue;
                }
                if rest.starts_with("INF")
                    && !rest
                        .get(3..)
                        .and_then(|r| r.chars().next())
                        .is_some_and(is_ident_char)
                {
                    out.push(Token {
                        tok: Tok::Float(f64::NEG_INFINITY),
                        span: Span::new(start, start + 4),
                    });
                    i += 4;
                    continue;
                }
                out.push(one(Tok::Minus));
            }
            c if c.is_ascii_digit()
                || (c.is_ascii_hexdigit() && is_guid(src.get(i..).unwrap_or(""))) =>
            {
                let rest = src.get(i..).unwrap_or("");
                let end = if is_guid(rest) {
                    i + 36
                } else {
                    i + run_len(rest)
                };
                let text = src.get(start..end).unwrap_or("");
                let tok = if is_guid(text) {
                    Tok::Guid(text)
                } else {
                    classify(text).ok_or_else(|| invalid(start, end, text))?
                };
                out.push(Token {
                    tok,
                    span: Span::new(start, end),
                });
                i = end;
                continue;
            }
            c if is_ident_start(c) => {
                let mut end = i + c.len_utf8();
                while let Some(n) = src.get(end..).and_then(|r| r.chars().next()) {
                    if !is_ident_char(n) {
                        break;
                    }
                    end += n.len_utf8();
                }
                let name = src.get(start..end).unwrap_or("");
                if src.get(end..).is_some_and(|r| r.starts_with('\'')) {
                    let (s, send) = string(src, end)?;
                    out.push(Token {
                        tok: Tok::Typed(name, s),
                        span: Span::new(start, send),
                    });
                    i = send;
                } else {
                    out.push(Token {
                        tok: Tok::Ident(name),
                        span: Span::new(start, end),
                    });
                    i = end;
                }
                continue;
            }
            other => {
                return Err(FilterError::new(
                    ErrorKind::UnexpectedChar,
                    format!("unexpected character `{other}`"),
                    Span::new(start, start + other.len_utf8()),
                ));
            }
        }
        i += 1;
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span::new(src.len(), src.len()),
    });
    Ok(out)
}

fn invalid(start: usize, end: usize, text: &str) -> FilterError {
    FilterError::new(
        ErrorKind::InvalidLiteral,
        format!("`{text}` is not a valid number, date, date-time, time of day or GUID"),
        Span::new(start, end),
    )
}

/// Length of the literal run starting at a digit: digits, letters, `: . + - _`.
fn run_len(s: &str) -> usize {
    let mut n = 0;
    let mut prev = ' ';
    for c in s.chars() {
        let ok = c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-');
        // `+` only inside an exponent or an offset.
        let plus = c == '+'
            && (matches!(prev, 'e' | 'E') || s.get(..n).is_some_and(|t| t.contains(['T', 't'])));
        if !(ok || plus) {
            break;
        }
        n += c.len_utf8();
        prev = c;
    }
    n
}

fn classify(text: &str) -> Option<Tok<'_>> {
    let b = text.as_bytes();
    if b.len() >= 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        if b.len() == 10 {
            return temporal::date_days(text).map(|d| Tok::Date(text, d * temporal::MS_DAY));
        }
        return temporal::datetime_ms(text).map(|ms| Tok::DateTime(text, ms));
    }
    if b.get(2) == Some(&b':') {
        return temporal::time_of_day_ms(text).map(|_| Tok::Time(text));
    }
    number(text)
}

fn number(text: &str) -> Option<Tok<'_>> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (mant, exp) = match digits.find(['e', 'E']) {
        Some(i) => (digits.get(..i)?, Some(digits.get(i + 1..)?)),
        None => (digits, None),
    };
    let (int, frac) = match mant.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mant, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    if let Some(e) = exp {
        if !all_digits(e.strip_prefix(['+', '-']).unwrap_or(e)) {
            return None;
        }
    }
    if frac.is_none() && exp.is_none() {
        if let Ok(i) = text.parse::<i64>() {
            return Some(Tok::Int(i));
        }
    }
    text.parse::<f64>().ok().map(Tok::Float)
}

/// Lexes a `'…'` string starting at `start` (the quote); returns the value and end offset.
fn string(src: &str, start: usize) -> Result<(String, usize), FilterError> {
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        let Some(c) = src.get(i..).and_then(|r| r.chars().next()) else {
            return Err(FilterError::new(
                ErrorKind::UnterminatedString,
                "string literal is not closed with `'`",
                Span::new(start, src.len()),
            ));
        };
        i += c.len_utf8();
        if c == '\'' {
            if src.get(i..).is_some_and(|r| r.starts_with('\'')) {
                s.push('\'');
                i += 1;
            } else {
                return Ok((s, i));
            }
        } else {
            s.push(c);
        }
    }
}
