//! The filter engine's [`Row`]/[`Schema`] seams for [`Record`] and for plain JSON objects.
//!
//! Record paths are the camelCase JSON names: `id`, `source`, `sourceId`, `kind`,
//! `orderRef`, `name`, `customer/id`, `customer/name`, `billingAccount/id`,
//! `billingAccount/name`, `contact/{name,email,phone,department}`, `status`, `startDate`,
//! `endDate`, `isPermanent`, `createdAt`, `updatedAt`, the collections `partners`
//! (`role`, `id`, `name`), `items` (`productName`, `productVersion`, `partNumber`,
//! `quantity`, `remaining`) and `devices` (`id`, `mac`, `serial`, `model`, `type`), and
//! `attributes/<name>` (dynamic, type `Any`). `source`, `kind`, `status` and partner
//! `role` are strings; dates are instants.
//!
//! JSON rows ([`serde_json::Value`] objects) are typed from the values by
//! [`JsonSchema::infer`]: a path whose non-null values are all strings that parse as
//! RFC 3339 dates or date-times is a date-time; mixed paths are `Any`.
//!
//! This module imports no I/O, no wasm and no `worker`.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{AttrValue, Kind, PartnerRole, Record, Source, Status, Timestamp};
use crate::filter::{FieldId, FieldInfo, FieldType, Resolved, Row, Schema, Value};

macro_rules! record_fields {
    ($($name:ident = $id:expr, $path:expr, $ty:ident, $coll:expr;)*) => {
        $(const $name: u32 = $id;)*
        /// (id, path, type, collection)
        const RECORD_FIELDS: &[(u32, &str, FieldType, Option<u32>)] = &[
            $(($id, $path, FieldType::$ty, $coll),)*
        ];
    };
}

record_fields! {
    F_ID = 0, "id", String, None;
    F_SOURCE = 1, "source", String, None;
    F_SOURCE_ID = 2, "sourceId", String, None;
    F_KIND = 3, "kind", String, None;
    F_ORDER_REF = 4, "orderRef", String, None;
    F_NAME = 5, "name", String, None;
    F_CUSTOMER_ID = 6, "customer/id", String, None;
    F_CUSTOMER_NAME = 7, "customer/name", String, None;
    F_BILLING_ID = 8, "billingAccount/id", String, None;
    F_BILLING_NAME = 9, "billingAccount/name", String, None;
    F_CONTACT_NAME = 10, "contact/name", String, None;
    F_CONTACT_EMAIL = 11, "contact/email", String, None;
    F_CONTACT_PHONE = 12, "contact/phone", String, None;
    F_CONTACT_DEPT = 13, "contact/department", String, None;
    F_STATUS = 14, "status", String, None;
    F_START = 15, "startDate", DateTime, None;
    F_END = 16, "endDate", DateTime, None;
    F_PERMANENT = 17, "isPermanent", Bool, None;
    F_CREATED = 18, "createdAt", DateTime, None;
    F_UPDATED = 19, "updatedAt", DateTime, None;
    C_PARTNERS = 20, "partners", Any, None;
    F_PARTNER_ROLE = 21, "partners/role", String, Some(C_PARTNERS);
    F_PARTNER_ID = 22, "partners/id", String, Some(C_PARTNERS);
    F_PARTNER_NAME = 23, "partners/name", String, Some(C_PARTNERS);
    C_ITEMS = 24, "items", Any, None;
    F_ITEM_PRODUCT = 25, "items/productName", String, Some(C_ITEMS);
    F_ITEM_VERSION = 26, "items/productVersion", String, Some(C_ITEMS);
    F_ITEM_PART = 27, "items/partNumber", String, Some(C_ITEMS);
    F_ITEM_QTY = 28, "items/quantity", Number, Some(C_ITEMS);
    F_ITEM_REMAINING = 29, "items/remaining", Number, Some(C_ITEMS);
    C_DEVICES = 30, "devices", Any, None;
    F_DEVICE_ID = 31, "devices/id", String, Some(C_DEVICES);
    F_DEVICE_MAC = 32, "devices/mac", String, Some(C_DEVICES);
    F_DEVICE_SERIAL = 33, "devices/serial", String, Some(C_DEVICES);
    F_DEVICE_MODEL = 34, "devices/model", String, Some(C_DEVICES);
    F_DEVICE_TYPE = 35, "devices/type", String, Some(C_DEVICES);
}

/// Attribute field ids start here (index into [`RecordSchema`]'s attribute names).
const ATTR_BASE: u32 = 1000;

/// The schema of [`Record`]: fixed fields plus `attributes/<name>` registered on use.
#[derive(Debug, Clone, Default)]
pub struct RecordSchema {
    attrs: Vec<String>,
}

impl Schema for RecordSchema {
    fn resolve(&mut self, path: &[&str]) -> Option<Resolved> {
        if let ["attributes", name] = path {
            let idx = match self.attrs.iter().position(|a| a == name) {
                Some(i) => i,
                None => {
                    if self.attrs.len() >= 256 {
                        return None;
                    }
                    self.attrs.push((*name).to_owned());
                    self.attrs.len() - 1
                }
            };
            return Some(Resolved::Field(FieldInfo {
                id: FieldId(ATTR_BASE + u32::try_from(idx).ok()?),
                ty: FieldType::Any,
                collection: None,
            }));
        }
        let joined = path.join("/");
        let &(id, _, ty, coll) = RECORD_FIELDS.iter().find(|(_, p, ..)| *p == joined)?;
        if matches!(id, C_PARTNERS | C_ITEMS | C_DEVICES) {
            return Some(Resolved::Collection {
                id: FieldId(id),
                element: None,
            });
        }
        Some(Resolved::Field(FieldInfo {
            id: FieldId(id),
            ty,
            collection: coll.map(FieldId),
        }))
    }

    fn symbol(&self, field: FieldId, text: &str) -> Option<Option<u32>> {
        Some(match field.0 {
            F_SOURCE => code_of(&Source::ALL, Source::as_str, |v| v as u32, text),
            F_KIND => code_of(&Kind::ALL, Kind::as_str, |v| v as u32, text),
            F_STATUS => code_of(&Status::ALL, Status::as_str, |v| v as u32, text),
            F_PARTNER_ROLE => code_of(&PartnerRole::ALL, PartnerRole::as_str, |v| v as u32, text),
            _ => return None,
        })
    }

    fn field_names(&self) -> Vec<String> {
        RECORD_FIELDS
            .iter()
            .map(|(_, p, ..)| (*p).to_owned())
            .chain(["attributes".to_owned()])
            .collect()
    }
}

/// The code (`code(v)`, the enum discriminant) of the variant spelled `text`.
fn code_of<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    code: fn(T) -> u32,
    text: &str,
) -> Option<u32> {
    all.iter().find(|v| name(**v) == text).map(|v| code(*v))
}

#[inline]
fn opt(s: &Option<String>) -> Value<'_> {
    match s {
        Some(s) => Value::Str(s),
        None => Value::Null,
    }
}

#[inline]
fn ts(t: Option<Timestamp>) -> Value<'static> {
    match t {
        Some(t) => Value::DateTime(t.0),
        None => Value::Null,
    }
}

#[inline]
fn num(n: Option<f64>) -> Value<'static> {
    match n {
        Some(n) => Value::Number(n),
        None => Value::Null,
    }
}

impl Row for Record {
    type Schema = RecordSchema;

    #[inline]
    fn get<'a>(&'a self, schema: &RecordSchema, field: FieldId) -> Value<'a> {
        match field.0 {
            F_ID => Value::Str(&self.id),
            F_SOURCE => Value::Str(self.source.as_str()),
            F_SOURCE_ID => Value::Str(&self.source_id),
            F_KIND => Value::Str(self.kind.as_str()),
            F_ORDER_REF => opt(&self.order_ref),
            F_NAME => opt(&self.name),
            F_CUSTOMER_ID => self.customer.as_ref().map_or(Value::Null, |p| opt(&p.id)),
            F_CUSTOMER_NAME => self.customer.as_ref().map_or(Value::Null, |p| opt(&p.name)),
            F_BILLING_ID => self
                .billing_account
                .as_ref()
                .map_or(Value::Null, |p| opt(&p.id)),
            F_BILLING_NAME => self
                .billing_account
                .as_ref()
                .map_or(Value::Null, |p| opt(&p.name)),
            F_CONTACT_NAME => self.contact.as_ref().map_or(Value::Null, |c| opt(&c.name)),
            F_CONTACT_EMAIL => self.contact.as_ref().map_or(Value::Null, |c| opt(&c.email)),
            F_CONTACT_PHONE => self.contact.as_ref().map_or(Value::Null, |c| opt(&c.phone)),
            F_CONTACT_DEPT => self
                .contact
                .as_ref()
                .map_or(Value::Null, |c| opt(&c.department)),
            F_STATUS => Value::Str(self.status.as_str()),
            F_START => ts(self.start_date),
            F_END => ts(self.end_date),
            F_PERMANENT => self.is_permanent.map_or(Value::Null, Value::Bool),
            F_CREATED => ts(self.created_at),
            F_UPDATED => ts(self.updated_at),
            id if id >= ATTR_BASE => {
                let name = usize::try_from(id - ATTR_BASE)
                    .ok()
                    .and_then(|i| schema.attrs.get(i));
                match name.and_then(|n| self.attributes.get(n)) {
                    Some(AttrValue::Bool(b)) => Value::Bool(*b),
                    Some(AttrValue::Number(n)) => Value::Number(*n),
                    Some(AttrValue::Text(t)) => Value::Str(t),
                    None => Value::Null,
                }
            }
            _ => Value::Null,
        }
    }

    #[inline]
    fn symbol(&self, _: &RecordSchema, field: FieldId) -> Option<u32> {
        match field.0 {
            F_SOURCE => Some(self.source as u32),
            F_KIND => Some(self.kind as u32),
            F_STATUS => Some(self.status as u32),
            _ => None,
        }
    }

    #[inline]
    fn symbol_at(&self, _: &RecordSchema, field: FieldId, index: usize) -> Option<u32> {
        match field.0 {
            F_PARTNER_ROLE => self.partners.get(index).map(|p| p.role as u32),
            _ => None,
        }
    }

    #[inline]
    fn len(&self, _: &RecordSchema, collection: FieldId) -> usize {
        match collection.0 {
            C_PARTNERS => self.partners.len(),
            C_ITEMS => self.items.len(),
            C_DEVICES => self.devices.len(),
            _ => 0,
        }
    }

    #[inline]
    fn get_at<'a>(&'a self, _: &RecordSchema, field: FieldId, index: usize) -> Value<'a> {
        match field.0 {
            F_PARTNER_ROLE..=F_PARTNER_NAME => match self.partners.get(index) {
                Some(p) => match field.0 {
                    F_PARTNER_ROLE => Value::Str(p.role.as_str()),
                    F_PARTNER_ID => opt(&p.id),
                    _ => opt(&p.name),
                },
                None => Value::Null,
            },
            F_ITEM_PRODUCT..=F_ITEM_REMAINING => match self.items.get(index) {
                Some(i) => match field.0 {
                    F_ITEM_PRODUCT => opt(&i.product_name),
                    F_ITEM_VERSION => opt(&i.product_version),
                    F_ITEM_PART => opt(&i.part_number),
                    F_ITEM_QTY => num(i.quantity),
                    _ => num(i.remaining),
                },
                None => Value::Null,
            },
            F_DEVICE_ID..=F_DEVICE_TYPE => match self.devices.get(index) {
                Some(d) => match field.0 {
                    F_DEVICE_ID => opt(&d.id),
                    F_DEVICE_MAC => opt(&d.mac),
                    F_DEVICE_SERIAL => opt(&d.serial),
                    F_DEVICE_MODEL => opt(&d.model),
                    _ => opt(&d.device_type),
                },
                None => Value::Null,
            },
            _ => Value::Null,
        }
    }

    fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

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
/// fixed to the fields of a normalized [`Record`] ([`JsonSchema::record`]).
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
        Value::Str(s) if Timestamp::parse_opt(s).is_some() => Some(FieldType::DateTime),
        Value::Str(_) => Some(FieldType::String),
        Value::DateTime(_) => Some(FieldType::DateTime),
    }
}

/// A JSON value the JSON rows engine can read: [`serde_json::Value`], or the reader's
/// borrowed [`JsonRef`](super::json_read::JsonRef).
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
    /// The schema of normalized [`Record`]s read as JSON rows: the same paths, types and
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

/// Implements [`Row`] for a [`JsonLike`] type with the [`JsonSchema`].
macro_rules! json_row {
    ($($t:ty),*) => {$(
        impl Row for $t {
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
    )*};
}

json_row!(Json, super::json_read::JsonRef<'_>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Partner;

    /// The symbol codes agree with the strings `get` gives, for every variant, so that
    /// comparing codes and comparing strings always give the same answer.
    #[test]
    fn symbols_agree_with_strings() {
        let mut schema = RecordSchema::default();
        let field = |schema: &mut RecordSchema, path: &[&str]| match schema.resolve(path) {
            Some(Resolved::Field(f)) => f.id,
            other => panic!("{path:?}: {other:?}"),
        };
        let (source, kind, status, role) = (
            field(&mut schema, &["source"]),
            field(&mut schema, &["kind"]),
            field(&mut schema, &["status"]),
            field(&mut schema, &["partners", "role"]),
        );
        let mut checked = 0;
        for s in Source::ALL {
            for k in Kind::ALL {
                for st in Status::ALL {
                    for r in PartnerRole::ALL {
                        let mut rec = Record::new(s, "x", k);
                        rec.status = st;
                        rec.partners.push(Partner {
                            role: r,
                            id: None,
                            name: None,
                        });
                        for f in [source, kind, status] {
                            let Value::Str(text) = rec.get(&schema, f) else {
                                panic!("{f:?} is not a string")
                            };
                            assert_eq!(schema.symbol(f, text), Some(rec.symbol(&schema, f)));
                        }
                        let Value::Str(text) = rec.get_at(&schema, role, 0) else {
                            panic!("role is not a string")
                        };
                        assert_eq!(
                            schema.symbol(role, text),
                            Some(rec.symbol_at(&schema, role, 0))
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 4 * 6 * 4);
        assert_eq!(schema.symbol(status, "Active"), Some(None));
        let name = field(&mut schema, &["name"]);
        assert_eq!(schema.symbol(name, "x"), None);
        assert!(Status::ALL.iter().all(|s| (*s as u32) < 64));
    }
}
