//! Writes a [`Record`] as JSON in one pass, optionally projected by `select` paths, with
//! exactly the bytes of the slower route through [`serde_json::Value`]: members in sorted
//! key order at every level (serde_json's `Map` is a `BTreeMap`), absent values left out,
//! and a projection with the semantics of the pipeline's `select_paths` (a path through an
//! array selects from every element; a path through a scalar selects nothing; an object
//! whose selected members are all absent is written as `{}`; a test in `query::select`
//! compares the two byte for byte). The one exception is `raw`, the vendor's object: it
//! is written as the text the vendor sent (its member order and spelling), and only a
//! projection into it reads it into a tree.
//!
//! The response envelope writes its rows with [`Projected`] instead of building a
//! `serde_json::Value` per row and serializing that: no per-row maps, no copied strings.
//!
//! This module imports no I/O, no wasm and no `worker`.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use super::{
    AttrValue, Contact, Device, Item, Number, Partner, Party, RawJson, Record, Status, Timestamp,
};

/// Which members of a JSON object to write: all of them, or the named ones (each with its
/// own projection). Built once per request from the `select` paths.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Projection {
    /// Everything.
    #[default]
    All,
    /// Only these members (unsorted; looked up by name).
    Fields(Vec<(String, Projection)>),
}

impl Projection {
    /// The projection of `paths` (segment lists); no paths means [`Projection::All`]. A path
    /// that ends at a member selects the whole member; overlapping paths are united.
    pub fn from_paths(paths: &[Vec<String>]) -> Projection {
        if paths.is_empty() {
            return Projection::All;
        }
        let mut root = Projection::Fields(Vec::new());
        for p in paths {
            root.add(p);
        }
        root
    }

    /// Adds one path (iterative; the query checker bounds a path's depth, and with it the
    /// depth of the projection and of the writer's recursion into it).
    fn add(&mut self, path: &[String]) {
        let mut node = self;
        for (i, seg) in path.iter().enumerate() {
            let Projection::Fields(fields) = node else {
                return; // already everything
            };
            let last = i + 1 == path.len();
            let at = match fields.iter().position(|(k, _)| k == seg) {
                Some(at) => at,
                None => {
                    fields.push((seg.clone(), Projection::Fields(Vec::new())));
                    fields.len() - 1
                }
            };
            let Some((_, child)) = fields.get_mut(at) else {
                return;
            };
            if last {
                *child = Projection::All;
                return;
            }
            node = child;
        }
    }

    /// The projection of member `key`, or `None` when it is not selected.
    fn member(&self, key: &str) -> Option<&Projection> {
        match self {
            Projection::All => Some(&Projection::All),
            Projection::Fields(f) => f.iter().find(|(k, _)| k == key).map(|(_, p)| p),
        }
    }
}

/// A value as the JSON of a record member: how it is shaped and how it is written under
/// a projection.
trait Member {
    /// Whether the member is written at all (`None`, empty lists and maps are absent).
    fn present(&self) -> bool {
        true
    }
    /// Whether it is a JSON scalar (a projection into it selects nothing).
    fn scalar(&self) -> bool {
        true
    }
    /// Writes the member under `p` (scalars are only asked with [`Projection::All`]).
    fn write<S: Serializer>(&self, p: &Projection, s: S) -> Result<S::Ok, S::Error>;
}

/// A member and its projection, as a [`Serialize`] value.
struct With<'a, M: ?Sized>(&'a M, &'a Projection);

impl<M: Member + ?Sized> Serialize for With<'_, M> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.write(self.1, s)
    }
}

/// Writes member `key` of an object under projection `p`, if selected and present.
fn entry<M: SerializeMap, V: Member + ?Sized>(
    map: &mut M,
    p: &Projection,
    key: &str,
    v: &V,
) -> Result<(), M::Error> {
    let Some(sub) = p.member(key) else {
        return Ok(());
    };
    if !v.present() || (v.scalar() && *sub != Projection::All) {
        return Ok(());
    }
    map.serialize_entry(key, &With(v, sub))
}

macro_rules! scalar_member {
    ($($t:ty),*) => {$(
        impl Member for $t {
            fn write<S: Serializer>(&self, _: &Projection, s: S) -> Result<S::Ok, S::Error> {
                self.serialize(s)
            }
        }
    )*};
}

scalar_member!(str, bool, Number, Timestamp, AttrValue, Status);

impl<T: Member> Member for Option<T> {
    fn present(&self) -> bool {
        self.as_ref().is_some_and(Member::present)
    }
    fn scalar(&self) -> bool {
        self.as_ref().is_none_or(Member::scalar)
    }
    fn write<S: Serializer>(&self, p: &Projection, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => v.write(p, s),
            None => s.serialize_none(),
        }
    }
}

impl Member for String {
    fn write<S: Serializer>(&self, _: &Projection, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

/// Arrays: every element under the same projection. An element that is not an object
/// becomes `{}` under a partial projection, as in `select_paths`.
impl<T: Member> Member for Vec<T> {
    fn present(&self) -> bool {
        !self.is_empty()
    }
    fn scalar(&self) -> bool {
        false
    }
    fn write<S: Serializer>(&self, p: &Projection, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for v in self {
            if *p != Projection::All && v.scalar() {
                seq.serialize_element(&EmptyObject)?;
            } else {
                seq.serialize_element(&With(v, p))?;
            }
        }
        seq.end()
    }
}

struct EmptyObject;

impl Serialize for EmptyObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_map(Some(0))?.end()
    }
}

impl Member for BTreeMap<String, AttrValue> {
    fn present(&self) -> bool {
        !self.is_empty()
    }
    fn scalar(&self) -> bool {
        false
    }
    fn write<S: Serializer>(&self, p: &Projection, s: S) -> Result<S::Ok, S::Error> {
        // A BTreeMap's order is the byte order of its keys, as serde_json's `Map`.
        let mut m = s.serialize_map(None)?;
        for (k, v) in self {
            entry(&mut m, p, k, v)?;
        }
        m.end()
    }
}

/// The vendor's text as it arrived when all of it is selected; a projection into it reads
/// it into a tree first (the `select=raw/…` case only).
impl Member for RawJson {
    fn scalar(&self) -> bool {
        !self.get().trim_start().starts_with(['{', '['])
    }
    fn write<S: Serializer>(&self, p: &Projection, s: S) -> Result<S::Ok, S::Error> {
        match p {
            Projection::All => self.serialize(s),
            Projection::Fields(_) => self.to_value().write(p, s),
        }
    }
}

impl Member for Json {
    fn present(&self) -> bool {
        true
    }
    fn scalar(&self) -> bool {
        !matches!(self, Json::Object(_) | Json::Array(_))
    }
    fn write<S: Serializer>(&self, p: &Projection, s: S) -> Result<S::Ok, S::Error> {
        match (self, p) {
            (_, Projection::All) => self.serialize(s),
            (Json::Object(o), _) => {
                let mut m = s.serialize_map(None)?;
                for (k, v) in o {
                    entry(&mut m, p, k, v)?;
                }
                m.end()
            }
            (Json::Array(a), _) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    if matches!(v, Json::Object(_)) {
                        seq.serialize_element(&With(v, p))?;
                    } else {
                        seq.serialize_element(&EmptyObject)?;
                    }
                }
                seq.end()
            }
            _ => self.serialize(s),
        }
    }
}

/// An object type: its members written with `entry` in sorted key order.
macro_rules! object_member {
    ($t:ty, |$this:ident, $m:ident, $p:ident| $body:block) => {
        impl Member for $t {
            fn scalar(&self) -> bool {
                false
            }
            fn write<S: Serializer>(&self, $p: &Projection, s: S) -> Result<S::Ok, S::Error> {
                let $this = self;
                let mut $m = s.serialize_map(None)?;
                $body
                $m.end()
            }
        }
    };
}

// Keys below are in byte order, as serde_json's `Map` writes them.
object_member!(Party, |r, m, p| {
    entry(&mut m, p, "id", &r.id)?;
    entry(&mut m, p, "name", &r.name)?;
});

object_member!(Partner, |r, m, p| {
    entry(&mut m, p, "id", &r.id)?;
    entry(&mut m, p, "name", &r.name)?;
    entry(&mut m, p, "role", r.role.as_str())?;
    entry(&mut m, p, "tier", &r.tier)?;
});

object_member!(Contact, |r, m, p| {
    entry(&mut m, p, "department", &r.department)?;
    entry(&mut m, p, "email", &r.email)?;
    entry(&mut m, p, "name", &r.name)?;
    entry(&mut m, p, "phone", &r.phone)?;
});

object_member!(Item, |r, m, p| {
    entry(&mut m, p, "activationId", &r.activation_id)?;
    entry(&mut m, p, "endDate", &r.end_date)?;
    entry(&mut m, p, "orderType", &r.order_type)?;
    entry(&mut m, p, "partNumber", &r.part_number)?;
    entry(&mut m, p, "productName", &r.product_name)?;
    entry(&mut m, p, "productVersion", &r.product_version)?;
    entry(&mut m, p, "quantity", &r.quantity)?;
    entry(&mut m, p, "remaining", &r.remaining)?;
    entry(&mut m, p, "startDate", &r.start_date)?;
    entry(&mut m, p, "status", &r.status)?;
});

object_member!(Device, |r, m, p| {
    entry(&mut m, p, "id", &r.id)?;
    entry(&mut m, p, "mac", &r.mac)?;
    entry(&mut m, p, "model", &r.model)?;
    entry(&mut m, p, "serial", &r.serial)?;
    entry(&mut m, p, "type", &r.device_type)?;
});

object_member!(Record, |r, m, p| {
    entry(&mut m, p, "attributes", &r.attributes)?;
    entry(&mut m, p, "billingAccount", &r.billing_account)?;
    entry(&mut m, p, "contact", &r.contact)?;
    entry(&mut m, p, "createdAt", &r.created_at)?;
    entry(&mut m, p, "customer", &r.customer)?;
    entry(&mut m, p, "devices", &r.devices)?;
    entry(&mut m, p, "endDate", &r.end_date)?;
    entry(&mut m, p, "entitlementId", &r.entitlement_id)?;
    entry(&mut m, p, "id", &r.id)?;
    entry(&mut m, p, "isPermanent", &r.is_permanent)?;
    entry(&mut m, p, "items", &r.items)?;
    entry(&mut m, p, "kind", r.kind.as_str())?;
    entry(&mut m, p, "name", &r.name)?;
    entry(&mut m, p, "orderRef", &r.order_ref)?;
    entry(&mut m, p, "partners", &r.partners)?;
    entry(&mut m, p, "raw", &r.raw)?;
    entry(&mut m, p, "source", r.source.as_str())?;
    entry(&mut m, p, "sourceId", &r.source_id)?;
    entry(&mut m, p, "startDate", &r.start_date)?;
    entry(&mut m, p, "status", r.status.as_str())?;
    entry(&mut m, p, "updatedAt", &r.updated_at)?;
});

/// A record as JSON under a projection: the bytes of
/// `select_paths(&serde_json::to_value(record)?, paths)` serialized, without building it.
#[derive(Debug, Clone, Copy)]
pub struct Projected<'a> {
    /// The record.
    pub record: &'a Record,
    /// Which members to write.
    pub projection: &'a Projection,
}

impl Serialize for Projected<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.record.write(self.projection, s)
    }
}
