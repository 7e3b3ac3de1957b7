//! Property tests: the parser never panics, and parse ∘ print is the identity on
//! generated ASTs.

#![allow(clippy::unwrap_used)] // tests may unwrap

use flexedge::filter::{
    parse, ArithOp, BinaryOp, CmpOp, Expr, ExprKind, Filter, Ident, LambdaOp, Literal, Member,
    NamedArg, Path, Segment, SegmentKind, Span,
};
use flexedge::model::{Kind, Record, RecordSchema, Source};
use proptest::prelude::*;

const KEYWORDS: &[&str] = &[
    "not", "and", "or", "eq", "ne", "gt", "ge", "lt", "le", "has", "in", "add", "sub", "mul",
    "div", "divby", "mod", "true", "false", "null", "any", "all", "INF", "NaN",
];

/// The OData methods and their (fixed) arity, for generated calls.
const METHODS: &[(&str, usize)] = &[
    ("contains", 2),
    ("startswith", 2),
    ("endswith", 2),
    ("indexof", 2),
    ("tolower", 1),
    ("toupper", 1),
    ("trim", 1),
    ("substring", 3),
    ("concat", 2),
    ("length", 1),
    ("matchespattern", 2),
    ("year", 1),
    ("month", 1),
    ("day", 1),
    ("hour", 1),
    ("minute", 1),
    ("second", 1),
    ("fractionalseconds", 1),
    ("totalseconds", 1),
    ("date", 1),
    ("time", 1),
    ("totaloffsetminutes", 1),
    ("mindatetime", 0),
    ("maxdatetime", 0),
    ("now", 0),
    ("round", 1),
    ("floor", 1),
    ("ceiling", 1),
    ("geo.distance", 2),
    ("geo.length", 1),
    ("geo.intersects", 2),
    ("hassubset", 2),
    ("hassubsequence", 2),
];

/// A name that is no method (so `name(…)` stays a positional call).
fn fn_name() -> impl Strategy<Value = String> {
    name().prop_filter("not a method", |s| {
        let l = s.to_lowercase();
        !METHODS.iter().any(|(m, _)| *m == l) && !["case", "cast", "isof"].contains(&l.as_str())
    })
}

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

fn member(n: String) -> Segment {
    Segment::member(n, Span::default())
}

fn path() -> impl Strategy<Value = Path> {
    prop::collection::vec(name(), 1..4).prop_map(|v| Path {
        segments: v.into_iter().map(member).collect(),
    })
}

/// A segment after the first: a name, an annotation, a cast followed by a name, a key,
/// or a bound function with named parameters.
fn later_segments(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Vec<Segment>> {
    prop_oneof![
        name().prop_map(|n| vec![member(n)]),
        (name(), name()).prop_map(|(a, b)| vec![member(format!("@{a}.{b}"))]),
        (name(), name(), name()).prop_map(|(a, b, c)| vec![member(format!("{a}.{b}")), member(c)]),
        (name(), literal_leaf()).prop_map(|(n, k)| vec![Segment {
            name: n,
            span: Span::default(),
            kind: SegmentKind::Key(Box::new(k)),
        }]),
        (name(), name(), prop::collection::vec((name(), inner), 0..3)).prop_map(|(a, b, args)| {
            vec![Segment {
                name: format!("{a}.{b}"),
                span: Span::default(),
                kind: SegmentKind::Function(
                    args.into_iter()
                        .map(|(n, value)| NamedArg {
                            name: ident(n),
                            value,
                        })
                        .collect(),
                ),
            }]
        }),
    ]
}

/// A rich path: a name, later segments, then optionally `$filter(…)` segments and a
/// terminal `$count` / `$count($filter=…)` (`counted`), as the grammar allows.
fn rich_path(inner: BoxedStrategy<Expr>, counted: bool) -> impl Strategy<Value = Path> {
    let filters = prop::collection::vec(inner.clone(), 0..2);
    (
        name(),
        prop::collection::vec(later_segments(inner.clone()), 0..3),
        filters,
        prop::option::of(prop::option::of(inner)),
    )
        .prop_map(move |(first, later, filters, count)| {
            let mut segments = vec![member(first)];
            segments.extend(later.into_iter().flatten());
            segments.extend(filters.into_iter().map(|f| Segment {
                name: "$filter".into(),
                span: Span::default(),
                kind: SegmentKind::Filter(Box::new(f)),
            }));
            if counted {
                segments.push(match count.flatten() {
                    None => member("$count".into()),
                    Some(c) => Segment {
                        name: "$count".into(),
                        span: Span::default(),
                        kind: SegmentKind::CountFiltered(Box::new(c)),
                    },
                });
            } else if segments
                .last()
                .is_some_and(|s| s.name.contains('.') && s.is_member())
            {
                segments.push(member("x".into()));
            }
            Path { segments }
        })
}

fn literal_leaf() -> impl Strategy<Value = Expr> {
    literal().prop_map(|l| e(ExprKind::Literal(l)))
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
    BinaryOp::Arith(ArithOp::Add),
    BinaryOp::Arith(ArithOp::Sub),
    BinaryOp::Arith(ArithOp::Mul),
    BinaryOp::Arith(ArithOp::Div),
    BinaryOp::Arith(ArithOp::DivBy),
    BinaryOp::Arith(ArithOp::Mod),
];

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![literal_leaf(), path().prop_map(|p| e(ExprKind::Path(p))),];
    leaf.prop_recursive(5, 48, 4, |inner| {
        let boxed = inner.clone().boxed();
        prop_oneof![
            (0..OPS.len(), inner.clone(), inner.clone()).prop_map(|(i, l, r)| e(
                ExprKind::Binary {
                    op: OPS[i],
                    lhs: Box::new(l),
                    rhs: Box::new(r)
                }
            )),
            (
                inner.clone(),
                prop_oneof![
                    any::<String>().prop_map(Literal::String),
                    (name(), name(), any::<String>()).prop_map(|(a, b, v)| Literal::Enum {
                        type_name: format!("{a}.{b}"),
                        value: v
                    }),
                ]
            )
                .prop_map(|(l, r)| e(ExprKind::Binary {
                    op: BinaryOp::Has,
                    lhs: Box::new(l),
                    rhs: Box::new(e(ExprKind::Literal(r)))
                })),
            (
                inner.clone(),
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..3).prop_map(|v| e(ExprKind::Array(v))),
                    path().prop_map(|p| e(ExprKind::Path(p))),
                ]
            )
                .prop_map(|(l, r)| e(ExprKind::Binary {
                    op: BinaryOp::In,
                    lhs: Box::new(l),
                    rhs: Box::new(r)
                })),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| e(ExprKind::And(v))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| e(ExprKind::Or(v))),
            inner.clone().prop_map(|x| e(ExprKind::Not(Box::new(x)))),
            inner.clone().prop_map(|x| e(ExprKind::Neg(Box::new(x)))),
            (inner.clone(), prop::collection::vec(literal_leaf(), 0..4)).prop_map(|(l, list)| e(
                ExprKind::In {
                    lhs: Box::new(l),
                    list
                }
            )),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| e(ExprKind::Array(v))),
            prop::collection::vec((any::<String>(), inner.clone()), 0..3).prop_map(|v| e(
                ExprKind::Object(
                    v.into_iter()
                        .map(|(k, value)| Member {
                            name: ident(k),
                            value
                        })
                        .collect()
                )
            )),
            (fn_name(), prop::collection::vec(inner.clone(), 0..3)).prop_map(|(n, args)| e(
                ExprKind::Call {
                    name: ident(n.to_lowercase()),
                    args
                }
            )),
            (0..METHODS.len(), prop::collection::vec(inner.clone(), 3)).prop_map(
                |(i, mut args)| {
                    let (n, arity) = METHODS[i];
                    args.truncate(arity);
                    e(ExprKind::Call {
                        name: ident(n.into()),
                        args,
                    })
                }
            ),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|pairs| {
                let args = pairs.iter().flat_map(|c| [c.clone(), c.clone()]).collect();
                e(ExprKind::Call {
                    name: ident("case".into()),
                    args,
                })
            }),
            (inner.clone(), name(), name()).prop_map(|(x, a, b)| e(ExprKind::Call {
                name: ident("isof".into()),
                args: vec![
                    x,
                    e(ExprKind::Path(Path {
                        segments: vec![member(format!("{a}.{b}"))]
                    }))
                ],
            })),
            rich_path(boxed.clone(), false).prop_map(|p| e(ExprKind::Path(p))),
            rich_path(boxed.clone(), true).prop_map(|p| e(ExprKind::Path(p))),
            (
                rich_path(boxed.clone(), false),
                any::<bool>(),
                name(),
                inner.clone()
            )
                .prop_map(|(c, all, v, body)| e(ExprKind::Lambda {
                    collection: c,
                    op: if all { LambdaOp::All } else { LambdaOp::Any },
                    body: Some((ident(v), Box::new(body))),
                })),
            rich_path(boxed, false).prop_map(|c| e(ExprKind::Lambda {
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
        Just("["),
        Just("]"),
        Just("{"),
        Just("}"),
        Just("\"k\""),
        Just("="),
        Just("$filter("),
        Just("$count"),
        Just("/$filter(true)"),
        Just("@a"),
        Just("@NS.t"),
        Just("NS.fn("),
        Just("hassubset("),
        Just("case("),
        Just("isof("),
        Just("Edm.String"),
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
