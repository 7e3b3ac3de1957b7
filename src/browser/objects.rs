//! `runQuery` over an array of JavaScript objects without turning them into JSON text.
//!
//! The query names a few paths (`status`, `endDate`, `customer/name`); [`Spec`] is their
//! trie. `objects.js` walks the records in place along it and writes what JSON.stringify
//! would write for exactly those members into a tape (kinds and counts as `u32`s, numbers
//! as `f64`s, strings joined into one); [`Tape`] reads it back as [`JsonRef`] rows holding
//! only those members, and the engine runs over them as it does over JSON text. A path's
//! type depends only on the values at that path, so typing the projected rows types every
//! named path as typing whole rows would. The page's items are the caller's own objects
//! (or, with `select`, the selected paths), so nothing is copied per record.
//!
//! When a name does not resolve, the records go through the text reader instead
//! (`JSON.stringify`), so the error and its suggestion are exactly that reader's.

use std::borrow::Cow;

use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::filter::{Expr, ExprKind, Path};
use crate::query::json::{check_record, JsonLike, JsonRef, JsonSchema, RECORD_REQUIRED};
use crate::query::{select_paths, Query, Typing};

#[wasm_bindgen(module = "/src/browser/objects.js")]
extern "C" {
    /// Writes the tape of `records` along the spec (see `objects.js`):
    /// `[Uint32Array, Float64Array, Uint8Array]` (words, numbers, UTF-8 strings).
    #[wasm_bindgen(catch)]
    fn project(records: &Array, spec: &str) -> Result<Array, JsValue>;
}

/// Tape kinds (the low 3 bits of a word), as in `objects.js`.
const NULL: u32 = 0;
const FALSE: u32 = 1;
const TRUE: u32 = 2;
const NUM: u32 = 3;
const STR: u32 = 4;
const OBJ: u32 = 5;
const ARR: u32 = 6;
const KEY: u32 = 7;

/// Nesting the JS side allows (it throws beyond), checked again here.
const MAX_DEPTH: usize = 130;

/// The members to read: each named member either whole or further down.
#[derive(Debug, Default)]
pub struct Spec {
    members: Vec<(String, Option<Spec>)>,
}

impl Spec {
    /// The trie of every path `query` names; with `record` typing, the named top-level
    /// members whole (a Record's checks look at all of a member) plus a Record's required
    /// members. A path is followed while its segments are plain member names; from the
    /// first other segment (`$count`, `$filter(…)`, a key, a function, a cast, an
    /// annotation) its prefix is read whole. `None` when a path does not start at a
    /// member of the record (`$it`, `$root`, an alias): such a query runs over the text.
    pub fn of(query: &Query, typing: Typing) -> Option<Spec> {
        let mut s = Spec::default();
        let mut paths: Vec<&Path> = Vec::new();
        if let Some(f) = &query.filter {
            expr_paths(f, &mut paths);
        }
        paths.extend(query.sort.iter().map(|k| &k.path));
        paths.extend(&query.select);
        paths.extend(&query.group_by);
        for p in paths {
            let names: Vec<&str> = p
                .segments
                .iter()
                .take_while(|x| {
                    x.is_member() && !x.name.starts_with(['$', '@']) && !x.name.contains('.')
                })
                .map(|x| x.name.as_str())
                .collect();
            if names.is_empty() {
                return None;
            }
            match typing {
                Typing::Infer => s.add(&names),
                Typing::Record => s.add(names.get(..1).unwrap_or(&[])),
            }
        }
        if typing == Typing::Record {
            for r in RECORD_REQUIRED {
                s.add(&[r]);
            }
        }
        Some(s)
    }

    /// Adds a path (an empty path adds nothing); a path ending at a member takes it whole.
    fn add(&mut self, path: &[&str]) {
        let Some((head, rest)) = path.split_first() else {
            return;
        };
        let slot = match self.members.iter().position(|(n, _)| n == head) {
            Some(i) => i,
            None => {
                self.members
                    .push(((*head).to_owned(), Some(Spec::default())));
                self.members.len() - 1
            }
        };
        if let Some((_, sub)) = self.members.get_mut(slot) {
            match (rest.is_empty(), sub.as_mut()) {
                (true, _) => *sub = None,
                (false, Some(inner)) => inner.add(rest),
                (false, None) => {}
            }
        }
    }

    /// The spec as `objects.js` reads it, `[[id, name, sub|null], …]`, and the names by id.
    fn encode<'s>(&'s self, out: &mut String, names: &mut Vec<&'s str>) {
        out.push('[');
        for (i, (name, sub)) in self.members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            out.push_str(&names.len().to_string());
            out.push(',');
            out.push_str(&serde_json::to_string(name).unwrap_or_else(|_| "\"\"".to_owned()));
            out.push(',');
            names.push(name);
            match sub {
                Some(s) => s.encode(out, names),
                None => out.push_str("null"),
            }
            out.push(']');
        }
        out.push(']');
    }
}

fn expr_paths<'q>(e: &'q Expr, out: &mut Vec<&'q Path>) {
    // Recursion is bounded by the parser's nesting limit (`filter::MAX_DEPTH`).
    match &e.kind {
        ExprKind::Literal(_) => {}
        ExprKind::Path(p) => out.push(p),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_paths(lhs, out);
            expr_paths(rhs, out);
        }
        ExprKind::And(v) | ExprKind::Or(v) => v.iter().for_each(|x| expr_paths(x, out)),
        ExprKind::Not(x) | ExprKind::Neg(x) => expr_paths(x, out),
        ExprKind::In { lhs, list } => {
            expr_paths(lhs, out);
            list.iter().for_each(|x| expr_paths(x, out));
        }
        ExprKind::Call { args, .. } | ExprKind::Array(args) => {
            args.iter().for_each(|x| expr_paths(x, out))
        }
        ExprKind::Object(members) => members.iter().for_each(|m| expr_paths(&m.value, out)),
        ExprKind::Lambda {
            collection, body, ..
        } => {
            // The collection whole (arrays are always read whole); paths in the body that
            // start with the variable are inside it, others are ordinary paths (reading a
            // top-level member of the variable's name as well is harmless).
            out.push(collection);
            if let Some((_, b)) = body {
                expr_paths(b, out);
            }
        }
    }
}

/// Reads the tape back into rows.
struct Tape<'a> {
    words: &'a [u32],
    nums: &'a [f64],
    text: &'a str,
    names: &'a [&'a str],
    w: usize,
    n: usize,
    at: usize,
}

type Bad = &'static str;

impl<'a> Tape<'a> {
    fn word(&mut self) -> Result<u32, Bad> {
        let w = self
            .words
            .get(self.w)
            .copied()
            .ok_or("the tape ends early")?;
        self.w += 1;
        Ok(w)
    }

    /// The next string, `len` bytes of UTF-8.
    fn string(&mut self, len: usize) -> Result<&'a str, Bad> {
        let end = self.at.checked_add(len).ok_or("bad string length")?;
        let s = self.text.get(self.at..end).ok_or("bad string length")?;
        self.at = end;
        Ok(s)
    }

    fn value(&mut self, depth: usize) -> Result<JsonRef<'a>, Bad> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply");
        }
        let w = self.word()?;
        let count = (w >> 3) as usize;
        Ok(match w & 7 {
            NULL => JsonRef::Null,
            FALSE => JsonRef::Bool(false),
            TRUE => JsonRef::Bool(true),
            NUM => {
                let x = self
                    .nums
                    .get(self.n)
                    .copied()
                    .ok_or("the numbers end early")?;
                self.n += 1;
                crate::model::number_from_f64(x).map_or(JsonRef::Null, JsonRef::Number)
            }
            STR => JsonRef::Str(Cow::Borrowed(self.string(count)?)),
            ARR => {
                let mut out = Vec::with_capacity(count.min(self.words.len()));
                for _ in 0..count {
                    out.push(self.value(depth + 1)?);
                }
                JsonRef::Array(out)
            }
            OBJ => {
                let mut out = Vec::with_capacity(count.min(self.words.len()));
                for _ in 0..count {
                    let k = self.word()?;
                    if k & 7 != KEY {
                        return Err("a member without its name");
                    }
                    let name = if k & 8 != 0 {
                        *self.names.get((k >> 4) as usize).ok_or("bad name id")?
                    } else {
                        self.string((k >> 4) as usize)?
                    };
                    let v = self.value(depth + 1)?;
                    out.push((Cow::Borrowed(name), v));
                }
                JsonRef::Object(out)
            }
            _ => return Err("bad tape word"),
        })
    }
}

/// What [`run`] answers.
pub enum Outcome {
    /// The answer object.
    Done(JsValue),
    /// The query does not fit the projected rows: run it over the records' JSON text.
    Fallback,
    /// An error to throw (already a JS `Error`).
    Failed(JsValue),
}

fn set(o: &Object, name: &str, v: &JsValue) {
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(name), v);
}

/// Runs `query` over `records` (an array of objects). `records_error` turns a message
/// into the `records.invalid` error.
pub fn run(
    query: &Query,
    records: &Array,
    typing: Typing,
    now_ms: i64,
    records_error: impl Fn(&str) -> JsValue,
) -> Outcome {
    let Some(spec) = Spec::of(query, typing) else {
        return Outcome::Fallback;
    };
    let mut text = String::new();
    let mut names = Vec::new();
    spec.encode(&mut text, &mut names);
    let tape = match project(records, &text) {
        Ok(t) => t,
        Err(e) => {
            let msg = Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            return Outcome::Failed(records_error(&format!(
                "records are not an array of JSON objects: {msg}"
            )));
        }
    };
    let words = tape.get(0).dyn_into::<Uint32Array>().map(|a| a.to_vec());
    let nums = tape.get(1).dyn_into::<Float64Array>().map(|a| a.to_vec());
    let strings = tape.get(2).dyn_into::<Uint8Array>().map(|a| a.to_vec());
    let (Ok(words), Ok(nums), Ok(strings)) = (words, nums, strings) else {
        return Outcome::Failed(records_error("records could not be read"));
    };
    let Ok(strings) = std::str::from_utf8(&strings) else {
        return Outcome::Failed(records_error("records could not be read as UTF-8"));
    };
    let mut t = Tape {
        words: &words,
        nums: &nums,
        text: strings,
        names: &names,
        w: 0,
        n: 0,
        at: 0,
    };
    let len = records.length() as usize;
    let mut rows = Vec::with_capacity(len);
    for _ in 0..len {
        match t.value(1) {
            Ok(r) => rows.push(r),
            Err(m) => return Outcome::Failed(records_error(&format!("records: {m}"))),
        }
    }
    let plan = match typing {
        Typing::Record => {
            for (i, row) in rows.iter_mut().enumerate() {
                if let Err(m) = check_record(row) {
                    return Outcome::Failed(records_error(&format!(
                        "records are not an array of the expected objects: record {i}: `{m}` is not what a normalized record has there"
                    )));
                }
            }
            query.plan::<JsonRef<'_>>(JsonSchema::record(), now_ms)
        }
        Typing::Infer => query.plan::<JsonRef<'_>>(JsonSchema::infer(&rows), now_ms),
    };
    let Ok(plan) = plan else {
        return Outcome::Fallback;
    };
    let out = Object::new();
    if !query.group_by.is_empty() {
        let g = match plan.run_group(&rows) {
            Ok(g) => g,
            // More groups than a transform may count: the same error as over JSON text.
            Err(e) => {
                return Outcome::Failed(super::convert::plain_error(e.code(), &e.to_string()))
            }
        };
        let groups = serde_json::to_string(&g.groups).unwrap_or_else(|_| "[]".to_owned());
        let items = js_sys::JSON::parse(&groups).unwrap_or_else(|_| Array::new().into());
        set(&out, "items", &items);
        set(&out, "count", &JsValue::from_f64(g.count as f64));
        set(&out, "total", &JsValue::from_f64(g.total as f64));
        set(&out, "rows", &JsValue::from_f64(g.rows as f64));
        set(&out, "offset", &JsValue::from_f64(g.offset as f64));
        return Outcome::Done(out.into());
    }
    let (page, total) = plan.page(&rows);
    let items = if plan.has_select() {
        let selected: Vec<serde_json::Value> = page
            .iter()
            .filter_map(|&i| rows.get(i))
            .map(|r| select_paths(&JsonLike::to_value(r), plan.selected()))
            .collect();
        let text = serde_json::to_string(&selected).unwrap_or_else(|_| "[]".to_owned());
        js_sys::JSON::parse(&text).unwrap_or_else(|_| Array::new().into())
    } else {
        let a = Array::new_with_length(page.len() as u32);
        for (n, &i) in page.iter().enumerate() {
            a.set(n as u32, records.get(i as u32));
        }
        a.into()
    };
    set(&out, "items", &items);
    set(&out, "count", &JsValue::from_f64(page.len() as f64));
    set(&out, "total", &JsValue::from_f64(total as f64));
    set(&out, "offset", &JsValue::from_f64(plan.offset() as f64));
    Outcome::Done(out.into())
}
