//! Parses arbitrary text as a filter (with a parameter alias), compiles it against the
//! Record schema and runs it on a few records: errors are fine, panics are bugs.
//!
//! The input is `filter` or `filter\nvalue`: the text after the first newline is the
//! value of the parameter alias `@a`.
#![no_main]

use flexedge::filter::{parse, Aliases, Filter};
use flexedge::model::{Kind, Partner, PartnerRole, Record, RecordSchema, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (text, alias) = match s.split_once('\n') {
        Some((f, a)) => (f, Some(a)),
        None => (s, None),
    };
    let Ok(expr) = parse(text) else { return };
    let mut aliases = Aliases::new();
    if let Some(a) = alias {
        if aliases.insert("@a", a).is_err() {
            return;
        }
    }
    let Ok(expr) = aliases.substitute(&expr) else { return };
    let Ok(f) = Filter::<Record>::new(&expr, RecordSchema::default(), 0) else { return };
    let mut r = Record::new(Source::HpeFlex, "x", Kind::Order);
    let _ = f.matches(&r);
    r.name = Some("Ünïcode 😀".into());
    r.items.push(Default::default());
    r.items.push(Default::default());
    r.partners.push(Partner {
        role: PartnerRole::Reseller,
        id: Some("p".into()),
        name: None,
    });
    let _ = f.matches(&r);
});
