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
    /// `=` (named parameters, `$count($filter=…)`).
    Equals,
    /// `[` / `]` (JSON arrays).
    LBracket,
    RBracket,
    /// `{` / `}` (JSON objects).
    LBrace,
    RBrace,
    /// A JSON string `"…"` (only inside JSON arrays and objects), unescaped.
    JsonStr(String),
    /// Where lexing failed (see [`lex`]).
    Error,
    Eof,
}

/// A token with its span.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    pub span: Span,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$' || c == '@'
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

/// Splits `src` into tokens, ending with `Eof`. A lexical error does not stop the parse
/// at once: the tokens before it are returned, then an `Error` token at the start of the
/// token that failed, so that an earlier syntax error (a token that cannot follow the one
/// before it) is reported first; the error itself comes second.
pub(crate) fn lex(src: &str) -> (Vec<Token<'_>>, Option<FilterError>) {
    let mut out = Vec::new();
    let mut at = 0;
    let err = lex_into(src, &mut out, &mut at).err();
    if err.is_some() {
        let len = src
            .get(at..)
            .and_then(|r| r.chars().next())
            .map_or(0, char::len_utf8);
        out.push(Token {
            tok: Tok::Error,
            span: Span::new(at, at + len),
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span::new(src.len(), src.len()),
    });
    (out, err)
}

/// Lexes into `out`; `at` is the start of the token being lexed.
fn lex_into<'a>(src: &'a str, out: &mut Vec<Token<'a>>, at: &mut usize) -> Result<(), FilterError> {
    let mut i = 0;
    while let Some(c) = src.get(i..).and_then(|r| r.chars().next()) {
        let start = i;
        *at = start;
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
            '=' => out.push(one(Tok::Equals)),
            '[' => out.push(one(Tok::LBracket)),
            ']' => out.push(one(Tok::RBracket)),
            '{' => out.push(one(Tok::LBrace)),
            '}' => out.push(one(Tok::RBrace)),
            '"' => {
                let (s, end) = json_string(src, start)?;
                out.push(Token {
                    tok: Tok::JsonStr(s),
                    span: Span::new(start, end),
                });
                i = end;
                continue;
            }
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
                // An annotation `@NS.term#qualifier` may carry a `#qualifier`.
                let annotation = c == '@';
                while let Some(n) = src.get(end..).and_then(|r| r.chars().next()) {
                    if !(is_ident_char(n) || (annotation && n == '#')) {
                        break;
                    }
                    end += n.len_utf8();
                }
                if annotation && end == i + 1 {
                    return Err(FilterError::new(
                        ErrorKind::UnexpectedChar,
                        "`@` must start a parameter alias or an annotation name",
                        Span::new(start, end),
                    ));
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
    Ok(())
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
        // `:` only inside a time (`10:30`), so `case(x gt 10: …)` ends the number.
        let colon = c == ':'
            && s.get(n + 1..)
                .is_some_and(|r| r.starts_with(|d: char| d.is_ascii_digit()));
        let ok = c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') || colon;
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
                Span::new(src.len(), src.len()),
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

/// Lexes a JSON `"…"` string starting at `start` (the quote), with JSON's escapes; returns
/// the value and the end offset.
fn json_string(src: &str, start: usize) -> Result<(String, usize), FilterError> {
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        let Some(c) = src.get(i..).and_then(|r| r.chars().next()) else {
            return Err(FilterError::new(
                ErrorKind::UnterminatedString,
                "JSON string is not closed with `\"`",
                Span::new(src.len(), src.len()),
            ));
        };
        let at = i;
        i += c.len_utf8();
        match c {
            '"' => return Ok((s, i)),
            '\\' => {
                let e = src.get(i..).and_then(|r| r.chars().next());
                let bad = |end: usize| {
                    FilterError::new(
                        ErrorKind::InvalidLiteral,
                        "not a JSON escape (`\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, `\\uXXXX`)",
                        Span::new(at, end),
                    )
                };
                let Some(e) = e else {
                    return Err(bad(i));
                };
                i += e.len_utf8();
                s.push(match e {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' => {
                        let hex = src
                            .get(i..i + 4)
                            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
                        let Some(code) = hex.and_then(|h| u32::from_str_radix(h, 16).ok()) else {
                            return Err(bad(i));
                        };
                        i += 4;
                        // A lone surrogate half stands for U+FFFD; a pair is joined.
                        if (0xD800..0xDC00).contains(&code) && src.get(i..i + 2) == Some("\\u") {
                            let lo = src
                                .get(i + 2..i + 6)
                                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .filter(|lo| (0xDC00..0xE000).contains(lo));
                            if let Some(lo) = lo {
                                i += 6;
                                let c = 0x10000 + ((code - 0xD800) << 10) + (lo - 0xDC00);
                                char::from_u32(c).unwrap_or('\u{fffd}')
                            } else {
                                '\u{fffd}'
                            }
                        } else {
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                    }
                    _ => return Err(bad(i)),
                });
            }
            c => s.push(c),
        }
    }
}
