//! Plain JSON objects as rows of the filter engine: [`JsonSchema`] types the paths (from the
//! values, [`JsonSchema::infer`], or as flexedge's normalized records,
//! [`JsonSchema::record`]) and every [`JsonLike`] value ([`serde_json::Value`], the reader's
//! borrowed `JsonRef`) is a [`Row`] of it.
//!
//! A path whose non-null values are all strings that parse as RFC 3339 dates or date-times
//! is a date-time; mixed paths are `Any`.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::filter::temporal::instant_ms;
use crate::filter::{FieldId, FieldInfo, FieldType, Resolved, Row, Schema, Value};
use crate::model::row::{C_DEVICES, C_ITEMS, C_PARTNERS, RECORD_FIELDS};
use crate::model::RecordSchema;

/// Most fields of [`JsonSchema::record`]: the Record's plus 256 attributes (as
/// [`RecordSchema`] allows).
const ATTR_LIMIT: usize = RECORD_FIELDS.len() + 256;

/// How deep [`JsonSchema::infer`] looks into nested objects.
const JSON_MAX_DEPTH: usize = 8;
/// Most distinct paths [`JsonSchema::infer`] records.
const JSON_MAX_PATHS: usize = 4096;

#[derive(Debug, Clone)]
struct JsonField {
    path: Vec<String>,
    ty: FieldType,
    /// Index of the collection field and the path inside its elements.
    collection: Option<(u32, Vec<String>)>,
    is_collection: bool,
    /// For collections of scalars: the id of the element field.
    scalar_element: Option<u32>,
}

/// A schema for plain JSON object rows, typed from the values ([`JsonSchema::infer`]) or
/// fixed to the fields of a normalized [`Record`](crate::model::Record) ([`JsonSchema::record`]).
#[derive(Debug, Clone, Default)]
pub struct JsonSchema {
    fields: Vec<JsonField>,
    by_path: BTreeMap<String, u32>,
    /// The Record's fields: `attributes/<name>` registered on use, names fixed.
    record: bool,
}

fn json_type(v: Value<'_>) -> Option<FieldType> {
    match v {
        Value::Null => None,
        Value::Bool(_) => Some(FieldType::Bool),
        Value::Number(_) => Some(FieldType::Number),
        Value::Str(s) if instant_ms(s).is_some() => Some(FieldType::DateTime),
        Value::Str(_) => Some(FieldType::String),
        Value::DateTime(_) => Some(FieldType::DateTime),
    }
}

/// A JSON value the JSON rows engine can read: [`serde_json::Value`], or the reader's
/// borrowed [`JsonRef`](super::JsonRef).
pub trait JsonLike: Sized {
    /// The members of an object, in order.
    type Members<'a>: Iterator<Item = (&'a str, &'a Self)>
    where
        Self: 'a;

    /// What the value is.
    fn node(&self) -> Node<'_, Self>;

    /// The member `name` of an object (the last one, should a name repeat).
    fn member(&self, name: &str) -> Option<&Self>;

    /// The value as serde_json's.
    fn to_value(&self) -> Json;
}

/// One JSON value seen through [`JsonLike`].
pub enum Node<'a, T: JsonLike + 'a> {
    /// An object's members.
    Object(T::Members<'a>),
    /// An array's elements.
    Array(&'a [T]),
    /// `null`, a boolean, a number or a string.
    Scalar(Value<'a>),
}

fn json_member<'a>((k, v): (&'a String, &'a Json)) -> (&'a str, &'a Json) {
    (k.as_str(), v)
}

impl JsonLike for Json {
    type Members<'a> = std::iter::Map<
        serde_json::map::Iter<'a>,
        fn((&'a String, &'a Json)) -> (&'a str, &'a Json),
    >;

    fn node(&self) -> Node<'_, Self> {
        match self {
            Json::Object(m) => Node::Object(m.iter().map(json_member as _)),
            Json::Array(a) => Node::Array(a),
            Json::Null => Node::Scalar(Value::Null),
            Json::Bool(b) => Node::Scalar(Value::Bool(*b)),
            Json::Number(n) => Node::Scalar(n.as_f64().map_or(Value::Null, Value::Number)),
            Json::String(s) => Node::Scalar(Value::Str(s)),
        }
    }

    fn member(&self, name: &str) -> Option<&Self> {
        self.as_object()?.get(name)
    }

    fn to_value(&self) -> Json {
        self.clone()
    }
}

fn merge(a: Option<FieldType>, b: Option<FieldType>) -> Option<FieldType> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) if x == y => Some(x),
        (Some(FieldType::DateTime), Some(FieldType::String))
        | (Some(FieldType::String), Some(FieldType::DateTime)) => Some(FieldType::String),
        _ => Some(FieldType::Any),
    }
}

/// The walk's cursor: the current path as segments and as its `/`-joined key, both
/// pushed and popped in place so that looking up a known path allocates nothing.
struct Cursor<'a> {
    path: Vec<&'a str>,
    key: String,
    types: Vec<Option<FieldType>>,
}

impl<'a> Cursor<'a> {
    /// Appends a segment; returns the key length to restore with [`Cursor::pop`].
    fn push(&mut self, seg: &'a str) -> usize {
        let at = self.key.len();
        if !self.path.is_empty() {
            self.key.push('/');
        }
        self.key.push_str(seg);
        self.path.push(seg);
        at
    }

    fn pop(&mut self, at: usize) {
        self.key.truncate(at);
        self.path.pop();
    }
}

impl JsonSchema {
    /// The schema of normalized [`Record`](crate::model::Record)s read as JSON rows: the same paths, types and
    /// collections as [`RecordSchema`] (every field known even when no row has it;
    /// `attributes/<name>` of type `Any`). Dates stay text in the rows and are compared
    /// as instants, as for inferred date-time paths.
    pub fn record() -> Self {
        let mut s = JsonSchema {
            record: true,
            ..JsonSchema::default()
        };
        for &(id, path, ty, coll) in RECORD_FIELDS {
            let segs: Vec<String> = path.split('/').map(str::to_owned).collect();
            let collection = coll.map(|c| (c, segs.get(1..).unwrap_or(&[]).to_vec()));
            s.by_path.insert(path.to_owned(), id);
            s.fields.push(JsonField {
                path: segs,
                ty,
                collection,
                is_collection: matches!(id, C_PARTNERS | C_ITEMS | C_DEVICES),
                scalar_element: None,
            });
        }
        s
    }

    /// Infers paths and types from sample rows (typically all of them). Non-object rows
    /// are ignored.
    pub fn infer<'a, T: JsonLike + 'a>(rows: impl IntoIterator<Item = &'a T>) -> Self {
        let mut s = JsonSchema::default();
        let mut cur = Cursor {
            path: Vec::new(),
            key: String::new(),
            types: Vec::new(),
        };
        for row in rows {
            if let Node::Object(m) = row.node() {
                s.walk::<T>(m, None, 0, &mut cur);
            }
        }
        for (f, t) in s.fields.iter_mut().zip(cur.types) {
            if !f.is_collection {
                f.ty = t.unwrap_or(FieldType::Any);
            }
        }
        s
    }

    /// The id of the cursor's path, registering it (inside collection `coll`, whose own
    /// path has `at` segments) on first sight.
    fn field(&mut self, cur: &mut Cursor<'_>, coll: Option<(u32, usize)>) -> Option<u32> {
        if let Some(&id) = self.by_path.get(cur.key.as_str()) {
            return Some(id);
        }
        if self.fields.len() >= JSON_MAX_PATHS {
            return None;
        }
        let id = u32::try_from(self.fields.len()).ok()?;
        let owned = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        self.fields.push(JsonField {
            path: owned(&cur.path),
            ty: FieldType::Any,
            collection: coll.map(|(c, at)| (c, owned(cur.path.get(at..).unwrap_or(&[])))),
            is_collection: false,
            scalar_element: None,
        });
        cur.types.push(None);
        self.by_path.insert(cur.key.clone(), id);
        Some(id)
    }

    fn walk<'a, T: JsonLike + 'a>(
        &mut self,
        m: T::Members<'a>,
        coll: Option<(u32, usize)>,
        depth: usize,
        cur: &mut Cursor<'a>,
    ) {
        if depth >= JSON_MAX_DEPTH {
            return;
        }
        for (k, v) in m {
            let mark = cur.push(k);
            match v.node() {
                Node::Object(inner) => {
                    self.walk::<T>(inner, coll, depth + 1, cur);
                }
                Node::Array(items) if coll.is_none() => {
                    let Some(cid) = self.field(cur, None) else {
                        cur.pop(mark);
                        return;
                    };
                    if let Some(f) = self.fields.get_mut(cid as usize) {
                        f.is_collection = true;
                    }
                    let at = cur.path.len();
                    for it in items {
                        match it.node() {
                            Node::Object(inner) => {
                                self.walk::<T>(inner, Some((cid, at)), depth + 1, cur)
                            }
                            Node::Array(_) => {}
                            Node::Scalar(scalar) => {
                                let inner = cur.push("");
                                // The element's own path inside the collection is empty.
                                if let Some(eid) = self.field(cur, Some((cid, at + 1))) {
                                    if let Some(f) = self.fields.get_mut(cid as usize) {
                                        f.scalar_element = Some(eid);
                                    }
                                    if let Some(t) = cur.types.get_mut(eid as usize) {
                                        *t = merge(*t, json_type(scalar));
                                    }
                                }
                                cur.pop(inner);
                            }
                        }
                    }
                }
                Node::Array(_) => {} // arrays inside collection elements: not addressable
                Node::Scalar(scalar) => {
                    if let Some(id) = self.field(cur, coll) {
                        if let Some(t) = cur.types.get_mut(id as usize) {
                            *t = merge(*t, json_type(scalar));
                        }
                    }
                }
            }
            cur.pop(mark);
        }
    }

    fn info(&self, id: u32) -> Option<&JsonField> {
        self.fields.get(id as usize)
    }
}

impl Schema for JsonSchema {
    fn resolve(&mut self, path: &[&str]) -> Option<Resolved> {
        let joined = path.join("/");
        let id = match self.by_path.get(&joined) {
            Some(&id) => id,
            None => match path {
                ["attributes", name] if self.record && self.fields.len() < ATTR_LIMIT => {
                    let id = u32::try_from(self.fields.len()).ok()?;
                    self.fields.push(JsonField {
                        path: vec!["attributes".to_owned(), (*name).to_owned()],
                        ty: FieldType::Any,
                        collection: None,
                        is_collection: false,
                        scalar_element: None,
                    });
                    self.by_path.insert(joined, id);
                    id
                }
                _ => return None,
            },
        };
        let f = self.info(id)?;
        if f.is_collection {
            let element = f.scalar_element.and_then(|e| {
                self.info(e).map(|ef| FieldInfo {
                    id: FieldId(e),
                    ty: ef.ty,
                    collection: Some(FieldId(id)),
                })
            });
            return Some(Resolved::Collection {
                id: FieldId(id),
                element,
            });
        }
        if f.path.last().is_some_and(String::is_empty) {
            return None;
        }
        Some(Resolved::Field(FieldInfo {
            id: FieldId(id),
            ty: f.ty,
            collection: f.collection.as_ref().map(|(c, _)| FieldId(*c)),
        }))
    }

    fn field_names(&self) -> Vec<String> {
        if self.record {
            return RecordSchema::default().field_names();
        }
        self.by_path
            .keys()
            .filter(|k| !k.ends_with('/') && !k.is_empty())
            .cloned()
            .collect()
    }
}

fn walk_path<'a, T: JsonLike>(mut v: &'a T, path: &[String]) -> Option<&'a T> {
    for seg in path {
        if seg.is_empty() {
            continue;
        }
        v = v.member(seg)?;
    }
    Some(v)
}

fn json_value<T: JsonLike>(v: Option<&T>) -> Value<'_> {
    match v.map(JsonLike::node) {
        Some(Node::Scalar(Value::DateTime(_)) | Node::Object(_) | Node::Array(_)) | None => {
            Value::Null
        }
        Some(Node::Scalar(s)) => s,
    }
}

fn json_get<'a, T: JsonLike>(row: &'a T, schema: &JsonSchema, field: FieldId) -> Value<'a> {
    match schema.info(field.0) {
        Some(f) => json_value(walk_path(row, &f.path)),
        None => Value::Null,
    }
}

fn json_len<T: JsonLike>(row: &T, schema: &JsonSchema, collection: FieldId) -> usize {
    match schema
        .info(collection.0)
        .and_then(|f| walk_path(row, &f.path))
        .map(JsonLike::node)
    {
        Some(Node::Array(a)) => a.len(),
        _ => 0,
    }
}

fn json_get_at<'a, T: JsonLike>(
    row: &'a T,
    schema: &JsonSchema,
    field: FieldId,
    index: usize,
) -> Value<'a> {
    let Some(f) = schema.info(field.0) else {
        return Value::Null;
    };
    let Some((cid, rel)) = &f.collection else {
        return Value::Null;
    };
    let arr = schema.info(*cid).and_then(|c| walk_path(row, &c.path));
    let elem = match arr.map(JsonLike::node) {
        Some(Node::Array(a)) => a.get(index),
        _ => None,
    };
    json_value(elem.and_then(|e| walk_path(e, rel)))
}

/// Every [`JsonLike`] value ([`serde_json::Value`], the reader's borrowed rows) is a row
/// of the [`JsonSchema`].
impl<T: JsonLike> Row for T {
    type Schema = JsonSchema;

    fn get<'a>(&'a self, schema: &JsonSchema, field: FieldId) -> Value<'a> {
        json_get(self, schema, field)
    }

    fn len(&self, schema: &JsonSchema, collection: FieldId) -> usize {
        json_len(self, schema, collection)
    }

    fn get_at<'a>(&'a self, schema: &JsonSchema, field: FieldId, index: usize) -> Value<'a> {
        json_get_at(self, schema, field, index)
    }

    fn to_json(&self) -> Json {
        self.to_value()
    }
}
