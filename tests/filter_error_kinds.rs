//! Every error kind of the language and the query pipeline, triggered by the input its
//! doc comment gives (`src/filter/error.rs`), with the code it answers: the list of kinds
//! is closed, and each code is reachable.

#![allow(clippy::unwrap_used)] // tests may unwrap

use flexedge::filter::{ErrorKind, Filter};
use flexedge::model::{Record, RecordSchema};
use flexedge::query::{Query, QueryParams};

/// (kind, parameter, its text, another parameter the case needs).
type Case<'a> = (ErrorKind, &'a str, &'a str, Option<(&'a str, &'a str)>);

fn error_of(param: &str, text: &str, other: Option<(&str, &str)>) -> Option<ErrorKind> {
    if param == "filter" {
        // Straight to the language (the pipeline treats a blank filter as absent).
        return Filter::<Record>::parse(text, RecordSchema::default(), 0)
            .err()
            .map(|e| e.kind);
    }
    let mut p = QueryParams::default();
    for (name, value) in std::iter::once((param, text)).chain(other) {
        let slot = match name {
            "filter" => &mut p.filter,
            "sort" => &mut p.sort,
            "select" => &mut p.select,
            "offset" => &mut p.offset,
            "limit" => &mut p.limit,
            "group_by" => &mut p.group_by,
            other => panic!("no parameter {other}"),
        };
        *slot = Some(value);
    }
    let q = match Query::parse(&p) {
        Ok(q) => q,
        Err(e) => return Some(e.error.kind),
    };
    q.plan::<Record>(RecordSchema::default(), 0)
        .err()
        .map(|e| e.error.kind)
}

#[test]
fn every_kind_is_triggered_by_its_documented_input() {
    let long = "x".repeat(8 * 1024 + 1);
    let deep = format!("{}a", "(".repeat(101));
    let in_list = format!("a in ({})", vec!["1"; 1001].join(", "));
    let keys = vec!["id"; 65].join(",");
    let cases: Vec<Case<'_>> = vec![
        (ErrorKind::SyntaxEmpty, "filter", "   ", None),
        (ErrorKind::UnexpectedChar, "filter", "name eq #", None),
        (ErrorKind::UnterminatedString, "filter", "name eq 'abc", None),
        (ErrorKind::InvalidLiteral, "filter", "d eq 2024-02-30", None),
        (ErrorKind::UnexpectedToken, "filter", "name eq 'a' xor b", None),
        (ErrorKind::UnexpectedEnd, "filter", "name eq", None),
        (ErrorKind::ExpectedExpression, "filter", "a eq )", None),
        (ErrorKind::ExpectedMember, "filter", "a/ 'x'", None),
        (ErrorKind::ExpectedLambdaVariable, "filter", "p/all()", None),
        (ErrorKind::TooManyArguments, "filter", "f(a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a)", None),
        (ErrorKind::ExpectedLiteral, "filter", "a in (1, b)", None),
        (ErrorKind::LengthLimit, "filter", &long, None),
        (ErrorKind::DepthLimit, "filter", &deep, None),
        (ErrorKind::InListLimit, "filter", &in_list, None),
        (ErrorKind::LambdaDepthLimit, "filter", "partners/any(a: partners/any(b: partners/any(c: partners/any(d: partners/any(e: e/role eq 'x')))))", None),
        (ErrorKind::UnknownField, "filter", "custmer/name eq 'x'", None),
        (ErrorKind::MultiValuedField, "filter", "partners/role eq 'reseller'", None),
        (ErrorKind::CollectionField, "filter", "partners eq null", None),
        (ErrorKind::NotCollection, "filter", "status/any(s: s eq 'x')", None),
        (ErrorKind::LambdaVariable, "filter", "partners/any(p: p eq 'x')", None),
        (ErrorKind::UnknownFunction, "filter", "containz(name, 'x')", None),
        (ErrorKind::Arity, "filter", "contains(name)", None),
        (ErrorKind::TypeMismatch, "filter", "status eq 5", None),
        (ErrorKind::ArgumentType, "filter", "contains(endDate, 'x')", None),
        (ErrorKind::NotBoolean, "filter", "name", None),
        (ErrorKind::InvalidDate, "filter", "endDate gt 'soon'", None),
        (ErrorKind::UnsupportedFunction, "filter", "isof(name, Edm.String)", None),
        (ErrorKind::UnsupportedAnnotation, "filter", "customer/@Core.Description eq 'x'", None),
        (ErrorKind::UnsupportedPath, "filter", "partners/Flex.Reseller/name eq 'x'", None),
        (ErrorKind::UnknownAlias, "filter", "status eq @s", None),
        (ErrorKind::UnsupportedLiteral, "filter", "name eq binary'AAE='", None),
        (ErrorKind::UnsupportedBoundFunction, "filter", "a/NS.fn() eq 1", None),
        (ErrorKind::UnsupportedNestedCollection, "filter", "partners/any(p: p/x/any(q: q eq 1))", None),
        (ErrorKind::QueryUnknownField, "sort", "custmer/name desc", None),
        (ErrorKind::SortSyntax, "sort", "name sideways", None),
        (ErrorKind::SortNotSortable, "sort", "partners/role", None),
        (ErrorKind::SortNotGrouped, "sort", "name", Some(("group_by", "status"))),
        (ErrorKind::SelectSyntax, "select", "id, a b", None),
        (ErrorKind::SelectTooDeep, "select", "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a", None),
        (ErrorKind::GroupBySyntax, "group_by", "status desc", None),
        (ErrorKind::GroupByNotGroupable, "group_by", "partners", None),
        (ErrorKind::OffsetInvalid, "offset", "-1", None),
        (ErrorKind::OffsetRange, "offset", "99999999999999999999999", None),
        (ErrorKind::LimitInvalid, "limit", "ten", None),
        (ErrorKind::LimitRange, "limit", "1001", None),
        (ErrorKind::TooManyKeys, "select", &keys, None),
    ];
    let mut codes: Vec<&str> = Vec::new();
    for (kind, param, text, other) in &cases {
        assert_eq!(
            error_of(param, text, *other),
            Some(*kind),
            "{param}={text:?} should be {}",
            kind.code()
        );
        let code = kind.code();
        let prefix = if code.starts_with("filter.") {
            "filter."
        } else {
            "query."
        };
        assert!(
            code.starts_with(prefix) && code.len() > prefix.len(),
            "{code}"
        );
        assert!(!codes.contains(&code), "{code} twice");
        codes.push(code);
    }
    assert_eq!(codes.len(), 46);
}
