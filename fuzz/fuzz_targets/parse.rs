//! Parses arbitrary text as a filter; any error is fine, a panic or overflow is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Err(e) = flexedge::filter::parse(s) {
            let _ = e.render(s);
            let _ = e.utf16_span(s);
        }
    }
});
