//! Parses, prints and reparses: the canonical text must parse to the same tree and print
//! identically.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let Ok(e) = flexedge::filter::parse(s) else { return };
    let printed = e.to_string();
    let again = match flexedge::filter::parse(&printed) {
        Ok(a) => a,
        // Printing may add parentheses that push a tree at the depth limit over it.
        Err(err) if err.code().starts_with("filter.limit.") => return,
        Err(err) => panic!("canonical text {printed:?} of {s:?} does not parse: {err:?}"),
    };
    assert_eq!(
        format!("{:?}", again.without_spans()),
        format!("{:?}", e.without_spans()),
        "{s:?} -> {printed:?}"
    );
    assert_eq!(again.to_string(), printed);
});
