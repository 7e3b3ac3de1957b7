//! Primary expressions: literals, `( … )`, JSON arrays and objects, names followed by
//! a call or a path.

use super::*;

impl<'a> Parser<'a> {
    pub(super) fn primary(&mut self) -> Result<Expr, FilterError> {
        let t = self.bump();
        let lit = |l| {
            Ok(Expr {
                kind: ExprKind::Literal(l),
                span: t.span,
            })
        };
        match &t.tok {
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(&Tok::RParen, "`)`")?;
                Ok(e)
            }
            Tok::LBracket => self.nested(t.span, Self::array),
            Tok::LBrace => self.nested(t.span, Self::object),
            Tok::JsonStr(_) => Err(FilterError::new(
                ErrorKind::ExpectedExpression,
                "a JSON string `\"…\"` stands only inside a JSON array or object; a string literal is written `'…'`",
                t.span,
            )),
            Tok::Str(s) => lit(Literal::String(s.clone())),
            Tok::Int(i) => lit(Literal::Int(*i)),
            Tok::Float(x) => lit(Literal::Float(*x)),
            Tok::Date(s, ms) => lit(Literal::Date {
                text: (*s).into(),
                ms: *ms,
            }),
            Tok::DateTime(s, ms) => lit(Literal::DateTimeOffset {
                text: (*s).into(),
                ms: *ms,
            }),
            Tok::Time(s) => lit(Literal::TimeOfDay((*s).into())),
            Tok::Guid(s) => lit(Literal::Guid((*s).into())),
            Tok::Typed(prefix, text) => {
                let l = match prefix.to_ascii_lowercase().as_str() {
                    "duration" => {
                        if super::super::temporal::duration_ms(text).is_none() {
                            return Err(FilterError::new(
                                ErrorKind::InvalidLiteral,
                                format!("`{text}` is not an ISO 8601 day-time duration"),
                                t.span,
                            ));
                        }
                        Literal::Duration(text.clone())
                    }
                    "binary" => Literal::Binary(text.clone()),
                    "geography" => Literal::Geography(text.clone()),
                    "geometry" => Literal::Geometry(text.clone()),
                    _ if prefix.contains('.') => Literal::Enum {
                        type_name: (*prefix).into(),
                        value: text.clone(),
                    },
                    _ => {
                        return Err(FilterError::new(
                            ErrorKind::InvalidLiteral,
                            format!("unknown literal prefix `{prefix}`"),
                            t.span,
                        ))
                    }
                };
                lit(l)
            }
            Tok::Ident(name) => {
                let name = *name;
                if let Some(l) = keyword_literal(name) {
                    return lit(l);
                }
                if !self.lparen_at(t.span.end) {
                    if name == "$root" && !self.slash_at(t.span.end) {
                        return Err(self.fail_at(t.span.end, "`/` right after `$root`"));
                    }
                    return self.path_rest(vec![Segment::member(name, t.span)], t.span, t.span);
                }
                if name.starts_with(['$', '@']) {
                    let open = self.peek().clone();
                    return Err(FilterError::new(
                        ErrorKind::UnexpectedToken,
                        format!("`{name}` is not a function; expected an operator after it, found `(`"),
                        open.span,
                    ));
                }
                let lower = name.to_lowercase();
                if lower == "any" || lower == "all" {
                    let open = self.peek().clone();
                    return Err(FilterError::new(
                        ErrorKind::UnexpectedToken,
                        format!("`{name}(…)` follows a collection: `collection/{lower}(…)`"),
                        open.span,
                    ));
                }
                if is_method(&lower) {
                    return self.method_call(lower, t.span);
                }
                self.call_or_function(name, t.span)
            }
            Tok::Eof => Err(FilterError::new(
                ErrorKind::UnexpectedEnd,
                "expected an expression, found the end of the filter",
                t.span,
            )),
            Tok::Error => Err(self.lex_error.clone().unwrap_or_else(|| {
                FilterError::new(ErrorKind::UnexpectedChar, "unreadable token", t.span)
            })),
            _ => Err(FilterError::new(
                ErrorKind::ExpectedExpression,
                format!("expected an expression, found {}", self.src_text(&t)),
                t.span,
            )),
        }
    }

    /// Runs `f` one nesting level deeper (JSON arrays and objects).
    pub(super) fn nested(
        &mut self,
        open: Span,
        f: fn(&mut Self, Span) -> Result<Expr, FilterError>,
    ) -> Result<Expr, FilterError> {
        self.enter(open)?;
        let r = f(self, open);
        self.depth -= 1;
        r
    }

    /// A value inside a JSON array or object: a JSON string or any expression.
    pub(super) fn json_value(&mut self) -> Result<Expr, FilterError> {
        if let Tok::JsonStr(s) = &self.peek().tok {
            let s = s.clone();
            let t = self.bump();
            return Ok(Expr {
                kind: ExprKind::Literal(Literal::String(s)),
                span: t.span,
            });
        }
        self.expr()
    }

    /// The rest of a JSON array after `[`.
    pub(super) fn array(&mut self, open: Span) -> Result<Expr, FilterError> {
        let limit = format!("a JSON array may hold at most {MAX_IN_ITEMS} items");
        let (items, close) = self.items(
            &Tok::RBracket,
            "`,` or `]` in the JSON array",
            MAX_IN_ITEMS,
            (ErrorKind::InListLimit, &limit),
            Self::json_value,
        )?;
        Ok(Expr {
            kind: ExprKind::Array(items),
            span: open.to(close),
        })
    }

    /// The rest of a JSON object after `{`.
    pub(super) fn object(&mut self, open: Span) -> Result<Expr, FilterError> {
        let limit = format!("a JSON object may hold at most {MAX_IN_ITEMS} members");
        let (members, close) = self.items(
            &Tok::RBrace,
            "`,` or `}` in the JSON object",
            MAX_IN_ITEMS,
            (ErrorKind::InListLimit, &limit),
            |p| {
                let t = p.peek().clone();
                let Tok::JsonStr(key) = &t.tok else {
                    return Err(p.fail(
                        &t,
                        ErrorKind::UnexpectedToken,
                        "a member name `\"name\"` in the JSON object",
                    ));
                };
                let key = key.clone();
                p.bump();
                p.expect(&Tok::Colon, "`:` after the member name")?;
                Ok(Member {
                    name: Ident {
                        name: key,
                        span: t.span,
                    },
                    value: p.json_value()?,
                })
            },
        )?;
        Ok(Expr {
            kind: ExprKind::Object(members),
            span: open.to(close),
        })
    }
}
