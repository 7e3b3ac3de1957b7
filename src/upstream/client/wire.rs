//! Reading vendor bodies, written once: [`json`] (UTF-8 checked once, then parsed as
//! `str`), [`Str`] (strings borrowed from the body), [`text`] (blank is absent),
//! [`MessageBody`] (the `{message, error}` error body), and [`parse_page`], which turns a
//! vendor's list page into normalized records (and, when asked, each item's original
//! object in `raw`). This module imports no I/O.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::{RawJson, Record, Source};

use super::error::UpstreamError;
use super::fetch::{NormCtx, Page};

/// Parses a JSON body. The body is checked to be UTF-8 once, up front (JSON on the wire
/// must be), and read as `str`: serde_json then skips its per-string UTF-8 check, which
/// was a tenth of the gateway's CPU per request. A body that is not UTF-8 is an error
/// (before, only invalid bytes inside a string the adapter reads were one). Only the `str`
/// reader is instantiated, so each wire type's deserializer exists once in the wasm.
pub(crate) fn json<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> serde_json::Result<T> {
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
pub(crate) struct Str<'a>(pub(crate) std::borrow::Cow<'a, str>);

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
pub(crate) fn text(s: Option<&str>) -> Option<String> {
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

/// An error body of the `{message}` / `{error}` shape (TelecomX, and the base of the FNO
/// ones).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct MessageBody {
    /// `access_denied`, `internal_error`, …
    #[serde(default)]
    pub(crate) message: Option<String>,
    /// Alternative spelling.
    #[serde(default)]
    pub(crate) error: Option<String>,
}

impl MessageBody {
    /// The message, else the error word.
    pub(crate) fn detail(self) -> Option<String> {
        self.message.or(self.error)
    }
}

/// A vendor's list page on the wire: its items (borrowed from the body) and, when the
/// vendor gives one, the total. A page may also carry a failure in its body.
pub(crate) trait WireList<'a>: Deserialize<'a> {
    /// One item of the page.
    type Item;
    /// The items, in the upstream's order.
    fn items(&self) -> &[Self::Item];
    /// The vendor's count of all matching records.
    fn total(&self) -> Option<u64> {
        None
    }
    /// A failure the vendor reports inside a 2xx body (FNO `statusInfo`).
    fn failure(&self, source: Source, status: u16) -> Result<(), UpstreamError> {
        let _ = (source, status);
        Ok(())
    }
}

/// The same page read for `raw`: each item as the text the vendor sent, borrowed from the
/// body (a skim that builds no tree).
pub(crate) trait RawList<'a>: serde::Deserialize<'a> {
    /// The items, in the upstream's order.
    fn items(&self) -> &[&'a RawValue];
}

/// Parses a 2xx list page: `L` read from the body, each item normalized with `normalize`,
/// and with `include_raw` the body read again as `R` to put each original item in
/// [`Record::raw`]. A body that does not parse is `upstream.malformed`.
pub(crate) fn parse_page<'a, L: WireList<'a>, R: RawList<'a>>(
    source: Source,
    status: u16,
    body: &'a [u8],
    ctx: NormCtx,
    normalize: impl Fn(&L::Item, NormCtx) -> Record,
) -> Result<Page, UpstreamError> {
    let list: L = json(body).map_err(|e| UpstreamError::malformed(source, status, e))?;
    list.failure(source, status)?;
    let items = list.items();
    let mut records: Vec<Record> = items.iter().map(|i| normalize(i, ctx)).collect();
    if ctx.include_raw {
        let raw: R = json(body).map_err(|e| UpstreamError::malformed(source, status, e))?;
        attach_raw(&mut records, raw.items());
    }
    Ok(Page {
        count: items.len() as u64,
        total: list.total(),
        records,
    })
}

/// Puts each original item in its record's `raw` (once, not once per wire type).
#[inline(never)]
fn attach_raw(records: &mut [Record], raw: &[&RawValue]) {
    for (r, v) in records.iter_mut().zip(raw) {
        r.raw = Some(RawJson::from_raw(v));
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
