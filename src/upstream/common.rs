//! Small helpers shared by the vendor folders: blank strings, derived statuses, literal
//! quoting and sort-key checks. This module imports no I/O.

use crate::model::{Status, Timestamp};

use super::plan::{Lit, SortKey};

/// Parses a JSON body. The body is checked to be UTF-8 once, up front (JSON on the wire
/// must be), and read as `str`: serde_json then skips its per-string UTF-8 check, which
/// was a tenth of the gateway's CPU per request. A body that is not UTF-8 is an error
/// (before, only invalid bytes inside a string the adapter reads were one). Only the `str`
/// reader is instantiated, so each wire type's deserializer exists once in the wasm.
pub fn json<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> serde_json::Result<T> {
    serde_json::from_str(utf8(body)?)
}

/// The body as `str`, or the error for a body that is not UTF-8 (not generic: written once
/// in the wasm, not once per wire type).
fn utf8(body: &[u8]) -> serde_json::Result<&str> {
    std::str::from_utf8(body)
        .map_err(|e| serde::de::Error::custom(format_args!("the body is not UTF-8 ({e})")))
}

/// A string of a vendor page, borrowed from the body when it has no escapes (most do), so
/// that reading a page allocates only for what normalization keeps. Derefs to `str`.
/// (`Option<Cow<str>>` never borrows under serde's derive; this does.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Str<'a>(pub std::borrow::Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor)
    }
}

struct StrVisitor;

impl<'de> serde::de::Visitor<'de> for StrVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
        Ok(Str(std::borrow::Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
        Ok(Str(std::borrow::Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
        Ok(Str(std::borrow::Cow::Owned(v)))
    }
}

/// `Some` of a non-blank string, kept as sent (not trimmed, so that an upstream `eq`
/// and the edge's `eq` see the same text): a blank vendor value is "no value".
pub fn text(s: Option<&str>) -> Option<String> {
    s.filter(|t| !is_blank(t)).map(str::to_owned)
}

/// `t.trim().is_empty()`, without walking the characters when the first byte is visible
/// ASCII (nearly every vendor value).
fn is_blank(t: &str) -> bool {
    match t.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii_graphic() => false,
        Some(_) => t.trim().is_empty(),
    }
}

/// True for a literal that is safe to push: a non-blank string (a blank one matches
/// blank vendor values upstream but nothing at the edge, where blanks are absent).
pub fn pushable(s: &str) -> bool {
    !s.trim().is_empty()
}

/// `expired` when the vendor says active but the end date has passed at `now`.
pub fn with_expiry(status: Status, end: Option<Timestamp>, now_ms: i64) -> Status {
    match (status, end) {
        (Status::Active, Some(e)) if e.millis() <= now_ms => Status::Expired,
        (s, _) => s,
    }
}

/// The strings of a list of literals, or `None` if any is not a string.
pub fn strings(values: &[Lit]) -> Option<Vec<&str>> {
    values.iter().map(Lit::as_str).collect()
}

/// True when the sort is empty or its only key is the record id / source id (which the
/// edge also uses as its tie-breaker).
pub fn sort_is_by_id(keys: &[SortKey]) -> Option<bool> {
    match keys {
        [] => Some(false),
        [k] if k.field == "id" || k.field == "sourceId" => Some(k.desc),
        _ => None,
    }
}

#[cfg(test)]
mod blank_tests {
    use super::*;

    #[test]
    fn json_bodies_must_be_utf8() {
        let ok: Vec<String> = json(br#"["a\u00e9", "\u00e9"]"#).unwrap();
        assert_eq!(ok, ["a\u{e9}", "\u{e9}"]);
        let e = json::<serde_json::Value>(b"[\"\xff\"]").unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }

    #[test]
    fn blank_is_what_trim_calls_empty() {
        for t in [
            "",
            " ",
            "\t\n",
            "\u{b}",
            "\u{a0}",
            "\u{3000} ",
            "a",
            " a",
            "\u{b}a",
            "é",
            "\u{a0}x",
        ] {
            assert_eq!(is_blank(t), t.trim().is_empty(), "{t:?}");
            assert_eq!(text(Some(t)).is_none(), t.trim().is_empty(), "{t:?}");
        }
    }
}
