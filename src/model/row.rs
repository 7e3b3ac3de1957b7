//! The filter engine's [`Row`]/[`Schema`] seams for [`Record`].
//!
//! Record paths are the camelCase JSON names: `id`, `source`, `sourceId`, `kind`,
//! `orderRef`, `entitlementId`, `name`, `customer/id`, `customer/name`, `billingAccount/id`,
//! `billingAccount/name`, `contact/{name,email,phone,department}`, `status`, `startDate`,
//! `endDate`, `isPermanent`, `createdAt`, `updatedAt`, the collections `partners`
//! (`role`, `id`, `name`, `tier`), `items` (`productName`, `productVersion`, `partNumber`,
//! `quantity`, `remaining`, `activationId`, `status`, `orderType`, `startDate`, `endDate`)
//! and `devices` (`id`, `mac`, `serial`, `model`, `type`), and
//! `attributes/<name>` (dynamic, type `Any`). `source`, `kind`, `status` and partner
//! `role` are strings; dates are instants. (Plain JSON rows, typed from their values, are
//! the pipeline's: `query::json`.)
//!
//! This module imports no I/O, no wasm and no `worker`.

use serde_json::Value as Json;

use super::{AttrValue, Kind, Number, PartnerRole, Record, Source, Status, Timestamp};
use crate::filter::{FieldId, FieldInfo, FieldType, Resolved, Row, Schema, Value};

macro_rules! record_fields {
    ($($name:ident = $id:expr, $path:expr, $ty:ident, $coll:expr;)*) => {
        $(pub(crate) const $name: u32 = $id;)*
        /// The Record's paths: (id, path, type, collection); ids are table indexes. The
        /// JSON rows reader (`query::json`) types records read as JSON with it.
        pub(crate) const RECORD_FIELDS: &[(u32, &str, FieldType, Option<u32>)] = &[
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
    F_ENTITLEMENT = 5, "entitlementId", String, None;
    F_NAME = 6, "name", String, None;
    F_CUSTOMER_ID = 7, "customer/id", String, None;
    F_CUSTOMER_NAME = 8, "customer/name", String, None;
    F_BILLING_ID = 9, "billingAccount/id", String, None;
    F_BILLING_NAME = 10, "billingAccount/name", String, None;
    F_CONTACT_NAME = 11, "contact/name", String, None;
    F_CONTACT_EMAIL = 12, "contact/email", String, None;
    F_CONTACT_PHONE = 13, "contact/phone", String, None;
    F_CONTACT_DEPT = 14, "contact/department", String, None;
    F_STATUS = 15, "status", String, None;
    F_START = 16, "startDate", DateTime, None;
    F_END = 17, "endDate", DateTime, None;
    F_PERMANENT = 18, "isPermanent", Bool, None;
    F_CREATED = 19, "createdAt", DateTime, None;
    F_UPDATED = 20, "updatedAt", DateTime, None;
    C_PARTNERS = 21, "partners", Any, None;
    F_PARTNER_ROLE = 22, "partners/role", String, Some(C_PARTNERS);
    F_PARTNER_ID = 23, "partners/id", String, Some(C_PARTNERS);
    F_PARTNER_NAME = 24, "partners/name", String, Some(C_PARTNERS);
    F_PARTNER_TIER = 25, "partners/tier", String, Some(C_PARTNERS);
    C_ITEMS = 26, "items", Any, None;
    F_ITEM_PRODUCT = 27, "items/productName", String, Some(C_ITEMS);
    F_ITEM_VERSION = 28, "items/productVersion", String, Some(C_ITEMS);
    F_ITEM_PART = 29, "items/partNumber", String, Some(C_ITEMS);
    F_ITEM_QTY = 30, "items/quantity", Number, Some(C_ITEMS);
    F_ITEM_REMAINING = 31, "items/remaining", Number, Some(C_ITEMS);
    F_ITEM_ACTIVATION = 32, "items/activationId", String, Some(C_ITEMS);
    F_ITEM_STATUS = 33, "items/status", String, Some(C_ITEMS);
    F_ITEM_ORDER_TYPE = 34, "items/orderType", String, Some(C_ITEMS);
    F_ITEM_START = 35, "items/startDate", DateTime, Some(C_ITEMS);
    F_ITEM_END = 36, "items/endDate", DateTime, Some(C_ITEMS);
    C_DEVICES = 37, "devices", Any, None;
    F_DEVICE_ID = 38, "devices/id", String, Some(C_DEVICES);
    F_DEVICE_MAC = 39, "devices/mac", String, Some(C_DEVICES);
    F_DEVICE_SERIAL = 40, "devices/serial", String, Some(C_DEVICES);
    F_DEVICE_MODEL = 41, "devices/model", String, Some(C_DEVICES);
    F_DEVICE_TYPE = 42, "devices/type", String, Some(C_DEVICES);
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
fn num(n: &Option<Number>) -> Value<'static> {
    match n.as_ref().and_then(Number::as_f64) {
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
            F_ENTITLEMENT => opt(&self.entitlement_id),
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
                    Some(AttrValue::Number(n)) => n.as_f64().map_or(Value::Null, Value::Number),
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
            F_PARTNER_ROLE..=F_PARTNER_TIER => match self.partners.get(index) {
                Some(p) => match field.0 {
                    F_PARTNER_ROLE => Value::Str(p.role.as_str()),
                    F_PARTNER_ID => opt(&p.id),
                    F_PARTNER_NAME => opt(&p.name),
                    _ => opt(&p.tier),
                },
                None => Value::Null,
            },
            F_ITEM_PRODUCT..=F_ITEM_END => match self.items.get(index) {
                Some(i) => match field.0 {
                    F_ITEM_PRODUCT => opt(&i.product_name),
                    F_ITEM_VERSION => opt(&i.product_version),
                    F_ITEM_PART => opt(&i.part_number),
                    F_ITEM_QTY => num(&i.quantity),
                    F_ITEM_REMAINING => num(&i.remaining),
                    F_ITEM_ACTIVATION => opt(&i.activation_id),
                    F_ITEM_STATUS => i.status.map_or(Value::Null, |s| Value::Str(s.as_str())),
                    F_ITEM_ORDER_TYPE => opt(&i.order_type),
                    F_ITEM_START => ts(i.start_date),
                    _ => ts(i.end_date),
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
                            tier: None,
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
