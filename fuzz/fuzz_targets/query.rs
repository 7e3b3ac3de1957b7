//! Parses arbitrary text as a filter, compiles it against the Record schema and runs it
//! on a few records: errors are fine, panics are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use flexedge::filter::Filter;
use flexedge::model::{Kind, Record, RecordSchema, Source};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let Ok(f) = Filter::<Record>::parse(s, RecordSchema::default(), 0) else { return };
    let mut r = Record::new(Source::HpeFlex, "x", Kind::Order);
    let _ = f.matches(&r);
    r.name = Some("Ünïcode 😀".into());
    r.items.push(Default::default());
    let _ = f.matches(&r);
});
