//! The normalized record every upstream is mapped into, and its vocabulary.
//!
//! A [`Record`] is one order-like unit from one source: a GreenLake Flex order, an FNO
//! activatable line item, an FNO Beta entitlement, or a TelecomX FlexCare order. Fields a
//! source has no value for are `None`/empty and are *absent* from the JSON, never invented.
//! Dates are [`Timestamp`]s: instants in UTC with millisecond precision, printed as RFC 3339
//! with a `Z` suffix; date-only values from a vendor are midnight UTC.
//!
//! This module imports no I/O, no wasm and no `worker`.

mod json;
mod record;
pub(crate) mod row;
mod timestamp;

pub use json::{Projected, Projection};
pub use record::{
    AttrValue, Contact, Device, Item, Kind, Partner, PartnerRole, Party, Record, Source, Status,
};
pub use row::RecordSchema;
pub(crate) use row::RECORD_FIELDS;
pub use timestamp::{Timestamp, TimestampError};
