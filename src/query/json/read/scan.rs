//! One pass over a JSON array of rows that keeps only the top-level members a query names:
//! what [`read_rows`](super::read_rows) runs for [`Members::Only`].
//!
//! The scan checks every byte as strictly as serde_json does when it skips a value
//! (`IgnoredAny`): strings end at an unescaped quote, have no raw control characters and
//! only valid escapes (`\u` with four hex digits); numbers follow the JSON grammar;
//! literals are spelled out; commas, colons and brackets are where JSON puts them. Member
//! names with escapes are decoded by serde_json (so a bad `\u` escape in any name is an
//! error, as before). The kept members' values are parsed by serde_json
//! ([`read_row`](super::read_row)), so their reading is exactly as before; the scan only
//! finds where they are. Skipping nests iteratively, so depth costs no stack.
//!
//! This module imports no I/O, no wasm and no `worker`.

use std::borrow::Cow;

use super::{JsonRef, Members, ReadError};

struct Scan<'b> {
    /// The input (valid UTF-8: every slice taken at a quote or bracket is a `str`).
    text: &'b str,
    b: &'b [u8],
    i: usize,
}

/// What went wrong and where (a byte offset), rendered once by [`read_rows`].
struct Bad(&'static str, usize);

type Res<T> = Result<T, Bad>;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Bytes of `w` equal to `c` (their high bits set).
fn eq(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * u64::from(c));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// Bytes of `w` below 0x20 (ASCII bytes only; bytes ≥ 0x80 never count).
fn control(w: u64) -> u64 {
    w.wrapping_sub(ONES * 0x20) & !w & HIGH
}

impl<'b> Scan<'b> {
    fn err<T>(&self, what: &'static str) -> Res<T> {
        Err(Bad(what, self.i))
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// After the opening quote: to just past the closing one. True when it had escapes.
    fn string(&mut self) -> Res<bool> {
        let mut escaped = false;
        loop {
            // Eight bytes at a time while none is a quote, a backslash or a control byte.
            while let Some(chunk) = self.b.get(self.i..self.i + 8) {
                let w = u64::from_le_bytes([
                    chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
                ]);
                let m = eq(w, b'"') | eq(w, b'\\') | control(w);
                if m != 0 {
                    self.i += (m.trailing_zeros() / 8) as usize;
                    break;
                }
                self.i += 8;
            }
            match self.peek() {
                None => return self.err("a string is not closed"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    self.i += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
                        Some(b'u') => {
                            let hex = self.b.get(self.i + 1..self.i + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return self.err("an invalid \\u escape");
                            }
                            self.i += 5;
                        }
                        _ => return self.err("an invalid escape"),
                    }
                }
                Some(c) if c < 0x20 => return self.err("a control character in a string"),
                Some(_) => self.i += 1,
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Res<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.i += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return self.err("a number with a leading zero");
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err("an invalid number"),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return self.err("an invalid number");
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return self.err("an invalid number");
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Res<()> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            self.err("an invalid literal")
        }
    }

    /// A member name (after its opening quote): its bytes as written, and whether it has
    /// escapes. A name with escapes is decoded here, so that a bad `\u` escape in any
    /// name is an error, as it was when serde_json read every name.
    fn key(&mut self) -> Res<(&'b [u8], bool)> {
        let start = self.i;
        let escaped = self.string()?;
        let inner = self.b.get(start..self.i - 1).unwrap_or(&[]);
        if escaped {
            let end = self.i;
            self.i = start;
            self.string_value()?;
            self.i = end;
        }
        Ok((inner, escaped))
    }

    /// Skips one value (validated), nesting iteratively.
    fn skip(&mut self) -> Res<()> {
        // The open brackets (b'[' or b'{'), innermost last.
        let mut open: Vec<u8> = Vec::new();
        loop {
            self.ws();
            // A value.
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    self.string()?;
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(c @ (b'[' | b'{')) => {
                    self.i += 1;
                    self.ws();
                    let close = if c == b'[' { b']' } else { b'}' };
                    if self.peek() == Some(close) {
                        self.i += 1;
                    } else {
                        open.push(c);
                        if c == b'{' {
                            self.member_name()?;
                        }
                        continue;
                    }
                }
                _ => return self.err("expected a value"),
            }
            // After a value: close what ends here, or go on to the next element.
            loop {
                let Some(&inner) = open.last() else {
                    return Ok(());
                };
                self.ws();
                match (self.peek(), inner) {
                    (Some(b','), _) => {
                        self.i += 1;
                        if inner == b'{' {
                            self.ws();
                            self.member_name()?;
                        }
                        break;
                    }
                    (Some(b']'), b'[') | (Some(b'}'), b'{') => {
                        self.i += 1;
                        open.pop();
                    }
                    _ => return self.err("expected `,` or a closing bracket"),
                }
            }
        }
    }

    /// Parses one value (validated as [`Scan::skip`] does) into a [`JsonRef`], as serde_json
    /// reads it: strings without escapes borrowed, escapes decoded (a surrogate pair in
    /// `\u` escapes makes one character; a lone surrogate is an error); integers that fit
    /// as `u64`/`i64`, `-0` and everything else as `f64` (out of range is an error);
    /// nesting deeper than serde_json's 127 levels is an error; a repeated member name
    /// keeps its last value.
    fn parse(&mut self, depth: usize) -> Res<JsonRef<'b>> {
        self.ws();
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                Ok(JsonRef::Str(self.string_value()?))
            }
            Some(b'-' | b'0'..=b'9') => self.number_value(),
            Some(b't') => self.literal(b"true").map(|()| JsonRef::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| JsonRef::Bool(false)),
            Some(b'n') => self.literal(b"null").map(|()| JsonRef::Null),
            Some(c @ (b'[' | b'{')) => {
                if depth + 1 >= 128 {
                    return self.err("nested too deeply");
                }
                self.i += 1;
                self.ws();
                if c == b'[' {
                    let mut out = Vec::new();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        return Ok(JsonRef::Array(out));
                    }
                    loop {
                        out.push(self.parse(depth + 1)?);
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                return Ok(JsonRef::Array(out));
                            }
                            _ => return self.err("expected `,` or `]`"),
                        }
                    }
                }
                let mut out: Vec<(Cow<'b, str>, JsonRef<'b>)> = Vec::new();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(JsonRef::Object(out));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return self.err("expected a member name");
                    }
                    self.i += 1;
                    let k = self.string_value()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return self.err("expected `:`");
                    }
                    self.i += 1;
                    let v = self.parse(depth + 1)?;
                    match out.iter_mut().find(|(k2, _)| *k2 == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(JsonRef::Object(out));
                        }
                        _ => return self.err("expected `,` or `}`"),
                    }
                }
            }
            _ => self.err("expected a value"),
        }
    }

    /// A string (after its opening quote), borrowed unless it has escapes.
    fn string_value(&mut self) -> Res<Cow<'b, str>> {
        let start = self.i;
        let escaped = self.string()?;
        let inner = self
            .text
            .get(start..self.i - 1)
            .ok_or(Bad("a string is not text", start))?;
        if !escaped {
            return Ok(Cow::Borrowed(inner));
        }
        let bad = Bad("an invalid escape", start);
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        let hex4 = |chars: &mut std::str::Chars<'_>| -> Option<u32> {
            let h: String = chars.by_ref().take(4).collect();
            if h.len() == 4 {
                u32::from_str_radix(&h, 16).ok()
            } else {
                None
            }
        };
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = match chars.next() {
                Some('"') => '"',
                Some('\\') => '\\',
                Some('/') => '/',
                Some('b') => '\u{8}',
                Some('f') => '\u{c}',
                Some('n') => '\n',
                Some('r') => '\r',
                Some('t') => '\t',
                Some('u') => {
                    let hi = hex4(&mut chars).ok_or(Bad("an invalid escape", start))?;
                    let code = match hi {
                        0xD800..=0xDBFF => {
                            if chars.next() != Some('\\') || chars.next() != Some('u') {
                                return Err(Bad("a lone surrogate in an escape", start));
                            }
                            let lo = hex4(&mut chars).ok_or(Bad("an invalid escape", start))?;
                            if !(0xDC00..=0xDFFF).contains(&lo) {
                                return Err(Bad("a lone surrogate in an escape", start));
                            }
                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                        }
                        0xDC00..=0xDFFF => return Err(Bad("a lone surrogate in an escape", start)),
                        c => c,
                    };
                    char::from_u32(code).ok_or(Bad("an invalid escape", start))?
                }
                _ => return Err(bad),
            };
            out.push(e);
        }
        Ok(Cow::Owned(out))
    }

    /// A number, as serde_json (without `arbitrary_precision`) reads it.
    fn number_value(&mut self) -> Res<JsonRef<'b>> {
        let start = self.i;
        self.number()?;
        let t = self.text.get(start..self.i).unwrap_or("");
        let float = || -> Res<JsonRef<'b>> {
            let x: f64 = t.parse().map_err(|_| Bad("an invalid number", start))?;
            serde_json::Number::from_f64(x)
                .map(JsonRef::Number)
                .ok_or(Bad("a number out of range", start))
        };
        if t.contains(['.', 'e', 'E']) {
            return float();
        }
        match t.strip_prefix('-') {
            None => t
                .parse::<u64>()
                .map_or_else(|_| float(), |u| Ok(JsonRef::Number(u.into()))),
            Some(digits) => match digits.parse::<u64>() {
                Ok(sig) => {
                    // serde_json: `-0` and what does not fit an i64 are floats.
                    let neg = (sig as i64).wrapping_neg();
                    if neg >= 0 {
                        serde_json::Number::from_f64(-(sig as f64))
                            .map(JsonRef::Number)
                            .ok_or(Bad("a number out of range", start))
                    } else {
                        Ok(JsonRef::Number(neg.into()))
                    }
                }
                Err(_) => float(),
            },
        }
    }

    /// `"name" :` inside an object being skipped.
    fn member_name(&mut self) -> Res<()> {
        if self.peek() != Some(b'"') {
            return self.err("expected a member name");
        }
        self.i += 1;
        self.key()?;
        self.ws();
        if self.peek() != Some(b':') {
            return self.err("expected `:`");
        }
        self.i += 1;
        Ok(())
    }

    /// One row that is an object (at its `{`): the kept members read by serde_json.
    fn row(&mut self, keep: Members<'_>) -> Res<JsonRef<'b>> {
        self.i += 1;
        let mut out: Vec<(Cow<'b, str>, JsonRef<'b>)> = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(JsonRef::Object(out));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return self.err("expected a member name");
            }
            self.i += 1;
            let name_at = self.i;
            let (name, escaped) = self.key()?;
            let name_end = self.i;
            self.ws();
            if self.peek() != Some(b':') {
                return self.err("expected `:`");
            }
            self.i += 1;
            self.ws();
            // Most names have no escapes: compare their bytes before making text of them.
            let text: &'b str = self.text;
            let borrowed = || {
                text.get(name_at..name_end - 1)
                    .map(Cow::Borrowed)
                    .ok_or(Bad("a member name is not text", name_at))
            };
            let kept = match keep {
                Members::Only(names) if !escaped => {
                    if names.iter().any(|n| n.as_bytes() == name) {
                        Some(borrowed()?)
                    } else {
                        None
                    }
                }
                _ => {
                    let k = if escaped {
                        let end = self.i;
                        self.i = name_at;
                        let k = self.string_value()?;
                        self.i = end;
                        k
                    } else {
                        borrowed()?
                    };
                    keep.keeps(&k).then_some(k)
                }
            };
            if let Some(k) = kept {
                let v = self.parse(0)?;
                match out.iter_mut().find(|(k2, _)| *k2 == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            } else {
                self.skip()?;
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(JsonRef::Object(out));
                }
                _ => return self.err("expected `,` or `}`"),
            }
        }
    }
}

/// One whole JSON value (with surrounding whitespace), read as [`Scan::parse`] reads it.
pub(super) fn read_value(text: &str) -> Result<JsonRef<'_>, ReadError> {
    let mut s = Scan {
        text,
        b: text.as_bytes(),
        i: 0,
    };
    let v = s
        .parse(0)
        .map_err(|Bad(what, at)| ReadError(format!("{what} at byte {at}")))?;
    s.ws();
    if s.i != text.len() {
        return Err(ReadError("trailing characters after the value".to_owned()));
    }
    Ok(v)
}

/// [`read_rows`](super::read_rows): the rows with only the top-level members `keep`
/// names, and each row's bytes.
pub(super) fn read_rows<'b>(
    text: &'b str,
    keep: Members<'_>,
) -> Result<(Vec<JsonRef<'b>>, Vec<&'b [u8]>), ReadError> {
    let bytes = text.as_bytes();
    let mut s = Scan {
        text,
        b: bytes,
        i: 0,
    };
    let mut rows = Vec::new();
    let mut raw = Vec::new();
    let fail = |n: usize, Bad(what, at): Bad| ReadError(format!("record {n}: {what} at byte {at}"));
    s.ws();
    if s.peek() != Some(b'[') {
        return Err(ReadError("expected a JSON array of objects".to_owned()));
    }
    s.i += 1;
    s.ws();
    if s.peek() == Some(b']') {
        s.i += 1;
    } else {
        loop {
            s.ws();
            let start = s.i;
            let n = rows.len();
            let row = if s.peek() == Some(b'{') {
                s.row(keep).map_err(|b| fail(n, b))?
            } else {
                s.parse(0).map_err(|b| fail(n, b))?
            };
            rows.push(row);
            raw.push(bytes.get(start..s.i).unwrap_or(&[]));
            s.ws();
            match s.peek() {
                Some(b',') => s.i += 1,
                Some(b']') => {
                    s.i += 1;
                    break;
                }
                None => return Err(ReadError("the records array is not closed".to_owned())),
                _ => return Err(fail(n, Bad("expected `,` or `]`", s.i))),
            }
        }
    }
    s.ws();
    if s.i != bytes.len() {
        return Err(ReadError(
            "trailing characters after the records array".to_owned(),
        ));
    }
    Ok((rows, raw))
}

#[cfg(test)]
mod tests {
    use super::super::{read_row, read_value, split_array, JsonLike, Members};

    /// The reader before the scan: split, then serde_json with `IgnoredAny` per row.
    fn old(text: &[u8], keep: &[String]) -> Result<Vec<serde_json::Value>, ()> {
        let raw = split_array(text).map_err(|_| ())?;
        raw.iter()
            .map(|r| {
                read_row(r, Members::Only(keep))
                    .map(|v| v.to_value())
                    .map_err(|_| ())
            })
            .collect()
    }

    fn new(text: &[u8], keep: &[String]) -> Result<Vec<serde_json::Value>, ()> {
        let text = std::str::from_utf8(text).map_err(|_| ())?;
        super::read_rows(text, Members::Only(keep))
            .map(|(rows, _)| rows.iter().map(JsonLike::to_value).collect())
            .map_err(|_| ())
    }

    const DOC: &str = r#" [ {"a": 1, "skip": {"x": [1, 2.5e-3, -0, "s\"\\\/\b\f\n\r\t\u00e9", true, false, null, {}, []]},
        "b": "ü\u0041", "c\u0064": [ {"k": "v"} ], "a": 2, "e": -12.5E+2},
        {"b": null, "z": "]},{\"", "deep": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]},
        "not an object", 7, [1, {"a": 3}], {} ] "#;

    #[test]
    fn agrees_with_the_old_reader_on_valid_input() {
        let keep: Vec<String> = ["a", "b", "cd", "missing"].map(str::to_owned).to_vec();
        let got = new(DOC.as_bytes(), &keep).unwrap();
        assert_eq!(Ok(got.clone()), old(DOC.as_bytes(), &keep));
        assert_eq!(
            got[0],
            serde_json::json!({"a": 2, "b": "üA", "cd": [{"k": "v"}]})
        );
        let (_, raw) = super::read_rows(DOC, Members::Only(&keep)).unwrap();
        let all = super::read_rows(DOC, Members::All).unwrap().0;
        let whole: serde_json::Value = serde_json::from_str(DOC).unwrap();
        assert_eq!(
            serde_json::Value::Array(all.iter().map(JsonLike::to_value).collect()),
            whole
        );
        assert_eq!(raw[2], br#""not an object""#);
    }

    /// Values read without serde_json are what serde_json reads.
    #[test]
    fn values_as_serde_json_reads_them() {
        for text in [
            "0",
            "-0",
            "12",
            "-12",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1.5",
            "-2.5e-3",
            "1E400",
            "1e-400",
            "123456789012345678901234567890",
            r#""plain""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\ud83d\ude00x""#,
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\u0041""#,
            r#"{"a":1,"a":{"b":[true,false,null]},"c\u0041":"x"}"#,
            "[[[]]]",
            "[1,]",
            "{,}",
        ] {
            let want = read_row(text.as_bytes(), Members::All)
                .map(|v| v.to_value())
                .ok();
            let got = read_value(text).map(|v| v.to_value()).ok();
            assert_eq!(got, want, "{text}");
            if let (Some(serde_json::Value::Number(a)), Some(serde_json::Value::Number(b))) =
                (&got, &want)
            {
                assert_eq!(a.to_string(), b.to_string(), "{text}: same representation");
            }
        }
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        for n in [126, 127, 128, 129] {
            let t = deep(n);
            assert_eq!(
                read_value(&t).is_ok(),
                read_row(t.as_bytes(), Members::All).is_ok(),
                "depth {n}"
            );
        }
    }

    #[test]
    fn rejects_what_the_old_reader_rejects() {
        let keep = vec!["a".to_owned()];
        for bad in [
            "",
            "{}",
            "[",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[{}] x",
            r#"[{"a":1,}]"#,
            r#"[{"a" 1}]"#,
            r#"[{"s":"\x"}]"#,
            r#"[{"s":"\u12"}]"#,
            "[{\"s\":\"a\u{1}\"}]",
            r#"[{"n":01}]"#,
            r#"[{"n":1.}]"#,
            r#"[{"n":1e}]"#,
            r#"[{"n":-}]"#,
            r#"[{"n":tru}]"#,
            r#"[{"n":[1,}]}]"#,
            r#"[{"n":{"a"}}]"#,
            r#"[{"n":{1:2}}]"#,
            r#"[{"a":[1,}]"#,
            r#"[{"\ud800x":1}]"#,
            r#"[{"s":"x}]"#,
        ] {
            assert_eq!(old(bad.as_bytes(), &keep), Err(()), "old {bad:?}");
            assert_eq!(new(bad.as_bytes(), &keep), Err(()), "new {bad:?}");
        }
    }

    /// Every one-byte deletion and a set of one-byte replacements of a valid document:
    /// both readers accept or reject alike, and agree on what they read.
    #[test]
    fn agrees_on_every_small_corruption() {
        let keep: Vec<String> = ["a", "b", "cd"].map(str::to_owned).to_vec();
        let doc = DOC.as_bytes();
        let mut checked = 0;
        for i in 0..doc.len() {
            let mut v = doc.to_vec();
            v.remove(i);
            let mut cases = vec![v];
            for c in [b'"', b',', b'}', b']', b'\\', b'0', b'x', b' ', 1u8] {
                let mut w = doc.to_vec();
                w[i] = c;
                cases.push(w);
            }
            for case in cases {
                if std::str::from_utf8(&case).is_err() {
                    continue;
                }
                assert_eq!(
                    new(&case, &keep),
                    old(&case, &keep),
                    "{}",
                    String::from_utf8_lossy(&case)
                );
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
    }
}
