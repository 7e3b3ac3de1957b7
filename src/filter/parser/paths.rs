//! Member paths and their segments (keys, casts, `$count`, `$filter(…)`, `$each`,
//! annotations) and the lambda bodies of `any`/`all`.

use super::*;

impl<'a> Parser<'a> {
    /// The rest of a member path after its first segment(s): `/name`, `/NS.Type`,
    /// `/@NS.term`, `/NS.fn(p=v)`, `/name(key)`, `/$filter(…)`, `/$count`,
    /// `/$count($filter=…)`, ending in `/any(…)`/`/all(…)` (a lambda) or not.
    pub(super) fn path_rest(
        &mut self,
        mut segments: Vec<Segment>,
        start: Span,
        mut end: Span,
    ) -> Result<Expr, FilterError> {
        loop {
            // `$count` ends a path.
            let counted = segments.last().is_some_and(|s| {
                matches!(s.kind, SegmentKind::CountFiltered(_))
                    || (s.is_member() && s.name == "$count")
            });
            if counted || !self.slash_at(end.end) {
                break;
            }
            let slash = self.bump();
            if self.peek().span.start != slash.span.end {
                return Err(FilterError::new(
                    ErrorKind::ExpectedMember,
                    "expected a member name right after `/`",
                    Span::new(slash.span.end, slash.span.end),
                ));
            }
            let t = self.bump();
            let Tok::Ident(name) = t.tok else {
                return Err(FilterError::new(
                    ErrorKind::ExpectedMember,
                    format!(
                        "expected a member name after `/`, found {}",
                        self.src_text(&t)
                    ),
                    t.span,
                ));
            };
            // After `$filter(…)`: `$count`, `$filter(…)`, `any`/`all`, a bound function
            // or an annotation (collectionPathExpr), not a property or key.
            let after_filter = segments
                .last()
                .is_some_and(|s| matches!(s.kind, SegmentKind::Filter(_)));
            let paren = self.lparen_at(t.span.end);
            let allowed = name.starts_with('@')
                || (paren
                    && (name.contains('.')
                        || name == "$filter"
                        || name.eq_ignore_ascii_case("any")
                        || name.eq_ignore_ascii_case("all")))
                || (!paren && name == "$count")
                || (paren && name == "$count");
            if after_filter && !allowed {
                return Err(FilterError::new(
                    ErrorKind::UnexpectedToken,
                    format!("`{name}` cannot follow `$filter(…)`: expected `$count`, `$filter(…)`, `any(…)`, `all(…)`, a bound function or an annotation"),
                    t.span,
                ));
            }
            if !paren {
                if name == "$filter" {
                    return Err(self.fail_at(t.span.end, "`(` right after `$filter`"));
                }
                segments.push(Segment::member(name, t.span));
                end = t.span;
                continue;
            }
            let lower = name.to_ascii_lowercase();
            match name {
                _ if lower == "any" || lower == "all" => {
                    let op = if lower == "any" {
                        LambdaOp::Any
                    } else {
                        LambdaOp::All
                    };
                    self.bump(); // (
                    let (body, close) = self.lambda_body(op)?;
                    return Ok(Expr {
                        kind: ExprKind::Lambda {
                            collection: Path { segments },
                            op,
                            body,
                        },
                        span: start.to(close),
                    });
                }
                "$filter" => {
                    self.bump(); // (
                    let cond = self.expr()?;
                    let close = self.expect(&Tok::RParen, "`)` to close `$filter(`")?;
                    segments.push(Segment {
                        name: name.into(),
                        span: t.span,
                        kind: SegmentKind::Filter(Box::new(cond)),
                    });
                    end = close.span;
                }
                "$count" => {
                    self.bump(); // (
                    let o = self.peek().clone();
                    let is_filter = matches!(o.tok, Tok::Ident(n) if n.eq_ignore_ascii_case("$filter") || n.eq_ignore_ascii_case("filter"));
                    if !is_filter {
                        return Err(self.fail(
                            &o,
                            ErrorKind::UnexpectedToken,
                            "`$filter=` in `$count(…)`",
                        ));
                    }
                    self.bump();
                    self.expect(&Tok::Equals, "`=` after `$filter`")?;
                    let cond = self.expr()?;
                    let close = self.expect(&Tok::RParen, "`)` to close `$count(`")?;
                    segments.push(Segment {
                        name: name.into(),
                        span: t.span,
                        kind: SegmentKind::CountFiltered(Box::new(cond)),
                    });
                    end = close.span;
                }
                _ => {
                    let key = !name.contains('.') && is_literal(self.ahead(1));
                    if key {
                        self.bump(); // (
                        let k = self.primary()?;
                        let close = self.expect(&Tok::RParen, "`)` after the key")?;
                        segments.push(Segment {
                            name: name.into(),
                            span: t.span,
                            kind: SegmentKind::Key(Box::new(k)),
                        });
                        end = close.span;
                    } else {
                        let (seg, close) = self.function_segment(name, t.span)?;
                        segments.push(seg);
                        end = close;
                    }
                }
            }
        }
        Ok(Expr {
            kind: ExprKind::Path(Path { segments }),
            span: start.to(end),
        })
    }

    #[allow(clippy::type_complexity)]
    pub(super) fn lambda_body(
        &mut self,
        op: LambdaOp,
    ) -> Result<(Option<(Ident, Box<Expr>)>, Span), FilterError> {
        if op == LambdaOp::Any && matches!(self.peek().tok, Tok::RParen) {
            let close = self.bump();
            return Ok((None, close.span));
        }
        let t = self.bump();
        let Tok::Ident(var) = t.tok else {
            return Err(FilterError::new(
                ErrorKind::ExpectedLambdaVariable,
                format!(
                    "expected a lambda variable name, found {}",
                    self.src_text(&t)
                ),
                t.span,
            ));
        };
        self.expect(&Tok::Colon, "`:` after the lambda variable")?;
        let body = self.expr()?;
        let close = self.expect(&Tok::RParen, "`)` to close the lambda")?;
        Ok((
            Some((
                Ident {
                    name: var.into(),
                    span: t.span,
                },
                Box::new(body),
            )),
            close.span,
        ))
    }
}
