//! Which fields exist on each endpoint, their types, which are filterable, and how a
//! row reads them.

use std::cmp::Ordering;

use super::data::{Device, Order};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Str,
    Bool,
    Int,
}

/// A field value of one row.
#[derive(Debug, Clone, Copy)]
pub(super) enum Val<'a> {
    Str(&'a str),
    Bool(bool),
    Int(i64),
    Absent,
}

impl Val<'_> {
    pub(super) fn cmp_to(&self, other: &Val<'_>) -> Ordering {
        match (self, other) {
            (Val::Absent, Val::Absent) => Ordering::Equal,
            (Val::Absent, _) => Ordering::Less,
            (_, Val::Absent) => Ordering::Greater,
            (Val::Str(a), Val::Str(b)) => a.cmp(b),
            (Val::Bool(a), Val::Bool(b)) => a.cmp(b),
            (Val::Int(a), Val::Int(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// (name, type, filterable on the list endpoint)
pub(super) const ORDER_FIELDS: &[(&str, Ty, bool)] = &[
    ("id", Ty::Str, true),
    ("createdAt", Ty::Str, false),
    ("updatedAt", Ty::Str, false),
    ("type", Ty::Str, false),
    ("generation", Ty::Int, false),
    ("billingAccountId", Ty::Str, true),
    ("sowId", Ty::Str, true),
    ("billingAccountName", Ty::Str, true),
    ("orderStartDate", Ty::Str, false),
    ("orderEndDate", Ty::Str, false),
    ("customerName", Ty::Str, true),
    ("resellerName", Ty::Str, true),
    ("distributorName", Ty::Str, true),
    ("partnerName", Ty::Str, true),
    ("isFlexPartner", Ty::Bool, true),
];

pub(super) const TRANSFORM_FILTERABLE: &[&str] = &[
    "billingAccountId",
    "sowId",
    "billingAccountName",
    "customerName",
    "resellerName",
    "distributorName",
    "partnerName",
];

pub(super) const GROUP_BY: &[&str] = &[
    "sowId",
    "customerName",
    "billingAccountName",
    "billingAccountId",
    "partnerName",
];

pub(super) const DEVICE_FIELDS: &[(&str, Ty, bool)] = &[
    ("id", Ty::Str, true),
    ("macAddress", Ty::Str, true),
    ("serialNumber", Ty::Str, true),
    ("resourceId", Ty::Str, true),
    ("partNumber", Ty::Str, true),
    ("deviceType", Ty::Str, false),
    ("type", Ty::Str, true),
    ("createdAt", Ty::Str, false),
    ("updatedAt", Ty::Str, false),
    ("generation", Ty::Int, false),
    ("model", Ty::Str, true),
    ("make", Ty::Str, true),
    ("tags", Ty::Str, false),
    ("name", Ty::Str, true),
    ("billingAccountName", Ty::Str, true),
    ("billingTier", Ty::Str, true),
];

pub(super) trait Row {
    fn get(&self, field: usize) -> Val<'_>;
}

pub(super) fn opt<S: std::ops::Deref<Target = str>>(s: &Option<S>) -> Val<'_> {
    s.as_deref().map_or(Val::Absent, Val::Str)
}

impl Row for Order {
    fn get(&self, f: usize) -> Val<'_> {
        match f {
            0 => Val::Str(&self.id),
            1 => Val::Str(&self.created_at),
            2 => Val::Str(&self.updated_at),
            3 => Val::Str(self.kind),
            4 => Val::Int(i64::from(self.generation)),
            5 => Val::Str(&self.billing_account_id),
            6 => Val::Str(&self.sow_id),
            7 => Val::Str(&self.billing_account_name),
            8 => Val::Str(&self.order_start_date),
            9 => Val::Str(&self.order_end_date),
            10 => Val::Str(&self.customer_name),
            11 => opt(&self.reseller_name),
            12 => opt(&self.distributor_name),
            13 => opt(&self.partner_name),
            14 => self.is_flex_partner.map_or(Val::Absent, Val::Bool),
            _ => Val::Absent,
        }
    }
}

impl Row for Device {
    fn get(&self, f: usize) -> Val<'_> {
        match f {
            0 => Val::Str(&self.id),
            1 => Val::Str(&self.mac_address),
            2 => Val::Str(&self.serial_number),
            3 => Val::Str(&self.resource_id),
            4 => Val::Str(&self.part_number),
            5 => Val::Str(self.device_type),
            6 => Val::Str(self.kind),
            7 => Val::Str(&self.created_at),
            8 => Val::Str(&self.updated_at),
            9 => Val::Int(i64::from(self.generation)),
            10 => Val::Str(self.model),
            11 => Val::Str(self.make),
            13 => opt(&self.name),
            14 => opt(&self.billing_account_name),
            15 => opt(&self.billing_tier),
            _ => Val::Absent,
        }
    }
}

pub(super) fn field_index(fields: &[(&str, Ty, bool)], name: &str) -> Option<usize> {
    fields.iter().position(|(n, _, _)| *n == name)
}
