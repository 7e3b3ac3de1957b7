//! Reading a JSON array of rows from bytes for a query that names only a few members.
//!
//! [`split_array`] finds each element's byte range with a flat scan (no parsing, no
//! allocation per element; every element is validated when it is read). [`read_row`]
//! parses one element into a [`serde_json::Value`] keeping only the top-level members
//! [`Members`] names: the others are skipped with [`IgnoredAny`] (validated, never
//! allocated). A query's answer can then be built from the original byte ranges of the
//! rows on its page, which are the input's text unchanged.
//!
//! [`check_record`] checks the kept members of a row against the types of flexedge's
//! normalized [`Record`](super::Record), so that `schema: "record"` can read records as
//! JSON rows without deserializing `Record`s.
//!
//! This module imports no I/O, no wasm and no `worker`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

use super::{Source, Timestamp};

/// Why the input is not an array of rows (a message for the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The byte ranges of the elements of the JSON array `bytes` (whitespace trimmed). Only
/// the array's own brackets and commas are checked here; each element is checked when it
/// is parsed. Strings are skipped with their escapes, so brackets and commas inside them
/// do not count.
pub fn split_array(bytes: &[u8]) -> Result<Vec<&[u8]>, ReadError> {
    let err = |m: &str| Err(ReadError(m.to_owned()));
    let mut i = 0;
    while bytes.get(i).copied().is_some_and(is_ws) {
        i += 1;
    }
    if bytes.get(i) != Some(&b'[') {
        return err("expected a JSON array of objects");
    }
    i += 1;
    let mut out = Vec::new();
    let mut start = i;
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let mut closed = None;
    // One pass over the bytes: the loop is bounded by the input length.
    while let Some(&b) = bytes.get(i) {
        if in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_str = false;
            } else {
                i = skip_plain(bytes, i);
                continue;
            }
        } else {
            match b {
                b'"' => in_str = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' | b']' if depth == 0 => {
                    let elem = trim(bytes.get(start..i).unwrap_or(&[]));
                    if b == b']' && elem.is_empty() && out.is_empty() {
                        closed = Some(i);
                        break;
                    }
                    if elem.is_empty() {
                        return err("an array element is missing");
                    }
                    out.push(elem);
                    start = i + 1;
                    if b == b']' {
                        closed = Some(i);
                        break;
                    }
                }
                b'}' => return err("unbalanced `}` in the records"),
                _ => {}
            }
        }
        i += 1;
    }
    let Some(end) = closed else {
        return err("the records array is not closed");
    };
    if !bytes
        .get(end + 1..)
        .unwrap_or(&[])
        .iter()
        .all(|&b| is_ws(b))
    {
        return err("trailing characters after the records array");
    }
    Ok(out)
}

/// The index of the next `"` or backslash at or after `i` (or the end), eight bytes at a time:
/// most of a JSON document is string content.
fn skip_plain(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has = |w: u64, b: u8| {
        let x = w ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let m = has(w, b'"') | has(w, b'\\');
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' {
            return i;
        }
        i += 1;
    }
    i
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_ws(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_ws(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// Which top-level members of each row to keep.
#[derive(Debug, Clone, Copy)]
pub enum Members<'q> {
    /// Every member.
    All,
    /// Only these (the others are skipped unparsed).
    Only(&'q [String]),
}

impl Members<'_> {
    fn keeps(&self, name: &str) -> bool {
        match self {
            Members::All => true,
            Members::Only(names) => names.iter().any(|n| n == name),
        }
    }
}

/// Parses one row (an element from [`split_array`]), keeping the members `keep` names.
/// A row that is not an object is read whole.
pub fn read_row(bytes: &[u8], keep: Members<'_>) -> Result<Json, serde_json::Error> {
    if let Members::All = keep {
        return serde_json::from_slice(bytes);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = RowSeed(keep).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Reads every row of `bytes` (a JSON array): the rows (pruned to `keep`) and their byte
/// ranges in `bytes`.
pub fn read_rows<'b>(
    bytes: &'b [u8],
    keep: Members<'_>,
) -> Result<(Vec<Json>, Vec<&'b [u8]>), ReadError> {
    let raw = split_array(bytes)?;
    let mut rows = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let row = read_row(r, keep).map_err(|e| ReadError(format!("record {i}: {e}")))?;
        rows.push(row);
    }
    Ok((rows, raw))
}

struct RowSeed<'q>(Members<'q>);

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Json;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            if self.0.keeps(&k) {
                let v: Json = map.next_value()?;
                out.insert(k.into_owned(), v);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Json::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Json>()? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
}

/// A member name, borrowed from the input unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
}

/// The members a [`check_record`] always keeps: those a `Record` requires.
pub const RECORD_REQUIRED: [&str; 4] = ["id", "source", "sourceId", "kind"];

const KINDS: [&str; 4] = ["order", "line_item", "entitlement", "device"];
const STATUSES: [&str; 6] = [
    "draft", "active", "inactive", "expired", "obsolete", "unknown",
];
const ROLES: [&str; 4] = ["reseller", "distributor", "partner", "channel"];

fn opt_str(v: Option<&Json>) -> bool {
    matches!(v, None | Some(Json::Null | Json::String(_)))
}

fn obj_of_strs(v: &Json, names: &[&str]) -> bool {
    match v {
        Json::Null => true,
        Json::Object(m) => names.iter().all(|n| opt_str(m.get(*n))),
        _ => false,
    }
}

fn array_of(v: &Json, ok: impl Fn(&Map<String, Json>) -> bool) -> bool {
    match v {
        Json::Array(a) => a.iter().all(|e| e.as_object().is_some_and(&ok)),
        _ => false,
    }
}

fn one_of(v: Option<&Json>, names: &[&str]) -> bool {
    v.and_then(Json::as_str).is_some_and(|s| names.contains(&s))
}

/// Checks the members of `row` against the types of a normalized `Record` (as its serde
/// reading would: required `id`, `source`, `sourceId`, `kind`; enums by their spelling;
/// dates that [`Timestamp::parse_opt`] reads; members that are not Record fields are
/// ignored), and sets an absent `status` to `"unknown"`, a Record's default. Returns the
/// offending member's name.
pub fn check_record(row: &mut Json) -> Result<(), String> {
    let Json::Object(m) = row else {
        return Err("(not an object)".to_owned());
    };
    for (name, ok) in [
        ("id", m.get("id").is_some_and(Json::is_string)),
        ("sourceId", m.get("sourceId").is_some_and(Json::is_string)),
        (
            "source",
            m.get("source")
                .and_then(Json::as_str)
                .and_then(Source::from_id)
                .is_some(),
        ),
        ("kind", one_of(m.get("kind"), &KINDS)),
    ] {
        if !ok {
            return Err(name.to_owned());
        }
    }
    for (k, v) in m.iter() {
        let ok = match k.as_str() {
            "orderRef" | "name" => opt_str(Some(v)),
            "status" => one_of(Some(v), &STATUSES),
            "customer" | "billingAccount" => obj_of_strs(v, &["id", "name"]),
            "contact" => obj_of_strs(v, &["name", "email", "phone", "department"]),
            "startDate" | "endDate" | "createdAt" | "updatedAt" => match v {
                Json::Null => true,
                Json::String(s) => Timestamp::parse_opt(s).is_some(),
                _ => false,
            },
            "isPermanent" => matches!(v, Json::Null | Json::Bool(_)),
            "partners" => array_of(v, |p| {
                one_of(p.get("role"), &ROLES) && opt_str(p.get("id")) && opt_str(p.get("name"))
            }),
            "items" => array_of(v, |i| {
                ["productName", "productVersion", "partNumber"]
                    .iter()
                    .all(|n| opt_str(i.get(*n)))
                    && ["quantity", "remaining"]
                        .iter()
                        .all(|n| matches!(i.get(*n), None | Some(Json::Null | Json::Number(_))))
            }),
            "devices" => array_of(v, |d| {
                ["id", "mac", "serial", "model", "type"]
                    .iter()
                    .all(|n| opt_str(d.get(*n)))
            }),
            "attributes" => match v {
                Json::Object(a) => a
                    .values()
                    .all(|x| matches!(x, Json::Bool(_) | Json::Number(_) | Json::String(_))),
                _ => false,
            },
            _ => true,
        };
        if !ok {
            return Err(k.clone());
        }
    }
    if !m.contains_key("status") {
        m.insert("status".to_owned(), Json::String("unknown".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Result<Vec<&str>, ReadError> {
        split_array(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|b| std::str::from_utf8(b).unwrap())
                .collect()
        })
    }

    #[test]
    fn splits_elements_and_skips_strings() {
        assert_eq!(split(" [ ] ").unwrap(), Vec::<&str>::new());
        assert_eq!(
            split(r#"[ {"a":"],\"}"} , [1,[2]],3 ]"#).unwrap(),
            [r#"{"a":"],\"}"}"#, "[1,[2]]", "3"]
        );
        for bad in ["", "{}", "[1,,2]", "[1,]", "[1", "[1] x", "[}]", r#"["]"#] {
            assert!(split(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn keeps_only_the_named_members() {
        let keep = ["b".to_owned(), "c\"d".to_owned()];
        let row = read_row(
            br#"{"a":{"deep":[1,2]},"b":{"x":1},"c\"d":2,"e":"\u00e9"}"#,
            Members::Only(&keep),
        )
        .unwrap();
        assert_eq!(row, serde_json::json!({"b": {"x": 1}, "c\"d": 2}));
        // Skipped members are still validated.
        assert!(read_row(br#"{"a":[1,}"#, Members::Only(&keep)).is_err());
        assert!(read_row(br#"{"b":1} x"#, Members::Only(&keep)).is_err());
        assert_eq!(
            read_row(b"[1,\"x\"]", Members::Only(&keep)).unwrap(),
            serde_json::json!([1, "x"])
        );
    }

    #[test]
    fn record_checks() {
        let mut ok = serde_json::json!({"id": "a:1", "source": "hpe_flex", "sourceId": "1",
            "kind": "order", "endDate": "2026-01-01", "extra": [1]});
        assert_eq!(check_record(&mut ok), Ok(()));
        assert_eq!(ok["status"], "unknown");
        for (bad, member) in [
            (serde_json::json!({"a": 1}), "id"),
            (
                serde_json::json!({"id": "x", "source": "nope", "sourceId": "1", "kind": "order"}),
                "source",
            ),
            (
                serde_json::json!({"id": "x", "source": "fno_orders", "sourceId": "1",
                    "kind": "order", "endDate": "soon"}),
                "endDate",
            ),
            (
                serde_json::json!({"id": "x", "source": "fno_orders", "sourceId": "1",
                    "kind": "order", "partners": [{"role": "boss"}]}),
                "partners",
            ),
        ] {
            let mut bad = bad;
            assert_eq!(check_record(&mut bad), Err(member.to_owned()));
        }
    }
}
