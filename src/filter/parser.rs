//! Recursive-descent parser with precedence levels (OData 4.01 order, loosest first):
//! `or`, `and`, `eq ne`, `gt ge lt le`, `add sub`, `mul div divby mod`, unary `- not`,
//! postfix `has in`, primary. An explicit depth counter bounds recursion and chain length.
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
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    if matches!(p.peek().tok, Tok::Eof) {
        return Err(FilterError::new(
            ErrorKind::SyntaxEmpty,
            "the filter is empty",
            Span::new(0, src.len()),
        ));
    }
    let e = p.expr()?;
    let t = p.peek();
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
            if self.is_kw("has") {
                let t = self.bump();
                self.enter(t.span)?;
                let rhs = self.primary()?;
                let span = lhs.span.to(rhs.span);
                let l = std::mem::replace(lhs, placeholder());
                *lhs = Expr {
                    kind: ExprKind::Binary {
                        op: BinaryOp::Has,
                        lhs: Box::new(l),
                        rhs: Box::new(rhs),
                    },
                    span,
                };
            } else if self.is_kw("in") {
                let t = self.bump();
                self.enter(t.span)?;
                self.expect(&Tok::LParen, "`(` to open the `in` list")?;
                let mut list = Vec::new();
                loop {
                    if list.len() >= MAX_IN_ITEMS {
                        return Err(FilterError::new(
                            ErrorKind::InListLimit,
                            format!("an `in` list may hold at most {MAX_IN_ITEMS} items"),
                            self.peek().span,
                        ));
                    }
                    list.push(self.expr()?);
                    if matches!(self.peek().tok, Tok::Comma) {
                        self.bump();
                        continue;
                    }
                    break;
                }
                let close = self.expect(&Tok::RParen, "`,` or `)` in the `in` list")?;
                let span = lhs.span.to(close.span);
                let l = std::mem::replace(lhs, placeholder());
                *lhs = Expr {
                    kind: ExprKind::In {
                        lhs: Box::new(l),
                        list,
                    },
                    span,
                };
            } else {
                return Ok(());
            }
        }
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
                if name.eq_ignore_ascii_case("true") {
                    return lit(Literal::Bool(true));
                }
                if name.eq_ignore_ascii_case("false") {
                    return lit(Literal::Bool(false));
                }
                if name.eq_ignore_ascii_case("null") {
                    return lit(Literal::Null);
                }
                if name == "INF" {
                    return lit(Literal::Float(f64::INFINITY));
                }
                if name == "NaN" {
                    return lit(Literal::Float(f64::NAN));
                }
                if matches!(self.peek().tok, Tok::LParen) {
                    return self.call(name, t.span);
                }
                self.path(name, t.span)
            }
            Tok::Eof => Err(FilterError::new(
                ErrorKind::UnexpectedEnd,
                "expected an expression, found the end of the filter",
                t.span,
            )),
            _ => Err(FilterError::new(
                ErrorKind::ExpectedExpression,
                format!("expected an expression, found {}", self.src_text(&t)),
                t.span,
            )),
        }
    }

    fn call(&mut self, name: &str, span: Span) -> Result<Expr, FilterError> {
        self.bump(); // (
        let (args, end) = self.call_args()?;
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

    fn call_args(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
        let mut args = Vec::new();
        if !matches!(self.peek().tok, Tok::RParen) {
            loop {
                if args.len() >= 16 {
                    return Err(FilterError::new(
                        ErrorKind::TooManyArguments,
                        "a function call takes at most 16 arguments",
                        self.peek().span,
                    ));
                }
                args.push(self.expr()?);
                if matches!(self.peek().tok, Tok::Comma) {
                    self.bump();
                    continue;
                }
                break;
            }
        }
        let close = self.expect(&Tok::RParen, "`,` or `)` after a function argument")?;
        Ok((args, close.span))
    }

    fn path(&mut self, first: &str, span: Span) -> Result<Expr, FilterError> {
        let mut segments = vec![Ident {
            name: first.into(),
            span,
        }];
        while matches!(self.peek().tok, Tok::Slash) {
            self.bump();
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
            let is_lambda =
                (name == "any" || name == "all") && matches!(self.peek().tok, Tok::LParen);
            if is_lambda {
                let op = if name == "any" {
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
                    span: span.to(close),
                });
            }
            if matches!(self.peek().tok, Tok::LParen) {
                return Err(FilterError::new(
                    ErrorKind::UnsupportedBoundFunction,
                    format!("bound function `{name}` is not supported"),
                    t.span,
                ));
            }
            segments.push(Ident {
                name: name.into(),
                span: t.span,
            });
        }
        let span = span.to(segments.last().map_or(span, |s| s.span));
        Ok(Expr {
            kind: ExprKind::Path(Path { segments }),
            span,
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
