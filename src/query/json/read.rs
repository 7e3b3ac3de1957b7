//! Reading a JSON array of rows from bytes for a query that names only a few members.
//!
//! [`read_rows`] finds each element and its top-level members in one validating pass
//! (`scan`); [`split_array`] finds each element's byte range with a flat scan (no parsing, no
//! allocation per element; every element is validated when it is read). [`read_row`]
//! parses one element into a [`serde_json::Value`] keeping only the top-level members
//! [`Members`] names: the others are skipped with [`IgnoredAny`] (validated, never
//! allocated). A query's answer can then be built from the original byte ranges of the
//! rows on its page, which are the input's text unchanged.
//!
//! [`check_record`] checks the kept members of a row against the types of flexedge's
//! normalized [`Record`](crate::model::Record), so that `schema: "record"` can read records as
//! JSON rows without deserializing `Record`s.
//!
//! This module imports no I/O, no wasm and no `worker`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

mod scan;

use super::schema::{JsonLike, Node};
use crate::filter::Value;
use crate::model::{Source, Timestamp};

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

/// A JSON value whose strings and member names borrow from the input (unless they have
/// escapes): what [`read_row`] builds, one allocation per object or array. A repeated
/// member name keeps its last value, as in serde_json's `Value`.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonRef<'a> {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(serde_json::Number),
    /// A string.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<JsonRef<'a>>),
    /// An object's members, in input order.
    Object(Vec<(Cow<'a, str>, JsonRef<'a>)>),
}

type Member<'b> = (Cow<'b, str>, JsonRef<'b>);

fn ref_member<'a, 'b>((k, v): &'a Member<'b>) -> (&'a str, &'a JsonRef<'b>) {
    (k.as_ref(), v)
}

impl<'b> JsonLike for JsonRef<'b> {
    type Members<'a>
        =
        std::iter::Map<std::slice::Iter<'a, Member<'b>>, fn(&'a Member<'b>) -> (&'a str, &'a Self)>
    where
        Self: 'a;

    fn node(&self) -> Node<'_, Self> {
        match self {
            JsonRef::Object(m) => Node::Object(m.iter().map(ref_member as _)),
            JsonRef::Array(a) => Node::Array(a),
            JsonRef::Null => Node::Scalar(Value::Null),
            JsonRef::Bool(b) => Node::Scalar(Value::Bool(*b)),
            JsonRef::Number(n) => Node::Scalar(n.as_f64().map_or(Value::Null, Value::Number)),
            JsonRef::Str(s) => Node::Scalar(Value::Str(s)),
        }
    }

    fn member(&self, name: &str) -> Option<&Self> {
        match self {
            JsonRef::Object(m) => m.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    fn to_value(&self) -> Json {
        match self {
            JsonRef::Null => Json::Null,
            JsonRef::Bool(b) => Json::Bool(*b),
            JsonRef::Number(n) => Json::Number(n.clone()),
            JsonRef::Str(s) => Json::String(s.as_ref().to_owned()),
            JsonRef::Array(a) => Json::Array(a.iter().map(JsonLike::to_value).collect()),
            JsonRef::Object(m) => Json::Object(
                m.iter()
                    .map(|(k, v)| (k.as_ref().to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Parses one row (an element from [`split_array`]), keeping the top-level members `keep`
/// names. A row that is not an object is read whole.
pub fn read_row<'b>(bytes: &'b [u8], keep: Members<'_>) -> Result<JsonRef<'b>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = de::Deserializer::deserialize_any(&mut de, RefVisitor(keep))?;
    de.end()?;
    Ok(v)
}

/// Reads one JSON value from `text` (whitespace around it allowed), as [`read_rows`] reads
/// the kept members: what serde_json would make of it, without serde_json.
pub fn read_value(text: &str) -> Result<JsonRef<'_>, ReadError> {
    scan::read_value(text)
}

/// Reads every row of `text` (a JSON array): the rows (pruned to `keep`) and their byte
/// ranges in `text`. One pass finds the rows and their members and skips what is not kept
/// without serde's per-member machinery (`scan.rs`); the kept values are read by serde_json.
pub fn read_rows<'b>(
    text: &'b str,
    keep: Members<'_>,
) -> Result<(Vec<JsonRef<'b>>, Vec<&'b [u8]>), ReadError> {
    scan::read_rows(text, keep)
}

impl<'de> de::Deserialize<'de> for JsonRef<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RefVisitor(Members::All))
    }
}

/// Builds a [`JsonRef`]; at its own level, keeps only the members its [`Members`] names.
struct RefVisitor<'q>(Members<'q>);

impl<'de> Visitor<'de> for RefVisitor<'_> {
    type Value = JsonRef<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonRef<'de>, A::Error> {
        let mut out: Vec<Member<'de>> = Vec::new();
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            if self.0.keeps(&k) {
                let v: JsonRef<'de> = map.next_value()?;
                match out.iter_mut().find(|(k2, _)| *k2 == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(JsonRef::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonRef<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<JsonRef<'de>>()? {
            out.push(v);
        }
        Ok(JsonRef::Array(out))
    }

    fn visit_bool<E>(self, v: bool) -> Result<JsonRef<'de>, E> {
        Ok(JsonRef::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<JsonRef<'de>, E> {
        Ok(JsonRef::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<JsonRef<'de>, E> {
        Ok(JsonRef::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<JsonRef<'de>, E> {
        Ok(serde_json::Number::from_f64(v).map_or(JsonRef::Null, JsonRef::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<JsonRef<'de>, E> {
        Ok(JsonRef::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<JsonRef<'de>, E> {
        Ok(JsonRef::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_unit<E>(self) -> Result<JsonRef<'de>, E> {
        Ok(JsonRef::Null)
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

fn opt_str(v: Option<&JsonRef<'_>>) -> bool {
    matches!(v, None | Some(JsonRef::Null | JsonRef::Str(_)))
}

fn as_str<'a>(v: Option<&'a JsonRef<'_>>) -> Option<&'a str> {
    match v {
        Some(JsonRef::Str(s)) => Some(s),
        _ => None,
    }
}

fn obj_of_strs(v: &JsonRef<'_>, names: &[&str]) -> bool {
    match v {
        JsonRef::Null => true,
        JsonRef::Object(_) => names.iter().all(|n| opt_str(v.member(n))),
        _ => false,
    }
}

fn array_of(v: &JsonRef<'_>, ok: impl Fn(&JsonRef<'_>) -> bool) -> bool {
    match v {
        JsonRef::Array(a) => a.iter().all(|e| matches!(e, JsonRef::Object(_)) && ok(e)),
        _ => false,
    }
}

fn one_of(v: Option<&JsonRef<'_>>, names: &[&str]) -> bool {
    as_str(v).is_some_and(|s| names.contains(&s))
}

/// Checks the members of `row` against the types of a normalized `Record` (as its serde
/// reading would: required `id`, `source`, `sourceId`, `kind`; enums by their spelling;
/// dates that [`Timestamp::parse_opt`] reads; members that are not Record fields are
/// ignored), and sets an absent `status` to `"unknown"`, a Record's default. The error
/// names the offending member.
pub fn check_record(row: &mut JsonRef<'_>) -> Result<(), String> {
    let r: &JsonRef<'_> = row;
    if !matches!(r, JsonRef::Object(_)) {
        return Err("(not an object)".to_owned());
    }
    for (name, ok) in [
        ("id", as_str(r.member("id")).is_some()),
        ("sourceId", as_str(r.member("sourceId")).is_some()),
        (
            "source",
            as_str(r.member("source"))
                .and_then(Source::from_id)
                .is_some(),
        ),
        ("kind", one_of(r.member("kind"), &KINDS)),
    ] {
        if !ok {
            return Err(name.to_owned());
        }
    }
    let JsonRef::Object(m) = row else {
        return Err("(not an object)".to_owned());
    };
    for (k, v) in m.iter() {
        let ok = match k.as_ref() {
            "orderRef" | "entitlementId" | "name" => opt_str(Some(v)),
            "status" => one_of(Some(v), &STATUSES),
            "customer" | "billingAccount" => obj_of_strs(v, &["id", "name"]),
            "contact" => obj_of_strs(v, &["name", "email", "phone", "department"]),
            "startDate" | "endDate" | "createdAt" | "updatedAt" => match v {
                JsonRef::Null => true,
                JsonRef::Str(s) => Timestamp::parse_opt(s).is_some(),
                _ => false,
            },
            "isPermanent" => matches!(v, JsonRef::Null | JsonRef::Bool(_)),
            "partners" => array_of(v, |p| {
                one_of(p.member("role"), &ROLES)
                    && opt_str(p.member("id"))
                    && opt_str(p.member("name"))
                    && opt_str(p.member("tier"))
            }),
            "items" => array_of(v, |i| {
                [
                    "productName",
                    "productVersion",
                    "partNumber",
                    "activationId",
                    "orderType",
                ]
                .iter()
                .all(|n| opt_str(i.member(n)))
                    && ["quantity", "remaining"].iter().all(|n| {
                        matches!(i.member(n), None | Some(JsonRef::Null | JsonRef::Number(_)))
                    })
                    && (matches!(i.member("status"), None | Some(JsonRef::Null))
                        || one_of(i.member("status"), &STATUSES))
                    && ["startDate", "endDate"].iter().all(|n| match i.member(n) {
                        None | Some(JsonRef::Null) => true,
                        Some(JsonRef::Str(s)) => Timestamp::parse_opt(s).is_some(),
                        _ => false,
                    })
            }),
            "devices" => array_of(v, |d| {
                ["id", "mac", "serial", "model", "type"]
                    .iter()
                    .all(|n| opt_str(d.member(n)))
            }),
            "attributes" => match v {
                JsonRef::Object(a) => a.iter().all(|(_, x)| {
                    matches!(x, JsonRef::Bool(_) | JsonRef::Number(_) | JsonRef::Str(_))
                }),
                _ => false,
            },
            _ => true,
        };
        if !ok {
            return Err(k.as_ref().to_owned());
        }
    }
    if !m.iter().any(|(k, _)| k == "status") {
        m.push((
            Cow::Borrowed("status"),
            JsonRef::Str(Cow::Borrowed("unknown")),
        ));
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
        assert_eq!(
            row.to_value(),
            serde_json::json!({"b": {"x": 1}, "c\"d": 2})
        );
        // Skipped members are still validated.
        assert!(read_row(br#"{"a":[1,}"#, Members::Only(&keep)).is_err());
        assert!(read_row(br#"{"b":1} x"#, Members::Only(&keep)).is_err());
        assert_eq!(
            read_row(b"[1,\"x\"]", Members::Only(&keep))
                .unwrap()
                .to_value(),
            serde_json::json!([1, "x"])
        );
    }

    #[test]
    fn record_checks() {
        let text = r#"{"id": "a:1", "source": "hpe_flex", "sourceId": "1",
            "kind": "order", "endDate": "2026-01-01", "extra": [1]}"#;
        let mut ok = read_row(text.as_bytes(), Members::All).unwrap();
        assert_eq!(check_record(&mut ok), Ok(()));
        assert_eq!(ok.to_value()["status"], "unknown");
        for (bad, member) in [
            (r#"{"a": 1}"#, "id"),
            (
                r#"{"id": "x", "source": "nope", "sourceId": "1", "kind": "order"}"#,
                "source",
            ),
            (
                r#"{"id": "x", "source": "fno_orders", "sourceId": "1", "kind": "order",
                    "endDate": "soon"}"#,
                "endDate",
            ),
            (
                r#"{"id": "x", "source": "fno_orders", "sourceId": "1", "kind": "order",
                    "partners": [{"role": "boss"}]}"#,
                "partners",
            ),
        ] {
            let mut bad = read_row(bad.as_bytes(), Members::All).unwrap();
            assert_eq!(check_record(&mut bad), Err(member.to_owned()));
        }
    }

    #[test]
    fn a_repeated_name_keeps_its_last_value() {
        let r = read_row(br#"{"a":1,"b":{"c":1,"c":2},"a":3}"#, Members::All).unwrap();
        assert_eq!(r.to_value(), serde_json::json!({"a": 3, "b": {"c": 2}}));
        let want: Json = serde_json::from_str(r#"{"a":1,"b":{"c":1,"c":2},"a":3}"#).unwrap();
        assert_eq!(r.to_value(), want);
    }
}
