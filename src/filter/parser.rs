//! Recursive-descent parser with precedence levels (OData 4.01 order, loosest first):
//! `or`, `and`, `eq ne`, `gt ge lt le`, `add sub`, `mul div divby mod`, unary `- not`,
//! postfix `has in`, primary (literals, JSON arrays and objects, member paths with their
//! segments, method calls, lambdas, `( … )`). An explicit depth counter bounds recursion
//! and chain length: parentheses, calls, lambdas, JSON arrays and objects, `$filter(…)`
//! segments and operator chains all count.
//!
//! Where the OData ABNF leaves the choice to the service's metadata (is `Name(…)` a
//! function, a key or a method?), the parser decides by shape: the OData methods by
//! name; a dotted name or named parameters (`p=v`) make a function segment; a single
//! literal before `/` a key predicate; other unknown `name(args)` stay a positional call,
//! which the checker reports as an unknown function with a suggestion.
//!
//! Imports no I/O, no wasm, no `worker`.

use super::ast::*;
use super::error::{ErrorKind, FilterError, Span};
use super::lexer::{lex, Tok, Token};

/// Longest accepted filter, in bytes.
pub const MAX_LENGTH: usize = 8 * 1024;
/// Deepest accepted nesting (parentheses, calls, lambdas, unary chains, operator chains).
pub const MAX_DEPTH: usize = 100;
/// Most items in one `in (…)` list.
pub const MAX_IN_ITEMS: usize = 1000;

/// Parses filter text into an AST (syntax only; names are resolved when a query runs).
pub fn parse(src: &str) -> Result<Expr, FilterError> {
    if src.len() > MAX_LENGTH {
        return Err(FilterError::new(
            ErrorKind::LengthLimit,
            format!(
                "filter is {} bytes long; the limit is {MAX_LENGTH}",
                src.len()
            ),
            Span::new(MAX_LENGTH, src.len()),
        ));
    }
    let (toks, lex_error) = lex(src);
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        lex_error,
    };
    p.filter(src)
}

impl Parser<'_> {
    fn filter(&mut self, src: &str) -> Result<Expr, FilterError> {
        if matches!(self.peek().tok, Tok::Eof) {
            return Err(FilterError::new(
                ErrorKind::SyntaxEmpty,
                "the filter is empty",
                Span::new(0, src.len()),
            ));
        }
        let e = self.expr()?;
        let t = self.peek();
        if !matches!(t.tok, Tok::Eof) {
            return Err(FilterError::new(
                ErrorKind::UnexpectedToken,
                format!(
                    "expected an operator or the end of the filter, found {}",
                    describe(src, t)
                ),
                t.span,
            ));
        }
        Ok(e)
    }
}

fn describe(src: &str, t: &Token<'_>) -> String {
    match t.tok {
        Tok::Eof => "the end of the filter".into(),
        _ => format!("`{}`", src.get(t.span.start..t.span.end).unwrap_or("?")),
    }
}

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    /// The lexer's error, which the `Error` token stands for: a literal that could not be
    /// read. Where a literal may stand, it is the error; elsewhere the token cannot start
    /// there at all, and the syntax error at it comes first.
    lex_error: Option<FilterError>,
}

const EOF: Token<'static> = Token {
    tok: Tok::Eof,
    span: Span { start: 0, end: 0 },
};

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token<'a> {
        self.toks.get(self.pos).unwrap_or(&EOF)
    }

    fn bump(&mut self) -> Token<'a> {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn src_text(&self, t: &Token<'_>) -> String {
        match &t.tok {
            Tok::Eof => "the end of the filter".into(),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Colon => "`:`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Equals => "`=`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::JsonStr(_) => "a JSON string".into(),
            _ => "a literal".into(),
        }
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn enter(&mut self, span: Span) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::new(
                ErrorKind::DepthLimit,
                format!("the filter nests deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn expect(&mut self, want: &Tok<'_>, what: &str) -> Result<Token<'a>, FilterError> {
        let t = self.peek();
        if std::mem::discriminant(&t.tok) == std::mem::discriminant(want) {
            return Ok(self.bump());
        }
        let t = t.clone();
        Err(FilterError::new(
            if matches!(t.tok, Tok::Eof) {
                ErrorKind::UnexpectedEnd
            } else {
                ErrorKind::UnexpectedToken
            },
            format!("expected {what}, found {}", self.src_text(&t)),
            t.span,
        ))
    }

    /// A full expression (one nesting level).
    fn expr(&mut self) -> Result<Expr, FilterError> {
        let span = self.peek().span;
        self.enter(span)?;
        let r = self.or();
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let first = self.and()?;
        if !self.is_kw("or") {
            return Ok(first);
        }
        let mut v = vec![first];
        while self.is_kw("or") {
            self.bump();
            v.push(self.and()?);
        }
        Ok(nary(v, false))
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let first = self.binary(PREC_EQ)?;
        if !self.is_kw("and") {
            return Ok(first);
        }
        let mut v = vec![first];
        while self.is_kw("and") {
            self.bump();
            v.push(self.binary(PREC_EQ)?);
        }
        Ok(nary(v, true))
    }

    fn binop_at(&self, level: u8) -> Option<BinaryOp> {
        let Tok::Ident(s) = self.peek().tok else {
            return None;
        };
        let ops: &[BinaryOp] = match level {
            PREC_EQ => &[BinaryOp::Cmp(CmpOp::Eq), BinaryOp::Cmp(CmpOp::Ne)],
            PREC_REL => &[
                BinaryOp::Cmp(CmpOp::Gt),
                BinaryOp::Cmp(CmpOp::Ge),
                BinaryOp::Cmp(CmpOp::Lt),
                BinaryOp::Cmp(CmpOp::Le),
            ],
            PREC_ADD => &[BinaryOp::Arith(ArithOp::Add), BinaryOp::Arith(ArithOp::Sub)],
            _ => &[
                BinaryOp::Arith(ArithOp::Mul),
                BinaryOp::Arith(ArithOp::Div),
                BinaryOp::Arith(ArithOp::DivBy),
                BinaryOp::Arith(ArithOp::Mod),
            ],
        };
        ops.iter()
            .copied()
            .find(|o| o.as_str().eq_ignore_ascii_case(s))
    }

    /// Left-associative binary levels `eq` … `mul`.
    fn binary(&mut self, level: u8) -> Result<Expr, FilterError> {
        let next = |p: &mut Self| {
            if level >= PREC_MUL {
                p.unary()
            } else {
                p.binary(level + 1)
            }
        };
        let mut lhs = next(self)?;
        let saved = self.depth;
        while let Some(op) = self.binop_at(level) {
            let t = self.bump();
            if let Err(e) = self.enter(t.span) {
                self.depth = saved;
                return Err(e);
            }
            let rhs = match next(self) {
                Ok(r) => r,
                Err(e) => {
                    self.depth = saved;
                    return Err(e);
                }
            };
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        self.depth = saved;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        let t = self.peek().clone();
        let not = matches!(t.tok, Tok::Ident(s) if s.eq_ignore_ascii_case("not"));
        if not || matches!(t.tok, Tok::Minus) {
            self.bump();
            self.enter(t.span)?;
            let r = self.unary();
            self.depth -= 1;
            let e = r?;
            let span = t.span.to(e.span);
            let kind = if not {
                ExprKind::Not(Box::new(e))
            } else {
                ExprKind::Neg(Box::new(e))
            };
            return Ok(Expr { kind, span });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, FilterError> {
        let mut lhs = self.primary()?;
        let saved = self.depth;
        let r = self.postfix_ops(&mut lhs);
        self.depth = saved;
        r.map(|()| lhs)
    }

    fn postfix_ops(&mut self, lhs: &mut Expr) -> Result<(), FilterError> {
        loop {
            let op = if self.is_kw("has") {
                BinaryOp::Has
            } else if self.is_kw("in") {
                BinaryOp::In
            } else {
                return Ok(());
            };
            let t = self.bump();
            self.enter(t.span)?;
            let l = std::mem::replace(lhs, placeholder());
            if op == BinaryOp::In && self.at_literal_list() {
                let (list, close) = self.literal_list()?;
                let span = l.span.to(close);
                *lhs = Expr {
                    kind: ExprKind::In {
                        lhs: Box::new(l),
                        list,
                    },
                    span,
                };
                continue;
            }
            let rhs = if op == BinaryOp::Has {
                // hasExpr = "has" enumLiteral: `NS.Type'Value'` or `'Value'`.
                let t = self.peek().clone();
                let is_enum = match &t.tok {
                    Tok::Str(_) => true,
                    Tok::Typed(prefix, _) => prefix.contains('.'),
                    _ => false,
                };
                if !is_enum {
                    return Err(self.fail(
                        &t,
                        ErrorKind::ExpectedLiteral,
                        "an enum literal (`NS.Type'Value'` or `'Value'`) after `has`",
                    ));
                }
                self.primary()?
            } else {
                self.primary()?
            };
            let span = l.span.to(rhs.span);
            *lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
    }

    /// Whether the next token is `(` right after byte `end` (no space: `name(` is a call,
    /// `name (` is not).
    fn lparen_at(&self, end: usize) -> bool {
        let t = self.peek();
        matches!(t.tok, Tok::LParen) && t.span.start == end
    }

    /// Whether the next token is `/` right after byte `end`.
    fn slash_at(&self, end: usize) -> bool {
        let t = self.peek();
        matches!(t.tok, Tok::Slash) && t.span.start == end
    }

    /// An error at byte `at` (between tokens): `expected …, found` the next token.
    fn fail_at(&self, at: usize, what: &str) -> FilterError {
        let t = self.peek();
        let kind = if matches!(t.tok, Tok::Eof) && t.span.start == at {
            ErrorKind::UnexpectedEnd
        } else {
            ErrorKind::UnexpectedToken
        };
        FilterError::new(kind, format!("expected {what}"), Span::new(at, at))
    }

    /// The token `n` places ahead.
    fn ahead(&self, n: usize) -> &Tok<'a> {
        self.toks.get(self.pos + n).map_or(&Tok::Eof, |t| &t.tok)
    }

    /// An error at token `t`: `kind` (or `UnexpectedEnd` at the end), "expected `what`,
    /// found …".
    fn fail(&self, t: &Token<'_>, kind: ErrorKind, what: &str) -> FilterError {
        let kind = if matches!(t.tok, Tok::Eof) {
            ErrorKind::UnexpectedEnd
        } else {
            kind
        };
        FilterError::new(
            kind,
            format!("expected {what}, found {}", self.src_text(t)),
            t.span,
        )
    }

    /// `item (, item)*` up to `close` (the opening token is already read; the list may
    /// be empty), at most `max` items (else `limit`'s error at the next item); returns the
    /// items and the span of `close`.
    fn items<T>(
        &mut self,
        close: &Tok<'_>,
        what: &str,
        max: usize,
        limit: (ErrorKind, &str),
        mut item: impl FnMut(&mut Self) -> Result<T, FilterError>,
    ) -> Result<(Vec<T>, Span), FilterError> {
        let mut out = Vec::new();
        if std::mem::discriminant(&self.peek().tok) != std::mem::discriminant(close) {
            loop {
                if out.len() >= max {
                    return Err(FilterError::new(limit.0, limit.1, self.peek().span));
                }
                out.push(item(self)?);
                if matches!(self.peek().tok, Tok::Comma) {
                    self.bump();
                    continue;
                }
                break;
            }
        }
        let end = self.expect(close, what)?;
        Ok((out, end.span))
    }

    /// After `in`: a parenthesized list of literals `()`, `(1)`, `('a', 'b')` (rather
    /// than a parenthesized expression `(a)`).
    fn at_literal_list(&self) -> bool {
        matches!(self.ahead(0), Tok::LParen)
            && (matches!(self.ahead(1), Tok::RParen)
                || (is_literal(self.ahead(1)) && matches!(self.ahead(2), Tok::Comma | Tok::RParen)))
    }

    /// `( [literal *( , literal )] )`; returns the items and the span of `)`.
    fn literal_list(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
        self.bump(); // (
        let limit = format!("an `in` list may hold at most {MAX_IN_ITEMS} items");
        self.items(
            &Tok::RParen,
            "`,` or `)` in the `in` list",
            MAX_IN_ITEMS,
            (ErrorKind::InListLimit, &limit),
            |p| {
                let t = p.peek().clone();
                if !is_literal(&t.tok) {
                    return Err(p.fail(
                        &t,
                        ErrorKind::ExpectedLiteral,
                        "a literal in the `in (…)` list (a list of expressions is a JSON array `[…]`)",
                    ));
                }
                p.primary()
            },
        )
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
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
                        if super::temporal::duration_ms(text).is_none() {
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
    fn nested(
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
    fn json_value(&mut self) -> Result<Expr, FilterError> {
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
    fn array(&mut self, open: Span) -> Result<Expr, FilterError> {
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
    fn object(&mut self, open: Span) -> Result<Expr, FilterError> {
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

    /// A built-in method call `name(args…)` (the `(` is next); `name` is lower case.
    fn method_call(&mut self, name: String, span: Span) -> Result<Expr, FilterError> {
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
    fn call_or_function(&mut self, name: &str, span: Span) -> Result<Expr, FilterError> {
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
    fn function_segment(&mut self, name: &str, span: Span) -> Result<(Segment, Span), FilterError> {
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

    fn call_args(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
        self.call_args_limited(None)
    }

    /// Positional arguments, the span of `)`. With `arity` (a method's (min, max) from the
    /// ABNF), a missing argument fails at the `)` and an extra one at its `,`.
    fn call_args_limited(
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
    fn type_args(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
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
    fn at_type_name(&self) -> bool {
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
    fn type_name(&mut self) -> Result<Expr, FilterError> {
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
    fn case_args(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
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

    /// The rest of a member path after its first segment(s): `/name`, `/NS.Type`,
    /// `/@NS.term`, `/NS.fn(p=v)`, `/name(key)`, `/$filter(…)`, `/$count`,
    /// `/$count($filter=…)`, ending in `/any(…)`/`/all(…)` (a lambda) or not.
    fn path_rest(
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
    fn lambda_body(
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

/// The literal a keyword stands for (`true`, `false`, `null` in any case; `INF`, `NaN`).
fn keyword_literal(name: &str) -> Option<Literal> {
    if name.eq_ignore_ascii_case("true") {
        Some(Literal::Bool(true))
    } else if name.eq_ignore_ascii_case("false") {
        Some(Literal::Bool(false))
    } else if name.eq_ignore_ascii_case("null") {
        Some(Literal::Null)
    } else if name == "INF" {
        Some(Literal::Float(f64::INFINITY))
    } else if name == "NaN" {
        Some(Literal::Float(f64::NAN))
    } else {
        None
    }
}

/// Whether a token is a primitive literal.
fn is_literal(t: &Tok<'_>) -> bool {
    match t {
        Tok::Str(_)
        | Tok::Typed(..)
        | Tok::Int(_)
        | Tok::Float(_)
        | Tok::Date(..)
        | Tok::DateTime(..)
        | Tok::Time(_)
        | Tok::Guid(_)
        | Tok::Error => true,
        Tok::Ident(n) => keyword_literal(n).is_some(),
        _ => false,
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

fn placeholder() -> Expr {
    Expr {
        kind: ExprKind::Literal(Literal::Null),
        span: Span::default(),
    }
}

fn nary(v: Vec<Expr>, and: bool) -> Expr {
    let span = match (v.first(), v.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::default(),
    };
    Expr {
        kind: if and {
            ExprKind::And(v)
        } else {
            ExprKind::Or(v)
        },
        span,
    }
}
