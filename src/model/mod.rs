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
mod raw;
mod record;
pub(crate) mod row;
mod timestamp;

pub use json::{Projected, Projection};
pub use raw::RawJson;
pub use record::{
    AttrValue, Contact, Device, Item, Kind, Partner, PartnerRole, Party, Record, Source, Status,
};
pub use row::RecordSchema;
pub(crate) use row::RECORD_FIELDS;
pub use timestamp::{Timestamp, TimestampError};

/// A number as the vendor wrote it: an integer stays an integer (`5`, exact to 64 bits, never
/// an `f64` round trip) and a decimal stays a decimal (`5.0`, `2.5`; as precise as an `f64`).
/// serde_json's own [`Number`], so a record's numbers print exactly as a
/// decoder into an integer field expects.
pub use serde_json::Number;

/// `x` as a JSON number: an integral value a double holds exactly (|x| ≤ 2^53) as an
/// integer, anything else as a decimal; `None` for NaN and the infinities. For numbers that
/// arrive as doubles (a JavaScript value, a computed key), which do not say their kind.
pub fn number_from_f64(x: f64) -> Option<Number> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if x.fract() == 0.0 && x.abs() <= EXACT {
        // In range and integral: the cast is exact. `-0.0` reads as `0`.
        Some(Number::from(x as i64))
    } else {
        Number::from_f64(x)
    }
}
