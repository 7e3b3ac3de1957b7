//! Calls: the OData methods with their arities, function segments with named
//! parameters, `cast`/`isof` type arguments, `case(…)`.

use super::*;

impl<'a> Parser<'a> {
    /// A built-in method call `name(args…)` (the `(` is next); `name` is lower case.
    pub(super) fn method_call(&mut self, name: String, span: Span) -> Result<Expr, FilterError> {
        self.bump(); // (
        let (args, end) = match name.as_str() {
            "isof" | "cast" => self.type_args()?,
            "case" => self.case_args()?,
            _ => {
                let arity = method_arity(&name).map(|(min, max)| (name.as_str(), min, max));
                self.call_args_limited(arity)?
            }
        };
        Ok(Expr {
            kind: ExprKind::Call {
                name: Ident { name, span },
                args,
            },
            span: span.to(end),
        })
    }

    /// `name(…)` for a name that is no built-in method: a function with named parameters
    /// (`NS.fn(p=1)`, `fn()` before a `/`), a key predicate before a `/` (`Items(1)/x`),
    /// else a positional call (an unknown function, reported with a suggestion when it
    /// is checked).
    pub(super) fn call_or_function(&mut self, name: &str, span: Span) -> Result<Expr, FilterError> {
        let named = matches!(self.ahead(1), Tok::Ident(_)) && matches!(self.ahead(2), Tok::Equals);
        let empty = matches!(self.ahead(1), Tok::RParen);
        if named || name.contains('.') || (empty && matches!(self.ahead(2), Tok::Slash)) {
            let (seg, end) = self.function_segment(name, span)?;
            return self.path_rest(vec![seg], span, end);
        }
        self.bump(); // (
        let (mut args, end) = self.call_args()?;
        if matches!(self.peek().tok, Tok::Slash)
            && args.len() == 1
            && args
                .first()
                .is_some_and(|a| matches!(a.kind, ExprKind::Literal(_)))
        {
            if let Some(key) = args.pop() {
                let seg = Segment {
                    name: name.into(),
                    span,
                    kind: SegmentKind::Key(Box::new(key)),
                };
                return self.path_rest(vec![seg], span, end);
            }
        }
        Ok(Expr {
            kind: ExprKind::Call {
                name: Ident {
                    name: name.to_lowercase(),
                    span,
                },
                args,
            },
            span: span.to(end),
        })
    }

    /// `name(p=v, …)` (the `(` is next): a function segment, and the span of its `)`.
    pub(super) fn function_segment(
        &mut self,
        name: &str,
        span: Span,
    ) -> Result<(Segment, Span), FilterError> {
        self.bump(); // (
        let (args, close) = self.items(
            &Tok::RParen,
            "`,` or `)` after a parameter",
            16,
            (
                ErrorKind::TooManyArguments,
                "a function call takes at most 16 parameters",
            ),
            |p| {
                let t = p.peek().clone();
                let pname = match t.tok {
                    Tok::Ident(n) if !n.starts_with(['$', '@']) && !n.contains('.') => n,
                    _ => {
                        return Err(p.fail(
                            &t,
                            ErrorKind::UnexpectedToken,
                            "a parameter `name=value`",
                        ))
                    }
                };
                p.bump();
                p.expect(&Tok::Equals, "`=` after the parameter name")?;
                Ok(NamedArg {
                    name: Ident {
                        name: pname.into(),
                        span: t.span,
                    },
                    value: p.expr()?,
                })
            },
        )?;
        Ok((
            Segment {
                name: name.into(),
                span,
                kind: SegmentKind::Function(args),
            },
            close,
        ))
    }

    pub(super) fn call_args(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
        self.call_args_limited(None)
    }

    /// Positional arguments, the span of `)`. With `arity` (a method's (min, max) from the
    /// ABNF), a missing argument fails at the `)` and an extra one at its `,`.
    pub(super) fn call_args_limited(
        &mut self,
        arity: Option<(&str, usize, usize)>,
    ) -> Result<(Vec<Expr>, Span), FilterError> {
        let arity_err = |name: &str, min: usize, max: usize, span: Span| {
            let want = if min == max {
                format!("{min}")
            } else {
                format!("{min} or {max}")
            };
            FilterError::new(
                ErrorKind::Arity,
                format!("`{name}` takes {want} argument(s)"),
                span,
            )
        };
        let mut args = Vec::new();
        if !matches!(self.peek().tok, Tok::RParen) {
            loop {
                if let Some((name, min, max)) = arity {
                    if args.len() >= max {
                        return Err(arity_err(name, min, max, self.peek().span));
                    }
                }
                if args.len() >= 16 {
                    return Err(FilterError::new(
                        ErrorKind::TooManyArguments,
                        "a function call takes at most 16 arguments",
                        self.peek().span,
                    ));
                }
                args.push(self.expr()?);
                if matches!(self.peek().tok, Tok::Comma) {
                    if let Some((name, min, max)) = arity {
                        if args.len() >= max {
                            return Err(arity_err(name, min, max, self.peek().span));
                        }
                    }
                    self.bump();
                    continue;
                }
                break;
            }
        }
        if let (Some((name, min, max)), Tok::RParen) = (arity, &self.peek().tok) {
            if args.len() < min {
                return Err(arity_err(name, min, max, self.peek().span));
            }
        }
        let close = self.expect(&Tok::RParen, "`,` or `)` after a function argument")?;
        Ok((args, close.span))
    }

    /// `isof`/`cast` arguments: `[expr ,] typeName )`.
    pub(super) fn type_args(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
        let mut args = Vec::new();
        if !self.at_type_name() {
            args.push(self.expr()?);
            self.expect(&Tok::Comma, "`,` and a type name")?;
        }
        args.push(self.type_name()?);
        let close = self.expect(&Tok::RParen, "`)` after the type name")?;
        Ok((args, close.span))
    }

    /// A type name that closes the argument list: `Type )` or `Collection(Type) )`.
    pub(super) fn at_type_name(&self) -> bool {
        match self.ahead(0) {
            Tok::Ident(n) if *n == "Collection" && matches!(self.ahead(1), Tok::LParen) => {
                matches!(self.ahead(2), Tok::Ident(_))
                    && matches!(self.ahead(3), Tok::RParen)
                    && matches!(self.ahead(4), Tok::RParen)
            }
            Tok::Ident(n) => !n.starts_with(['$', '@']) && matches!(self.ahead(1), Tok::RParen),
            _ => false,
        }
    }

    /// `Type` or `Collection(Type)`, as a one-segment path holding the type's text.
    pub(super) fn type_name(&mut self) -> Result<Expr, FilterError> {
        let t = self.peek().clone();
        let name = match t.tok {
            Tok::Ident(n) if !n.starts_with(['$', '@']) => n,
            _ => return Err(self.fail(&t, ErrorKind::UnexpectedToken, "a type name")),
        };
        self.bump();
        let (text, span) = if name == "Collection" && matches!(self.peek().tok, Tok::LParen) {
            self.bump();
            let inner = self.peek().clone();
            let Tok::Ident(inner_name) = inner.tok else {
                return Err(self.fail(&inner, ErrorKind::UnexpectedToken, "a type name"));
            };
            self.bump();
            let close = self.expect(&Tok::RParen, "`)` after the element type")?;
            (format!("Collection({inner_name})"), t.span.to(close.span))
        } else {
            (name.to_owned(), t.span)
        };
        Ok(Expr {
            kind: ExprKind::Path(Path {
                segments: vec![Segment::member(text, span)],
            }),
            span,
        })
    }

    /// `case(cond: value, …)` arguments, flattened as `[cond, value, cond, value, …]`.
    pub(super) fn case_args(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
        let mut args = Vec::new();
        loop {
            if args.len() >= 16 {
                return Err(FilterError::new(
                    ErrorKind::TooManyArguments,
                    "`case` takes at most 8 condition–value pairs",
                    self.peek().span,
                ));
            }
            args.push(self.expr()?);
            self.expect(&Tok::Colon, "`:` after a `case` condition")?;
            args.push(self.expr()?);
            if matches!(self.peek().tok, Tok::Comma) {
                self.bump();
                continue;
            }
            break;
        }
        let close = self.expect(&Tok::RParen, "`,` or `)` in `case`")?;
        Ok((args, close.span))
    }
}

/// A method's (min, max) number of arguments in the ABNF (`None` for an unknown `geo.`
/// name and for `isof`, `cast`, `case`, which have their own shapes).
fn method_arity(name: &str) -> Option<(usize, usize)> {
    Some(match name {
        "mindatetime" | "maxdatetime" | "now" => (0, 0),
        "substring" => (2, 3),
        "concat" | "contains" | "endswith" | "indexof" | "matchespattern" | "startswith"
        | "geo.distance" | "geo.intersects" | "hassubset" | "hassubsequence" => (2, 2),
        "length" | "tolower" | "toupper" | "trim" | "year" | "month" | "day" | "hour"
        | "minute" | "second" | "fractionalseconds" | "totalseconds" | "date" | "time"
        | "totaloffsetminutes" | "round" | "floor" | "ceiling" | "geo.length" => (1, 1),
        _ => return None,
    })
}

/// The OData built-in methods (`methodCallExpr`, `isof`, `cast`), lower case; any
/// `geo.` name counts.
pub(crate) fn is_method(name: &str) -> bool {
    const METHODS: &[&str] = &[
        "contains",
        "startswith",
        "endswith",
        "indexof",
        "tolower",
        "toupper",
        "trim",
        "substring",
        "concat",
        "length",
        "matchespattern",
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "fractionalseconds",
        "totalseconds",
        "date",
        "time",
        "totaloffsetminutes",
        "mindatetime",
        "maxdatetime",
        "now",
        "round",
        "floor",
        "ceiling",
        "hassubset",
        "hassubsequence",
        "case",
        "isof",
        "cast",
    ];
    METHODS.contains(&name) || name.starts_with("geo.")
}
