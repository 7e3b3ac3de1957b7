//! Property tests: the parser never panics, and parse ∘ print is the identity on
//! generated ASTs.

#![allow(clippy::unwrap_used)] // tests may unwrap

use flexedge::filter::{
    parse, ArithOp, BinaryOp, CmpOp, Expr, ExprKind, Filter, Ident, LambdaOp, Literal, Path, Span,
};
use flexedge::model::{Kind, Record, RecordSchema, Source};
use proptest::prelude::*;

const KEYWORDS: &[&str] = &[
    "not", "and", "or", "eq", "ne", "gt", "ge", "lt", "le", "has", "in", "add", "sub", "mul",
    "div", "divby", "mod", "true", "false", "null", "any", "all", "INF", "NaN",
];

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-zA-Z0-9_]{0,7}".prop_filter("not a keyword", |s| {
        !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s))
    })
}

fn ident(n: String) -> Ident {
    Ident {
        name: n,
        span: Span::default(),
    }
}

fn path() -> impl Strategy<Value = Path> {
    prop::collection::vec(name(), 1..4).prop_map(|v| Path {
        segments: v.into_iter().map(ident).collect(),
    })
}

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Int),
        any::<f64>().prop_map(Literal::Float),
        any::<String>().prop_map(Literal::String),
        (1000u32..3000, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| Literal::date(&format!("{y:04}-{m:02}-{d:02}")).unwrap()),
        Just(Literal::date_time("2024-02-29T23:59:59.999+05:30").unwrap()),
        Just(Literal::date_time("2024-01-01T00:00Z").unwrap()),
        (0u32..24, 0u32..60).prop_map(|(h, m)| Literal::TimeOfDay(format!("{h:02}:{m:02}:00"))),
        Just(Literal::Duration("P1DT2H3M4.5S".into())),
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".prop_map(Literal::Guid),
        (name(), name(), any::<String>()).prop_map(|(a, b, v)| Literal::Enum {
            type_name: format!("{a}.{b}"),
            value: v
        }),
        any::<String>().prop_map(Literal::Geography),
    ]
}

const OPS: &[BinaryOp] = &[
    BinaryOp::Cmp(CmpOp::Eq),
    BinaryOp::Cmp(CmpOp::Ne),
    BinaryOp::Cmp(CmpOp::Gt),
    BinaryOp::Cmp(CmpOp::Ge),
    BinaryOp::Cmp(CmpOp::Lt),
    BinaryOp::Cmp(CmpOp::Le),
    BinaryOp::Has,
    BinaryOp::Arith(ArithOp::Add),
    BinaryOp::Arith(ArithOp::Sub),
    BinaryOp::Arith(ArithOp::Mul),
    BinaryOp::Arith(ArithOp::Div),
    BinaryOp::Arith(ArithOp::DivBy),
    BinaryOp::Arith(ArithOp::Mod),
];

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal().prop_map(|l| e(ExprKind::Literal(l))),
        path().prop_map(|p| e(ExprKind::Path(p))),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            (0..OPS.len(), inner.clone(), inner.clone()).prop_map(|(i, l, r)| e(
                ExprKind::Binary {
                    op: OPS[i],
                    lhs: Box::new(l),
                    rhs: Box::new(r)
                }
            )),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| e(ExprKind::And(v))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| e(ExprKind::Or(v))),
            inner.clone().prop_map(|x| e(ExprKind::Not(Box::new(x)))),
            inner.clone().prop_map(|x| e(ExprKind::Neg(Box::new(x)))),
            (inner.clone(), prop::collection::vec(inner.clone(), 1..4)).prop_map(|(l, list)| e(
                ExprKind::In {
                    lhs: Box::new(l),
                    list
                }
            )),
            (
                prop_oneof![
                    name(),
                    (name(), name()).prop_map(|(a, b)| format!("{a}.{b}"))
                ],
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(n, args)| e(ExprKind::Call {
                    name: ident(n.to_lowercase()),
                    args
                })),
            (path(), any::<bool>(), name(), inner.clone()).prop_map(|(c, all, v, body)| e(
                ExprKind::Lambda {
                    collection: c,
                    op: if all { LambdaOp::All } else { LambdaOp::Any },
                    body: Some((ident(v), Box::new(body))),
                }
            )),
            path().prop_map(|c| e(ExprKind::Lambda {
                collection: c,
                op: LambdaOp::Any,
                body: None
            })),
        ]
    })
}

/// Text made of filter tokens, so that inputs get past the lexer often.
fn token_soup() -> impl Strategy<Value = String> {
    let tok = prop_oneof![
        Just("("),
        Just(")"),
        Just(","),
        Just("/"),
        Just(":"),
        Just("-"),
        Just("'"),
        Just("''"),
        Just("eq"),
        Just("and"),
        Just("or"),
        Just("not"),
        Just("in"),
        Just("has"),
        Just("add"),
        Just("any"),
        Just("all"),
        Just("null"),
        Just("1"),
        Just("2.5e3"),
        Just("2024-01-01"),
        Just("10:00"),
        Just("2024-01-01T00:00Z"),
        Just("status"),
        Just("partners"),
        Just("p"),
        Just("customer/name"),
        Just("contains"),
        Just("tolower"),
        Just("'x'"),
        Just("duration'P1D'"),
        Just("endDate"),
        Just("items"),
        Just("i/quantity"),
        Just("now()"),
        Just("INF"),
        Just("😀"),
    ];
    prop::collection::vec(tok, 0..40).prop_map(|v| v.join(" "))
}

fn shape(e: &Expr) -> String {
    format!("{:?}", e.without_spans())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        if let Err(err) = parse(&s) {
            let _ = err.render(&s);
            let (a, b) = err.utf16_span(&s);
            prop_assert!(a <= b);
        }
    }

    #[test]
    fn token_soup_never_panics_and_round_trips(s in token_soup()) {
        if let Ok(ast) = parse(&s) {
            let printed = ast.to_string();
            let again = parse(&printed).unwrap();
            prop_assert_eq!(shape(&again), shape(&ast));
            // Checking and evaluating never panics either.
            if let Ok(f) = Filter::<Record>::new(&ast, RecordSchema::default(), 0) {
                let _ = f.matches(&Record::new(Source::HpeFlex, "x", Kind::Order));
            }
        }
    }

    #[test]
    fn print_then_parse_is_identity(ast in expr()) {
        let printed = ast.to_string();
        let again = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed:?}: {e:?}")))?;
        prop_assert_eq!(shape(&again), shape(&ast), "printed {:?}", printed);
        prop_assert_eq!(again.to_string(), printed);
    }
}
