//! Table-driven syntax tests: `tests/data/filter_syntax.json` holds filters with either
//! their canonical printing or the expected error code and byte span.

#![allow(clippy::unwrap_used)] // tests may unwrap

use flexedge::filter::{parse, MAX_DEPTH, MAX_IN_ITEMS, MAX_LENGTH};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    filter: String,
    canonical: Option<String>,
    error: Option<String>,
    span: Option<[usize; 2]>,
}

#[test]
fn syntax_table() {
    let cases: Vec<Case> = serde_json::from_str(include_str!("data/filter_syntax.json")).unwrap();
    assert!(cases.len() > 50);
    let mut failures = Vec::new();
    for c in &cases {
        match (parse(&c.filter), &c.canonical, &c.error) {
            (Ok(e), Some(want), None) => {
                let got = e.to_string();
                if &got != want {
                    failures.push(format!("{:?}: printed {got:?}, want {want:?}", c.filter));
                    continue;
                }
                // parse ∘ print is the identity on the tree.
                let again = parse(&got).unwrap();
                // (Debug so that NaN compares equal to NaN.)
                if format!("{:?}", again.without_spans()) != format!("{:?}", e.without_spans()) {
                    failures.push(format!("{:?}: reparse differs", c.filter));
                }
            }
            (Err(err), None, Some(code)) => {
                let span = [err.span.start, err.span.end];
                if err.code() != code || Some(span) != c.span {
                    failures.push(format!(
                        "{:?}: got {} {:?}, want {code} {:?}",
                        c.filter,
                        err.code(),
                        span,
                        c.span
                    ));
                }
            }
            (got, _, _) => failures.push(format!("{:?}: unexpected {got:?}", c.filter)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn length_limit() {
    let long = format!("name eq '{}'", "x".repeat(MAX_LENGTH));
    let e = parse(&long).unwrap_err();
    assert_eq!(e.code(), "filter.limit.length");
    let ok = format!("name eq '{}'", "x".repeat(MAX_LENGTH - 10));
    assert!(parse(&ok).is_ok());
}

#[test]
fn depth_limit_parens_unary_and_chains() {
    let deep = |n: usize| format!("{}a eq 1{}", "(".repeat(n), ")".repeat(n));
    assert!(parse(&deep(MAX_DEPTH - 2)).is_ok());
    assert_eq!(
        parse(&deep(MAX_DEPTH + 1)).unwrap_err().code(),
        "filter.limit.depth"
    );
    let nots = format!("{}a", "not ".repeat(MAX_DEPTH + 5));
    assert_eq!(parse(&nots).unwrap_err().code(), "filter.limit.depth");
    let adds = format!("a{} eq 1", " add 1".repeat(MAX_DEPTH + 5));
    assert_eq!(parse(&adds).unwrap_err().code(), "filter.limit.depth");
    // Flat and/or chains are n-ary, not nested: 700 clauses are fine.
    let flat = vec!["a eq 1"; 700].join(" and ");
    assert!(parse(&flat).is_ok());
    // Very deep input is an error, never a stack overflow.
    let huge = "(".repeat(MAX_LENGTH);
    assert_eq!(parse(&huge).unwrap_err().code(), "filter.limit.depth");
}

#[test]
fn in_list_limit() {
    let list = |n: usize| {
        let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        format!("a in ({})", items.join(","))
    };
    assert!(parse(&list(MAX_IN_ITEMS)).is_ok());
    let e = parse(&list(MAX_IN_ITEMS + 1)).unwrap_err();
    assert_eq!(e.code(), "filter.limit.in_list");
}

#[test]
fn render_draws_caret() {
    let src = "name eq 'a' xor b";
    let e = parse(src).unwrap_err();
    assert_eq!(
        e.render(src),
        "error[filter.syntax.unexpected_token]: expected an operator or the end of the filter, found `xor`\n  name eq 'a' xor b\n              ^^^"
    );
}
